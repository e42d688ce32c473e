"""The portal's check of each organisation's own page, against pages served on this machine."""

import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone

from directory.enums import OnboardingStatus
from directory.linkcheck import fetch_status, organisation_page_check, pages_due_for_check
from directory.tasks import check_public_pages
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


class _Pages(BaseHTTPRequestHandler):
    """/ok answers 200, /gone 404, /no-head refuses HEAD but serves GET."""

    def _answer(self, body: bool):
        code = {"/ok": 200, "/gone": 404, "/no-head": 405 if self.command == "HEAD" else 200}
        self.send_response(code.get(self.path, 404))
        self.end_headers()
        if body:
            self.wfile.write(b"<p>Our Technician Commitment</p>")

    def do_HEAD(self):  # noqa: N802 - the standard library's name
        self._answer(body=False)

    def do_GET(self):  # noqa: N802
        self._answer(body=True)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _public(**fields):
    return OrganisationFactory(
        status=OnboardingStatus.ACTIVE, announced_on=date(2020, 1, 1), **fields
    )


@pytest.mark.parametrize(
    ("path", "reachable", "note"),
    [
        ("/ok", True, "HTTP 200"),
        ("/no-head", True, "HTTP 200"),
        ("/gone", False, "HTTP 404"),
    ],
)
def test_a_page_is_checked_and_the_outcome_recorded(site, path, reachable, note):
    organisation = _public(tc_page_url=site + path)

    checked = organisation_page_check(organisation=organisation)

    assert (checked.tc_page_reachable, checked.tc_page_check_note) == (reachable, note)
    assert checked.tc_page_checked_at is not None


def test_a_server_that_does_not_answer_is_not_reachable():
    # A port on this machine that nothing listens on.
    reachable, note = fetch_status("http://127.0.0.1:9/")
    assert reachable is False
    assert note.startswith("Not reachable")


def test_the_task_checks_those_due_and_not_those_checked_this_week(site):
    due = _public(name="Due University", tc_page_url=site + "/ok")
    recent = _public(
        name="Recent University",
        tc_page_url=site + "/gone",
        tc_page_checked_at=timezone.now() - timedelta(days=1),
        tc_page_reachable=True,
    )
    _public(name="Pageless University", tc_page_url="")
    OrganisationFactory(name="Enquiring University", tc_page_url=site + "/ok")

    assert list(pages_due_for_check()) == [due]
    assert check_public_pages.apply().get() == {"checked": 1}
    recent.refresh_from_db()
    assert recent.tc_page_reachable is True  # untouched


def test_the_public_page_shows_the_last_check(client, site):
    organisation = _public(tc_page_url=site + "/gone")
    organisation_page_check(organisation=organisation)

    text = client.get(reverse("directory:public_organisation", args=[organisation.slug]))
    assert "Not reachable when the portal last checked" in text.content.decode()
