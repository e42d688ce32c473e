"""The reviewer pool: who reviews, their profiles, and inviting new reviewers (staff)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.enums import InvitationRole
from accounts.forms import InvitationForm
from accounts.models import User
from accounts.services import invitation_create
from core.permissions import require_perm
from core.queueing import report
from core.views_forms import form_status, form_submitted

from .. import services
from ..forms import ReviewerProfileForm
from ..models import ReviewerProfile
from ..selectors import pending_reviewer_invitations, reviewer_pool


@login_required
@require_http_methods(["GET", "POST"])
def pool(request):
    require_perm(request, "reviews.manage_pool")
    form = InvitationForm(request.POST or None, roles=(InvitationRole.REVIEWER,))

    def invite(data):
        return invitation_create(
            inviter=request.user,
            email=data["email"],
            name=data["name"],
            role=InvitationRole.REVIEWER,
        )

    if form_submitted(request, form, invite):
        report(
            request,
            done=f"Invitation sent to {form.outcome.email}.",
            saved=f"Invitation to {form.outcome.email} saved.",
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
        status=form_status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request, pk):
    require_perm(request, "reviews.manage_pool")
    user = get_object_or_404(User, pk=pk, is_reviewer=True)
    profile = ReviewerProfile.objects.filter(user=user).first() or ReviewerProfile(user=user)
    form = ReviewerProfileForm(request.POST or None, instance=profile)

    def save(data):
        return services.reviewer_profile_save(
            actor=request.user, profile=form.instance, themes=data["themes"]
        )

    if form_submitted(request, form, save):
        messages.success(request, f"Saved {user}'s reviewer profile.")
        return redirect("reviews:pool")
    return render(
        request,
        "reviews/reviewerprofile_form.html",
        {"reviewer": user, "form": form},
        status=form_status(form),
    )
