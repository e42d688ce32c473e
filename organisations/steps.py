"""The onboarding steps, as one table keyed by the step's name.

Each step says from which statuses it may be taken and where it leads, the permission
its actor needs, the check it makes on the stored organisation (its guard), the form
that asks for it and the button that offers it. The services take the steps through
this table, the staff page offers its buttons from it, and the tests read it."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.conf import settings
from django.utils import timezone

from core.exceptions import ApplicationError

from .enums import OnboardingStatus
from .forms import (
    AnnouncementForm,
    LapseForm,
    MeetingForm,
    NoteForm,
    RestoreForm,
    SignedFormForm,
    WithdrawForm,
)
from .hooks import organisation_lapsing
from .models import Organisation

S = OnboardingStatus

# A guard is given the stored organisation (locked) and the values the step records;
# it raises ApplicationError to refuse.
Guard = Callable[[Organisation, Mapping[str, Any]], None]


@dataclass(frozen=True)
class Step:
    label: str  # the staff page's button, and the title of the step's page
    verb: str  # as the activity log words it
    sources: frozenset[str]  # the statuses it may be taken from
    # Where it leads; None: to the status the organisation had when it withdrew.
    to: str | None
    form: type[django_forms.Form]
    guard: Guard | None = None
    permission: str = "organisations.manage_organisation"
    button_class: str = "btn-primary"

    @property
    def targets(self) -> frozenset[str]:
        return frozenset({self.to}) if self.to else REINSTATE_TARGETS

    @property
    def allowed(self) -> dict[str, frozenset[str]]:
        """The step as a transition table, for ``core.services.transition_apply``."""
        return dict.fromkeys(self.sources, self.targets)

    def allowed_from(self, status: str) -> bool:
        return status in self.sources


def _meeting_after_enquiry(org: Organisation, values: Mapping[str, Any]) -> None:
    if org.enquiry_received_on and values["held_on"] < org.enquiry_received_on:
        raise ApplicationError("The meeting cannot come before the enquiry.")


def _form_after_meeting(org: Organisation, values: Mapping[str, Any]) -> None:
    if org.meeting_held_on and values["received_on"] < org.meeting_held_on:
        raise ApplicationError("The form cannot arrive before the meeting was held.")


def _announcement_after_form(org: Organisation, values: Mapping[str, Any]) -> None:
    if org.form_received_on and values["announced_on"] < org.form_received_on:
        raise ApplicationError("The announcement cannot come before the signed form.")


def _announcement_date_come(org: Organisation, values: Mapping[str, Any]) -> None:
    if org.announced_on is None or org.announced_on > timezone.localdate():
        raise ApplicationError(
            "The organisation can be activated on or after its announcement date "
            f"({org.announced_on:%d %B %Y})."
            if org.announced_on
            else "Record the announcement first."
        )


def _lapsing_now(org: Organisation, values: Mapping[str, Any]) -> None:
    """Only an organisation lapsing now can be lapsed, so one that is up to date cannot
    be lapsed by mistake (``hooks.organisation_lapsing``)."""
    if organisation_lapsing(org) is None:
        months = settings.LAPSING_AFTER_MONTHS
        raise ApplicationError(
            f"{org} is not lapsing, so it cannot be lapsed: only a signatory more than "
            f"{months} month{'s' if months != 1 else ''} past the due date of its current "
            "stage, with that stage not submitted, can be."
        )


ONBOARDING = (S.ENQUIRY, S.MEETING_HELD, S.FORM_RECEIVED, S.ANNOUNCED, S.ACTIVE)
# Reinstating returns a withdrawn organisation to any status it may have withdrawn from.
REINSTATE_TARGETS = frozenset({*ONBOARDING, S.LAPSED})

# A withdrawn organisation goes nowhere but back, by reinstating. Nothing lapses on its
# own: lapsing is only a flag, and staff decide.
STEPS: dict[str, Step] = {
    "meeting": Step(
        "Record the meeting",
        "meeting held",
        frozenset({S.ENQUIRY}),
        S.MEETING_HELD,
        MeetingForm,
        _meeting_after_enquiry,
    ),
    "form": Step(
        "Record the signed form",
        "signed form received",
        frozenset({S.MEETING_HELD}),
        S.FORM_RECEIVED,
        SignedFormForm,
        _form_after_meeting,
    ),
    "announce": Step(
        "Record the announcement",
        "announced",
        frozenset({S.FORM_RECEIVED}),
        S.ANNOUNCED,
        AnnouncementForm,
        _announcement_after_form,
    ),
    "activate": Step(
        "Activate",
        "activated",
        frozenset({S.ANNOUNCED}),
        S.ACTIVE,
        NoteForm,
        _announcement_date_come,
    ),
    "lapse": Step(
        "Lapse",
        "lapsed",
        frozenset({S.ANNOUNCED, S.ACTIVE}),
        S.LAPSED,
        LapseForm,
        _lapsing_now,
        button_class="btn-danger",
    ),
    "restore": Step(
        "Restore",
        "restored",
        frozenset({S.LAPSED}),
        S.ACTIVE,
        RestoreForm,
        button_class="btn-outline-primary",
    ),
    "withdraw": Step(
        "Withdraw",
        "withdrawn",
        frozenset({*ONBOARDING, S.LAPSED}),
        S.WITHDRAWN,
        WithdrawForm,
        button_class="btn-outline-danger",
    ),
    "reinstate": Step(
        "Reinstate",
        "reinstated",
        frozenset({S.WITHDRAWN}),
        None,
        NoteForm,
        button_class="btn-outline-primary",
    ),
}


def steps_offered(organisation: Organisation, *, lapsing: bool = False) -> list[tuple[str, Step]]:
    """The steps the table allows from the organisation's status. Lapsing is offered
    only while the organisation is lapsing (its guard would refuse it otherwise)."""
    return [
        (name, step)
        for name, step in STEPS.items()
        if step.allowed_from(organisation.status) and (name != "lapse" or lapsing)
    ]
