"""Staff pages for the email outbox: undelivered mail, and sending a message again.

The permission ``core.manage_outbox`` is bound to the ITSS staff role outside
core (core imports no other app; see ``directory/rules.py``)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from .enums import EmailStatus
from .exceptions import ApplicationError
from .models import OutboundEmail
from .permissions import require_perm
from .selectors import UNDELIVERED, outbox_with_status
from .services import email_resend

PAGE_SIZE = 50

# What the status filter offers, and which statuses each choice stands for (None: all).
STATUS_FILTERS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "undelivered": ("Failed or bounced", UNDELIVERED),
    EmailStatus.FAILED: ("Failed", (EmailStatus.FAILED,)),
    EmailStatus.BOUNCED: ("Bounced", (EmailStatus.BOUNCED,)),
    EmailStatus.QUEUED: ("Queued", (EmailStatus.QUEUED,)),
    EmailStatus.SENT: ("Sent", (EmailStatus.SENT,)),
    "all": ("All messages", None),
}
DEFAULT_FILTER = "undelivered"


class MailFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(value, label) for value, (label, _) in STATUS_FILTERS.items()],
        required=False,
        label="Status",
    )

    def statuses(self) -> tuple[str, ...] | None:
        return STATUS_FILTERS[self.cleaned_data["status"] or DEFAULT_FILTER][1]


@login_required
@require_GET
def mail_list(request):
    require_perm(request, "core.manage_outbox")
    form = MailFilterForm(request.GET)
    # An invalid filter value (a hand-edited URL) shows the form's error, not a 500.
    results = (
        outbox_with_status(form.statuses()) if form.is_valid() else OutboundEmail.objects.none()
    )
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/mail_list.html",
        {"form": form, "page": page, "querystring": query.urlencode()},
    )


@login_required
@require_POST
def mail_resend(request, pk):
    """Queue a failed or bounced message again, then go back where the button was."""
    require_perm(request, "core.manage_outbox")
    email = get_object_or_404(OutboundEmail, pk=pk)
    try:
        email_resend(email=email, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"“{email.subject}” to {', '.join(email.to)} is queued to be sent again."
        )
    return redirect(_back(request))


def _back(request) -> str:
    """The page the form came from (``next``), if it is one of ours; else the mail page."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("core:mail")
