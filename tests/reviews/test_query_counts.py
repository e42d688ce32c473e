"""The peer-review pages run the same number of queries however big the round.

Two rounds are built once for the module: Autumn 2025 with 5 submitted stages and
Winter 2026 with 50, each stage with a full team of 3 in mixed states (every third all
submitted with feedback started, half of those released; the rest part accepted, part
invited). Dana Reviewer holds 20 assignments across both rounds (current, submitted and
declined), Eli Reviewer 2. Each page is measured at both sizes against one number."""

from datetime import date, time

import pytest
from django.urls import reverse

from action_plans.deadlines import uk_datetime
from action_plans.models import SubmissionRound
from reviews import services
from reviews.enums import AssignmentStatus, FeedbackStatus
from reviews.models import Assignment, Feedback, Outcome, ReviewRound
from tests.action_plans.builders import announced_organisation, lead_of, submitted
from tests.conftest import module_world, with_totp
from tests.factories import OrganisationFactory, StaffFactory

from .builders import SUBMISSIONS_DUE, review_round, reviewer, write_review

pytestmark = pytest.mark.django_db
A = AssignmentStatus
SMALL, LARGE = 5, 50

# The pages' queries, pinned so that a new one is a deliberate change to this file.
# Every signed-in page: the session, the user, their authenticator (the two-factor
# middleware) and the navigation's memberships (4).
# The round page: 4 + the round with its submission round, the previous round's deadline
# (the round's window), the round's submissions with their organisations, their
# assignments in the round with reviewers, their feedback, the team's conflicts
# (memberships, declared, profile organisations), the reviewers' loads, the assignable
# profiles and their themes, the round's submissions reopened for their organisations (12).
ROUND_QUERIES = 16
# The bulk proposal page: 4 + the round, then everything of the round page but the round
# (8), the assignable profiles and their themes again, the loads again, the conflicts
# (memberships, declared, home organisations), the reviews completed, the active themes.
ASSIGN_QUERIES = 21
# Moderation: 4 + the round, its window, the submission, its reviews with their scores
# (theme and level), the active themes, the feedback with its theme rows and their
# themes; a draft adds the outcomes for the form's choices.
MODERATE_QUERIES = {"released": 13, "draft": 14}
# The reviewer dashboard: 4 + the assignments with round, submission, organisation and
# review, the reviewer's profile, their conflicts. When a round hides institution names,
# the "Institution A" labels add two, however many assignments and rounds: the rounds'
# deadlines and the submissions in the hidden rounds' windows.
DASHBOARD_QUERIES = {"shown": 7, "hidden": 9}

# Stage 1 of an organisation announced on 16 November 2024 is due in the window 16
# November 2025 to 16 May 2026: at the January 2026 round, reviewed in Winter 2026.
WINTER_SUBMISSIONS_DUE = uk_datetime(date(2026, 1, 30), time(17, 0))
WINTER_REVIEWS_DUE = uk_datetime(date(2026, 5, 29), time(17, 0))
WINTER_ANNOUNCED = date(2024, 11, 16)


def _stage(name: str, announced_on: date | None = None):
    organisation = announced_organisation(
        name=name, **({"announced_on": announced_on} if announced_on else {})
    )
    return submitted(organisation, lead_of(organisation))


def _play(stage, index: int, review_round, team, staff) -> None:
    """Ask ``team`` (the lead first) and move them on as ``index`` says: every third
    team all submitted with feedback (every sixth released); the next has its lead's
    review in, one accepted, one invited; the next its lead accepted, the rest invited."""
    assignments = services.reviewers_assign(
        actor=staff, review_round=review_round, submission=stage, reviewers=team
    )
    lead, second, third = assignments
    if index % 3 == 0:
        for assignment in assignments:
            write_review(assignment)
        feedback = services.feedback_start(actor=staff, review_round=review_round, submission=stage)
        if index % 6 == 0:
            feedback = services.feedback_save(
                actor=staff,
                feedback=feedback,
                version=feedback.version,
                outcome=Outcome.objects.get(slug="accepted"),
                summary="A clear plan.",
                strengths=feedback.strengths,
                areas_to_develop=feedback.areas_to_develop,
                recommendations=feedback.recommendations,
                themes={},
            )
            services.feedback_release(actor=staff, feedback=feedback)
    elif index % 3 == 1:
        write_review(lead)
        services.assignment_accept(actor=second.reviewer, assignment=second, no_conflict=True)
    else:
        services.assignment_accept(actor=lead.reviewer, assignment=lead, no_conflict=True)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module, inside a transaction rolled back afterwards; each test
    runs in a savepoint of it, as Django's TestCase.setUpTestData does."""
    with module_world(django_db_blocker):
        yield _build()


def _build() -> dict:
    staff = with_totp(StaffFactory(name="Sam Staff"))
    elsewhere = OrganisationFactory(name="University of Elsewhere")
    SubmissionRound.objects.create(name="September 2025", deadline=SUBMISSIONS_DUE)
    SubmissionRound.objects.create(name="January 2026", deadline=WINTER_SUBMISSIONS_DUE)
    autumn = review_round()
    winter = ReviewRound.objects.create(
        name="Winter 2026",
        submission_round=SubmissionRound.objects.get(deadline=WINTER_SUBMISSIONS_DUE),
        review_due_at=WINTER_REVIEWS_DUE,
    )
    dana = with_totp(reviewer(name="Dana Reviewer", capacity=10, themes=["visibility"]))
    eli = with_totp(reviewer(name="Eli Reviewer", capacity=10, themes=["recognition"]))
    pool = [
        reviewer(
            name=f"Reviewer {n:02}",
            capacity=10,
            organisation=elsewhere if n % 4 == 0 else None,
            themes=[["visibility", "recognition", "career-development", "sustainability"][n % 4]],
        )
        for n in range(24)
    ]
    for person in (dana, eli):
        services.conflict_declare(
            actor=person, organisation=elsewhere, reason="employment", note="Worked there."
        )

    small = [_stage(f"University of Autumn {n:02}") for n in range(SMALL)]
    for i, stage in enumerate(small):
        team = [dana, eli, pool[i]] if i < 2 else [dana, pool[i], pool[i + SMALL]]
        _play(stage, i, autumn, team, staff)

    large = [_stage(f"University of Winter {n:02}", WINTER_ANNOUNCED) for n in range(LARGE)]
    for stage in large[10:15]:
        # Dana is asked and declines (before her ten other places fill her capacity);
        # the team is then asked in full.
        (asked,) = services.reviewers_assign(
            actor=staff, review_round=winter, submission=stage, reviewers=[dana]
        )
        services.assignment_decline(actor=dana, assignment=asked, reason="Too busy.")
    for i, stage in enumerate(large):
        team = [pool[(3 * i + k) % len(pool)] for k in range(3)]
        if i < 10:
            team[2] = dana
        _play(stage, i, winter, team, staff)
    return {
        "staff": staff,
        "rounds": {SMALL: autumn, LARGE: winter},
        "stages": {SMALL: small, LARGE: large},
        "reviewers": {SMALL: eli, LARGE: dana},
    }


def test_the_world_is_as_described(world):
    autumn, winter = world["rounds"][SMALL], world["rounds"][LARGE]
    for size, the_round in ((SMALL, autumn), (LARGE, winter)):
        statuses = the_round.assignments.exclude(status=A.DECLINED).values_list(
            "submission", "status"
        )
        per_stage = {}
        for submission, status in statuses:
            per_stage.setdefault(submission, []).append(status)
        assert len(per_stage) == size
        assert all(len(team) == 3 for team in per_stage.values())
        assert {s for team in per_stage.values() for s in team} == {
            A.INVITED,
            A.ACCEPTED,
            A.SUBMITTED,
        }
        assert Feedback.objects.filter(round=the_round, status=FeedbackStatus.RELEASED).exists()
        assert Feedback.objects.filter(round=the_round, status=FeedbackStatus.DRAFT).exists()
    dana, eli = world["reviewers"][LARGE], world["reviewers"][SMALL]
    assert Assignment.objects.filter(reviewer=eli).count() == 2
    assert Assignment.objects.filter(reviewer=dana).count() == 20
    assert set(Assignment.objects.filter(reviewer=dana).values_list("status", flat=True)) == {
        A.INVITED,
        A.ACCEPTED,
        A.SUBMITTED,
        A.DECLINED,
    }


@pytest.fixture
def as_staff(client, world):
    client.force_login(world["staff"])
    return client


def _get(client, url, queries, django_assert_num_queries):
    client.get(url)  # warm the per-process caches (content types, templates)
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("size", [SMALL, LARGE])
def test_the_round_page_does_not_grow_with_the_round(
    as_staff, world, size, django_assert_num_queries
):
    the_round = world["rounds"][size]
    url = reverse("reviews:round", args=[the_round.pk])

    response = _get(as_staff, url, ROUND_QUERIES, django_assert_num_queries)

    progress = response.context["progress"]
    assert len(progress.rows) == size
    assert progress.assigned == 3 * size
    assert progress.released == len(range(0, size, 6))
    html = response.content.decode()
    assert all(stage.organisation.name in html for stage in world["stages"][size])
    assert html.count("<strong>(lead)</strong>") == size


@pytest.mark.parametrize("size", [SMALL, LARGE])
def test_the_bulk_proposal_page_does_not_grow_with_the_round(
    as_staff, world, size, django_assert_num_queries
):
    the_round = world["rounds"][size]
    # A fourth place in every team, so that every submission has one to propose.
    ReviewRound.objects.filter(pk=the_round.pk).update(team_size=4)
    url = reverse("reviews:round_assign", args=[the_round.pk])

    response = _get(as_staff, url, ASSIGN_QUERIES, django_assert_num_queries)

    proposals = response.context["proposals"]
    assert len(proposals) == size
    assert [len(p.reviewers) for p in proposals] == [1] * size
    assert "Nobody available" not in response.content.decode()


@pytest.mark.parametrize("state", ["released", "draft"])
@pytest.mark.parametrize("size", [SMALL, LARGE])
def test_the_moderation_page_does_not_grow_with_the_round(
    as_staff, world, size, state, django_assert_num_queries
):
    the_round = world["rounds"][size]
    stage = world["stages"][size][0 if state == "released" else 3]
    url = reverse("reviews:moderate", args=[the_round.pk, stage.pk])

    response = _get(as_staff, url, MODERATE_QUERIES[state], django_assert_num_queries)

    assert len(response.context["submitted_reviews"]) == 3
    assert response.context["feedback"].status == state
    assert (response.context["form"] is None) is (state == "released")


@pytest.mark.parametrize("names", ["shown", "hidden"])
@pytest.mark.parametrize("size", [2, 20])
def test_the_reviewer_dashboard_does_not_grow_with_the_assignments(
    client, world, size, names, django_assert_num_queries
):
    person = world["reviewers"][SMALL if size == 2 else LARGE]
    if names == "hidden":
        ReviewRound.objects.update(show_institution=False)
    client.force_login(person)

    response = _get(
        client, reverse("reviews:dashboard"), DASHBOARD_QUERIES[names], django_assert_num_queries
    )

    current, history = response.context["current"], response.context["history"]
    assert len(current) + len(history) == size
    assert len(current) == (1 if size == 2 else 7)
    labels = [label for _, label in current]
    assert all(label.startswith("Institution ") for label in labels) is (names == "hidden")
