"""A review's draft saved as the reviewer types (the htmx endpoint), under the version check;
and the form that still saves without JavaScript."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews import services
from reviews.models import Review

from .builders import assign

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def accepted(autumn, stage, team):
    first, *_ = assign(autumn, stage, team)
    return services.assignment_accept(actor=team[0], assignment=first, no_conflict=True)


def _version_in(html: str) -> int:
    return int(re.search(r'name="version" value="(\d+)"', html).group(1))


def test_the_review_form_saves_its_draft_as_the_reviewer_types(client, accepted):
    client.force_login(accepted.reviewer)

    page = client.get(accepted.get_absolute_url()).content.decode()

    url = reverse("reviews:review_draft", args=[accepted.pk])
    assert f'hx-post="{url}"' in page
    assert 'hx-trigger="input delay:2s"' in page
    assert 'id="draft-status"' in page
    assert ">Save draft</button>" in page  # without JavaScript


def test_a_draft_saved_in_place_answers_the_time_and_the_new_version(client, accepted):
    client.force_login(accepted.reviewer)
    url = reverse("reviews:review_draft", args=[accepted.pk])

    first = client.post(url, {"version": 1, "strengths": "A strong network."}, **HTMX)
    second = client.post(
        url, {"version": _version_in(first.content.decode()), "strengths": "Stronger."}, **HTMX
    )

    assert (first.status_code, second.status_code) == (200, 200)
    review = Review.objects.get(assignment=accepted)
    assert (review.strengths, review.version) == ("Stronger.", 3)
    html = second.content.decode()
    assert f"Draft saved at {timezone.localtime(review.updated_at):%H:%M}." in html
    assert 'id="id_version" hx-swap-oob="true"' in html
    assert _version_in(html) == 3


def test_a_stale_draft_answers_409_and_keeps_the_newer_one(client, accepted):
    client.force_login(accepted.reviewer)
    url = reverse("reviews:review_draft", args=[accepted.pk])
    client.post(url, {"version": 1, "strengths": "Saved in the other tab."}, **HTMX)

    response = client.post(url, {"version": 1, "strengths": "Typed here."}, **HTMX)

    assert response.status_code == 409
    html = response.content.decode()
    assert "a newer draft was saved elsewhere" in html
    assert "What you typed is still here" in html
    assert "hx-swap-oob" not in html  # the page keeps its version and what was typed
    assert Review.objects.get(assignment=accepted).strengths == "Saved in the other tab."


def test_a_submitted_review_is_not_saved_in_place(client, accepted):
    from .builders import write_review

    submitted = write_review(accepted)
    client.force_login(accepted.reviewer)
    review = Review.objects.get(assignment=submitted)

    response = client.post(
        reverse("reviews:review_draft", args=[submitted.pk]),
        {"version": review.version, "strengths": "Late change."},
        **HTMX,
    )

    assert response.status_code == 409
    assert "can no longer be changed" in response.content.decode()
    assert Review.objects.get(assignment=submitted).strengths == review.strengths


def test_a_draft_with_a_value_out_of_range_is_refused_with_a_message(client, accepted):
    client.force_login(accepted.reviewer)

    response = client.post(
        reverse("reviews:review_draft", args=[accepted.pk]),
        {"version": 1, "suggested_outcome": "999"},
        **HTMX,
    )

    assert response.status_code == 400
    assert "Not saved:" in response.content.decode()
    assert Review.objects.get(assignment=accepted).version == 1
