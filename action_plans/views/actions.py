"""The action plan editor: add, edit, remove and reorder actions.

With htmx each change swaps the plan (or one action) in place; without
JavaScript the same forms post normally and the page reloads at the plan.
Either way keyboard users stay where they were working: after adding an action
focus goes to it, after moving one to the button they pressed (or its
counterpart, at the top or the bottom), after an edit to the action's Edit
link; without JavaScript the address ends at the action."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.exceptions import ApplicationError
from core.forms import refused_form_keep, refused_form_restore, refused_form_take

from .. import selectors, services
from ..forms import ActionForm
from .common import submission_for
from .editor import (
    CONFLICT,
    after_conflict,
    refused,
    refused_section,
    render_page,
    unless_editable,
)

PLAN = "action-plan"
EDIT_PAGE = "action_plans/action_form.html"


def _plan_or_redirect(request, submission, message: str, action=None, control: str = ""):
    """Report a change to the plan; focus goes to ``action`` (its ``control``: "up",
    "down" or "edit"; its heading when empty), or to the plan when there is none."""
    messages.success(request, message)
    if request.htmx:
        focus = {"focus_action": action.pk, "focus_control": control} if action else {}
        return render_page(request, submission, partial=PLAN, **focus)
    fragment = f"action-{action.pk}" if action else PLAN
    return redirect(f"{submission.get_absolute_url()}#{fragment}")


def _move_control(submission, action, direction: str) -> str:
    """The button to keep focus on after ``action`` moved: the one pressed, unless the
    action reached the end it moved towards and that button is gone."""
    order = list(submission.actions.values_list("pk", flat=True))
    end = order[0] if direction == "up" else order[-1]
    if action.pk != end:
        return direction
    return "" if len(order) == 1 else ("down" if direction == "up" else "up")


def _values(form) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if k not in ("themes", "version")}


@login_required
@require_http_methods(["GET", "POST"])
def action_add(request, slug, number):
    submission = submission_for(request, slug, number)
    if request.method == "GET":
        return redirect(f"{submission.get_absolute_url()}#{PLAN}")
    themes = list(selectors.themes_in_use())
    form = ActionForm(request.POST, themes=themes, prefix="new-action")
    if not form.is_valid():
        if request.htmx:
            return render_page(request, submission, status=400, partial=PLAN, action_form=form)
        return refused_section(request, submission, form, slot="action", fragment="add-action")
    try:
        action = services.action_add(
            actor=request.user,
            submission=submission,
            themes=form.cleaned_data["themes"],
            **_values(form),
        )
    except ApplicationError as exc:
        return refused(request, submission, exc, partial=PLAN, action_form=form)
    return _plan_or_redirect(request, submission, f"Added “{action.title}”.", action)


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request, slug, number, pk):
    submission = submission_for(request, slug, number)
    action = get_object_or_404(submission.actions.prefetch_related("themes"), pk=pk)
    elsewhere = request.method == "GET" and unless_editable(request, submission, f"action-{pk}")
    if elsewhere:
        return elsewhere
    themes = list(selectors.themes_in_use())
    kept = refused_form_take(request, page=request.path) if request.method == "GET" else None
    form = ActionForm(
        request.POST if request.method == "POST" else kept and kept[1],
        instance=action,
        themes=themes,
        prefix=f"action-{pk}",
        initial={"version": action.version},
    )
    if kept:
        refused_form_restore(form, kept[2])
    template = f"{EDIT_PAGE}#action-edit" if request.htmx else EDIT_PAGE
    context = {"submission": submission, "organisation": submission.organisation}
    context.update(action=action, form=form)
    if request.method == "GET":
        return render(request, template, context)
    if not form.is_valid():
        if request.htmx:
            return render(request, template, context, status=400)
        # The edit page's own address, asked for afresh (post/redirect/get).
        refused_form_keep(request, form, page=request.path, slot="action")
        return redirect(request.path)
    try:
        services.action_save(
            actor=request.user,
            action=action,
            version=form.cleaned_data["version"] or 0,
            themes=form.cleaned_data["themes"],
            **_values(form),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        if isinstance(exc, services.EditConflict):
            context["conflict"] = {"form": form, "current": exc.extra["current"]}
        after_conflict(form, exc)
        status = CONFLICT if isinstance(exc, services.EditConflict) else 400
        return render(request, template, context, status=status)
    return _plan_or_redirect(request, submission, f"Saved “{action.title}”.", action, "edit")


@login_required
@require_POST
def action_remove(request, slug, number, pk):
    submission = submission_for(request, slug, number)
    action = get_object_or_404(submission.actions, pk=pk)
    try:
        services.action_remove(actor=request.user, action=action)
    except ApplicationError as exc:
        return refused(request, submission, exc, partial=PLAN)
    return _plan_or_redirect(request, submission, f"Removed “{action.title}”.")


@login_required
@require_POST
def action_move(request, slug, number, pk):
    submission = submission_for(request, slug, number)
    action = get_object_or_404(submission.actions, pk=pk)
    offset = -1 if request.POST.get("direction") == "up" else 1
    try:
        services.action_move(actor=request.user, action=action, offset=offset)
    except ApplicationError as exc:
        return refused(request, submission, exc, partial=PLAN)
    where = "up" if offset < 0 else "down"
    return _plan_or_redirect(
        request,
        submission,
        f"Moved “{action.title}” {where}.",
        action,
        _move_control(submission, action, where),
    )
