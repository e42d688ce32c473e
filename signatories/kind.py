from organisations.enums import OrganisationKind
from organisations.kinds import KindProfile

# Employers of technicians (universities, research institutes) sign the Commitment itself:
# they assess themselves against the four themes, publish their plan, and lapse if they
# fall far behind.
SIGNATORY = KindProfile(
    kind=OrganisationKind.SIGNATORY,
    submits="Self-assessment and action plan",
    form_name="Signed form",
    signed_by="Head of organisation who signed",
    signer_titles="E.g. Vice-Chancellor, Chief Executive.",
    plan_must_be_public=True,
    can_lapse=True,
)
