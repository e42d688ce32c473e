"""The ITSS staff pages: pipeline, organisation record, onboarding transitions."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
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
from action_plans.lapsing import organisation_lapsing, organisations_lapsing
from core.exceptions import ApplicationError
from core.permissions import require_perm
from core.selectors import outbox_about, undelivered_count
from core.services import activity_for

from .. import services
from ..enums import (
    LAPSE_TRANSITIONS,
    ONBOARDING_TRANSITIONS,
    REINSTATE_TRANSITIONS,
    OnboardingStatus,
)
from ..filters import PipelineFilter
from ..forms import (
    AnnouncementForm,
    EnquiryForm,
    LapseForm,
    MeetingForm,
    NoteForm,
    OrganisationForm,
    RestoreForm,
    SignedFormForm,
    WithdrawForm,
)
from ..models import Organisation
from ..selectors import pipeline_counts

S = OnboardingStatus
PAGE_SIZE = 50
# The staff page lists this many of an organisation's messages, newest first.
OUTBOX_LIMIT = 50


@dataclass(frozen=True)
class TransitionAction:
    label: str
    form: type[django_forms.Form]
    to: str | None  # None: the service decides (reinstate)
    table: Mapping[str, frozenset[str]]  # the transition table the step belongs to
    button_class: str = "btn-primary"

    def run(self, name, *, actor, organisation, data: dict[str, Any]):
        return _RUNNERS[name](actor, organisation, data)

    def allowed_from(self, status: str) -> bool:
        targets = self.table.get(status, frozenset())
        return bool(targets) if self.to is None else self.to in targets


ACTIONS: dict[str, TransitionAction] = {
    "meeting": TransitionAction(
        "Record the meeting", MeetingForm, S.MEETING_HELD, ONBOARDING_TRANSITIONS
    ),
    "form": TransitionAction(
        "Record the signed form", SignedFormForm, S.FORM_RECEIVED, ONBOARDING_TRANSITIONS
    ),
    "announce": TransitionAction(
        "Record the announcement", AnnouncementForm, S.ANNOUNCED, ONBOARDING_TRANSITIONS
    ),
    "activate": TransitionAction("Activate", NoteForm, S.ACTIVE, ONBOARDING_TRANSITIONS),
    "lapse": TransitionAction("Lapse", LapseForm, S.LAPSED, LAPSE_TRANSITIONS, "btn-danger"),
    "restore": TransitionAction(
        "Restore", RestoreForm, S.ACTIVE, LAPSE_TRANSITIONS, "btn-outline-primary"
    ),
    "withdraw": TransitionAction(
        "Withdraw", WithdrawForm, S.WITHDRAWN, ONBOARDING_TRANSITIONS, "btn-outline-danger"
    ),
    "reinstate": TransitionAction(
        "Reinstate", NoteForm, None, REINSTATE_TRANSITIONS, "btn-outline-primary"
    ),
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
    "lapse": lambda actor, org, d: services.organisation_lapse(
        actor=actor, organisation=org, note=d["note"]
    ),
    "restore": lambda actor, org, d: services.organisation_restore(
        actor=actor, organisation=org, note=d["note"]
    ),
    "withdraw": lambda actor, org, d: services.organisation_withdraw(
        actor=actor, organisation=org, reason=d["reason"]
    ),
    "reinstate": lambda actor, org, d: services.organisation_reinstate(
        actor=actor, organisation=org, note=d["note"]
    ),
}


def available_actions(
    organisation: Organisation, *, lapsing: bool = False
) -> list[tuple[str, TransitionAction]]:
    """The steps the tables allow from the organisation's status. Lapsing is offered
    only while the organisation is lapsing (the service would refuse it otherwise)."""
    return [
        (name, action)
        for name, action in ACTIONS.items()
        if action.allowed_from(organisation.status) and (name != "lapse" or lapsing)
    ]


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
        "organisations/organisation_form.html",
        {"form": form, "title": "Record a new enquiry"},
        status=400 if form.errors else 200,
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
            "actions": available_actions(organisation, lapsing=lapsing is not None),
            "lapsing": lapsing,
            "lapsing_after_months": settings.LAPSING_AFTER_MONTHS,
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
        "organisations/organisation_form.html",
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
    lapsing = organisation_lapsing(organisation) if action == "lapse" else None
    offered = action in dict(available_actions(organisation, lapsing=lapsing is not None))
    return render(
        request,
        "organisations/organisation_transition.html",
        {
            "organisation": organisation,
            "form": form,
            "spec": spec,
            "action": action,
            "offered": offered,
            "lapsing": lapsing,
            "lapsing_after_months": settings.LAPSING_AFTER_MONTHS,
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
