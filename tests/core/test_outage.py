"""The portal standing while Redis (the cache and the Celery broker) is down.

The settings are built afresh from ``tc_portal/settings/base.py`` with ``REDIS_URL``
pointing at a port where nothing listens, exactly as a deployment whose Redis has gone
away, and the pages are asked for as visitors, people signing in and leads acting."""

import html
import runpy
import socket
import threading
import time
from contextlib import contextmanager, suppress
from datetime import date
from urllib.parse import urlsplit, urlunsplit

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

import tc_portal.settings.base as settings_module
from accounts.enums import InvitationRole, MembershipRole
from accounts.models import Invitation
from action_plans import services as plan_services
from action_plans.enums import PackDocument, PackStatus
from action_plans.models import SubmissionPack
from core import cache as core_cache
from core.enums import EmailStatus
from core.models import OutboundEmail
from core.views import server_error
from directory import cache as directory_cache
from tc_portal.celery import app
from tests.accounts.people import PASSWORD, current_totp_code
from tests.action_plans.builders import (
    announced_organisation,
    complete,
    lead_of,
    started,
    submitted,
)
from tests.conftest import with_totp
from tests.factories import MembershipFactory, OrganisationFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

# The Celery settings a deployment with Redis gets, applied to the running app.
CELERY_SETTINGS = (
    "broker_url",
    "broker_connection_timeout",
    "broker_transport_options",
    "task_publish_retry_policy",
)


def _closed_port() -> int:
    """A port on this machine that nothing listens on: bound, then let go."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _deployed_settings(monkeypatch, redis_url: str) -> dict:
    """The settings module as it reads with ``REDIS_URL`` set, evaluated afresh."""
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.delenv("REDIS_CACHE_URL", raising=False)
    return runpy.run_path(str(settings_module.__file__), run_name="deployed_settings")


def _reset_broker_connections():
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def _redis_at(url, settings, monkeypatch):
    """The cache and the broker configured as deployed, with Redis at ``url``."""
    deployed = _deployed_settings(monkeypatch, url)
    settings.REDIS_URL = url
    settings.CACHES = deployed["CACHES"]
    previous = {name: app.conf[name] for name in CELERY_SETTINGS}
    previous_eager = app.conf.task_always_eager
    for name in CELERY_SETTINGS:
        value = deployed.get(f"CELERY_{name.upper()}", app.conf[name])
        setattr(settings, f"CELERY_{name.upper()}", value)
        app.conf[name] = value
    app.conf.task_always_eager = False
    _reset_broker_connections()
    try:
        yield url
    finally:
        for name, value in previous.items():
            app.conf[name] = value
        app.conf.task_always_eager = previous_eager
        _reset_broker_connections()


@pytest.fixture
def redis_down(settings, monkeypatch):
    """Redis unreachable: the cache and the broker point at a closed port."""
    with _redis_at(f"redis://127.0.0.1:{_closed_port()}/0", settings, monkeypatch) as url:
        yield url


@pytest.fixture
def redis_silent(settings, monkeypatch):
    """Redis reachable but answering nothing (stuck, or its replies dropped on the way):
    every call waits for its socket timeout, unless the portal stops calling."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        url = f"redis://127.0.0.1:{server.getsockname()[1]}/0"
        with _redis_at(url, settings, monkeypatch):
            yield url


@pytest.fixture
def public_organisation(db):
    return OrganisationFactory(
        name="University of Keepshire", status="active", announced_on=date(2020, 1, 1)
    )


def _text(response) -> str:
    return html.unescape(response.content.decode())


PUBLIC_PAGES = (
    ("directory:directory", {}),
    ("directory:map", {}),
    ("directory:network", {}),
    ("directory:feed", {}),
    ("directory:public_organisation", {"slug": "university-of-keepshire"}),
    ("account_login", {}),
    ("account_reset_password", {}),
)


@pytest.mark.parametrize(("name", "kwargs"), PUBLIC_PAGES)
def test_public_pages_answer_from_the_database(
    client, redis_down, public_organisation, name, kwargs
):
    url = reverse(name, kwargs=kwargs)
    first = client.get(url)
    again = client.get(url)
    assert (first.status_code, again.status_code) == (200, 200)
    if name == "directory:directory":
        assert "University of Keepshire" in _text(again)


def test_a_silent_redis_costs_one_timeout_then_nothing(client, redis_silent, public_organisation):
    url = reverse("directory:directory")
    started = time.monotonic()
    first = client.get(url)
    took_first = time.monotonic() - started
    started = time.monotonic()
    after = [client.get(url).status_code for _ in range(5)]
    took_after = time.monotonic() - started

    assert (first.status_code, after) == (200, [200] * 5)
    # One socket timeout (half a second) for the first; then Redis is left alone.
    assert took_first < 5
    assert took_after < 1.5


@pytest.mark.django_db(transaction=True)
def test_a_silent_broker_costs_one_timeout_then_nothing(client, redis_silent):
    lead = MembershipFactory(role=MembershipRole.LEAD).user
    organisation = lead.memberships.get().organisation
    client.force_login(lead)
    url = reverse("organisations:invitation_create", kwargs={"slug": organisation.slug})

    started = time.monotonic()
    first = client.post(url, {"email": "one@example.org", "role": InvitationRole.CONTRIBUTOR})
    took_first = time.monotonic() - started
    started = time.monotonic()
    second = client.post(url, {"email": "two@example.org", "role": InvitationRole.CONTRIBUTOR})
    took_second = time.monotonic() - started

    assert (first.status_code, second.status_code) == (302, 302)
    assert Invitation.objects.count() == 2
    # Publishing gives up within a few seconds, and is not tried again for a while.
    assert took_first < 6
    assert took_second < 1


def test_the_api_answers_from_the_database(client, redis_down, public_organisation):
    listing = client.get("/api/v1/organisations/")
    one = client.get(f"/api/v1/organisations/{public_organisation.slug}/")
    assert (listing.status_code, one.status_code) == (200, 200)
    assert [row["name"] for row in listing.json()["results"]] == ["University of Keepshire"]


def test_a_change_shows_on_the_public_pages_at_once(client, redis_down, public_organisation):
    assert "University of Keepshire" in _text(client.get(reverse("directory:directory")))
    public_organisation.name = "University of Keepshire and Dales"
    public_organisation.save()
    assert "Keepshire and Dales" in _text(client.get(reverse("directory:directory")))


def test_no_page_is_kept_while_the_cache_is_down(client, redis_down, public_organisation):
    """A page kept in one process's memory would outlive a change made by another process
    (whose news of it cannot reach this one without the cache): none is kept."""
    assert "University of Keepshire" in _text(client.get(reverse("directory:directory")))
    # Changed elsewhere: no signal reaches this process.
    type(public_organisation).objects.filter(pk=public_organisation.pk).update(
        name="University of Keepshire and Dales"
    )
    assert "Keepshire and Dales" in _text(client.get(reverse("directory:directory")))


def test_signing_in_works(client, redis_down):
    user = MembershipFactory(role=MembershipRole.LEAD).user
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("accounts:home"), follow=True).status_code == 200


def test_staff_sign_in_with_their_second_factor_and_a_code_still_works_once(client, redis_down):
    staff = StaffFactory()
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    code = current_totp_code(secret)

    client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
    signed_in = client.post(reverse("mfa_authenticate"), {"code": code})
    client.post(reverse("account_logout"))
    client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
    replay = client.post(reverse("mfa_authenticate"), {"code": code})

    assert (signed_in.status_code, signed_in.url) == (302, reverse("accounts:home"))
    # Used codes are remembered in this process while the cache is away.
    assert replay.status_code == 200
    assert "This code has already been used." in _text(replay)


def test_a_failed_sign_in_says_so(client, redis_down):
    user = UserFactory()
    response = client.post(reverse("account_login"), {"login": user.email, "password": "wrong"})
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in _text(response)


def test_failed_sign_ins_are_still_limited(client, redis_down):
    """Rate limits fall back to counting in this process while the cache is away."""
    user = UserFactory()
    answers = [
        _text(client.post(reverse("account_login"), {"login": user.email, "password": "wrong"}))
        for _ in range(6)
    ]
    assert "Too many failed login attempts" not in answers[0]
    assert "Too many failed login attempts" in answers[-1]


# Mail is queued once the transaction commits: these tests commit, as a request does.
@pytest.mark.django_db(transaction=True)
def test_an_invitation_is_saved_and_the_lead_told_the_mail_waits(client, redis_down):
    lead = MembershipFactory(role=MembershipRole.LEAD).user
    organisation = lead.memberships.get().organisation
    client.force_login(lead)

    started = time.monotonic()
    response = client.post(
        reverse("organisations:invitation_create", kwargs={"slug": organisation.slug}),
        {"email": "new@example.org", "role": InvitationRole.CONTRIBUTOR},
        follow=True,
    )

    assert time.monotonic() - started < 3
    assert response.status_code == 200
    text = _text(response)
    assert "Invitation to new@example.org saved." in text
    assert "The email will be sent when the mail service is back." in text
    assert "Invitation sent" not in text
    invitation = Invitation.objects.get()
    assert invitation.email == "new@example.org"
    assert list(OutboundEmail.objects.values_list("to", "status")) == [
        (["new@example.org"], EmailStatus.QUEUED)
    ]


@pytest.mark.django_db(transaction=True)
def test_a_password_reset_is_recorded_and_says_the_mail_waits(client, redis_down):
    user = UserFactory()
    response = client.post(reverse("account_reset_password"), {"email": user.email}, follow=True)
    assert response.status_code == 200
    assert "The email will be sent when the mail service is back." in _text(response)
    assert OutboundEmail.objects.get().status == EmailStatus.QUEUED


def test_staff_pages_answer_too(client, redis_down, public_organisation):
    client.force_login(with_totp(StaffFactory()))
    assert client.get(reverse("organisations:pipeline")).status_code == 200


def test_staff_asking_for_the_reminder_sweep_are_told_it_did_not_start(client, redis_down):
    client.force_login(with_totp(StaffFactory()))
    response = client.post(reverse("action_plans:reminders_send_now"), follow=True)
    assert response.status_code == 200
    text = _text(response)
    assert "The reminder sweep could not be started" in text
    assert "What is due will be sent by the next daily sweep, at 06:30." in text
    assert "has been started" not in text


@pytest.mark.django_db(transaction=True)
def test_a_plan_published_while_the_broker_is_down_shows_its_pdf_as_being_prepared(
    client, redis_down
):
    organisation = announced_organisation(name="University of Plansville")
    lead = lead_of(organisation)
    # Its PDF is asked for as it is published; the sweep queues the render later.
    plan_services.submission_publish(actor=lead, submission=submitted(organisation, lead))

    page = client.get(reverse("directory:public_organisation", args=[organisation.slug]))

    assert page.status_code == 200
    assert "A PDF of this plan is being prepared" in _text(page)
    pdf = SubmissionPack.objects.get(document=PackDocument.PUBLISHED_PLAN)
    assert pdf.status == PackStatus.PENDING
    assert "messages" not in page.cookies
    assert "background service" not in _text(client.get(reverse("directory:directory")))


def test_the_error_page_promises_nothing_it_cannot_know(rf):
    page = server_error(rf.get("/")).content.decode()
    # Work queued after a commit can fail once the change is saved.
    assert "half-saved" not in page
    assert "check whether what you were doing was saved" in page


class _Relay:
    """A TCP relay to the real Redis that can be cut and restored: an outage on demand."""

    def __init__(self, target: str):
        parts = urlsplit(target)
        self.target = (parts.hostname, parts.port or 6379)
        self.url = urlunsplit(parts._replace(netloc=f"127.0.0.1:{_closed_port()}"))
        self.port = urlsplit(self.url).port
        self._sockets = []

    def start(self):
        self._server = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    def stop(self):
        # Shut down first: a close alone leaves it listening while accept() waits on it.
        with suppress(OSError):
            self._server.shutdown(socket.SHUT_RDWR)
        self._server.close()
        for sock in self._sockets:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self._sockets.clear()

    def _accept(self):
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        with suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)


def test_pages_kept_before_an_outage_are_not_served_after_it(
    client, settings, monkeypatch, public_organisation
):
    if not settings.REDIS_URL:
        pytest.skip("needs Redis (REDIS_URL)")
    relay = _Relay(settings.CACHES["default"]["LOCATION"])
    relay.start()
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": relay.url,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5, "FALLBACK": "none"},
        },
    }
    # Try Redis again at once after a failure, and read the generation on every request.
    monkeypatch.setattr(core_cache.OUTAGES, "retry_after", 0.0)
    monkeypatch.setattr(directory_cache, "GENERATION_READ_EVERY", 0.0)
    url = reverse("directory:directory")
    try:
        directory_cache.public_changed()
        assert "University of Keepshire" in _text(client.get(url))  # now kept in Redis

        relay.stop()
        public_organisation.name = "University of Keepshire and Dales"
        public_organisation.save()  # the generation cannot be moved on: Redis is away
        during = _text(client.get(url))

        relay.start()
        after = _text(client.get(url))
    finally:
        relay.stop()

    assert "Keepshire and Dales" in during
    assert "Keepshire and Dales" in after


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.mark.django_db(transaction=True)
def test_submitting_a_stage_says_it_is_submitted_and_the_mail_waits(client, redis_down):
    organisation = announced_organisation(name="University of Testshire")
    lead = lead_of(organisation)
    submission = complete(started(organisation, lead), lead)
    client.force_login(lead)

    response = client.post(
        reverse(
            "action_plans:submit",
            kwargs={"slug": organisation.slug, "number": submission.stage_number},
        ),
        {"confirmed": "on"},
        follow=True,
    )

    assert response.status_code == 200
    assert _messages(response) == [
        "Stage 1 is submitted. The email will be sent when the mail service is back. "
        "The PDF will be prepared when the background service is back."
    ]
    submission.refresh_from_db()
    assert submission.status == "submitted"
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {EmailStatus.QUEUED}


@pytest.mark.django_db(transaction=True)
def test_inviting_a_reviewer_says_the_invitation_is_saved_and_the_mail_waits(client, redis_down):
    client.force_login(with_totp(StaffFactory()))
    response = client.post(
        reverse("reviews:pool"),
        {"email": "reviewer@example.org", "name": "Ada", "role": InvitationRole.REVIEWER},
        follow=True,
    )
    assert _messages(response) == [
        "Invitation to reviewer@example.org saved. "
        "The email will be sent when the mail service is back."
    ]
    assert Invitation.objects.get().email == "reviewer@example.org"
