"""Background work of submission cycles. Each task takes keyword-only ids, fetches its
object again, returns quietly if it is gone, and calls one service."""

from celery import shared_task

from .enums import PackStatus
from .models import SubmissionPack
from .packs import pack_render
from .reminders import reminders_send_due


# No retries: a render that fails will fail the same way again (pack_render marks the
# pack failed and logs why; asking again re-queues it). A worker that dies mid-render
# leaves the pack pending, and pack_request queues it again once it counts as lost.
@shared_task(
    name="action_plans.render_submission_pack",
    acks_late=True,
    soft_time_limit=120,
    time_limit=180,
)
def render_submission_pack(*, pack_id: int) -> None:
    pack = SubmissionPack.objects.filter(pk=pack_id).first()
    if pack is None or pack.status == PackStatus.READY:
        return
    pack_render(pack=pack)


# Safe to repeat by construction (each reminder is claimed under a unique constraint),
# so a worker lost mid-sweep simply has the sweep run again.
@shared_task(
    name="action_plans.send_due_reminders",
    acks_late=True,
    time_limit=1800,
    deferred_notice="What is due will be sent by the next daily sweep, at 06:30.",
)
def send_due_reminders() -> dict:
    result = reminders_send_due()
    return {"organisations": result.organisations, "due": result.due, "sent": result.sent}
