"""The organisation's own workspace, for its lead and contributors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.forms import InvitationForm
from core.permissions import require_perm
from core.views_forms import form_status, form_submitted

from ..forms import PublicDetailsForm
from ..hooks import panels
from ..models import PUBLIC_DETAIL_FIELDS
from ..selectors import organisations_visible_to
from ..services import organisation_update_public_details


@login_required
@require_GET
def workspace(request, slug):
    organisation = get_object_or_404(
        organisations_visible_to(user=request.user).select_related("cohort"), slug=slug
    )
    require_perm(request, "organisations.view_workspace", organisation)
    can_invite = request.user.has_perm("accounts.invite_member", organisation)
    invitations = []
    if can_invite:
        invitations = organisation.invitations.pending().select_related("invited_by")
    return render(
        request,
        "organisations/organisation_workspace.html",
        {
            "organisation": organisation,
            "panels": panels("workspace", request=request, organisation=organisation),
            "memberships": organisation.memberships.select_related("user").order_by(
                "role", "user__name"
            ),
            "invitations": invitations,
            "can_invite": can_invite,
            "invite_form": InvitationForm() if can_invite else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def public_details_edit(request, slug):
    organisation = get_object_or_404(organisations_visible_to(user=request.user), slug=slug)
    require_perm(request, "organisations.edit_public_details", organisation)
    form = PublicDetailsForm(request.POST or None, instance=organisation)

    def save(data):
        fields = {name: data[name] for name in PUBLIC_DETAIL_FIELDS}
        return organisation_update_public_details(
            actor=request.user, organisation=organisation, **fields
        )

    if form_submitted(request, form, save):
        messages.success(request, "Public details saved.")
        return redirect(organisation)
    return render(
        request,
        "organisations/organisation_public_details.html",
        {"organisation": organisation, "form": form},
        status=form_status(form),
    )
