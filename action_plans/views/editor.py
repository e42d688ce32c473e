"""Writing a stage: one page of sections, each saved on its own.

Every form posts to its own address. On success the view redirects back to
the section (or, for htmx, returns the section re-rendered). A form refused by
validation goes back to the stage page too (post/redirect/get): what was typed
and the errors are kept in the session, and the page shows the form again,
headed by an error summary that takes the focus, with the address the page's
own. An edit conflict renders the page with both versions (409), so nothing the
person typed is lost."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from core.exceptions import ApplicationError
from core.forms import refused_form_keep, refused_form_restore, refused_form_take

from .. import packs, selectors, services
from ..forms import (
    ActionForm,
    AttachmentForm,
    PreviousActionReviewForm,
    ProgressForm,
    SelfAssessmentForm,
    ThemeAssessmentForm,
    VoiceEvidenceForm,
)
from .common import organisation_for, submission_for

PAGE = "action_plans/submission_detail.html"
CONFLICT = 409


def _anchor(submission, fragment: str) -> str:
    return f"{submission.get_absolute_url()}#{fragment}"


def unless_editable(request, submission, fragment: str):
    """Send someone who may not change the stage (staff, or anyone once it is
    submitted) to the item as it stands, rather than show a form they cannot save."""
    if request.user.has_perm("action_plans.edit_submission", submission):
        return None
    messages.info(request, "This stage cannot be changed now; it is shown as it stands.")
    url = _anchor(submission, fragment)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


# The stage page's forms, bound again to what a refused save was given: each takes
# the key of its slot ("theme:<slug>", "previous:<pk>") and returns the
# page_context entry it fills. The views bind the same forms with the same prefixes.
SECTION_FORMS = {
    "self": lambda submission, data, key: {
        "self_form": SelfAssessmentForm(data, instance=submission.self_assessment)
    },
    "theme": lambda submission, data, key: {
        "theme_forms": {
            get_object_or_404(submission.theme_assessments, theme__slug=key).pk: (
                ThemeAssessmentForm(data, prefix=f"theme-{key}")
            )
        }
    },
    "previous": lambda submission, data, key: {
        "review_forms": {int(key): PreviousActionReviewForm(data, prefix=f"previous-{key}")}
    },
    "action": lambda submission, data, key: {
        "action_form": ActionForm(data, themes=list(selectors.themes_in_use()), prefix="new-action")
    },
    "voice": lambda submission, data, key: {"voice_form": VoiceEvidenceForm(data, prefix="voice")},
    "attachment": lambda submission, data, key: {"attachment_form": AttachmentForm(data)},
}


def refused_section(request, submission, form, *, slot: str, fragment: str):
    """Send a section that failed validation back to the stage page at ``fragment``,
    with what was typed and its errors kept for that page (post/redirect/get)."""
    refused_form_keep(request, form, page=submission.get_absolute_url(), slot=slot)
    return redirect(_anchor(submission, fragment))


def refused_sections(request, submission) -> dict:
    """The section refused just before this view of the page, bound again to what was
    typed and showing its errors; {} when there is none."""
    kept = refused_form_take(request, page=submission.get_absolute_url())
    if kept is None:
        return {}
    slot, data, errors = kept
    kind, _, key = slot.partition(":")
    if kind not in SECTION_FORMS:
        return {}
    try:
        bound = SECTION_FORMS[kind](submission, data, key)
    except (Http404, ValueError):  # The item went meanwhile: nothing to show again.
        return {}
    for value in bound.values():
        for form in value.values() if isinstance(value, dict) else [value]:
            refused_form_restore(form, errors)
    return bound


def page_context(request, submission, **bound) -> dict:
    """Everything the stage page shows; ``bound`` replaces the blank form of one section."""
    full = selectors.submission_for_editing(submission)
    user = request.user
    themes = list(selectors.themes_in_use())
    assessment = full.self_assessment
    theme_forms = bound.pop("theme_forms", {})
    review_forms = bound.pop("review_forms", {})
    context = {
        "submission": full,
        "organisation": full.organisation,
        "stage": selectors.stage_of(full.organisation, full.stage_number),
        "themes": themes,
        "missing": selectors.submission_missing(full, themes=themes),
        "can_edit": user.has_perm("action_plans.edit_submission", full),
        "can_submit": user.has_perm("action_plans.submit_submission", full),
        "can_publish": user.has_perm("action_plans.publish_submission", full),
        "can_reopen": user.has_perm("action_plans.reopen_submission", full),
        "can_record_progress": user.has_perm("action_plans.record_progress", full),
        "pack": packs.pack_latest(full),
        "self_form": SelfAssessmentForm(
            instance=assessment, initial={"version": assessment.version}
        ),
        "theme_forms": [
            (
                a,
                theme_forms.get(a.pk)
                or ThemeAssessmentForm(
                    prefix=f"theme-{a.theme.slug}",
                    initial={"version": a.version, "narrative": a.narrative, "rating": a.rating},
                ),
            )
            for a in full.theme_assessments.all()
        ],
        "review_forms": [
            (
                r,
                review_forms.get(r.pk)
                or PreviousActionReviewForm(
                    prefix=f"previous-{r.pk}",
                    initial={"version": r.version, "outcome": r.outcome, "note": r.note},
                ),
            )
            for r in full.previous_action_reviews.all()
        ],
        "action_form": ActionForm(themes=themes, prefix="new-action"),
        "voice_form": VoiceEvidenceForm(prefix="voice"),
        "attachment_form": AttachmentForm(),
        "progress_form": ProgressForm(),
    }
    context.update(bound)
    return context


def render_page(request, submission, *, status=200, partial: str | None = None, **bound):
    template = f"{PAGE}#{partial}" if partial and request.htmx else PAGE
    return render(request, template, page_context(request, submission, **bound), status=status)


def after_conflict(form, exc: ApplicationError) -> None:
    """After an edit conflict the form keeps the person's text but takes the version now
    stored, so saving it again (once they have compared) goes through, as the message says."""
    current = exc.extra.get("current") if isinstance(exc, services.EditConflict) else None
    if current is not None and form.is_bound:
        data = form.data.copy()
        data[form.add_prefix("version")] = current.version
        form.data = data


def refused(request, submission, exc: ApplicationError, *, partial=None, **bound):
    """Report a refused change: the page again, with the person's input kept."""
    messages.error(request, exc.message)
    for value in list(bound.values()):
        for form in value.values() if isinstance(value, dict) else [value]:
            if isinstance(exc, services.EditConflict):
                bound["conflict"] = {"form": form, "current": exc.extra["current"]}
            after_conflict(form, exc)
    status = CONFLICT if isinstance(exc, services.EditConflict) else 400
    return render_page(request, submission, status=status, partial=partial, **bound)


@login_required
@require_GET
def submission_detail(request, slug, number):
    organisation = organisation_for(request, slug)
    submission = organisation.submissions.filter(stage_number=number).first()
    if submission is None:
        stage = selectors.stage_of(organisation, number)
        if stage is None:
            raise Http404
        return render(
            request,
            "action_plans/submission_start.html",
            {
                "organisation": organisation,
                "stage": stage,
                "can_start": request.user.has_perm("action_plans.start_stage", organisation),
            },
        )
    return render_page(request, submission, **refused_sections(request, submission))


@login_required
@require_POST
def submission_start(request, slug, number):
    organisation = organisation_for(request, slug, "action_plans.start_stage")
    try:
        submission = services.submission_start(
            actor=request.user, organisation=organisation, stage_number=number
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("action_plans:dashboard", slug=slug)
    messages.success(request, f"Stage {number} is open for writing. Each section saves on its own.")
    return redirect(submission)


@login_required
@require_POST
def self_assessment_save(request, slug, number):
    submission = submission_for(request, slug, number)
    form = SelfAssessmentForm(request.POST, instance=submission.self_assessment)
    if not form.is_valid():
        return refused_section(request, submission, form, slot="self", fragment="self-assessment")
    values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
    try:
        services.self_assessment_save(
            actor=request.user,
            submission=submission,
            version=form.cleaned_data["version"],
            **values,
        )
    except ApplicationError as exc:
        return refused(request, submission, exc, self_form=form)
    messages.success(request, "Self-assessment saved.")
    return redirect(_anchor(submission, "self-assessment"))


@login_required
@require_POST
def theme_assessment_save(request, slug, number, theme):
    submission = submission_for(request, slug, number)
    assessment = get_object_or_404(submission.theme_assessments, theme__slug=theme)
    form = ThemeAssessmentForm(request.POST, prefix=f"theme-{theme}")
    if not form.is_valid():
        return refused_section(
            request, submission, form, slot=f"theme:{theme}", fragment=f"theme-{theme}"
        )
    try:
        services.theme_assessment_save(
            actor=request.user,
            assessment=assessment,
            version=form.cleaned_data["version"],
            narrative=form.cleaned_data["narrative"],
            rating=form.cleaned_data["rating"],
        )
    except ApplicationError as exc:
        return refused(request, submission, exc, theme_forms={assessment.pk: form})
    messages.success(request, f"{assessment.theme.name} saved.")
    return redirect(_anchor(submission, f"theme-{theme}"))


@login_required
@require_POST
def previous_action_review_save(request, slug, number, pk):
    submission = submission_for(request, slug, number)
    review = get_object_or_404(submission.previous_action_reviews.select_related("action"), pk=pk)
    form = PreviousActionReviewForm(request.POST, prefix=f"previous-{pk}")
    if not form.is_valid():
        return refused_section(
            request, submission, form, slot=f"previous:{pk}", fragment=f"previous-{pk}"
        )
    try:
        services.previous_action_review_save(
            actor=request.user,
            review=review,
            version=form.cleaned_data["version"],
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
        )
    except ApplicationError as exc:
        return refused(request, submission, exc, review_forms={pk: form})
    messages.success(request, f"Saved what became of “{review.action.title}”.")
    return redirect(_anchor(submission, f"previous-{pk}"))


@login_required
@require_http_methods(["GET", "POST"])
def voice_evidence_add(request, slug, number):
    submission = submission_for(request, slug, number)
    if request.method == "GET":
        return redirect(_anchor(submission, "technician-voice"))
    form = VoiceEvidenceForm(request.POST, prefix="voice")
    if not form.is_valid():
        return refused_section(request, submission, form, slot="voice", fragment="add-evidence")
    values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
    try:
        services.voice_evidence_add(actor=request.user, submission=submission, **values)
    except ApplicationError as exc:
        return refused(request, submission, exc, voice_form=form)
    messages.success(request, "Technician voice evidence added.")
    return redirect(_anchor(submission, "technician-voice"))


@login_required
@require_http_methods(["GET", "POST"])
def voice_evidence_edit(request, slug, number, pk):
    submission = submission_for(request, slug, number)
    evidence = get_object_or_404(submission.voice_evidence, pk=pk)
    elsewhere = request.method == "GET" and unless_editable(request, submission, f"voice-{pk}")
    if elsewhere:
        return elsewhere
    kept = refused_form_take(request, page=request.path) if request.method == "GET" else None
    form = VoiceEvidenceForm(
        request.POST if request.method == "POST" else kept and kept[1],
        instance=evidence,
        initial={"version": evidence.version},
    )
    if kept:
        refused_form_restore(form, kept[2])
    context = {"submission": submission, "organisation": submission.organisation, "form": form}
    template = "action_plans/voiceevidence_form.html"
    if request.method == "GET":
        return render(request, template, {**context, "evidence": evidence})
    if not form.is_valid():
        refused_form_keep(request, form, page=request.path, slot="voice")
        return redirect(request.path)
    values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
    try:
        services.voice_evidence_save(
            actor=request.user,
            evidence=evidence,
            version=form.cleaned_data["version"] or 0,
            **values,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        if isinstance(exc, services.EditConflict):
            context["conflict"] = {"form": form, "current": exc.extra["current"]}
        after_conflict(form, exc)
        status = CONFLICT if isinstance(exc, services.EditConflict) else 400
        return render(request, template, {**context, "evidence": evidence}, status=status)
    messages.success(request, "Technician voice evidence saved.")
    return redirect(_anchor(submission, f"voice-{pk}"))


@login_required
@require_POST
def voice_evidence_remove(request, slug, number, pk):
    submission = submission_for(request, slug, number)
    evidence = get_object_or_404(submission.voice_evidence, pk=pk)
    try:
        services.voice_evidence_remove(actor=request.user, evidence=evidence)
    except ApplicationError as exc:
        return refused(request, submission, exc)
    messages.success(request, "Technician voice evidence removed.")
    return redirect(_anchor(submission, "technician-voice"))


@login_required
@require_POST
def action_progress_record(request, slug, number, pk):
    submission = submission_for(request, slug, number)
    action = get_object_or_404(submission.actions, pk=pk)
    form = ProgressForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the action's status.")
        return redirect(_anchor(submission, f"action-{pk}"))
    try:
        services.action_progress_record(actor=request.user, action=action, **form.cleaned_data)
    except ApplicationError as exc:
        return refused(request, submission, exc)
    messages.success(request, f"Progress recorded for “{action.title}”.")
    return redirect(_anchor(submission, f"action-{pk}"))
