"""Lapsing: a signatory long past the due date of its current stage. Derived from the
submission cycle, never stored; staff decide whether to lapse the organisation."""

from dataclasses import dataclass
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import timezone

from organisations.enums import OrganisationKind
from organisations.models import Organisation

from .deadlines import add_months, uk_date
from .selectors import SCHEDULED_STATUSES, StageView, current_stages


@dataclass(frozen=True)
class Lapsing:
    """A signatory long past the due date of its current stage, not yet submitted.

    Only a flag for staff, who decide whether to lapse the organisation."""

    organisation: Organisation
    stage: StageView
    due_on: date  # the current stage's due date in force (UK calendar date)
    today: date

    @property
    def days_overdue(self) -> int:
        return (self.today - self.due_on).days

    @property
    def months_overdue(self) -> int:
        gap = relativedelta(self.today, self.due_on)
        return gap.years * 12 + gap.months


def organisations_lapsing(*, now: datetime | None = None) -> list[Lapsing]:
    """Every lapsing signatory, longest overdue first: announced or active, with its
    current stage (the first not submitted) more than ``LAPSING_AFTER_MONTHS`` past
    its due date (extensions included), counted in UK calendar dates. Five queries
    however many organisations (one when none is announced or active)."""
    candidates = list(
        Organisation.objects.filter(kind=OrganisationKind.SIGNATORY, status__in=SCHEDULED_STATUSES)
    )
    return _lapsing(candidates, now=now)


def organisation_lapsing(
    organisation: Organisation, *, now: datetime | None = None
) -> Lapsing | None:
    """``organisation``'s Lapsing if it is lapsing now, else None. Four queries for an
    announced or active signatory, none for any other."""
    if (
        organisation.kind != OrganisationKind.SIGNATORY
        or organisation.status not in SCHEDULED_STATUSES
    ):
        return None
    found = _lapsing([organisation], now=now)
    return found[0] if found else None


def _lapsing(organisations: list[Organisation], *, now: datetime | None) -> list[Lapsing]:
    if not organisations:
        return []
    now = now or timezone.now()
    today = uk_date(now)
    months = settings.LAPSING_AFTER_MONTHS
    stages = current_stages(organisations, now=now)
    found = []
    for organisation in organisations:
        stage = stages.get(organisation.pk)
        if stage is None or stage.is_submitted:
            continue
        due_on = uk_date(stage.due_at)
        # "More than N months" by the calendar: on the day N months after the due
        # date it is not yet lapsing; the day after, it is.
        if add_months(due_on, months) < today:
            found.append(
                Lapsing(organisation=organisation, stage=stage, due_on=due_on, today=today)
            )
    return sorted(found, key=lambda lapsing: (lapsing.due_on, lapsing.organisation.name))
