"""Demo submission cycles: dated rounds, demo organisations with stages behind them, a
signatory lapsed for never submitting, and the reminders of the day.

Everything is written through the services, as a lead would in the browser;
only the submission and publication times are then set back to plausible
dates in the past, since the services stamp the present."""

from datetime import date, time, timedelta

from django.db import transaction
from django.utils import timezone

from action_plans import deadlines, periods, selectors, services
from action_plans.enums import ActionStatus, DatePrecision, VoiceMethod
from action_plans.lapsing import organisation_lapsing
from action_plans.models import RatingLevel, Submission, SubmissionRound
from action_plans.reminders import reminders_send_due
from core.delivery import email_deliver
from core.enums import EmailStatus
from core.models import OutboundEmail, Theme
from core.services import email_record_bounce
from organisations import services as org_services
from organisations.enums import OnboardingStatus
from organisations.models import Organisation

ROUND_TIME = time(17, 0)

# Example actions under each theme, in the shape published plans use.
ACTIONS = {
    "visibility": [
        ("Name every technician on departmental web pages", "Heads of department"),
        ("Credit technical contributions in research outputs", "Research Office"),
    ],
    "recognition": [
        ("Fund professional registration fees for technicians", "Technical Services Board"),
        ("Add a technician category to the annual staff awards", "Human Resources"),
    ],
    "career-development": [
        ("Publish technical career pathways with example roles", "Human Resources"),
        ("Guarantee two days of training a year for every technician", "Technical Managers"),
    ],
    "sustainability": [
        ("Start a technical apprenticeship scheme", "Technical Services Board"),
        ("Record skills at risk in each department's succession plan", "Heads of department"),
    ],
}

# Demo organisations (by short name) and how far through their cycle they are:
# "up to date": every stage due so far is submitted (the latest published);
# "writing": as above, and the current stage has been started;
# "overdue": the latest stage due so far was never submitted.
HISTORIES = {
    "Nottingham": "writing",
    "Edinburgh": "up to date",
    "Imperial": "overdue",
    "RSC": "up to date",
}


def _rounds() -> None:
    """January and September rounds at 17:00 UK time, from the scheme's early years on."""
    for year in range(2018, timezone.localdate().year + 4):
        for month, day in ((1, 31), (9, 30)):
            deadline = deadlines.uk_datetime(date(year, month, day), ROUND_TIME)
            SubmissionRound.objects.get_or_create(
                deadline=deadline, defaults={"name": f"{deadline:%B %Y}"}
            )


def _write(submission: Submission, lead, *, starts: date, fully: bool = True) -> None:
    organisation = submission.organisation
    assessment = submission.self_assessment
    services.self_assessment_save(
        actor=lead,
        submission=submission,
        version=assessment.version,
        lead_name=lead.name,
        lead_email=lead.email,
        lead_phone="0115 951 5151",
        profile=(
            f"{organisation.name} employs technicians in teaching laboratories, research "
            "facilities, workshops and digital services. Our technical community works across "
            "every faculty and supports both research and education."
        ),
        technician_definition=(
            "Anyone whose role is mainly to provide technical skills and expertise, whatever "
            "their grade or job title."
        ),
        technician_count=180 + 40 * submission.stage_number,
        position_before="Technicians were rarely named in reports and had no career framework.",
        progress_since=(
            "A technician network meets monthly, and technicians sit on the main committees."
        ),
    )
    ratings = list(RatingLevel.objects.all())
    for index, theme_assessment in enumerate(submission.theme_assessments.all()):
        services.theme_assessment_save(
            actor=lead,
            assessment=theme_assessment,
            version=theme_assessment.version,
            narrative=(
                f"Our self-assessment for {theme_assessment.theme.name.lower()}: what we do "
                "now, the evidence for it, and the gaps technicians told us about."
            ),
            rating=ratings[min(index % 3 + submission.stage_number - 1, len(ratings) - 1)],
        )
    for review in submission.previous_action_reviews.all():
        services.previous_action_review_save(
            actor=lead,
            review=review,
            version=review.version,
            outcome=ActionStatus.DONE if review.action.position % 3 else ActionStatus.CARRIED_OVER,
            note="Reported to the Technical Services Board.",
        )
    themes = {t.slug: t for t in Theme.objects.filter(is_active=True)}
    for number, (slug, title, owner) in enumerate(
        (slug, title, owner)
        for slug, examples in ACTIONS.items()
        for title, owner in examples[: 2 if fully else 1]
    ):
        if slug not in themes or submission.actions.filter(title=title).exists():
            continue
        # Targets as plans give them: "by December 2027", "by 2028", a quarter or a day.
        precision = TARGET_PRECISIONS[number % len(TARGET_PRECISIONS)]
        services.action_add(
            actor=lead,
            submission=submission,
            themes=[themes[slug]],
            title=title,
            owner=owner,
            description=(
                "Agreed with the technician network.\n"
                "Each department names who does it, and by when."
            ),
            success_measures=(
                "Reported each year to the Technical Services Board.\n"
                "Technicians asked in the annual survey whether it made a difference."
            ),
            starts_on=starts,
            target_on=starts + timedelta(days=730),
            target_precision=precision,
            milestones=_milestones(starts) if number % 2 == 0 else [],
        )
    if fully:
        services.voice_evidence_add(
            actor=lead,
            submission=submission,
            method=VoiceMethod.SURVEY,
            held_on=min(starts, timezone.localdate()) - timedelta(days=60),
            participants=140,
            description="An all-technician survey in the spring.\nThen two open meetings to test "
            "what it found.",
            what_changed="Career pathways became the first priority of the plan.",
        )


TARGET_PRECISIONS = (
    DatePrecision.MONTH,
    DatePrecision.YEAR,
    DatePrecision.QUARTER,
    DatePrecision.DAY,
)


def _milestones(starts: date) -> list[tuple[str, periods.Period]]:
    """A proposal six months in and a pilot in the following year's quarter."""
    return [
        ("Proposal agreed", periods.period(starts + timedelta(days=180), DatePrecision.MONTH)),
        (
            "Pilot in two departments",
            periods.period(starts + timedelta(days=450), DatePrecision.QUARTER),
        ),
    ]


def _backdate(submission: Submission, due_at) -> None:
    submitted_at = due_at - timedelta(days=6)
    Submission.objects.filter(pk=submission.pk).update(
        submitted_at=submitted_at, published_at=submitted_at + timedelta(days=20)
    )


def _history(organisation: Organisation, lead, history: str) -> None:
    now = timezone.now()
    while True:
        stages = selectors.organisation_stages(organisation)
        current = stages[-1] if stages else None
        if current is None or current.due_at > now:
            break
        upcoming = deadlines.stages(
            selectors.policies_by_kind()[organisation.kind],
            announced_on=organisation.announced_on,
            round_deadlines=selectors.round_deadlines_by_kind()[organisation.kind],
            count=current.number + 1,
        )[-1]
        if history == "overdue" and upcoming.due_at > now:
            return  # leave the latest stage due so far unsubmitted
        submission = services.submission_start(
            actor=lead, organisation=organisation, stage_number=current.number
        )
        _write(submission, lead, starts=current.opens_on)
        submission = services.submission_submit(actor=lead, submission=submission, confirmed=True)
        submission = services.submission_publish(actor=lead, submission=submission)
        _backdate(submission, current.due_at)
        for action in submission.actions.all()[:3]:
            services.action_progress_record(
                actor=lead,
                action=action,
                status=ActionStatus.IN_PROGRESS if action.position % 2 else ActionStatus.DONE,
                note="Reported to the technician network at its last meeting.",
            )
    if history == "writing" and current is not None:
        submission = services.submission_start(
            actor=lead, organisation=organisation, stage_number=current.number
        )
        _write(submission, lead, starts=current.opens_on, fully=False)


@transaction.atomic
def seed_cycles() -> None:
    """Create the demo rounds and histories. Running it again changes nothing."""
    _rounds()
    for short_name, history in HISTORIES.items():
        organisation = Organisation.objects.filter(short_name=short_name).first()
        if organisation is None or organisation.submissions.exists():
            continue
        lead = organisation.memberships.filter(role="lead").select_related("user").first()
        if lead is not None:
            _history(organisation, lead.user, history)


# A signatory whose Stage 1 has long been overdue, lapsed by staff as the scheme would;
# the other long-overdue signatories stay flagged as lapsing for staff to decide.
LAPSED = "Sanger"


def seed_lapse(staff) -> None:
    organisation = Organisation.objects.filter(
        short_name=LAPSED, status=OnboardingStatus.ACTIVE
    ).first()
    if organisation is None or organisation_lapsing(organisation) is None:
        return
    org_services.organisation_lapse(
        actor=staff,
        organisation=organisation,
        note="No Stage 1 submission; agreed with the head of organisation after two reminders.",
    )


def seed_reminders() -> None:
    """Today's reminders, as the daily sweep would send them (again: nothing), and one
    bounce report, so staff see both in the outbox."""
    reminders_send_due()
    # Delivered here rather than by a worker that may not be running yet.
    for email in OutboundEmail.objects.filter(status=EmailStatus.QUEUED):
        email_deliver(email=email)
    overdue = (
        OutboundEmail.objects.filter(template="reminders/escalation")
        .exclude(message_id="")
        .order_by("pk")
        .first()
    )
    if overdue is not None and not OutboundEmail.objects.filter(status=EmailStatus.BOUNCED):
        email_record_bounce(
            message_id=overdue.message_id,
            reason="550 5.1.1 The email account that you tried to reach does not exist.",
        )
