"""Who may open every peer-review URL: one row per URL and method, one column per role.

The anonymous are sent to sign in; everyone who may not see a page gets 404, never 403.
Staff run the rounds; a reviewer reaches only the submissions they are assigned and have
no conflict with (their profile's organisation, one they belong to, one they declared),
whatever address they type; the institution reads its feedback once released, and never
who wrote the reviews behind it. A refused request changes nothing."""

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time
from urllib.parse import quote

import pytest
from django.urls import resolve, reverse
from pypdf import PdfReader

from accounts.models import Invitation, Membership, User
from action_plans import packs, rendering
from action_plans import services as plan_services
from action_plans.deadlines import uk_datetime
from action_plans.models import Attachment, Submission, SubmissionPack, SubmissionRound
from core.models import ActivityLog, OutboundEmail, Theme
from organisations.models import Organisation
from reviews import documents, services
from reviews.enums import ConflictReason
from reviews.models import (
    Assignment,
    Conflict,
    Feedback,
    Review,
    ReviewerProfile,
    ReviewRound,
    ScoreLevel,
    ThemeScore,
)
from reviews.urls import urlpatterns
from tests.action_plans.builders import (
    announced_organisation,
    complete,
    lead_of,
    own_storage,
    pdf_upload,
    started,
)
from tests.conftest import with_totp
from tests.factories import StaffFactory, UserFactory

from .builders import (
    assign,
    conflict_by_declaration,
    conflict_by_membership,
    conflict_by_profile,
    review_round,
    review_tag,
    reviewer,
    write_review,
)

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "outsider",
    "lead",
    "reviewer",
    "conflicted_profile",
    "conflicted_member",
    "conflicted_declared",
    "unassigned",
    "staff",
)
CONFLICTED = ("conflicted_profile", "conflicted_member", "conflicted_declared")
REVIEWERS = ("reviewer", *CONFLICTED, "unassigned")
ORGANISATION = "University of Testshire"
# The states a world is built in, each a step on from the one before.
STATES = ("invited", "accepted", "reviewed", "drafted", "released")
SCORE_LABEL = re.compile(r"\b(Poor|Fair|Good|Excellent)\b")


@pytest.fixture(autouse=True)
def private_media(tmp_path, monkeypatch):
    """Attachments, packs and feedback reports go to this test's own folder."""
    location = tmp_path / "private"
    own_storage(Attachment, "file", location, monkeypatch)
    own_storage(SubmissionPack, "file", location, monkeypatch)
    own_storage(Feedback, "report", location, monkeypatch)
    return location


@dataclass
class World:
    """A submitted stage with one attachment, in review by a team of three (the first the
    lead reviewer), a spare reviewer in the pool, and ITSS staff."""

    staff: User
    review_round: ReviewRound
    submission: Submission
    institution_lead: User
    reviewer: User
    colleagues: list[User]
    spare: User
    assignments: list[Assignment]
    other: Organisation  # the reviewer declared a conflict with it long ago
    third: Organisation  # nobody has anything to do with it
    next_submission_round: SubmissionRound  # not yet reviewed in any round
    earlier_conflict: Conflict
    feedback: Feedback | None = None

    @property
    def organisation(self) -> Organisation:
        return self.submission.organisation

    @property
    def assignment(self) -> Assignment:
        return self.assignments[0]

    @property
    def team(self) -> list[User]:
        return [self.reviewer, *self.colleagues]

    @property
    def attachment(self) -> Attachment:
        return self.submission.attachments.get()


def build(state: str = "invited", *, pack: bool = False, **round_fields) -> World:
    staff = with_totp(StaffFactory())
    # Four places, three taken: staff can still add the spare reviewer.
    autumn = review_round(team_size=4, **round_fields)
    organisation = announced_organisation(name=ORGANISATION)
    lead = lead_of(organisation)
    submission = complete(started(organisation, lead), lead)
    plan_services.attachment_add(actor=lead, submission=submission, upload=pdf_upload())
    submission = plan_services.submission_submit(actor=lead, submission=submission, confirmed=True)
    # What the submission asks for once it commits: its PDF, rendered only if ``pack``.
    named_pack = packs.pack_request(submission=submission, user=lead)
    first, *colleagues = [
        with_totp(reviewer(name=name, themes=[theme]))
        for name, theme in (
            ("Ana Ruiz", "visibility"),
            ("Ben Cole", "recognition"),
            ("Cara Diaz", "career-development"),
        )
    ]
    spare = with_totp(reviewer(name="Dev Shah", themes=["sustainability"]))
    other = announced_organisation(name="University of Elsewhere")
    earlier = services.conflict_declare(
        actor=first,
        organisation=other,
        reason=ConflictReason.EMPLOYMENT,
        note="I worked there until 2023.",
    )
    assignments = assign(autumn, submission, [first, *colleagues], staff=staff)
    world = World(
        staff=staff,
        review_round=autumn,
        submission=submission,
        institution_lead=lead,
        reviewer=first,
        colleagues=colleagues,
        spare=spare,
        assignments=assignments,
        other=other,
        third=announced_organisation(name="University of Thirdshire"),
        next_submission_round=SubmissionRound.objects.create(
            name="January 2046", deadline=uk_datetime(date(2046, 1, 15), time(17, 0))
        ),
        earlier_conflict=earlier,
    )
    steps = STATES[: STATES.index(state) + 1]
    if "accepted" in steps:
        world.assignments[0] = services.assignment_accept(
            actor=first, assignment=assignments[0], no_conflict=True
        )
    if "reviewed" in steps:
        world.assignments = [write_review(a) for a in world.assignments]
    if "drafted" in steps:
        world.feedback = _written_feedback(world)
    if "released" in steps:
        world.feedback = services.feedback_release(actor=staff, feedback=world.feedback)
        world.feedback = documents.feedback_report_render(feedback=world.feedback)
    if pack:
        rendering.pack_render(pack=named_pack)
    return world


def _written_feedback(world: World) -> Feedback:
    started = services.feedback_start(
        actor=world.staff, review_round=world.review_round, submission=world.submission
    )
    return services.feedback_save(
        actor=world.staff,
        feedback=started,
        version=started.version,
        outcome=started.outcome,
        summary="A candid plan, shaped with technicians.",
        strengths=started.strengths,
        areas_to_develop=started.areas_to_develop,
        recommendations=started.recommendations,
        themes={},
    )


# The three ways the assigned reviewer comes to have a conflict with the organisation.


CONFLICT_WAYS = {
    "conflicted_profile": conflict_by_profile,
    "conflicted_member": conflict_by_membership,
    "conflicted_declared": conflict_by_declaration,
}


def make_conflicted(role: str, world: World) -> None:
    CONFLICT_WAYS[role](staff=world.staff, reviewer=world.reviewer, organisation=world.organisation)


def signed_in(client, role: str, world: World):
    """Sign ``client`` in as ``role`` in ``world``; the user, or None when anonymous."""
    if role == "anonymous":
        return None
    if role in CONFLICT_WAYS:
        make_conflicted(role, world)
    user = {
        "outsider": UserFactory,
        "lead": lambda: world.institution_lead,
        "unassigned": lambda: world.spare,
        "staff": lambda: world.staff,
    }.get(role, lambda: world.reviewer)()
    client.force_login(user)
    return user


def stored(media) -> tuple:
    """Everything a request could change, to compare before and after."""

    def rows(model, *fields):
        return list(model.objects.order_by("pk").values_list("pk", *fields))

    return (
        rows(Assignment, "reviewer_id", "status", "is_lead", "responded_at", "decline_reason"),
        rows(Review, "version", "strengths", "submitted_at"),
        rows(ThemeScore, "level_id", "comment"),
        rows(Feedback, "status", "version", "summary", "released_at", "report"),
        rows(Conflict, "reviewer_id", "organisation_id"),
        rows(
            ReviewRound,
            "name",
            "review_due_at",
            "team_size",
            "respond_within_days",
            "others_reviews",
            "show_institution",
        ),
        rows(
            ReviewerProfile, "organisation_id", "job_title", "capacity", "trained_on", "is_active"
        ),
        rows(Submission, "status"),
        rows(SubmissionPack, "status", "content_hash", "withholds_name"),
        [m.objects.count() for m in (Invitation, Membership, ActivityLog, OutboundEmail)],
        sorted(str(p) for p in media.rglob("*") if p.is_file()) if media.exists() else [],
    )


# The URLs and what each role gets ---------------------------------------------------------


def _url(name: str, **kwargs: Callable[[World], object]) -> Callable[[World], str]:
    return lambda w: reverse(f"reviews:{name}", kwargs={k: v(w) for k, v in kwargs.items()})


def _round(w):
    return w.review_round.pk


def _submission(w):
    return w.submission.pk


def _own(w):
    return w.assignment.pk


def _slug(w):
    return w.organisation.slug


def _stage(w):
    return w.submission.stage_number


def _nothing(w):
    return {}


def _round_form(w: World, **changes) -> dict:
    data = {
        "name": "Autumn 2025, moved",
        "submission_round": w.review_round.submission_round_id,
        "due_on": "2026-02-27",
        "due_time": "17:00",
        "team_size": 4,
        "respond_within_days": 10,
        "others_reviews": "after_own",
        "show_institution": "on",
    }
    return {**data, **changes}


def _new_round(w: World) -> dict:
    return _round_form(
        w,
        name="Spring 2046",
        submission_round=w.next_submission_round.pk,
        due_on="2046-05-29",
        team_size=3,
    )


def _profile(w: World) -> dict:
    return {
        "organisation": w.third.pk,
        "job_title": "Senior technician",
        "themes": [Theme.objects.get(slug="sustainability").pk],
        "capacity": 3,
        "trained_on": "2025-06-01",
        "is_active": "on",
    }


def _review(w: World) -> dict:
    return {"version": w.assignment.review.version, "strengths": "Changed by the matrix."}


Outcome = tuple[int, bool]  # status code, whether the request changed what is stored
OK: Outcome = (200, False)
REDIRECT: Outcome = (302, False)
CHANGED: Outcome = (302, True)
SAVED: Outcome = (200, True)  # in place, through htmx
REFUSED: Outcome = (400, False)
HIDDEN: Outcome = (404, False)


@dataclass(frozen=True)
class Endpoint:
    method: str
    url: Callable[[World], str]
    state: str = "invited"
    data: Callable[[World], dict] = _nothing
    pack: bool = False
    # What each role gets; the outsider always 404, the anonymous a sign-in.
    reviewer: Outcome = HIDDEN
    conflicted: Outcome = HIDDEN
    member: Outcome | None = None  # the conflicted member, where membership counts
    unassigned: Outcome = HIDDEN
    lead: Outcome = HIDDEN
    staff: Outcome = HIDDEN


def _staff(method, url, data=_nothing, state="invited", staff=OK) -> Endpoint:
    return Endpoint(method, url, state, data, staff=staff)


def _pool(method, url, data=_nothing, outcome=OK, unassigned=None) -> Endpoint:
    """The reviewer's own pages: every peer reviewer, conflicted or not."""
    return Endpoint(
        method,
        url,
        data=data,
        reviewer=outcome,
        conflicted=outcome,
        unassigned=outcome if unassigned is None else unassigned,
    )


def _assigned(method, url, state="invited", data=_nothing, outcome=OK, pack=False) -> Endpoint:
    """A page of the assignment: its reviewer only, and not once conflicted."""
    return Endpoint(method, url, state, data, pack=pack, reviewer=outcome)


def _institution(url, state="released", outcome=OK) -> Endpoint:
    """The organisation's feedback: its members (the conflicted member is one) and staff."""
    return Endpoint("get", url, state, lead=outcome, member=outcome, staff=outcome)


ENDPOINTS = {
    # Staff.
    "pool-get": _staff("get", _url("pool")),
    "pool": _staff(
        "post",
        _url("pool"),
        lambda w: {"name": "Eve Long", "email": "eve.long@example.ac.uk", "role": "reviewer"},
        staff=CHANGED,
    ),
    "profile-edit-get": _staff("get", _url("profile_edit", pk=lambda w: w.spare.pk)),
    "profile-edit": _staff(
        "post", _url("profile_edit", pk=lambda w: w.spare.pk), _profile, staff=CHANGED
    ),
    "rounds-get": _staff("get", _url("rounds")),
    "rounds": _staff("post", _url("rounds"), _new_round, staff=CHANGED),
    "round": _staff("get", _url("round", pk=_round)),
    "round-edit-get": _staff("get", _url("round_edit", pk=_round)),
    "round-edit": _staff("post", _url("round_edit", pk=_round), _round_form, staff=CHANGED),
    "round-assign-get": _staff("get", _url("round_assign", pk=_round)),
    "round-assign": _staff("post", _url("round_assign", pk=_round), staff=CHANGED),
    "round-export": _staff("get", _url("round_export", pk=_round), state="reviewed"),
    "assign-get": _staff("get", _url("assign", pk=_round, submission=_submission)),
    "assign": _staff(
        "post",
        _url("assign", pk=_round, submission=_submission),
        lambda w: {"reviewers": [w.spare.reviewer_profile.pk]},
        staff=CHANGED,
    ),
    "moderate-get": _staff(
        "get", _url("moderate", pk=_round, submission=_submission), state="reviewed"
    ),
    "moderate": _staff(
        "post",
        _url("moderate", pk=_round, submission=_submission),
        lambda w: {"start": "1"},
        state="reviewed",
        staff=CHANGED,
    ),
    "withdraw-get": _staff("get", _url("withdraw", pk=lambda w: w.assignments[2].pk)),
    "withdraw": _staff(
        "post",
        _url("withdraw", pk=lambda w: w.assignments[2].pk),
        lambda w: {"note": "Gone quiet."},
        staff=CHANGED,
    ),
    "release": _staff(
        "post", _url("release", pk=lambda w: w.feedback.pk), state="drafted", staff=CHANGED
    ),
    "reopen-get": _staff("get", _url("reopen", submission=_submission)),
    "reopen": _staff(
        "post",
        _url("reopen", submission=_submission),
        lambda w: {"reason": "The action plan needs dates."},
        staff=CHANGED,
    ),
    # The review is under way: nothing to resume, so nothing changes.
    "resume": _staff("post", _url("resume", pk=_round, submission=_submission), staff=REDIRECT),
    # Reviewers' own pages.
    "dashboard": _pool("get", _url("dashboard")),
    "conflicts-get": _pool("get", _url("conflicts")),
    "conflicts": _pool(
        "post",
        _url("conflicts"),
        lambda w: {"organisation": w.third.pk, "reason": "collaboration", "note": "Joint lab."},
        outcome=CHANGED,
    ),
    # The assigned reviewer's earlier declaration: theirs to take back, nobody else's.
    "conflict-remove": _pool(
        "post",
        _url("conflict_remove", pk=lambda w: w.earlier_conflict.pk),
        outcome=CHANGED,
        unassigned=HIDDEN,
    ),
    "certificate": _pool("get", _url("certificate")),
    # The assignment and the submission behind it.
    "assignment": _assigned("get", _url("assignment", pk=_own)),
    "assignment-reviewed": _assigned("get", _url("assignment", pk=_own), state="reviewed"),
    "accept": _assigned(
        "post", _url("accept", pk=_own), data=lambda w: {"no_conflict": "on"}, outcome=CHANGED
    ),
    # Accepting takes the declaration of no conflict of interest.
    "accept-undeclared": _assigned("post", _url("accept", pk=_own), outcome=REFUSED),
    "declare-conflict": _assigned(
        "post",
        _url("declare_conflict", pk=_own),
        data=lambda w: {"reason": "collaboration", "note": "We share a facility."},
        outcome=CHANGED,
    ),
    "decline": _assigned(
        "post", _url("decline", pk=_own), data=lambda w: {"reason": "On leave."}, outcome=CHANGED
    ),
    "review": _assigned(
        "post", _url("review", pk=_own), state="accepted", data=_review, outcome=CHANGED
    ),
    "review-draft": _assigned(
        "post", _url("review_draft", pk=_own), state="accepted", data=_review, outcome=SAVED
    ),
    # Saving as they type is for an accepted review only.
    "review-draft-invited": _assigned(
        "post", _url("review_draft", pk=_own), data=lambda w: {"version": 1}, outcome=HIDDEN
    ),
    "lead-feedback-get": _assigned("get", _url("lead_feedback", pk=_own), state="reviewed"),
    "lead-feedback": _assigned(
        "post",
        _url("lead_feedback", pk=_own),
        state="reviewed",
        data=lambda w: {"start": "1"},
        outcome=CHANGED,
    ),
    "feedback-ready": _assigned(
        "post", _url("feedback_ready", pk=_own), state="drafted", outcome=CHANGED
    ),
    # The lead writes the feedback only after submitting their own review.
    "lead-feedback-too-early": _assigned(
        "get", _url("lead_feedback", pk=_own), state="accepted", outcome=HIDDEN
    ),
    "pack": _assigned("get", _url("pack", pk=_own), state="reviewed", pack=True),
    # Asking again for the PDF (missing here): a POST, for the reviewer who may read it; it
    # is rendered once the request commits.
    "pack-prepare": _assigned(
        "post", _url("pack_prepare", pk=_own), state="reviewed", outcome=REDIRECT
    ),
    "pack-prepare-before-accepting": _assigned(
        "post", _url("pack_prepare", pk=_own), outcome=HIDDEN
    ),
    "attachment": _assigned(
        "get", _url("attachment", pk=_own, attachment=lambda w: w.attachment.pk), state="reviewed"
    ),
    # Nothing of the submission before the reviewer accepts, declaring no conflict.
    "pack-before-accepting": _assigned("get", _url("pack", pk=_own), pack=True, outcome=HIDDEN),
    "attachment-before-accepting": _assigned(
        "get", _url("attachment", pk=_own, attachment=lambda w: w.attachment.pk), outcome=HIDDEN
    ),
    # The institution.
    "feedback": _institution(_url("feedback", slug=_slug, number=_stage)),
    "feedback-pdf": _institution(_url("feedback_pdf", slug=_slug, number=_stage)),
    "feedback-unreleased": _institution(
        _url("feedback", slug=_slug, number=_stage), state="drafted", outcome=HIDDEN
    ),
    "feedback-pdf-unreleased": _institution(
        _url("feedback_pdf", slug=_slug, number=_stage), state="drafted", outcome=HIDDEN
    ),
    # Asking again for the report: a POST, for whoever may read the feedback.
    "feedback-report-prepare": Endpoint(
        "post",
        _url("feedback_report_prepare", slug=_slug, number=_stage),
        "released",
        lead=REDIRECT,
        member=REDIRECT,
        staff=REDIRECT,
    ),
    "feedback-report-prepare-unreleased": Endpoint(
        "post",
        _url("feedback_report_prepare", slug=_slug, number=_stage),
        "drafted",
        lead=HIDDEN,
        member=HIDDEN,
        staff=HIDDEN,
    ),
}


def test_every_url_is_in_the_matrix():
    world = build("released")
    covered = {resolve(endpoint.url(world)).view_name for endpoint in ENDPOINTS.values()}
    assert covered == {f"reviews:{p.name}" for p in urlpatterns}


def _expected(endpoint: Endpoint, role: str) -> Outcome:
    if role == "anonymous":
        return REDIRECT
    if role == "conflicted_member" and endpoint.member is not None:
        return endpoint.member
    if role in CONFLICTED:
        return endpoint.conflicted
    return {
        "outsider": HIDDEN,
        "lead": endpoint.lead,
        "reviewer": endpoint.reviewer,
        "unassigned": endpoint.unassigned,
        "staff": endpoint.staff,
    }[role]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS.values(), ids=ENDPOINTS)
def test_review_urls_by_role(client, private_media, endpoint, role):
    world = build(endpoint.state, pack=endpoint.pack)
    signed_in(client, role, world)
    url = endpoint.url(world)
    data = endpoint.data(world)
    before = stored(private_media)

    response = getattr(client, endpoint.method)(url, data)

    status, changes = _expected(endpoint, role)
    assert response.status_code == status
    if role == "anonymous":
        assert response.url == f"{reverse('account_login')}?next={quote(url)}"
    assert (stored(private_media) != before) == changes
    response.close()


# The conflict rule, whatever the address ---------------------------------------------------


def test_the_assigned_reviewer_downloads_what_a_conflict_would_hide(client):
    """The other side of the 404s in the matrix: the files are there to be had."""
    world = build("reviewed", pack=True)
    client.force_login(world.reviewer)

    attachment = client.get(
        reverse("reviews:attachment", args=[world.assignment.pk, world.attachment.pk])
    )
    pack = client.get(reverse("reviews:pack", args=[world.assignment.pk]))

    assert (attachment.status_code, attachment["Content-Type"]) == (200, "application/pdf")
    assert b"".join(attachment.streaming_content).startswith(b"%PDF")
    assert (pack.status_code, pack["Content-Type"]) == (200, "application/pdf")
    assert b"".join(pack.streaming_content).startswith(b"%PDF")


def test_an_attachment_of_another_submission_is_not_found_through_ones_assignment(client):
    world = build("reviewed")
    elsewhere = announced_organisation(name="University of Fourthshire")
    their_lead = lead_of(elsewhere)
    theirs = complete(started(elsewhere, their_lead), their_lead)
    foreign = plan_services.attachment_add(
        actor=their_lead, submission=theirs, upload=pdf_upload("theirs.pdf")
    )
    client.force_login(world.reviewer)

    response = client.get(reverse("reviews:attachment", args=[world.assignment.pk, foreign.pk]))

    assert response.status_code == 404


# The lead reviewer's assignment, addressed by a teammate on the same submission.
TEAMMATE_TRIES = (
    "assignment-reviewed",
    "accept",
    "declare-conflict",
    "decline",
    "review",
    "review-draft",
    "feedback-ready",
    "lead-feedback-get",
    "lead-feedback",
    "pack",
    "attachment",
)


@pytest.mark.parametrize("endpoint", [ENDPOINTS[n] for n in TEAMMATE_TRIES], ids=TEAMMATE_TRIES)
def test_a_teammate_cannot_use_the_lead_reviewers_assignment(client, private_media, endpoint):
    world = build(endpoint.state, pack=endpoint.pack)
    client.force_login(world.colleagues[0])
    url = endpoint.url(world)
    data = endpoint.data(world)
    before = stored(private_media)

    response = getattr(client, endpoint.method)(url, data)

    assert response.status_code == 404
    assert stored(private_media) == before


# What a reviewer sees of the others' reviews ----------------------------------------------


def written_by(person) -> list[str]:
    """Every piece of text builders.write_review wrote for ``person``."""
    tag = review_tag(person)
    themes = Theme.objects.filter(is_active=True).values_list("name", flat=True)
    return [
        f"Strengths seen by {tag}.",
        f"Areas {tag} would develop.",
        f"{tag} recommends more.",
        *(f"{tag} on {name}." for name in themes),
    ]


@pytest.mark.parametrize(
    ("others_reviews", "own_submitted", "sees_others"),
    [
        ("after_own", False, False),
        ("after_own", True, True),
        ("never", False, False),
        ("never", True, False),
    ],
)
def test_a_reviewer_sees_the_other_reviews_only_as_the_round_allows(
    client, others_reviews, own_submitted, sees_others
):
    world = build("accepted", others_reviews=others_reviews)
    for colleague_assignment in world.assignments[1:]:
        write_review(colleague_assignment)
    write_review(world.assignment, submit=own_submitted)
    client.force_login(world.reviewer)

    page = client.get(world.assignment.get_absolute_url()).content.decode()

    # Their own review is on the page, submitted or as a draft in the form.
    assert f"Strengths seen by {review_tag(world.reviewer)}." in page
    for colleague in world.colleagues:
        strengths, areas, *_ = written_by(colleague)
        if sees_others:
            assert strengths in page
            assert areas in page
        else:
            assert [text for text in written_by(colleague) if text in page] == []


# What the institution sees of the reviewers -------------------------------------------------


def _identities(world: World) -> list[str]:
    return [value for person in world.team for value in (person.name, person.email)]


def test_the_released_feedback_page_names_no_reviewer_and_shows_no_score(client):
    world = build("released")
    client.force_login(world.institution_lead)

    response = client.get(reverse("reviews:feedback", args=[world.organisation.slug, 1]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "A candid plan, shaped with technicians." in page
    assert [value for value in _identities(world) if value in page] == []
    assert SCORE_LABEL.findall(page) == []


def test_the_feedback_report_names_no_reviewer_and_shows_no_score(client):
    world = build("released")
    client.force_login(world.institution_lead)

    response = client.get(reverse("reviews:feedback_pdf", args=[world.organisation.slug, 1]))

    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    metadata = " ".join(str(value) for value in (reader.metadata or {}).values())
    assert ORGANISATION in text
    assert "A candid plan, shaped with technicians." in text
    assert [value for value in _identities(world) if value in text + metadata] == []
    assert SCORE_LABEL.findall(text) == []


def test_the_reviews_behind_the_feedback_do_carry_names_and_scores(client):
    """What the institution must not see is there to leak: staff see it in moderation."""
    world = build("released")
    client.force_login(world.staff)

    page = client.get(
        reverse("reviews:moderate", args=[world.review_round.pk, world.submission.pk])
    ).content.decode()

    assert all(person.name in page for person in world.team)
    assert ScoreLevel.objects.get(value=3).label in SCORE_LABEL.findall(page)


@pytest.mark.parametrize("name", ["feedback", "feedback_pdf"])
def test_feedback_is_not_found_by_the_institution_until_released(client, name):
    world = build("drafted")
    client.force_login(world.institution_lead)
    url = reverse(f"reviews:{name}", args=[world.organisation.slug, 1])

    before = client.get(url)
    released = services.feedback_release(actor=world.staff, feedback=world.feedback)
    documents.feedback_report_render(feedback=released)
    after = client.get(url)

    assert (before.status_code, after.status_code) == (404, 200)
    after.close()


# Rounds that hide the institution's name ---------------------------------------------------


@pytest.mark.parametrize("show_institution", [True, False])
def test_a_round_that_hides_names_hides_them_on_the_reviewers_pages(client, show_institution):
    world = build("invited", pack=True, show_institution=show_institution)
    client.force_login(world.reviewer)

    assignment = client.get(world.assignment.get_absolute_url()).content.decode()
    dashboard = client.get(reverse("reviews:dashboard")).content.decode()

    for page in (assignment, dashboard):
        assert (ORGANISATION in page) is show_institution
        assert ("Institution A" in page) is not show_institution
        assert (world.organisation.slug in page) is False


def _pdf_text(response) -> str:
    """The text of a PDF download, its metadata (title, author, description) included."""
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    metadata = [str(value) for value in (reader.metadata or {}).values()]
    return "\n".join([*(page.extract_text() for page in reader.pages), *metadata])


def test_a_round_that_hides_names_never_serves_the_pdf_that_shows_the_name(client):
    """The PDF with the name is ready, but this round's reviewers get only the one without
    it: 404 until that one is ready, then a PDF without the name or the lead's details."""
    world = build("accepted", pack=True, show_institution=False)
    client.force_login(world.reviewer)
    url = reverse("reviews:pack", args=[world.assignment.pk])

    before = client.get(url)
    rendering.pack_render(pack=world.submission.packs.get(withholds_name=True))
    after = client.get(url)

    assert before.status_code == 404
    assert after.status_code == 200
    assert world.organisation.slug not in after["Content-Disposition"]
    text = _pdf_text(after)
    assert "Visibility action 1" in text
    withheld = (
        ORGANISATION,
        "Priya Shah",
        "priya.shah@example.ac.uk",
        world.institution_lead.name,
        world.institution_lead.email,
    )
    assert [value for value in withheld if value in text] == []
