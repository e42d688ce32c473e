"""The staff list pages run the same number of queries however much data they show.

Each test measures the page at a small size, grows the data, and asserts the
large page runs exactly as many queries; the number is pinned too, so a new
query per page is a deliberate change to this file."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.enums import MembershipRole
from action_plans.models import Submission
from core.services import activity_record
from organisations.enums import OnboardingStatus, OrganisationKind, Region
from tests.factories import (
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.organisations.builders import lapsing_signatory, message_about, up_to_date_signatory

pytestmark = pytest.mark.django_db

S = OnboardingStatus

# session, user, authenticator (two-factor check), the lapsing signatories (the
# announced and active ones, then their cycle policies, round deadlines, submissions
# and extensions), the count of undelivered mail, the paginator's count, the stage
# counts, the user's memberships (navigation) and the page of organisations.
PIPELINE_QUERIES = 13
# session, user, authenticator, the organisation with its cohort, whether it is lapsing
# (cycle policies, round deadlines, its submissions, its extensions), its messages and
# their count, its members, the navigation memberships, its pending invitations, its
# activity with the actors. (Content types are cached by the first request, hence the
# warm-up below.)
STAFF_PAGE_QUERIES = 14
# For a lead: session, user, the organisation, the lead's roles (rules), navigation
# memberships, the members and the pending invitations. (The portal's permissions are
# rules only, so Django's ModelBackend loads no user or group permissions.)
WORKSPACE_QUERIES = 7

STATUSES = list(S)
REGIONS = list(Region)


def _add_organisations(start, stop):
    for n in range(start, stop):
        organisation = OrganisationFactory(
            name=f"Organisation {n:03d}",
            kind=OrganisationKind.SUPPORTER if n % 4 == 0 else OrganisationKind.SIGNATORY,
            region=REGIONS[n % (len(REGIONS) - 1)],
            status=S.ENQUIRY if n % 3 else S.MEETING_HELD,
            short_name=f"Org{n}",
        )
        MembershipFactory(organisation=organisation, role=MembershipRole.LEAD)
        # Signatories that owe stages, some of them lapsing, and mail that went wrong.
        if n % 5 == 0:
            owing = (lapsing_signatory if n % 10 else up_to_date_signatory)(
                name=f"Organisation {n:03d} owing"
            )
            message_about(owing, status="failed" if n % 2 else "bounced")


def _count(client, url, **kwargs) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **kwargs)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "query",
    [{}, {"kind": "signatory", "q": "Organisation"}, {"page": "2"}],
    ids=["all", "filtered", "second-page"],
)
def test_the_pipeline_runs_the_same_queries_for_5_and_60_organisations(
    staff_client, staff_user, django_assert_num_queries, query
):
    url = reverse("organisations:pipeline")
    _add_organisations(0, 5)
    MembershipFactory(user=staff_user, organisation=OrganisationFactory(name="Staff's own"))
    staff_client.get(url)  # warm the per-process caches (content types, templates)
    small = _count(staff_client, url, data=query)

    _add_organisations(5, 60)
    for n in range(3):
        MembershipFactory(user=staff_user, organisation=OrganisationFactory(name=f"Own {n}"))
    with django_assert_num_queries(small):
        response = staff_client.get(url, query)

    assert response.context["page"].paginator.count > 40
    assert response.context["lapsing_count"] > 3
    assert small == PIPELINE_QUERIES


def _add_team_and_history(organisation, staff, start, stop):
    for n in range(start, stop):
        role = MembershipRole.LEAD if n == 0 else MembershipRole.CONTRIBUTOR
        MembershipFactory(organisation=organisation, role=role)
        invitation = InvitationFactory(organisation=organisation, email=f"invitee-{n}@example.org")
        message_about(invitation, status="failed")
        message_about(organisation, status="sent")
        submission = Submission.objects.create(
            organisation=organisation, stage_number=n + 1, started_by=staff
        )
        message_about(submission, status="bounced")
        activity_record(
            subject=organisation,
            actor=UserFactory() if n % 2 else staff,
            verb="details updated",
            note=f"Change number {n}.",
            from_status=S.ENQUIRY,
            to_status=S.MEETING_HELD,
        )


def test_the_staff_organisation_page_runs_the_same_queries_for_2_and_20_members(
    staff_client, staff_user, django_assert_num_queries
):
    organisation = lapsing_signatory(name="University of Querying")
    url = organisation.get_staff_url()
    _add_team_and_history(organisation, staff_user, 0, 2)
    staff_client.get(url)
    small = _count(staff_client, url)

    _add_team_and_history(organisation, staff_user, 2, 20)
    with django_assert_num_queries(small):
        response = staff_client.get(url)

    assert (
        len(response.context["memberships"]),
        len(response.context["invitations"]),
        len(response.context["activity"]),
        len(response.context["outbox"]),
        response.context["outbox_total"],
    ) == (20, 20, 20, 50, 60)
    assert response.context["lapsing"] is not None
    assert small == STAFF_PAGE_QUERIES


def test_the_workspace_runs_the_same_queries_for_2_and_20_members(
    client, django_assert_num_queries
):
    organisation = OrganisationFactory(name="University of Querying")
    lead = MembershipFactory(organisation=organisation, role=MembershipRole.LEAD).user
    client.force_login(lead)
    url = organisation.get_absolute_url()
    for n in range(2):
        InvitationFactory(organisation=organisation, email=f"early-{n}@example.org")
    MembershipFactory(organisation=organisation, role=MembershipRole.CONTRIBUTOR)
    client.get(url)
    small = _count(client, url)

    for n in range(18):
        MembershipFactory(organisation=organisation, role=MembershipRole.CONTRIBUTOR)
        InvitationFactory(organisation=organisation, email=f"later-{n}@example.org")
    with django_assert_num_queries(small):
        response = client.get(url)

    assert len(response.context["memberships"]) == 20
    assert small == WORKSPACE_QUERIES
