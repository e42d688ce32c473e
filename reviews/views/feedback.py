"""What the institution reads once feedback is released, and the reviewer's certificate."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from action_plans.views.common import submission_for
from core.http import private_file_response
from core.permissions import require_perm

from .. import documents, selectors, services


def _released(request, slug, number):
    submission = submission_for(request, slug, number)
    feedback = selectors.released_feedback_for(submission)
    if feedback is None:
        raise Http404
    require_perm(request, "reviews.view_feedback", feedback)
    return submission, feedback


@login_required
@require_GET
def feedback_detail(request, slug, number):
    """The released feedback: outcome, judgement, strengths, areas to develop and each
    theme's feedback. Never a reviewer's name or an individual score."""
    submission, feedback = _released(request, slug, number)
    return render(
        request,
        "reviews/feedback_detail.html",
        {"submission": submission, "organisation": submission.organisation, "feedback": feedback},
    )


@login_required
@require_POST
def feedback_report_prepare(request, slug, number):
    """Ask again for the feedback's PDF report, when it is missing (lost on the way, say a
    broker outage at release). Reading the feedback page never asks for it."""
    _, feedback = _released(request, slug, number)
    if not feedback.report:
        services.feedback_report_queue(feedback=feedback)
        messages.info(request, "The PDF of this feedback is being prepared.")
    return redirect("reviews:feedback", slug=slug, number=number)


@login_required
@require_GET
def feedback_pdf(request, slug, number):
    submission, feedback = _released(request, slug, number)
    if not feedback.report:
        raise Http404
    return private_file_response(
        feedback.report,
        filename=f"{submission.organisation.slug}-stage-{submission.stage_number}-feedback.pdf",
        content_type="application/pdf",
    )


@login_required
@require_GET
def certificate(request):
    require_perm(request, "reviews.view_reviewer_dashboard")
    response = HttpResponse(
        documents.certificate_render(reviewer=request.user), content_type="application/pdf"
    )
    response["Content-Disposition"] = 'attachment; filename="peer-review-certificate.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
