"""Every page that edits something already stored, found by walking the URL configuration.

A page that shows a stored value wrongly loses it on the next save (a date rendered in
the wrong format shows as empty, and the save erases it). The round-trip test opens each
edit page in Chromium, saves it without touching anything and checks that nothing stored
changed. So that a new edit page cannot be forgotten, ``edit_like_routes`` picks out
every route that looks like it edits (by its name, its view's name or its view class),
and the test of the registry fails until each is either in ``CASES`` (how to build the
object, who may edit it, which button saves it, how to read it back) or in ``EXCLUDED``
with the reason it needs no round trip.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver
from django.views.generic.edit import BaseUpdateView, FormView, ProcessFormView

from action_plans import services as plan_services
from action_plans.deadlines import uk_datetime
from action_plans.enums import (
    ActionStatus,
    DatePrecision,
    OffsetDirection,
    OffsetUnit,
    ReminderMilestone,
    ReminderTemplate,
    VoiceMethod,
)
from action_plans.models import (
    Action,
    DueDateExtension,
    Milestone,
    RatingLevel,
    ReminderRule,
    SubmissionRound,
)
from core.models import Theme
from organisations.enums import OrganisationKind, OrganisationType, Region
from organisations.models import Cohort, Organisation
from reviews import services as review_services
from reviews.models import Feedback, Outcome, ReviewerProfile
from tests.action_plans.builders import (
    announced_organisation,
    lead_of,
    started,
    submitted,
)
from tests.browser.sign_in import with_known_totp
from tests.factories import StaffFactory, UserFactory
from tests.reviews import builders as review_builders

# ---------------------------------------------------------------------------------------
# Finding the edit pages.

# Words in a route's name, or its view's name, that mark a page changing something stored.
EDIT_WORDS = re.compile(
    r"edit|update|change|details|settings|extend|save|profile|review|feedback|moderat"
    r"|assessment|theme|previous|password|email|transition|progress|reopen|assign(?!ment)"
    r"|withdraw|decline|invite|import|conflict"
)
# Keyword arguments that name a stored object.
OBJECT_KWARGS = {"pk", "id", "slug", "object_id", "uuid", "number", "submission", "theme"}


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or the route itself when it has no name
    route: str
    view_name: str
    view_class: type | None
    kwargs: frozenset[str]


def all_routes(resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""):
    """Every URL pattern of the project, nested includes flattened."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from all_routes(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            view = entry.callback
            kwargs = set(entry.pattern.regex.groupindex) | set(entry.default_args)
            yield Route(
                name=name or route,
                route=route,
                view_name=getattr(view, "__name__", ""),
                view_class=getattr(view, "view_class", None),
                kwargs=frozenset(kwargs),
            )


def _is_form_class(view_class) -> bool:
    return view_class is not None and issubclass(
        view_class, (BaseUpdateView, FormView, ProcessFormView)
    )


def is_edit_like(route: Route) -> bool:
    if route.name.split(":")[0] in EXCLUDED_NAMESPACES:
        return False
    bare = route.name.rsplit(":", 1)[-1]
    if EDIT_WORDS.search(bare) or EDIT_WORDS.search(route.view_name):
        return True
    return _is_form_class(route.view_class) and bool(route.kwargs & OBJECT_KWARGS)


def edit_like_routes() -> list[Route]:
    return [route for route in all_routes() if is_edit_like(route)]


# ---------------------------------------------------------------------------------------
# Reading what is stored.

# Stamped by every save, changed or not: not part of what the person wrote.
IGNORED_FIELDS = {"updated_at", "updated_by", "version", "last_login"}


def _value(field, obj):
    value = field.value_from_object(obj)
    if isinstance(field, models.FileField):
        return value.name
    return value


def row(obj) -> dict:
    """Every stored column of ``obj`` (and its many-to-many links), bar the save stamps."""
    values = {
        field.attname: _value(field, obj)
        for field in obj._meta.concrete_fields
        if field.name not in IGNORED_FIELDS
    }
    for field in obj._meta.many_to_many:
        values[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    return values


def stored(obj) -> dict:
    """``obj`` read afresh, with the rows that belong to it (one level down: an action's
    milestones, a review's scores, the feedback's theme paragraphs)."""
    fresh = type(obj)._default_manager.get(pk=obj.pk)
    snapshot = {"": row(fresh)}
    for relation in fresh._meta.related_objects:
        if relation.many_to_many or relation.on_delete is not models.CASCADE:
            continue
        accessor = relation.get_accessor_name()
        if relation.one_to_one:
            child = getattr(fresh, accessor, None)  # None when it has none
            snapshot[accessor] = row(child) if child is not None else None
        else:
            snapshot[accessor] = [row(c) for c in getattr(fresh, accessor).order_by("pk")]
    return snapshot


# ---------------------------------------------------------------------------------------
# Realistic values: apostrophes, accents, quotes, long and multi-line text, dates.

# Longer than 200 characters, as real plans' titles are.
TITLE = (
    "Name technicians on every research paper, grant and Queen’s Anniversary Prize entry at "
    "King's College — with “technical contributor” credits agreed with the Faculté des "
    "Sciences and São Paulo partners, and reported to Senate and the Technical Board"
)
TEXT = (
    "Technicians told us they're invisible in our reports.\n"
    "We'll ask each department to name them: café managers, Zoë's glass-blowing studio "
    "& the “cleanroom” team.\n\n"
    "Reviewed by the Technical Board each December."
)


@dataclass
class Opened:
    """An edit page ready to open: who opens it, where, the button that saves it, and
    how to read back what it edits."""

    user: object
    path: str
    button: str
    read: Callable[[], object]
    within: str | None = None  # the id of the element that holds the form, on a long page
    # An unchanged post is refused: the form starts with empty required fields (it records
    # something new about the object rather than showing a stored value).
    refused: bool = False


def lead_with_stage(number: int = 1):
    organisation = announced_organisation(
        name="Université de Saint-Étienne & King's Partners", short_name="St-Étienne/KP"
    )
    lead = lead_of(organisation)
    if number == 1:
        return organisation, lead, started(organisation, lead)
    submitted(organisation, lead)
    return organisation, lead, started(organisation, lead, number)


def rich_action(submission, lead) -> Action:
    themes = list(Theme.objects.filter(is_active=True)[:2])
    action = plan_services.action_add(
        actor=lead,
        submission=submission,
        themes=themes,
        title=TITLE,
        description=TEXT,
        owner="Director of Technical Services (Ruairí O'Connor)",
        success_measures="90% of papers credit technicians.\nReported to Senate each year.",
        starts_on=date(2025, 10, 1),
        target_on=date(2027, 12, 11),
        status=ActionStatus.IN_PROGRESS,
    )
    Milestone.objects.create(
        action=action,
        position=1,
        label="Proposal agreed by Senate",
        due_on=date(2026, 1, 31),
        precision=DatePrecision.MONTH,
    )
    return action


def _action_by_month(submission, lead) -> Action:
    """An action whose target is known only to the month ("by January 2028")."""
    action = rich_action(submission, lead)
    Action.objects.filter(pk=action.pk).update(
        target_on=date(2028, 1, 31), target_precision=DatePrecision.MONTH
    )
    return action


def action_edit_page() -> Opened:
    _, lead, submission = lead_with_stage()
    action = rich_action(submission, lead)
    return Opened(
        lead,
        f"{submission.get_absolute_url()}actions/{action.pk}/",
        "Save the action",
        lambda: stored(action),
    )


def action_by_month_edit_page() -> Opened:
    _, lead, submission = lead_with_stage()
    action = _action_by_month(submission, lead)
    return Opened(
        lead,
        f"{submission.get_absolute_url()}actions/{action.pk}/",
        "Save the action",
        lambda: stored(action),
    )


def self_assessment_section() -> Opened:
    _, lead, submission = lead_with_stage()
    assessment = submission.self_assessment
    plan_services.self_assessment_save(
        actor=lead,
        submission=submission,
        version=assessment.version,
        lead_name="Siobhán O'Brien-Nuñez",
        lead_email="s.obrien@st-etienne.example.ac.uk",
        lead_phone="+44 (0)20 7946 0958",
        profile=TEXT,
        technician_definition="Anyone whose role is mainly technical — “the people who make "
        "research happen”.",
        technician_count=1342,
        position_before="Technicians weren't named.\nNo career pathway existed.",
        progress_since="A network of 300.\n\nTwo promotions a year.",
    )
    return Opened(
        lead, submission.get_absolute_url(), "Save the self-assessment", lambda: stored(assessment)
    )


def theme_section() -> Opened:
    _, lead, submission = lead_with_stage()
    assessment = submission.theme_assessments.select_related("theme").first()
    plan_services.theme_assessment_save(
        actor=lead,
        assessment=assessment,
        version=assessment.version,
        narrative=TEXT,
        rating=RatingLevel.objects.order_by("value").last(),
    )
    return Opened(
        lead,
        submission.get_absolute_url(),
        f"Save {assessment.theme.name}",
        lambda: stored(assessment),
        within=f"theme-{assessment.theme.slug}",
    )


def previous_action_section() -> Opened:
    _, lead, submission = lead_with_stage(2)
    review = submission.previous_action_reviews.first()
    plan_services.previous_action_review_save(
        actor=lead, review=review, version=review.version, outcome="dropped", note=TEXT
    )
    return Opened(
        lead,
        submission.get_absolute_url(),
        "Save",
        lambda: stored(review),
        within=f"previous-{review.pk}",
    )


def voice_evidence_edit_page() -> Opened:
    _, lead, submission = lead_with_stage()
    evidence = plan_services.voice_evidence_add(
        actor=lead,
        submission=submission,
        method=VoiceMethod.OTHER,
        method_other="Walk-round “listening” visits",
        held_on=date(2025, 3, 1),
        participants=180,
        description=TEXT,
        what_changed="Career pathways came first.\nThen the apprentices' scheme.",
    )
    return Opened(
        lead,
        f"{submission.get_absolute_url()}voice/{evidence.pk}/",
        "Save the evidence",
        lambda: stored(evidence),
    )


def extension_page() -> Opened:
    organisation, lead, submission = lead_with_stage()
    staff = with_known_totp(StaffFactory())
    # An extension already agreed: the form records a new one (its fields start empty),
    # and posting it blank must neither add one nor touch this.
    DueDateExtension.objects.create(
        organisation=organisation,
        stage_number=1,
        due_at=uk_datetime(date(2026, 3, 31), time(17, 0)),
        reason="Agreed with the Vice-Chancellor's office.",
        approved_by=staff,
    )
    return Opened(
        staff,
        f"/organisations/{organisation.slug}/stages/1/extend/",
        "Extend",
        lambda: (stored(organisation), stored(submission)),
        refused=True,
    )


def public_details_page() -> Opened:
    organisation, lead, _ = lead_with_stage()
    Organisation.objects.filter(pk=organisation.pk).update(
        contact_name="Siobhán O'Brien-Nuñez",
        contact_role="Head of Technical Services (Faculté des Sciences)",
        tc_page_url="https://www.example.ac.uk/research/technician-commitment/?lang=fr#plan",
    )
    return Opened(
        lead,
        f"/organisations/{organisation.slug}/public-details/",
        "Save the public details",
        lambda: stored(organisation),
    )


def organisation_details_page() -> Opened:
    cohort, _ = Cohort.objects.get_or_create(
        name="November 2017", defaults={"starts_on": date(2017, 11, 1)}
    )
    organisation = announced_organisation(
        name="Queen's University Belfast — Faculté d'Études",
        short_name="QUB",
        kind=OrganisationKind.SIGNATORY,
        org_type=OrganisationType.UNIVERSITY,
        region=Region.NORTHERN_IRELAND,
        website="https://www.example.ac.uk/",
        head_name="Professor Ian Greer",
        head_title="President & Vice-Chancellor",
        head_email="vc@example.ac.uk",
        latitude=Decimal("54.58440"),
        longitude=Decimal("-5.93390"),
        cohort=cohort,
    )
    staff = with_known_totp(StaffFactory())
    return Opened(
        staff,
        f"/staff/organisations/{organisation.slug}/edit/",
        "Save",
        lambda: stored(organisation),
    )


def reminder_rule_page() -> Opened:
    rule = ReminderRule.objects.create(
        name="Overdue — monthly, to the lead & the head's office",
        amount=2,
        unit=OffsetUnit.WEEK,
        direction=OffsetDirection.AFTER,
        milestone=ReminderMilestone.DUE,
        repeat_every_months=1,
        kind=OrganisationKind.SIGNATORY,
        to_leads=True,
        to_head=True,
        to_itss=False,
        template=ReminderTemplate.OVERDUE,
        is_active=False,
    )
    staff = with_known_totp(StaffFactory())
    return Opened(staff, f"/staff/reminders/{rule.pk}/", "Save the rule", lambda: stored(rule))


def review_world():
    """A submitted Stage 1 in a round, with a lead reviewer and one other, both accepted."""
    staff = with_known_totp(StaffFactory(name="Alex Morgan"))
    review_round = review_builders.review_round(name="Autumn 2025 — “Round B”")
    submission = review_builders.submitted_stage("University of Saint-Étienne")
    ana = with_known_totp(review_builders.reviewer(name="Ana Ruiz-O'Neill", themes=["visibility"]))
    ben = with_known_totp(review_builders.reviewer(name="Ben Cole", themes=["recognition"]))
    assignments = review_builders.assign(
        review_round, submission, [ana, ben], lead=ana, staff=staff
    )
    return staff, review_round, submission, {a.reviewer: a for a in assignments}


def review_draft_page() -> Opened:
    _, _, _, assignments = review_world()
    assignment = next(a for a in assignments.values() if a.is_lead)
    assignment = review_builders.write_review(assignment, level=2, submit=False)
    review = assignment.review
    review_services.review_save(
        actor=assignment.reviewer,
        assignment=assignment,
        version=review.version,
        scores={s.theme_id: (s.level, TEXT) for s in review.scores.select_related("level")},
        strengths=TEXT,
        areas_to_develop="Milestones aren't dated.\nSome actions have no owner.",
        recommendations="Name a “technician champion” in each faculty.",
        suggested_outcome=Outcome.objects.order_by("pk").last(),
    )
    return Opened(
        assignment.reviewer,
        f"/reviews/assignments/{assignment.pk}/",
        "Save draft",
        lambda: stored(assignment.review),
    )


def _feedback(staff, review_round, submission, assignments) -> Feedback:
    for assignment in assignments.values():
        review_builders.write_review(assignment, level=3)
    feedback = review_services.feedback_start(
        actor=staff, review_round=review_round, submission=submission
    )
    review_services.feedback_save(
        actor=staff,
        feedback=feedback,
        version=feedback.version,
        outcome=Outcome.objects.order_by("pk").first(),
        summary=TEXT,
        strengths="Clear owners.\nDated milestones.",
        areas_to_develop="The technicians' voice could be louder.",
        recommendations="Publish the plan in Welsh as well — “Cynllun Gweithredu”.",
        themes={
            row.theme_id: f"On {row.theme.name}: it's strong.\nKeep going."
            for row in feedback.themes.select_related("theme")
        },
    )
    return feedback


def moderation_page() -> Opened:
    staff, review_round, submission, assignments = review_world()
    feedback = _feedback(staff, review_round, submission, assignments)
    return Opened(
        staff,
        f"/staff/review-rounds/{review_round.pk}/submissions/{submission.pk}/",
        "Save the feedback",
        lambda: stored(feedback),
    )


def lead_feedback_page() -> Opened:
    staff, review_round, submission, assignments = review_world()
    feedback = _feedback(staff, review_round, submission, assignments)
    lead_assignment = next(a for a in assignments.values() if a.is_lead)
    return Opened(
        lead_assignment.reviewer,
        f"/reviews/assignments/{lead_assignment.pk}/feedback/",
        "Save the feedback",
        lambda: stored(feedback),
    )


def review_round_page() -> Opened:
    staff = with_known_totp(StaffFactory())
    review_round = review_builders.review_round(
        name="Spring 2026 — King's “B” round",
        review_due_at=uk_datetime(date(2026, 5, 29), time(16, 30)),
        team_size=4,
        respond_within_days=10,
        show_institution=False,
    )
    # Another round's submission round, which this one cannot take.
    SubmissionRound.objects.create(
        name="January 2026", deadline=uk_datetime(date(2026, 1, 30), time(17, 0))
    )
    return Opened(
        staff,
        f"/staff/review-rounds/{review_round.pk}/edit/",
        "Save the settings",
        lambda: stored(review_round),
    )


def reviewer_profile_page() -> Opened:
    staff = with_known_totp(StaffFactory())
    employer = announced_organisation(name="Université Côte d'Azur")
    user = review_builders.reviewer(
        organisation=employer, themes=["visibility", "sustainability"], capacity=3, active=False
    )
    ReviewerProfile.objects.filter(user=user).update(
        job_title="Head of Technical Services — Faculty of Science & Engineering"
    )
    profile = ReviewerProfile.objects.get(user=user)
    return Opened(
        staff, f"/staff/reviewers/{user.pk}/", "Save the profile", lambda: stored(profile)
    )


def password_page() -> Opened:
    user = UserFactory(name="Siobhán O'Brien")
    return Opened(
        user, "/accounts/password/change/", "Change Password", lambda: stored(user), refused=True
    )


def email_page() -> Opened:
    user = UserFactory(name="Siobhán O'Brien")
    return Opened(user, "/accounts/email/", "Make Primary", lambda: stored(user))


@dataclass(frozen=True)
class Case:
    build: Callable[[], Opened]
    # pytest marks for this case (an xfail naming a known defect).
    marks: tuple = ()


CASES: dict[str, Case] = {
    "action_plans:action_edit": Case(action_edit_page),
    "action_plans:self_assessment": Case(self_assessment_section),
    "action_plans:theme": Case(theme_section),
    "action_plans:previous": Case(previous_action_section),
    "action_plans:voice_edit": Case(voice_evidence_edit_page),
    "action_plans:extend": Case(extension_page),
    "action_plans:reminder_rule_edit": Case(reminder_rule_page),
    "organisations:public_details": Case(public_details_page),
    "organisations:organisation_edit": Case(organisation_details_page),
    "reviews:profile_edit": Case(reviewer_profile_page),
    "reviews:round_edit": Case(review_round_page),
    "reviews:review": Case(review_draft_page),
    "reviews:moderate": Case(moderation_page),
    "reviews:lead_feedback": Case(lead_feedback_page),
    "account_change_password": Case(password_page),
    "account_email": Case(email_page),
}

# Pages that edit something in a way of their own, beyond one case per route.
EXTRA_CASES: dict[str, Case] = {
    "action_plans:action_edit (target by month)": Case(action_by_month_edit_page),
}

# Whole namespaces left out, and why.
EXCLUDED_NAMESPACES = {
    # Django's own admin: its forms render and parse dates in one format of their own, and
    # no one edits the portal's records there in the ordinary course (the audit trail is
    # read-only there).
    "admin": "Django's admin",
}

# Routes that look like edits but need no round trip, each with the reason.
EXCLUDED: dict[str, str] = {
    # They record something new; no stored value is shown in a field to be lost.
    "action_plans:reminder_rule_add": "creates a rule",
    "action_plans:progress": "records a new progress update",
    "action_plans:reopen": "a transition; its only field is the reason, typed afresh",
    "organisations:organisation_transition": (
        "onboarding steps: each records a new date and note (meeting, signed form, "
        "announcement) rather than editing a stored one"
    ),
    "organisations:import_upload": "uploads a new file",
    "organisations:import_confirm": "confirms an upload; no fields",
    "organisations:invitation_create": "creates an invitation",
    "reviews:assign": "proposes and confirms a new team",
    "reviews:round_assign": "confirms the proposed teams; no fields",
    "reviews:withdraw": "a transition; its only field is the reason, typed afresh",
    "reviews:decline": "a transition; its only field is the reason, typed afresh",
    "reviews:conflicts": "declares a new conflict",
    "reviews:conflict_remove": "removes a conflict; no fields",
    "reviews:release": "a transition without fields",
    "reviews:resume": "a transition without fields",
    "reviews:reopen": "a transition; its only field is the reason, typed afresh",
    "reviews:declare_conflict": "declares a new conflict in reply to an invitation",
    "reviews:feedback_ready": "a transition without fields",
    # The review form saved as the reviewer types: the same form as ``reviews:review``,
    # whose case round-trips it; test_edit_round_trip.py also saves a draft through it.
    "reviews:review_draft": "the review form's own autosave",
    # They show what is stored but edit nothing.
    "reviews:feedback": "the institution reads released feedback",
    "reviews:feedback_pdf": "a PDF",
    # allauth's pages where nothing stored is shown in a field: a password or code is typed
    # afresh, or a link from an email is followed.
    "account_set_password": "only for an account without a password (none has one)",
    "account_reset_password": "asks for an address and sends a link",
    "account_reset_password_done": "a confirmation page",
    "account_reset_password_from_key": "a new password typed afresh, from an emailed link",
    "account_reset_password_from_key_done": "a confirmation page",
    "account_confirm_email": "confirms an emailed key; no fields",
    "account_email_verification_sent": "a confirmation page",
    # A button with no fields: it only asks for a PDF that went missing to be made again.
    "reviews:feedback_report_prepare": "asks for the feedback's PDF again; no fields",
}
