from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Q, QuerySet, Value
from django.utils import timezone

from accounts.rules import is_itss_staff
from action_plans.enums import SubmissionStatus  # plain choices: no models loaded

from .enums import PUBLIC_STATUSES, OnboardingStatus, OrganisationKind, OrganisationType, Region
from .models import Organisation

if TYPE_CHECKING:
    from action_plans.selectors import StageView


def organisations_visible_to(*, user) -> QuerySet[Organisation]:
    """The organisations whose workspace ``user`` may open."""
    if is_itss_staff(user):
        return Organisation.objects.all()
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user).distinct()


def organisation_search(queryset: QuerySet[Organisation], term: str) -> QuerySet[Organisation]:
    term = term.strip()
    if not term:
        return queryset
    return queryset.filter(
        Q(name__icontains=term) | Q(short_name__icontains=term) | Q(slug__icontains=term)
    )


# The public directory --------------------------------------------------------------------

# How alike a search term and a word of a name must be (PostgreSQL trigram word similarity,
# 0 to 1) to count as a match: "nottingam" finds Nottingham, "nothing" does not.
TRIGRAM_THRESHOLD = 0.5
# On SQLite, the fallback when nothing contains the term: names this close (difflib ratio).
CLOSE_MATCH_CUTOFF = 0.8


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


def directory_search(queryset: QuerySet[Organisation], term: str) -> QuerySet[Organisation]:
    """``queryset`` narrowed to organisations whose name or short name matches ``term``,
    most relevant first, tolerant of typos and accents.

    On PostgreSQL: unaccented substring, full-text (simple configuration, unaccented) and
    trigram word similarity, ranked by similarity. On SQLite: a case-insensitive substring
    of the name or short name, and when nothing contains it, the names closest to it."""
    term = " ".join(term.split())[:100]
    if not term:
        return queryset
    if connection.vendor == "postgresql":
        return _postgres_search(queryset, term)
    found = queryset.filter(Q(name__icontains=term) | Q(short_name__icontains=term))
    if not found.exists():
        found = queryset.filter(pk__in=_close_names(queryset, term))
    return found.order_by("name")


def _postgres_search(queryset, term):
    from django.contrib.postgres.lookups import Unaccent
    from django.contrib.postgres.search import SearchQuery, SearchVector, TrigramWordSimilarity
    from django.db.models.functions import Greatest

    plain = Unaccent(Value(term))
    vector = SearchVector(Unaccent("name"), Unaccent("short_name"), config="simple")
    return (
        queryset.annotate(
            similarity=Greatest(
                TrigramWordSimilarity(plain, Unaccent("name")),
                TrigramWordSimilarity(plain, Unaccent("short_name")),
            ),
            matched=vector,
        )
        .filter(
            Q(name__unaccent__icontains=term)
            | Q(short_name__unaccent__icontains=term)
            | Q(matched=SearchQuery(plain, config="simple", search_type="plain"))
            | Q(similarity__gte=TRIGRAM_THRESHOLD)
        )
        .order_by("-similarity", "name")
    )


def _close_names(queryset, term: str) -> list[int]:
    """Ids of organisations one of whose words (or whose short name) is close to a word of
    ``term``: a typo-tolerant fallback where the database has no trigram search."""
    import difflib

    wanted = [word for word in term.casefold().split() if len(word) > 2]
    found = []
    for pk, name, short in queryset.values_list("pk", "name", "short_name"):
        words = (name + " " + short).casefold().split()
        if wanted and all(
            difflib.get_close_matches(word, words, n=1, cutoff=CLOSE_MATCH_CUTOFF)
            for word in wanted
        ):
            found.append(pk)
    return found


def pipeline_counts(queryset: QuerySet[Organisation]) -> list[dict]:
    """One entry per onboarding status, in path order, with its count (zeros included)."""
    counts = dict(queryset.order_by().values_list("status").annotate(n=Count("id")))
    return [
        {"status": status, "label": status.label, "count": counts.get(status.value, 0)}
        for status in OnboardingStatus
    ]


@dataclass(frozen=True)
class Lapsing:
    """A signatory long past the due date of its current stage, not yet submitted.

    Only a flag for staff, who decide whether to lapse the organisation."""

    organisation: Organisation
    stage: "StageView"
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
    from action_plans.selectors import SCHEDULED_STATUSES

    candidates = list(
        Organisation.objects.filter(kind=OrganisationKind.SIGNATORY, status__in=SCHEDULED_STATUSES)
    )
    return _lapsing(candidates, now=now)


def organisation_lapsing(
    organisation: Organisation, *, now: datetime | None = None
) -> Lapsing | None:
    """``organisation``'s Lapsing if it is lapsing now, else None. Four queries for an
    announced or active signatory, none for any other."""
    from action_plans.selectors import SCHEDULED_STATUSES

    if (
        organisation.kind != OrganisationKind.SIGNATORY
        or organisation.status not in SCHEDULED_STATUSES
    ):
        return None
    found = _lapsing([organisation], now=now)
    return found[0] if found else None


def _lapsing(organisations: list[Organisation], *, now: datetime | None) -> list[Lapsing]:
    # Imported at call time: action_plans builds on directory (its models import
    # directory's), so directory never reaches into it while the apps load.
    from action_plans.deadlines import add_months, uk_date
    from action_plans.selectors import current_stages

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
    from action_plans.models import Action
    from core.models import Theme

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
    from action_plans.models import Submission

    latest = {}
    for pk, organisation_id, stage in (
        Submission.objects.filter(organisation__in=public, published_at__isnull=False)
        .exclude(status=SubmissionStatus.IN_PROGRESS)
        .values_list("pk", "organisation_id", "stage_number")
    ):
        if organisation_id not in latest or stage > latest[organisation_id][1]:
            latest[organisation_id] = (pk, stage)
    return [pk for pk, _ in latest.values()]
