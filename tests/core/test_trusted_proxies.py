"""Whom the sign-in rate limits and the API's throttle count: the client, also behind our own
proxies (DJANGO_TRUSTED_PROXY_COUNT), and never an address the client wrote itself."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from tests.accounts.people import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")
API = reverse("api:organisations")
PROXY = "10.0.0.2"
ALICE, BOB = "203.0.113.5", "198.51.100.7"


@pytest.fixture
def proxies(settings):
    def use(count: int):
        settings.TRUSTED_PROXY_COUNT = count

    return use


@pytest.fixture
def api_limit(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/hour"},
    }


def _from(client, *, forwarded_for: str | None, remote: str = PROXY):
    """Requests arriving from ``remote`` with this X-Forwarded-For."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for is not None else {}

    def post(url, data):
        return client.post(url, data, headers=headers, REMOTE_ADDR=remote)

    def get(url):
        return client.get(url, headers=headers, REMOTE_ADDR=remote)

    return post, get


def _fail_to_sign_in(post, times: int):
    for n in range(times):
        post(LOGIN, {"login": f"guess{n}@example.org", "password": "wrong-password"})


def _signs_in(client, post, user) -> bool:
    post(LOGIN, {"login": user.email, "password": PASSWORD})
    return client.session.get(SESSION_KEY) == str(user.pk)


# Sign-in rate limits (allauth): 10 failures a minute, 30 sign-ins a minute, per address.


def test_behind_one_proxy_failures_of_one_client_do_not_lock_out_another(client, proxies):
    proxies(1)
    alice_post, _ = _from(client, forwarded_for=ALICE)
    bob_post, _ = _from(client, forwarded_for=BOB)
    _fail_to_sign_in(alice_post, 10)
    user = UserFactory()

    assert not _signs_in(client, alice_post, user)
    assert _signs_in(client, bob_post, user)


def test_behind_one_proxy_each_client_has_its_own_sign_in_limit(client, proxies):
    proxies(1)
    alice_post, _ = _from(client, forwarded_for=ALICE)
    bob_post, _ = _from(client, forwarded_for=BOB)
    for _ in range(30):
        alice_post(LOGIN, {})

    assert alice_post(LOGIN, {}).status_code == 429
    assert bob_post(LOGIN, {}).status_code == 200


def test_behind_one_proxy_an_address_the_client_wrote_is_ignored(client, proxies):
    proxies(1)
    # The proxy appends the address it saw to whatever the client sent.
    _fail_to_sign_in(_from(client, forwarded_for=f"192.0.2.1, {ALICE}")[0], 10)
    spoofing_post, _ = _from(client, forwarded_for=f"192.0.2.99, {ALICE}")

    assert not _signs_in(client, spoofing_post, UserFactory())


def test_without_proxies_writing_x_forwarded_for_does_not_escape_the_lock(client, proxies):
    proxies(0)
    _fail_to_sign_in(_from(client, forwarded_for=ALICE, remote=ALICE)[0], 10)
    spoofing_post, _ = _from(client, forwarded_for=BOB, remote=ALICE)

    assert not _signs_in(client, spoofing_post, UserFactory())


def test_a_request_that_bypassed_a_proxy_is_counted_by_its_connection(client, proxies):
    proxies(2)
    post, _ = _from(client, forwarded_for=ALICE)

    response = post(LOGIN, {"login": "someone@example.org", "password": "wrong-password"})

    assert response.status_code == 200


# The open-data API's throttle.


def test_without_proxies_x_forwarded_for_does_not_bypass_the_api_limit(client, proxies, api_limit):
    proxies(0)
    for n in range(3):
        assert _from(client, forwarded_for=f"192.0.2.{n}")[1](API).status_code == 200

    assert _from(client, forwarded_for="192.0.2.200")[1](API).status_code == 429
    assert _from(client, forwarded_for=None)[1](API).status_code == 429


def test_behind_one_proxy_each_client_has_its_own_api_limit(client, proxies, api_limit):
    proxies(1)
    _, alice_get = _from(client, forwarded_for=ALICE)
    _, bob_get = _from(client, forwarded_for=BOB)
    _, spoofing_alice_get = _from(client, forwarded_for=f"192.0.2.1, {ALICE}")
    for _ in range(3):
        assert alice_get(API).status_code == 200

    assert alice_get(API).status_code == 429
    assert spoofing_alice_get(API).status_code == 429
    assert bob_get(API).status_code == 200
