from django import forms
from django.conf import settings
from django.utils import timezone

from core.exceptions import ApplicationError
from core.models import Theme
from core.uploads import attachment_limits_text
from core.widgets import DateInput

from . import deadlines
from .enums import PREVIOUS_OUTCOMES, ActionStatus, DatePrecision, VoiceMethod
from .fields import MilestonesField, PeriodField, milestones_text
from .models import (
    Action,
    RatingLevel,
    ReminderRule,
    SelfAssessment,
    SubmissionRound,
    VoiceEvidence,
)
from .selectors import profile_too_long
from .services import milestones_check


class VersionedForm(forms.Form):
    """Carries the version of the section the person opened, to detect a colleague's save."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class SelfAssessmentForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = SelfAssessment
        fields = list(SelfAssessment.WRITTEN_FIELDS)
        widgets = {
            name: forms.Textarea(attrs={"rows": 5})
            for name in ("profile", "technician_definition", "position_before", "progress_since")
        }
        help_texts = {
            "technician_definition": "Who your organisation counts as a technician.",
            "position_before": "Where things stood for technicians when you signed.",
            "progress_since": "What has changed since you signed (or since your last stage).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = settings.PROFILE_WORD_LIMIT
        profile = self.fields["profile"]
        profile.help_text = f"Up to {limit} words: who you are, and your technical community."
        profile.widget.attrs.update({"data-word-limit": limit})
        self.fields["lead_phone"].widget.attrs["autocomplete"] = "tel"
        self.fields["lead_email"].widget.attrs["autocomplete"] = "email"

    def clean_profile(self):
        profile = self.cleaned_data["profile"]
        too_long = profile_too_long(profile)
        if too_long:
            raise forms.ValidationError(too_long)
        return profile


class ThemeAssessmentForm(VersionedForm):
    narrative = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="What you do under this theme now, and the evidence for it.",
    )
    rating = forms.ModelChoiceField(
        queryset=RatingLevel.objects.all(),
        required=False,
        widget=forms.RadioSelect,
        empty_label=None,
        label="Where you stand",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].label_from_instance = lambda level: (
            f"{level.label}: {level.descriptor}"
        )


class ActionForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
    themes = forms.ModelMultipleChoiceField(
        queryset=Theme.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        help_text="Every theme this action advances.",
    )

    target = PeriodField(
        label="Target date",
        help_text="As precise as the plan is: choose a day, a month, a quarter or a year, "
        "then give the parts it needs (for a year, just the year).",
    )
    milestones = MilestonesField(
        help_text="Optional steps on the way, one a line: what, a colon, then by when, as in "
        "“Proposal: January 2021” or “Delivery: 31 December 2022”. A date may be a day, a "
        "month, a quarter (October–December 2027) or a year.",
    )
    # The action's written fields in their order: its themes follow the description, and
    # the target's date and precision are asked for as one period, with the milestones.
    field_order = [
        "version",
        *(
            part
            for name in Action.WRITTEN_FIELDS
            for part in {
                "description": ("description", "themes"),
                "target_on": ("target", "milestones"),
                "target_precision": (),
            }.get(name, (name,))
        ),
    ]

    class Meta:
        model = Action
        fields = [name for name in Action.WRITTEN_FIELDS if name not in Action.TARGET_FIELDS] + [
            "themes"
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "success_measures": forms.Textarea(attrs={"rows": 2}),
            "starts_on": DateInput,
        }

    def __init__(self, *args, themes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if themes is not None:
            self.fields["themes"].choices = [(t.pk, t.name) for t in themes]
        self.fields["status"].choices = [
            c for c in ActionStatus.choices if c[0] != ActionStatus.CARRIED_OVER
        ]
        if self.instance.pk:
            self.initial.setdefault("target", self.instance.target)
            self.initial.setdefault("milestones", milestones_text(self.instance.milestones.all()))

    def clean(self):
        data = super().clean()
        if "target" not in data:
            return data  # the target has its own error already
        target = data.pop("target")
        data["target_on"] = target.on if target else None
        data["target_precision"] = target.precision if target else DatePrecision.DAY
        starts_on = data.get("starts_on")
        if starts_on and target and target.on < starts_on:
            self.add_error("target", "The target date cannot come before the start.")
        if "milestones" in data:
            try:
                data["milestones"] = milestones_check(
                    data["milestones"], starts_on=starts_on, target=target
                )
            except ApplicationError as exc:
                self.add_error("milestones", exc.message)
        return data


class PreviousActionReviewForm(VersionedForm):
    outcome = forms.ChoiceField(
        choices=[(s.value, s.label) for s in PREVIOUS_OUTCOMES],
        widget=forms.RadioSelect,
        label="What became of it",
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class VoiceEvidenceForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    class Meta:
        model = VoiceEvidence
        fields = list(VoiceEvidence.WRITTEN_FIELDS)
        widgets = {
            "held_on": DateInput,
            "description": forms.Textarea(attrs={"rows": 3}),
            "what_changed": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "method_other": "Only when the method is “Other”.",
            "held_on": "When it took place (the first day, for something that ran longer).",
        }

    def clean(self):
        data = super().clean()
        if data.get("method") == VoiceMethod.OTHER and not data.get("method_other", "").strip():
            self.add_error("method_other", "Say which other method was used.")
        held_on = data.get("held_on")
        if held_on and held_on > timezone.localdate():
            self.add_error("held_on", "The date cannot be in the future.")
        return data


class AttachmentForm(forms.Form):
    file = forms.FileField(
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.xlsx,.png,.jpg,.jpeg"}),
    )
    evidence = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = attachment_limits_text()


class SubmitForm(forms.Form):
    confirmed = forms.BooleanField(
        label="I confirm this self-assessment and action plan are complete and ready for peer "
        "review. I understand they cannot be changed once submitted."
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class ExtensionForm(forms.Form):
    due_on = forms.DateField(widget=DateInput, label="New due date")
    due_time = forms.TimeField(
        label="Time (UK)", initial="17:00", widget=forms.TimeInput(attrs={"type": "time"})
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        if data.get("due_on") and data.get("due_time"):
            data["due_at"] = deadlines.uk_datetime(data["due_on"], data["due_time"])
            if data["due_at"] <= timezone.now():
                self.add_error("due_on", "The new due date must be in the future.")
        return data


class ProgressForm(forms.Form):
    status = forms.ChoiceField(choices=ActionStatus.choices)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Progress note"
    )


class SubmissionRoundForm(forms.ModelForm):
    deadline_on = forms.DateField(widget=DateInput, label="Deadline date")
    deadline_time = forms.TimeField(
        label="Time (UK)", initial="17:00", widget=forms.TimeInput(attrs={"type": "time"})
    )

    class Meta:
        model = SubmissionRound
        fields = ["name", "kind"]
        help_texts = {"name": "For example “January 2027”."}

    def clean(self):
        data = super().clean()
        if data.get("deadline_on") and data.get("deadline_time"):
            deadline = deadlines.uk_datetime(data["deadline_on"], data["deadline_time"])
            self.instance.deadline = deadline
            if (
                SubmissionRound.objects.filter(deadline=deadline)
                .exclude(pk=self.instance.pk)
                .exists()
            ):
                self.add_error("deadline_on", "Another round already has this deadline.")
        return data


class ReminderRuleForm(forms.ModelForm):
    class Meta:
        model = ReminderRule
        fields = [
            "name",
            "amount",
            "unit",
            "direction",
            "milestone",
            "repeat_every_months",
            "kind",
            "to_leads",
            "to_head",
            "to_itss",
            "template",
            "is_active",
        ]
        labels = {
            "amount": "How many",
            "unit": "Days, weeks or months",
            "direction": "Before or after",
            "milestone": "Counted from",
            "template": "Wording",
        }
        help_texts = {
            "amount": "0 sends it on the day itself.",
            "to_head": "Only when the organisation has given their email address.",
            "is_active": "Turn a rule off to stop it; the reminders it sent stay on record.",
        }

    def clean(self):
        data = super().clean()
        if data.get("repeat_every_months") and data.get("direction") != "after":
            self.add_error(
                "repeat_every_months",
                "Only a reminder after its milestone can repeat (for example monthly while "
                "overdue).",
            )
        if not (data.get("to_leads") or data.get("to_head") or data.get("to_itss")):
            self.add_error(None, "Choose at least one recipient.")
        return data
