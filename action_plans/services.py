"""Changes to submissions. One function per verb; each runs in a transaction.

Every change to a submission's content first locks the submission row and
checks it is still being written, so a change can never slip in beside the
submit that freezes it. Each section carries a version: a save that started
from an older version is refused with ``EditConflict`` and changes nothing.
"""

import hashlib
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from core.exceptions import ApplicationError, NotPermitted
from core.models import Theme
from core.services import activity_record, email_send, instance_validate, transition_apply
from core.uploads import safe_filename, validate_attachment
from organisations.models import Organisation

from . import packs, periods, selectors
from .enums import (
    PREVIOUS_OUTCOMES,
    SUBMISSION_TRANSITIONS,
    ActionStatus,
    DatePrecision,
    SubmissionStatus,
)
from .models import (
    Action,
    ActionUpdate,
    Attachment,
    DueDateExtension,
    Milestone,
    PreviousActionReview,
    SelfAssessment,
    Submission,
    SubmissionRound,
    ThemeAssessment,
    VoiceEvidence,
)
from .rules import is_lead_of_submitting_organisation, is_member_of_submitting_organisation

S = SubmissionStatus


class SubmissionFrozen(ApplicationError):
    """The submission was submitted: its content can no longer change."""


class EditConflict(ApplicationError):
    """Someone else saved the same section since this person opened it."""


def _uk(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%-d %B %Y at %H:%M")


# What those refused are told. A permission (``action_plans.rules`` and
# ``Submission.Meta.rules_permissions``) that holds for the person's role but not for the
# submission's state is explained by the state instead.
TEAM_ONLY = "Only the organisation's own team can change its submission."
LEAD_ONLY = "Only the organisation's institutional lead can do this."
STAFF_ONLY = "Only ITSS staff can do this."


def _authorise(actor, permission: str, obj=None, *, refusal: str) -> None:
    """Refuse with ``refusal`` unless ``actor`` holds ``action_plans.<permission>`` on
    ``obj``: the same rule the pages ask before offering the form."""
    if not actor.has_perm(f"action_plans.{permission}", obj):
        raise NotPermitted(refusal)


def _lock_editable(submission: Submission, actor) -> Submission:
    """Lock the submission row and make sure ``actor`` may still change its content."""
    locked = (
        Submission.objects.select_for_update().select_related("organisation").get(pk=submission.pk)
    )
    if not actor.has_perm("action_plans.edit_submission", locked):
        if not is_member_of_submitting_organisation(actor, locked):
            raise NotPermitted(TEAM_ONLY)
        raise SubmissionFrozen(
            f"Stage {locked.stage_number} was submitted on {_uk(locked.submitted_at)} and can "
            "no longer be changed."
        )
    return locked


def _validated(instance, *, exclude: Iterable[str] = ()) -> None:
    instance_validate(instance, exclude=exclude, validate_unique=False)


def _save_section(section, *, actor, version: int, values: dict):
    """Write ``values`` to ``section`` if nobody saved it since ``version``.

    Returns the section as stored; raises EditConflict (naming who saved, and
    when) if the stored version moved on, changing nothing."""
    model = type(section)
    candidate = model.objects.get(pk=section.pk)
    for name, value in values.items():
        setattr(candidate, name, value)
    _validated(candidate, exclude=["submission", "action", "theme"])
    now = timezone.now()
    written = model.objects.filter(pk=section.pk, version=version).update(
        version=F("version") + 1, updated_by=actor, updated_at=now, **values
    )
    stored = model.objects.select_related("updated_by").get(pk=section.pk)
    if not written:
        who = stored.updated_by.name if stored.updated_by else "Someone"
        raise EditConflict(
            f"{who} saved this section at {timezone.localtime(stored.updated_at):%H:%M on %-d %B} "
            "while you were editing it. Your version is below and has not been saved: compare "
            "it with theirs, then save again.",
            extra={"current": stored},
        )
    return stored


# Starting a stage.


@transaction.atomic
def submission_start(*, actor, organisation: Organisation, stage_number: int) -> Submission:
    """Open the current stage for writing.

    Side effects: creates the submission with its self-assessment (lead details
    and narrative carried over from the previous stage, if any), one theme
    assessment per active theme and, from Stage 2 on, one entry per action of
    the previous plan to say what became of it; logs the start."""
    _authorise(actor, "start_stage", organisation, refusal=TEAM_ONLY)
    Organisation.objects.select_for_update().get(pk=organisation.pk)
    stages = selectors.organisation_stages(organisation)
    if not stages:
        raise ApplicationError("Stages are scheduled once the organisation has been announced.")
    current = stages[-1]
    if stage_number != current.number or current.submission is not None:
        raise ApplicationError(f"Stage {stage_number} cannot be started now.")
    submission = Submission.objects.create(
        organisation=organisation, stage_number=stage_number, started_by=actor
    )
    previous = (
        Submission.objects.filter(organisation=organisation, stage_number=stage_number - 1)
        .select_related("self_assessment")
        .first()
    )
    carried = getattr(previous, "self_assessment", None) if previous else None
    SelfAssessment.objects.create(
        submission=submission,
        updated_by=actor,
        lead_name=carried.lead_name if carried else organisation.lead_name,
        lead_email=carried.lead_email if carried else organisation.lead_email,
        lead_phone=carried.lead_phone if carried else "",
        profile=carried.profile if carried else "",
        technician_definition=carried.technician_definition if carried else "",
        technician_count=carried.technician_count if carried else None,
        position_before=carried.position_before if carried else "",
    )
    ThemeAssessment.objects.bulk_create(
        ThemeAssessment(submission=submission, theme=theme, updated_by=actor)
        for theme in selectors.themes_in_use()
    )
    if previous is not None:
        PreviousActionReview.objects.bulk_create(
            PreviousActionReview(submission=submission, action=action, updated_by=actor)
            for action in previous.actions.all()
        )
    activity_record(
        subject=organisation, actor=actor, verb="stage started", note=f"Stage {stage_number}."
    )
    return submission


# Sections.


@transaction.atomic
def self_assessment_save(
    *, actor, submission: Submission, version: int, **values
) -> SelfAssessment:
    _lock_editable(submission, actor)
    unknown = set(values) - set(SelfAssessment.WRITTEN_FIELDS)
    if unknown:
        raise ApplicationError(f"Unknown fields: {', '.join(sorted(unknown))}")
    too_long = selectors.profile_too_long(values.get("profile", ""))
    if too_long:
        raise ApplicationError(too_long)
    return _save_section(submission.self_assessment, actor=actor, version=version, values=values)


@transaction.atomic
def theme_assessment_save(
    *, actor, assessment: ThemeAssessment, version: int, narrative: str, rating
) -> ThemeAssessment:
    _lock_editable(assessment.submission, actor)
    return _save_section(
        assessment, actor=actor, version=version, values={"narrative": narrative, "rating": rating}
    )


# A milestone: what is due ("Proposal") and by when.
MilestoneIn = tuple[str, periods.Period]
MAX_MILESTONES = 12


def _action_values(values: dict, themes: Iterable[Theme], *, precision: str) -> list[Theme]:
    """Check an action's values and themes; a target date becomes the last day of its
    period (``precision`` unless the values give one), as every target is stored."""
    unknown = set(values) - set(Action.WRITTEN_FIELDS)
    if unknown:
        raise ApplicationError(f"Unknown fields: {', '.join(sorted(unknown))}")
    themes = list(themes)
    if not themes:
        raise ApplicationError("Choose at least one theme the action advances.")
    precision = values.get("target_precision", precision)
    if precision not in DatePrecision.values:
        raise ApplicationError(
            "Choose how precise the target date is: a day, month, quarter or year."
        )
    if values.get("target_on"):
        values["target_on"] = periods.period_end(values["target_on"], precision)
    return themes


def milestones_check(
    milestones: Iterable[MilestoneIn], *, starts_on, target: periods.Period | None
) -> list[MilestoneIn]:
    """The milestones, labels trimmed, or ApplicationError naming the first that does not
    fit: unnamed, too long, before the action starts or after its target."""
    checked = [(label.strip(), when) for label, when in milestones]
    if len(checked) > MAX_MILESTONES:
        raise ApplicationError(
            f"An action can have up to {MAX_MILESTONES} milestones; this one has {len(checked)}."
        )
    limit = Milestone._meta.get_field("label").max_length
    for label, when in checked:
        if not label:
            raise ApplicationError(f"Say what is due by {when}: each milestone needs a name.")
        if len(label) > limit:
            raise ApplicationError(
                f"The milestone “{label[:60]}…” is {len(label)} characters long; "
                f"the limit is {limit}."
            )
        if target is not None and when.on > target.on:
            raise ApplicationError(
                f"The milestone “{label}” (by {when}) falls after the action's target "
                f"(by {target})."
            )
        if starts_on and when.on < starts_on:
            raise ApplicationError(
                f"The milestone “{label}” (by {when}) falls before the action starts "
                f"({starts_on:%-d %B %Y})."
            )
    return checked


def _milestones_write(action: Action, milestones: list[MilestoneIn]) -> None:
    """Make ``milestones`` the action's, in order. A milestone that did not change keeps
    its row; one that moved or changed is updated in place; those left over go."""
    existing = list(Milestone.objects.filter(action=action).order_by("position", "id"))
    for position, (label, when) in enumerate(milestones, start=1):
        values = {"label": label, "due_on": when.on, "precision": when.precision}
        row = existing[position - 1] if position <= len(existing) else None
        if row is None:
            Milestone.objects.create(action=action, position=position, **values)
        elif (row.position, row.label, row.due_on, row.precision) != (position, *values.values()):
            Milestone.objects.filter(pk=row.pk).update(position=position, **values)
    Milestone.objects.filter(pk__in=[row.pk for row in existing[len(milestones) :]]).delete()


@transaction.atomic
def action_add(
    *,
    actor,
    submission: Submission,
    themes: Iterable[Theme],
    milestones: Iterable[MilestoneIn] = (),
    **values,
) -> Action:
    """Add an action at the end of the plan, with its themes and milestones."""
    locked = _lock_editable(submission, actor)
    themes = _action_values(values, themes, precision=DatePrecision.DAY)
    last = locked.actions.aggregate(last=Max("position"))["last"]
    action = Action(submission=locked, position=(last or 0) + 1, updated_by=actor, **values)
    _validated(action, exclude=["submission", "carried_from"])
    milestones = milestones_check(milestones, starts_on=action.starts_on, target=action.target)
    action.save()
    action.themes.set(themes)
    _milestones_write(action, milestones)
    return action


@transaction.atomic
def action_save(
    *,
    actor,
    action: Action,
    version: int,
    themes: Iterable[Theme],
    milestones: Iterable[MilestoneIn] | None = None,
    **values,
) -> Action:
    """Save an action as the lead edited it. ``milestones`` replace the action's own
    (None leaves them as they are); refused whole if any of it does not fit."""
    _lock_editable(action.submission, actor)
    themes = _action_values(values, themes, precision=action.target_precision)
    stored = _save_section(action, actor=actor, version=version, values=values)
    if milestones is None:
        milestones = [(m.label, m.when) for m in stored.milestones.all()]
    milestones = milestones_check(milestones, starts_on=stored.starts_on, target=stored.target)
    stored.themes.set(themes)
    _milestones_write(stored, milestones)
    return stored


@transaction.atomic
def action_remove(*, actor, action: Action) -> None:
    _lock_editable(action.submission, actor)
    Action.objects.filter(pk=action.pk).delete()


@transaction.atomic
def action_move(*, actor, action: Action, offset: int) -> list[Action]:
    """Move an action ``offset`` places up (negative) or down the plan; positions
    are renumbered 1, 2, 3... Returns the plan in its new order."""
    locked = _lock_editable(action.submission, actor)
    ordered = list(locked.actions.order_by("position", "id"))
    index = next((i for i, a in enumerate(ordered) if a.pk == action.pk), None)
    if index is None:
        raise ApplicationError("This action is no longer in the plan.")
    target = min(max(index + offset, 0), len(ordered) - 1)
    ordered.insert(target, ordered.pop(index))
    changed = []
    for position, item in enumerate(ordered, start=1):
        if item.position != position:
            item.position = position
            changed.append(item)
    Action.objects.bulk_update(changed, ["position"])
    return ordered


@transaction.atomic
def previous_action_review_save(
    *, actor, review: PreviousActionReview, version: int, outcome: str, note: str
) -> PreviousActionReview:
    """Record what became of an action of the previous plan.

    Side effect: an action marked “carried over” is copied into this stage's
    plan (once), ready to be revised there: all its lead wrote (dates, target and
    milestones included) and its themes, as in progress."""
    locked = _lock_editable(review.submission, actor)
    if outcome not in PREVIOUS_OUTCOMES:
        raise ApplicationError("Choose what became of the action.")
    stored = _save_section(
        review, actor=actor, version=version, values={"outcome": outcome, "note": note}
    )
    previous = stored.action
    if (
        outcome == ActionStatus.CARRIED_OVER
        and not locked.actions.filter(carried_from=previous).exists()
    ):
        last = locked.actions.aggregate(last=Max("position"))["last"]
        written = {name: getattr(previous, name) for name in Action.WRITTEN_FIELDS}
        copy = Action.objects.create(
            submission=locked,
            position=(last or 0) + 1,
            carried_from=previous,
            updated_by=actor,
            **{**written, "status": ActionStatus.IN_PROGRESS},
        )
        copy.themes.set(previous.themes.all())
        _milestones_write(copy, [(m.label, m.when) for m in previous.milestones.all()])
    return stored


def _check_evidence_values(values: dict) -> None:
    unknown = set(values) - set(VoiceEvidence.WRITTEN_FIELDS)
    if unknown:
        raise ApplicationError(f"Unknown fields: {', '.join(sorted(unknown))}")
    if values.get("method") == "other" and not values.get("method_other", "").strip():
        raise ApplicationError("Say which other method was used.")
    held_on = values.get("held_on")
    if held_on and held_on > timezone.localdate():
        raise ApplicationError("The date cannot be in the future: record what has happened.")


@transaction.atomic
def voice_evidence_add(*, actor, submission: Submission, **values) -> VoiceEvidence:
    locked = _lock_editable(submission, actor)
    _check_evidence_values(values)
    evidence = VoiceEvidence(submission=locked, updated_by=actor, **values)
    _validated(evidence, exclude=["submission"])
    evidence.save()
    return evidence


@transaction.atomic
def voice_evidence_save(*, actor, evidence: VoiceEvidence, version: int, **values) -> VoiceEvidence:
    _lock_editable(evidence.submission, actor)
    _check_evidence_values(values)
    return _save_section(evidence, actor=actor, version=version, values=values)


@transaction.atomic
def voice_evidence_remove(*, actor, evidence: VoiceEvidence) -> None:
    _lock_editable(evidence.submission, actor)
    for attachment in evidence.attachments.all():
        _attachment_delete(attachment)
    evidence.delete()


# Attachments.


@transaction.atomic
def attachment_add(
    *, actor, submission: Submission, upload, evidence: VoiceEvidence | None = None
) -> Attachment:
    """Store one uploaded file, judged by its content, within the per-file and
    per-submission caps, under a random name; the sanitised name is kept for display."""
    locked = _lock_editable(submission, actor)
    if evidence is not None and evidence.submission_id != locked.pk:
        raise ApplicationError("That evidence belongs to another submission.")
    try:
        kind = validate_attachment(upload, max_bytes=settings.ATTACHMENT_MAX_BYTES)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages)) from exc
    used = sum(locked.attachments.values_list("size", flat=True))
    cap = settings.SUBMISSION_ATTACHMENTS_MAX_BYTES
    if used + upload.size > cap:
        raise ApplicationError(
            f"Attachments to one submission may total {filesizeformat(cap)}; "
            f"{filesizeformat(used)} is used, and this file is {filesizeformat(upload.size)}."
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        submission=locked,
        evidence=evidence,
        name=safe_filename(upload.name or "", kind),
        kind=kind,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    attachment.file.save(attachment.name, upload, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


def _attachment_delete(attachment: Attachment) -> None:
    name, storage = attachment.file.name, attachment.file.storage
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def attachment_remove(*, actor, attachment: Attachment) -> None:
    _lock_editable(attachment.submission, actor)
    _attachment_delete(attachment)


# Submitting, reopening, publishing.


@transaction.atomic
def submission_submit(*, actor, submission: Submission, confirmed: bool) -> Submission:
    """Freeze the submission and record when, by whom and its content hash.

    Side effects: refuses while anything is missing or unconfirmed; stamps the
    due date in force (so lateness is kept even if the date moves later); logs
    the step on the organisation; emails the ITSS team after commit; after commit,
    asks for the PDF pack of the submitted content (a failure there is logged and
    does not undo the submission)."""
    locked = _lock_editable(submission, actor)
    _authorise(actor, "submit_submission", locked, refusal=LEAD_ONLY)
    if not confirmed:
        raise ApplicationError("Confirm that the submission is complete and ready for review.")
    full = selectors.submission_for_editing(locked)
    missing = selectors.submission_missing(full)
    if missing:
        raise ApplicationError("The submission is not complete yet: " + " ".join(missing))
    stage = selectors.stage_of(locked.organisation, locked.stage_number)
    now = timezone.now()
    submitted = transition_apply(
        instance=locked,
        to_status=S.SUBMITTED,
        allowed=SUBMISSION_TRANSITIONS,
        actor=actor,
        verb="submitted",
        note=f"Stage {locked.stage_number}.",
        changes={
            "submitted_at": now,
            "submitted_by": actor,
            "due_at_submission": stage.due_at if stage else None,
            "content_hash": selectors.submission_hash(full),
        },
    )
    activity_record(
        subject=locked.organisation,
        actor=actor,
        verb="stage submitted",
        note=f"Stage {locked.stage_number}" + (" (late)." if submitted.is_late else "."),
    )
    email_send(
        to=[settings.ITSS_TEAM_EMAIL],
        template="action_plans/submitted",
        context={"submission": submitted, "organisation": locked.organisation},
        about=submitted,
    )
    transaction.on_commit(lambda: packs.pack_request(submission=submitted, user=actor), robust=True)
    _published_plan_pdf_request(locked.organisation)  # a published stage submitted again
    return submitted


class UnderReview(ApplicationError):
    """The submission is with its peer reviewers: reopening it must take them off first."""


@transaction.atomic
def submission_reopen(
    *, actor, submission: Submission, reason: str, reviewers_withdrawn: bool = False
) -> Submission:
    """Staff unfreeze a submission so the organisation can change it; it must be
    submitted again. A published plan is taken down until then.

    A submission in peer review is reopened only by ``reviews.services.submission_reopen``,
    which first takes the reviewers off their open assignments and then calls this with
    ``reviewers_withdrawn=True``; called otherwise, it refuses (``UnderReview``), so nobody
    goes on reviewing a submission its organisation is changing.

    Side effects: logs the reopening on the submission (with the reason) and on the
    organisation."""
    if not reason.strip():
        raise ApplicationError("Give the reason for reopening the submission.")

    def reviewers_off(locked: Submission) -> None:
        # Asked of the locked row, once the transition table has said it is submitted.
        _authorise(actor, "reopen_submission", locked, refusal=STAFF_ONLY)
        if locked.status == S.IN_REVIEW and not reviewers_withdrawn:
            raise UnderReview(
                f"Stage {locked.stage_number} is with its peer reviewers: reopen it from the "
                "review round, which takes the reviewers off their open reviews first."
            )

    reopened = transition_apply(
        instance=submission,
        to_status=S.IN_PROGRESS,
        allowed=SUBMISSION_TRANSITIONS,
        actor=actor,
        verb="reopened",
        note=reason.strip(),
        changes={"published_at": None, "published_by": None, "content_hash": ""},
        guard=reviewers_off,
    )
    activity_record(
        subject=reopened.organisation,
        actor=actor,
        verb="stage reopened",
        note=f"Stage {reopened.stage_number}: {reason.strip()}",
    )
    return reopened


# Peer review moves a submission on only through these two (``reviews`` calls them).


@transaction.atomic
def submission_start_review(*, actor, submission: Submission, note: str = "") -> Submission:
    """A submitted stage goes to its peer reviewers (submitted → in review): when staff
    assign its first team, or resume its review after it was reopened and submitted again.

    Side effects: locks the row and checks the transition table; logs the step on the
    submission with ``note`` (the review round)."""
    _authorise(actor, "start_review", submission, refusal=STAFF_ONLY)
    return transition_apply(
        instance=submission,
        to_status=S.IN_REVIEW,
        allowed=SUBMISSION_TRANSITIONS,
        actor=actor,
        verb="review started",
        note=note,
    )


@transaction.atomic
def submission_release_feedback(*, actor, submission: Submission, note: str = "") -> Submission:
    """The peer review's feedback is released to the organisation (in review → feedback
    released). Refuses a stage that is not in review (reopened, or submitted again and
    not yet back with its reviewers), saying what to do.

    Side effects: locks the row and checks the transition table; logs the step on the
    submission with ``note`` (the outcome)."""
    _authorise(actor, "release_feedback", submission, refusal=STAFF_ONLY)
    # Said before the transition table would refuse with a bare "cannot be done".
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    if locked.status == S.IN_PROGRESS:
        raise ApplicationError(
            f"Stage {locked.stage_number} was reopened and is with the organisation: its "
            "feedback waits until it is submitted again and reviewed."
        )
    if locked.status == S.SUBMITTED:
        raise ApplicationError(
            f"Stage {locked.stage_number} was submitted again after reopening: resume its "
            "review before releasing the feedback."
        )
    return transition_apply(
        instance=locked,
        to_status=S.FEEDBACK_RELEASED,
        allowed=SUBMISSION_TRANSITIONS,
        actor=actor,
        verb="feedback released",
        note=note,
    )


@transaction.atomic
def submission_publish(*, actor, submission: Submission) -> Submission:
    """Show the submitted action plan on the organisation's public page."""
    locked = (
        Submission.objects.select_for_update().select_related("organisation").get(pk=submission.pk)
    )
    if not actor.has_perm("action_plans.publish_submission", locked):
        if not is_lead_of_submitting_organisation(actor, locked):
            raise NotPermitted(LEAD_ONLY)
        if locked.status == S.IN_PROGRESS:
            raise ApplicationError("Submit the plan before publishing it.")
        raise ApplicationError("This plan is already published.")
    locked.published_at = timezone.now()
    locked.published_by = actor
    locked.save(update_fields=["published_at", "published_by", "updated_at"])
    activity_record(
        subject=locked.organisation,
        actor=actor,
        verb="plan published",
        note=f"Stage {locked.stage_number}.",
    )
    _published_plan_pdf_request(locked.organisation)
    return locked


@transaction.atomic
def action_progress_record(*, actor, action: Action, status: str, note: str) -> ActionUpdate:
    """Record progress on an action of a submitted plan; earlier entries are kept."""
    submission = Submission.objects.select_related("organisation").get(pk=action.submission_id)
    if not actor.has_perm("action_plans.record_progress", submission):
        if not is_member_of_submitting_organisation(actor, submission):
            raise NotPermitted(TEAM_ONLY)
        raise ApplicationError(
            "Progress is recorded once the plan is submitted; until then, edit the action."
        )
    if status not in ActionStatus.values:
        raise ApplicationError("Choose the action's status.")
    update = ActionUpdate.objects.create(
        action=action, status=status, note=note.strip(), recorded_by=actor
    )
    _published_plan_pdf_request(submission.organisation)
    return update


def _published_plan_pdf_request(organisation: Organisation) -> None:
    """The public PDF of the organisation's published plan shows what changed: asked for
    once this commits (a failure to ask is logged; the page says none is available)."""
    transaction.on_commit(
        lambda: packs.published_plan_pdf_request(organisation=organisation), robust=True
    )


# Deadlines.


@transaction.atomic
def due_date_extend(
    *, actor, organisation: Organisation, stage_number: int, due_at: datetime, reason: str
) -> DueDateExtension:
    """Move one organisation's due date for one stage, recording why and who agreed."""
    _authorise(actor, "extend_due_date", organisation, refusal=STAFF_ONLY)
    if not reason.strip():
        raise ApplicationError("Give the reason for the extension.")
    stage = selectors.stage_of(organisation, stage_number)
    if stage is None:
        raise ApplicationError(f"{organisation} has not reached Stage {stage_number}.")
    if stage.is_submitted:
        raise ApplicationError(f"Stage {stage_number} is already submitted.")
    if due_at <= timezone.now():
        raise ApplicationError("The new due date must be in the future.")
    extension = DueDateExtension.objects.create(
        organisation=organisation,
        stage_number=stage_number,
        due_at=due_at,
        reason=reason.strip(),
        approved_by=actor,
    )
    activity_record(
        subject=organisation,
        actor=actor,
        verb="due date extended",
        note=f"Stage {stage_number} now due {_uk(due_at)}: {reason.strip()}",
    )
    return extension


# Submission rounds.


@transaction.atomic
def submission_round_create(
    *, actor, name: str, deadline: datetime, kind: str = ""
) -> SubmissionRound:
    """Add a dated round; stages whose window contains it fall due at its deadline."""
    _authorise(actor, "manage_rounds", refusal=STAFF_ONLY)
    submission_round = SubmissionRound(name=name.strip(), deadline=deadline, kind=kind)
    instance_validate(submission_round)
    submission_round.save()
    activity_record(subject=submission_round, actor=actor, verb="round added", note=name)
    return submission_round


@transaction.atomic
def submission_round_remove(*, actor, submission_round: SubmissionRound) -> None:
    """Remove a round. Stages that fell due at it move to another round or their window's end;
    submissions already made keep the due date they were submitted against."""
    _authorise(actor, "manage_rounds", refusal=STAFF_ONLY)
    activity_record(
        subject=submission_round, actor=actor, verb="round removed", note=submission_round.name
    )
    submission_round.delete()
