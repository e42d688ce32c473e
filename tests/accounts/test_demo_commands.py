"""The demo management commands, on an empty database."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.demo import PEOPLE

pytestmark = pytest.mark.django_db


def test_the_seed_command_reports_what_it_added():
    out = StringIO()
    call_command("seed_demo", "--quiet-sign-ins", stdout=out)
    call_command("seed_demo", "--quiet-sign-ins", stdout=out)

    assert out.getvalue().splitlines() == [
        f"Demo data ready (51 organisations and {len(PEOPLE)} people added this time).",
        "Demo data ready (0 organisations and 0 people added this time).",
    ]
