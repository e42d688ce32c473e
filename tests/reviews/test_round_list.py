"""The staff list of review rounds: newest first, by the date the reviews are due."""

from datetime import date, time

import pytest

from action_plans.deadlines import uk_datetime
from action_plans.models import SubmissionRound
from reviews.models import ReviewRound
from reviews.selectors import rounds_with_counts

pytestmark = pytest.mark.django_db

# Written in an order that is neither the newest first nor the oldest first.
ROUNDS = [
    ("Autumn 2025", date(2025, 9, 30), date(2026, 1, 31)),
    ("Autumn 2026", date(2026, 9, 30), date(2027, 1, 29)),
    ("Spring 2025", date(2025, 1, 31), date(2025, 5, 30)),
    ("Spring 2026", date(2026, 1, 30), date(2026, 5, 29)),
]
NEWEST_FIRST = ["Autumn 2026", "Spring 2026", "Autumn 2025", "Spring 2025"]


@pytest.fixture
def rounds():
    for name, submissions_due, reviews_due in ROUNDS:
        submission_round = SubmissionRound.objects.create(
            name=f"Submissions {name}", deadline=uk_datetime(submissions_due, time(17, 0))
        )
        ReviewRound.objects.create(
            name=name,
            submission_round=submission_round,
            review_due_at=uk_datetime(reviews_due, time(17, 0)),
        )


def test_rounds_are_listed_newest_first_by_reviews_due(rounds):
    assert [r.name for r in rounds_with_counts()] == NEWEST_FIRST


def test_the_rounds_page_lists_them_newest_first(rounds, staff_client):
    response = staff_client.get("/staff/review-rounds/")

    assert response.status_code == 200
    assert [r.name for r in response.context["rounds"]] == NEWEST_FIRST
