"""Queueing background work so that a broker outage cannot fail the request that asked.

Work is queued once the transaction commits, so by the time the broker turns out to be
down, what the user did is saved. A task that declares a ``deferred_notice`` is one whose
work something else picks up later (the outbox sweep sends queued mail; the pack sweep
renders pending PDFs): for it, a failure to publish is logged and the request goes on,
and the notice (what will happen, in the user's words) is shown to the user with the
next page (``DeferredWorkMiddleware``), or taken by a view that says it better
(``take_deferred_notices``). A task without a notice still raises, as nothing would
pick its work up.

After a failure the broker is left alone for a few seconds (``OUTAGES``), so while it is down
each request pays nothing for it; Celery's own retries are kept short in settings
(``CELERY_TASK_PUBLISH_RETRY_POLICY``, ``CELERY_BROKER_CONNECTION_TIMEOUT``).
"""

import contextvars
import logging

from celery import Task
from django.contrib import messages
from kombu.exceptions import OperationalError

from .outages import Outages

logger = logging.getLogger(__name__)

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

# After the broker failed, publishing is not tried again for a few seconds (per process
# and broker address).
OUTAGES = Outages(
    logger=logger,
    what="The task broker",
    meanwhile="work is left for the sweeps.",
    retry_after=10.0,
)

# The notices of the work deferred while answering the current request (None outside one).
_deferred: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "deferred_work", default=None
)


class FailSoftTask(Task):
    """The base of the portal's tasks (``tc_portal/celery.py``).

    ``deferred_notice``: what the user is told when the task could not be queued and will
    be picked up later, e.g. "The email will be sent when the mail service is back."
    Empty (the default): a failure to queue raises as Celery's own does. A deferred
    ``delay``/``apply_async`` returns None instead of a result."""

    abstract = True
    deferred_notice = ""

    def apply_async(self, args=None, kwargs=None, **options):
        publish = super().apply_async
        if not self.deferred_notice or self.app.conf.task_always_eager:
            return publish(args, kwargs, **options)
        broker = self.app.conf.broker_url or ""
        if OUTAGES.is_down(broker):
            _defer(self, reason="the broker failed moments ago")
            return None
        try:
            return publish(args, kwargs, **options)
        except (OperationalError, OSError) as exc:
            OUTAGES.went_down(broker, exc)
            _defer(self, reason=type(exc).__name__)
            return None


def _defer(task: FailSoftTask, *, reason: str) -> None:
    logger.info("%s not queued (%s); it will be picked up later.", task.name, reason)
    notices = _deferred.get()
    if notices is not None and task.deferred_notice not in notices:
        notices.append(task.deferred_notice)


def take_deferred_notices() -> list[str]:
    """The notices of the work deferred so far in this request, which the caller now
    tells the user itself (the middleware will not repeat them)."""
    notices = _deferred.get()
    if not notices:
        return []
    taken = list(notices)
    notices.clear()
    return taken


def report(request, *, done: str, saved: str) -> None:
    """Tell the user how an action that queued follow-up work went: ``done`` when all of it
    was queued, else ``saved`` and what will happen later (a warning)."""
    later = take_deferred_notices()
    if later:
        messages.warning(request, " ".join([saved, *later]))
    else:
        messages.success(request, done)


class DeferredWorkMiddleware:
    """Tells the user about work deferred while answering their request and not already
    reported by the view, in a message on the next page they see. Only after something
    they did (a POST): work a page asks for as it is read (a PDF being prepared) is shown
    as pending by the page itself, and a visitor's public page carries no message."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _deferred.set([])
        try:
            response = self.get_response(request)
            notices = take_deferred_notices()
            if notices and request.method not in SAFE_METHODS:
                messages.warning(request, " ".join(notices), fail_silently=True)
        finally:
            _deferred.reset(token)
        return response
