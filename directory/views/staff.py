"""The ITSS staff pages: pipeline, organisation record, onboarding transitions."""

from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.enums import InvitationRole
from accounts.forms import InvitationForm
from core.exceptions import ApplicationError
from core.permissions import require_perm
from core.services import activity_for

from .. import services
from ..enums import ONBOARDING_TRANSITIONS, OnboardingStatus
from ..filters import PipelineFilter
from ..forms import (
    AnnouncementForm,
    EnquiryForm,
    MeetingForm,
    NoteForm,
    OrganisationForm,
    SignedFormForm,
    WithdrawForm,
)
from ..models import Organisation
from ..selectors import pipeline_counts

S = OnboardingStatus
PAGE_SIZE = 50


@dataclass(frozen=True)
class TransitionAction:
    label: str
    form: type[django_forms.Form]
    to: str | None  # None: the service decides (reinstate)
    button_class: str = "btn-primary"

    def run(self, name, *, actor, organisation, data: dict[str, Any]):
        return _RUNNERS[name](actor, organisation, data)


ACTIONS: dict[str, TransitionAction] = {
    "meeting": TransitionAction("Record the meeting", MeetingForm, S.MEETING_HELD),
    "form": TransitionAction("Record the signed form", SignedFormForm, S.FORM_RECEIVED),
    "announce": TransitionAction("Record the announcement", AnnouncementForm, S.ANNOUNCED),
    "activate": TransitionAction("Activate", NoteForm, S.ACTIVE),
    "withdraw": TransitionAction("Withdraw", WithdrawForm, S.WITHDRAWN, "btn-outline-danger"),
    "reinstate": TransitionAction("Reinstate", NoteForm, None, "btn-outline-primary"),
}

_RUNNERS = {
    "meeting": lambda actor, org, d: services.organisation_record_meeting(
        actor=actor, organisation=org, held_on=d["held_on"], note=d["note"]
    ),
    "form": lambda actor, org, d: services.organisation_receive_form(
        actor=actor,
        organisation=org,
        signed_form=d["signed_form"],
        received_on=d["received_on"],
        head_name=d["head_name"],
        head_title=d["head_title"],
        lead_name=d["lead_name"],
        lead_email=d["lead_email"],
        note=d["note"],
    ),
    "announce": lambda actor, org, d: services.organisation_announce(
        actor=actor,
        organisation=org,
        announced_on=d["announced_on"],
        announcement_url=d["announcement_url"],
        note=d["note"],
    ),
    "activate": lambda actor, org, d: services.organisation_activate(
        actor=actor, organisation=org, note=d["note"]
    ),
    "withdraw": lambda actor, org, d: services.organisation_withdraw(
        actor=actor, organisation=org, reason=d["reason"]
    ),
    "reinstate": lambda actor, org, d: services.organisation_reinstate(
        actor=actor, organisation=org, note=d["note"]
    ),
}


def available_actions(organisation: Organisation) -> list[tuple[str, TransitionAction]]:
    if organisation.status == S.WITHDRAWN:
        return [("reinstate", ACTIONS["reinstate"])]
    allowed = ONBOARDING_TRANSITIONS[organisation.status]
    return [(name, a) for name, a in ACTIONS.items() if a.to is not None and a.to in allowed]


def _staff_organisation(request, slug):
    require_perm(request, "directory.manage_organisation")
    return get_object_or_404(Organisation.objects.select_related("cohort"), slug=slug)


@login_required
@require_GET
def pipeline(request):
    require_perm(request, "directory.view_pipeline")
    base = Organisation.objects.all()
    filterset = PipelineFilter(request.GET, queryset=base)
    # An invalid filter value (a hand-edited URL) shows the form's error, not a 500.
    results = filterset.qs if filterset.is_valid() else base.none()
    page = Paginator(results.order_by("name"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    counts = pipeline_counts(base)
    context = {
        "filter": filterset,
        "page": page,
        "counts": counts,
        "total": sum(c["count"] for c in counts),
        "querystring": query.urlencode(),
    }
    template = "directory/organisation_pipeline.html"
    if request.htmx and request.htmx.target == "pipeline-results":
        template += "#results"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request):
    require_perm(request, "directory.manage_organisation")
    form = EnquiryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        note = data.pop("note")
        try:
            organisation = services.organisation_create(actor=request.user, note=note, **data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Enquiry from {organisation} recorded.")
            return redirect(organisation.get_staff_url())
    return render(
        request,
        "directory/organisation_form.html",
        {"form": form, "title": "Record a new enquiry"},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def staff_organisation(request, slug):
    organisation = _staff_organisation(request, slug)
    memberships = organisation.memberships.select_related("user").order_by("role", "user__name")
    invitations = organisation.invitations.pending().select_related("invited_by")
    return render(
        request,
        "directory/organisation_staff.html",
        {
            "organisation": organisation,
            "memberships": memberships,
            "invitations": invitations,
            "activity": activity_for(organisation)[:100],
            "actions": available_actions(organisation),
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
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.EDITABLE_FIELDS}
        try:
            services.organisation_update(
                actor=request.user,
                organisation=organisation,
                note=form.cleaned_data["note"],
                **data,
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Details saved.")
            return redirect(organisation.get_staff_url())
    if form.errors:
        # The bound ModelForm has written the rejected values onto the instance;
        # reload so the page header still shows what is stored.
        organisation.refresh_from_db()
    return render(
        request,
        "directory/organisation_form.html",
        {"form": form, "organisation": organisation, "title": f"Edit {organisation.name}"},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_transition(request, slug, action):
    organisation = _staff_organisation(request, slug)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    form = spec.form(
        request.POST or None,
        request.FILES or None,
        initial=_transition_initial(organisation),
        organisation=organisation,
    )
    if request.method == "POST" and form.is_valid():
        try:
            spec.run(action, actor=request.user, organisation=organisation, data=form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{spec.label}: done.")
            return redirect(organisation.get_staff_url())
    offered = action in dict(available_actions(organisation))
    return render(
        request,
        "directory/organisation_transition.html",
        {
            "organisation": organisation,
            "form": form,
            "spec": spec,
            "action": action,
            "offered": offered,
        },
        status=400 if form.errors else 200,
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
