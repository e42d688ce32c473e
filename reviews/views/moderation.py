"""Moderation: a submission's reviews side by side, and the consolidated feedback written
from them by the lead reviewer or staff; staff release it to the institution."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from action_plans.selectors import themes_in_use
from core.exceptions import ApplicationError
from core.permissions import require_perm
from core.queueing import report

from .. import selectors, services
from ..forms import FeedbackForm, ReadyForm
from ..models import Assignment, Feedback
from .rounds import round_submission_for

PAGE = "reviews/feedback_form.html"
CONFLICT = 409


@login_required
@require_http_methods(["GET", "POST"])
def moderate(request, pk, submission):
    review_round, found = round_submission_for(request, pk, submission)
    crumbs = [
        (reverse("reviews:rounds"), "Review rounds"),
        (review_round.get_absolute_url(), review_round.name),
    ]
    return _moderation(request, review_round, found, crumbs=crumbs)


@login_required
@require_http_methods(["GET", "POST"])
def lead_feedback(request, pk):
    """The lead reviewer writes the feedback from the team's reviews."""
    assignment = get_object_or_404(
        Assignment.objects.select_related("round", "submission__organisation"),
        pk=pk,
        reviewer=request.user,
    )
    require_perm(request, "reviews.write_feedback", assignment.submission)
    crumbs = [
        (reverse("reviews:dashboard"), "Your reviews"),
        (
            assignment.get_absolute_url(),
            f"Your review of Stage {assignment.submission.stage_number}",
        ),
    ]
    return _moderation(
        request, assignment.round, assignment.submission, crumbs=crumbs, lead=assignment
    )


@login_required
@require_POST
def feedback_ready(request, pk):
    """The lead reviewer marks the feedback ready for staff to release."""
    assignment = get_object_or_404(
        Assignment.objects.select_related("round", "submission__organisation"),
        pk=pk,
        reviewer=request.user,
    )
    require_perm(request, "reviews.write_feedback", assignment.submission)
    feedback = get_object_or_404(
        Feedback.objects.select_related("submission"),
        round=assignment.round,
        submission=assignment.submission,
    )
    form = ReadyForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.feedback_mark_ready(actor=request.user, feedback=feedback, note=note)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        report(
            request,
            done="Marked ready for release: the ITSS team have been told.",
            saved="Marked ready for release.",
        )
    return redirect(reverse("reviews:lead_feedback", args=[pk]) + "#feedback")


def _moderation(request, review_round, submission, *, crumbs: list[tuple[str, str]], lead=None):
    """The page, and its posts: starting the feedback, or saving it."""
    feedback = (
        Feedback.objects.filter(round=review_round, submission=submission)
        .select_related("outcome", "released_by", "updated_by")
        .prefetch_related("themes__theme")
        .first()
    )
    if request.method == "POST" and request.POST.get("start"):
        try:
            services.feedback_start(
                actor=request.user, review_round=review_round, submission=submission
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect(request.path + "#feedback")
    if request.method == "POST" and (feedback is None or feedback.is_released):
        messages.error(
            request,
            "Start the feedback first."
            if feedback is None
            else "Released feedback cannot be changed.",
        )
        return redirect(request.path)
    form, status = None, 200
    if feedback is not None and not feedback.is_released:
        form = _feedback_form(feedback, request.POST or None)
        if request.method == "POST":
            status = _feedback_save(request, feedback, form)
            if status == 302:
                messages.success(request, "Feedback saved.")
                return redirect(request.path + "#feedback")
    reviews = selectors.reviews_of_submission(submission, review_round)
    context = {
        "round": review_round,
        "submission": submission,
        "organisation": submission.organisation,
        "reviews": reviews,
        "submitted_reviews": [r for r in reviews if r.is_submitted],
        "summaries": selectors.theme_summaries(reviews, list(themes_in_use())),
        "feedback": feedback,
        "missing": selectors.feedback_missing(feedback) if feedback else [],
        "form": form,
        "crumbs": crumbs,
        # The lead reviewer's own page offers "ready for release"; staff see the mark.
        "lead_assignment": lead,
        "ready_form": ReadyForm() if lead is not None else None,
    }
    return render(request, PAGE, context, status=status)


def _feedback_form(feedback: Feedback, data=None) -> FeedbackForm:
    return FeedbackForm(
        data,
        initial={
            "version": feedback.version,
            "outcome": feedback.outcome_id,
            "summary": feedback.summary,
            "strengths": feedback.strengths,
            "areas_to_develop": feedback.areas_to_develop,
            "recommendations": feedback.recommendations,
        },
        theme_rows=list(feedback.themes.all()),
    )


def _feedback_save(request, feedback: Feedback, form: FeedbackForm) -> int:
    """Save the posted feedback; the status to answer (302 when saved)."""
    if not form.is_valid():
        return 400
    data = form.cleaned_data
    try:
        services.feedback_save(
            actor=request.user,
            feedback=feedback,
            version=data["version"],
            outcome=data["outcome"],
            summary=data["summary"],
            strengths=data["strengths"],
            areas_to_develop=data["areas_to_develop"],
            recommendations=data["recommendations"],
            themes=form.theme_texts(),
        )
    except services.StaleEdit as exc:
        form.add_error(None, exc.message)
        return CONFLICT
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return 400
    return 302


@login_required
@require_POST
def feedback_release(request, pk):
    require_perm(request, "reviews.release_feedback")
    feedback = get_object_or_404(Feedback.objects.select_related("round", "submission"), pk=pk)
    try:
        services.feedback_release(actor=request.user, feedback=feedback)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Feedback released to {feedback.submission.organisation}.")
    return redirect("reviews:moderate", pk=feedback.round_id, submission=feedback.submission_id)
