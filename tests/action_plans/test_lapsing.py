"""Lapsing: which signatories are flagged, and staff lapsing and restoring them.

The selector is read at a given moment (``now``), so its table runs on fixed
dates; the services and pages run today, on organisations built relative to it."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from action_plans.deadlines import UK
from action_plans.enums import SubmissionStatus
from action_plans.lapsing import organisation_lapsing, organisations_lapsing
from action_plans.models import DueDateExtension, Submission
from core.exceptions import ApplicationError, TransitionNotAllowed
from organisations import services
from organisations.enums import OnboardingStatus, OrganisationKind
from organisations.steps import STEPS
from tests.factories import StaffFactory
from tests.organisations.builders import (
    LAPSED_ON,
    activity_rows,
    lapsing_signatory,
    organisation_at,
    stored,
    up_to_date_signatory,
)

pytestmark = pytest.mark.django_db

S = OnboardingStatus

# Announced 16 January 2023: Stage 1's window closes 18 months later, so it is due
# 16 July 2024 at 17:00 UK time; six months after that is 16 January 2025. It is
# lapsing from 17 January 2025, the first UK day *more* than six months past.
WINTER = date(2023, 1, 16)
# Announced 20 July 2022: due 20 January 2024; six months on is 20 July 2024, in
# summer time, when the UK day starts an hour before the UTC one.
SUMMER = date(2022, 7, 20)


def _uk(*args) -> datetime:
    return datetime(*args, tzinfo=UK)


def _utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _submitted(organisation, number=1):
    staff = StaffFactory()
    return Submission.objects.create(
        organisation=organisation,
        stage_number=number,
        status=SubmissionStatus.SUBMITTED,
        started_by=staff,
        submitted_by=staff,
        submitted_at=_uk(2024, 7, 1, 12, 0),
    )


def _started(organisation, number=1):
    return Submission.objects.create(
        organisation=organisation, stage_number=number, started_by=StaffFactory()
    )


def _extended(organisation, due_at, number=1):
    return DueDateExtension.objects.create(
        organisation=organisation,
        stage_number=number,
        due_at=due_at,
        reason="Restructuring of technical services.",
        approved_by=StaffFactory(),
    )


# name: (what to build, the moment of reading, lapsing?)
CASES = {
    "due date just passed": (
        lambda: organisation_at(S.ACTIVE, announced_on=WINTER),
        _uk(2024, 7, 17, 9, 0),
        False,
    ),
    "on the day six months after, at its last minute": (
        lambda: organisation_at(S.ACTIVE, announced_on=WINTER),
        _uk(2025, 1, 16, 23, 59),
        False,
    ),
    "the first minute of the next day": (
        lambda: organisation_at(S.ACTIVE, announced_on=WINTER),
        _uk(2025, 1, 17, 0, 0),
        True,
    ),
    "announced, not yet activated": (
        lambda: organisation_at(S.ANNOUNCED, announced_on=WINTER),
        _uk(2025, 1, 17, 0, 0),
        True,
    ),
    "summer time: still the 20th in the UK": (
        lambda: organisation_at(S.ACTIVE, announced_on=SUMMER),
        _utc(2024, 7, 20, 22, 59),  # 23:59 BST on the 20th
        False,
    ),
    "summer time: the 21st in the UK, still the 20th in UTC": (
        lambda: organisation_at(S.ACTIVE, announced_on=SUMMER),
        _utc(2024, 7, 20, 23, 30),  # 00:30 BST on the 21st
        True,
    ),
    "a supporter, however overdue": (
        lambda: organisation_at(S.ACTIVE, announced_on=WINTER, kind=OrganisationKind.SUPPORTER),
        _uk(2026, 1, 17, 12, 0),
        False,
    ),
    "stage 1 submitted (stage 2 not yet due)": (
        lambda: _submitted(organisation_at(S.ACTIVE, announced_on=WINTER)).organisation,
        _uk(2025, 6, 1, 12, 0),
        False,
    ),
    "stage 1 started but not submitted": (
        lambda: _started(organisation_at(S.ACTIVE, announced_on=WINTER)).organisation,
        _uk(2025, 6, 1, 12, 0),
        True,
    ),
    "due date extended by three months": (
        lambda: (
            _extended(
                organisation_at(S.ACTIVE, announced_on=WINTER), _uk(2024, 10, 16, 17, 0)
            ).organisation
        ),
        _uk(2025, 3, 1, 12, 0),
        False,
    ),
    "extended, and more than six months past the extension too": (
        lambda: (
            _extended(
                organisation_at(S.ACTIVE, announced_on=WINTER), _uk(2024, 10, 16, 17, 0)
            ).organisation
        ),
        _uk(2025, 4, 17, 0, 0),
        True,
    ),
    "already lapsed": (
        lambda: organisation_at(S.LAPSED, announced_on=WINTER),
        _uk(2025, 6, 1, 12, 0),
        False,
    ),
    "withdrawn": (
        lambda: organisation_at(S.WITHDRAWN, announced_on=WINTER),
        _uk(2025, 6, 1, 12, 0),
        False,
    ),
    "still at the signed form": (
        lambda: organisation_at(S.FORM_RECEIVED),
        _uk(2030, 1, 1, 12, 0),
        False,
    ),
}


@pytest.mark.parametrize(("build", "now", "expected"), CASES.values(), ids=CASES)
def test_which_signatories_are_lapsing(build, now, expected):
    organisation = build()

    found = organisations_lapsing(now=now)

    assert [f.organisation for f in found] == ([organisation] if expected else [])
    assert (organisation_lapsing(organisation, now=now) is not None) is expected


def test_a_lapsing_signatory_comes_with_its_stage_and_how_long_overdue():
    organisation = organisation_at(S.ACTIVE, announced_on=WINTER)

    (found,) = organisations_lapsing(now=_uk(2025, 3, 20, 10, 0))

    assert found.organisation == organisation
    assert found.stage.number == 1
    assert found.stage.due_at == _uk(2024, 7, 16, 17, 0)
    assert (found.due_on, found.days_overdue, found.months_overdue) == (
        date(2024, 7, 16),
        247,
        8,
    )


def test_the_threshold_comes_from_the_setting(settings):
    organisation_at(S.ACTIVE, announced_on=WINTER)
    eight_months_on = _uk(2025, 3, 20, 10, 0)
    settings.LAPSING_AFTER_MONTHS = 9

    assert organisations_lapsing(now=eight_months_on) == []

    settings.LAPSING_AFTER_MONTHS = 8
    assert len(organisations_lapsing(now=eight_months_on)) == 1


def test_the_longest_overdue_come_first():
    later = organisation_at(S.ACTIVE, announced_on=date(2023, 3, 1), name="A later one")
    earlier = organisation_at(S.ACTIVE, announced_on=WINTER, name="Z earlier one")

    found = organisations_lapsing(now=_uk(2026, 1, 1, 12, 0))

    assert [f.organisation for f in found] == [earlier, later]


def _network(start, stop):
    for n in range(start, stop):
        organisation = organisation_at(S.ACTIVE, announced_on=WINTER, name=f"Lapsing {n:02d}")
        if n % 3 == 0:
            _started(organisation)
        if n % 4 == 0:
            _extended(organisation, _uk(2024, 9, 1, 17, 0))
        organisation_at(S.ACTIVE, announced_on=date(2025, 1, 6), name=f"On time {n:02d}")
        organisation_at(S.MEETING_HELD, name=f"Joining {n:02d}")


def test_the_selector_runs_five_queries_however_many_organisations(django_assert_num_queries):
    now = _uk(2025, 6, 1, 12, 0)
    _network(0, 3)
    with django_assert_num_queries(5):
        assert len(organisations_lapsing(now=now)) == 3

    _network(3, 30)
    with django_assert_num_queries(5):
        assert len(organisations_lapsing(now=now)) == 30


# The table.

LAPSE_STEPS = {"lapse": S.LAPSED, "restore": S.ACTIVE}


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("step", LAPSE_STEPS)
def test_the_lapse_table_allows_only_announced_or_active_to_lapsed_and_back(status, step):
    allowed = STEPS[step].allowed_from(status)
    assert STEPS[step].to == LAPSE_STEPS[step]

    expected = {
        "lapse": status in (S.ANNOUNCED, S.ACTIVE),
        "restore": status == S.LAPSED,
    }[step]
    assert allowed is expected


# Lapsing and restoring.


@pytest.mark.parametrize("status", [S.ACTIVE, S.ANNOUNCED])
def test_staff_lapse_a_lapsing_signatory_with_a_note(status):
    staff = StaffFactory()
    organisation = lapsing_signatory(status)
    before = stored(organisation)

    result = services.organisation_lapse(
        actor=staff, organisation=organisation, note="  No reply from the lead since May.  "
    )

    after = stored(organisation)
    assert result.status == after["status"] == S.LAPSED
    assert after["lapsed_on"] == timezone.localdate()
    assert {k for k in before if before[k] != after[k]} == {"status", "lapsed_on", "updated_at"}
    assert [row[1:] for row in activity_rows()] == [
        (staff.pk, "lapsed", status, S.LAPSED, "No reply from the lead since May.")
    ]


def _refused(organisation, call) -> ApplicationError:
    before, log = stored(organisation), activity_rows()
    with pytest.raises(ApplicationError) as refused:
        call()
    assert stored(organisation) == before
    assert activity_rows() == log
    return refused.value


@pytest.mark.parametrize("note", ["", "   \n "])
def test_lapsing_without_a_note_is_refused_and_changes_nothing(note):
    organisation = lapsing_signatory()

    refused = _refused(
        organisation,
        lambda: services.organisation_lapse(
            actor=StaffFactory(), organisation=organisation, note=note
        ),
    )

    assert refused.message == "Give the reason for lapsing the organisation."


@pytest.mark.parametrize(
    "build",
    [
        up_to_date_signatory,
        lambda: lapsing_signatory(kind=OrganisationKind.SUPPORTER, name="Institute of Physics"),
    ],
    ids=["up to date", "supporter"],
)
def test_an_organisation_that_is_not_lapsing_cannot_be_lapsed(build):
    organisation = build()

    refused = _refused(
        organisation,
        lambda: services.organisation_lapse(
            actor=StaffFactory(), organisation=organisation, note="By mistake."
        ),
    )

    assert refused.message == (
        f"{organisation.name} is not lapsing, so it cannot be lapsed: only a signatory more "
        "than 6 months past the due date of its current stage, with that stage not "
        "submitted, can be."
    )


@pytest.mark.parametrize(
    "status", [S.ENQUIRY, S.MEETING_HELD, S.FORM_RECEIVED, S.LAPSED, S.WITHDRAWN]
)
def test_lapsing_from_any_other_status_is_refused_by_the_table(status):
    organisation = lapsing_signatory(status)

    refused = _refused(
        organisation,
        lambda: services.organisation_lapse(
            actor=StaffFactory(), organisation=organisation, note="Overdue."
        ),
    )

    assert isinstance(refused, TransitionNotAllowed)
    assert refused.message == f"This cannot be done while the status is “{S(status).label}”."


def test_staff_restore_a_lapsed_organisation_with_a_note():
    staff = StaffFactory()
    organisation = lapsing_signatory(S.LAPSED)
    assert stored(organisation)["lapsed_on"] == LAPSED_ON

    services.organisation_restore(
        actor=staff, organisation=organisation, note="Stage 1 plan agreed for March."
    )

    after = stored(organisation)
    assert (after["status"], after["lapsed_on"]) == (S.ACTIVE, None)
    assert [row[1:] for row in activity_rows()] == [
        (staff.pk, "restored", S.LAPSED, S.ACTIVE, "Stage 1 plan agreed for March.")
    ]


def test_restoring_without_a_note_is_refused_and_changes_nothing():
    organisation = lapsing_signatory(S.LAPSED)

    refused = _refused(
        organisation,
        lambda: services.organisation_restore(
            actor=StaffFactory(), organisation=organisation, note=" "
        ),
    )

    assert refused.message == "Give the reason for restoring the organisation."


@pytest.mark.parametrize("status", [S.ACTIVE, S.ANNOUNCED, S.WITHDRAWN])
def test_only_a_lapsed_organisation_can_be_restored(status):
    organisation = lapsing_signatory(status)

    refused = _refused(
        organisation,
        lambda: services.organisation_restore(
            actor=StaffFactory(), organisation=organisation, note="Back."
        ),
    )

    assert isinstance(refused, TransitionNotAllowed)


def test_a_lapsed_organisation_withdrawn_and_reinstated_is_lapsed_again():
    staff = StaffFactory()
    organisation = lapsing_signatory()
    services.organisation_lapse(actor=staff, organisation=organisation, note="Overdue.")
    services.organisation_withdraw(actor=staff, organisation=organisation, reason="Left.")

    services.organisation_reinstate(actor=staff, organisation=organisation, note="Back.")

    after = stored(organisation)
    assert (after["status"], after["lapsed_on"], after["withdrawn_on"]) == (
        S.LAPSED,
        timezone.localdate(),
        None,
    )


def test_a_restored_organisation_still_overdue_is_flagged_as_lapsing_again():
    staff = StaffFactory()
    organisation = lapsing_signatory()
    services.organisation_lapse(actor=staff, organisation=organisation, note="Overdue.")
    services.organisation_restore(actor=staff, organisation=organisation, note="Promised.")

    assert [f.organisation for f in organisations_lapsing()] == [organisation]


# The pages.


def _step(organisation, action):
    return reverse("organisations:organisation_transition", args=[organisation.slug, action])


def test_the_staff_page_flags_a_lapsing_signatory_and_offers_to_lapse_it(staff_client):
    organisation = lapsing_signatory()

    page = staff_client.get(organisation.get_staff_url())

    text = page.content.decode()
    lapsing = page.context["lapsing"]
    assert lapsing.organisation == organisation
    assert 'id="lapsing-title" class="h5 alert-heading">Lapsing</h2>' in text
    assert "Stage 1 was due" in text
    assert f"{lapsing.due_on:%-d %B %Y}, 17:00</time> UK time" in text
    assert f"{lapsing.months_overdue} months ({lapsing.days_overdue} days) overdue" in text
    assert f'href="{_step(organisation, "lapse")}"' in text
    assert f'href="{_step(organisation, "restore")}"' not in text


def test_the_staff_page_of_an_up_to_date_signatory_offers_no_lapse(staff_client):
    organisation = up_to_date_signatory()

    page = staff_client.get(organisation.get_staff_url())

    assert page.context["lapsing"] is None
    assert 'id="lapsing-title"' not in page.content.decode()
    assert _step(organisation, "lapse") not in page.content.decode()


def test_the_staff_page_of_a_lapsed_organisation_offers_restore_and_withdraw(staff_client):
    organisation = lapsing_signatory(S.LAPSED)

    text = staff_client.get(organisation.get_staff_url()).content.decode()

    assert "Lapsed:</strong> 1 June 2026" in text
    assert "Restore once it is back on track, or withdraw" in text
    for action, offered in (("restore", True), ("withdraw", True), ("lapse", False)):
        assert (f'href="{_step(organisation, action)}"' in text) is offered


def test_lapsing_through_the_page_needs_a_note(staff_client):
    organisation = lapsing_signatory()
    before = stored(organisation)

    response = staff_client.post(_step(organisation, "lapse"), {"note": ""})

    assert response.status_code == 400
    assert "Note: this field is required." in response.content.decode()
    assert stored(organisation) == before


def test_lapsing_through_the_page_confirms_and_returns(staff_client, staff_user):
    organisation = lapsing_signatory()
    form = staff_client.get(_step(organisation, "lapse")).content.decode()
    assert "Stage 1 was due" in form
    assert "nothing is removed, and it can be restored" in form

    response = staff_client.post(_step(organisation, "lapse"), {"note": "Eight months late."})

    assert response.status_code == 302
    assert response.url == organisation.get_staff_url()
    assert stored(organisation)["status"] == S.LAPSED
    page = staff_client.get(response.url).content.decode()
    assert "Lapse: done." in page
    assert "Eight months late." in page


def test_the_lapse_page_of_an_up_to_date_signatory_says_why_it_cannot(staff_client):
    organisation = up_to_date_signatory()
    before = stored(organisation)

    form = staff_client.get(_step(organisation, "lapse"))
    response = staff_client.post(_step(organisation, "lapse"), {"note": "Oops."})

    assert f"{organisation.display_name} is not lapsing" in form.content.decode()
    assert response.status_code == 400
    assert "is not lapsing, so it cannot be lapsed" in response.content.decode()
    assert stored(organisation) == before


def test_restoring_through_the_page(staff_client):
    organisation = lapsing_signatory(S.LAPSED)

    response = staff_client.post(_step(organisation, "restore"), {"note": "Plan agreed."})

    assert response.status_code == 302
    assert (stored(organisation)["status"], stored(organisation)["lapsed_on"]) == (S.ACTIVE, None)


# The pipeline.


@pytest.fixture
def mixed(db):
    return {
        "lapsing": lapsing_signatory(name="University of Lateshire"),
        "up to date": up_to_date_signatory(name="University of Punctual"),
        "supporter": lapsing_signatory(kind=OrganisationKind.SUPPORTER, name="Society of Late"),
        "lapsed": lapsing_signatory(S.LAPSED, name="University of Lapsedshire"),
    }


def test_the_pipeline_says_how_many_are_lapsing_and_filters_them(staff_client, mixed):
    pipeline = reverse("organisations:pipeline")

    everything = staff_client.get(pipeline)
    only = staff_client.get(pipeline, {"lapsing": "yes"})

    assert everything.context["lapsing_count"] == 1
    text = " ".join(everything.content.decode().split())
    assert "<strong>1 signatory is lapsing</strong>: more than 6 months past the due date" in text
    assert 'href="?lapsing=yes"' in text
    assert [o.name for o in only.context["page"].object_list] == ["University of Lateshire"]
    row = " ".join(only.content.decode().split())
    assert "<strong>Lapsing:</strong> Stage 1 was due" in row
    assert "months overdue. Decide whether to lapse it." in row


def test_the_pipeline_counts_lapsed_organisations_as_a_stage(staff_client, mixed):
    response = staff_client.get(reverse("organisations:pipeline"), {"status": "lapsed"})

    counts = {c["status"]: c["count"] for c in response.context["counts"]}
    assert counts[S.LAPSED] == 1
    assert [o.name for o in response.context["page"].object_list] == ["University of Lapsedshire"]


def test_the_pipeline_says_nothing_of_lapsing_when_none_is(staff_client):
    up_to_date_signatory()

    text = staff_client.get(reverse("organisations:pipeline")).content.decode()

    assert "data-lapsing-summary" not in text
    assert "Needs a decision" not in text


# The public pages.


def test_a_lapsed_organisation_stays_public_and_says_lapsed(client):
    organisation = lapsing_signatory(S.LAPSED, name="University of Lapsedshire")

    response = client.get(reverse("directory:public_organisation", args=[organisation.slug]))

    assert response.status_code == 200
    text = " ".join(response.content.decode().split())
    assert (
        'Status: <span class="badge status-badge status-lapsed">Lapsed</span> since 1 June 2026: '
        "it fell behind with its self-assessment and action plan" in text
    )


def test_the_public_page_says_when_it_lapsed_not_when_it_was_announced(client):
    organisation = lapsing_signatory(S.LAPSED, name="University of Lapsedshire")
    announced = f"{organisation.announced_on:%-d %B %Y}"

    response = client.get(reverse("directory:public_organisation", args=[organisation.slug]))

    glance = re.search(r"<dt>Status</dt>\s*<dd>(.*?)</dd>", response.content.decode(), re.S)
    assert " ".join(glance.group(1).split()) == (
        f"Lapsed on 1 June 2026; a signatory since {announced}"
    )


@pytest.mark.parametrize("status", [S.ACTIVE, S.ANNOUNCED])
def test_an_organisation_in_good_standing_is_not_called_lapsed(client, status):
    organisation = lapsing_signatory(status)

    response = client.get(reverse("directory:public_organisation", args=[organisation.slug]))

    assert response.status_code == 200
    assert "Lapsed" not in response.content.decode()


def test_a_withdrawn_organisation_is_still_not_public(client):
    organisation = lapsing_signatory(S.WITHDRAWN)

    response = client.get(reverse("directory:public_organisation", args=[organisation.slug]))

    assert response.status_code == 404


def test_lapsing_never_changes_anything_by_itself(staff_client, mixed):
    before = {key: stored(org) for key, org in mixed.items()}

    staff_client.get(reverse("organisations:pipeline"))
    for organisation in mixed.values():
        staff_client.get(organisation.get_staff_url())
    organisations_lapsing(now=timezone.now() + timedelta(days=3650))

    assert {key: stored(org) for key, org in mixed.items()} == before
    assert activity_rows() == []
