import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tc_portal.settings.production")

# Tasks that declare a deferred_notice survive a broker outage (core.queueing).
app = Celery("tc_portal", task_cls="core.queueing:FailSoftTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
