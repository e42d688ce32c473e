"""Submitting, publishing and reopening a stage; extending its due date."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.exceptions import ApplicationError
from core.queueing import report
from core.views_forms import form_status, form_submitted

from .. import selectors, services
from ..forms import ExtensionForm, ReasonForm, SubmitForm
from .common import organisation_for, submission_for


@login_required
@require_http_methods(["GET", "POST"])
def submission_submit(request, slug, number):
    submission = submission_for(request, slug, number)
    form = SubmitForm(request.POST or None)
    full = selectors.submission_for_editing(submission)
    context = {
        "submission": full,
        "organisation": full.organisation,
        "stage": selectors.stage_of(full.organisation, number),
        "missing": selectors.submission_missing(full),
        "can_submit": request.user.has_perm("action_plans.submit_submission", full),
        "form": form,
    }
    if request.method == "POST" and form.is_valid():
        try:
            services.submission_submit(
                actor=request.user, submission=submission, confirmed=form.cleaned_data["confirmed"]
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            report(
                request,
                done=f"Stage {number} is submitted. ITSS have been told.",
                saved=f"Stage {number} is submitted.",
            )
            return redirect(submission)
    status = 400 if request.method == "POST" else 200
    return render(request, "action_plans/submission_submit.html", context, status=status)


@login_required
@require_POST
def submission_publish(request, slug, number):
    submission = submission_for(request, slug, number)
    try:
        services.submission_publish(actor=request.user, submission=submission)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Your action plan is now on your public organisation page.")
    return redirect(submission)


@login_required
@require_http_methods(["GET", "POST"])
def submission_reopen(request, slug, number):
    submission = submission_for(request, slug, number, "action_plans.reopen_submission")
    form = ReasonForm(request.POST or None)
    if form_submitted(
        request,
        form,
        lambda data: services.submission_reopen(
            actor=request.user, submission=submission, reason=data["reason"]
        ),
    ):
        messages.success(request, f"Stage {number} is reopened for the organisation to edit.")
        return redirect(submission)
    return render(
        request,
        "action_plans/submission_reopen.html",
        {"submission": submission, "organisation": submission.organisation, "form": form},
        status=form_status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def due_date_extend(request, slug, number):
    organisation = organisation_for(request, slug, "action_plans.extend_due_date")
    stage = selectors.stage_of(organisation, number)
    if stage is None or stage.is_submitted:
        raise Http404
    form = ExtensionForm(request.POST or None)
    if form_submitted(
        request,
        form,
        lambda data: services.due_date_extend(
            actor=request.user,
            organisation=organisation,
            stage_number=number,
            due_at=data["due_at"],
            reason=data["reason"],
        ),
    ):
        messages.success(request, f"Stage {number}'s due date is extended.")
        return redirect("action_plans:dashboard", slug=slug)
    return render(
        request,
        "action_plans/duedateextension_form.html",
        {"organisation": organisation, "stage": stage, "form": form},
        status=form_status(form),
    )
