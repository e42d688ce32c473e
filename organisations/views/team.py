"""The organisation's team: inviting a colleague (accepting, withdrawing and removing
are the accounts app's)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts import services as account_services
from accounts.forms import InvitationForm
from core.http import safe_next
from core.permissions import require_perm
from core.queueing import report
from core.views_forms import form_status, form_submitted

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

    def invite(data):
        return account_services.invitation_create(
            inviter=request.user, organisation=organisation, **data
        )

    if form_submitted(request, form, invite):
        email = form.outcome.email
        report(request, done=f"Invitation sent to {email}.", saved=f"Invitation to {email} saved.")
        return redirect(safe_next(request, organisation.get_absolute_url()))
    return render(
        request,
        "organisations/invitation_form.html",
        {
            "form": form,
            "organisation": organisation,
            "invitation_days": settings.INVITATION_VALID_DAYS,
        },
        status=form_status(form),
    )
