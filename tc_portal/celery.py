import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tc_portal.settings.production")

app = Celery("tc_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
