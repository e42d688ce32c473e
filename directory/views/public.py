"""The public page of an organisation in the network."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from action_plans import packs
from action_plans.enums import PackStatus, SubmissionStatus
from action_plans.selectors import current_stages, plan_by_theme, published_plan, themes_in_use
from core.http import private_file_response
from core.permissions import require_perm
from reviews.selectors import latest_feedback_released

from .. import maps
from ..cache import cached_for_visitors, organisation_scope
from ..feeds import directory_csv
from ..filters import DirectoryFilter
from ..selectors import directory_organisations, network_figures, public_organisations


@require_GET
@cached_for_visitors(scope=organisation_scope)
def public_organisation(request, slug):
    organisation = get_object_or_404(public_organisations().select_related("cohort"), slug=slug)
    plan = published_plan(organisation)
    themes = list(themes_in_use())
    by_theme = plan_by_theme(plan.actions.all(), themes) if plan else []
    stage = current_stages([organisation]).get(organisation.pk)
    last_submitted = (
        organisation.submissions.exclude(status=SubmissionStatus.IN_PROGRESS)
        .order_by("-submitted_at")
        .first()
    )
    return render(
        request,
        "directory/organisation_public.html",
        {
            "organisation": organisation,
            "plan": plan,
            "by_theme": by_theme,
            "stage": stage,
            "last_submitted": last_submitted,
            "feedback": latest_feedback_released(organisation),
            "plan_pdf": packs.published_plan_pdf(plan) if plan else None,
            # Visitors' pages are kept for everyone: only the signed in see the button.
            "can_prepare_pdf": request.user.has_perm("action_plans.view_stages", organisation),
        },
    )


@login_required
@require_POST
def published_plan_prepare(request, slug):
    """Ask again for the PDF of the published plan, when it is missing or failed: for the
    organisation's members and ITSS staff (anyone else is told nothing exists)."""
    organisation = get_object_or_404(public_organisations(), slug=slug)
    require_perm(request, "action_plans.view_stages", organisation)
    pdf = packs.published_plan_pdf_request(organisation=organisation)
    if pdf is None:
        raise Http404
    messages.info(request, "The PDF of the action plan is being prepared.")
    page = reverse("directory:public_organisation", args=[organisation.slug])
    return redirect(f"{page}#plan-title")


@require_GET
def published_plan_download(request, slug):
    """The PDF of the organisation's published plan, once it is ready."""
    organisation = get_object_or_404(public_organisations(), slug=slug)
    plan = published_plan(organisation)
    if plan is None:
        raise Http404
    pdf = packs.published_plan_pdf(plan)
    if pdf is None or pdf.status != PackStatus.READY:
        raise Http404
    response = private_file_response(
        pdf.file, filename=f"{organisation.slug}-action-plan.pdf", content_type="application/pdf"
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response


DIRECTORY_PAGE_SIZE = 24


@require_GET
@cached_for_visitors
def directory(request):
    """Every signatory and supporter, searchable and filtered, one shareable address per
    state; htmx swaps the results in place, and the form works without JavaScript."""
    filterset = DirectoryFilter(request.GET, queryset=directory_organisations())
    # A hand-edited address with a value not understood lists what the rest of it asks
    # for, and says which filters it left out (the form marks them), never a 500.
    ignored = [] if filterset.is_valid() else filterset.invalid_labels()
    results = filterset.qs
    page = Paginator(results, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "ignored": ignored,
        "page": page,
        "querystring": query.urlencode(),
    }
    if request.GET.get("format") == "csv":
        return directory_csv(results, site_url=settings.SITE_URL.rstrip("/"))
    template = "directory/organisation_list.html"
    if request.htmx and request.htmx.target == "directory-results":
        template += "#results"
    return render(request, template, context)


@require_GET
@cached_for_visitors
def network_map(request):
    """Every organisation in the UK as a marker on a map drawn on the server, shaped and
    coloured by kind, each a link to its page; those too close together to tell apart as
    one numbered marker linking to their list; those outside the UK listed beside it."""
    organisations = directory_organisations().order_by("name")
    placed, abroad = maps.markers(organisations)
    drawn = maps.clusters(placed)
    return render(
        request,
        "directory/organisation_map.html",
        {
            "shapes": maps.outline(),
            "markers": placed,
            "drawn": drawn,
            "together": [cluster for cluster in drawn if cluster.is_group],
            "abroad": abroad,
            "width": maps.WIDTH,
            "height": maps.HEIGHT,
        },
    )


@require_GET
@cached_for_visitors
def network(request):
    """The network at a glance: figures and charts of the public organisations and their
    published plans."""
    return render(request, "directory/network.html", {"figures": network_figures()})
