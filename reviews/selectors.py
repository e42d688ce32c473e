"""Reads of peer review: the pool, a round's submissions and progress, team proposals."""

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import Invitation, Membership, User
from action_plans.enums import SubmissionStatus
from action_plans.models import Submission
from action_plans.selectors import themes_in_use
from core.models import Theme

from .enums import ACTIVE_ASSIGNMENT_STATUSES, AssignmentStatus, FeedbackStatus
from .models import Assignment, Conflict, Feedback, Review, ReviewerProfile, ReviewRound, ThemeScore

ACTIVE = sorted(ACTIVE_ASSIGNMENT_STATUSES)
# Scores this many steps apart on one theme are a disagreement to look at in moderation.
DISAGREEMENT_STEPS = 2


# The pool --------------------------------------------------------------------------------


def reviewer_pool() -> QuerySet[User]:
    """Every peer reviewer with their profile, expertise and the organisations they belong to."""
    return (
        User.objects.filter(is_reviewer=True)
        .select_related("reviewer_profile__organisation")
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("organisation")),
            "reviewer_profile__themes",
        )
        .order_by("name", "email")
    )


def pending_reviewer_invitations() -> QuerySet[Invitation]:
    return (
        Invitation.objects.pending()
        .filter(role="reviewer")
        .select_related("invited_by")
        .order_by("-created_at")
    )


def conflicts_by_reviewer(user_ids: Iterable[int]) -> dict[int, set[int]]:
    """For each reviewer, the organisations they must not review (memberships, the
    organisation on their profile, declared conflicts). Three queries for any number."""
    user_ids = list(user_ids)
    found: dict[int, set[int]] = defaultdict(set)
    rows = [
        Membership.objects.filter(user_id__in=user_ids).values_list("user_id", "organisation_id"),
        Conflict.objects.filter(reviewer_id__in=user_ids).values_list(
            "reviewer_id", "organisation_id"
        ),
        ReviewerProfile.objects.filter(
            user_id__in=user_ids, organisation__isnull=False
        ).values_list("user_id", "organisation_id"),
    ]
    for query in rows:
        for user_id, organisation_id in query:
            found[user_id].add(organisation_id)
    return found


def loads_in_round(review_round: ReviewRound) -> Counter:
    """How many submissions each reviewer holds a place for in ``review_round``."""
    return Counter(
        dict(
            review_round.assignments.filter(status__in=ACTIVE)
            .values("reviewer_id")
            .annotate(n=Count("id"))
            .values_list("reviewer_id", "n")
        )
    )


def assignable_profiles() -> list[ReviewerProfile]:
    """Trained, active reviewers, with their expertise: the only ones who can be assigned."""
    return list(
        ReviewerProfile.objects.filter(
            is_active=True, trained_on__isnull=False, user__is_active=True, user__is_reviewer=True
        )
        .select_related("user", "organisation")
        .prefetch_related("themes")
        .order_by("user__name", "pk")
    )


# Rounds ----------------------------------------------------------------------------------


def round_window(review_round: ReviewRound) -> tuple[datetime | None, datetime]:
    """The due dates a round gathers: after the previous review round's deadline, up to
    and including its own."""
    deadline = review_round.submission_round.deadline
    previous = (
        ReviewRound.objects.filter(submission_round__deadline__lt=deadline)
        .order_by("-submission_round__deadline")
        .values_list("submission_round__deadline", flat=True)
        .first()
    )
    return previous, deadline


def round_submissions(review_round: ReviewRound) -> QuerySet[Submission]:
    """The submitted stages a round reviews: due (as they stood when submitted) within its
    window."""
    after, until = round_window(review_round)
    found = Submission.objects.exclude(status=SubmissionStatus.IN_PROGRESS).filter(
        due_at_submission__lte=until
    )
    if after is not None:
        found = found.filter(due_at_submission__gt=after)
    return found


@dataclass
class SubmissionProgress:
    """One submission of a round, as the staff round page shows it."""

    submission: Submission
    assignments: list[Assignment]
    team_size: int
    feedback: Feedback | None
    now: datetime
    conflicts: dict[int, set[int]] = field(default_factory=dict)  # by reviewer

    @property
    def team(self) -> list[Assignment]:
        return [a for a in self.assignments if a.is_active]

    @property
    def conflicted(self) -> list[Assignment]:
        """Open places held by a reviewer who has since come to a conflict (say by joining
        the organisation's team): staff take them off and assign someone else."""
        return [
            a
            for a in self.team
            if a.status != AssignmentStatus.SUBMITTED
            and self.submission.organisation_id in self.conflicts.get(a.reviewer_id, ())
        ]

    @property
    def lead(self) -> Assignment | None:
        return next((a for a in self.team if a.is_lead), None)

    @property
    def needs_reviewers(self) -> int:
        return max(self.team_size - len(self.team), 0)

    @property
    def declined(self) -> list[Assignment]:
        return [a for a in self.assignments if a.status == AssignmentStatus.DECLINED]

    def count(self, status: str) -> int:
        return sum(1 for a in self.team if a.status == status)

    @property
    def submitted(self) -> int:
        return self.count(AssignmentStatus.SUBMITTED)

    @property
    def overdue(self) -> list[Assignment]:
        return [a for a in self.team if is_overdue(a, self.now)]

    @property
    def late_replies(self) -> list[Assignment]:
        """Invited reviewers past the date they were to accept or decline by."""
        return [
            a for a in self.team if a.status == AssignmentStatus.INVITED and a.respond_by < self.now
        ]

    @property
    def all_reviews_in(self) -> bool:
        return bool(self.team) and self.submitted == len(self.team)

    @property
    def ready_for_release(self) -> bool:
        return self.feedback is not None and self.feedback.status == FeedbackStatus.READY

    @property
    def to_resume(self) -> bool:
        """Submitted again after it was reopened in this round: its review waits for staff
        to resume it."""
        return self.submission.status == SubmissionStatus.SUBMITTED and any(
            a.is_active or a.withdrawn_by_reopening for a in self.assignments
        )


def is_overdue(assignment: Assignment, now: datetime) -> bool:
    return (
        assignment.status in (AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED)
        and assignment.round.review_due_at < now
    )


@dataclass
class RoundProgress:
    review_round: ReviewRound
    rows: list[SubmissionProgress]
    loads: list[tuple[ReviewerProfile, int]] = field(default_factory=list)
    # Submissions of the round that staff reopened: with their organisation until resubmitted.
    reopened: list[Submission] = field(default_factory=list)

    def total(self, status: str) -> int:
        return sum(row.count(status) for row in self.rows)

    @property
    def assigned(self) -> int:
        return sum(len(row.team) for row in self.rows)

    @property
    def accepted(self) -> int:
        return self.total(AssignmentStatus.ACCEPTED) + self.submitted

    @property
    def submitted(self) -> int:
        return self.total(AssignmentStatus.SUBMITTED)

    @property
    def awaiting_reply(self) -> int:
        return self.total(AssignmentStatus.INVITED)

    @property
    def overdue(self) -> int:
        return sum(len(row.overdue) for row in self.rows)

    @property
    def without_full_team(self) -> list[SubmissionProgress]:
        return [row for row in self.rows if row.needs_reviewers]

    @property
    def released(self) -> int:
        return sum(1 for row in self.rows if row.feedback and row.feedback.is_released)

    @property
    def ready(self) -> list[SubmissionProgress]:
        """Feedback the lead reviewer has marked ready, for staff to release."""
        return [row for row in self.rows if row.ready_for_release]


def round_progress(review_round: ReviewRound, *, now: datetime | None = None) -> RoundProgress:
    """Everything the staff round page shows, in a fixed number of queries."""
    now = now or timezone.now()
    assignments = Assignment.objects.select_related("reviewer", "round").order_by(
        "-is_lead", "created_at"
    )
    submissions = list(
        round_submissions(review_round)
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "review_assignments",
                queryset=assignments.filter(round=review_round),
                to_attr="round_assignments",
            ),
            Prefetch(
                "feedback", queryset=Feedback.objects.filter(round=review_round), to_attr="fb"
            ),
        )
        .order_by("organisation__name", "stage_number")
    )
    conflicts = conflicts_by_reviewer(
        {a.reviewer_id for s in submissions for a in s.round_assignments}
    )
    rows = [
        SubmissionProgress(
            submission=s,
            assignments=s.round_assignments,
            team_size=review_round.team_size,
            feedback=s.fb[0] if s.fb else None,
            now=now,
            conflicts=conflicts,
        )
        for s in submissions
    ]
    loads = loads_in_round(review_round)
    pool = [(profile, loads.get(profile.user_id, 0)) for profile in assignable_profiles()]
    reopened = list(
        Submission.objects.filter(
            status=SubmissionStatus.IN_PROGRESS,
            pk__in=review_round.assignments.values("submission_id"),
        )
        .select_related("organisation")
        .order_by("organisation__name", "stage_number")
    )
    return RoundProgress(review_round=review_round, rows=rows, loads=pool, reopened=reopened)


# Proposing teams -------------------------------------------------------------------------


@dataclass
class Proposal:
    submission: Submission
    reviewers: list[ReviewerProfile]  # the lead first
    short_by: int  # places the pool could not fill
    # Everyone who could have been proposed, with their places this round.
    candidates: list[tuple[ReviewerProfile, int]] = field(default_factory=list)

    @property
    def lead(self) -> ReviewerProfile | None:
        return self.reviewers[0] if self.reviewers else None


def team_propose(
    *,
    submission: Submission,
    pool: list[ReviewerProfile],
    loads: Counter,
    conflicts: dict[int, set[int]],
    places: int,
    asked: set[int] = frozenset(),
    themes: Iterable[Theme] = (),
    experience: Counter | None = None,
) -> Proposal:
    """Propose ``places`` reviewers for ``submission`` from ``pool``.

    Never proposes a reviewer with a conflict, one already asked about this submission
    (``asked``: in the team, declined or withdrawn), nor one at capacity (``loads``: their
    places this round). Load is spread: whoever holds fewest places goes first; between
    equals, whoever covers more of the themes not yet covered by the team, then by name.
    The lead is the one with most reviews submitted before (``experience``), else the
    first chosen. ``loads`` is not changed: the caller adds the choice if it keeps it."""
    wanted = {theme.pk for theme in themes}
    experience = experience or Counter()
    load = Counter(loads)
    eligible = eligible_reviewers(
        submission=submission, pool=pool, loads=load, conflicts=conflicts, asked=asked
    )
    candidates = list(eligible)
    chosen: list[ReviewerProfile] = []
    covered: set[int] = set()
    while candidates and len(chosen) < places:
        best = min(
            candidates,
            key=lambda p: (
                load[p.user_id],
                -len(_theme_ids(p) & (wanted - covered)),
                p.user.name,
                p.pk,
            ),
        )
        chosen.append(best)
        covered |= _theme_ids(best)
        candidates.remove(best)
    if chosen:
        lead = max(chosen, key=lambda p: (experience[p.user_id], -chosen.index(p)))
        chosen.remove(lead)
        chosen.insert(0, lead)
    return Proposal(
        submission=submission,
        reviewers=chosen,
        short_by=places - len(chosen),
        candidates=[(profile, load[profile.user_id]) for profile in eligible],
    )


def eligible_reviewers(
    *,
    submission: Submission,
    pool: list[ReviewerProfile],
    loads: Counter,
    conflicts: dict[int, set[int]],
    asked: set[int] = frozenset(),
) -> list[ReviewerProfile]:
    """Whoever in ``pool`` may take a place reviewing ``submission``: trained and active,
    no conflict, not asked about it before, below their capacity this round."""
    return [
        profile
        for profile in pool
        if profile.is_assignable
        and profile.user_id not in asked
        and submission.organisation_id not in conflicts.get(profile.user_id, ())
        and loads[profile.user_id] < profile.capacity
    ]


def _theme_ids(profile: ReviewerProfile) -> set[int]:
    return {theme.pk for theme in profile.themes.all()}


def reviews_completed() -> Counter:
    """How many reviews each reviewer has submitted, in any round."""
    return Counter(
        dict(
            Assignment.objects.filter(status=AssignmentStatus.SUBMITTED)
            .values("reviewer_id")
            .annotate(n=Count("id"))
            .values_list("reviewer_id", "n")
        )
    )


def round_proposals(review_round: ReviewRound) -> list[Proposal]:
    """A proposed team for every submission of the round short of reviewers, made in turn
    so that the load of each proposal counts in the next. A fixed number of queries."""
    progress = round_progress(review_round)
    pool = [profile for profile, _ in progress.loads]
    loads = Counter({profile.user_id: load for profile, load in progress.loads})
    conflicts = conflicts_by_reviewer(p.user_id for p in pool)
    experience = reviews_completed()
    themes = list(themes_in_use())
    proposals = []
    for row in progress.without_full_team:
        proposal = team_propose(
            submission=row.submission,
            pool=pool,
            loads=loads,
            conflicts=conflicts,
            places=row.needs_reviewers,
            asked={a.reviewer_id for a in row.assignments},
            themes=themes,
            experience=experience,
        )
        for profile in proposal.reviewers:
            loads[profile.user_id] += 1
        proposals.append(proposal)
    return proposals


def submission_proposal(review_round: ReviewRound, submission: Submission) -> Proposal:
    """A proposed team (or the places still open) for one submission of a round."""
    taken = list(submission.review_assignments.all())
    team = [a for a in taken if a.is_active]
    pool = assignable_profiles()
    return team_propose(
        submission=submission,
        pool=pool,
        loads=loads_in_round(review_round),
        conflicts=conflicts_by_reviewer(p.user_id for p in pool),
        places=max(review_round.team_size - len(team), 0),
        asked={a.reviewer_id for a in taken},
        themes=list(themes_in_use()),
        experience=reviews_completed(),
    )


# A reviewer's view ----------------------------------------------------------------------


def assignments_of(user) -> QuerySet[Assignment]:
    """A reviewer's assignments, newest round first, with what their dashboard shows."""
    return (
        Assignment.objects.filter(reviewer=user)
        .select_related("round__submission_round", "submission__organisation", "review")
        .order_by("-round__review_due_at", "submission__organisation__name", "pk")
    )


def review_with_scores(assignment: Assignment) -> Review | None:
    """The assignment's review with its scores, their themes and levels (two queries)."""
    return (
        Review.objects.prefetch_related(
            Prefetch("scores", queryset=ThemeScore.objects.select_related("theme", "level"))
        )
        .filter(assignment=assignment)
        .first()
    )


def reviews_of_submission(submission: Submission, review_round: ReviewRound) -> list[Review]:
    """The reviews of ``submission`` in ``review_round`` by its current team, with scores."""
    return list(
        Review.objects.filter(
            assignment__submission=submission,
            assignment__round=review_round,
            assignment__status__in=ACTIVE,
        )
        .select_related("assignment__reviewer", "suggested_outcome")
        .prefetch_related(
            Prefetch("scores", queryset=ThemeScore.objects.select_related("theme", "level"))
        )
        .order_by("-assignment__is_lead", "assignment__created_at", "pk")
    )


# Moderation ------------------------------------------------------------------------------


@dataclass
class ThemeSummary:
    theme: Theme
    scores: list[tuple[Review, int | None]]  # (review, score value or None)

    @property
    def values(self) -> list[int]:
        return [value for _, value in self.scores if value is not None]

    @property
    def mean(self) -> float | None:
        return round(statistics.fmean(self.values), 2) if self.values else None

    @property
    def median(self) -> float | None:
        return statistics.median(self.values) if self.values else None

    @property
    def spread(self) -> int | None:
        return max(self.values) - min(self.values) if self.values else None

    @property
    def disagreement(self) -> bool:
        return self.spread is not None and self.spread >= DISAGREEMENT_STEPS


def theme_summaries(reviews: list[Review], themes: list[Theme]) -> list[ThemeSummary]:
    """Each theme's scores across ``reviews`` (submitted ones only), with mean, median and
    spread."""
    summaries = []
    for theme in themes:
        scores = []
        for review in reviews:
            if not review.is_submitted:
                continue
            score = next((s for s in review.scores.all() if s.theme_id == theme.pk), None)
            scores.append((review, score.level.value if score and score.level else None))
        summaries.append(ThemeSummary(theme=theme, scores=scores))
    return summaries


def released_feedback_for(submission: Submission) -> Feedback | None:
    """The newest released feedback on ``submission``, with its theme feedback."""
    return (
        submission.feedback.filter(status=FeedbackStatus.RELEASED)
        .select_related("outcome", "round")
        .prefetch_related("themes__theme")
        .order_by("-released_at")
        .first()
    )


def latest_feedback_released(organisation) -> Feedback | None:
    """The feedback last released to ``organisation``, on any stage (one query)."""
    return (
        Feedback.objects.filter(
            submission__organisation=organisation, status=FeedbackStatus.RELEASED
        )
        .select_related("submission", "outcome")
        .order_by("-released_at")
        .first()
    )


def previous_stage_feedback(submission: Submission) -> Feedback | None:
    """From Stage 2 on: the feedback released on the organisation's previous stage."""
    if submission.stage_number < 2:
        return None
    previous = Submission.objects.filter(
        organisation_id=submission.organisation_id, stage_number=submission.stage_number - 1
    ).first()
    return released_feedback_for(previous) if previous else None


def institution_label(review_round: ReviewRound, submission: Submission) -> str:
    """What a reviewer of ``review_round`` is told the institution is called: its name,
    or, when the round hides names, a letter fixed by the submission's place in the round."""
    if review_round.show_institution:
        return submission.organisation.name
    return _letter_label(_round_submission_ids(review_round), submission.pk)


def institution_labels(assignments: Iterable[Assignment]) -> dict[int, str]:
    """``institution_label`` of each assignment, by assignment id, in at most two queries
    however many assignments and rounds (the rounds' deadlines, then the submissions in the
    windows of those that hide names)."""
    assignments = list(assignments)
    hidden = {a.round_id for a in assignments if not a.round.show_institution}
    ids_by_round: dict[int, list[int]] = {round_id: [] for round_id in hidden}
    if hidden:
        deadlines = list(
            ReviewRound.objects.order_by("submission_round__deadline").values_list(
                "pk", "submission_round__deadline"
            )
        )
        windows = {
            pk: (deadlines[i - 1][1] if i else None, deadline)
            for i, (pk, deadline) in enumerate(deadlines)
            if pk in hidden
        }
        earliest = [after for after, _ in windows.values()]
        found = Submission.objects.exclude(status=SubmissionStatus.IN_PROGRESS).filter(
            due_at_submission__lte=max(until for _, until in windows.values())
        )
        if None not in earliest:
            found = found.filter(due_at_submission__gt=min(earliest))
        for pk, due in found.order_by("pk").values_list("pk", "due_at_submission"):
            for round_id, (after, until) in windows.items():
                if due <= until and (after is None or due > after):
                    ids_by_round[round_id].append(pk)
    labels = {}
    for assignment in assignments:
        if assignment.round.show_institution:
            labels[assignment.pk] = assignment.submission.organisation.name
        else:
            ids = ids_by_round[assignment.round_id]
            labels[assignment.pk] = _letter_label(ids, assignment.submission_id)
    return labels


def _round_submission_ids(review_round: ReviewRound) -> list[int]:
    return list(round_submissions(review_round).order_by("pk").values_list("pk", flat=True))


def _letter_label(ids: list[int], submission_id: int) -> str:
    index = ids.index(submission_id) if submission_id in ids else len(ids)
    return f"Institution {_letters(index)}"


def _letters(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def overdue_assignments(now: datetime | None = None) -> QuerySet[Assignment]:
    now = now or timezone.now()
    return Assignment.objects.filter(
        status__in=(AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED),
        round__review_due_at__lt=now,
    )


def rounds_with_counts() -> QuerySet[ReviewRound]:
    """Every round, newest first: by the date its reviews are due, latest first.

    Stated here because a model's default ordering does not apply to a query that
    groups (the counts), which came back in whatever order the database chose."""
    return (
        ReviewRound.objects.select_related("submission_round")
        .annotate(
            assigned=Count("assignments", filter=Q(assignments__status__in=ACTIVE)),
            submitted=Count(
                "assignments", filter=Q(assignments__status=AssignmentStatus.SUBMITTED)
            ),
        )
        .order_by("-review_due_at", "-pk")
    )


# What messages and pages say ----------------------------------------------------------


def reviewer_email_context(assignment: Assignment, *, institution: str | None = None) -> dict:
    """What every email to a reviewer about ``assignment`` says (``institution``: its label,
    when the caller has worked it out for many at once)."""
    review_round = assignment.round
    return {
        "assignment": assignment,
        "reviewer": assignment.reviewer,
        "round": review_round,
        "institution": institution or institution_label(review_round, assignment.submission),
        "stage_number": assignment.submission.stage_number,
        "path": assignment.get_absolute_url(),
    }


def review_missing(review: Review) -> list[str]:
    """What a review still lacks before it can be submitted."""
    scores = list(review.scores.all())  # prefetched with their themes by the callers
    missing = [f"A score for {score.theme}" for score in scores if score.level_id is None]
    missing += [f"A comment on {score.theme}" for score in scores if not score.comment]
    for name in ("strengths", "areas_to_develop", "recommendations"):
        if not getattr(review, name):
            missing.append(Review._meta.get_field(name).verbose_name.capitalize())
    if review.suggested_outcome_id is None:
        missing.append("A suggested outcome")
    return missing


def feedback_missing(feedback: Feedback) -> list[str]:
    """What the feedback still lacks before it can be marked ready or released."""
    missing = []
    if feedback.outcome_id is None:
        missing.append("the overall outcome")
    if not feedback.summary:
        missing.append("the overall judgement")
    if not feedback.strengths:
        missing.append("strengths")
    if not feedback.areas_to_develop:
        missing.append("areas to develop")
    return missing
