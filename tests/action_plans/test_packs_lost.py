"""A PDF whose render was lost (its worker killed mid-render, or its message lost with
the broker) is queued again within a minute or two, and failed, saying why, when its
renders keep dying. Time is injected: the sweep and the claim take ``now``."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from action_plans import packs, rendering, selectors
from action_plans.enums import PackStatus
from action_plans.models import SubmissionPack
from action_plans.tasks import render_submission_pack, requeue_lost_packs
from tests.action_plans.builders import (
    announced_organisation,
    complete,
    lead_of,
    own_storage,
    started,
)
from tests.conftest import finished_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def pack_files(tmp_path, monkeypatch):
    return own_storage(SubmissionPack, "file", tmp_path / "packs", monkeypatch)


@pytest.fixture
def pending():
    """A pack asked for and queued, whose render has not run (the commit never came)."""
    organisation = announced_organisation(name="University of Testshire")
    lead = lead_of(organisation)
    pack = packs.pack_request(submission=complete(started(organisation, lead), lead), user=lead)
    assert pack.status == PackStatus.PENDING
    return pack


def _sweep(now, django_capture_on_commit_callbacks):
    """The beat job at ``now``, with the renders it queues run as a worker would."""
    with django_capture_on_commit_callbacks(execute=True):
        result = rendering.packs_requeue_lost(now=now)
    for pack_id in result.requeued:  # as tasks.requeue_lost_packs sends them
        render_submission_pack(pack_id=pack_id)
    return result


def test_a_pack_whose_worker_was_killed_mid_render_is_rendered_within_two_minutes(
    pending, django_capture_on_commit_callbacks
):
    taken_at = pending.updated_at + timedelta(seconds=5)
    # A worker takes the pack up, and is killed before it finishes: no render, no ack.
    assert rendering.pack_claim(pack_id=pending.pk, now=taken_at) is not None

    still_alive = _sweep(taken_at + timedelta(seconds=50), django_capture_on_commit_callbacks)
    lost = _sweep(taken_at + timedelta(seconds=61), django_capture_on_commit_callbacks)

    assert still_alive == rendering.RequeueResult(requeued=[], failed=[])
    assert lost == rendering.RequeueResult(requeued=[pending.pk], failed=[])
    pending.refresh_from_db()
    assert (pending.status, pending.render_attempts, pending.pages > 0) == (
        PackStatus.READY,
        2,
        True,
    )


def test_a_pack_no_worker_took_up_is_queued_again_after_two_minutes(
    pending, django_capture_on_commit_callbacks
):
    queued_at = pending.updated_at

    waiting = _sweep(queued_at + timedelta(minutes=1), django_capture_on_commit_callbacks)
    lost = _sweep(queued_at + timedelta(minutes=2, seconds=1), django_capture_on_commit_callbacks)

    assert (waiting.requeued, lost.requeued) == ([], [pending.pk])
    pending.refresh_from_db()
    assert (pending.status, pending.render_attempts) == (PackStatus.READY, 1)


def test_a_pack_queued_again_waits_its_turn_before_counting_as_lost(pending):
    later = pending.updated_at + timedelta(minutes=3)

    # The render it queues does not run (no commit): the pack waits on the queue.
    first = rendering.packs_requeue_lost(now=later)
    next_minute = rendering.packs_requeue_lost(now=later + timedelta(minutes=1))
    after_two = rendering.packs_requeue_lost(now=later + timedelta(minutes=2, seconds=1))

    assert (first.requeued, next_minute.requeued, after_two.requeued) == (
        [pending.pk],
        [],
        [pending.pk],
    )


def test_a_second_message_for_a_pack_being_rendered_does_nothing(pending):
    taken_at = pending.updated_at
    first = rendering.pack_claim(pack_id=pending.pk, now=taken_at)
    duplicate = rendering.pack_claim(pack_id=pending.pk, now=taken_at + timedelta(seconds=30))

    assert first is not None
    assert duplicate is None
    pending.refresh_from_db()
    assert pending.render_attempts == 1


def test_a_pack_whose_renders_keep_dying_is_failed_saying_why(
    pending, django_capture_on_commit_callbacks
):
    now = pending.updated_at
    for _ in range(rendering.MAX_RENDER_ATTEMPTS):
        now += timedelta(minutes=5)
        assert rendering.pack_claim(pack_id=pending.pk, now=now) is not None  # and dies

    result = _sweep(now + timedelta(minutes=2), django_capture_on_commit_callbacks)

    assert result == rendering.RequeueResult(requeued=[], failed=[pending.pk])
    pending.refresh_from_db()
    assert pending.status == PackStatus.FAILED
    assert pending.error == (
        "The PDF could not be prepared: its rendering stopped 3 times without finishing. "
        "Ask for it again; if that fails too, tell the ITSS team."
    )


def test_asking_again_after_giving_up_starts_the_count_afresh(
    pending, django_capture_on_commit_callbacks
):
    now = pending.updated_at
    for _ in range(rendering.MAX_RENDER_ATTEMPTS):
        now += timedelta(minutes=5)
        rendering.pack_claim(pack_id=pending.pk, now=now)
    rendering.packs_requeue_lost(now=now + timedelta(minutes=2))

    with django_capture_on_commit_callbacks(execute=True):
        again = packs.pack_request(submission=pending.submission)

    again.refresh_from_db()
    assert (again.pk, again.status, again.render_attempts) == (pending.pk, PackStatus.READY, 1)


def test_the_task_takes_the_pack_up_and_renders_it(pending):
    render_submission_pack(pack_id=pending.pk)
    render_submission_pack(pack_id=pending.pk + 1000)

    pending.refresh_from_db()
    assert (pending.status, pending.render_attempts) == (PackStatus.READY, 1)


def test_asking_for_a_lost_pack_queues_it_again(pending, django_capture_on_commit_callbacks):
    rendering.pack_claim(pack_id=pending.pk, now=pending.updated_at)
    # The render died a minute ago; the lead asks for the PDF (the stage page does).
    SubmissionPack.objects.filter(pk=pending.pk).update(
        render_alive_at=pending.updated_at - timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        again = packs.pack_request(submission=pending.submission)

    again.refresh_from_db()
    assert (again.status, again.render_attempts) == (PackStatus.READY, 2)


# The heartbeat runs in a thread of its own, with its own database connection: the pack
# must be committed for it to see.
@pytest.mark.django_db(transaction=True)
def test_a_long_render_says_it_is_alive(pending):
    long_ago = pending.updated_at - timedelta(hours=1)
    # Committed, the pack was rendered at once: take it back to the middle of a render.
    SubmissionPack.objects.filter(pk=pending.pk).update(
        status=PackStatus.PENDING, render_alive_at=long_ago
    )

    with rendering._heartbeat(pending.pk, every=timedelta(seconds=0.05)):
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            pending.refresh_from_db()
            if pending.render_alive_at > long_ago:
                break
            time.sleep(0.02)

    assert pending.render_alive_at > long_ago
    assert not rendering.pack_is_lost(pending, pending.render_alive_at + timedelta(seconds=30))


def test_the_render_stops_saying_it_is_alive_once_the_pack_is_ready(pending):
    render_submission_pack(pack_id=pending.pk)
    assert rendering.pack_alive(pack_id=pending.pk) is False


def test_the_sweep_runs_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["requeue-lost-packs"]
    assert (entry["task"], entry["schedule"]) == ("action_plans.requeue_lost_packs", 60.0)


@pytest.mark.xdist_group("celery-worker")
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_renders_a_pack_the_sweep_queued_again(real_worker):
    organisation = announced_organisation(name="University of Workshire")
    lead = lead_of(organisation)
    submission = complete(started(organisation, lead), lead)
    long_ago = timezone.now() - timedelta(minutes=5)
    # What a worker killed mid-render leaves behind: taken up once, silent since.
    pack = SubmissionPack.objects.create(
        submission=submission,
        content_hash=packs.pack_content_hash(selectors.submission_for_editing(submission)),
        render_attempts=1,
        render_alive_at=long_ago,
    )

    with finished_tasks(render_submission_pack) as renders:
        assert requeue_lost_packs() == {"requeued": 1, "failed": 0}
        renders.wait_for(1, seconds=60)

    pack.refresh_from_db()
    assert (pack.status, pack.render_attempts, pack.pages > 0) == (PackStatus.READY, 2, True)
