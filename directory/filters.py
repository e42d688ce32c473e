import django_filters
from django import forms

from organisations.enums import OnboardingStatus, OrganisationKind, OrganisationType, Region
from organisations.models import Organisation
from organisations.selectors import organisation_search

SORTS = {
    "name": ("Name, A to Z", ("name",)),
    "newest": ("Newest first", ("-announced_on", "name")),
    "oldest": ("Longest standing first", ("announced_on", "name")),
}
# What the public directory's status filter offers: announced counts as active.
PUBLIC_STATUS_CHOICES = [("active", "Active"), ("lapsed", "Lapsed")]
# The year the Technician Commitment began, and a bound far enough ahead.
JOINED_FIRST_YEAR = 2017
JOINED_LAST_YEAR = 2100
_YEAR_MESSAGE = f"Enter a year from {JOINED_FIRST_YEAR} to {JOINED_LAST_YEAR}."
SEARCH_MAX_LENGTH = 200
STAGE_CHOICES = [
    ("0", "No stage submitted yet"),
    ("1", "Stage 1 submitted"),
    ("2", "Stage 2 submitted"),
    ("3", "Stage 3 or later submitted"),
]


class YearFilter(django_filters.NumberFilter):
    """A whole year within bounds: a database cannot look up year 0 or year 10000."""

    field_class = forms.IntegerField


class DirectoryFilter(django_filters.FilterSet):
    """The public directory's search, filters and order. Every value lives in the address,
    so any state of the page can be shared."""

    q = django_filters.CharFilter(
        method="search",
        label="Search by name",
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices, empty_label="All kinds")
    org_type = django_filters.ChoiceFilter(
        choices=OrganisationType.choices, label="Type", empty_label="All types"
    )
    region = django_filters.ChoiceFilter(
        choices=Region.choices, label="Nation or region", empty_label="All nations and regions"
    )
    status = django_filters.ChoiceFilter(
        choices=PUBLIC_STATUS_CHOICES,
        label="Status",
        empty_label="Active or lapsed",
        method="by_status",
    )
    joined = YearFilter(
        field_name="announced_on",
        lookup_expr="year",
        label="Year joined",
        min_value=JOINED_FIRST_YEAR,
        max_value=JOINED_LAST_YEAR,
        error_messages=dict.fromkeys(("invalid", "min_value", "max_value"), _YEAR_MESSAGE),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    stage = django_filters.ChoiceFilter(
        choices=STAGE_CHOICES, label="Stage", empty_label="Any stage", method="by_stage"
    )
    sort = django_filters.ChoiceFilter(
        choices=[(key, label) for key, (label, _) in SORTS.items()],
        label="Order",
        empty_label="Best match or name",
        method="sort_by",
    )

    class Meta:
        model = Organisation
        fields = ["q", "kind", "org_type", "region", "status", "joined", "stage", "sort"]

    def search(self, queryset, name, value):
        return organisation_search(queryset, value)

    def invalid_labels(self) -> list[str]:
        """The labels of the filters whose value was not understood. The results leave
        those filters out (``qs`` filters by the values that were understood)."""
        return [
            str(self.form.fields[name].label) for name in self.errors if name in self.form.fields
        ]

    def by_status(self, queryset, name, value):
        if value == "lapsed":
            return queryset.filter(status=OnboardingStatus.LAPSED)
        return queryset.exclude(status=OnboardingStatus.LAPSED)

    def by_stage(self, queryset, name, value):
        number = int(value)
        if number == 0:
            return queryset.filter(latest_stage__isnull=True)
        if number == 3:
            return queryset.filter(latest_stage__gte=3)
        return queryset.filter(latest_stage=number)

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*SORTS[value][1])

    @property
    def qs(self):
        found = super().qs
        # Without an order chosen: best match when searching, else by name.
        if not self.form.cleaned_data.get("sort") and not self.form.cleaned_data.get("q"):
            found = found.order_by("name")
        return found
