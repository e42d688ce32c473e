"""Reads of the public front: the public organisations, the directory's list and the
network in figures."""

from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from action_plans.enums import SubmissionStatus
from action_plans.models import Action, Submission
from core.models import Theme
from organisations.enums import PUBLIC_STATUSES, OrganisationKind, OrganisationType, Region
from organisations.models import Organisation


def public_organisations() -> QuerySet[Organisation]:
    """Organisations the public may see: announced (on or before today), active or lapsed.
    A lapsed organisation stays listed, marked "Lapsed": lapsing removes nothing."""
    return Organisation.objects.filter(
        status__in=PUBLIC_STATUSES, announced_on__lte=timezone.localdate()
    )


def directory_organisations() -> QuerySet[Organisation]:
    """The public organisations with what the directory lists about each: the latest
    stage each has submitted (``latest_stage``) and published (``published_stage``), None
    before the first."""
    return public_organisations().annotate(
        latest_stage=Max(
            "submissions__stage_number",
            filter=~Q(submissions__status=SubmissionStatus.IN_PROGRESS),
        ),
        published_stage=Max(
            "submissions__stage_number",
            filter=Q(submissions__published_at__isnull=False)
            & ~Q(submissions__status=SubmissionStatus.IN_PROGRESS),
        ),
    )


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    share: float  # of the largest bar in its chart, 0 to 1


def _bars(pairs: list[tuple[str, int]]) -> list[Bar]:
    largest = max((value for _, value in pairs), default=0) or 1
    return [Bar(label, value, value / largest) for label, value in pairs]


@dataclass(frozen=True)
class NetworkFigures:
    signatories: int
    supporters: int
    published_plans: int
    actions: int
    joined_by_year: list[Bar]  # cumulative: the size of the network at each year's end
    by_region: list[Bar]
    by_type: list[Bar]
    actions_by_theme: list[Bar]


def network_figures() -> NetworkFigures:
    """The public network in figures, from the public organisations and their published
    plans (the latest of each). Eight queries however large the network."""
    public = public_organisations()
    kinds = dict(public.values_list("kind").annotate(n=Count("id")).order_by())
    per_year = dict(public.values_list("announced_on__year").annotate(n=Count("id")).order_by())
    years = range(min(per_year), timezone.localdate().year + 1) if per_year else range(0)
    running, cumulative = 0, []
    for year in years:
        running += per_year.get(year, 0)
        cumulative.append((str(year), running))
    regions = dict(public.values_list("region").annotate(n=Count("id")).order_by())
    types = dict(public.values_list("org_type").annotate(n=Count("id")).order_by())
    plan_ids = _latest_plan_ids(public)
    themes = dict(
        Action.themes.through.objects.filter(action__submission__in=plan_ids)
        .values_list("theme__name")
        .annotate(n=Count("id"))
        .order_by()
    )
    theme_order = list(Theme.objects.filter(is_active=True).values_list("name", flat=True))
    return NetworkFigures(
        signatories=kinds.get(OrganisationKind.SIGNATORY, 0),
        supporters=kinds.get(OrganisationKind.SUPPORTER, 0),
        published_plans=len(plan_ids),
        actions=Action.objects.filter(submission__in=plan_ids).count(),
        joined_by_year=_bars(cumulative),
        by_region=_bars(
            [(label, regions[value]) for value, label in Region.choices if value in regions]
        ),
        by_type=_bars(
            [(label, types[value]) for value, label in OrganisationType.choices if value in types]
        ),
        actions_by_theme=_bars([(name, themes.get(name, 0)) for name in theme_order]),
    )


def _latest_plan_ids(public) -> list[int]:
    """The newest published plan of each public organisation (one query)."""
    latest = {}
    for pk, organisation_id, stage in (
        Submission.objects.filter(organisation__in=public, published_at__isnull=False)
        .exclude(status=SubmissionStatus.IN_PROGRESS)
        .values_list("pk", "organisation_id", "stage_number")
    ):
        if organisation_id not in latest or stage > latest[organisation_id][1]:
            latest[organisation_id] = (pk, stage)
    return [pk for pk, _ in latest.values()]
