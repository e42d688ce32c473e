"""The lead reviewer marks the moderated feedback ready for release; staff see it on the
round page (a badge, a count and a filter) and release it, marked or not. A change by the
lead takes the mark off; a change by staff keeps it."""

import pytest
from django.urls import reverse

from core.exceptions import ApplicationError, NotPermitted
from core.models import ActivityLog, OutboundEmail
from reviews import services
from reviews.enums import FeedbackStatus
from tests.conftest import with_totp
from tests.factories import StaffFactory

from .builders import assign, submitted_stage, write_review

pytestmark = pytest.mark.django_db
F = FeedbackStatus


@pytest.fixture
def staff(db):
    return with_totp(StaffFactory())


@pytest.fixture
def reviewed(autumn, stage, team, staff):
    """Every review in, the feedback drafted by staff with nothing missing."""
    assignments = [write_review(a) for a in assign(autumn, stage, team, staff=staff)]
    started = services.feedback_start(actor=staff, review_round=autumn, submission=stage)
    feedback = services.feedback_save(
        actor=staff,
        feedback=started,
        version=started.version,
        outcome=started.outcome,
        summary="A plan shaped with technicians.",
        strengths=started.strengths,
        areas_to_develop=started.areas_to_develop,
        recommendations=started.recommendations,
        themes={},
    )
    return assignments, feedback


def _save(feedback, actor, summary):
    feedback.refresh_from_db()
    return services.feedback_save(
        actor=actor,
        feedback=feedback,
        version=feedback.version,
        outcome=feedback.outcome,
        summary=summary,
        strengths=feedback.strengths,
        areas_to_develop=feedback.areas_to_develop,
        recommendations=feedback.recommendations,
        themes={},
    )


def test_the_lead_reviewer_marks_the_feedback_ready_from_their_page(client, reviewed, team):
    (lead, *_), feedback = reviewed
    client.force_login(team[0])
    page = client.get(reverse("reviews:lead_feedback", args=[lead.pk])).content.decode()

    response = client.post(
        reverse("reviews:feedback_ready", args=[lead.pk]), {"note": "We agree on all themes."}
    )

    assert "Mark ready for release" in page
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.status == F.READY
    logged = ActivityLog.objects.get(verb="feedback marked ready for release")
    assert (logged.from_status, logged.to_status, logged.note) == (
        F.DRAFT,
        F.READY,
        "We agree on all themes.",
    )
    told = OutboundEmail.objects.get(template="reviews/feedback_ready")
    assert "We agree on all themes." in told.body_text


def test_only_the_lead_reviewer_marks_it_ready(reviewed, team, staff):
    _, feedback = reviewed
    for someone in (team[1], staff):
        with pytest.raises(NotPermitted):
            services.feedback_mark_ready(actor=someone, feedback=feedback)
    feedback.refresh_from_db()
    assert feedback.status == F.DRAFT


def test_feedback_with_something_missing_is_not_marked_ready(reviewed, team, staff):
    _, feedback = reviewed
    _save(feedback, staff, "")

    with pytest.raises(ApplicationError, match="the overall judgement"):
        services.feedback_mark_ready(actor=team[0], feedback=feedback)


def test_a_change_by_the_lead_takes_the_mark_off_and_by_staff_keeps_it(reviewed, team, staff):
    _, feedback = reviewed
    services.feedback_mark_ready(actor=team[0], feedback=feedback)

    kept = _save(feedback, staff, "Tightened by ITSS.")
    cleared = _save(feedback, team[0], "Rewritten by the lead.")

    assert kept.status == F.READY
    assert cleared.status == F.DRAFT
    assert ActivityLog.objects.filter(verb="ready mark taken off").count() == 1


def test_staff_see_the_mark_on_the_round_page_with_a_count_and_a_filter(
    client, autumn, reviewed, team, staff
):
    _, feedback = reviewed
    other = submitted_stage("University of Otherton")
    assign(autumn, other, [team[0]], staff=staff)
    services.feedback_mark_ready(actor=team[0], feedback=feedback)
    client.force_login(staff)

    everything = client.get(autumn.get_absolute_url())
    ready = client.get(autumn.get_absolute_url() + "?feedback=ready")
    nonsense = client.get(autumn.get_absolute_url() + "?feedback=%00bad")

    assert "Ready for release" in everything.content.decode()
    assert "Feedback ready for release (1)" in everything.content.decode()
    assert [row.submission for row in everything.context["rows"]] == [other, feedback.submission]
    assert [row.submission for row in ready.context["rows"]] == [feedback.submission]
    assert nonsense.status_code == 200
    assert len(nonsense.context["rows"]) == 2


def test_staff_release_feedback_marked_ready(reviewed, team, staff):
    _, feedback = reviewed
    services.feedback_mark_ready(actor=team[0], feedback=feedback)

    released = services.feedback_release(actor=staff, feedback=feedback)

    assert released.status == F.RELEASED
