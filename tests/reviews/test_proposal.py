"""Proposed teams over random pools: the rules hold whatever the pool looks like.

Each seed builds a pool of reviewers with random capacity, training, pauses, expertise,
home organisations, declared conflicts, memberships and loads, and checks every rule of
``team_propose`` (in memory, no database) and of ``round_proposals`` across a whole round
(through the database). The eligibility worked out here is the rule as written in the
docstrings, not a copy of the selector's code path: who may be proposed, how many, in
what order of load, and who leads."""

import random
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pytest

from accounts.models import Membership, User
from action_plans.models import Submission, SubmissionRound
from core.models import Theme
from reviews import selectors
from reviews.enums import ACTIVE_ASSIGNMENT_STATUSES, AssignmentStatus
from reviews.models import Assignment, Conflict, ReviewerProfile
from tests.conftest import module_world
from tests.factories import OrganisationFactory, StaffFactory

from .builders import REVIEWS_DUE, SUBMISSIONS_DUE, review_round, reviewer, submitted_stage

SEEDS = range(30)
A = AssignmentStatus
THEMES = [Theme(pk=n, slug=f"theme-{n}", name=f"Theme {n}") for n in range(1, 5)]
SUBMITTING_ORGANISATION = 1
OTHER_ORGANISATIONS = [2, 3, 4]
NAMES = ["Ana", "Ben", "Cara"]  # few, so that names tie


# In memory: team_propose on its own --------------------------------------------------------


@dataclass
class Pool:
    submission: Submission
    profiles: list[ReviewerProfile]
    loads: Counter
    conflicts: dict[int, set[int]]
    asked: set[int]
    places: int
    themes: list[Theme]
    experience: Counter

    def propose(self, profiles=None):
        return selectors.team_propose(
            submission=self.submission,
            pool=self.profiles if profiles is None else profiles,
            loads=self.loads,
            conflicts=self.conflicts,
            places=self.places,
            asked=self.asked,
            themes=self.themes,
            experience=self.experience,
        )

    def eligible(self) -> list[ReviewerProfile]:
        """The rule: trained, active (profile and account), not asked before, no conflict
        (own organisation, membership or declared) and below capacity."""
        organisation = self.submission.organisation_id
        return [
            p
            for p in self.profiles
            if p.trained_on is not None
            and p.is_active
            and p.user.is_active
            and p.user_id not in self.asked
            and organisation not in self.conflicts.get(p.user_id, set())
            and p.organisation_id != organisation
            and self.loads[p.user_id] < p.capacity
        ]


def _expert_in(profile: ReviewerProfile, themes: list[Theme]) -> ReviewerProfile:
    """Hand an unsaved profile its themes the way a prefetch does, so reading
    ``profile.themes.all()`` runs no query."""
    found = Theme.objects.filter(pk__in=[t.pk for t in themes])
    found._result_cache = list(themes)
    found._prefetch_done = True
    profile._prefetched_objects_cache = {"themes": found}
    return profile


def random_pool(seed: int) -> Pool:
    """Up to 20 reviewers, most of them eligible, each rule excluding a few."""
    rng = random.Random(seed)
    organisations = [SUBMITTING_ORGANISATION, *OTHER_ORGANISATIONS]
    profiles, loads, conflicts, experience = [], Counter(), {}, Counter()
    for n in range(rng.choice([0, 2, *range(5, 21)])):
        user_id = 100 + n
        home = rng.choice([None, None, None, *organisations])
        user = User(
            pk=user_id,
            email=f"r{n}@example.org",
            name=rng.choice(NAMES),
            is_reviewer=True,
            is_active=rng.random() > 0.07,
        )
        profile = ReviewerProfile(
            pk=500 - n,  # primary keys in the opposite order to the user ids
            user=user,
            organisation_id=home,
            capacity=rng.randint(1, 4),
            trained_on=date(2025, 6, 1) if rng.random() > 0.15 else None,
            is_active=rng.random() > 0.1,
        )
        profiles.append(_expert_in(profile, rng.sample(THEMES, rng.randint(0, 3))))
        # What conflicts_by_reviewer gathers: the home organisation, the organisations
        # they belong to, and those they declared.
        belongs = {rng.choice(organisations)} if rng.random() < 0.15 else set()
        declared = {o for o in organisations if rng.random() < 0.07}
        conflicts[user_id] = ({home} - {None}) | belongs | declared
        if rng.random() < 0.7:
            loads[user_id] = rng.randint(0, profile.capacity + (rng.random() < 0.1))
        if rng.random() < 0.6:
            experience[user_id] = rng.randint(0, 6)
    ids = [p.user_id for p in profiles]
    rng.shuffle(profiles)
    return Pool(
        submission=Submission(pk=1, organisation_id=SUBMITTING_ORGANISATION, stage_number=1),
        profiles=profiles,
        loads=loads,
        conflicts=conflicts,
        asked=set(rng.sample(ids, rng.randint(0, len(ids) // 4))),
        places=rng.randint(0, 6),
        themes=rng.sample(THEMES, rng.randint(0, 4)),
        experience=experience,
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_a_proposal_keeps_every_rule(seed):
    pool = random_pool(seed)
    loads_before = Counter(pool.loads)
    eligible = pool.eligible()

    proposal = pool.propose()

    chosen = proposal.reviewers
    ids = [p.user_id for p in chosen]
    eligible_ids = {p.user_id for p in eligible}
    assert len(set(ids)) == len(ids)
    assert set(ids) <= eligible_ids
    assert len(chosen) == min(pool.places, len(eligible))
    assert proposal.short_by == pool.places - len(chosen)
    assert all(pool.loads[p.user_id] + 1 <= p.capacity for p in chosen)
    left_out = [p for p in eligible if p.user_id not in set(ids)]
    if chosen and left_out:
        assert max(pool.loads[i] for i in ids) <= min(pool.loads[p.user_id] for p in left_out)
    assert pool.loads == loads_before  # the caller adds the choice if it keeps it


@pytest.mark.parametrize("seed", SEEDS)
def test_the_lead_is_the_most_experienced_and_comes_first(seed):
    pool = random_pool(seed)

    proposal = pool.propose()

    if not proposal.reviewers:
        assert proposal.lead is None
        return
    lead, *others = proposal.reviewers
    assert proposal.lead is lead
    assert all(pool.experience[lead.user_id] >= pool.experience[p.user_id] for p in others)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_order_of_the_pool_does_not_change_the_proposal(seed):
    pool = random_pool(seed)
    shuffled = list(pool.profiles)
    random.Random(seed + 1000).shuffle(shuffled)

    first = pool.propose()
    again = pool.propose(list(reversed(pool.profiles)))
    shuffled_proposal = pool.propose(shuffled)

    ids = [p.user_id for p in first.reviewers]
    assert [p.user_id for p in again.reviewers] == ids
    assert [p.user_id for p in shuffled_proposal.reviewers] == ids


@pytest.mark.parametrize("seed", SEEDS)
def test_a_single_place_goes_to_the_least_loaded_then_the_most_expert(seed):
    pool = replace(random_pool(seed), places=1)
    wanted = {theme.pk for theme in pool.themes}

    def rank(profile):
        return (pool.loads[profile.user_id], -len({t.pk for t in profile.themes.all()} & wanted))

    proposal = pool.propose()

    eligible = pool.eligible()
    assert len(proposal.reviewers) == min(1, len(eligible))
    if eligible:
        assert rank(proposal.reviewers[0]) == min(rank(p) for p in eligible)


CASES = [
    "untrained",
    "paused",
    "inactive account",
    "asked",
    "own organisation",
    "conflict",
    "at capacity",
    "short of reviewers",
    "more than enough",
    "tied on load and name",
]


def test_the_random_pools_reach_every_case():
    """The seeds are worth running: between them, pools where each rule bites."""
    seen = Counter()
    for pool in (random_pool(seed) for seed in SEEDS):
        eligible = pool.eligible()
        for p in pool.profiles:
            seen["untrained"] += p.trained_on is None
            seen["paused"] += not p.is_active
            seen["inactive account"] += not p.user.is_active
            seen["asked"] += p.user_id in pool.asked
            seen["own organisation"] += p.organisation_id == SUBMITTING_ORGANISATION
            seen["conflict"] += SUBMITTING_ORGANISATION in pool.conflicts[p.user_id]
            seen["at capacity"] += pool.loads[p.user_id] >= p.capacity
        seen["short of reviewers"] += len(eligible) < pool.places
        seen["more than enough"] += len(eligible) > pool.places > 0
        ties = Counter((pool.loads[p.user_id], p.user.name) for p in eligible)
        seen["tied on load and name"] += any(n > 1 for n in ties.values())

    assert {case: seen[case] >= 3 for case in CASES} == dict.fromkeys(CASES, True), seen


# Through the database: a whole round ---------------------------------------------------


@pytest.fixture(scope="module")
def stages(django_db_setup, django_db_blocker):
    """Six submitted stages of one round, built once for the module inside a transaction
    rolled back afterwards; each test runs in a savepoint of it."""
    with module_world(django_db_blocker):
        # The submission round first: a stage takes the due date in force when submitted.
        SubmissionRound.objects.create(deadline=SUBMISSIONS_DUE, name="September 2025")
        yield [submitted_stage(f"University of Seed {n}") for n in range(6)]


def _random_round(seed: int, stages) -> dict:
    """A round over ``stages`` with a random team size, and a random pool whose members
    belong to, work at, or declared conflicts with some of the stages' organisations, and
    already hold places (in every status) on some of the stages."""
    rng = random.Random(seed)
    the_round = review_round(team_size=rng.randint(1, 4))
    staff = StaffFactory()
    organisations = [s.organisation for s in stages]
    outside = OrganisationFactory()
    pool = []
    for _ in range(rng.randint(3, 12)):
        user = reviewer(
            name=rng.choice(NAMES),
            organisation=rng.choice([None, None, outside, *organisations]),
            themes=rng.sample(
                ["visibility", "recognition", "career-development", "sustainability"],
                rng.randint(0, 2),
            ),
            capacity=rng.randint(1, 4),
            trained=rng.random() > 0.2,
            active=rng.random() > 0.15,
            is_active=rng.random() > 0.1,
        )
        for organisation in organisations:
            if rng.random() < 0.08:
                Membership.objects.create(user=user, organisation=organisation, role="contributor")
            if rng.random() < 0.08:
                Conflict.objects.create(
                    reviewer=user, organisation=organisation, reason="other", note="Seeded."
                )
        pool.append(user)
    # Places already held, written straight to the table: the pool is random, and some of
    # these would break the rules the services keep (a reviewer over capacity after their
    # capacity was lowered, say); the proposal must still keep them for the places it adds.
    for stage in stages:
        for user in rng.sample(pool, rng.randint(0, min(3, len(pool)))):
            status = rng.choice(list(A))
            Assignment.objects.create(
                round=the_round,
                submission=stage,
                reviewer=user,
                status=status,
                assigned_by=staff,
                respond_by=REVIEWS_DUE - timedelta(days=7),
                decline_reason="Away." if status == A.DECLINED else "",
            )
    return {"round": the_round, "pool": pool}


def _conflicted(user: User) -> set[int]:
    """Read straight from the tables: where they work, belong, and declared conflicts."""
    found = set(Membership.objects.filter(user=user).values_list("organisation_id", flat=True))
    found |= set(Conflict.objects.filter(reviewer=user).values_list("organisation_id", flat=True))
    profile = ReviewerProfile.objects.get(user=user)
    if profile.organisation_id:
        found.add(profile.organisation_id)
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("seed", SEEDS)
def test_a_round_of_proposals_keeps_every_rule(seed, stages):
    built = _random_round(seed, stages)
    the_round = built["round"]
    profiles = {
        p.user_id: p
        for p in ReviewerProfile.objects.select_related("user").filter(user__in=built["pool"])
    }
    conflicted = {user_id: _conflicted(p.user) for user_id, p in profiles.items()}
    held = list(Assignment.objects.filter(round=the_round))
    load = Counter(a.reviewer_id for a in held if a.status in ACTIVE_ASSIGNMENT_STATUSES)
    experience = Counter(a.reviewer_id for a in held if a.status == A.SUBMITTED)
    asked = {s.pk: {a.reviewer_id for a in held if a.submission_id == s.pk} for s in stages}
    team = Counter(a.submission_id for a in held if a.status in ACTIVE_ASSIGNMENT_STATUSES)
    short = {s.pk for s in stages if team[s.pk] < the_round.team_size}

    proposals = selectors.round_proposals(the_round)

    assert [p.submission.pk for p in proposals] == [
        s.pk
        for s in sorted(stages, key=lambda s: (s.organisation.name, s.stage_number))
        if s.pk in short
    ]
    proposed = Counter()
    for proposal in proposals:
        submission = proposal.submission
        places = the_round.team_size - team[submission.pk]
        eligible = [
            p
            for p in profiles.values()
            if p.trained_on is not None
            and p.is_active
            and p.user.is_active
            and p.user_id not in asked[submission.pk]
            and submission.organisation_id not in conflicted[p.user_id]
            and load[p.user_id] < p.capacity
        ]
        ids = [p.user_id for p in proposal.reviewers]
        assert len(set(ids)) == len(ids)
        assert set(ids) <= {p.user_id for p in eligible}, (submission, ids)
        assert len(ids) == min(places, len(eligible))
        assert proposal.short_by == places - len(ids)
        left_out = [p for p in eligible if p.user_id not in set(ids)]
        if ids and left_out:
            assert max(load[i] for i in ids) <= min(load[p.user_id] for p in left_out)
        if ids:
            assert all(experience[ids[0]] >= experience[i] for i in ids[1:])
        for user_id in ids:  # the next proposal counts these places
            load[user_id] += 1
            proposed[user_id] += 1
    held_active = Counter(a.reviewer_id for a in held if a.status in ACTIVE_ASSIGNMENT_STATUSES)
    for user_id, places in proposed.items():
        assert held_active[user_id] + places <= profiles[user_id].capacity, user_id
