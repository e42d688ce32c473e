"""Peer review through the pages, as staff, reviewers and the institution use them."""

import csv
import io
from datetime import date, time

import pytest
from django.urls import reverse
from pypdf import PdfReader

from action_plans.deadlines import uk_datetime
from action_plans.enums import SubmissionStatus
from action_plans.models import SubmissionRound
from reviews import services
from reviews.enums import AssignmentStatus, FeedbackStatus
from reviews.models import Assignment, Conflict, Feedback, ReviewerProfile, ReviewRound, ScoreLevel
from tests.conftest import with_totp
from tests.factories import StaffFactory

from .builders import assign, review_tag, reviewer, submitted_stage, write_review

pytestmark = pytest.mark.django_db
A = AssignmentStatus


@pytest.fixture
def staff():
    return with_totp(StaffFactory())


@pytest.fixture
def as_staff(client, staff):
    client.force_login(staff)
    return client


def test_staff_add_a_round(as_staff):
    submission_round = SubmissionRound.objects.create(
        name="January 2027", deadline=uk_datetime(date(2027, 1, 29), time(17, 0))
    )
    response = as_staff.post(
        reverse("reviews:rounds"),
        {
            "name": "Spring 2027",
            "submission_round": submission_round.pk,
            "due_on": "2027-05-28",
            "due_time": "17:00",
            "team_size": 3,
            "respond_within_days": 7,
            "others_reviews": "after_own",
            "show_institution": "on",
        },
    )

    created = ReviewRound.objects.get()
    assert response.status_code == 302
    assert response.url == created.get_absolute_url()
    assert (created.name, created.team_size, created.review_due_at.date()) == (
        "Spring 2027",
        3,
        date(2027, 5, 28),
    )


def test_a_round_due_before_its_submissions_is_refused(as_staff, autumn):
    response = as_staff.post(
        reverse("reviews:round_edit", args=[autumn.pk]),
        {
            "name": autumn.name,
            "submission_round": autumn.submission_round_id,
            "due_on": "2025-09-01",
            "due_time": "17:00",
            "team_size": 3,
            "respond_within_days": 7,
            "others_reviews": "after_own",
        },
    )
    assert response.status_code == 400
    assert "Reviews are due after the submissions they review." in response.content.decode()
    autumn.refresh_from_db()
    assert autumn.review_due_at.year == 2026


def test_the_team_page_proposes_and_staff_confirm(as_staff, autumn, stage, team):
    url = reverse("reviews:assign", args=[autumn.pk, stage.pk])
    page = as_staff.get(url)
    proposal = page.context["proposal"]
    assert {p.user for p in proposal.reviewers} == set(team)

    profiles = [p.pk for p in proposal.reviewers]
    response = as_staff.post(url, {"reviewers": profiles, "lead": profiles[1]})

    assert response.status_code == 302
    lead = Assignment.objects.get(is_lead=True)
    assert lead.reviewer == proposal.reviewers[1].user
    assert Assignment.objects.filter(status=A.INVITED).count() == 3


def test_a_lead_outside_the_team_is_refused(as_staff, autumn, stage, team):
    url = reverse("reviews:assign", args=[autumn.pk, stage.pk])
    profiles = list(ReviewerProfile.objects.order_by("pk").values_list("pk", flat=True))
    response = as_staff.post(url, {"reviewers": profiles[:2], "lead": profiles[2]})
    assert response.status_code == 400
    assert Assignment.objects.count() == 0


def test_bulk_assignment_gives_every_submission_a_team(as_staff, autumn, team):
    extra = [with_totp(reviewer(name=f"Extra {n}")) for n in range(3)]
    stages = [submitted_stage(f"University of Bulk {n}") for n in range(2)]

    page = as_staff.get(reverse("reviews:round_assign", args=[autumn.pk]))
    assert [p.submission for p in page.context["proposals"]] == stages
    response = as_staff.post(reverse("reviews:round_assign", args=[autumn.pk]))

    assert response.status_code == 302
    for stage in stages:
        assert stage.review_assignments.filter(status=A.INVITED).count() == 3
        assert stage.review_assignments.filter(is_lead=True).count() == 1
    loads = sorted(
        Assignment.objects.filter(reviewer__in=[*team, *extra])
        .values_list("reviewer")
        .annotate_count
        if False
        else []
    )
    per_reviewer = [Assignment.objects.filter(reviewer=r).count() for r in [*team, *extra]]
    assert sorted(per_reviewer) == [1, 1, 1, 1, 1, 1]
    assert loads == []


def test_a_reviewer_accepts_scores_and_submits(client, autumn, stage, team):
    first, *_ = assign(autumn, stage, team)
    client.force_login(team[0])
    assert client.get(reverse("reviews:dashboard")).status_code == 200

    client.post(reverse("reviews:accept", args=[first.pk]), {"no_conflict": "on"})
    page = client.get(first.get_absolute_url())
    form = page.context["review_form"]
    good = ScoreLevel.objects.get(label="Good").pk
    data = {"version": form.initial["version"]}
    for score, level, comment in form.theme_fields():
        data[level.html_name] = good
        data[comment.html_name] = f"Clear evidence on {score.theme.name}."
    data.update(
        strengths="A strong technician network.",
        areas_to_develop="Career pathways.",
        recommendations="Publish the pathways.",
        suggested_outcome=page.context["review_form"]
        .fields["suggested_outcome"]
        .queryset.get(slug="accepted")
        .pk,
        submit="1",
    )
    response = client.post(reverse("reviews:review", args=[first.pk]), data)

    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == A.SUBMITTED
    assert first.review.scores.filter(level__label="Good").count() == 4


def test_a_draft_saves_with_gaps_and_says_what_is_missing(client, autumn, stage, team):
    first, *_ = assign(autumn, stage, team)
    client.force_login(team[0])
    client.post(reverse("reviews:accept", args=[first.pk]), {"no_conflict": "on"})
    page = client.get(first.get_absolute_url())
    version = page.context["review_form"].initial["version"]

    response = client.post(
        reverse("reviews:review", args=[first.pk]),
        {"version": version, "strengths": "Good start.", "submit": "1"},
        follow=True,
    )

    first.refresh_from_db()
    assert first.status == A.ACCEPTED
    assert first.review.strengths == "Good start."
    assert (
        "Draft saved. Before submitting, add: A score for Visibility" in response.content.decode()
    )


def test_an_old_draft_is_refused_with_a_conflict(client, autumn, stage, team):
    first, *_ = assign(autumn, stage, team)
    client.force_login(team[0])
    client.post(reverse("reviews:accept", args=[first.pk]), {"no_conflict": "on"})
    url = reverse("reviews:review", args=[first.pk])
    client.post(url, {"version": 1, "strengths": "First tab."})

    response = client.post(url, {"version": 1, "strengths": "Second tab."})

    assert response.status_code == 409
    first.review.refresh_from_db()
    assert first.review.strengths == "First tab."


def test_a_reviewer_declines_with_a_reason(client, autumn, stage, team):
    first, *_ = assign(autumn, stage, team)
    client.force_login(team[0])

    empty = client.post(reverse("reviews:decline", args=[first.pk]), {"reason": ""})
    assert empty.status_code == 400
    response = client.post(reverse("reviews:decline", args=[first.pk]), {"reason": "On leave."})

    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.status, first.decline_reason) == (A.DECLINED, "On leave.")


def test_a_reviewer_declares_a_conflict(client, stage, team):
    client.force_login(team[0])
    response = client.post(
        reverse("reviews:conflicts"),
        {"organisation": stage.organisation.pk, "reason": "collaboration", "note": "Joint lab."},
    )
    assert response.status_code == 302
    conflict = Conflict.objects.get()
    assert (conflict.reviewer, conflict.organisation) == (team[0], stage.organisation)

    client.post(reverse("reviews:conflict_remove", args=[conflict.pk]))
    assert not Conflict.objects.exists()


def test_moderation_shows_each_theme_and_marks_disagreements(as_staff, autumn, stage, team):
    for assignment, level in zip(assign(autumn, stage, team), (1, 3, 4), strict=True):
        write_review(assignment, level=level)

    page = as_staff.get(reverse("reviews:moderate", args=[autumn.pk, stage.pk]))

    summaries = page.context["summaries"]
    visibility = summaries[0]
    assert (visibility.values, visibility.mean, visibility.median, visibility.spread) == (
        [1, 3, 4],
        2.67,
        3,
        3,
    )
    assert visibility.disagreement
    assert page.content.decode().count('class="disagreement"') == 4


def _moderated(as_staff, autumn, stage, team):
    for assignment in assign(autumn, stage, team):
        write_review(assignment)
    url = reverse("reviews:moderate", args=[autumn.pk, stage.pk])
    as_staff.post(url, {"start": "1"})
    feedback = Feedback.objects.get()
    page = as_staff.get(url)
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data.update(
        version=feedback.version,
        outcome=feedback.outcome_id,
        summary="A candid plan, shaped with technicians.",
    )
    data = {k: v for k, v in data.items() if v is not None}
    response = as_staff.post(url, data)
    assert response.status_code == 302
    return feedback


def test_staff_release_and_the_lead_reads_the_feedback(
    client, as_staff, autumn, stage, team, django_capture_on_commit_callbacks
):
    feedback = _moderated(as_staff, autumn, stage, team)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_staff.post(reverse("reviews:release", args=[feedback.pk]))
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.status == FeedbackStatus.RELEASED
    stage.refresh_from_db()
    assert stage.status == SubmissionStatus.FEEDBACK_RELEASED

    lead = stage.organisation.memberships.get().user
    client.force_login(lead)
    page = client.get(reverse("reviews:feedback", args=[stage.organisation.slug, 1]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "A candid plan, shaped with technicians." in text
    for person in team:
        assert person.name not in text
    assert "Good" not in text.split("Feedback by theme")[1]  # no score is shown

    pdf = client.get(reverse("reviews:feedback_pdf", args=[stage.organisation.slug, 1]))
    assert pdf["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(pdf.streaming_content)))
    report = "\n".join(page.extract_text() for page in reader.pages)
    assert "University of Testshire" in report
    assert "Accepted" in report
    assert "A candid plan, shaped with technicians." in report
    for person in team:
        assert person.name not in report


def test_reading_feedback_whose_report_was_lost_asks_for_nothing_until_someone_posts(
    client, as_staff, autumn, stage, team, django_capture_on_commit_callbacks
):
    feedback = _moderated(as_staff, autumn, stage, team)
    # Released, but the render it queued never ran (a broker outage at release).
    with django_capture_on_commit_callbacks(execute=False):
        as_staff.post(reverse("reviews:release", args=[feedback.pk]))
    client.force_login(stage.organisation.memberships.get().user)
    page_url = reverse("reviews:feedback", args=[stage.organisation.slug, 1])

    with django_capture_on_commit_callbacks(execute=True) as queued:
        page = client.get(page_url)
    feedback.refresh_from_db()
    assert (page.status_code, len(queued), bool(feedback.report)) == (200, 0, False)
    assert "Prepare the PDF again" in page.content.decode()

    prepare_url = reverse("reviews:feedback_report_prepare", args=[stage.organisation.slug, 1])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(prepare_url)
    feedback.refresh_from_db()
    assert (response.status_code, response["Location"]) == (302, page_url)
    assert feedback.report
    assert "Prepare the PDF again" not in client.get(page_url).content.decode()


def test_unreleased_feedback_is_not_shown_to_the_institution(client, as_staff, autumn, stage, team):
    _moderated(as_staff, autumn, stage, team)
    client.force_login(stage.organisation.memberships.get().user)
    assert (
        client.get(reverse("reviews:feedback", args=[stage.organisation.slug, 1])).status_code
        == 404
    )


def test_the_export_has_a_row_per_assignment_with_scores(as_staff, autumn, stage, team):
    assignments = assign(autumn, stage, team)
    write_review(assignments[0], level=4)

    response = as_staff.get(reverse("reviews:round_export", args=[autumn.pk]))

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["reviewer"], r["lead"], r["status"]) for r in rows] == [
        ("Ana Ruiz", "yes", "Review submitted"),
        ("Ben Cole", "", "Awaiting reply"),
        ("Cara Diaz", "", "Awaiting reply"),
    ]
    assert rows[0]["Visibility score"] == "Excellent"
    assert rows[0]["Visibility comment"] == f"{review_tag(team[0])} on Visibility."


def test_the_certificate_lists_the_reviews_completed(client, autumn, stage, team):
    write_review(assign(autumn, stage, team)[0])
    client.force_login(team[0])

    response = client.get(reverse("reviews:certificate"))

    reader = PdfReader(io.BytesIO(response.content))
    text = reader.pages[0].extract_text()
    assert len(reader.pages) == 1
    assert "Certificate of peer review" in text
    assert "Ana Ruiz" in text
    assert "completed 1 peer review" in text
    assert "University of Testshire" not in text


@pytest.fixture
def pack_files(tmp_path, monkeypatch):
    from action_plans.models import SubmissionPack
    from tests.action_plans.builders import own_storage

    return own_storage(SubmissionPack, "file", tmp_path / "packs", monkeypatch)


def _pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_reviewer_reads_the_submission_as_pdf(
    client, autumn, stage, team, on_commit, pack_files
):
    first, *_ = assign(autumn, stage, team)
    services.assignment_accept(actor=team[0], assignment=first, no_conflict=True)
    client.force_login(team[0])
    # Submitted before the test's commits ran: no PDF yet, and the page says so.
    assert (
        "PDF of this submission is not available"
        in client.get(first.get_absolute_url()).content.decode()
    )
    with on_commit(execute=True):
        client.post(reverse("reviews:pack_prepare", args=[first.pk]))  # rendered once committed

    page = client.get(first.get_absolute_url())
    assert "Download the submission as PDF" in page.content.decode()
    text = _pdf_text(client.get(reverse("reviews:pack", args=[first.pk])))
    assert "University of Testshire" in text


def test_a_round_that_hides_names_gives_reviewers_a_pdf_without_them(
    client, autumn, stage, team, on_commit, pack_files
):
    autumn.show_institution = False
    autumn.save()
    with on_commit(execute=True):
        first, *_ = assign(autumn, stage, team)
    services.assignment_accept(actor=team[0], assignment=first, no_conflict=True)
    client.force_login(team[0])

    page = client.get(first.get_absolute_url()).content.decode()
    response = client.get(reverse("reviews:pack", args=[first.pk]))

    assert "without the institution's name" in page
    assert "University of Testshire" not in page
    assert response["Content-Disposition"] == 'attachment; filename="submission-stage-1.pdf"'
    text = _pdf_text(response)
    assert "The institution" in text
    for withheld in ("University of Testshire", "Priya Shah", "priya.shah@example.ac.uk"):
        assert withheld not in text


def test_a_reviewer_who_joins_the_organisation_is_flagged_on_the_round_page(
    as_staff, autumn, stage, team
):
    from tests.factories import MembershipFactory

    assign(autumn, stage, team)
    MembershipFactory(user=team[1], organisation=stage.organisation, role="contributor")

    page = as_staff.get(autumn.get_absolute_url())

    (row,) = page.context["progress"].rows
    assert [a.reviewer for a in row.conflicted] == [team[1]]
    assert page.content.decode().count("Conflict of interest: take off") == 1
