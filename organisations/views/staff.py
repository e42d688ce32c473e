"""The ITSS staff pages: pipeline, organisation record, onboarding transitions."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.enums import InvitationRole
from accounts.forms import InvitationForm
from core.permissions import require_perm
from core.selectors import outbox_about, undelivered_count
from core.services import activity_for
from core.views_forms import form_status, form_submitted

from .. import services
from ..filters import PipelineFilter
from ..forms import EnquiryForm, OrganisationForm
from ..hooks import organisation_lapsing, organisations_lapsing, panels
from ..models import EDITABLE_FIELDS, Organisation
from ..selectors import pipeline_counts
from ..steps import STEPS, steps_offered

PAGE_SIZE = 50
# The staff page lists this many of an organisation's messages, newest first.
OUTBOX_LIMIT = 50


def _staff_organisation(request, slug):
    require_perm(request, "organisations.manage_organisation")
    return get_object_or_404(Organisation.objects.select_related("cohort"), slug=slug)


@login_required
@require_GET
def pipeline(request):
    require_perm(request, "organisations.view_pipeline")
    base = Organisation.objects.all()
    lapsing = {found.organisation.pk: found for found in organisations_lapsing()}
    filterset = PipelineFilter(request.GET, queryset=base, lapsing_ids=list(lapsing))
    # An invalid filter value (a hand-edited URL) shows the form's error, not a 500.
    results = filterset.qs if filterset.is_valid() else base.none()
    page = Paginator(results.order_by("name"), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for organisation in page.object_list:
        organisation.lapsing = lapsing.get(organisation.pk)
    query = request.GET.copy()
    query.pop("page", None)
    counts = pipeline_counts(base)
    context = {
        "filter": filterset,
        "page": page,
        "counts": counts,
        "total": sum(c["count"] for c in counts),
        "lapsing_count": len(lapsing),
        "lapsing_after_months": settings.LAPSING_AFTER_MONTHS,
        "undelivered": undelivered_count(),
        "querystring": query.urlencode(),
    }
    template = "organisations/organisation_pipeline.html"
    if request.htmx and request.htmx.target == "pipeline-results":
        template += "#results"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request):
    require_perm(request, "organisations.manage_organisation")
    form = EnquiryForm(request.POST or None)

    def record(data):
        data = dict(data)
        return services.organisation_create(actor=request.user, note=data.pop("note"), **data)

    if form_submitted(request, form, record):
        messages.success(request, f"Enquiry from {form.outcome} recorded.")
        return redirect(form.outcome.get_staff_url())
    return render(
        request,
        "organisations/organisation_form.html",
        {"form": form, "title": "Record a new enquiry"},
        status=form_status(form),
    )


@login_required
@require_GET
def staff_organisation(request, slug):
    organisation = _staff_organisation(request, slug)
    memberships = organisation.memberships.select_related("user").order_by("role", "user__name")
    invitations = organisation.invitations.pending().select_related("invited_by")
    lapsing = organisation_lapsing(organisation)
    # Mail about the organisation itself, its submissions and its invitations.
    outbox = outbox_about(
        organisation, organisation.submissions.all(), organisation.invitations.all()
    )
    return render(
        request,
        "organisations/organisation_staff.html",
        {
            "organisation": organisation,
            "memberships": memberships,
            "invitations": invitations,
            "activity": activity_for(organisation)[:100],
            "actions": steps_offered(organisation, lapsing=lapsing is not None),
            "lapsing": lapsing,
            "panels": panels("staff", request=request, organisation=organisation, lapsing=lapsing),
            "outbox": list(outbox[:OUTBOX_LIMIT]),
            "outbox_total": outbox.count(),
            "invite_form": InvitationForm(
                initial={
                    "role": InvitationRole.LEAD,
                    "email": organisation.lead_email,
                    "name": organisation.lead_name,
                }
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request, slug):
    organisation = _staff_organisation(request, slug)
    form = OrganisationForm(request.POST or None, instance=organisation)

    def save(data):
        fields = {name: data[name] for name in EDITABLE_FIELDS}
        return services.organisation_update(
            actor=request.user, organisation=organisation, note=data["note"], **fields
        )

    if form_submitted(request, form, save):
        messages.success(request, "Details saved.")
        return redirect(organisation.get_staff_url())
    if form.errors:
        # The bound ModelForm has written the rejected values onto the instance;
        # reload so the page header still shows what is stored.
        organisation.refresh_from_db()
    return render(
        request,
        "organisations/organisation_form.html",
        {"form": form, "organisation": organisation, "title": f"Edit {organisation.name}"},
        status=form_status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_transition(request, slug, action):
    organisation = _staff_organisation(request, slug)
    step = STEPS.get(action)
    if step is None:
        raise Http404
    form = step.form(
        request.POST or None,
        request.FILES or None,
        initial=_transition_initial(organisation),
        organisation=organisation,
    )

    def take(data):
        return services.organisation_step(
            action, actor=request.user, organisation=organisation, **data
        )

    if form_submitted(request, form, take):
        messages.success(request, f"{step.label}: done.")
        return redirect(organisation.get_staff_url())
    lapsing = organisation_lapsing(organisation) if action == "lapse" else None
    offered = action in dict(steps_offered(organisation, lapsing=lapsing is not None))
    return render(
        request,
        "organisations/organisation_transition.html",
        {
            "organisation": organisation,
            "form": form,
            "spec": step,
            "action": action,
            "offered": offered,
            "lapsing": lapsing,
            "lapsing_after_months": settings.LAPSING_AFTER_MONTHS,
        },
        status=form_status(form),
    )


def _transition_initial(organisation: Organisation) -> dict:
    """Start each step's form from what the register already knows."""
    today = timezone.localdate()
    return {
        "held_on": today,
        "received_on": today,
        "announced_on": today,
        "head_name": organisation.head_name,
        "head_title": organisation.head_title,
        "lead_name": organisation.lead_name,
        "lead_email": organisation.lead_email,
        "announcement_url": organisation.announcement_url,
    }


@login_required
@require_GET
def signed_form_download(request, slug):
    organisation = _staff_organisation(request, slug)
    if not organisation.signed_form:
        raise Http404
    try:
        handle = organisation.signed_form.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(
        handle,
        as_attachment=True,
        content_type="application/pdf",
        filename=f"{organisation.slug}-signed-form.pdf",
    )
