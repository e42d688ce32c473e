"""Changes to the organisation register. One function per verb; each runs in a
transaction and leaves the data as it was when it refuses."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from core.exceptions import ApplicationError, NotPermitted
from core.services import activity_for, activity_record, instance_validate, transition_apply
from core.validators import validate_pdf_upload

from .enums import OnboardingStatus
from .models import EDITABLE_FIELDS, PUBLIC_DETAIL_FIELDS, Organisation
from .steps import STEPS

S = OnboardingStatus


def unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:70] or "organisation"
    slug, n = base, 2
    others = Organisation.objects.exclude(pk=exclude_pk) if exclude_pk else Organisation.objects
    while others.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _full_clean(organisation: Organisation) -> None:
    instance_validate(organisation, exclude=["signed_form"])


def _authorise(
    actor,
    permission: str,
    organisation: Organisation | None = None,
    *,
    refusal: str = "You are not allowed to change the register.",
) -> None:
    """Refuse ``actor`` unless they hold ``permission`` (on ``organisation``): the same
    named permissions the views ask for."""
    if actor is None or not actor.has_perm(permission, organisation):
        raise NotPermitted(refusal)


@transaction.atomic
def organisation_create(
    *, actor, enquiry_received_on: date | None = None, note: str = "", **fields
) -> Organisation:
    """Record a new enquiry. The organisation starts at “Enquiry received”."""
    _authorise(actor, "organisations.manage_organisation")
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


def organisation_update(
    *, actor, organisation: Organisation, note: str = "", **fields
) -> Organisation:
    """Staff change an organisation's details; the activity log names the changed fields."""
    _authorise(actor, "organisations.manage_organisation", organisation)
    return _details_change(actor=actor, organisation=organisation, note=note, **fields)


@transaction.atomic
def _details_change(*, actor, organisation: Organisation, note: str = "", **fields):
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


def organisation_update_public_details(
    *, actor, organisation: Organisation, **fields
) -> Organisation:
    """The lead (or staff) updates the public web page and point of contact."""
    _authorise(
        actor,
        "organisations.edit_public_details",
        organisation,
        refusal="Only the organisation's lead can change its public details.",
    )
    unknown = set(fields) - set(PUBLIC_DETAIL_FIELDS)
    if unknown:
        raise ApplicationError(f"Unknown fields: {', '.join(sorted(unknown))}")
    return _details_change(actor=actor, organisation=organisation, **fields)


def _not_in_future(value: date, what: str) -> None:
    if value > timezone.localdate():
        raise ApplicationError(f"The {what} date cannot be in the future.")


def _step_take(
    name: str,
    *,
    actor,
    organisation: Organisation,
    note: str = "",
    values: dict | None = None,
    changes: dict | None = None,
    to_status: str | None = None,
) -> Organisation:
    """Take the step ``STEPS[name]``: ``core.services.transition_apply`` with the step's
    table and guard (given ``values``); ``to_status`` only where the step leaves it to
    the service (reinstating)."""
    step = STEPS[name]
    guard = step.guard
    return transition_apply(
        instance=organisation,
        to_status=to_status or step.to,
        allowed=step.allowed,
        actor=actor,
        verb=step.verb,
        note=note,
        guard=(lambda org: guard(org, values or {})) if guard else None,
        changes=changes,
    )


def organisation_record_meeting(
    *, actor, organisation: Organisation, held_on: date, note: str = ""
) -> Organisation:
    _authorise(actor, STEPS["meeting"].permission, organisation)
    _not_in_future(held_on, "meeting")
    return _step_take(
        "meeting",
        actor=actor,
        organisation=organisation,
        note=note,
        values={"held_on": held_on},
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
    _authorise(actor, STEPS["form"].permission, organisation)
    _not_in_future(received_on, "form received")
    try:
        validate_pdf_upload(signed_form)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages)) from exc
    if not head_name.strip() or not lead_name.strip() or not lead_email.strip():
        raise ApplicationError(
            "The form must name the head of organisation who signed and the nominated lead."
        )
    return _step_take(
        "form",
        actor=actor,
        organisation=organisation,
        note=note,
        values={"received_on": received_on},
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
    _authorise(actor, STEPS["announce"].permission, organisation)
    return _step_take(
        "announce",
        actor=actor,
        organisation=organisation,
        note=note,
        values={"announced_on": announced_on},
        changes={"announced_on": announced_on, "announcement_url": announcement_url},
    )


def organisation_activate(*, actor, organisation: Organisation, note: str = "") -> Organisation:
    """Make the organisation active once its announcement date has come."""
    _authorise(actor, STEPS["activate"].permission, organisation)
    return _step_take("activate", actor=actor, organisation=organisation, note=note)


def organisation_withdraw(
    *, actor, organisation: Organisation, reason: str, withdrawn_on: date | None = None
) -> Organisation:
    _authorise(actor, STEPS["withdraw"].permission, organisation)
    if not reason.strip():
        raise ApplicationError("Give the reason for the withdrawal.")
    return _step_take(
        "withdraw",
        actor=actor,
        organisation=organisation,
        note=reason.strip(),
        changes={"withdrawn_on": withdrawn_on or timezone.localdate()},
    )


def status_before_withdrawal(organisation: Organisation) -> str:
    entry = activity_for(organisation).filter(to_status=S.WITHDRAWN).exclude(from_status="").first()
    return entry.from_status if entry else S.ENQUIRY


@transaction.atomic
def organisation_reinstate(*, actor, organisation: Organisation, note: str = "") -> Organisation:
    """Bring a withdrawn organisation back to the status it had when it withdrew."""
    _authorise(actor, STEPS["reinstate"].permission, organisation)
    # Decide on the stored row, locked, not on the caller's copy (which may be stale).
    stored = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if not STEPS["reinstate"].allowed_from(stored.status):
        raise ApplicationError("Only a withdrawn organisation can be reinstated.")
    return _step_take(
        "reinstate",
        actor=actor,
        organisation=stored,
        note=note,
        changes={"withdrawn_on": None},
        to_status=status_before_withdrawal(stored),
    )


def organisation_lapse(*, actor, organisation: Organisation, note: str) -> Organisation:
    """Record that staff have lapsed a signatory long overdue with its current stage.

    Refused unless it is lapsing now (the step's guard asks ``hooks.organisation_lapsing``,
    which the submission cycle answers: more than ``LAPSING_AFTER_MONTHS`` past the due
    date of a stage it has not submitted). Stamps ``lapsed_on``; the activity log keeps
    who, when and the note. Nothing is removed: a lapsed organisation stays in the
    register and on the public directory, marked “Lapsed”."""
    _authorise(actor, STEPS["lapse"].permission, organisation)
    if not note.strip():
        raise ApplicationError("Give the reason for lapsing the organisation.")
    return _step_take(
        "lapse",
        actor=actor,
        organisation=organisation,
        note=note.strip(),
        changes={"lapsed_on": timezone.localdate()},
    )


def organisation_restore(*, actor, organisation: Organisation, note: str) -> Organisation:
    """Bring a lapsed organisation back to active and clear ``lapsed_on``; the activity
    log keeps who, when and the note. If its stage is still long overdue, the pipeline
    flags it as lapsing again: extending the due date is how staff record a new one."""
    _authorise(actor, STEPS["restore"].permission, organisation)
    if not note.strip():
        raise ApplicationError("Give the reason for restoring the organisation.")
    return _step_take(
        "restore",
        actor=actor,
        organisation=organisation,
        note=note.strip(),
        changes={"lapsed_on": None},
    )


# The service that takes each step, by the step's name; each takes the step form's
# cleaned data as its keyword arguments.
STEP_SERVICES = {
    "meeting": organisation_record_meeting,
    "form": organisation_receive_form,
    "announce": organisation_announce,
    "activate": organisation_activate,
    "lapse": organisation_lapse,
    "restore": organisation_restore,
    "withdraw": organisation_withdraw,
    "reinstate": organisation_reinstate,
}


def organisation_step(name: str, *, actor, organisation: Organisation, **values) -> Organisation:
    """Take the step ``name`` with the values its form asked for."""
    return STEP_SERVICES[name](actor=actor, organisation=organisation, **values)
