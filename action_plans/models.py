import uuid
from datetime import time

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from rules.contrib.models import RulesModelBase, RulesModelMixin

from accounts.rules import is_itss_staff
from core.models import ScaleStep, Theme, TimeStampedModel
from core.storage import private_storage
from core.uploads import FileKind
from organisations.enums import OrganisationKind
from organisations.models import Organisation

from . import deadlines, periods
from .enums import (
    ActionStatus,
    DatePrecision,
    OffsetDirection,
    OffsetUnit,
    PackDocument,
    PackStatus,
    ReminderMilestone,
    ReminderTemplate,
    SubmissionStatus,
    VoiceMethod,
)
from .rules import (
    is_being_written,
    is_lead_of_submitting_organisation,
    is_member_of_submitting_organisation,
    is_published,
    is_submitted,
)


class CyclePolicy(models.Model):
    """When an organisation of one kind owes its stages. Data, so staff can change the cadence."""

    kind = models.CharField(max_length=12, choices=OrganisationKind.choices, unique=True)
    opens_after_months = models.PositiveSmallIntegerField(
        help_text="The first stage's window opens this many months after the announcement."
    )
    closes_after_months = models.PositiveSmallIntegerField(
        help_text="The first stage's window closes this many months after the announcement."
    )
    repeat_every_months = models.PositiveSmallIntegerField(
        default=36,
        help_text="Each later stage is due this many months after the previous stage's due date.",
    )
    later_window_months = models.PositiveSmallIntegerField(
        default=6, help_text="A later stage's window opens this many months before it is due."
    )
    deadline_time = models.TimeField(
        default=time(17, 0), help_text="UK time of day a due date falls when no round applies."
    )

    class Meta:
        verbose_name_plural = "cycle policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_after_months__gte=models.F("opens_after_months")),
                name="cycle_window_closes_after_opening",
                violation_error_message="The window cannot close before it opens.",
            ),
            models.CheckConstraint(
                condition=Q(repeat_every_months__gt=models.F("later_window_months")),
                name="cycle_later_window_within_interval",
                violation_error_message="A later stage's window must be shorter than the interval.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} cycle"

    def as_policy(self) -> deadlines.Policy:
        return deadlines.Policy(
            opens_after_months=self.opens_after_months,
            closes_after_months=self.closes_after_months,
            repeat_every_months=self.repeat_every_months,
            later_window_months=self.later_window_months,
            deadline_time=self.deadline_time,
        )


class SubmissionRound(TimeStampedModel):
    """A dated deadline that stages falling due around it share (e.g. January, 17:00 UK)."""

    name = models.CharField(max_length=80, unique=True)
    deadline = models.DateTimeField(unique=True)
    kind = models.CharField(
        "for",
        max_length=12,
        choices=OrganisationKind.choices,
        blank=True,
        help_text="Leave empty for a round both signatories and supporters use.",
    )

    class Meta:
        ordering = ["deadline"]

    def __str__(self):
        return self.name


class RatingLevel(ScaleStep):
    """One step of the self-assessment rating scale (data: the scheme may change it)."""


class DueDateExtension(models.Model):
    """A due date moved for one organisation's stage, with why and who agreed.

    The newest row for an organisation and stage is the one in force; older
    rows stay as the history."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="extensions"
    )
    stage_number = models.PositiveSmallIntegerField()
    due_at = models.DateTimeField("new due date")
    reason = models.TextField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "stage_number", "-created_at"])]

    def __str__(self):
        return f"{self.organisation} stage {self.stage_number} to {self.due_at:%Y-%m-%d}"


class Submission(RulesModelMixin, TimeStampedModel, metaclass=RulesModelBase):
    """One organisation's self-assessment and action plan for one stage.

    Its object permissions are declared in ``Meta.rules_permissions``, by their full
    names (``action_plans.<name>``); views, templates and services all ask for them."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="submissions"
    )
    stage_number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    status = models.CharField(
        max_length=20, choices=SubmissionStatus.choices, default=SubmissionStatus.IN_PROGRESS
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The due date in force when it was submitted, and so whether it was late:
    # a fact of that moment, kept even if the due date is moved afterwards.
    due_at_submission = models.DateTimeField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["organisation", "stage_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "stage_number"], name="one_submission_per_stage"
            ),
            models.CheckConstraint(
                condition=Q(status="in_progress") | Q(submitted_at__isnull=False),
                name="submitted_has_time",
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | ~Q(status="in_progress"),
                name="published_only_when_submitted",
            ),
        ]
        rules_permissions = {
            "view_submission": is_itss_staff | is_member_of_submitting_organisation,
            "edit_submission": is_member_of_submitting_organisation & is_being_written,
            "submit_submission": is_lead_of_submitting_organisation & is_being_written,
            "publish_submission": (
                is_lead_of_submitting_organisation & is_submitted & ~is_published
            ),
            "reopen_submission": is_itss_staff & is_submitted,
            "record_progress": is_member_of_submitting_organisation & is_submitted,
            # Peer review moves the stage on; the transition table says from where.
            "start_review": is_itss_staff,
            "release_feedback": is_itss_staff,
        }

    @classmethod
    def get_perm(cls, perm_type):
        """``rules_permissions`` names each permission in full ("record_progress"),
        rather than as a verb the model's name is appended to."""
        return f"{cls._meta.app_label}.{perm_type}"

    def __str__(self):
        return f"{self.organisation} · Stage {self.stage_number}"

    def get_absolute_url(self):
        return reverse(
            "action_plans:submission",
            kwargs={"slug": self.organisation.slug, "number": self.stage_number},
        )

    @property
    def is_late(self) -> bool:
        return bool(
            self.submitted_at
            and self.due_at_submission
            and self.submitted_at > self.due_at_submission
        )

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Section(models.Model):
    """A part of a submission that people save on its own.

    ``version`` goes up by one on every save; a save that starts from an older
    version is refused, so two colleagues never overwrite each other unseen."""

    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True


class SelfAssessment(Section):
    """The published template's narrative part: who leads, who the technicians are, where
    the organisation stood and how far it has come."""

    submission = models.OneToOneField(
        Submission, on_delete=models.CASCADE, primary_key=True, related_name="self_assessment"
    )
    lead_name = models.CharField("institutional lead", max_length=150, blank=True)
    lead_email = models.EmailField("lead's email", blank=True)
    lead_phone = models.CharField("lead's phone", max_length=40, blank=True)
    profile = models.TextField("organisation profile", blank=True)
    technician_definition = models.TextField("your definition of a technician", blank=True)
    technician_count = models.PositiveIntegerField(
        "number of technicians", null=True, blank=True, validators=[MaxValueValidator(1_000_000)]
    )
    position_before = models.TextField("your position before signing", blank=True)
    progress_since = models.TextField("progress since signing", blank=True)

    # What a person writes, in the template's order (the form, the service and the
    # content hash all go by this list; a name added here changes the fingerprint of
    # every stage, so only add what a submitted stage did not have).
    WRITTEN_FIELDS = (
        "lead_name",
        "lead_email",
        "lead_phone",
        "profile",
        "technician_definition",
        "technician_count",
        "position_before",
        "progress_since",
    )

    def __str__(self):
        return f"Self-assessment of {self.submission}"


class ThemeAssessment(Section):
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="theme_assessments"
    )
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="+")
    narrative = models.TextField(blank=True)
    rating = models.ForeignKey(
        RatingLevel, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # What a person writes about the theme (the form, the service and the content hash).
    WRITTEN_FIELDS = ("narrative", "rating")

    class Meta:
        ordering = ["theme__position"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "theme"], name="one_assessment_per_theme")
        ]

    def __str__(self):
        return f"{self.theme} · {self.submission}"


class Action(Section):
    """One line of the action plan."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="actions")
    position = models.PositiveIntegerField(default=0)
    # Real plans' titles run past 200 characters; nothing a lead writes is cut short.
    title = models.CharField("action or objective", max_length=500)
    description = models.TextField(blank=True)
    themes = models.ManyToManyField(Theme, related_name="+")
    owner = models.CharField(max_length=300, help_text="A role or group, e.g. “Technical Board”.")
    success_measures = models.TextField("success measures or outputs", blank=True)
    starts_on = models.DateField("start", null=True, blank=True)
    # The last day of the target's period ("by December 2027" is 31 December 2027), so
    # targets of any precision sort and compare; it is shown as the lead gave it.
    target_on = models.DateField("target date", null=True, blank=True)
    target_precision = models.CharField(
        max_length=8, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_into"
    )

    # What a lead writes, in the plan's order (the form, the services, the copy carried
    # into the next stage, the content hash and the public API all go by this list;
    # themes and milestones are related rows, handled beside it). The form asks for the
    # target (a date and its precision) as one period: TARGET_FIELDS.
    WRITTEN_FIELDS = (
        "title",
        "description",
        "owner",
        "success_measures",
        "starts_on",
        "target_on",
        "target_precision",
        "status",
    )
    TARGET_FIELDS = ("target_on", "target_precision")

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(target_on__isnull=True)
                | Q(target_on__gte=models.F("starts_on")),
                name="action_target_after_start",
                violation_error_message="The target date cannot come before the start.",
            ),
            models.CheckConstraint(
                condition=Q(target_precision__in=DatePrecision.values),
                name="action_target_precision_known",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def target(self) -> periods.Period | None:
        return periods.period(self.target_on, self.target_precision)


class Milestone(models.Model):
    """A dated step on the way to an action's target ("Proposal" by January 2021)."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=300)
    # The last day of its period, as for the action's target.
    due_on = models.DateField()
    precision = models.CharField(
        max_length=8, choices=DatePrecision.choices, default=DatePrecision.DAY
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "position"], name="one_milestone_per_position"
            ),
            models.CheckConstraint(
                condition=Q(precision__in=DatePrecision.values),
                name="milestone_precision_known",
            ),
        ]

    def __str__(self):
        return f"{self.label}: by {self.when}"

    @property
    def when(self) -> periods.Period:
        return periods.period(self.due_on, self.precision)


class PreviousActionReview(Section):
    """What became of one action of the previous stage's plan, recorded in the next stage."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="previous_action_reviews"
    )
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="reviews_later")
    outcome = models.CharField(max_length=20, choices=ActionStatus.choices, blank=True)
    note = models.TextField(blank=True)

    # What a person writes about the previous action (the form, the service, the hash).
    WRITTEN_FIELDS = ("outcome", "note")

    class Meta:
        ordering = ["action__position", "action_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "action"], name="one_review_per_previous_action"
            )
        ]

    def __str__(self):
        return f"{self.action} in {self.submission}"


class ActionUpdate(models.Model):
    """Progress on an action after its plan was submitted; the history is kept."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(max_length=20, choices=ActionStatus.choices)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self):
        return f"{self.action}: {self.get_status_display()}"


class VoiceEvidence(Section):
    """How technicians shaped the plan: one activity, who took part, what it changed."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="voice_evidence"
    )
    method = models.CharField(max_length=24, choices=VoiceMethod.choices)
    method_other = models.CharField("other method", max_length=200, blank=True)
    held_on = models.DateField("when")
    participants = models.PositiveIntegerField(
        "how many took part", validators=[MaxValueValidator(1_000_000)]
    )
    description = models.TextField("what was done")
    what_changed = models.TextField("what changed because of it")

    # What a person writes, in the form's order (the form, the service, the hash).
    WRITTEN_FIELDS = (
        "method",
        "method_other",
        "held_on",
        "participants",
        "description",
        "what_changed",
    )

    class Meta:
        ordering = ["held_on", "id"]
        verbose_name_plural = "technician voice evidence"

    def __str__(self):
        return f"{self.get_method_display()} ({self.held_on:%b %Y})"


def _attachment_path(instance, filename):
    # Stored under a random name: the person's file name is only ever displayed.
    return f"attachments/{instance.submission_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    evidence = models.ForeignKey(
        VoiceEvidence,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(storage=private_storage, upload_to=_attachment_path, max_length=200)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=8, choices=FileKind.choices)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.name


def _pack_path(instance, filename):
    return f"packs/{instance.submission_id}/{uuid.uuid4().hex}.pdf"


class SubmissionPack(TimeStampedModel):
    """The PDF of one submission's content, as it stood when its content hash was taken.

    One pack per (submission, content hash, whether it withholds the name): the same
    content is never rendered twice, and a change of content makes a new pack."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="packs")
    content_hash = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=PackStatus.choices, default=PackStatus.PENDING)
    file = models.FileField(
        storage=private_storage, upload_to=_pack_path, max_length=200, blank=True
    )
    pages = models.PositiveIntegerField(null=True, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rendered_at = models.DateTimeField(null=True, blank=True)
    # Made for reviewers of a round that hides the institution's name: the name, the
    # submitter and the lead's contact details are left out.
    withholds_name = models.BooleanField(default=False)
    # The public PDF of a published plan shows its progress, so it is filed under a
    # fingerprint of the plan and its progress together.
    document = models.CharField(
        max_length=20, choices=PackDocument.choices, default=PackDocument.SUBMISSION
    )
    # While pending: how many times a worker took the pack up to render it, and when the
    # render in progress last said it was alive. A render that stopped saying so died
    # with its worker, and the pack goes back on the queue (rendering.packs_requeue_lost).
    render_attempts = models.PositiveSmallIntegerField(default=0)
    render_alive_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "content_hash", "withholds_name", "document"],
                name="one_pack_per_content",
            ),
        ]

    def __str__(self):
        return f"Pack of {self.submission} ({self.get_status_display()})"


class ReminderRule(TimeStampedModel):
    """When a reminder about a stage's deadline goes out, to whom, in which words.

    Staff edit these; the daily sweep reads them. A rule counts ``amount`` ``unit`` before
    or after a milestone of the stage and, when ``repeat_every_months`` is set, goes out
    again every so many months after that for as long as the stage stays unsubmitted."""

    name = models.CharField(max_length=120, unique=True)
    milestone = models.CharField(
        max_length=20, choices=ReminderMilestone.choices, default=ReminderMilestone.DUE
    )
    amount = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(730)])
    unit = models.CharField(max_length=6, choices=OffsetUnit.choices, default=OffsetUnit.DAY)
    direction = models.CharField(
        max_length=6, choices=OffsetDirection.choices, default=OffsetDirection.BEFORE
    )
    repeat_every_months = models.PositiveSmallIntegerField(
        "repeat every (months)",
        default=0,
        validators=[MaxValueValidator(24)],
        help_text="0 sends it once. Otherwise it goes again every so many months until the "
        "stage is submitted.",
    )
    kind = models.CharField(
        "applies to",
        max_length=12,
        choices=OrganisationKind.choices,
        blank=True,
        help_text="Leave empty for signatories and supporters alike.",
    )
    to_leads = models.BooleanField("institutional leads", default=True)
    to_head = models.BooleanField("head of organisation", default=False)
    to_itss = models.BooleanField("ITSS team", default=False)
    template = models.CharField(max_length=20, choices=ReminderTemplate.choices)
    is_active = models.BooleanField("active", default=True)

    class Meta:
        ordering = ["milestone", "-direction", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(repeat_every_months=0) | Q(direction="after"),
                name="reminder_repeats_only_after",
            ),
            models.CheckConstraint(
                condition=Q(to_leads=True) | Q(to_head=True) | Q(to_itss=True),
                name="reminder_has_recipients",
            ),
        ]

    def __str__(self):
        return self.name


class Reminder(models.Model):
    """One reminder that went out (or was claimed for sending) about one stage.

    The unique constraint is what makes the sweep exactly-once: a second sweep, or a
    retried one, cannot claim the same reminder again. ``anchor_on`` is the milestone
    date it counted from, so a deadline that moves gets its own reminders."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="reminders"
    )
    stage_number = models.PositiveSmallIntegerField()
    rule = models.ForeignKey(ReminderRule, on_delete=models.PROTECT, related_name="reminders")
    anchor_on = models.DateField()
    occurrence = models.PositiveSmallIntegerField(default=0)
    fire_on = models.DateField()
    # The UK date the sweep claimed it: a later reminder never goes out for a date
    # before this one, so a moved deadline does not bring back reminders already overtaken.
    sent_on = models.DateField()
    due_at = models.DateTimeField()
    email = models.ForeignKey(
        "core.OutboundEmail",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "stage_number", "rule", "anchor_on", "occurrence"],
                name="one_reminder_per_rule_and_deadline",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "stage_number"])]

    def __str__(self):
        return f"{self.rule} · {self.organisation} · Stage {self.stage_number} ({self.fire_on})"
