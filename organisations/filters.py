import django_filters
from django import forms

from .enums import OnboardingStatus, OrganisationKind, Region
from .models import Organisation
from .selectors import organisation_search


class PipelineFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", label="Search by name", widget=forms.TextInput(attrs={"type": "search"})
    )
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices, empty_label="All kinds")
    status = django_filters.ChoiceFilter(
        choices=OnboardingStatus.choices, label="Stage", empty_label="All stages"
    )
    region = django_filters.ChoiceFilter(
        choices=Region.choices, label="Nation or region", empty_label="All nations and regions"
    )
    lapsing = django_filters.ChoiceFilter(
        choices=[("yes", "Lapsing only")],
        label="Lapsing",
        empty_label="Lapsing or not",
        method="only_lapsing",
    )

    class Meta:
        model = Organisation
        fields = ["q", "kind", "status", "region", "lapsing"]

    def __init__(self, *args, lapsing_ids=(), **kwargs):
        """``lapsing_ids``: the organisations lapsing now, worked out once by the view
        (``hooks.organisations_lapsing``), since lapsing is derived, not stored."""
        super().__init__(*args, **kwargs)
        self.lapsing_ids = list(lapsing_ids)

    def search(self, queryset, name, value):
        return organisation_search(queryset, value)

    def only_lapsing(self, queryset, name, value):
        return queryset.filter(pk__in=self.lapsing_ids)
