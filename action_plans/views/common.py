"""What every submission view shares: finding the object the person may see."""

from django.shortcuts import get_object_or_404

from core.permissions import require_perm
from organisations.selectors import organisations_visible_to

from ..selectors import submissions_visible_to


def organisation_for(request, slug: str, perm: str = "action_plans.view_stages"):
    organisation = get_object_or_404(
        organisations_visible_to(user=request.user).select_related("cohort"), slug=slug
    )
    require_perm(request, perm, organisation)
    return organisation


def submission_for(request, slug: str, number: int, perm: str = "action_plans.view_submission"):
    submission = get_object_or_404(
        submissions_visible_to(user=request.user).select_related("organisation"),
        organisation__slug=slug,
        stage_number=number,
    )
    require_perm(request, perm, submission)
    return submission
