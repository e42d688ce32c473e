"""The broker's settings fit the tasks: none is handed out twice while it still runs."""

from datetime import timedelta

from django.conf import settings

from tc_portal.celery import app

# Redis's own default, which applies when the setting says nothing.
REDIS_DEFAULT_VISIBILITY = 3600
# Between a task's hard time limit and the broker handing it out again.
MARGIN = timedelta(minutes=10).total_seconds()


def _portal_tasks():
    app.loader.import_default_modules()
    return [task for name, task in app.tasks.items() if not name.startswith("celery.")]


def _visibility_timeout() -> float:
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS or {}
    return options.get("visibility_timeout", REDIS_DEFAULT_VISIBILITY)


def test_every_task_ends_well_before_the_broker_hands_it_out_again():
    limits = {
        task.name: task.time_limit or settings.CELERY_TASK_TIME_LIMIT for task in _portal_tasks()
    }
    assert limits["directory.check_public_pages"] >= 3600  # the longest today
    too_long = {
        name: limit for name, limit in limits.items() if limit + MARGIN > _visibility_timeout()
    }
    assert too_long == {}


def test_a_retry_waits_less_than_the_visibility_timeout():
    # A retry is a message held, unacknowledged, until its countdown ends.
    waits = {
        task.name: task.retry_backoff_max
        for task in _portal_tasks()
        if getattr(task, "retry_backoff", False)
    }
    assert "core.deliver_email" in waits
    assert max(waits.values()) + MARGIN <= _visibility_timeout()


def test_every_periodic_job_is_a_known_task():
    names = {task.name for task in _portal_tasks()}
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled - names == set()
