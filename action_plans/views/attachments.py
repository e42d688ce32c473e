"""Uploading, downloading and removing a submission's attachments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_POST

from core.exceptions import ApplicationError, NotPermitted
from core.http import private_file_response
from core.uploads import CONTENT_TYPES

from .. import services
from ..forms import AttachmentForm
from .common import submission_for
from .editor import refused, refused_section


@login_required
@require_POST
def attachment_add(request, slug, number):
    submission = submission_for(request, slug, number)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return refused_section(request, submission, form, slot="attachment", fragment="attachments")
    evidence = None
    if form.cleaned_data["evidence"]:
        evidence = get_object_or_404(submission.voice_evidence, pk=form.cleaned_data["evidence"])
    try:
        attachment = services.attachment_add(
            actor=request.user,
            submission=submission,
            upload=form.cleaned_data["file"],
            evidence=evidence,
        )
    except (services.SubmissionFrozen, NotPermitted) as exc:
        return refused(request, submission, exc)
    except ApplicationError as exc:
        # The file itself was refused (its kind, its size, the submission's total):
        # said at the file field, in the section's error summary.
        form.add_error("file", exc.message)
        return refused_section(request, submission, form, slot="attachment", fragment="attachments")
    messages.success(request, f"Attached {attachment.name}.")
    fragment = f"voice-{evidence.pk}" if evidence else "attachments"
    return redirect(f"{submission.get_absolute_url()}#{fragment}")


@login_required
@require_GET
def attachment_download(request, slug, number, pk):
    submission = submission_for(request, slug, number)
    attachment = get_object_or_404(submission.attachments, pk=pk)
    return private_file_response(
        attachment.file, filename=attachment.name, content_type=CONTENT_TYPES[attachment.kind]
    )


@login_required
@require_POST
def attachment_remove(request, slug, number, pk):
    submission = submission_for(request, slug, number)
    attachment = get_object_or_404(submission.attachments, pk=pk)
    try:
        services.attachment_remove(actor=request.user, attachment=attachment)
    except ApplicationError as exc:
        return refused(request, submission, exc)
    messages.success(request, f"Removed {attachment.name}.")
    return redirect(f"{submission.get_absolute_url()}#attachments")
