"""Replying to a request to review: the submission stays closed until the reviewer accepts,
declaring no conflict of interest; declaring a conflict declines, with the conflict
recorded."""

import pytest
from django.urls import reverse

from action_plans import services as plan_services
from action_plans.models import Attachment
from core.exceptions import ApplicationError
from core.models import ActivityLog, OutboundEmail
from reviews import services
from reviews.enums import AssignmentStatus
from reviews.models import Assignment, Conflict
from tests.action_plans.builders import own_storage, pdf_upload
from tests.factories import StaffFactory

from .builders import assign

pytestmark = pytest.mark.django_db
A = AssignmentStatus
# Text of the submission the builders write, which must not show before accepting.
CONTENT = ("Visibility action 1", "Self-assessment", "Technician voice")


def _asked(autumn, stage, team):
    first, *_ = assign(autumn, stage, team)
    return first


def test_before_replying_the_reviewer_sees_who_and_what_but_not_the_submission(
    client, autumn, stage, team
):
    first = _asked(autumn, stage, team)
    client.force_login(team[0])

    response = client.get(first.get_absolute_url())

    page = response.content.decode()
    assert response.status_code == 200
    for fact in ("University of Testshire", "Stage 1", autumn.name, "Reply by", "Review due"):
        assert fact in page
    assert [text for text in CONTENT if text in page] == []
    assert "I have no conflict of interest with this organisation" in page
    assert reverse("reviews:pack", args=[first.pk]) not in page


def test_the_attachments_and_pdf_are_not_found_until_the_reviewer_accepts(
    client, autumn, stage, team, tmp_path, monkeypatch
):
    own_storage(Attachment, "file", tmp_path, monkeypatch)
    plan_services.submission_reopen(
        actor=StaffFactory(), submission=stage, reason="Add the survey results."
    )
    attachment = plan_services.attachment_add(
        actor=stage.submitted_by, submission=stage, upload=pdf_upload()
    )
    plan_services.submission_submit(actor=stage.submitted_by, submission=stage, confirmed=True)
    first = _asked(autumn, stage, team)
    client.force_login(team[0])
    url = reverse("reviews:attachment", args=[first.pk, attachment.pk])

    before = client.get(url)
    client.post(reverse("reviews:accept", args=[first.pk]), {"no_conflict": "on"})
    after = client.get(url)

    assert (before.status_code, after.status_code) == (404, 200)
    after.close()


def test_accepting_without_the_declaration_is_refused_and_changes_nothing(
    client, autumn, stage, team
):
    first = _asked(autumn, stage, team)
    client.force_login(team[0])

    response = client.post(reverse("reviews:accept", args=[first.pk]))

    assert response.status_code == 400
    assert "Tick to confirm you have no conflict of interest" in response.content.decode()
    first.refresh_from_db()
    assert first.status == A.INVITED
    with pytest.raises(ApplicationError, match="no conflict of interest"):
        services.assignment_accept(actor=team[0], assignment=first, no_conflict=False)


def test_accepting_with_the_declaration_records_it_and_opens_the_submission(
    client, autumn, stage, team
):
    first = _asked(autumn, stage, team)
    client.force_login(team[0])

    client.post(reverse("reviews:accept", args=[first.pk]), {"no_conflict": "on"})
    page = client.get(first.get_absolute_url()).content.decode()

    first.refresh_from_db()
    assert first.status == A.ACCEPTED
    logged = ActivityLog.objects.get(verb="assignment accepted", object_id=first.pk)
    assert logged.note == services.NO_CONFLICT
    assert "Visibility action 1" in page


def test_the_accept_message_says_what_is_true_of_saving(client, autumn, stage, team):
    first = _asked(autumn, stage, team)
    client.force_login(team[0])

    response = client.post(
        reverse("reviews:accept", args=[first.pk]), {"no_conflict": "on"}, follow=True
    )

    page = response.content.decode()
    assert "Drafts save as you go" not in page
    assert "Save draft" in page


def test_declaring_a_conflict_declines_and_records_it(client, autumn, stage, team):
    first = _asked(autumn, stage, team)
    client.force_login(team[0])

    response = client.post(
        reverse("reviews:declare_conflict", args=[first.pk]),
        {"reason": "collaboration", "note": "We share a facility."},
    )

    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == A.DECLINED
    assert first.decline_reason == (
        "Conflict of interest (close collaboration): We share a facility."
    )
    conflict = Conflict.objects.get(reviewer=team[0])
    assert (conflict.organisation, conflict.reason) == (stage.organisation, "collaboration")
    # ITSS hear of the decline, with a replacement proposed.
    assert OutboundEmail.objects.filter(template="reviews/declined").count() == 1
    # The submission stays closed to them.
    assert client.get(first.get_absolute_url()).status_code == 404


def test_a_round_that_hides_names_records_the_conflict_on_the_decline_only(
    client, autumn, stage, team
):
    autumn.show_institution = False
    autumn.save()
    first = _asked(autumn, stage, team)
    client.force_login(team[0])

    client.post(
        reverse("reviews:declare_conflict", args=[first.pk]),
        {"reason": "personal", "note": "I recognise the plan: my partner wrote it."},
    )

    first.refresh_from_db()
    assert first.status == A.DECLINED
    # A declared conflict would name the organisation on the reviewer's own list.
    assert Conflict.objects.filter(reviewer=team[0]).count() == 0


def test_a_conflict_without_a_note_is_refused_and_changes_nothing(client, autumn, stage, team):
    first = _asked(autumn, stage, team)
    client.force_login(team[0])

    response = client.post(
        reverse("reviews:declare_conflict", args=[first.pk]), {"reason": "collaboration"}
    )

    assert response.status_code == 400
    assert Assignment.objects.get(pk=first.pk).status == A.INVITED
    assert Conflict.objects.count() == 0


def test_a_reply_once_replied_is_refused(client, autumn, stage, team):
    first = _asked(autumn, stage, team)
    client.force_login(team[0])
    client.post(reverse("reviews:accept", args=[first.pk]), {"no_conflict": "on"})

    response = client.post(
        reverse("reviews:declare_conflict", args=[first.pk]),
        {"reason": "collaboration", "note": "Changed my mind."},
        follow=True,
    )

    assert "You have already replied" in response.content.decode()
    assert Assignment.objects.get(pk=first.pk).status == A.ACCEPTED
