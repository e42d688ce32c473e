"""Organisations at each onboarding stage, signed forms, and snapshots of what is stored."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from action_plans.deadlines import add_months
from core.models import ActivityLog, OutboundEmail
from demo.pdf import minimal_pdf
from organisations.enums import OnboardingStatus, OrganisationKind, OrganisationType, Region
from organisations.models import Organisation
from tests.factories import OrganisationFactory

S = OnboardingStatus

# One plausible onboarding history; every step after the one before.
ENQUIRY_ON = date(2024, 1, 10)
MEETING_ON = date(2024, 2, 14)
FORM_ON = date(2024, 3, 20)
ANNOUNCED_ON = date(2024, 5, 1)
WITHDRAWN_ON = date(2024, 6, 3)
LAPSED_ON = date(2026, 6, 1)

PATH = (S.ENQUIRY, S.MEETING_HELD, S.FORM_RECEIVED, S.ANNOUNCED, S.ACTIVE)


def organisation_at(status: str, **fields) -> Organisation:
    """An organisation that has reached ``status`` with every earlier date recorded.

    A withdrawn or lapsed one has the full history up to its announcement, so the
    only thing that can stop a step is its status, never a missing or later date."""
    reached = PATH.index(status) if status in PATH else len(PATH) - 1
    dates = {
        "enquiry_received_on": ENQUIRY_ON,
        "meeting_held_on": MEETING_ON if reached >= 1 else None,
        "form_received_on": FORM_ON if reached >= 2 else None,
        "announced_on": ANNOUNCED_ON if reached >= 3 else None,
        "withdrawn_on": WITHDRAWN_ON if status == S.WITHDRAWN else None,
        "lapsed_on": LAPSED_ON if status == S.LAPSED else None,
    }
    return OrganisationFactory(status=status, **{**dates, **fields})


def signed_form(name: str = "signed-form.pdf", content: bytes | None = None) -> SimpleUploadedFile:
    """An upload as the browser sends it; a real one-page PDF unless ``content`` is given."""
    body = minimal_pdf("Signed form") if content is None else content
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def signed_form_data(**overrides) -> dict:
    """What staff post to record a signed form that every guard accepts."""
    return {
        "signed_form": signed_form(),
        "received_on": FORM_ON.isoformat(),
        "head_name": "Professor Jane Whitfield",
        "head_title": "Vice-Chancellor",
        "lead_name": "Priya Shah",
        "lead_email": "priya.shah@example.org",
        "note": "",
        **overrides,
    }


def stored(organisation: Organisation) -> dict:
    """Every stored column of ``organisation``, re-read from the database."""
    organisation.refresh_from_db()
    row = {f.attname: getattr(organisation, f.attname) for f in Organisation._meta.concrete_fields}
    row["signed_form"] = organisation.signed_form.name
    return row


def activity_rows() -> list[tuple]:
    return list(
        ActivityLog.objects.order_by("id").values_list(
            "id", "actor_id", "verb", "from_status", "to_status", "note"
        )
    )


def lapsing_signatory(status: str = S.ACTIVE, **fields) -> Organisation:
    """A signatory announced 26 months ago: its Stage 1 (due 18 months after the
    announcement) is about 8 months overdue and not started, so it is lapsing today."""
    announced_on = add_months(timezone.localdate(), -26)
    return organisation_at(status, **{"announced_on": announced_on, **fields})


def up_to_date_signatory(status: str = S.ACTIVE, **fields) -> Organisation:
    """A signatory announced 3 months ago: its Stage 1 is not due for over a year."""
    announced_on = add_months(timezone.localdate(), -3)
    return organisation_at(status, **{"announced_on": announced_on, **fields})


def message_about(about, *, status="sent", **fields) -> OutboundEmail:
    """An outbox row about ``about`` (any object), as the outbox records one."""
    values = {
        "to": ["priya.shah@example.org"],
        "subject": "Your Stage 1 self-assessment is due",
        "body_text": "A reminder.",
        "status": status,
        "attempts": 0 if status == "queued" else 1,
        "error": "SMTPRecipientsRefused: mailbox full" if status in ("failed", "bounced") else "",
        **fields,
    }
    return OutboundEmail.objects.create(about=about, **values)


def many_public_organisations(start: int, stop: int) -> None:
    """Public signatories "University 010" to "University 499" and the like, written in one
    statement (so the public pages' cache is told by the caller, as bulk writes must)."""
    Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"University {n:03d}",
                slug=f"university-{n:03d}",
                kind=OrganisationKind.SIGNATORY,
                org_type=OrganisationType.UNIVERSITY,
                region=Region.EAST_MIDLANDS,
                status=S.ACTIVE,
                enquiry_received_on=date(2019, 1, 1),
                announced_on=date(2019, 12, 1),
            )
            for n in range(start, stop)
        ]
    )
