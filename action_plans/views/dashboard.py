"""The organisation's submissions dashboard and its deadlines calendar."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from organisations.models import Organisation

from ..calendar import calendar_token, deadlines_calendar, organisation_slug_from
from ..selectors import organisation_stages, submission_for_editing, submission_missing
from .common import organisation_for


@login_required
@require_GET
def dashboard(request, slug):
    organisation = organisation_for(request, slug)
    stages = organisation_stages(organisation)
    current = stages[-1] if stages else None
    missing = []
    if current and current.submission:
        missing = submission_missing(submission_for_editing(current.submission))
    unpublished = [
        s for s in stages if s.submission and s.is_submitted and not s.submission.is_published
    ]
    token = calendar_token(organisation)
    return render(
        request,
        "action_plans/stage_dashboard.html",
        {
            "organisation": organisation,
            "current": current,
            "past": [s for s in stages if s is not current],
            "missing": missing,
            "unpublished": unpublished,
            "calendar_url": request.build_absolute_uri(
                reverse("action_plans:calendar", args=[token])
            ),
        },
    )


@require_GET
def calendar(request, token):
    slug = organisation_slug_from(token)
    if slug is None:
        raise Http404
    organisation = get_object_or_404(Organisation, slug=slug)
    response = HttpResponse(
        deadlines_calendar(organisation, organisation_stages(organisation)),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'inline; filename="{organisation.slug}-deadlines.ics"'
    return response
