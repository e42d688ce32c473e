"""The portal's check of each organisation's own page, against pages served on this machine
(named in LINK_CHECK_ALLOWED_HOSTS, as only tests may), and its refusal of every address
that is not on the public internet: at entry, after resolving names, and at each redirect."""

import socket
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone

from directory.linkcheck import (
    MAX_REDIRECTS,
    fetch_status,
    organisation_page_check,
    pages_due_for_check,
)
from directory.tasks import check_public_pages
from organisations.enums import OnboardingStatus
from organisations.validators import PRIVATE_NETWORK_MESSAGE, address_is_public
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


class _Pages(BaseHTTPRequestHandler):
    """/ok answers 200, /gone 404, /no-head refuses HEAD but serves GET; /to?<address>
    redirects there, /hop/<n> redirects n more times before /ok."""

    def _answer(self, body: bool):
        if self.path.startswith("/to?"):
            return self._redirect(self.path.removeprefix("/to?"))
        if self.path.startswith("/hop/"):
            left = int(self.path.removeprefix("/hop/"))
            return self._redirect(f"/hop/{left - 1}" if left > 1 else "/ok")
        code = {"/ok": 200, "/gone": 404, "/no-head": 405 if self.command == "HEAD" else 200}
        self.send_response(code.get(self.path, 404))
        self.end_headers()
        if body:
            self.wfile.write(b"<p>Our Technician Commitment</p>")

    def _redirect(self, location: str):
        self.send_response(302)
        self.send_header("Location", location)
        self.end_headers()

    def do_HEAD(self):  # noqa: N802 - the standard library's name
        self._answer(body=False)

    def do_GET(self):  # noqa: N802
        self._answer(body=True)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


@pytest.fixture
def site(server, settings):
    """The test pages, on a host the check is told to allow: 127.0.0.1 by that name only."""
    settings.LINK_CHECK_ALLOWED_HOSTS = ["127.0.0.1"]
    return f"http://127.0.0.1:{server.server_address[1]}"


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


def test_a_server_that_does_not_answer_is_not_reachable(site):
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


# Not on the public internet: refused, whatever answers there.


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # shared address space
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fe80::1%eth0",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",  # IPv4 in IPv6 clothing
        "::ffff:169.254.169.254",
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "not an address",
    ],
)
def test_non_public_addresses(address):
    assert address_is_public(address) is False


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"]
)
def test_public_addresses(address):
    assert address_is_public(address) is True


def _port(server) -> int:
    return server.server_address[1]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/ok",
        "http://localhost:{port}/ok",  # a name, refused for what it resolves to
        "http://2130706433:{port}/ok",  # 127.0.0.1 as one number
        "http://0x7f.1:{port}/ok",
        "http://[::ffff:127.0.0.1]:{port}/ok",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:{port}/ok",
    ],
)
def test_the_check_refuses_a_private_address_and_says_nothing_of_what_is_there(server, url):
    reachable, note = fetch_status(url.format(port=_port(server)))

    assert (reachable, note) == (False, "Refused: the address points to a private network")


def test_only_the_named_host_is_allowed_in_tests(server, settings):
    settings.LINK_CHECK_ALLOWED_HOSTS = ["127.0.0.1"]

    assert fetch_status(f"http://127.0.0.1:{_port(server)}/ok") == (True, "HTTP 200")
    assert fetch_status(f"http://localhost:{_port(server)}/ok")[0] is False


@pytest.mark.parametrize(
    "target",
    [
        "http://localhost:{port}/ok",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:{port}/ok",
    ],
)
def test_a_redirect_to_a_private_address_is_refused(site, server, target):
    location = target.format(port=_port(server))

    reachable, note = fetch_status(f"{site}/to?{location}")

    assert (reachable, note) == (False, "Refused: the address points to a private network")


def test_redirects_are_followed_to_the_page_within_a_limit(site):
    assert fetch_status(f"{site}/hop/{MAX_REDIRECTS}") == (True, "HTTP 200")
    assert fetch_status(f"{site}/hop/{MAX_REDIRECTS + 1}") == (
        False,
        f"Not reachable: more than {MAX_REDIRECTS} redirects",
    )


def test_the_connection_goes_to_the_address_that_was_checked(server, settings, monkeypatch):
    """A name that answers a public address to the check and a private one afterwards (DNS
    rebinding) is not fetched from the private one: the name is resolved once, and the
    connection made to that address."""
    settings.LINK_CHECK_ALLOWED_HOSTS = []
    answers = iter(["93.184.215.14"])  # then 127.0.0.1 for ever after
    lookups = []
    real_getaddrinfo = socket.getaddrinfo

    def rebinding(host, port, *args, **kwargs):
        if host != "rebind.example":
            return real_getaddrinfo(host, port, *args, **kwargs)
        lookups.append(host)
        address = next(answers, "127.0.0.1")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    connected = []

    def connect(address, *args, **kwargs):
        connected.append(address[0])
        raise ConnectionRefusedError("no network in tests")

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    monkeypatch.setattr(socket, "create_connection", connect)

    reachable, _note = fetch_status(f"http://rebind.example:{_port(server)}/ok")

    assert reachable is False
    assert (lookups, connected) == (["rebind.example"], ["93.184.215.14"])


# At entry: the lead's public details, and staff editing the register.


def _details(**overrides):
    return {
        "website": "https://www.testshire.ac.uk/",
        "tc_page_url": "https://www.testshire.ac.uk/technicians",
        "contact_name": "Alex Morgan",
        "contact_role": "Head of Technical Services",
        "contact_email": "alex.morgan@testshire.ac.uk",
        **overrides,
    }


@pytest.mark.parametrize(
    "address",
    [
        "http://127.0.0.1:6379/",
        "http://localhost:5432/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:10.0.0.1]/",
        "https://192.168.0.10:8443/admin",
    ],
)
def test_a_lead_cannot_give_a_page_on_a_private_network(client, lead, organisation, address):
    client.force_login(lead)
    before = organisation.tc_page_url

    response = client.post(
        reverse("organisations:public_details", args=[organisation.slug]),
        _details(tc_page_url=address),
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {"tc_page_url": [PRIVATE_NETWORK_MESSAGE]}
    assert "This address points to a private network" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.tc_page_url == before


def test_a_public_page_is_accepted_even_when_its_name_does_not_resolve_yet(
    client, lead, organisation
):
    client.force_login(lead)

    response = client.post(
        reverse("organisations:public_details", args=[organisation.slug]), _details()
    )

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.tc_page_url == "https://www.testshire.ac.uk/technicians"


def test_staff_cannot_give_a_page_on_a_private_network_either(staff_client, organisation):
    response = staff_client.get(
        reverse("organisations:organisation_edit", args=[organisation.slug])
    )
    data = {
        key: value
        for key, value in response.context["form"].initial.items()
        if value is not None and key != "cohort"
    }

    response = staff_client.post(
        reverse("organisations:organisation_edit", args=[organisation.slug]),
        {**data, "tc_page_url": "http://169.254.169.254/latest/meta-data/"},
    )

    assert response.context["form"].errors["tc_page_url"] == [PRIVATE_NETWORK_MESSAGE]
    organisation.refresh_from_db()
    assert organisation.tc_page_url == ""
