"""The reviewer pool: who reviews, their profiles, and inviting new reviewers (staff)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.enums import InvitationRole
from accounts.forms import InvitationForm
from accounts.models import User
from accounts.services import invitation_create
from core.exceptions import ApplicationError
from core.permissions import require_perm
from core.queueing import report

from .. import services
from ..forms import ReviewerProfileForm
from ..models import ReviewerProfile
from ..selectors import pending_reviewer_invitations, reviewer_pool


@login_required
@require_http_methods(["GET", "POST"])
def pool(request):
    require_perm(request, "reviews.manage_pool")
    form = InvitationForm(request.POST or None, roles=(InvitationRole.REVIEWER,))
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitation_create(
                inviter=request.user,
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                role=InvitationRole.REVIEWER,
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            report(
                request,
                done=f"Invitation sent to {invitation.email}.",
                saved=f"Invitation to {invitation.email} saved.",
            )
            return redirect("reviews:pool")
    return render(
        request,
        "reviews/reviewer_pool.html",
        {
            "reviewers": reviewer_pool(),
            "invitations": pending_reviewer_invitations(),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request, pk):
    require_perm(request, "reviews.manage_pool")
    user = get_object_or_404(User, pk=pk, is_reviewer=True)
    profile = ReviewerProfile.objects.filter(user=user).first() or ReviewerProfile(user=user)
    form = ReviewerProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            services.reviewer_profile_save(
                actor=request.user, profile=form.instance, themes=form.cleaned_data["themes"]
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Saved {user}'s reviewer profile.")
            return redirect("reviews:pool")
    return render(
        request,
        "reviews/reviewerprofile_form.html",
        {"reviewer": user, "form": form},
        status=400 if form.errors else 200,
    )
