"""The demo's submission cycles: rounds, and leads with stages at different points."""

import pytest

from action_plans.deadlines import UK
from action_plans.enums import DatePrecision, StageState, SubmissionStatus
from action_plans.models import Action, Milestone, Submission, SubmissionRound
from action_plans.selectors import organisation_stages
from demo.seed import seed_demo
from organisations.models import Organisation
from tests.conftest import module_world

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module, inside a transaction that is rolled back afterwards.

    Each test then runs in a savepoint of it, as Django's TestCase.setUpTestData does."""
    with module_world(django_db_blocker):
        yield seed_demo()


def _current(short_name):
    return organisation_stages(Organisation.objects.get(short_name=short_name))[-1]


def test_rounds_fall_in_january_and_september_at_five_pm_uk(seeded):
    rounds = list(SubmissionRound.objects.all())
    local = [r.deadline.astimezone(UK) for r in rounds]
    assert {(d.month, d.hour) for d in local} == {
        (1, 17),
        (9, 17),
    }


def test_each_demo_lead_finds_their_stage_where_the_demo_says(seeded):
    assert _current("Nottingham").state == StageState.IN_PROGRESS
    assert _current("Edinburgh").state == StageState.NOT_STARTED
    assert not _current("Edinburgh").is_overdue
    assert _current("Imperial").is_overdue
    # Every stage already submitted passed the real submit check and was published.
    done = Submission.objects.exclude(status=SubmissionStatus.IN_PROGRESS)
    assert done.count() >= 8
    assert all(len(s.content_hash) == 64 and s.published_at for s in done)


def test_seeding_again_adds_no_submissions(seeded):
    before = list(Submission.objects.values_list("pk", "status", "content_hash"))
    seed_demo()
    assert list(Submission.objects.values_list("pk", "status", "content_hash")) == before


def test_demo_plans_show_targets_as_plans_give_them(seeded):
    actions = Action.objects.all()
    assert {a.target_precision for a in actions} == set(DatePrecision.values)
    assert Milestone.objects.filter(action__in=actions).exists()
    assert all("\n" in a.description for a in actions)
