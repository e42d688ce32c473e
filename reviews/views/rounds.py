"""Staff pages of review rounds: the rounds, a round's progress, assigning teams, export."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from action_plans.enums import SubmissionStatus
from action_plans.models import Submission
from action_plans.selectors import themes_in_use
from core.exceptions import ApplicationError
from core.permissions import require_perm
from core.spreadsheets import safe_cell
from core.views_forms import form_status, form_submitted

from .. import selectors, services
from ..enums import AssignmentStatus
from ..forms import ReopenForm, ReviewRoundForm, TeamForm, WithdrawForm
from ..models import Assignment, ReviewRound

ROUND_PAGE = "reviews/reviewround_detail.html"


@login_required
@require_http_methods(["GET", "POST"])
def round_list(request):
    require_perm(request, "reviews.manage_rounds")
    form = ReviewRoundForm(request.POST or None)

    def save(_data):
        return services.review_round_save(actor=request.user, review_round=form.instance)

    if form_submitted(request, form, save):
        messages.success(request, f"Review round “{form.outcome}” added.")
        return redirect(form.outcome.get_absolute_url())
    return render(
        request,
        "reviews/reviewround_list.html",
        {"rounds": selectors.rounds_with_counts(), "form": form},
        status=form_status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_edit(request, pk):
    require_perm(request, "reviews.manage_rounds")
    review_round = get_object_or_404(ReviewRound, pk=pk)
    form = ReviewRoundForm(request.POST or None, instance=review_round)

    def save(_data):
        return services.review_round_save(actor=request.user, review_round=form.instance)

    if form_submitted(request, form, save):
        messages.success(request, "Round settings saved.")
        return redirect(review_round.get_absolute_url())
    return render(
        request,
        "reviews/reviewround_form.html",
        {"round": review_round, "form": form},
        status=form_status(form),
    )


@login_required
@require_GET
def round_detail(request, pk):
    require_perm(request, "reviews.manage_rounds")
    review_round = get_object_or_404(ReviewRound.objects.select_related("submission_round"), pk=pk)
    progress = selectors.round_progress(review_round)
    # "?feedback=ready": only the feedback the lead reviewers marked ready; anything else, all.
    only_ready = request.GET.get("feedback") == "ready"
    return render(
        request,
        ROUND_PAGE,
        {
            "round": review_round,
            "progress": progress,
            "only_ready": only_ready,
            "rows": progress.ready if only_ready else progress.rows,
        },
    )


def round_submission_for(request, pk, submission_pk):
    require_perm(request, "reviews.assign_reviewers")
    review_round = get_object_or_404(ReviewRound.objects.select_related("submission_round"), pk=pk)
    submission = get_object_or_404(
        selectors.round_submissions(review_round).select_related("organisation"), pk=submission_pk
    )
    return review_round, submission


@login_required
@require_http_methods(["GET", "POST"])
def team_assign(request, pk, submission):
    """Propose a team for one submission; staff change it and confirm."""
    review_round, submission = round_submission_for(request, pk, submission)
    taken = list(submission.review_assignments.select_related("reviewer").order_by("created_at"))
    team = [a for a in taken if a.is_active]
    places = max(review_round.team_size - len(team), 0)
    proposal = selectors.submission_proposal(review_round, submission)
    candidates = proposal.candidates
    needs_lead = not any(a.is_lead for a in team)
    initial = {
        "reviewers": [p.pk for p in proposal.reviewers],
        "lead": proposal.lead.pk if proposal.lead and needs_lead else None,
    }
    form = TeamForm(
        request.POST or None,
        initial=initial,
        candidates=candidates,
        places=places,
        needs_lead=needs_lead,
    )
    if request.method == "POST" and places and form.is_valid():
        chosen = list(form.cleaned_data["reviewers"])
        lead = form.cleaned_data.get("lead")
        try:
            services.reviewers_assign(
                actor=request.user,
                review_round=review_round,
                submission=submission,
                reviewers=[p.user for p in chosen],
                lead=lead.user if lead else None,
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, f"{len(chosen)} reviewer{'s' if len(chosen) != 1 else ''} asked."
            )
            return redirect(review_round.get_absolute_url())
    return render(
        request,
        "reviews/assignment_team.html",
        {
            "round": review_round,
            "submission": submission,
            "team": team,
            "declined": [a for a in taken if not a.is_active],
            "places": places,
            "proposal": proposal,
            "candidates": candidates,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def review_resume(request, pk, submission):
    """Resume the review of a stage submitted again after it was reopened."""
    review_round, found = round_submission_for(request, pk, submission)
    try:
        asked = services.review_resume(
            actor=request.user, review_round=review_round, submission=found
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"The review of {found} resumes; {len(asked)} reviewer"
            f"{'s' if len(asked) != 1 else ''} asked again.",
        )
    return redirect(review_round.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def submission_reopen(request, submission):
    """Reopen a submitted stage, taking its reviewers off their open reviews first."""
    found = get_object_or_404(
        Submission.objects.select_related("organisation").exclude(
            status=SubmissionStatus.IN_PROGRESS
        ),
        pk=submission,
    )
    require_perm(request, "action_plans.reopen_submission", found)
    form = ReopenForm(request.POST or None)

    def reopen(data):
        return services.submission_reopen(
            actor=request.user, submission=found, reason=data["reason"]
        )

    if form_submitted(request, form, reopen):
        messages.success(
            request,
            f"Stage {found.stage_number} is reopened for the organisation to edit; its "
            "reviewers with reviews still open are taken off and told.",
        )
        return redirect(found)
    open_assignments = found.review_assignments.filter(
        status__in=(AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED)
    ).select_related("reviewer", "round")
    return render(
        request,
        "reviews/submission_reopen.html",
        {
            "submission": found,
            "organisation": found.organisation,
            "open_assignments": list(open_assignments),
            "kept": found.review_assignments.filter(status=AssignmentStatus.SUBMITTED).count(),
            "form": form,
        },
        status=form_status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_assign_all(request, pk):
    """A proposed team for every submission short of reviewers; one button confirms all."""
    require_perm(request, "reviews.assign_reviewers")
    review_round = get_object_or_404(ReviewRound.objects.select_related("submission_round"), pk=pk)
    proposals = selectors.round_proposals(review_round)
    if request.method == "POST":
        assigned, refused = 0, []
        for proposal in proposals:
            if not proposal.reviewers:
                continue
            try:
                # The proposal lists its lead first: the service makes the first named the
                # lead when the team has none yet.
                services.reviewers_assign(
                    actor=request.user,
                    review_round=review_round,
                    submission=proposal.submission,
                    reviewers=[p.user for p in proposal.reviewers],
                )
            except ApplicationError as exc:
                refused.append(f"{proposal.submission}: {exc.message}")
            else:
                assigned += len(proposal.reviewers)
        if assigned:
            messages.success(request, f"{assigned} reviewers asked across the round.")
        for message in refused:
            messages.error(request, message)
        if not assigned and not refused:
            messages.info(request, "Nothing to assign: every submission has its team.")
        return redirect(review_round.get_absolute_url())
    return render(
        request,
        "reviews/reviewround_assign.html",
        {"round": review_round, "proposals": proposals},
    )


@login_required
@require_http_methods(["GET", "POST"])
def assignment_withdraw(request, pk):
    require_perm(request, "reviews.assign_reviewers")
    assignment = get_object_or_404(
        Assignment.objects.select_related("round", "reviewer", "submission__organisation"), pk=pk
    )
    form = WithdrawForm(request.POST or None)

    def withdraw(data):
        return services.assignment_withdraw(
            actor=request.user, assignment=assignment, note=data["note"]
        )

    if form_submitted(request, form, withdraw):
        messages.success(request, f"{assignment.reviewer} taken off {assignment.submission}.")
        return redirect(
            "reviews:assign", pk=assignment.round_id, submission=assignment.submission_id
        )
    return render(
        request,
        "reviews/assignment_withdraw.html",
        {"assignment": assignment, "form": form},
        status=form_status(form),
    )


EXPORT_COLUMNS = [
    "organisation",
    "stage",
    "reviewer",
    "reviewer email",
    "lead",
    "status",
    "submitted at",
    "suggested outcome",
]


@login_required
@require_GET
def round_export(request, pk):
    """The round's reviews and scores, one row per assignment, as CSV."""
    require_perm(request, "reviews.manage_rounds")
    review_round = get_object_or_404(ReviewRound, pk=pk)
    themes = list(themes_in_use())
    assignments = (
        review_round.assignments.select_related(
            "reviewer", "submission__organisation", "review__suggested_outcome"
        )
        .prefetch_related("review__scores__level")
        .order_by("submission__organisation__name", "submission__stage_number", "-is_lead", "pk")
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="reviews-{review_round.pk}-{stamp}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        EXPORT_COLUMNS
        + [f"{t.name} score" for t in themes]
        + [f"{t.name} comment" for t in themes]
        + ["strengths", "areas to develop", "recommendations"]
    )
    for a in assignments:
        review = getattr(a, "review", None)
        scores = {s.theme_id: s for s in review.scores.all()} if review else {}
        writer.writerow(
            [
                safe_cell(a.submission.organisation.name),
                a.submission.stage_number,
                safe_cell(a.reviewer.name),
                a.reviewer.email,
                "yes" if a.is_lead else "",
                a.get_status_display(),
                timezone.localtime(review.submitted_at).isoformat(timespec="minutes")
                if review and review.submitted_at
                else "",
                safe_cell(str(review.suggested_outcome or "")) if review else "",
            ]
            + [
                scores[t.pk].level.label if t.pk in scores and scores[t.pk].level else ""
                for t in themes
            ]
            + [safe_cell(scores[t.pk].comment) if t.pk in scores else "" for t in themes]
            + (
                [
                    safe_cell(review.strengths),
                    safe_cell(review.areas_to_develop),
                    safe_cell(review.recommendations),
                ]
                if review
                else ["", "", ""]
            )
        )
    return response
