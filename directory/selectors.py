from django.db.models import Count, Q, QuerySet

from accounts.rules import is_itss_staff

from .enums import OnboardingStatus
from .models import Organisation


def organisations_visible_to(*, user) -> QuerySet[Organisation]:
    """The organisations whose workspace ``user`` may open."""
    if is_itss_staff(user):
        return Organisation.objects.all()
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user).distinct()


def organisation_search(queryset: QuerySet[Organisation], term: str) -> QuerySet[Organisation]:
    term = term.strip()
    if not term:
        return queryset
    return queryset.filter(
        Q(name__icontains=term) | Q(short_name__icontains=term) | Q(slug__icontains=term)
    )


def pipeline_counts(queryset: QuerySet[Organisation]) -> list[dict]:
    """One entry per onboarding status, in path order, with its count (zeros included)."""
    counts = dict(queryset.order_by().values_list("status").annotate(n=Count("id")))
    return [
        {"status": status, "label": status.label, "count": counts.get(status.value, 0)}
        for status in OnboardingStatus
    ]
