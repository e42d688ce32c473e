"""Staff set the rules deadline reminders follow and see what went out."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.permissions import require_perm
from core.queueing import report
from core.views_forms import form_status, form_submitted

from ..forms import ReminderRuleForm
from ..models import Reminder, ReminderRule
from ..reminders import reminder_rule_save, rule_timing
from ..tasks import send_due_reminders

RECENT = 50


@login_required
def reminder_rules(request):
    require_perm(request, "action_plans.manage_reminders")
    rules = list(ReminderRule.objects.all())
    for rule in rules:
        rule.timing = rule_timing(rule)
    recent = Reminder.objects.select_related("organisation", "rule", "email").order_by(
        "-created_at", "-id"
    )[:RECENT]
    return render(
        request,
        "action_plans/reminderrule_list.html",
        {"rules": rules, "recent": recent, "recent_limit": RECENT},
    )


@login_required
@require_http_methods(["GET", "POST"])
def reminder_rule_edit(request, pk=None):
    require_perm(request, "action_plans.manage_reminders")
    rule = get_object_or_404(ReminderRule, pk=pk) if pk else ReminderRule()
    form = ReminderRuleForm(request.POST or None, instance=rule)
    if form_submitted(
        request, form, lambda _data: reminder_rule_save(actor=request.user, rule=form.instance)
    ):
        messages.success(request, f"Reminder rule “{form.instance.name}” saved.")
        return redirect("action_plans:reminder_rules")
    return render(
        request,
        "action_plans/reminderrule_form.html",
        {"form": form, "rule": rule},
        status=form_status(form),
    )


@login_required
@require_POST
def reminders_send_now(request):
    require_perm(request, "action_plans.manage_reminders")
    send_due_reminders.delay()
    report(
        request,
        done="The reminder sweep has been started. It sends only what is due and not yet "
        "sent, so running it again is harmless.",
        saved="The reminder sweep could not be started: the background service cannot be reached.",
    )
    return redirect("action_plans:reminder_rules")
