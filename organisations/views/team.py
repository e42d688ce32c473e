"""The organisation's team: inviting a colleague (accepting, withdrawing and removing
are the accounts app's)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts import services as account_services
from accounts.forms import InvitationForm
from core.exceptions import ApplicationError
from core.http import safe_next
from core.permissions import require_perm
from core.queueing import report

from ..models import Organisation


def _invitable_organisation(request, slug):
    organisation = get_object_or_404(Organisation, slug=slug)
    # 404, not 403: whether the organisation has a workspace for you is not disclosed.
    require_perm(request, "accounts.invite_member", organisation)
    return organisation


@login_required
@require_http_methods(["GET", "POST"])
def invitation_create(request, slug):
    organisation = _invitable_organisation(request, slug)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = account_services.invitation_create(
                inviter=request.user, organisation=organisation, **form.cleaned_data
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            report(
                request,
                done=f"Invitation sent to {invitation.email}.",
                saved=f"Invitation to {invitation.email} saved.",
            )
            return redirect(safe_next(request, organisation.get_absolute_url()))
    return render(
        request,
        "organisations/invitation_form.html",
        {
            "form": form,
            "organisation": organisation,
            "invitation_days": settings.INVITATION_VALID_DAYS,
        },
        status=400 if form.errors else 200,
    )
