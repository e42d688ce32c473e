"""Background work of peer review."""

from celery import shared_task

from .documents import feedback_report_render
from .enums import FeedbackStatus
from .models import Feedback
from .reminders import review_reminders_send_due


# Safe to repeat by construction (each reminder is claimed under a unique constraint).
@shared_task(name="reviews.send_review_reminders", acks_late=True, time_limit=600)
def send_review_reminders() -> dict:
    result = review_reminders_send_due()
    return {"due": result.due, "sent": result.sent, "notices": result.notices}


# Rendering fails the same way when retried, so no retries; asking the page again after a
# failure queues it again (reviews.views.feedback).
@shared_task(
    name="reviews.render_feedback_report",
    acks_late=True,
    soft_time_limit=120,
    time_limit=180,
    # Not queued (the broker down): the feedback page asks again when it is next read.
    deferred_notice="The feedback report PDF will be prepared when the background service is back.",
)
def render_feedback_report(*, feedback_id: int) -> None:
    feedback = Feedback.objects.filter(pk=feedback_id, status=FeedbackStatus.RELEASED).first()
    if feedback is None:
        return
    feedback_report_render(feedback=feedback)
