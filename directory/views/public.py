"""The public page of an organisation in the network."""

from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from action_plans.selectors import actions_by_theme, published_plan, themes_in_use

from ..enums import OnboardingStatus
from ..models import Organisation

# A lapsed organisation stays listed, marked “Lapsed”: lapsing removes nothing.
PUBLIC_STATUSES = (OnboardingStatus.ANNOUNCED, OnboardingStatus.ACTIVE, OnboardingStatus.LAPSED)


def public_organisations():
    """Organisations the public may see: announced (on or before today), active or lapsed."""
    return Organisation.objects.filter(
        status__in=PUBLIC_STATUSES, announced_on__lte=timezone.localdate()
    )


@require_GET
def public_organisation(request, slug):
    organisation = get_object_or_404(public_organisations().select_related("cohort"), slug=slug)
    plan = published_plan(organisation)
    themes = list(themes_in_use())
    by_theme = actions_by_theme(list(plan.actions.all()), themes) if plan else []
    return render(
        request,
        "directory/organisation_public.html",
        {"organisation": organisation, "plan": plan, "by_theme": by_theme},
    )
