"""Truth tables for who may do what in peer review (reviews/rules.py).

Each row is a situation built through the services: a round, a submitted stage, a team
of three (the first is the lead reviewer) and someone looking at it. A conflict comes
three ways: the organisation on the reviewer's profile, a membership of it, or a declared
conflict. The user and the object are read afresh before asking, as a request would."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from action_plans.models import Submission
from reviews import rules as review_rules
from reviews import services
from reviews.enums import OthersReviews
from reviews.models import Assignment, Feedback, ReviewRound
from tests.action_plans.builders import announced_organisation, lead_of
from tests.factories import MembershipFactory, StaffFactory, UserFactory

from .builders import (
    assign,
    conflict_by_declaration,
    conflict_by_membership,
    conflict_by_profile,
    review_round,
    reviewer,
    submitted_stage,
    write_review,
)

pytestmark = pytest.mark.django_db

T, F = True, False


@dataclass
class Scene:
    staff: User
    review_round: ReviewRound
    submission: Submission
    institution_lead: User
    team: list[User]
    assignments: list[Assignment]

    @property
    def organisation(self):
        return self.submission.organisation


def scene() -> Scene:
    staff = StaffFactory()
    autumn = review_round()
    submission = submitted_stage("University of Testshire")
    team = [reviewer(name=name) for name in ("Ana Ruiz", "Ben Cole", "Cara Diaz")]
    assignments = assign(autumn, submission, team, staff=staff)
    return Scene(
        staff=staff,
        review_round=autumn,
        submission=submission,
        institution_lead=submission.submitted_by,
        team=team,
        assignments=assignments,
    )


def fresh(user):
    """The user as the next request loads them: no cached roles, conflicts or teams."""
    return User.objects.get(pk=user.pk) if user.is_authenticated else user


# The three ways to a conflict with the submitting organisation.


CONFLICT_WAYS = {
    "profile": conflict_by_profile,
    "membership": conflict_by_membership,
    "declared": conflict_by_declaration,
}


def make_conflicted(way: str, s: Scene, user) -> None:
    CONFLICT_WAYS[way](staff=s.staff, reviewer=user, organisation=s.organisation)


# Submission level: who looks at the scene's submission ----------------------------------


def _lead_reviewer_submitted(s: Scene):
    write_review(s.assignments[0])
    return s.team[0]


def _assigned_elsewhere(s: Scene):
    elsewhere = submitted_stage("University of Elsewhere")
    person = reviewer(name="Dev Shah")
    assign(s.review_round, elsewhere, [person], staff=s.staff)
    return person


def _accepted(index: int):
    def build(s: Scene):
        services.assignment_accept(
            actor=s.team[index], assignment=s.assignments[index], no_conflict=True
        )
        return s.team[index]

    return build


def _declined(s: Scene):
    services.assignment_decline(actor=s.team[1], assignment=s.assignments[1], reason="On leave.")
    return s.team[1]


def _withdrawn(s: Scene):
    services.assignment_withdraw(actor=s.staff, assignment=s.assignments[1], note="Gone quiet.")
    return s.team[1]


def _round_never(s: Scene):
    s.review_round.others_reviews = OthersReviews.NEVER
    services.review_round_save(actor=s.staff, review_round=s.review_round)
    return _lead_reviewer_submitted(s)


def _deactivated(s: Scene):
    person = _lead_reviewer_submitted(s)
    person.is_active = False
    person.save(update_fields=["is_active"])
    return person


def _conflicted(way: str, *, submitted: bool):
    def build(s: Scene):
        person = _lead_reviewer_submitted(s) if submitted else s.team[0]
        make_conflicted(way, s, person)
        return person

    return build


SITUATIONS: dict[str, Callable[[Scene], object]] = {
    "anonymous": lambda s: AnonymousUser(),
    "no role": lambda s: UserFactory(),
    "institutional lead": lambda s: s.institution_lead,
    "ITSS staff": lambda s: s.staff,
    "reviewer not assigned": lambda s: reviewer(name="Dev Shah"),
    "reviewer of another submission": _assigned_elsewhere,
    "reviewer from the organisation, not assigned": lambda s: reviewer(
        name="Dev Shah", organisation=s.organisation
    ),
    "lead reviewer, invited": lambda s: s.team[0],
    "lead reviewer, accepted": _accepted(0),
    "lead reviewer, submitted": _lead_reviewer_submitted,
    "lead reviewer, submitted, round never shows others": _round_never,
    "lead reviewer, submitted, account deactivated": _deactivated,
    "team member, invited": lambda s: s.team[1],
    "team member, accepted": _accepted(1),
    "team member, submitted": lambda s: write_review(s.assignments[1]).reviewer,
    "team member, declined": _declined,
    "team member, withdrawn by staff": _withdrawn,
    **{
        f"lead reviewer, {'submitted' if done else 'invited'}, conflict by {way}": _conflicted(
            way, submitted=done
        )
        for way in CONFLICT_WAYS
        for done in (False, True)
    },
}

SUBMISSION_PREDICATES = (
    review_rules.has_conflict,
    review_rules.is_assigned_reviewer,
    review_rules.has_submitted_own_review,
    review_rules.round_shows_others_after_own,
    review_rules.is_lead_reviewer,
    review_rules.has_accepted,
)
SUBMISSION_PERMISSIONS = (
    "reviews.review_submission",
    "reviews.view_other_reviews",
    "reviews.write_feedback",
    "reviews.read_submission",
)

# (has_conflict, is_assigned_reviewer, has_submitted_own_review,
#  round_shows_others_after_own, is_lead_reviewer, has_accepted), then
# (review_submission, view_other_reviews, write_feedback, read_submission).
# A reviewer reads the submission only once they accepted and declared no conflict.
SUBMISSION_TABLE = {
    "anonymous": ((F, F, F, F, F, F), (F, F, F, F)),
    "no role": ((F, F, F, F, F, F), (F, F, F, F)),
    # Members of the organisation are conflicted with it, reviewers or not.
    "institutional lead": ((T, F, F, F, F, F), (F, F, F, F)),
    "ITSS staff": ((F, F, F, F, F, F), (T, T, T, T)),
    "reviewer not assigned": ((F, F, F, F, F, F), (F, F, F, F)),
    "reviewer of another submission": ((F, F, F, F, F, F), (F, F, F, F)),
    "reviewer from the organisation, not assigned": ((T, F, F, F, F, F), (F, F, F, F)),
    # The lead's role starts once they accept.
    "lead reviewer, invited": ((F, T, F, T, F, F), (T, F, F, F)),
    "lead reviewer, accepted": ((F, T, F, T, T, T), (T, F, F, T)),
    "lead reviewer, submitted": ((F, T, T, T, T, T), (T, T, T, T)),
    "lead reviewer, submitted, round never shows others": ((F, T, T, F, T, T), (T, F, T, T)),
    "lead reviewer, submitted, account deactivated": ((F, F, T, T, T, T), (F, F, F, F)),
    "team member, invited": ((F, T, F, T, F, F), (T, F, F, F)),
    "team member, accepted": ((F, T, F, T, F, T), (T, F, F, T)),
    "team member, submitted": ((F, T, T, T, F, T), (T, T, F, T)),
    "team member, declined": ((F, F, F, F, F, F), (F, F, F, F)),
    "team member, withdrawn by staff": ((F, F, F, F, F, F), (F, F, F, F)),
    # Joining the organisation's team leaves the assignment in place, but shuts them out.
    "lead reviewer, invited, conflict by membership": ((T, T, F, T, F, F), (F, F, F, F)),
    # Declaring a conflict, or staff putting the organisation on the reviewer's profile,
    # withdraws an assignment not yet submitted.
    "lead reviewer, invited, conflict by profile": ((T, F, F, F, F, F), (F, F, F, F)),
    "lead reviewer, invited, conflict by declared": ((T, F, F, F, F, F), (F, F, F, F)),
    # A submitted review stays in the team, but the conflict shuts the reviewer out.
    "lead reviewer, submitted, conflict by profile": ((T, T, T, T, T, T), (F, F, F, F)),
    "lead reviewer, submitted, conflict by membership": ((T, T, T, T, T, T), (F, F, F, F)),
    "lead reviewer, submitted, conflict by declared": ((T, T, T, T, T, T), (F, F, F, F)),
}


def test_every_situation_has_a_row():
    assert set(SUBMISSION_TABLE) == set(SITUATIONS)


@pytest.mark.parametrize(
    ("build", "expected"),
    [(SITUATIONS[name], row[0]) for name, row in SUBMISSION_TABLE.items()],
    ids=list(SUBMISSION_TABLE),
)
def test_submission_predicates(build, expected):
    s = scene()
    user = fresh(build(s))
    submission = Submission.objects.get(pk=s.submission.pk)

    assert tuple(p.test(user, submission) for p in SUBMISSION_PREDICATES) == expected


@pytest.mark.parametrize(
    ("build", "expected"),
    [(SITUATIONS[name], row[1]) for name, row in SUBMISSION_TABLE.items()],
    ids=list(SUBMISSION_TABLE),
)
def test_submission_permissions(build, expected):
    s = scene()
    user = fresh(build(s))
    submission = Submission.objects.get(pk=s.submission.pk)

    assert tuple(user.has_perm(perm, submission) for perm in SUBMISSION_PERMISSIONS) == expected


@pytest.mark.parametrize("predicate", SUBMISSION_PREDICATES, ids=lambda p: p.name)
def test_no_submission_means_no(predicate):
    s = scene()
    write_review(s.assignments[0])
    for way in CONFLICT_WAYS:
        make_conflicted(way, s, s.team[0])

    assert predicate.test(fresh(s.team[0]), None) is False


# Assignment level: replying to the lead reviewer's assignment ---------------------------


def _own_conflicted(way: str):
    def build(s: Scene):
        person = _lead_reviewer_submitted(s)
        make_conflicted(way, s, person)
        return person

    return build


ASSIGNMENT_SITUATIONS: dict[str, Callable[[Scene], object]] = {
    "anonymous": lambda s: AnonymousUser(),
    "ITSS staff": lambda s: s.staff,
    "institutional lead": lambda s: s.institution_lead,
    "a teammate": lambda s: s.team[1],
    "its reviewer, invited": lambda s: s.team[0],
    "its reviewer, accepted": _accepted(0),
    "its reviewer, submitted": _lead_reviewer_submitted,
    "its reviewer, conflict by profile": _own_conflicted("profile"),
    "its reviewer, conflict by membership": _own_conflicted("membership"),
    "its reviewer, conflict by declared": _own_conflicted("declared"),
}

# (is_own_assignment, assignment_without_conflict), respond_to_assignment and write_review
ASSIGNMENT_TABLE = {
    "anonymous": ((F, T), F),
    "ITSS staff": ((F, T), F),
    "institutional lead": ((F, F), F),
    "a teammate": ((F, T), F),
    "its reviewer, invited": ((T, T), T),
    "its reviewer, accepted": ((T, T), T),
    "its reviewer, submitted": ((T, T), T),
    "its reviewer, conflict by profile": ((T, F), F),
    "its reviewer, conflict by membership": ((T, F), F),
    "its reviewer, conflict by declared": ((T, F), F),
}


def test_every_assignment_situation_has_a_row():
    assert set(ASSIGNMENT_TABLE) == set(ASSIGNMENT_SITUATIONS)


@pytest.mark.parametrize(
    ("build", "predicates", "permitted"),
    [(ASSIGNMENT_SITUATIONS[name], *row) for name, row in ASSIGNMENT_TABLE.items()],
    ids=list(ASSIGNMENT_TABLE),
)
def test_assignment_rules(build, predicates, permitted):
    s = scene()
    user = fresh(build(s))
    assignment = Assignment.objects.select_related("submission").get(pk=s.assignments[0].pk)

    assert (
        review_rules.is_own_assignment.test(user, assignment),
        review_rules.assignment_without_conflict.test(user, assignment),
    ) == predicates
    assert user.has_perm("reviews.respond_to_assignment", assignment) is permitted
    assert user.has_perm("reviews.write_review", assignment) is permitted


# Feedback level: the consolidated feedback on the submission -----------------------------


def feedback_of(s: Scene, *, released: bool) -> Feedback:
    """The team's reviews in, the feedback written from them and, if ``released``, sent."""
    for assignment in s.assignments:
        write_review(assignment)
    started = services.feedback_start(
        actor=s.staff, review_round=s.review_round, submission=s.submission
    )
    feedback = services.feedback_save(
        actor=s.staff,
        feedback=started,
        version=started.version,
        outcome=started.outcome,
        summary="A candid plan, shaped with technicians.",
        strengths=started.strengths,
        areas_to_develop=started.areas_to_develop,
        recommendations=started.recommendations,
        themes={},
    )
    if released:
        feedback = services.feedback_release(actor=s.staff, feedback=feedback)
    return feedback


def _deactivated_contributor(s: Scene):
    person = MembershipFactory(organisation=s.organisation, role="contributor").user
    person.is_active = False
    person.save(update_fields=["is_active"])
    return person


FEEDBACK_SITUATIONS: dict[str, tuple[bool, Callable[[Scene], object]]] = {
    "institutional lead, draft": (False, lambda s: s.institution_lead),
    "institutional lead, released": (True, lambda s: s.institution_lead),
    "contributor of the organisation, released": (
        True,
        lambda s: MembershipFactory(organisation=s.organisation, role="contributor").user,
    ),
    "deactivated contributor, released": (True, _deactivated_contributor),
    "lead of another organisation, released": (
        True,
        lambda s: lead_of(announced_organisation(name="University of Elsewhere")),
    ),
    "lead reviewer of the team, released": (True, lambda s: s.team[0]),
    "no role, released": (True, lambda s: UserFactory()),
    "anonymous, released": (True, lambda s: AnonymousUser()),
    "ITSS staff, draft": (False, lambda s: s.staff),
    "ITSS staff, released": (True, lambda s: s.staff),
}

# (is_member_of_reviewed_organisation, is_released), view_feedback
FEEDBACK_TABLE = {
    "institutional lead, draft": ((T, F), F),
    "institutional lead, released": ((T, T), T),
    "contributor of the organisation, released": ((T, T), T),
    "deactivated contributor, released": ((F, T), F),
    "lead of another organisation, released": ((F, T), F),
    "lead reviewer of the team, released": ((F, T), F),
    "no role, released": ((F, T), F),
    "anonymous, released": ((F, T), F),
    "ITSS staff, draft": ((F, F), T),
    "ITSS staff, released": ((F, T), T),
}


def test_every_feedback_situation_has_a_row():
    assert set(FEEDBACK_TABLE) == set(FEEDBACK_SITUATIONS)


@pytest.mark.parametrize(
    ("situation", "predicates", "permitted"),
    [(FEEDBACK_SITUATIONS[name], *row) for name, row in FEEDBACK_TABLE.items()],
    ids=list(FEEDBACK_TABLE),
)
def test_feedback_rules(situation, predicates, permitted):
    released, build = situation
    s = scene()
    written = feedback_of(s, released=released)
    user = fresh(build(s))
    feedback = Feedback.objects.select_related("submission__organisation").get(pk=written.pk)

    assert (
        review_rules.is_member_of_reviewed_organisation.test(user, feedback),
        review_rules.is_released.test(user, feedback),
    ) == predicates
    assert user.has_perm("reviews.view_feedback", feedback) is permitted


# Without an object: the staff pages and the reviewer's own pages ------------------------


def _with(factory, **changes):
    def build(s: Scene):
        person = factory()
        for name, value in changes.items():
            setattr(person, name, value)
        person.save()
        return person

    return build


def _deactivated_reviewer(s: Scene):
    person = s.team[0]
    person.is_active = False
    person.save(update_fields=["is_active"])
    return person


PEOPLE: dict[str, Callable[[Scene], object]] = {
    "anonymous": lambda s: AnonymousUser(),
    "no role": lambda s: UserFactory(),
    "institutional lead": lambda s: s.institution_lead,
    "reviewer": lambda s: s.team[0],
    "deactivated reviewer": _deactivated_reviewer,
    "reviewer flag removed": _with(lambda: reviewer(name="Dev Shah"), is_reviewer=False),
    "ITSS staff": lambda s: s.staff,
    "deactivated ITSS staff": _with(StaffFactory, is_active=False),
    "ITSS staff who also reviews": _with(StaffFactory, is_reviewer=True),
}


GLOBAL_PERMISSIONS = (
    "reviews.manage_pool",
    "reviews.manage_rounds",
    "reviews.assign_reviewers",
    "reviews.release_feedback",
    "reviews.view_reviewer_dashboard",
    "reviews.declare_conflict",
)
STAFF = (T, T, T, T, F, F)
NOBODY = (F, F, F, F, F, F)
REVIEWER = (F, F, F, F, T, T)
GLOBAL_TABLE = {
    "anonymous": NOBODY,
    "no role": NOBODY,
    "institutional lead": NOBODY,
    "reviewer": REVIEWER,
    "deactivated reviewer": NOBODY,
    "reviewer flag removed": NOBODY,
    "ITSS staff": STAFF,
    "deactivated ITSS staff": NOBODY,
    "ITSS staff who also reviews": (T, T, T, T, T, T),
}


def test_every_person_has_a_row():
    assert set(GLOBAL_TABLE) == set(PEOPLE)


@pytest.mark.parametrize(
    ("build", "expected"),
    [(PEOPLE[name], row) for name, row in GLOBAL_TABLE.items()],
    ids=list(GLOBAL_TABLE),
)
def test_permissions_without_an_object(build, expected):
    user = fresh(build(scene()))

    assert tuple(user.has_perm(perm) for perm in GLOBAL_PERMISSIONS) == expected


# Marking the feedback ready, and taking back a declared conflict ------------------------

# (leads_team_with_own_review_in, mark_feedback_ready)
READY_SITUATIONS: dict[str, tuple[Callable[[Scene], object], tuple[bool, bool]]] = {
    "lead reviewer, own review in": (lambda s: s.team[0], (T, T)),
    "team member, own review in": (lambda s: s.team[1], (F, F)),
    "ITSS staff": (lambda s: s.staff, (F, F)),
    "lead reviewer, conflict by membership": (
        lambda s: (make_conflicted("membership", s, s.team[0]), s.team[0])[1],
        (F, F),
    ),
    "lead reviewer, account deactivated": (_deactivated_reviewer, (T, F)),
}


@pytest.mark.parametrize(
    ("build", "expected"), list(READY_SITUATIONS.values()), ids=list(READY_SITUATIONS)
)
def test_who_marks_feedback_ready(build, expected):
    s = scene()
    written = feedback_of(s, released=False)
    user = fresh(build(s))
    feedback = Feedback.objects.select_related("submission").get(pk=written.pk)

    assert (
        review_rules.leads_team_with_own_review_in.test(user, feedback),
        user.has_perm("reviews.mark_feedback_ready", feedback),
    ) == expected


# (is_own_conflict, remove_conflict)
CONFLICT_REMOVERS: dict[str, tuple[Callable[[Scene], object], tuple[bool, bool]]] = {
    "who declared it": (lambda s: s.team[0], (T, T)),
    "who declared it, reviewer flag removed": (
        lambda s: _with(lambda: s.team[0], is_reviewer=False)(s),
        (T, F),
    ),
    "another reviewer": (lambda s: s.team[1], (F, F)),
    "ITSS staff": (lambda s: s.staff, (F, F)),
    "anonymous": (lambda s: AnonymousUser(), (F, F)),
}


@pytest.mark.parametrize(
    ("build", "expected"), list(CONFLICT_REMOVERS.values()), ids=list(CONFLICT_REMOVERS)
)
def test_who_removes_a_declared_conflict(build, expected):
    s = scene()
    declared = services.conflict_declare(
        actor=s.team[0],
        organisation=announced_organisation(name="University of Elsewhere"),
        reason="collaboration",
        note="We share a workshop.",
    )
    user = fresh(build(s))

    assert (
        review_rules.is_own_conflict.test(user, declared),
        user.has_perm("reviews.remove_conflict", declared),
    ) == expected
