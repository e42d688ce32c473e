"""The documents of peer review, each a template for the shared PDF helper (core.pdf):
the feedback report an institution receives and a reviewer's certificate."""

import hashlib
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from .enums import AssignmentStatus
from .models import Feedback

logger = logging.getLogger(__name__)

FEEDBACK_TEMPLATE = "pdf/feedback_report.html"
CERTIFICATE_TEMPLATE = "pdf/reviewer_certificate.html"


def feedback_reference(feedback: Feedback) -> str:
    return f"TC-FB-{feedback.round_id}-{feedback.submission_id}"


def feedback_report_render(*, feedback: Feedback) -> Feedback:
    """Render the report of released ``feedback`` and store it.

    Side effects: stores the PDF on the feedback (replacing an earlier rendering) with its
    page count. Released feedback is frozen, so one rendering serves for good; rendering
    again (say after the template changed) replaces it."""
    from core.pdf import render_pdf  # noqa: PLC0415 - WeasyPrint loads only where documents are made

    full = (
        Feedback.objects.select_related("round", "submission__organisation", "outcome")
        .prefetch_related("themes__theme")
        .get(pk=feedback.pk)
    )
    rendered = render_pdf(
        template=FEEDBACK_TEMPLATE,
        context={
            "feedback": full,
            "submission": full.submission,
            "organisation": full.submission.organisation,
            "reference": feedback_reference(full),
        },
    )
    with transaction.atomic():
        locked = Feedback.objects.select_for_update().get(pk=full.pk)
        earlier = locked.report.name
        storage = locked.report.storage
        name = f"{full.submission.organisation.slug}-stage-{full.submission.stage_number}.pdf"
        locked.report.save(name, ContentFile(rendered.content), save=False)
        locked.report_pages = rendered.pages
        locked.save(update_fields=["report", "report_pages", "updated_at"])
        if earlier:
            transaction.on_commit(lambda: storage.delete(earlier))
    return locked


def certificate_context(*, reviewer) -> dict:
    completed = list(
        reviewer.review_assignments.filter(status=AssignmentStatus.SUBMITTED)
        .select_related("round", "submission", "review")
        .order_by("review__submitted_at")
    )
    digest = hashlib.sha256(
        f"{reviewer.pk}:{','.join(str(a.pk) for a in completed)}".encode()
    ).hexdigest()[:10]
    return {
        "reviewer": reviewer,
        "profile": getattr(reviewer, "reviewer_profile", None),
        "completed": completed,
        "issued_on": timezone.localdate(),
        "reference": f"TC-RV-{reviewer.pk}-{digest}",
    }


def certificate_render(*, reviewer) -> bytes:
    """The reviewer's certificate as it stands today. Rendered when asked for, not
    stored: a single page (well under a second) that must count every review to date."""
    from core.pdf import render_pdf  # noqa: PLC0415 - WeasyPrint loads only where documents are made

    return render_pdf(
        template=CERTIFICATE_TEMPLATE, context=certificate_context(reviewer=reviewer)
    ).content
