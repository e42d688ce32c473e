"""Form fields for planned dates of a given precision, and for an action's milestones.

Both work without JavaScript: a planned date is a group of labelled controls (how precise,
then the day, month, quarter and year it needs); milestones are lines of plain text, read
strictly, each error naming its line. Both show a stored value exactly as it was entered, so
saving a form unchanged stores the same thing again."""

from django import forms

from .enums import DatePrecision
from .periods import LAST_YEAR, MONTHS, QUARTERS, Period, period_from_parts, period_parse

P = DatePrecision


class PeriodWidget(forms.MultiWidget):
    """How precise, day, month, quarter, year: each its own labelled control.

    Its template lives in the app (``action_plans/templates/``): the form renderer reads
    widget templates from the apps and Django's own, not from the project's folder."""

    template_name = "action_plans/widgets/period.html"
    labels = ("How precise", "Day", "Month", "Quarter", "Year")

    def __init__(self, attrs=None):
        number = {"inputmode": "numeric", "class": "form-control"}
        widgets = (
            forms.Select(choices=P.choices),
            forms.NumberInput(attrs={**number, "min": 1, "max": 31, "size": 2}),
            forms.Select(choices=[("", "—")] + [(n, m) for n, m in enumerate(MONTHS, start=1)]),
            forms.Select(
                choices=[("", "—")]
                + [
                    (n, f"{MONTHS[first - 1]}–{MONTHS[last - 1]}")
                    for n, (first, last) in enumerate(QUARTERS, start=1)
                ]
            ),
            forms.NumberInput(attrs={**number, "min": 2000, "max": LAST_YEAR, "size": 4}),
        )
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, (list, tuple)):
            return list(value)
        if not value:
            return [P.DAY, None, None, None, None]
        on, precision = value.on, value.precision
        quarter = (on.month - 1) // 3 + 1
        return [
            precision,
            on.day if precision == P.DAY else None,
            on.month if precision in (P.DAY, P.MONTH) else None,
            quarter if precision == P.QUARTER else None,
            on.year,
        ]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        invalid = "is-invalid" in context["widget"]["attrs"].get("class", "")
        for label, widget, sub in zip(
            self.labels, self.widgets, context["widget"]["subwidgets"], strict=True
        ):
            kind = "form-select" if isinstance(widget, forms.Select) else "form-control"
            sub["attrs"]["class"] = f"{kind} is-invalid" if invalid else kind
            sub["label"] = label
        return context


class PeriodField(forms.MultiValueField):
    """A planned date as a ``Period`` (None when no part of it is given)."""

    widget = PeriodWidget

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        months, quarters = PeriodWidget().widgets[2].choices, PeriodWidget().widgets[3].choices
        fields = (
            forms.ChoiceField(choices=P.choices),
            forms.IntegerField(min_value=1, max_value=31, required=False),
            forms.TypedChoiceField(choices=months, coerce=int, required=False),
            forms.TypedChoiceField(choices=quarters, coerce=int, required=False),
            forms.IntegerField(required=False),
        )
        super().__init__(fields, require_all_fields=False, **kwargs)

    def compress(self, data_list):
        if not data_list:
            return None
        precision, day, month, quarter, year = data_list
        if all(part in self.empty_values for part in (day, month, quarter, year)):
            return None
        try:
            return period_from_parts(
                precision or P.DAY,
                year=year,
                month=month if month not in self.empty_values else None,
                quarter=quarter if quarter not in self.empty_values else None,
                day=day,
            )
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


def milestones_text(milestones) -> str:
    """Milestones as the field shows them: one a line, "Proposal: January 2021"."""
    return "\n".join(f"{m.label}: {m.when.text}" for m in milestones)


class MilestonesField(forms.CharField):
    """Lines of "what: when" read into a list of (label, Period), in order."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(**kwargs)

    def to_python(self, value) -> list[tuple[str, Period]]:
        text = super().to_python(value)
        milestones, errors = [], []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            label, colon, when = line.rpartition(":")
            if not colon:
                errors.append(
                    f"Line {number}: put a colon between the milestone and its date, "
                    f"as in “Proposal: January 2021”."
                )
                continue
            try:
                milestones.append((label.strip(), period_parse(when)))
            except ValueError as exc:
                errors.append(f"Line {number}: {exc}")
        if errors:
            raise forms.ValidationError(errors)
        return milestones
