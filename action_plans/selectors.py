"""Reads of submission cycles: where each organisation stands, what is missing, what is public."""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.rules import is_itss_staff
from core.models import Theme
from organisations.enums import OnboardingStatus
from organisations.models import Organisation

from . import deadlines
from .enums import DatePrecision, StageState, SubmissionStatus
from .models import (
    Action,
    ActionUpdate,
    CyclePolicy,
    DueDateExtension,
    PreviousActionReview,
    RatingLevel,
    SelfAssessment,
    Submission,
    SubmissionRound,
    ThemeAssessment,
    VoiceEvidence,
)

# Organisations that owe stages: announced (the clock starts at the announcement).
SCHEDULED_STATUSES = (OnboardingStatus.ANNOUNCED, OnboardingStatus.ACTIVE)


@dataclass
class StageView:
    """One stage of one organisation, as the dashboard and reminders see it."""

    number: int
    opens_on: date
    closes_on: date
    scheduled_due_at: datetime
    from_round: bool
    extension: DueDateExtension | None
    submission: Submission | None
    now: datetime = field(repr=False)

    @property
    def due_at(self) -> datetime:
        return deadlines.effective_due(
            self.scheduled_due_at, self.extension.due_at if self.extension else None
        )

    @property
    def state(self) -> str:
        return self.submission.status if self.submission else StageState.NOT_STARTED

    @property
    def state_label(self) -> str:
        return StageState(self.state).label

    @property
    def is_submitted(self) -> bool:
        return self.state not in (StageState.NOT_STARTED, StageState.IN_PROGRESS)

    @property
    def days_left(self) -> int:
        return deadlines.days_left(self.due_at, now=self.now)

    @property
    def is_open(self) -> bool:
        return deadlines.uk_date(self.now) >= self.opens_on

    @property
    def is_overdue(self) -> bool:
        return not self.is_submitted and deadlines.is_overdue(self.due_at, now=self.now)


def policies_by_kind() -> dict[str, deadlines.Policy]:
    return {p.kind: p.as_policy() for p in CyclePolicy.objects.all()}


def round_deadlines_by_kind() -> dict[str, list[datetime]]:
    """Each kind's round deadlines (a round with no kind serves both)."""
    rounds = list(SubmissionRound.objects.values_list("kind", "deadline"))
    return {
        kind: [deadline for round_kind, deadline in rounds if round_kind in ("", kind)]
        for kind in ("signatory", "supporter")
    }


def organisation_stages(
    organisation: Organisation,
    *,
    now: datetime | None = None,
    policies: dict | None = None,
    rounds: dict | None = None,
    submissions: list[Submission] | None = None,
    extensions: list[DueDateExtension] | None = None,
) -> list[StageView]:
    """Every stage up to the current one: the stages already submitted, then the
    first one that is not (the current stage). Empty before the announcement.

    The keyword arguments let a caller that handles many organisations pass
    what it fetched once for all of them."""
    now = now or timezone.now()
    if organisation.announced_on is None or organisation.status not in SCHEDULED_STATUSES:
        return []
    policy = (policies if policies is not None else policies_by_kind()).get(organisation.kind)
    if policy is None:
        return []
    if submissions is None:
        submissions = list(organisation.submissions.all())
    if extensions is None:
        extensions = list(organisation.extensions.select_related("approved_by"))
    round_list = (rounds if rounds is not None else round_deadlines_by_kind())[organisation.kind]
    by_number = {s.stage_number: s for s in submissions}
    latest_extension: dict[int, DueDateExtension] = {}
    for extension in sorted(extensions, key=lambda e: (e.created_at, e.pk)):
        latest_extension[extension.stage_number] = extension
    count = 1
    while by_number.get(count) and by_number[count].status != SubmissionStatus.IN_PROGRESS:
        count += 1
    return [
        StageView(
            number=dates.number,
            opens_on=dates.opens_on,
            closes_on=dates.closes_on,
            scheduled_due_at=dates.due_at,
            from_round=dates.from_round,
            extension=latest_extension.get(dates.number),
            submission=by_number.get(dates.number),
            now=now,
        )
        for dates in deadlines.stages(
            policy, announced_on=organisation.announced_on, round_deadlines=round_list, count=count
        )
    ]


def current_stages(
    organisations: list[Organisation], *, now: datetime | None = None
) -> dict[int, StageView]:
    """The current stage (the first not yet submitted) of each of ``organisations`` that
    owes one, by organisation id. Four queries however many organisations are given."""
    now = now or timezone.now()
    policies = policies_by_kind()
    rounds = round_deadlines_by_kind()
    ids = [o.pk for o in organisations]
    submissions: dict[int, list[Submission]] = {pk: [] for pk in ids}
    for submission in Submission.objects.filter(organisation_id__in=ids).order_by():
        submissions[submission.organisation_id].append(submission)
    extensions: dict[int, list[DueDateExtension]] = {pk: [] for pk in ids}
    for extension in DueDateExtension.objects.filter(organisation_id__in=ids).order_by():
        extensions[extension.organisation_id].append(extension)
    current = {}
    for organisation in organisations:
        stages = organisation_stages(
            organisation,
            now=now,
            policies=policies,
            rounds=rounds,
            submissions=submissions[organisation.pk],
            extensions=extensions[organisation.pk],
        )
        if stages:
            current[organisation.pk] = stages[-1]
    return current


def stage_of(organisation: Organisation, number: int) -> StageView | None:
    """The stage ``number`` of ``organisation`` if it has been reached, else None."""
    for stage in organisation_stages(organisation):
        if stage.number == number:
            return stage
    return None


def themes_in_use() -> QuerySet[Theme]:
    return Theme.objects.filter(is_active=True)


def actions_with_current_status(actions: QuerySet[Action] | None = None) -> QuerySet[Action]:
    """``actions`` annotated with ``current_status``: the status of the latest progress
    recorded on each, or the status it was planned with when none has been."""
    latest = ActionUpdate.objects.filter(action=OuterRef("pk")).order_by("-recorded_at", "-id")
    actions = Action.objects.all() if actions is None else actions
    return actions.annotate(
        current_status=Coalesce(Subquery(latest.values("status")[:1]), F("status"))
    )


def _actions_with_progress() -> QuerySet[Action]:
    """Actions with their current status, themes, milestones and progress history (newest
    first): everything the one partial that shows an action reads."""
    return actions_with_current_status().prefetch_related(
        "themes",
        "milestones",
        Prefetch("updates", queryset=ActionUpdate.objects.select_related("recorded_by")),
    )


def submissions_in_full() -> QuerySet[Submission]:
    """Submissions with everything their pages show, in a fixed number of queries."""
    return Submission.objects.select_related(
        "organisation", "self_assessment", "submitted_by", "published_by", "started_by"
    ).prefetch_related(
        Prefetch(
            "theme_assessments",
            queryset=ThemeAssessment.objects.select_related("theme", "rating", "updated_by"),
        ),
        Prefetch("actions", queryset=_actions_with_progress().select_related("updated_by")),
        Prefetch(
            "previous_action_reviews",
            queryset=PreviousActionReview.objects.select_related("action").prefetch_related(
                "action__themes", "action__milestones"
            ),
        ),
        "voice_evidence__attachments",
        "attachments__uploaded_by",
    )


def submission_for_editing(submission: Submission) -> Submission:
    """``submission`` with everything its pages show, in a fixed number of queries."""
    return submissions_in_full().get(pk=submission.pk)


def word_count(text: str) -> int:
    return len(text.split())


def profile_too_long(profile: str) -> str:
    """Why ``profile`` is over the template's word limit, or "" when it is not."""
    words, limit = word_count(profile), settings.PROFILE_WORD_LIMIT
    if words > limit:
        return f"The organisation profile has {words} words; the limit is {limit}."
    return ""


def submission_missing(submission: Submission, *, themes: list[Theme] | None = None) -> list[str]:
    """What must still be done before ``submission`` can be submitted, in plain words.

    Expects a submission from ``submission_for_editing`` (nothing more is queried
    but the active themes)."""
    missing = []
    organisation = submission.organisation
    assessment = getattr(submission, "self_assessment", None)
    limit = settings.PROFILE_WORD_LIMIT
    if assessment is None or not assessment.profile.strip():
        missing.append("Write the organisation profile.")
    elif word_count(assessment.profile) > limit:
        missing.append(f"Shorten the organisation profile to {limit} words or fewer.")
    if assessment is None or not assessment.lead_name or not assessment.lead_email:
        missing.append("Give the institutional lead's name and email in the self-assessment.")
    themes = list(themes_in_use()) if themes is None else themes
    by_theme = {a.theme_id: a for a in submission.theme_assessments.all()}
    actions = list(submission.actions.all())
    for theme in themes:
        done = by_theme.get(theme.pk)
        if done is None or not done.narrative.strip() or done.rating_id is None:
            missing.append(f"Assess the theme “{theme.name}”: a narrative and a rating.")
        if not any(theme in action.themes.all() for action in actions):
            missing.append(f"Add at least one action for the theme “{theme.name}”.")
    if not submission.voice_evidence.all():
        missing.append("Record how technicians' voices shaped the plan (technician voice).")
    unreviewed = [r for r in submission.previous_action_reviews.all() if not r.outcome]
    if unreviewed:
        missing.append(
            f"Say what became of {len(unreviewed)} action"
            f"{'s' if len(unreviewed) > 1 else ''} of the previous plan."
        )
    if not organisation.tc_page_url:
        missing.append("Give the address of your public Technician Commitment web page.")
    if not (organisation.contact_name and organisation.contact_email):
        missing.append("Name your public point of contact, with an email address.")
    return missing


def _plain(value):
    """A written value as the content hash holds it: a date in ISO form, a rating by its
    value, anything else as it is."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, RatingLevel):
        return value.value
    return value


def _written(section, names) -> dict:
    """What a person wrote in ``section``: each of ``names`` (its model's
    ``WRITTEN_FIELDS``), as plain data."""
    return {name: _plain(getattr(section, name)) for name in names}


def submission_content(submission: Submission) -> dict:
    """Everything a submission says, as plain data in a fixed order (what the hash covers).

    Each section's written fields are its model's ``WRITTEN_FIELDS``; what is added beside
    them (the theme, an action's themes, attachments) is named here."""
    assessment = getattr(submission, "self_assessment", None)
    return {
        "organisation": submission.organisation.slug,
        "stage": submission.stage_number,
        "self_assessment": (
            _written(assessment, SelfAssessment.WRITTEN_FIELDS)
            if assessment
            else dict.fromkeys(SelfAssessment.WRITTEN_FIELDS)
        ),
        "themes": [
            {"theme": a.theme.slug, **_written(a, ThemeAssessment.WRITTEN_FIELDS)}
            for a in submission.theme_assessments.all()
        ],
        "actions": [_action_content(a) for a in submission.actions.all()],
        "previous_actions": [
            {"action": r.action.title, **_written(r, PreviousActionReview.WRITTEN_FIELDS)}
            for r in submission.previous_action_reviews.all()
        ],
        "technician_voice": [
            {
                **_written(e, VoiceEvidence.WRITTEN_FIELDS),
                "attachments": sorted(a.sha256 for a in e.attachments.all()),
            }
            for e in submission.voice_evidence.all()
        ],
        "attachments": sorted(a.sha256 for a in submission.attachments.all()),
    }


def _action_content(action: Action) -> dict:
    """An action as the content hash holds it: its written fields, its themes and its
    milestones. The precision of its target and its milestones are left out at their
    defaults (a day, none), so the fingerprints of stages submitted before targets had a
    precision still match their content."""
    content = {
        **_written(action, Action.WRITTEN_FIELDS),
        "themes": sorted(t.slug for t in action.themes.all()),
    }
    if action.target_precision == DatePrecision.DAY:
        del content["target_precision"]
    milestones = [
        {"label": m.label, "due_on": m.due_on.isoformat(), "precision": m.precision}
        for m in action.milestones.all()
    ]
    if milestones:
        content["milestones"] = milestones
    return content


def submission_hash(submission: Submission) -> str:
    canonical = json.dumps(submission_content(submission), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def submissions_visible_to(*, user) -> QuerySet[Submission]:
    """The submissions ``user`` may open: staff all, members their organisations' own."""
    if is_itss_staff(user):
        return Submission.objects.all()
    if not user.is_authenticated:
        return Submission.objects.none()
    return Submission.objects.filter(organisation__memberships__user=user).distinct()


def published_plan(organisation: Organisation) -> Submission | None:
    """The newest published submission of ``organisation``, with its actions by theme and
    each action's latest progress, or None."""
    return (
        organisation.submissions.filter(published_at__isnull=False)
        .exclude(status=SubmissionStatus.IN_PROGRESS)
        .prefetch_related(Prefetch("actions", queryset=_actions_with_progress()))
        .order_by("-stage_number")
        .first()
    )


def actions_by_theme(actions, themes) -> list[tuple[Theme, list[Action]]]:
    """Group ``actions`` under each of ``themes`` (an action with two themes shows under both)."""
    return [(theme, [a for a in actions if theme in a.themes.all()]) for theme in themes]


def plan_by_theme(actions, themes) -> list[tuple[Theme, list[tuple[int, Action]]]]:
    """``actions_by_theme`` with each action's number in the plan (its place in
    ``actions``), the same under every theme it is listed under."""
    actions = list(actions)
    numbers = {action.pk: number for number, action in enumerate(actions, start=1)}
    return [
        (theme, [(numbers[action.pk], action) for action in in_theme])
        for theme, in_theme in actions_by_theme(actions, themes)
    ]
