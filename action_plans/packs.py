"""The submission pack: one stage's content as a PDF, prepared in the background.

A pack is filed under the content fingerprint it was made from (one per submission and
fingerprint, by database constraint): content already rendered is never rendered again,
changed content gets a new pack, and packs of older content stay as the history.

    pack_request ──on commit──▶ tasks.render_submission_pack ──▶ rendering.pack_render
      (pending)                                                  (ready | failed)

Packs are asked for when what they show changes (a stage submitted: its pack; a plan
published or its progress recorded: the published plan's PDF) or on a POST ("Prepare the
PDF again"); pages only read them (``pack_latest``, ``published_plan_pdf``) and say
honestly when one is being prepared or not available. Rendering, and the sweep that
queues lost renders again, are in ``rendering``.
"""

from django.db import transaction
from django.utils import timezone

from organisations.models import Organisation

from . import selectors
from .enums import PackDocument, PackStatus, SubmissionStatus
from .models import Submission, SubmissionPack
from .rendering import pack_content_hash, pack_is_lost, published_plan_hash
from .tasks import render_submission_pack


def pack_latest(submission: Submission) -> SubmissionPack | None:
    """The pack of ``submission``'s content as it stands now, if one was asked for.
    Packs of earlier content are history: they are not offered. One query, given a
    submission from ``submission_for_editing``."""
    return submission.packs.filter(
        content_hash=pack_content_hash(submission),
        withholds_name=False,
        document=PackDocument.SUBMISSION,
    ).first()


# The published plan ------------------------------------------------------------------


def published_plan_pdf(plan: Submission) -> SubmissionPack | None:
    """The public PDF of ``plan`` (from ``selectors.published_plan``) as it stands, if it
    was asked for: ready, being prepared or failed. Reads only; one query."""
    return plan.packs.filter(
        content_hash=published_plan_hash(plan), document=PackDocument.PUBLISHED_PLAN
    ).first()


def published_plan_pdf_request(*, organisation: Organisation) -> SubmissionPack | None:
    """Ask for the public PDF of ``organisation``'s published plan as it stands now; None
    when it has no published plan. Called when the plan is published, submitted again or
    its progress recorded, and on a POST asking for a missing or failed PDF again.

    Side effects: as ``pack_request``: a pending pack for this content unless one exists,
    one failed or lost goes back to pending, rendering queued after commit."""
    plan = selectors.published_plan(organisation)
    if plan is None:
        return None
    return _request(
        plan, content_hash=published_plan_hash(plan), document=PackDocument.PUBLISHED_PLAN
    )


def _is_outdated(pack: SubmissionPack, submission: Submission) -> bool:
    """A pack rendered before the stage was submitted says "Draft" on its cover."""
    return bool(
        pack.status == PackStatus.READY
        and submission.submitted_at
        and submission.status != SubmissionStatus.IN_PROGRESS
        and pack.rendered_at
        and pack.rendered_at < submission.submitted_at
    )


def _queue(pack: SubmissionPack) -> None:
    pack_id = pack.pk
    transaction.on_commit(lambda: render_submission_pack.delay(pack_id=pack_id))


@transaction.atomic
def pack_request(
    *, submission: Submission, user=None, withhold_name: bool = False
) -> SubmissionPack:
    """Ask for the PDF of ``submission``'s content as it stands now (``withhold_name``:
    the variant for reviewers who are not told the institution's name).

    Side effects: creates a pending pack for this content unless one exists. An existing
    pack that is ready or being prepared is returned as it is (the same content is not
    rendered twice), except that one which failed, one lost on the way (``pack_is_lost``)
    and one rendered before the stage was submitted (its cover says "Draft") go back to
    pending. Rendering a pending pack is queued after commit."""
    if submission.status == SubmissionStatus.IN_PROGRESS or not submission.content_hash:
        submission = selectors.submission_for_editing(submission)
    return _request(
        submission,
        content_hash=pack_content_hash(submission),
        user=user,
        withhold_name=withhold_name,
    )


@transaction.atomic
def _request(
    submission: Submission,
    *,
    content_hash: str,
    user=None,
    withhold_name: bool = False,
    document: str = PackDocument.SUBMISSION,
) -> SubmissionPack:
    requester = user if getattr(user, "is_authenticated", False) else None
    pack, created = SubmissionPack.objects.get_or_create(
        submission=submission,
        content_hash=content_hash,
        withholds_name=withhold_name,
        document=document,
        defaults={"requested_by": requester},
    )
    if created:
        _queue(pack)
        return pack
    pack = SubmissionPack.objects.select_for_update().get(pk=pack.pk)
    lost = pack_is_lost(pack, timezone.now())
    if lost or pack.status == PackStatus.FAILED or _is_outdated(pack, submission):
        if not lost:
            # Asked for afresh: its renders so far no longer count against it.
            pack.render_attempts = 0
        pack.status = PackStatus.PENDING
        pack.error = ""
        pack.render_alive_at = None
        pack.requested_by = requester or pack.requested_by
        pack.save(
            update_fields=[
                "status",
                "error",
                "render_attempts",
                "render_alive_at",
                "requested_by",
                "updated_at",
            ]
        )
        _queue(pack)
    return pack
