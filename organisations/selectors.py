"""Reads of the register: who may see which organisations, the search every list uses,
the pipeline's counts."""

import difflib

from django.contrib.postgres.lookups import Unaccent
from django.contrib.postgres.search import SearchQuery, SearchVector, TrigramWordSimilarity
from django.db import connection
from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import Greatest

from accounts.enums import MembershipRole
from accounts.models import Membership
from accounts.rules import is_itss_staff

from .enums import OnboardingStatus
from .models import Organisation


def organisations_visible_to(*, user) -> QuerySet[Organisation]:
    """The organisations whose workspace ``user`` may open."""
    if is_itss_staff(user):
        return Organisation.objects.all()
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user).distinct()


# Search ----------------------------------------------------------------------------------

# How alike a search term and a word of a name must be (PostgreSQL trigram word similarity,
# 0 to 1) to count as a match: "nottingam" finds Nottingham, "nothing" does not.
TRIGRAM_THRESHOLD = 0.5
# On SQLite, the fallback when nothing contains the term: names this close (difflib ratio).
CLOSE_MATCH_CUTOFF = 0.8


def organisation_search(queryset: QuerySet[Organisation], term: str) -> QuerySet[Organisation]:
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


def lead_addresses(organisations) -> dict[int, list[str]]:
    """Where each organisation's news for its leads goes: its institutional leads (active
    accounts) and its nominated lead, lower-cased, each address once, in that order. One
    query however many organisations."""
    organisations = list(organisations)
    found: dict[int, list[str]] = {o.pk: [] for o in organisations}
    memberships = Membership.objects.filter(
        organisation__in=organisations, role=MembershipRole.LEAD, user__is_active=True
    ).values_list("organisation_id", "user__email")
    for organisation_id, email in memberships.order_by("user__email"):
        found[organisation_id].append(email)
    for organisation in organisations:
        if organisation.lead_email:
            found[organisation.pk].append(organisation.lead_email)
    return {pk: list(dict.fromkeys(a.lower() for a in emails)) for pk, emails in found.items()}
