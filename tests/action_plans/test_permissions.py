"""Who may open every submission URL: one row per URL and method, one column per role.

Everything about an organisation's submissions answers 404 to people outside it
(outsiders, other organisations' leads, reviewers) and sends the anonymous to sign
in. Members write; only the lead submits and publishes; ITSS staff read, reopen,
extend and manage rounds but never change the content. A refused POST changes
nothing, and an accepted one changes something."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

import pytest
from django.urls import resolve, reverse
from django.utils import timezone
from icalendar import Calendar

from action_plans import packs, rendering, selectors, services
from action_plans.calendar import calendar_token
from action_plans.models import (
    Action,
    ActionUpdate,
    Attachment,
    DueDateExtension,
    PreviousActionReview,
    RatingLevel,
    Reminder,
    ReminderRule,
    SelfAssessment,
    Submission,
    SubmissionPack,
    SubmissionRound,
    ThemeAssessment,
    VoiceEvidence,
)
from action_plans.urls import urlpatterns
from core.models import ActivityLog, Theme
from organisations.models import Organisation
from tests.accounts.people import person
from tests.action_plans.builders import (
    announced_organisation,
    complete,
    lead_of,
    own_storage,
    pdf_upload,
    started,
)
from tests.conftest import with_totp

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "outsider", "lead_b", "reviewer", "contributor_a", "lead_a", "staff")
# Roles that may not know this organisation's submissions exist.
STRANGERS = ("outsider", "lead_b", "reviewer")
ROUND_DEADLINE = timezone.make_aware(datetime(2045, 1, 15, 17, 0))


@pytest.fixture(autouse=True)
def private_media(tmp_path, monkeypatch):
    """Attachments go to this test's own folder."""
    return own_storage(Attachment, "file", tmp_path / "private", monkeypatch)


@dataclass
class World:
    """This organisation at one point of its cycle, and another organisation beside it."""

    organisation: Organisation
    other: Organisation
    submission: Submission | None = None
    submission_round: SubmissionRound | None = None

    @property
    def number(self) -> int:
        return self.submission.stage_number if self.submission else 1

    @property
    def action(self) -> Action:
        return self.submission.actions.first()

    @property
    def evidence(self) -> VoiceEvidence:
        return self.submission.voice_evidence.first()

    @property
    def attachment(self) -> Attachment:
        return self.submission.attachments.first()

    @property
    def review(self) -> PreviousActionReview:
        return self.submission.previous_action_reviews.first()

    @property
    def theme_assessment(self) -> ThemeAssessment:
        return self.submission.theme_assessments.first()

    @property
    def pack(self) -> SubmissionPack:
        """The PDF of the stage as it stands, asked for and ready."""
        return rendering.pack_render(pack=packs.pack_request(submission=self.submission))


def _written_stage(organisation, author):
    """Stage 1 complete and ready to submit, with one attachment."""
    submission = complete(started(organisation, author), author)
    services.attachment_add(actor=author, submission=submission, upload=pdf_upload())
    return submission


def build(state: str, name: str = "University of Thisshire") -> World:
    """``none``: nothing started; ``open``: Stage 1 written but not submitted;
    ``submitted``: Stage 1 submitted, not published; ``stage2``: Stage 2 just started."""
    organisation = announced_organisation(name=name)
    world = World(organisation=organisation, other=announced_organisation())
    world.submission_round, _ = SubmissionRound.objects.get_or_create(
        name="January 2045", deadline=ROUND_DEADLINE
    )
    author = lead_of(organisation)
    if state == "none":
        return world
    submission = _written_stage(organisation, author)
    if state in ("submitted", "stage2"):
        submission = services.submission_submit(actor=author, submission=submission, confirmed=True)
    if state == "stage2":
        submission = started(organisation, author, 2)
    world.submission = submission
    return world


def stored(world: World, media) -> tuple:
    """Everything a request could change, to compare before and after."""
    organisation = Organisation.objects.get(pk=world.organisation.pk)
    submissions = list(Submission.objects.filter(organisation=organisation).order_by("pk"))
    sections = [
        sorted(model.objects.values_list("pk", "version"))
        for model in (SelfAssessment, ThemeAssessment, Action, PreviousActionReview, VoiceEvidence)
    ]
    return (
        [(s.status, s.submitted_at, s.published_at) for s in submissions],
        [selectors.submission_hash(selectors.submission_for_editing(s)) for s in submissions],
        sections,
        [
            model.objects.count()
            for model in (Submission, Action, ActionUpdate, VoiceEvidence, Attachment)
        ],
        [
            model.objects.count()
            for model in (
                DueDateExtension,
                SubmissionRound,
                ActivityLog,
                SubmissionPack,
                ReminderRule,
                Reminder,
            )
        ],
        [getattr(organisation, name) for name in ("tc_page_url", "contact_name", "website")],
        sorted(str(p) for p in media.rglob("*") if p.is_file()) if media.exists() else [],
    )


def _stage(name: str, **extra) -> Callable[[World], str]:
    def url(world):
        kwargs = {"slug": world.organisation.slug, "number": world.number}
        kwargs.update({key: value(world) for key, value in extra.items()})
        return reverse(f"action_plans:{name}", kwargs=kwargs)

    return url


def _plain(name: str, **extra) -> Callable[[World], str]:
    return lambda world: reverse(name, kwargs={k: v(world) for k, v in extra.items()})


def _slug(world):
    return world.organisation.slug


def _nothing(world):
    return {}


def _self_assessment(world):
    return {
        "version": world.submission.self_assessment.version,
        "lead_name": "Matrix Lead",
        "lead_email": "matrix.lead@example.ac.uk",
        "profile": "Changed by the matrix.",
    }


def _theme(world):
    assessment = world.theme_assessment
    prefix = f"theme-{assessment.theme.slug}"
    return {
        f"{prefix}-version": assessment.version,
        f"{prefix}-narrative": "Changed by the matrix.",
        f"{prefix}-rating": RatingLevel.objects.get(value=3).pk,
    }


def _previous(world):
    review = world.review
    prefix = f"previous-{review.pk}"
    return {f"{prefix}-version": review.version, f"{prefix}-outcome": "done", f"{prefix}-note": ""}


def _action(prefix: str, version: int | None = None) -> dict:
    data = {
        f"{prefix}-title": "Matrix action",
        f"{prefix}-themes": [Theme.objects.get(slug="recognition").pk],
        f"{prefix}-owner": "Technical Board",
        f"{prefix}-status": "not_started",
    }
    if version is not None:
        data[f"{prefix}-version"] = version
    return data


def _evidence(prefix: str = "", version: int | None = None) -> dict:
    start = f"{prefix}-" if prefix else ""
    data = {
        f"{start}method": "focus_group",
        f"{start}held_on": "2025-02-01",
        f"{start}participants": "12",
        f"{start}description": "Two focus groups.",
        f"{start}what_changed": "The plan put pay first.",
    }
    if version is not None:
        data[f"{start}version"] = version
    return data


def _public_details(world):
    return {
        "website": "https://www.changed.example.ac.uk/",
        "tc_page_url": "https://www.changed.example.ac.uk/tc",
        "contact_name": "Changed Contact",
        "contact_role": "",
        "contact_email": "changed@example.ac.uk",
    }


def _first_rule(world):
    return ReminderRule.objects.order_by("pk").first().pk


def _reminder_rule(world):
    return {
        "name": "Three days before",
        "amount": "3",
        "unit": "day",
        "direction": "before",
        "milestone": "due",
        "repeat_every_months": "0",
        "kind": "",
        "to_leads": "on",
        "template": "upcoming",
        "is_active": "on",
    }


OK = (200, False)
REDIRECT = (302, False)
CHANGED = (302, True)
REFUSED = (400, False)
HIDDEN = (404, False)


@dataclass(frozen=True)
class Endpoint:
    method: str
    url: Callable[[World], str]
    state: str = "open"
    data: Callable[[World], dict] = _nothing
    # (status, whether the request changed what is stored) for each role that may
    # know the organisation's submissions; strangers get 404, the anonymous sign in.
    lead: tuple[int, bool] = OK
    contributor: tuple[int, bool] = OK
    staff: tuple[int, bool] = OK
    public: bool = False  # open to everyone, signed in or not


def _writes(method, url, data, state="open", staff=REFUSED):
    """A change to the content: members make it; staff are refused with a message."""
    return Endpoint(method, url, state, data, lead=CHANGED, contributor=CHANGED, staff=staff)


def _staff_only(method, url, data=_nothing, state="open", staff=OK):
    return Endpoint(method, url, state, data, lead=HIDDEN, contributor=HIDDEN, staff=staff)


ENDPOINTS = {
    "dashboard": Endpoint("get", _plain("action_plans:dashboard", slug=_slug)),
    "stage-not-started": Endpoint("get", _stage("submission"), state="none"),
    "stage": Endpoint("get", _stage("submission")),
    "stage-submitted": Endpoint("get", _stage("submission"), state="submitted"),
    "start": Endpoint(
        "post", _stage("start"), state="none", lead=CHANGED, contributor=CHANGED, staff=HIDDEN
    ),
    "self-assessment": _writes("post", _stage("self_assessment"), _self_assessment),
    "theme": _writes(
        "post", _stage("theme", theme=lambda w: w.theme_assessment.theme.slug), _theme
    ),
    "previous": _writes(
        "post", _stage("previous", pk=lambda w: w.review.pk), _previous, state="stage2"
    ),
    "action-add-get": Endpoint(
        "get", _stage("action_add"), lead=REDIRECT, contributor=REDIRECT, staff=REDIRECT
    ),
    "action-add": _writes("post", _stage("action_add"), lambda w: _action("new-action")),
    "action-edit-get": Endpoint(
        "get", _stage("action_edit", pk=lambda w: w.action.pk), staff=REDIRECT
    ),
    "action-edit": _writes(
        "post",
        _stage("action_edit", pk=lambda w: w.action.pk),
        lambda w: _action(f"action-{w.action.pk}", w.action.version),
    ),
    "action-remove": _writes("post", _stage("action_remove", pk=lambda w: w.action.pk), _nothing),
    "action-move": _writes(
        "post",
        _stage("action_move", pk=lambda w: w.action.pk),
        lambda w: {"direction": "down"},
    ),
    "progress": _writes(
        "post",
        _stage("progress", pk=lambda w: w.action.pk),
        lambda w: {"status": "in_progress", "note": "Pilot running."},
        state="submitted",
    ),
    "voice-add-get": Endpoint(
        "get", _stage("voice_add"), lead=REDIRECT, contributor=REDIRECT, staff=REDIRECT
    ),
    "voice-add": _writes("post", _stage("voice_add"), lambda w: _evidence("voice")),
    "voice-edit-get": Endpoint(
        "get", _stage("voice_edit", pk=lambda w: w.evidence.pk), staff=REDIRECT
    ),
    "voice-edit": _writes(
        "post",
        _stage("voice_edit", pk=lambda w: w.evidence.pk),
        lambda w: _evidence(version=w.evidence.version),
    ),
    "voice-remove": _writes("post", _stage("voice_remove", pk=lambda w: w.evidence.pk), _nothing),
    "attachment-add": _writes(
        "post", _stage("attachment_add"), lambda w: {"file": pdf_upload("minutes.pdf")}
    ),
    "attachment": Endpoint("get", _stage("attachment", pk=lambda w: w.attachment.pk)),
    "attachment-remove": _writes(
        "post", _stage("attachment_remove", pk=lambda w: w.attachment.pk), _nothing
    ),
    "pack-request": Endpoint(
        "post", _stage("pack_request"), lead=CHANGED, contributor=CHANGED, staff=CHANGED
    ),
    # Without htmx, the state of the PDF is shown on the stage page.
    "pack-status": Endpoint(
        "get",
        _stage("pack_status", pk=lambda w: w.pack.pk),
        lead=REDIRECT,
        contributor=REDIRECT,
        staff=REDIRECT,
    ),
    "pack-download": Endpoint("get", _stage("pack_download", pk=lambda w: w.pack.pk)),
    "submit-get": Endpoint("get", _stage("submit")),
    "submit": Endpoint(
        "post",
        _stage("submit"),
        data=lambda w: {"confirmed": "on"},
        lead=CHANGED,
        contributor=REFUSED,
        staff=REFUSED,
    ),
    # A refused publish goes back to the stage page with the reason as a message.
    "publish": Endpoint(
        "post",
        _stage("publish"),
        state="submitted",
        lead=CHANGED,
        contributor=REDIRECT,
        staff=REDIRECT,
    ),
    "reopen-get": _staff_only("get", _stage("reopen"), state="submitted"),
    "reopen": _staff_only(
        "post",
        _stage("reopen"),
        lambda w: {"reason": "The evidence file was the wrong one."},
        state="submitted",
        staff=CHANGED,
    ),
    "extend-get": _staff_only("get", _stage("extend")),
    "extend": _staff_only(
        "post",
        _stage("extend"),
        lambda w: {
            "due_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
            "due_time": "17:00",
            "reason": "Restructuring of technical services.",
        },
        staff=CHANGED,
    ),
    "rounds-get": _staff_only("get", _plain("action_plans:rounds")),
    "rounds": _staff_only(
        "post",
        _plain("action_plans:rounds"),
        lambda w: {
            "name": "July 2046",
            "kind": "",
            "deadline_on": "2046-07-15",
            "deadline_time": "17:00",
        },
        staff=CHANGED,
    ),
    "round-remove": _staff_only(
        "post",
        _plain("action_plans:round_remove", pk=lambda w: w.submission_round.pk),
        staff=CHANGED,
    ),
    "reminder-rules": _staff_only("get", _plain("action_plans:reminder_rules")),
    "reminder-rule-add-get": _staff_only("get", _plain("action_plans:reminder_rule_add")),
    "reminder-rule-add": _staff_only(
        "post", _plain("action_plans:reminder_rule_add"), _reminder_rule, staff=CHANGED
    ),
    "reminder-rule-edit-get": _staff_only(
        "get", _plain("action_plans:reminder_rule_edit", pk=_first_rule)
    ),
    "reminder-rule-edit": _staff_only(
        "post",
        _plain("action_plans:reminder_rule_edit", pk=_first_rule),
        _reminder_rule,
        staff=CHANGED,
    ),
    # The organisations are overdue, so the sweep staff start sends their reminders.
    "reminders-send": _staff_only("post", _plain("action_plans:reminders_send_now"), staff=CHANGED),
    "public-page": Endpoint(
        "get", _plain("directory:public_organisation", slug=_slug), public=True
    ),
    "public-details-get": Endpoint(
        "get", _plain("organisations:public_details", slug=_slug), contributor=HIDDEN
    ),
    "public-details": Endpoint(
        "post",
        _plain("organisations:public_details", slug=_slug),
        data=_public_details,
        lead=CHANGED,
        contributor=HIDDEN,
        staff=CHANGED,
    ),
}


def test_every_url_is_in_the_matrix():
    states = {e.state for e in ENDPOINTS.values()}
    worlds = {state: build(state, name=f"University of {state}") for state in states}
    covered = {
        resolve(endpoint.url(worlds[endpoint.state])).view_name for endpoint in ENDPOINTS.values()
    }
    # The calendar needs no sign-in: it has its own tests below.
    every = {f"action_plans:{p.name}" for p in urlpatterns} - {"action_plans:calendar"}
    assert every | {"directory:public_organisation", "organisations:public_details"} == covered


def _expected(endpoint: Endpoint, role: str) -> tuple[int, bool]:
    if endpoint.public:
        return OK
    if role == "anonymous":
        return REDIRECT
    if role in STRANGERS:
        return HIDDEN
    return {
        "lead_a": endpoint.lead,
        "contributor_a": endpoint.contributor,
        "staff": endpoint.staff,
    }[role]


def _signed_in(client, role, world):
    user = person(role, org_a=world.organisation, org_b=world.other)
    if role in ("reviewer", "staff"):
        with_totp(user)  # so the two-factor check lets them through
    if role != "anonymous":
        client.force_login(user)
    return user


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS.values(), ids=ENDPOINTS)
def test_submission_urls_by_role(client, private_media, endpoint, role):
    world = build(endpoint.state)
    _signed_in(client, role, world)
    url = endpoint.url(world)
    data = endpoint.data(world)
    before = stored(world, private_media)

    response = getattr(client, endpoint.method)(url, data)

    status, changes = _expected(endpoint, role)
    assert response.status_code == status
    if role == "anonymous" and not endpoint.public:
        assert response.url == f"{reverse('account_login')}?next={quote(url)}"
    assert (stored(world, private_media) != before) == changes


TEAM_ONLY = "Only the organisation's own team can change its submission."
LEAD_ONLY = "Only the organisation's institutional lead can do this."
# Those who may see the stage but not do this are told why (on the page, or on the
# stage page they are sent back to).
REFUSALS = {
    ("staff", "self-assessment"): TEAM_ONLY,
    ("staff", "theme"): TEAM_ONLY,
    ("staff", "action-add"): TEAM_ONLY,
    ("staff", "action-edit"): TEAM_ONLY,
    ("staff", "voice-add"): TEAM_ONLY,
    ("staff", "attachment-add"): TEAM_ONLY,
    ("staff", "progress"): TEAM_ONLY,
    ("staff", "submit"): TEAM_ONLY,
    ("staff", "publish"): LEAD_ONLY,
    ("contributor_a", "submit"): LEAD_ONLY,
    ("contributor_a", "publish"): LEAD_ONLY,
}


@pytest.mark.parametrize(
    ("role", "endpoint", "message"),
    [(role, ENDPOINTS[name], message) for (role, name), message in REFUSALS.items()],
    ids=[f"{role}-{name}" for role, name in REFUSALS],
)
def test_a_refused_change_says_why(client, role, endpoint, message):
    world = build(endpoint.state)
    _signed_in(client, role, world)

    response = client.post(endpoint.url(world), endpoint.data(world), follow=True)

    assert [str(m) for m in response.context["messages"]] == [message]
    assert message.replace("'", "&#x27;") in response.content.decode()


ORGANISATION_PAGES = {
    "dashboard": _plain("action_plans:dashboard", slug=_slug),
    "stage": _stage("submission"),
    "submit": _stage("submit"),
    "attachment": _stage("attachment", pk=lambda w: w.attachment.pk),
    "public details": _plain("organisations:public_details", slug=_slug),
}


@pytest.mark.parametrize("role", STRANGERS)
@pytest.mark.parametrize("page", ORGANISATION_PAGES.values(), ids=ORGANISATION_PAGES)
def test_strangers_are_not_told_a_published_stage_exists(client, role, page):
    world = build("submitted")
    services.submission_publish(actor=lead_of(world.organisation), submission=world.submission)
    _signed_in(client, role, world)

    assert client.get(page(world)).status_code == 404


# This organisation's item, addressed through the other organisation's own stage.
SOMEONE_ELSES = {
    "action-edit": ("get", "action_edit", lambda w: w.action.pk),
    "action-remove": ("post", "action_remove", lambda w: w.action.pk),
    "action-move": ("post", "action_move", lambda w: w.action.pk),
    "voice-edit": ("get", "voice_edit", lambda w: w.evidence.pk),
    "voice-remove": ("post", "voice_remove", lambda w: w.evidence.pk),
    "attachment": ("get", "attachment", lambda w: w.attachment.pk),
    "attachment-remove": ("post", "attachment_remove", lambda w: w.attachment.pk),
}


@pytest.mark.parametrize("item", SOMEONE_ELSES.values(), ids=SOMEONE_ELSES)
def test_an_item_of_another_organisation_is_not_found_through_ones_own_stage(
    client, private_media, item
):
    world = build("open")
    other_lead = lead_of(world.other)
    started(world.other, other_lead)
    client.force_login(other_lead)
    method, name, pk = item
    address = reverse(
        f"action_plans:{name}",
        kwargs={"slug": world.other.slug, "number": 1, "pk": pk(world)},
    )
    before = stored(world, private_media)

    response = getattr(client, method)(address)

    assert response.status_code == 404
    assert stored(world, private_media) == before


@pytest.mark.parametrize("role", ["contributor_a", "lead_a", "staff"])
def test_members_and_staff_see_the_stage_they_may_open(client, role):
    world = build("open")
    _signed_in(client, role, world)

    page = client.get(_stage("submission")(world)).content.decode()

    assert "Stage 1: University of Thisshire" in page
    assert world.action.title in page
    # Only the organisation's own team is offered the forms.
    editable = 'action="' + _stage("self_assessment")(world) + '"'
    assert (editable in page) is (role != "staff")


@pytest.mark.parametrize(
    ("role", "sees_submit_form"), [("lead_a", True), ("contributor_a", False), ("staff", False)]
)
def test_only_the_lead_is_offered_the_submit_form(client, role, sees_submit_form):
    world = build("open")
    _signed_in(client, role, world)

    page = client.get(_stage("submit")(world)).content.decode()

    assert ('name="confirmed"' in page) is sees_submit_form
    assert ("Only the institutional lead can submit." in page) is not sees_submit_form


@pytest.mark.parametrize(
    ("role", "sees_publish_form"), [("lead_a", True), ("contributor_a", False), ("staff", False)]
)
def test_only_the_lead_is_offered_the_publish_form(client, role, sees_publish_form):
    world = build("submitted")
    _signed_in(client, role, world)

    page = client.get(_stage("submission")(world)).content.decode()

    assert ('action="' + _stage("publish")(world) + '"' in page) is sees_publish_form
    assert ("Reopen for changes" in page) is (role == "staff")


@pytest.mark.parametrize("state", ["open", "submitted"])
@pytest.mark.parametrize("role", ["anonymous", "outsider", "lead_b"])
def test_the_public_page_shows_no_plan_until_it_is_published(client, state, role):
    world = build(state)
    _signed_in(client, role, world)

    page = client.get(reverse("directory:public_organisation", args=[world.organisation.slug]))

    html = page.content.decode()
    assert page.status_code == 200
    assert page.context["plan"] is None
    assert "has not published an action plan on this portal yet" in html
    assert world.action.title not in html


def test_once_published_the_anonymous_public_page_shows_the_actions(client):
    world = build("submitted")
    services.submission_publish(actor=lead_of(world.organisation), submission=world.submission)

    page = client.get(reverse("directory:public_organisation", args=[world.organisation.slug]))

    html = page.content.decode()
    assert page.status_code == 200
    assert page.context["plan"] == world.submission
    for action in world.submission.actions.all():
        assert action.title in html


# The calendar feed: no session, a signed token instead.


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        "university-of-thisshire",
        "university-of-thisshire:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ],
    ids=["garbage", "slug-without-signature", "forged-signature"],
)
def test_a_bad_calendar_token_is_not_found(client, token):
    build("none")

    response = client.get(reverse("action_plans:calendar", args=[token]))

    assert response.status_code == 404


def test_a_token_for_an_organisation_that_is_gone_is_not_found(client):
    world = build("none")
    token = calendar_token(world.other)
    world.other.delete()

    assert client.get(reverse("action_plans:calendar", args=[token])).status_code == 404


def test_a_good_calendar_token_gives_one_event_per_stage(client):
    world = build("submitted")
    started(world.organisation, lead_of(world.organisation), 2)
    stages = selectors.organisation_stages(world.organisation)

    response = client.get(
        reverse("action_plans:calendar", args=[calendar_token(world.organisation)])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == [
        "Technician Commitment Stage 1 due",
        "Technician Commitment Stage 2 due",
    ]
    assert [e.decoded("DTSTART") for e in events] == [s.due_at for s in stages]
    assert [s.number for s in stages] == [1, 2]
