"""The demo data: a believable network, every role, and safe to seed again."""

from collections import Counter
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import SESSION_KEY
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from accounts.enums import MembershipRole
from accounts.models import Invitation, Membership, User
from core.models import ActivityLog, OutboundEmail
from core.services import activity_for
from demo.people import DEMO_PASSWORD, PEOPLE, demo_totp_code
from demo.seed import seed_demo
from organisations.enums import OnboardingStatus, OrganisationKind
from organisations.models import Cohort, Organisation
from tests.conftest import module_world, totp_window_with_time_left

pytestmark = pytest.mark.django_db

TWO_FACTOR_EMAILS = {
    "itss.staff@example.org",
    "reviewer@leeds.example.org",
    "reviewer@glasgow.example.org",
    "reviewer@sheffield.example.org",
    "reviewer@bristol.example.org",
    "reviewer@york.example.org",
}


def _snapshot():
    """Everything seeding can write, down to the values that matter."""
    return {
        "users": sorted(
            User.objects.values_list(
                "email", "name", "is_itss_staff", "is_staff", "is_reviewer", "is_active", "password"
            )
        ),
        "email addresses": sorted(EmailAddress.objects.values_list("email", "verified", "primary")),
        "memberships": sorted(
            Membership.objects.values_list("user__email", "organisation__slug", "role")
        ),
        "organisations": sorted(
            Organisation.objects.values_list(
                "slug", "status", "cohort__name", "lead_email", "announced_on", "signed_form"
            )
        ),
        "cohorts": sorted(Cohort.objects.values_list("name", "starts_on")),
        "activity": sorted(
            ActivityLog.objects.values_list("object_id", "verb", "from_status", "to_status")
        ),
        "authenticators": sorted(Authenticator.objects.values_list("user__email", "type", "data")),
        "outbox": OutboundEmail.objects.count(),
        "invitations": Invitation.objects.count(),
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module, inside a transaction that is rolled back afterwards.

    Each test then runs in a savepoint of it, as Django's TestCase.setUpTestData does."""
    with module_world(django_db_blocker):
        yield seed_demo()


def test_the_demo_network_has_every_stage_region_and_cohort(seeded):
    assert seeded == {"organisations": 51, "people": len(PEOPLE)}
    signatories = Organisation.objects.filter(kind=OrganisationKind.SIGNATORY)
    supporters = Organisation.objects.filter(kind=OrganisationKind.SUPPORTER)
    assert 35 <= signatories.count() <= 45
    assert 8 <= supporters.count() <= 12

    stages = Counter(signatories.values_list("status", flat=True))
    assert set(stages) == set(OnboardingStatus.values)
    assert stages[OnboardingStatus.ACTIVE] >= 25
    assert supporters.exclude(status=OnboardingStatus.ACTIVE).exists()

    regions = set(Organisation.objects.values_list("region", flat=True))
    assert {"scotland", "wales", "northern_ireland", "london", "outside_uk"} <= regions
    assert len(regions) >= 12

    cohorts = Cohort.objects.all()
    assert cohorts.count() == 6
    assert all(c.organisations.exists() for c in cohorts)
    # Only organisations that have joined belong to a cohort.
    joined = (OnboardingStatus.ACTIVE, OnboardingStatus.LAPSED)
    assert not Organisation.objects.exclude(status__in=joined).filter(cohort__isnull=False).exists()
    assert not Organisation.objects.filter(status=OnboardingStatus.ACTIVE, cohort=None).exists()


def test_the_demo_walks_each_organisation_through_the_real_services(seeded):
    nottingham = Organisation.objects.get(short_name="Nottingham")
    essex = Organisation.objects.get(short_name="Essex")

    verbs = list(activity_for(nottingham).order_by("id").values_list("verb", flat=True))
    assert verbs[:5] == [
        "enquiry recorded",
        "meeting held",
        "signed form received",
        "announced",
        "activated",
    ]
    # Then its stages, written, submitted and published through the services too.
    assert verbs[5:8] == ["stage started", "stage submitted", "plan published"]
    assert verbs[-1] == "stage started"
    assert nottingham.signed_form.name.endswith(".pdf")
    assert essex.status == OnboardingStatus.WITHDRAWN
    assert essex.withdrawn_on is not None
    sanger = Organisation.objects.get(short_name="Sanger")
    assert sanger.status == OnboardingStatus.LAPSED
    assert sanger.lapsed_on == timezone.localdate()
    assert activity_for(sanger).order_by("-id").values_list("verb", flat=True)[0] == "lapsed"


def test_the_demo_people_cover_every_role(seeded):
    staff = User.objects.filter(is_itss_staff=True)
    reviewers = User.objects.filter(is_reviewer=True)
    leads = Membership.objects.filter(role=MembershipRole.LEAD)
    contributors = Membership.objects.filter(role=MembershipRole.CONTRIBUTOR)

    assert list(staff.values_list("email", flat=True)) == ["itss.staff@example.org"]
    assert set(reviewers.values_list("email", flat=True)) == {
        "reviewer@durham.example.org",
        "reviewer@leeds.example.org",
        "reviewer@glasgow.example.org",
        "reviewer@sheffield.example.org",
        "reviewer@bristol.example.org",
        "reviewer@york.example.org",
    }
    assert leads.count() == 6
    assert set(leads.values_list("organisation__kind", flat=True)) == {
        OrganisationKind.SIGNATORY,
        OrganisationKind.SUPPORTER,
    }
    assert contributors.count() == 3
    # One contributor belongs to two organisations; one reviewer also contributes.
    tom = User.objects.get(email="contributor@nottingham.example.org")
    assert tom.memberships.count() == 2
    assert User.objects.get(email="reviewer@leeds.example.org").memberships.exists()

    for email, _name, _roles in PEOPLE:
        user = User.objects.get(email=email)
        assert user.check_password(DEMO_PASSWORD)
        assert EmailAddress.objects.get(user=user).verified is True


def test_a_demo_lead_is_the_organisations_recorded_lead(seeded):
    surrey = Organisation.objects.get(short_name="Surrey")
    rsc = Organisation.objects.get(short_name="RSC")

    assert rsc.memberships.get().user.email == "lead@rsc.example.org"
    assert surrey.memberships.get().role == MembershipRole.LEAD
    assert rsc.lead_email


def test_seeding_again_changes_nothing(seeded):
    before = _snapshot()

    again = seed_demo()

    assert again == {"organisations": 0, "people": 0}
    assert _snapshot() == before


def test_only_staff_and_reviewers_have_an_authenticator(seeded):
    with_totp = set(
        Authenticator.objects.filter(type=Authenticator.Type.TOTP).values_list(
            "user__email", flat=True
        )
    )

    assert with_totp == TWO_FACTOR_EMAILS
    assert Authenticator.objects.count() == len(TWO_FACTOR_EMAILS)


@pytest.mark.parametrize("email", sorted(TWO_FACTOR_EMAILS))
def test_the_printed_demo_code_is_accepted(seeded, email):
    authenticator = Authenticator.objects.get(user__email=email, type=Authenticator.Type.TOTP)
    totp_window_with_time_left()

    assert authenticator.wrap().validate_code(demo_totp_code(email)) is True


def test_the_demo_staff_member_signs_in_with_the_printed_code(seeded, client):
    email = "itss.staff@example.org"
    totp_window_with_time_left()

    first = client.post(reverse("account_login"), {"login": email, "password": DEMO_PASSWORD})
    second = client.post(reverse("mfa_authenticate"), {"code": demo_totp_code(email)})

    assert first.url == reverse("mfa_authenticate")
    assert second.url == reverse("accounts:home")
    assert client.session[SESSION_KEY] == str(User.objects.get(email=email).pk)
    assert client.get(reverse("organisations:pipeline")).status_code == 200


def test_a_demo_lead_signs_in_without_a_code_and_reaches_the_workspace(seeded, client):
    response = client.post(
        reverse("account_login"),
        {"login": "lead@nottingham.example.org", "password": DEMO_PASSWORD},
        follow=True,
    )

    nottingham = Organisation.objects.get(short_name="Nottingham")
    assert response.redirect_chain[-1] == (nottingham.get_absolute_url(), 302)
    assert response.status_code == 200


def test_the_totp_command_prints_codes_only_for_demo_accounts(seeded):
    out = StringIO()
    totp_window_with_time_left()
    call_command("demo_totp", "ITSS.Staff@example.org", stdout=out)

    assert out.getvalue().strip() == demo_totp_code("itss.staff@example.org")
    with pytest.raises(CommandError, match="is not a demo account"):
        call_command("demo_totp", "someone@example.org")


def test_the_demo_has_finished_review_rounds_and_one_under_way(seeded):
    from reviews.models import Assignment, Feedback, ReviewRound
    from reviews.rules import conflicted_organisation_ids

    rounds = {r.name: r for r in ReviewRound.objects.all()}
    assert set(rounds) == {"Autumn 2018", "Autumn 2021", "Autumn 2024", "Autumn 2026"}
    for name in ("Autumn 2018", "Autumn 2021", "Autumn 2024"):
        statuses = set(rounds[name].assignments.values_list("status", flat=True))
        assert statuses == {"submitted"}
        assert not rounds[name].feedback.exclude(status="released").exists()
    current = rounds["Autumn 2026"].assignments.select_related("reviewer")
    assert sorted((a.reviewer.email, a.status, a.is_lead) for a in current) == [
        ("reviewer@glasgow.example.org", "accepted", True),
        ("reviewer@leeds.example.org", "invited", False),
        ("reviewer@sheffield.example.org", "declined", False),
    ]
    nottingham = Organisation.objects.get(short_name="Nottingham")
    assert Feedback.objects.filter(
        submission__organisation=nottingham, submission__stage_number=3, status="released"
    ).exists()
    # Nobody reviews an organisation they have a conflict with.
    for assignment in Assignment.objects.select_related("reviewer", "submission"):
        assert assignment.submission.organisation_id not in conflicted_organisation_ids(
            assignment.reviewer
        )


def test_the_new_demo_reviewer_confirms_by_email_before_setting_up(seeded, client):
    email = "reviewer@durham.example.org"

    signed_in = client.post(reverse("account_login"), {"login": email, "password": DEMO_PASSWORD})
    page = client.get(signed_in.url, follow=True)

    assert not Authenticator.objects.filter(user__email=email).exists()
    assert page.redirect_chain[-1][0] == reverse("accounts:two_factor_confirm")
