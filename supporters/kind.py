from organisations.enums import OrganisationKind
from organisations.kinds import KindProfile

# Professional bodies, funders, learned societies and networks support the Commitment:
# they send an action plan on their own form, signed by a senior representative; they are
# not asked to publish it, and they do not lapse.
SUPPORTER = KindProfile(
    kind=OrganisationKind.SUPPORTER,
    submits="Action plan",
    form_name="Signed supporter form",
    signed_by="Senior representative who signed",
    signer_titles="E.g. Chief Executive, President.",
    plan_must_be_public=False,
    can_lapse=False,
)
