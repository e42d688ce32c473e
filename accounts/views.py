from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core.exceptions import ApplicationError
from core.http import safe_next
from core.permissions import require_perm
from core.queueing import report

from . import selectors, services
from .enums import InvitationRole
from .forms import AcceptInvitationForm
from .models import ENROLMENT_LINK_VALID, Invitation, Membership
from .rules import is_itss_staff
from .two_factor import enrolment_allow, enrolment_allowed


@login_required
def home(request):
    """Where a person lands after signing in: the part of the portal for their roles."""
    memberships = list(request.user.memberships.select_related("organisation"))
    if is_itss_staff(request.user):
        return redirect("organisations:pipeline")
    if len(memberships) == 1 and not request.user.is_reviewer:
        return redirect(memberships[0].organisation.get_absolute_url())
    if request.user.is_reviewer and not memberships:
        return redirect("reviews:dashboard")
    return render(request, "accounts/home.html", {"memberships": memberships})


def _team_organisation(request, organisation):
    # 404, not 403: whether the organisation has a workspace for you is not disclosed.
    require_perm(request, "accounts.invite_member", organisation)
    return organisation


@login_required
@require_POST
def invitation_revoke(request, pk):
    invitation = get_object_or_404(Invitation.objects.select_related("organisation"), pk=pk)
    if invitation.organisation is not None:
        fallback = _team_organisation(request, invitation.organisation)
        fallback = fallback.get_absolute_url()
    else:
        require_perm(request, "accounts.invite_reviewer")
        fallback = reverse("reviews:pool")
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"The invitation to {invitation.email} was withdrawn.")
    return redirect(safe_next(request, fallback))


@login_required
@require_POST
def membership_remove(request, pk):
    membership = get_object_or_404(Membership.objects.select_related("organisation", "user"), pk=pk)
    organisation = _team_organisation(request, membership.organisation)
    try:
        services.membership_remove(actor=request.user, membership=membership)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{membership.user} was removed from {organisation}.")
    return redirect(safe_next(request, organisation.get_absolute_url()))


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by").filter(token=token).first()
    )
    if invitation is None:
        return render(
            request,
            "accounts/invitation_problem.html",
            {
                "problem": "This invitation link is not valid. Check that you copied the "
                "whole link from the email."
            },
            status=404,
        )
    problem = services.invitation_problem(invitation)
    if problem:
        return render(
            request,
            "accounts/invitation_problem.html",
            {"problem": problem, "invitation": invitation},
            status=410,
        )
    user = request.user if request.user.is_authenticated else None
    existing = (
        None if user else services.User.objects.filter(email__iexact=invitation.email).first()
    )
    form = AcceptInvitationForm(request.POST or None) if not (user or existing) else None
    if request.method == "POST":
        try:
            if user:
                services.invitation_accept(invitation=invitation, user=user)
            elif form is not None and form.is_valid():
                user = services.invitation_accept(
                    invitation=invitation,
                    name=form.cleaned_data["name"],
                    password=form.cleaned_data["password1"],
                )
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                user = None
        except ApplicationError as exc:
            if form is not None:
                form.add_error(None, exc.message)
            else:
                messages.error(request, exc.message)
            user = None
        if user is not None:
            # The link reached the account's own address: that is the proof a first
            # authenticator needs (accounts.two_factor).
            enrolment_allow(request)
            messages.success(request, _welcome(invitation))
            return redirect("accounts:home")
    return render(
        request,
        "accounts/invitation_accept.html",
        {
            "invitation": invitation,
            "form": form,
            "existing_account": existing,
            "is_reviewer_invitation": invitation.role == InvitationRole.REVIEWER,
        },
        status=400 if form is not None and form.errors else 200,
    )


def _welcome(invitation):
    if invitation.role == InvitationRole.REVIEWER:
        return "Welcome: you are now a peer reviewer."
    return f"Welcome to {invitation.organisation}'s team on the portal."


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_confirm(request):
    """Before a first authenticator: email a one-time link to the account's own address."""
    user = request.user
    if is_mfa_enabled(user):
        return redirect("mfa_index")
    if enrolment_allowed(request):
        return redirect("mfa_activate_totp")
    if request.method == "POST":
        try:
            services.enrolment_link_send(user=user)
        except ApplicationError as exc:
            return _two_factor_confirm_page(request, problem=exc.message, status=429)
        report(
            request,
            done=f"We have emailed a link to {user.email}.",
            saved=f"A link for {user.email} is ready to go out.",
        )
        return redirect("accounts:two_factor_confirm")
    return _two_factor_confirm_page(request)


def _two_factor_confirm_page(request, *, problem: str = "", status: int = 200):
    return render(
        request,
        "accounts/two_factor_confirm.html",
        {
            "latest": selectors.enrolment_link_latest(user=request.user),
            "problem": problem,
            "valid_minutes": int(ENROLMENT_LINK_VALID.total_seconds() // 60),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_link(request, token):
    """The emailed link. A GET only shows a button, so that a mail scanner following the
    link cannot use it up; the POST lets this session set up an authenticator."""
    if is_mfa_enabled(request.user):
        return redirect("mfa_index")
    link = selectors.enrolment_link_for_token(token)
    problem = selectors.enrolment_link_problem(link, user=request.user)
    if not problem and request.method == "POST":
        try:
            services.enrolment_link_use(user=request.user, token=token)
        except ApplicationError as exc:
            problem = exc.message
        else:
            enrolment_allow(request)
            messages.success(request, "Thank you. Now set up your authenticator app.")
            return redirect("mfa_activate_totp")
    if problem:
        unknown = link is None or link.user_id != request.user.pk
        return render(
            request,
            "accounts/two_factor_link_problem.html",
            {"problem": problem},
            status=404 if unknown else 410,
        )
    return render(request, "accounts/two_factor_link.html", {"link": link})
