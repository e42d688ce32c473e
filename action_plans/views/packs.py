"""The PDF of a stage: asking for it, watching it being prepared, downloading it.

Whoever may see the stage (``action_plans.view_submission``: its organisation's members
and ITSS staff) may do all three; anyone else signed in is told nothing exists (404),
and the anonymous are sent to sign in, as everywhere on a stage. Without JavaScript,
asking returns to the stage page, which shows where the PDF stands; with htmx the box on
the page swaps in place and polls until it is ready."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from core.http import private_file_response

from .. import packs
from ..enums import PackStatus
from .common import submission_for

BOX = "action_plans/submissionpack_box.html"


def _box_context(submission, pack) -> dict:
    return {"submission": submission, "organisation": submission.organisation, "pack": pack}


def _back_to_box(submission):
    return redirect(f"{submission.get_absolute_url()}#pdf-pack")


@login_required
@require_POST
def pack_request(request, slug, number):
    submission = submission_for(request, slug, number)
    pack = packs.pack_request(submission=submission, user=request.user)
    pack.refresh_from_db()  # where tasks run inline (no broker), it is ready already
    if request.htmx:
        return render(request, f"{BOX}#pack-box", _box_context(submission, pack))
    if pack.status == PackStatus.READY:
        messages.success(request, "The PDF is ready to download.")
    else:
        messages.info(request, "The PDF is being prepared. This takes a few seconds.")
    return _back_to_box(submission)


@login_required
@require_GET
def pack_status(request, slug, number, pk):
    submission = submission_for(request, slug, number)
    pack = get_object_or_404(submission.packs, pk=pk)
    if not request.htmx:
        return _back_to_box(submission)
    return render(request, f"{BOX}#pack-status", _box_context(submission, pack))


@login_required
@require_GET
def pack_download(request, slug, number, pk):
    submission = submission_for(request, slug, number)
    pack = get_object_or_404(submission.packs, pk=pk, status=PackStatus.READY)
    return private_file_response(
        pack.file,
        filename=f"{submission.organisation.slug}-stage-{submission.stage_number}.pdf",
        content_type="application/pdf",
    )
