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

    class Meta:
        model = Organisation
        fields = ["q", "kind", "status", "region"]

    def search(self, queryset, name, value):
        return organisation_search(queryset, value)
