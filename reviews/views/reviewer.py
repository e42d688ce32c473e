"""The peer reviewer's pages: their assignments, replying, reviewing, conflicts.

Every page that shows a submission goes through ``_assignment_for``: the assignment must be
the reviewer's own and the conflict rule must allow it (``reviews.review_submission``), or
the answer is 404, whatever the address. Its content, attachments and PDF wait until the
reviewer has accepted, declaring no conflict of interest (``reviews.read_submission``):
until then the page shows the organisation, stage, round and due date, and the reply."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from action_plans import packs
from action_plans import selectors as plan_selectors
from action_plans.enums import PackDocument, PackStatus, SubmissionStatus
from action_plans.selectors import themes_in_use
from core.exceptions import ApplicationError
from core.http import private_file_response
from core.permissions import require_perm
from core.uploads import CONTENT_TYPES
from core.views_forms import form_status, form_submitted

from .. import selectors, services
from ..enums import AssignmentStatus
from ..forms import AcceptForm, AssignmentConflictForm, ConflictForm, DeclineForm, ReviewForm
from ..models import Assignment, Conflict

PAGE = "reviews/assignment_detail.html"
REPLY_PAGE = "reviews/assignment_reply.html"
DRAFT_STATUS = "reviews/assignment_detail.html#draft-status"
CONFLICT = 409


@login_required
@require_GET
def dashboard(request):
    require_perm(request, "reviews.view_reviewer_dashboard")
    assignments = list(selectors.assignments_of(request.user))
    current = [
        a for a in assignments if a.status in (AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED)
    ]
    labels = selectors.institution_labels(current)
    return render(
        request,
        "reviews/reviewer_dashboard.html",
        {
            "current": [(a, labels[a.pk]) for a in current],
            "history": [a for a in assignments if a not in current],
            "completed": sum(1 for a in assignments if a.status == AssignmentStatus.SUBMITTED),
            "profile": getattr(request.user, "reviewer_profile", None),
            "conflicts": Conflict.objects.filter(reviewer=request.user).select_related(
                "organisation"
            ),
        },
    )


def _assignment_for(request, pk) -> Assignment:
    assignment = get_object_or_404(
        Assignment.objects.select_related("round", "submission__organisation", "reviewer"),
        pk=pk,
        reviewer=request.user,
    )
    require_perm(request, "reviews.review_submission", assignment.submission)
    return assignment


def _reply_page(request, assignment, *, forms=None, status=200):
    """What a reviewer asked to review sees before replying: who and what, not the content."""
    forms = forms or {}
    return render(
        request,
        REPLY_PAGE,
        {
            "assignment": assignment,
            "round": assignment.round,
            "submission": assignment.submission,
            "institution": selectors.institution_label(assignment.round, assignment.submission),
            "show_names": assignment.round.show_institution,
            "accept_form": forms.get("accept") or AcceptForm(),
            "conflict_form": forms.get("conflict") or AssignmentConflictForm(),
            "decline_form": forms.get("decline") or DeclineForm(),
        },
        status=status,
    )


def _page(request, assignment, *, review_form=None, status=200):
    if not request.user.has_perm("reviews.read_submission", assignment.submission):
        return _reply_page(request, assignment, status=status)
    submission = plan_selectors.submission_for_editing(assignment.submission)
    review = None
    if assignment.status != AssignmentStatus.INVITED:
        review = selectors.review_with_scores(assignment)
    if (
        review is not None
        and review_form is None
        and assignment.status == AssignmentStatus.ACCEPTED
    ):
        review_form = _review_form(review)
    user = request.user
    others = []
    if user.has_perm("reviews.view_other_reviews", assignment.submission):
        others = [
            r
            for r in selectors.reviews_of_submission(assignment.submission, assignment.round)
            if r.assignment_id != assignment.pk and r.is_submitted
        ]
    pack = _reviewer_pack(assignment, submission)
    return render(
        request,
        PAGE,
        {
            "assignment": assignment,
            "round": assignment.round,
            "submission": submission,
            "institution": selectors.institution_label(assignment.round, submission),
            "show_names": assignment.round.show_institution,
            "review": review,
            "review_form": review_form,
            "review_missing": selectors.review_missing(review) if review else [],
            "reopened": submission.status == SubmissionStatus.IN_PROGRESS,
            "previous_feedback": selectors.previous_stage_feedback(submission),
            "others": others,
            "pack": pack,
            "can_write_feedback": user.has_perm("reviews.write_feedback", assignment.submission),
            "themes": list(themes_in_use()),
        },
        status=status,
    )


def _review_form(review, data=None):
    """The review form, from a review whose scores are prefetched with their themes."""
    scores = list(review.scores.all())
    return ReviewForm(
        data,
        scores=scores,
        initial={
            "version": review.version,
            "strengths": review.strengths,
            "areas_to_develop": review.areas_to_develop,
            "recommendations": review.recommendations,
            "suggested_outcome": review.suggested_outcome_id,
        },
    )


@login_required
@require_GET
def assignment_detail(request, pk):
    return _page(request, _assignment_for(request, pk))


ACCEPTED_MESSAGE = (
    "Thank you: the review is yours. Save your draft at any time with “Save draft”; "
    "in a browser running scripts it is also saved a few seconds after you stop typing."
)


def _reply(request, pk, form_class, key: str, act):
    """A reply to an assignment (accept, declare a conflict, decline): ``act`` calls the
    service with the valid form's data; the reply page again, with the error, if refused."""
    assignment = _assignment_for(request, pk)
    require_perm(request, "reviews.respond_to_assignment", assignment)
    if assignment.status != AssignmentStatus.INVITED:
        messages.error(request, "You have already replied to this request.")
        return None, redirect(assignment.get_absolute_url())
    form = form_class(request.POST)
    if form.is_valid():
        try:
            return act(assignment, form.cleaned_data), None
        except ApplicationError as exc:
            form.add_error(None, exc.message)
    return None, _reply_page(request, assignment, forms={key: form}, status=400)


@login_required
@require_POST
def assignment_accept(request, pk):
    accepted, refused = _reply(
        request,
        pk,
        AcceptForm,
        "accept",
        lambda assignment, data: services.assignment_accept(
            actor=request.user, assignment=assignment, no_conflict=data["no_conflict"]
        ),
    )
    if refused:
        return refused
    messages.success(request, ACCEPTED_MESSAGE)
    return redirect(accepted.get_absolute_url() + "#review")


@login_required
@require_POST
def assignment_declare_conflict(request, pk):
    declined, refused = _reply(
        request,
        pk,
        AssignmentConflictForm,
        "conflict",
        lambda assignment, data: services.assignment_declare_conflict(
            actor=request.user, assignment=assignment, reason=data["reason"], note=data["note"]
        ),
    )
    if refused:
        return refused
    messages.success(
        request, "Conflict of interest recorded and the review declined: ITSS will ask another."
    )
    return redirect("reviews:dashboard")


@login_required
@require_POST
def assignment_decline(request, pk):
    declined, refused = _reply(
        request,
        pk,
        DeclineForm,
        "decline",
        lambda assignment, data: services.assignment_decline(
            actor=request.user, assignment=assignment, reason=data["reason"]
        ),
    )
    if refused:
        return refused
    messages.success(request, "Declined. The ITSS team will ask someone else.")
    return redirect("reviews:dashboard")


@login_required
@require_POST
def review_save(request, pk):
    assignment = _assignment_for(request, pk)
    review = selectors.review_with_scores(assignment)
    if review is None or assignment.status != AssignmentStatus.ACCEPTED:
        messages.error(request, "This review cannot be changed now.")
        return redirect(assignment.get_absolute_url())
    form = _review_form(review, request.POST)
    if not form.is_valid():
        return _page(request, assignment, review_form=form, status=400)
    data = form.cleaned_data
    try:
        services.review_save(
            actor=request.user,
            assignment=assignment,
            version=data["version"],
            scores=form.scores(),
            strengths=data["strengths"],
            areas_to_develop=data["areas_to_develop"],
            recommendations=data["recommendations"],
            suggested_outcome=data["suggested_outcome"],
        )
    except services.StaleEdit as exc:
        form.add_error(None, exc.message)
        return _page(request, assignment, review_form=form, status=CONFLICT)
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return _page(request, assignment, review_form=form, status=400)
    if request.POST.get("submit"):
        try:
            services.review_submit(actor=request.user, assignment=assignment)
        except ApplicationError as exc:
            messages.warning(request, f"Draft saved. {exc.message}")
            return redirect(assignment.get_absolute_url() + "#review")
        messages.success(request, "Review submitted. Thank you.")
        return redirect(assignment.get_absolute_url())
    messages.success(request, "Draft saved.")
    return redirect(assignment.get_absolute_url() + "#review")


@login_required
@require_POST
def review_draft(request, pk):
    """Save the draft as the reviewer types (sent by htmx a moment after they stop). Answers
    the fragment of the page's live region: the time saved and, out of band, the new
    version; 409 when another tab or device saved a newer draft (what was typed stays on
    the page, unsaved), 400 when something cannot be saved."""
    assignment = _assignment_for(request, pk)
    require_perm(request, "reviews.read_submission", assignment.submission)
    review = selectors.review_with_scores(assignment)
    if review is None or assignment.status != AssignmentStatus.ACCEPTED:
        return _draft_status(request, error="This review can no longer be changed.", status=409)
    form = _review_form(review, request.POST)
    if not form.is_valid():
        problems = " ".join(e for errors in form.errors.values() for e in errors)
        return _draft_status(request, error=f"Not saved: {problems}", status=400)
    data = form.cleaned_data
    try:
        saved = services.review_save(
            actor=request.user,
            assignment=assignment,
            version=data["version"],
            scores=form.scores(),
            strengths=data["strengths"],
            areas_to_develop=data["areas_to_develop"],
            recommendations=data["recommendations"],
            suggested_outcome=data["suggested_outcome"],
        )
    except services.StaleEdit:
        newer = selectors.review_with_scores(assignment)
        return _draft_status(
            request,
            error=(
                f"Not saved: a newer draft was saved elsewhere at "
                f"{timezone.localtime(newer.updated_at):%H:%M} (another tab or device). What "
                "you typed is still here: copy it, then reload the page to see the newer draft."
            ),
            status=CONFLICT,
        )
    except ApplicationError as exc:
        return _draft_status(request, error=f"Not saved: {exc.message}", status=400)
    return _draft_status(request, saved=saved)


def _draft_status(request, *, saved=None, error: str = "", status: int = 200):
    return render(
        request, DRAFT_STATUS, {"saved": saved, "draft_error": error, "oob": True}, status=status
    )


@login_required
@require_GET
def attachment_download(request, pk, attachment):
    assignment = _assignment_for(request, pk)
    require_perm(request, "reviews.read_submission", assignment.submission)
    found = get_object_or_404(assignment.submission.attachments, pk=attachment)
    return private_file_response(
        found.file, filename=found.name, content_type=CONTENT_TYPES[found.kind]
    )


def _reviewer_pack(assignment, submission):
    """The PDF of the submitted stage the reviewer may read (without the institution's name
    when the round hides it), as it stands: ready, being prepared, failed, or None when
    none was asked for. Reads only: it is prepared on submission and assignment, and asked
    for again with ``pack_prepare``."""
    if submission.status == SubmissionStatus.IN_PROGRESS:
        return None  # reopened: no PDF of a version that is being changed
    return submission.packs.filter(
        content_hash=submission.content_hash,
        withholds_name=not assignment.round.show_institution,
        document=PackDocument.SUBMISSION,
    ).first()


@login_required
@require_POST
def pack_prepare(request, pk):
    """Ask again for the PDF of the submitted stage, when it is missing or failed."""
    assignment = _assignment_for(request, pk)
    require_perm(request, "reviews.read_submission", assignment.submission)
    submission = assignment.submission
    if submission.status != SubmissionStatus.IN_PROGRESS:
        packs.pack_request(
            submission=submission,
            user=request.user,
            withhold_name=not assignment.round.show_institution,
        )
        messages.info(request, "The PDF of this submission is being prepared.")
    return redirect("reviews:assignment", pk=assignment.pk)


@login_required
@require_GET
def pack_download(request, pk):
    """The PDF of the submitted stage, without the institution's name when the round hides it."""
    assignment = _assignment_for(request, pk)
    require_perm(request, "reviews.read_submission", assignment.submission)
    submission = assignment.submission
    pack = get_object_or_404(
        submission.packs,
        content_hash=submission.content_hash,
        withholds_name=not assignment.round.show_institution,
        document=PackDocument.SUBMISSION,
        status=PackStatus.READY,
    )
    name = submission.organisation.slug if assignment.round.show_institution else "submission"
    return private_file_response(
        pack.file,
        filename=f"{name}-stage-{submission.stage_number}.pdf",
        content_type="application/pdf",
    )


@login_required
@require_http_methods(["GET", "POST"])
def conflicts(request):
    require_perm(request, "reviews.view_reviewer_dashboard")
    form = ConflictForm(request.POST or None, reviewer=request.user)

    def declare(data):
        return services.conflict_declare(
            actor=request.user,
            organisation=data["organisation"],
            reason=data["reason"],
            note=data["note"],
        )

    if form_submitted(request, form, declare):
        messages.success(request, f"Conflict with {form.outcome.organisation} recorded.")
        return redirect("reviews:conflicts")
    return render(
        request,
        "reviews/conflict_list.html",
        {
            "conflicts": Conflict.objects.filter(reviewer=request.user).select_related(
                "organisation"
            ),
            "profile": getattr(request.user, "reviewer_profile", None),
            "form": form,
        },
        status=form_status(form),
    )


@login_required
@require_POST
def conflict_remove(request, pk):
    conflict = get_object_or_404(Conflict.objects.select_related("organisation"), pk=pk)
    require_perm(request, "reviews.remove_conflict", conflict)
    services.conflict_remove(actor=request.user, conflict=conflict)
    messages.success(request, f"Conflict with {conflict.organisation} removed.")
    return redirect("reviews:conflicts")
