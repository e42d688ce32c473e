"""Rendering submission packs: what a worker does with a queued pack, and the sweep
that finds the packs whose render was lost.

A worker takes a pending pack up first (``pack_take_and_render``: one render at a time,
counted) and says it is alive while it renders. A pack whose render fell silent (its worker
killed) or that no worker took up (its message lost) is put back on the queue by the beat
job ``tasks.requeue_lost_packs`` (``packs_requeue_lost``) within a minute or two, and
failed, saying why, after ``MAX_RENDER_ATTEMPTS`` renders that never finished.

This module queues nothing: ``packs`` asks for packs and queues their renders through
``tasks``, and ``tasks`` calls this module, so imports run one way.
"""

import hashlib
import json
import logging
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.db import connections, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst

from organisations.models import Organisation

from . import selectors
from .enums import PackDocument, PackStatus, SubmissionStatus
from .models import Action, SelfAssessment, Submission, SubmissionPack, ThemeAssessment

logger = logging.getLogger(__name__)

TEMPLATE = "pdf/submission_pack.html"
# A render says it is alive this often; one silent for RENDER_SILENT_AFTER died with its
# worker (a render never pauses that long: WeasyPrint runs in the worker's main thread
# and the heartbeat in a thread of its own).
HEARTBEAT_EVERY = timedelta(seconds=15)
RENDER_SILENT_AFTER = timedelta(seconds=60)
# A pending pack that no worker took up within this time of being queued was lost on the
# way (the broker was down, or lost the message). Queueing again one that was only
# waiting its turn costs nothing: the first render takes it up, the second finds it taken.
UNCLAIMED_AFTER = timedelta(minutes=2)
# After this many renders that never finished, rendering the pack is what kills the
# worker: it is failed, saying so, rather than taken up for ever.
MAX_RENDER_ATTEMPTS = 3
GAVE_UP = (
    "The PDF could not be prepared: its rendering stopped {attempts} times without "
    "finishing. Ask for it again; if that fails too, tell the ITSS team."
)


class ContentChanged(Exception):
    """The content moved on between asking for a pack and rendering it."""


def pack_content_hash(submission: Submission) -> str:
    """The fingerprint a pack of ``submission`` is filed under: the one taken when it was
    submitted, or while it is being written, that of its content now (pass a submission
    from ``submission_for_editing``, and this runs no query)."""
    if submission.status != SubmissionStatus.IN_PROGRESS and submission.content_hash:
        return submission.content_hash
    return selectors.submission_hash(submission)


def published_plan_hash(plan: Submission) -> str:
    """The fingerprint of a published plan as its public PDF shows it: the submitted
    content and every progress update since (from ``selectors.published_plan``, no query)."""
    progress = [
        [action.pk, [(u.pk, u.status, u.note) for u in action.updates.all()]]
        for action in plan.actions.all()
    ]
    canonical = json.dumps([plan.content_hash, progress], sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def pack_is_lost(pack: SubmissionPack, now: datetime) -> bool:
    """Pending, yet nothing is rendering it: no worker took it up within UNCLAIMED_AFTER
    of its queueing, or the render that did fell silent (RENDER_SILENT_AFTER)."""
    if pack.status != PackStatus.PENDING:
        return False
    if pack.render_alive_at is None:
        return pack.updated_at < now - UNCLAIMED_AFTER
    return pack.render_alive_at < now - RENDER_SILENT_AFTER


# Lost renders ------------------------------------------------------------------------


def pack_take_and_render(*, pack_id: int) -> SubmissionPack | None:
    """What a worker does with a queued pack: take it up (``pack_claim``), and render it
    while a heartbeat says the render is alive. None when there was nothing to do."""
    pack = pack_claim(pack_id=pack_id)
    if pack is None:
        return None
    with _heartbeat(pack_id):
        return pack_render(pack=pack)


@transaction.atomic
def pack_claim(*, pack_id: int, now: datetime | None = None) -> SubmissionPack | None:
    """Take pending pack ``pack_id`` up for rendering.

    Side effects: counts the attempt and stamps the render alive. Returns None, changing
    nothing, when the pack is gone, no longer pending, or taken up by a render still
    alive (a duplicate message). A pack already taken up MAX_RENDER_ATTEMPTS times is
    failed with GAVE_UP instead, and None returned."""
    now = now or timezone.now()
    pack = SubmissionPack.objects.select_for_update().filter(pk=pack_id).first()
    if pack is None or pack.status != PackStatus.PENDING:
        return None
    if pack.render_alive_at is not None and pack.render_alive_at >= now - RENDER_SILENT_AFTER:
        return None
    if pack.render_attempts >= MAX_RENDER_ATTEMPTS:
        _give_up(pack)
        return None
    pack.render_attempts += 1
    pack.render_alive_at = now
    pack.save(update_fields=["render_attempts", "render_alive_at"])
    return pack


def pack_alive(*, pack_id: int, now: datetime | None = None) -> bool:
    """Record that the render of ``pack_id`` is alive; False once it is no longer pending
    (finished, or failed meanwhile). Leaves ``updated_at`` alone."""
    updated = SubmissionPack.objects.filter(pk=pack_id, status=PackStatus.PENDING).update(
        render_alive_at=now or timezone.now()
    )
    return bool(updated)


@contextmanager
def _heartbeat(pack_id: int, every: timedelta = HEARTBEAT_EVERY):
    """Say the render is alive every ``every`` while the block runs, from a thread of its
    own (with its own database connection, closed when it stops)."""
    stop = threading.Event()

    def beat():
        try:
            while not stop.wait(every.total_seconds()):
                if not pack_alive(pack_id=pack_id):
                    break
        except Exception:
            logger.exception("The heartbeat of submission pack %s stopped", pack_id)
        finally:
            connections.close_all()

    thread = threading.Thread(target=beat, name=f"pack-{pack_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


@dataclass(frozen=True)
class RequeueResult:
    requeued: list[int]
    failed: list[int]


# Enough for any minute's backlog; the rest wait for the next run.
REQUEUE_BATCH = 200


@transaction.atomic
def packs_requeue_lost(*, now: datetime | None = None) -> RequeueResult:
    """Put back on the queue every pending pack that nothing is rendering
    (``pack_is_lost``), or fail it with GAVE_UP once its renders never finished
    MAX_RENDER_ATTEMPTS times. The caller sends the renders of ``requeued`` once this has
    committed (``tasks.requeue_lost_packs``).

    Side effects: a pack put back is stamped as queued ``now`` (so it waits
    UNCLAIMED_AFTER again before counting as lost). Rows another sweep holds are skipped,
    so two sweeps at once put each pack back once."""
    now = now or timezone.now()
    lost = (
        SubmissionPack.objects.select_for_update(skip_locked=True)
        .filter(status=PackStatus.PENDING)
        .filter(
            Q(render_alive_at__isnull=True, updated_at__lt=now - UNCLAIMED_AFTER)
            | Q(render_alive_at__lt=now - RENDER_SILENT_AFTER)
        )
        .order_by("pk")[:REQUEUE_BATCH]
    )
    requeued, failed = [], []
    for pack in lost:
        if pack.render_attempts >= MAX_RENDER_ATTEMPTS:
            _give_up(pack)
            failed.append(pack.pk)
        else:
            requeued.append(pack.pk)
    if requeued:
        # A queryset update: moving a pack back to the queue changes nothing the public
        # pages show, so the page cache is left alone.
        SubmissionPack.objects.filter(pk__in=requeued).update(render_alive_at=None, updated_at=now)
    if requeued or failed:
        logger.warning("Submission packs lost: %s queued again, %s failed", requeued, failed)
    return RequeueResult(requeued=requeued, failed=failed)


def _give_up(pack: SubmissionPack) -> None:
    pack.status = PackStatus.FAILED
    pack.error = GAVE_UP.format(attempts=pack.render_attempts)
    pack.render_alive_at = None
    pack.save(update_fields=["status", "error", "render_alive_at", "updated_at"])


def pack_render(*, pack: SubmissionPack) -> SubmissionPack:
    """Render ``pack`` and store its PDF.

    Side effects: on success stores the file (removing an earlier rendering's), records
    its pages, size and time and marks the pack ready; on failure marks it failed with a
    short message and logs the exception. Content that changed after the pack was asked
    for is not rendered under the old fingerprint: the pack fails, saying why. Rendering
    takes seconds, so it runs outside any transaction; only the final write locks the row."""
    # WeasyPrint costs every process that imports it ~40 MB: only renderers load it.
    from core.pdf import render_pdf  # noqa: PLC0415 - see above: WeasyPrint only where needed

    try:
        if pack.document == PackDocument.PUBLISHED_PLAN:
            full, template, context = _published_plan_document(pack)
        else:
            full = selectors.submission_for_editing(Submission(pk=pack.submission_id))
            if pack_content_hash(full) != pack.content_hash:
                raise ContentChanged("The stage changed before its PDF was prepared; ask again.")
            template = TEMPLATE
            context = pack_context(
                submission=full, content_hash=pack.content_hash, withhold_name=pack.withholds_name
            )
        rendered = render_pdf(template=template, context=context)
    except ContentChanged as exc:
        logger.info("Submission pack %s: %s", pack.pk, exc)
        return _pack_fail(pack, str(exc))
    except Exception as exc:
        logger.exception("Submission pack %s could not be rendered", pack.pk)
        first_line = (str(exc).splitlines() or [""])[0]
        return _pack_fail(pack, f"Rendering failed: {type(exc).__name__}: {first_line}"[:300])
    name = f"submission-{full.pk}" if pack.withholds_name else full.organisation.slug
    if pack.document == PackDocument.PUBLISHED_PLAN:
        name += "-action-plan"
    return _pack_store(pack, content=rendered.content, pages=rendered.pages, slug=name)


PUBLISHED_PLAN_TEMPLATE = "pdf/published_plan.html"


def _published_plan_document(pack: SubmissionPack):
    """The published plan behind ``pack``, its template and context; ContentChanged when
    its progress moved on, or it is no longer the published plan."""
    plan = selectors.published_plan(Organisation.objects.get(pk=pack.submission.organisation_id))
    if (
        plan is None
        or plan.pk != pack.submission_id
        or published_plan_hash(plan) != pack.content_hash
    ):
        raise ContentChanged("The published plan changed before its PDF was prepared.")
    actions = list(plan.actions.all())
    context = {
        "plan": plan,
        "organisation": plan.organisation,
        "by_theme": selectors.plan_by_theme(actions, list(selectors.themes_in_use())),
        "action_count": len(actions),
        "generated_at": timezone.now(),
        "reference": pack.content_hash[:12],
    }
    return plan, PUBLISHED_PLAN_TEMPLATE, context


@transaction.atomic
def _pack_fail(pack: SubmissionPack, message: str) -> SubmissionPack:
    locked = SubmissionPack.objects.select_for_update().filter(pk=pack.pk).first()
    if locked is None or locked.status == PackStatus.READY:
        return locked or pack
    locked.status = PackStatus.FAILED
    locked.error = message
    locked.save(update_fields=["status", "error", "updated_at"])
    return locked


@transaction.atomic
def _pack_store(pack: SubmissionPack, *, content: bytes, pages: int, slug: str) -> SubmissionPack:
    locked = SubmissionPack.objects.select_for_update().filter(pk=pack.pk).first()
    # Gone with its submission, or another worker finished it first.
    if locked is None or locked.status == PackStatus.READY:
        return locked or pack
    earlier = locked.file.name
    storage = locked.file.storage
    locked.file.save(f"{slug}.pdf", ContentFile(content), save=False)
    locked.pages = pages
    locked.size = len(content)
    locked.rendered_at = timezone.now()
    locked.status = PackStatus.READY
    locked.error = ""
    written = locked.file.name
    try:
        locked.save(
            update_fields=["file", "pages", "size", "rendered_at", "status", "error", "updated_at"]
        )
    except Exception:
        storage.delete(written)
        raise
    if earlier:
        transaction.on_commit(lambda: storage.delete(earlier))
    return locked


# What a pack for reviewers who are not told the institution's name leaves out.
WITHHELD_FIELDS = ("lead_name", "lead_email", "lead_phone")


def pack_context(
    *,
    submission: Submission,
    content_hash: str,
    generated_at: datetime | None = None,
    withhold_name: bool = False,
) -> dict:
    """What ``pdf/submission_pack.html`` shows, from a submission from
    ``submission_for_editing`` (no further query)."""
    assessment = getattr(submission, "self_assessment", None)
    facts, texts = [], []
    for name in SelfAssessment.WRITTEN_FIELDS:
        if withhold_name and name in WITHHELD_FIELDS:
            continue
        field = SelfAssessment._meta.get_field(name)
        value = getattr(assessment, name) if assessment else None
        written = texts if isinstance(field, models.TextField) else facts
        written.append((capfirst(field.verbose_name), value))
    theme_assessments = list(submission.theme_assessments.all())
    actions = list(submission.actions.all())
    plan = selectors.plan_by_theme(actions, _themes_of(theme_assessments, actions))
    return {
        "submission": submission,
        "organisation": submission.organisation,
        "organisation_label": "The institution" if withhold_name else submission.organisation.name,
        "withholds_name": withhold_name,
        "is_submitted": submission.status != SubmissionStatus.IN_PROGRESS,
        "content_hash": content_hash,
        "hash_short": content_hash[:12],
        "generated_at": generated_at or timezone.now(),
        "facts": facts,
        "texts": texts,
        "theme_assessments": theme_assessments,
        "previous_reviews": list(submission.previous_action_reviews.all()),
        "plan": plan,
        "action_count": len(actions),
        "voice_evidence": list(submission.voice_evidence.all()),
        "attachments": list(submission.attachments.all()),
    }


def _themes_of(assessments: list[ThemeAssessment], actions: list[Action]) -> list:
    """The themes this submission speaks to, in the scheme's order: those it assessed
    and those its actions advance (a theme retired since still shows in its record)."""
    themes = {a.theme.pk: a.theme for a in assessments}
    for action in actions:
        for theme in action.themes.all():
            themes.setdefault(theme.pk, theme)
    return sorted(themes.values(), key=lambda t: (t.position, t.name))
