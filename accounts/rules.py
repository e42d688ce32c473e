"""Role predicates. Every permission in the portal is composed from these."""

import rules

from .enums import MembershipRole


def _roles_by_organisation(user) -> dict[int, str]:
    # Cached on the user object for the length of one request.
    cached = getattr(user, "_tc_roles_by_org", None)
    if cached is None:
        cached = dict(user.memberships.values_list("organisation_id", "role"))
        user._tc_roles_by_org = cached
    return cached


@rules.predicate
def is_itss_staff(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_itss_staff)


@rules.predicate
def is_reviewer(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_reviewer)


@rules.predicate
def is_member_of_organisation(user, organisation) -> bool:
    if organisation is None or not user.is_authenticated or not user.is_active:
        return False
    return organisation.pk in _roles_by_organisation(user)


@rules.predicate
def is_lead_of_organisation(user, organisation) -> bool:
    if organisation is None or not user.is_authenticated or not user.is_active:
        return False
    return _roles_by_organisation(user).get(organisation.pk) == MembershipRole.LEAD


rules.add_perm("accounts.invite_member", is_itss_staff | is_lead_of_organisation)
rules.add_perm("accounts.remove_member", is_itss_staff | is_lead_of_organisation)
rules.add_perm("accounts.invite_reviewer", is_itss_staff)

# The outbox's staff pages live in core, which imports no other app; the ITSS
# staff role is bound to their permission here, where the role is defined.
rules.add_perm("core.manage_outbox", is_itss_staff)
