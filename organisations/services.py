"""Changes to the organisation register. One function per verb; each runs in a
transaction and leaves the data as it was when it refuses."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.rules import is_itss_staff, is_lead_of_organisation
from action_plans.lapsing import organisation_lapsing
from core.exceptions import ApplicationError, NotPermitted
from core.services import activity_for, activity_record, instance_validate, transition_apply
from core.validators import validate_pdf_upload

from .enums import (
    LAPSE_TRANSITIONS,
    ONBOARDING_TRANSITIONS,
    REINSTATE_TRANSITIONS,
    OnboardingStatus,
)
from .models import Organisation

S = OnboardingStatus

# Fields staff may edit directly; the onboarding dates and status change only
# through the transitions below.
EDITABLE_FIELDS = (
    "kind",
    "name",
    "short_name",
    "org_type",
    "region",
    "country",
    "website",
    "tc_page_url",
    "contact_name",
    "contact_role",
    "contact_email",
    "lead_name",
    "lead_email",
    "head_name",
    "head_title",
    "head_email",
    "latitude",
    "longitude",
    "cohort",
)


def unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:70] or "organisation"
    slug, n = base, 2
    others = Organisation.objects.exclude(pk=exclude_pk) if exclude_pk else Organisation.objects
    while others.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _full_clean(organisation: Organisation) -> None:
    instance_validate(organisation, exclude=["signed_form"])


@transaction.atomic
def organisation_create(
    *, actor, enquiry_received_on: date | None = None, note: str = "", **fields
) -> Organisation:
    """Record a new enquiry. The organisation starts at “Enquiry received”."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(f"Unknown fields: {', '.join(sorted(unknown))}")
    organisation = Organisation(
        status=S.ENQUIRY,
        enquiry_received_on=enquiry_received_on or timezone.localdate(),
        **fields,
    )
    organisation.slug = unique_slug(organisation.name)
    _full_clean(organisation)
    organisation.save()
    activity_record(
        subject=organisation, actor=actor, verb="enquiry recorded", note=note, to_status=S.ENQUIRY
    )
    return organisation


@transaction.atomic
def organisation_update(
    *, actor, organisation: Organisation, note: str = "", **fields
) -> Organisation:
    """Change an organisation's details; the activity log names the changed fields."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(f"Unknown fields: {', '.join(sorted(unknown))}")
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    changed = [name for name, value in fields.items() if getattr(locked, name) != value]
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, fields[name])
    _full_clean(locked)
    locked.save(update_fields=[*changed, "updated_at"])
    labels = ", ".join(str(Organisation._meta.get_field(n).verbose_name) for n in changed)
    activity_record(
        subject=locked,
        actor=actor,
        verb="details updated",
        note=f"Changed: {labels}." + (f" {note}" if note else ""),
    )
    return locked


# What an organisation's own lead may change: how the public finds and contacts it.
PUBLIC_DETAIL_FIELDS = ("website", "tc_page_url", "contact_name", "contact_role", "contact_email")


def organisation_update_public_details(
    *, actor, organisation: Organisation, **fields
) -> Organisation:
    """The lead (or staff) updates the public web page and point of contact."""
    if not (is_itss_staff(actor) or is_lead_of_organisation(actor, organisation)):
        raise NotPermitted("Only the organisation's lead can change its public details.")
    unknown = set(fields) - set(PUBLIC_DETAIL_FIELDS)
    if unknown:
        raise ApplicationError(f"Unknown fields: {', '.join(sorted(unknown))}")
    return organisation_update(actor=actor, organisation=organisation, **fields)


def _not_in_future(value: date, what: str) -> None:
    if value > timezone.localdate():
        raise ApplicationError(f"The {what} date cannot be in the future.")


def organisation_record_meeting(
    *, actor, organisation: Organisation, held_on: date, note: str = ""
) -> Organisation:
    _not_in_future(held_on, "meeting")

    def guard(org):
        if org.enquiry_received_on and held_on < org.enquiry_received_on:
            raise ApplicationError("The meeting cannot come before the enquiry.")

    return transition_apply(
        instance=organisation,
        to_status=S.MEETING_HELD,
        allowed=ONBOARDING_TRANSITIONS,
        actor=actor,
        verb="meeting held",
        note=note,
        guard=guard,
        changes={"meeting_held_on": held_on},
    )


def organisation_receive_form(
    *,
    actor,
    organisation: Organisation,
    signed_form,
    received_on: date,
    head_name: str,
    head_title: str,
    lead_name: str,
    lead_email: str,
    note: str = "",
) -> Organisation:
    """Record the signed form (a PDF), who signed it and the nominated lead."""
    _not_in_future(received_on, "form received")
    try:
        validate_pdf_upload(signed_form)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages)) from exc
    if not head_name.strip() or not lead_name.strip() or not lead_email.strip():
        raise ApplicationError(
            "The form must name the head of organisation who signed and the nominated lead."
        )

    def guard(org):
        if org.meeting_held_on and received_on < org.meeting_held_on:
            raise ApplicationError("The form cannot arrive before the meeting was held.")

    return transition_apply(
        instance=organisation,
        to_status=S.FORM_RECEIVED,
        allowed=ONBOARDING_TRANSITIONS,
        actor=actor,
        verb="signed form received",
        note=note,
        guard=guard,
        changes={
            "signed_form": signed_form,
            "form_received_on": received_on,
            "head_name": head_name.strip(),
            "head_title": head_title.strip(),
            "lead_name": lead_name.strip(),
            "lead_email": lead_email.strip().lower(),
        },
    )


def organisation_announce(
    *,
    actor,
    organisation: Organisation,
    announced_on: date,
    announcement_url: str = "",
    note: str = "",
) -> Organisation:
    """Record the joint announcement's date (it may be scheduled ahead) and its link."""

    def guard(org):
        if org.form_received_on and announced_on < org.form_received_on:
            raise ApplicationError("The announcement cannot come before the signed form.")

    return transition_apply(
        instance=organisation,
        to_status=S.ANNOUNCED,
        allowed=ONBOARDING_TRANSITIONS,
        actor=actor,
        verb="announced",
        note=note,
        guard=guard,
        changes={"announced_on": announced_on, "announcement_url": announcement_url},
    )


def organisation_activate(*, actor, organisation: Organisation, note: str = "") -> Organisation:
    """Make the organisation active once its announcement date has come."""

    def guard(org):
        if org.announced_on is None or org.announced_on > timezone.localdate():
            raise ApplicationError(
                "The organisation can be activated on or after its announcement date "
                f"({org.announced_on:%d %B %Y})."
                if org.announced_on
                else "Record the announcement first."
            )

    return transition_apply(
        instance=organisation,
        to_status=S.ACTIVE,
        allowed=ONBOARDING_TRANSITIONS,
        actor=actor,
        verb="activated",
        note=note,
        guard=guard,
    )


def organisation_withdraw(
    *, actor, organisation: Organisation, reason: str, withdrawn_on: date | None = None
) -> Organisation:
    if not reason.strip():
        raise ApplicationError("Give the reason for the withdrawal.")
    return transition_apply(
        instance=organisation,
        to_status=S.WITHDRAWN,
        allowed=ONBOARDING_TRANSITIONS,
        actor=actor,
        verb="withdrawn",
        note=reason.strip(),
        changes={"withdrawn_on": withdrawn_on or timezone.localdate()},
    )


def status_before_withdrawal(organisation: Organisation) -> str:
    entry = activity_for(organisation).filter(to_status=S.WITHDRAWN).exclude(from_status="").first()
    return entry.from_status if entry else S.ENQUIRY


@transaction.atomic
def organisation_reinstate(*, actor, organisation: Organisation, note: str = "") -> Organisation:
    """Bring a withdrawn organisation back to the status it had when it withdrew."""
    # Decide on the stored row, locked, not on the caller's copy (which may be stale).
    stored = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if stored.status != S.WITHDRAWN:
        raise ApplicationError("Only a withdrawn organisation can be reinstated.")
    return transition_apply(
        instance=stored,
        to_status=status_before_withdrawal(stored),
        allowed=REINSTATE_TRANSITIONS,
        actor=actor,
        verb="reinstated",
        note=note,
        changes={"withdrawn_on": None},
    )


def organisation_lapse(*, actor, organisation: Organisation, note: str) -> Organisation:
    """Record that staff have lapsed a signatory long overdue with its current stage.

    Refused unless it is lapsing now (``selectors.organisation_lapsing``: more than
    ``LAPSING_AFTER_MONTHS`` past the due date of a stage it has not submitted), so an
    organisation that is up to date cannot be lapsed by mistake. Stamps ``lapsed_on``;
    the activity log keeps who, when and the note. Nothing is removed: a lapsed
    organisation stays in the register and on the public directory, marked “Lapsed”."""
    if not note.strip():
        raise ApplicationError("Give the reason for lapsing the organisation.")

    def guard(org):
        if organisation_lapsing(org) is None:
            months = settings.LAPSING_AFTER_MONTHS
            raise ApplicationError(
                f"{org} is not lapsing, so it cannot be lapsed: only a signatory more than "
                f"{months} month{'s' if months != 1 else ''} past the due date of its current "
                "stage, with that stage not submitted, can be."
            )

    return transition_apply(
        instance=organisation,
        to_status=S.LAPSED,
        allowed=LAPSE_TRANSITIONS,
        actor=actor,
        verb="lapsed",
        note=note.strip(),
        guard=guard,
        changes={"lapsed_on": timezone.localdate()},
    )


def organisation_restore(*, actor, organisation: Organisation, note: str) -> Organisation:
    """Bring a lapsed organisation back to active and clear ``lapsed_on``; the activity
    log keeps who, when and the note. If its stage is still long overdue, the pipeline
    flags it as lapsing again: extending the due date is how staff record a new one."""
    if not note.strip():
        raise ApplicationError("Give the reason for restoring the organisation.")
    return transition_apply(
        instance=organisation,
        to_status=S.ACTIVE,
        allowed=LAPSE_TRANSITIONS,
        actor=actor,
        verb="restored",
        note=note.strip(),
        changes={"lapsed_on": None},
    )
