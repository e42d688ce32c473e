"""Staff define the dated submission rounds stages fall due at."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.permissions import require_perm
from core.views_forms import form_status, form_submitted

from .. import services
from ..forms import SubmissionRoundForm
from ..models import CyclePolicy, SubmissionRound


@login_required
@require_http_methods(["GET", "POST"])
def round_list(request):
    require_perm(request, "action_plans.manage_rounds")
    form = SubmissionRoundForm(request.POST or None)
    if form_submitted(
        request,
        form,
        lambda data: services.submission_round_create(
            actor=request.user,
            name=data["name"],
            deadline=form.instance.deadline,
            kind=data["kind"],
        ),
    ):
        messages.success(request, f"Round “{form.cleaned_data['name']}” added.")
        return redirect("action_plans:rounds")
    return render(
        request,
        "action_plans/submissionround_list.html",
        {
            "rounds": SubmissionRound.objects.all(),
            "policies": CyclePolicy.objects.order_by("kind"),
            "form": form,
        },
        status=form_status(form),
    )


@login_required
@require_POST
def round_remove(request, pk):
    require_perm(request, "action_plans.manage_rounds")
    submission_round = get_object_or_404(SubmissionRound, pk=pk)
    services.submission_round_remove(actor=request.user, submission_round=submission_round)
    messages.success(request, f"Round “{submission_round.name}” removed.")
    return redirect("action_plans:rounds")
