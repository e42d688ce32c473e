"""The demo management commands, on an empty database."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from demo.people import PEOPLE
from organisations.models import Organisation

pytestmark = pytest.mark.django_db


def test_the_seed_command_reports_what_it_added():
    out = StringIO()
    call_command("seed_demo", "--quiet-sign-ins", stdout=out)
    call_command("seed_demo", "--quiet-sign-ins", stdout=out)

    assert out.getvalue().splitlines() == [
        f"Demo data ready (51 organisations and {len(PEOPLE)} people added this time).",
        "Demo data ready (0 organisations and 0 people added this time).",
    ]


def test_the_seed_refuses_settings_meant_for_real_data(settings):
    settings.ALLOW_DEMO_DATA = False

    with pytest.raises(CommandError, match="Not loading the demo: these settings are for real"):
        call_command("seed_demo", "--quiet-sign-ins")

    assert not User.objects.exists()
    assert not Organisation.objects.exists()


def test_the_seed_loads_there_only_when_asked_to(settings):
    settings.ALLOW_DEMO_DATA = False

    call_command("seed_demo", "--quiet-sign-ins", "--allow-production", stdout=StringIO())

    assert User.objects.filter(email="itss.staff@example.org").exists()
