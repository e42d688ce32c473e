from django.urls import path

from .views import feedback, moderation, pool, reviewer, rounds

app_name = "reviews"

staff_round = "staff/review-rounds/<int:pk>/"
assignment = "reviews/assignments/<int:pk>/"
urlpatterns = [
    # Staff.
    path("staff/reviewers/", pool.pool, name="pool"),
    path("staff/reviewers/<int:pk>/", pool.profile_edit, name="profile_edit"),
    path("staff/review-rounds/", rounds.round_list, name="rounds"),
    path(staff_round, rounds.round_detail, name="round"),
    path(staff_round + "edit/", rounds.round_edit, name="round_edit"),
    path(staff_round + "assign/", rounds.round_assign_all, name="round_assign"),
    path(staff_round + "export.csv", rounds.round_export, name="round_export"),
    path(staff_round + "submissions/<int:submission>/team/", rounds.team_assign, name="assign"),
    path(staff_round + "submissions/<int:submission>/", moderation.moderate, name="moderate"),
    path(staff_round + "submissions/<int:submission>/resume/", rounds.review_resume, name="resume"),
    path("staff/submissions/<int:submission>/reopen/", rounds.submission_reopen, name="reopen"),
    path("staff/assignments/<int:pk>/withdraw/", rounds.assignment_withdraw, name="withdraw"),
    path("staff/feedback/<int:pk>/release/", moderation.feedback_release, name="release"),
    # Reviewers.
    path("reviews/", reviewer.dashboard, name="dashboard"),
    path("reviews/conflicts/", reviewer.conflicts, name="conflicts"),
    path("reviews/conflicts/<int:pk>/remove/", reviewer.conflict_remove, name="conflict_remove"),
    path("reviews/certificate.pdf", feedback.certificate, name="certificate"),
    path(assignment, reviewer.assignment_detail, name="assignment"),
    path(assignment + "accept/", reviewer.assignment_accept, name="accept"),
    path(assignment + "decline/", reviewer.assignment_decline, name="decline"),
    path(assignment + "conflict/", reviewer.assignment_declare_conflict, name="declare_conflict"),
    path(assignment + "review/", reviewer.review_save, name="review"),
    path(assignment + "review/draft/", reviewer.review_draft, name="review_draft"),
    path(assignment + "feedback/", moderation.lead_feedback, name="lead_feedback"),
    path(assignment + "feedback/ready/", moderation.feedback_ready, name="feedback_ready"),
    path(assignment + "pdf/", reviewer.pack_download, name="pack"),
    path(assignment + "pdf/prepare/", reviewer.pack_prepare, name="pack_prepare"),
    path(
        assignment + "attachments/<int:attachment>/",
        reviewer.attachment_download,
        name="attachment",
    ),
    # The institution.
    path(
        "organisations/<slug:slug>/stages/<int:number>/feedback/",
        feedback.feedback_detail,
        name="feedback",
    ),
    path(
        "organisations/<slug:slug>/stages/<int:number>/feedback/report/prepare/",
        feedback.feedback_report_prepare,
        name="feedback_report_prepare",
    ),
    path(
        "organisations/<slug:slug>/stages/<int:number>/feedback/report.pdf",
        feedback.feedback_pdf,
        name="feedback_pdf",
    ),
]
