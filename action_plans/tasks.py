"""Background work of submission cycles. Each task takes keyword-only ids, fetches its
object again, returns quietly if it is gone, and calls one service."""

from functools import partial

from celery import shared_task
from django.db import transaction

from .reminders import reminders_send_due
from .rendering import pack_take_and_render, packs_requeue_lost


# No retries: a render that fails will fail the same way again (pack_render marks the
# pack failed and logs why; asking again re-queues it). A worker that dies mid-render
# leaves the pack pending and its render silent: requeue_lost_packs queues it again
# within a minute or two. (Celery's own redelivery, task_reject_on_worker_lost, would
# hand a pack that kills its worker straight back, for ever; the sweep counts attempts.)
@shared_task(
    name="action_plans.render_submission_pack",
    acks_late=True,
    soft_time_limit=120,
    time_limit=180,
    # Not queued (the broker down): the pack stays pending and requeue_lost_packs
    # queues it once the broker is back.
    deferred_notice="The PDF will be prepared when the background service is back.",
)
def render_submission_pack(*, pack_id: int) -> None:
    pack_take_and_render(pack_id=pack_id)


# Every minute from beat. Safe to repeat, and to run twice at once (rows are locked,
# and a render takes a pack up only once).
@shared_task(name="action_plans.requeue_lost_packs", acks_late=True, time_limit=60)
def requeue_lost_packs() -> dict:
    result = packs_requeue_lost()
    for pack_id in result.requeued:
        transaction.on_commit(partial(render_submission_pack.delay, pack_id=pack_id))
    return {"requeued": len(result.requeued), "failed": len(result.failed)}


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
