"""The organisation's own workspace, for its lead and contributors."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from accounts.forms import InvitationForm
from core.permissions import require_perm

from ..selectors import organisations_visible_to


@login_required
@require_GET
def workspace(request, slug):
    organisation = get_object_or_404(
        organisations_visible_to(user=request.user).select_related("cohort"), slug=slug
    )
    require_perm(request, "directory.view_workspace", organisation)
    can_invite = request.user.has_perm("accounts.invite_member", organisation)
    invitations = []
    if can_invite:
        invitations = organisation.invitations.pending().select_related("invited_by")
    return render(
        request,
        "directory/organisation_workspace.html",
        {
            "organisation": organisation,
            "memberships": organisation.memberships.select_related("user").order_by(
                "role", "user__name"
            ),
            "invitations": invitations,
            "can_invite": can_invite,
            "invite_form": InvitationForm() if can_invite else None,
        },
    )
