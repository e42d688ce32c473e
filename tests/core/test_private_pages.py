"""Pages made for a signed-in person are kept by no cache; the public pages' cache for
visitors, and answers that set their own caching, are left as they are."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from core.middleware import PrivatePagesMiddleware
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_signed_in_page_is_stored_by_no_cache(client):
    client.force_login(UserFactory())

    response = client.get(reverse("accounts:home"))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_a_public_page_for_a_signed_in_person_is_not_stored_either(client):
    client.force_login(UserFactory())

    response = client.get(reverse("directory:directory"))

    assert response["Cache-Control"] == "private, no-store"


def test_a_visitors_public_page_stays_cacheable(client):
    response = client.get(reverse("directory:directory"))

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "Cookie" in response["Vary"]


def test_an_answer_that_sets_its_own_caching_keeps_it():
    request = RequestFactory().get("/")
    request.user = UserFactory()
    middleware = PrivatePagesMiddleware(
        lambda _: HttpResponse(headers={"Cache-Control": "public, max-age=3600"})
    )

    assert middleware(request)["Cache-Control"] == "public, max-age=3600"


def test_a_visitors_answer_is_left_alone():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    assert not PrivatePagesMiddleware(lambda _: HttpResponse())(request).has_header("Cache-Control")
