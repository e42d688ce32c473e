"""The reviewer's certificate, read back from the PDF: with many reviews it runs on to
further pages, each framed alike under the running title and with the table's header."""

import io
from datetime import date, time, timedelta

import pytest
from django.urls import reverse
from pypdf import PdfReader

from action_plans.deadlines import uk_datetime
from action_plans.enums import SubmissionStatus
from action_plans.models import Submission, SubmissionRound
from reviews.enums import AssignmentStatus
from reviews.models import Assignment, Review, ReviewRound
from tests.conftest import with_totp
from tests.factories import OrganisationFactory, StaffFactory

from .builders import reviewer

pytestmark = pytest.mark.django_db
HEADER = "Review round Submission Role Submitted"
TITLE = "Certificate of peer review · Ana Ruiz"


def completed_reviews(person, count: int) -> list[str]:
    """``count`` reviews ``person`` submitted, one a round; the rounds' names, oldest first.
    Stored directly: only what the certificate reads (round, stage, role, date) matters."""
    staff = StaffFactory()
    names = []
    for n in range(count):
        deadline = uk_datetime(date(2030, 1, 15) + timedelta(days=40 * n), time(17, 0))
        review_round = ReviewRound.objects.create(
            name=f"Round {n + 1:02d}",
            submission_round=SubmissionRound.objects.create(name=f"R{n}", deadline=deadline),
            review_due_at=deadline + timedelta(days=60),
        )
        submission = Submission.objects.create(
            organisation=OrganisationFactory(),
            stage_number=1 + n % 3,
            status=SubmissionStatus.FEEDBACK_RELEASED,
            started_by=staff,
            submitted_at=deadline,
            submitted_by=staff,
            due_at_submission=deadline,
        )
        assignment = Assignment.objects.create(
            round=review_round,
            submission=submission,
            reviewer=person,
            is_lead=n % 4 == 0,
            status=AssignmentStatus.SUBMITTED,
            assigned_by=staff,
            respond_by=deadline + timedelta(days=7),
        )
        Review.objects.create(assignment=assignment, submitted_at=deadline + timedelta(days=30))
        names.append(review_round.name)
    return names


def _pages(client) -> list[str]:
    response = client.get(reverse("reviews:certificate"))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def test_twenty_reviews_run_on_to_a_second_page_with_the_header_and_title_repeated(client):
    person = with_totp(reviewer(name="Ana Ruiz"))
    rounds = completed_reviews(person, 20)
    client.force_login(person)

    pages = _pages(client)

    assert len(pages) == 2
    assert "completed 20 peer reviews" in pages[0]
    assert rounds[-1] in pages[-1]
    assert all(name in "\n".join(pages) for name in rounds)
    for number, text in enumerate(pages, start=1):
        assert TITLE in text
        assert HEADER in text
        assert f"Page {number} of {len(pages)}" in text
        assert "Reference TC-RV-" in text
    # The closing line follows the last review.
    assert "Issued by the Technician Commitment portal" in pages[-1]


def test_a_few_reviews_fit_one_page(client):
    person = with_totp(reviewer(name="Ana Ruiz"))
    completed_reviews(person, 3)
    client.force_login(person)

    pages = _pages(client)

    assert len(pages) == 1
    assert TITLE in pages[0]
    assert "completed 3 peer reviews" in pages[0]
