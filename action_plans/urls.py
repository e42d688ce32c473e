from django.urls import path

from .views import actions, attachments, dashboard, editor, packs, reminders, rounds, workflow

app_name = "action_plans"

stage = "organisations/<slug:slug>/stages/<int:number>/"
urlpatterns = [
    path("organisations/<slug:slug>/stages/", dashboard.dashboard, name="dashboard"),
    path("calendar/<str:token>/deadlines.ics", dashboard.calendar, name="calendar"),
    path(stage, editor.submission_detail, name="submission"),
    path(stage + "start/", editor.submission_start, name="start"),
    path(stage + "self-assessment/", editor.self_assessment_save, name="self_assessment"),
    path(stage + "themes/<slug:theme>/", editor.theme_assessment_save, name="theme"),
    path(stage + "previous/<int:pk>/", editor.previous_action_review_save, name="previous"),
    path(stage + "actions/", actions.action_add, name="action_add"),
    path(stage + "actions/<int:pk>/", actions.action_edit, name="action_edit"),
    path(stage + "actions/<int:pk>/remove/", actions.action_remove, name="action_remove"),
    path(stage + "actions/<int:pk>/move/", actions.action_move, name="action_move"),
    path(stage + "actions/<int:pk>/progress/", editor.action_progress_record, name="progress"),
    path(stage + "voice/", editor.voice_evidence_add, name="voice_add"),
    path(stage + "voice/<int:pk>/", editor.voice_evidence_edit, name="voice_edit"),
    path(stage + "voice/<int:pk>/remove/", editor.voice_evidence_remove, name="voice_remove"),
    path(stage + "attachments/", attachments.attachment_add, name="attachment_add"),
    path(stage + "attachments/<int:pk>/", attachments.attachment_download, name="attachment"),
    path(
        stage + "attachments/<int:pk>/remove/",
        attachments.attachment_remove,
        name="attachment_remove",
    ),
    path(stage + "pdf/", packs.pack_request, name="pack_request"),
    path(stage + "pdf/<int:pk>/", packs.pack_status, name="pack_status"),
    path(stage + "pdf/<int:pk>/download/", packs.pack_download, name="pack_download"),
    path(stage + "submit/", workflow.submission_submit, name="submit"),
    path(stage + "publish/", workflow.submission_publish, name="publish"),
    path(stage + "reopen/", workflow.submission_reopen, name="reopen"),
    path(stage + "extend/", workflow.due_date_extend, name="extend"),
    path("staff/rounds/", rounds.round_list, name="rounds"),
    path("staff/reminders/", reminders.reminder_rules, name="reminder_rules"),
    path("staff/reminders/new/", reminders.reminder_rule_edit, name="reminder_rule_add"),
    path("staff/reminders/<int:pk>/", reminders.reminder_rule_edit, name="reminder_rule_edit"),
    path("staff/reminders/send/", reminders.reminders_send_now, name="reminders_send_now"),
    path("staff/rounds/<int:pk>/remove/", rounds.round_remove, name="round_remove"),
]
