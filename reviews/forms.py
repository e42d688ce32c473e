from django import forms
from django.utils import timezone

from action_plans import deadlines
from action_plans.models import SubmissionRound
from core.models import Theme
from core.widgets import DateInput
from organisations.enums import OnboardingStatus
from organisations.models import Organisation

from .enums import ConflictReason
from .models import Conflict, Outcome, ReviewerProfile, ReviewRound, ScoreLevel

TEXT = {"rows": 4}


class ReviewerProfileForm(forms.ModelForm):
    class Meta:
        model = ReviewerProfile
        fields = ["organisation", "job_title", "themes", "capacity", "trained_on", "is_active"]
        widgets = {"themes": forms.CheckboxSelectMultiple, "trained_on": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.exclude(
            status=OnboardingStatus.WITHDRAWN
        ).order_by("name")
        self.fields["themes"].queryset = Theme.objects.filter(is_active=True)


class ConflictForm(forms.ModelForm):
    class Meta:
        model = Conflict
        fields = ["organisation", "reason", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}
        labels = {"organisation": "Organisation", "reason": "Kind of conflict"}

    def __init__(self, *args, reviewer, **kwargs):
        super().__init__(*args, **kwargs)
        declared = Conflict.objects.filter(reviewer=reviewer).values("organisation")
        self.fields["organisation"].queryset = (
            Organisation.objects.exclude(status=OnboardingStatus.WITHDRAWN)
            .exclude(pk__in=declared)
            .order_by("name")
        )


class ReviewRoundForm(forms.ModelForm):
    due_on = forms.DateField(widget=DateInput, label="Reviews due")
    due_time = forms.TimeField(
        label="Time (UK)", initial="17:00", widget=forms.TimeInput(attrs={"type": "time"})
    )

    class Meta:
        model = ReviewRound
        fields = [
            "name",
            "submission_round",
            "team_size",
            "respond_within_days",
            "others_reviews",
            "show_institution",
        ]
        help_texts = {"name": "For example “Spring 2027”."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        taken = ReviewRound.objects.exclude(pk=self.instance.pk).values("submission_round")
        self.fields["submission_round"].queryset = SubmissionRound.objects.exclude(pk__in=taken)
        self.fields["submission_round"].label_from_instance = lambda r: (
            f"{r.name} ({deadlines.uk_date(r.deadline):%-d %B %Y})"
        )
        if self.instance.pk:
            local = timezone.localtime(self.instance.review_due_at)
            self.initial.update(due_on=local.date(), due_time=local.time())

    def clean(self):
        data = super().clean()
        if data.get("due_on") and data.get("due_time"):
            self.instance.review_due_at = deadlines.uk_datetime(data["due_on"], data["due_time"])
            submission_round = data.get("submission_round")
            if submission_round and self.instance.review_due_at <= submission_round.deadline:
                self.add_error("due_on", "Reviews are due after the submissions they review.")
        return data


class TeamForm(forms.Form):
    """The team staff confirm for one submission: proposed reviewers ticked, one lead."""

    reviewers = forms.ModelMultipleChoiceField(
        queryset=ReviewerProfile.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Reviewers",
    )
    lead = forms.ModelChoiceField(
        queryset=ReviewerProfile.objects.none(),
        required=False,
        widget=forms.RadioSelect,
        empty_label=None,
        label="Lead reviewer",
    )

    def __init__(self, *args, candidates, places: int, needs_lead: bool, **kwargs):
        """``candidates``: (profile, places held this round) for everyone who may be asked."""
        super().__init__(*args, **kwargs)
        self.places, self.needs_lead = places, needs_lead
        loads = {profile.pk: load for profile, load in candidates}
        for name in ("reviewers", "lead"):
            field = self.fields[name]
            field.queryset = (
                ReviewerProfile.objects.filter(pk__in=loads)
                .select_related("user", "organisation")
                .prefetch_related("themes")
                .order_by("user__name")
            )
        self.fields["reviewers"].label_from_instance = lambda p: (
            f"{p.user.name} ({p.organisation.display_name if p.organisation else 'no employer'})"
            f" · {', '.join(t.name for t in p.themes.all()) or 'no themes given'}"
            f" · {loads[p.pk]} of {p.capacity} this round"
        )
        self.fields["lead"].label_from_instance = lambda p: p.user.name
        if not needs_lead:
            del self.fields["lead"]

    def clean(self):
        data = super().clean()
        chosen = list(data.get("reviewers") or [])
        if len(chosen) > self.places:
            self.add_error("reviewers", f"Choose at most {self.places}.")
        if self.needs_lead and chosen:
            lead = data.get("lead")
            if lead is None:
                self.add_error("lead", "Choose the lead reviewer.")
            elif lead not in chosen:
                self.add_error("lead", "The lead reviewer must be one of those chosen.")
        return data


class AcceptForm(forms.Form):
    no_conflict = forms.BooleanField(
        label="I have no conflict of interest with this organisation",
        help_text="No recent employment there, close collaboration or personal relationship "
        "with its people.",
        error_messages={
            "required": "Tick to confirm you have no conflict of interest, or declare one below."
        },
    )


class AssignmentConflictForm(forms.Form):
    """A conflict declared in reply to an assignment: it declines the review."""

    reason = forms.ChoiceField(
        choices=ConflictReason.choices, widget=forms.RadioSelect, label="Kind of conflict"
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="What the conflict is",
        help_text="A sentence for the ITSS team.",
    )


class ReadyForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Note for the ITSS team (optional)",
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why it is reopened",
        help_text="The organisation and the reviewers taken off are told this.",
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why you decline",
        help_text="For example leave or workload. A conflict of interest is declared above.",
    )


class WithdrawForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Why")


class ReviewForm(forms.Form):
    """A review: a score and comment per theme, then the overall part. Drafts save with
    anything left empty; the submit check says what is still missing."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    strengths = forms.CharField(widget=forms.Textarea(attrs=TEXT), required=False)
    areas_to_develop = forms.CharField(
        widget=forms.Textarea(attrs=TEXT), required=False, label="Areas to develop"
    )
    recommendations = forms.CharField(widget=forms.Textarea(attrs=TEXT), required=False)
    suggested_outcome = forms.ModelChoiceField(
        queryset=Outcome.objects.all(),
        required=False,
        widget=forms.RadioSelect,
        empty_label=None,
        label="Suggested outcome",
    )

    def __init__(self, *args, scores, **kwargs):
        super().__init__(*args, **kwargs)
        self.themes = []
        levels = ScoreLevel.objects.all()
        for score in scores:
            slug = score.theme.slug
            level = forms.ModelChoiceField(
                queryset=levels,
                required=False,
                widget=forms.RadioSelect,
                empty_label=None,
                label=f"Score for {score.theme.name}",
                initial=score.level_id,
            )
            level.label_from_instance = lambda lv: f"{lv.label}: {lv.descriptor}"
            self.fields[f"level_{slug}"] = level
            self.fields[f"comment_{slug}"] = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
                label=f"Comment on {score.theme.name}",
                initial=score.comment,
            )
            self.themes.append((score, f"level_{slug}", f"comment_{slug}"))
        self.order_fields(
            ["version"] + [name for _, level, comment in self.themes for name in (level, comment)]
        )

    def theme_fields(self):
        return [(score, self[level], self[comment]) for score, level, comment in self.themes]

    def scores(self) -> dict:
        return {
            score.theme_id: (self.cleaned_data[level], self.cleaned_data[comment])
            for score, level, comment in self.themes
        }


class FeedbackForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    outcome = forms.ModelChoiceField(
        queryset=Outcome.objects.all(),
        required=False,
        widget=forms.RadioSelect,
        empty_label=None,
        label="Overall outcome",
    )
    summary = forms.CharField(
        widget=forms.Textarea(attrs=TEXT),
        required=False,
        label="Overall judgement",
        help_text="A paragraph the institution reads first.",
    )
    strengths = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False)
    areas_to_develop = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), required=False, label="Areas to develop"
    )
    recommendations = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False)

    def __init__(self, *args, theme_rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.theme_rows = []
        for row in theme_rows:
            name = f"theme_{row.theme.slug}"
            self.fields[name] = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 4}),
                required=False,
                label=f"Feedback on {row.theme.name}",
                initial=row.text,
            )
            self.theme_rows.append((row, name))

    def theme_fields(self):
        return [(row, self[name]) for row, name in self.theme_rows]

    def theme_texts(self) -> dict[int, str]:
        return {row.theme_id: self.cleaned_data[name] for row, name in self.theme_rows}
