"""An action's target as precise as the plan is (a day, a month, a quarter or a year), and
its milestones: entered in the form without JavaScript, stored as the period's last day,
saved unchanged as they were, checked, fingerprinted, and carried into the next stage."""

import re
from datetime import date
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from action_plans import selectors, services
from action_plans.enums import ActionStatus, DatePrecision
from action_plans.models import Action, Milestone
from action_plans.periods import Period
from core.exceptions import ApplicationError
from core.models import Theme
from tests.action_plans.builders import announced_organisation, lead_of, started, submitted

pytestmark = pytest.mark.django_db

P = DatePrecision


@pytest.fixture
def organisation():
    return announced_organisation(name="University of Targets")


@pytest.fixture
def lead(organisation):
    return lead_of(organisation)


@pytest.fixture
def writing(organisation, lead):
    return started(organisation, lead)


def add(lead, submission, **values) -> Action:
    return services.action_add(
        actor=lead,
        submission=submission,
        themes=[Theme.objects.get(slug="visibility")],
        title=values.pop("title", "Name every technician"),
        owner="Technical Board",
        **values,
    )


def stored(action) -> tuple:
    """What a save could change: the action's own fields and its milestones."""
    action = Action.objects.get(pk=action.pk)
    return (
        [getattr(action, name) for name in Action.WRITTEN_FIELDS],
        sorted(t.pk for t in action.themes.all()),
        list(action.milestones.values_list("pk", "position", "label", "due_on", "precision")),
    )


class _Form(HTMLParser):
    """The values a browser would send for the form posting to ``action``, as shown."""

    def __init__(self, action: str):
        super().__init__(convert_charrefs=True)
        self.action, self.inside, self.data = action, False, []
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action") == self.action
        if not self.inside:
            return
        if tag == "input" and attrs.get("name") and attrs.get("type") != "submit":
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.data.append((attrs["name"], attrs.get("value", "")))
        elif tag == "select":
            self.select = attrs["name"]
        elif tag == "option" and self.select and "selected" in attrs:
            self.data.append((self.select, attrs.get("value", "")))
        elif tag == "textarea":
            self.textarea, self.text = attrs["name"], ""

    def handle_data(self, data):
        if self.textarea:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea:
            # A browser drops the one newline that follows <textarea>.
            self.data.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None


def form_as_shown(html: str, action: str) -> dict:
    parser = _Form(action)
    parser.feed(html)
    data: dict[str, list[str]] = {}
    for name, value in parser.data:
        data.setdefault(name, []).append(value)
    return data


def edit_url(action) -> str:
    submission = action.submission
    return reverse(
        "action_plans:action_edit",
        args=[submission.organisation.slug, submission.stage_number, action.pk],
    )


# The service.


def test_a_target_is_stored_as_the_last_day_of_its_period(lead, writing):
    action = add(lead, writing, target_on=date(2027, 12, 11), target_precision=P.MONTH)

    assert (action.target_on, action.target_precision) == (date(2027, 12, 31), P.MONTH)
    assert action.target == Period(date(2027, 12, 31), P.MONTH)
    assert str(action.target) == "December 2027"


def test_existing_actions_are_exact_days():
    assert Action._meta.get_field("target_precision").default == P.DAY


def test_milestones_are_kept_in_order_and_a_save_rewrites_only_what_changed(lead, writing):
    action = add(
        lead,
        writing,
        target_on=date(2028, 12, 31),
        target_precision=P.YEAR,
        milestones=[
            ("Proposal", Period(date(2026, 1, 31), P.MONTH)),
            ("Delivery", Period(date(2027, 12, 31), P.QUARTER)),
        ],
    )
    proposal, delivery = action.milestones.all()

    services.action_save(
        actor=lead,
        action=action,
        version=action.version,
        themes=action.themes.all(),
        milestones=[
            ("Proposal", Period(date(2026, 1, 31), P.MONTH)),
            ("Delivery", Period(date(2028, 3, 31), P.MONTH)),
            ("Review", Period(date(2028, 12, 31), P.YEAR)),
        ],
    )

    assert list(action.milestones.values_list("pk", "label", "due_on", "precision")) == [
        (proposal.pk, "Proposal", date(2026, 1, 31), P.MONTH),
        (delivery.pk, "Delivery", date(2028, 3, 31), P.MONTH),
        (proposal.pk + 2, "Review", date(2028, 12, 31), P.YEAR),
    ]


@pytest.mark.parametrize(
    ("milestones", "message"),
    [
        (
            [("Delivery", Period(date(2028, 3, 31), P.MONTH))],
            "The milestone “Delivery” (by March 2028) falls after the action's target "
            "(by December 2027).",
        ),
        (
            [("Proposal", Period(date(2025, 12, 31), P.YEAR))],
            "The milestone “Proposal” (by 2025) falls before the action starts (1 March 2026).",
        ),
        ([(" ", Period(date(2026, 6, 30), P.MONTH))], "Say what is due by June 2026"),
        ([("Step", Period(date(2026, 6, 30), P.MONTH))] * 13, "up to 12 milestones"),
    ],
    ids=["after the target", "before the start", "unnamed", "too many"],
)
def test_a_milestone_that_does_not_fit_is_refused_and_nothing_changes(
    lead, writing, milestones, message
):
    action = add(
        lead,
        writing,
        starts_on=date(2026, 3, 1),
        target_on=date(2027, 12, 31),
        target_precision=P.MONTH,
    )
    before = stored(action)

    with pytest.raises(ApplicationError, match=re.escape(message)):
        services.action_save(
            actor=lead,
            action=action,
            version=action.version,
            themes=action.themes.all(),
            title="A new title",
            milestones=milestones,
        )
    with pytest.raises(ApplicationError, match=re.escape(message)):
        add(
            lead,
            writing,
            title="Another",
            starts_on=date(2026, 3, 1),
            target_on=date(2027, 12, 31),
            target_precision=P.MONTH,
            milestones=milestones,
        )

    assert stored(action) == before
    assert writing.actions.count() == 1


def test_an_unknown_precision_is_refused(lead, writing):
    with pytest.raises(ApplicationError, match="Choose how precise the target date is"):
        add(lead, writing, target_on=date(2027, 1, 1), target_precision="fortnight")
    assert not writing.actions.exists()


# The fingerprint.


def test_a_day_target_without_milestones_keeps_the_fingerprint_it_always_had(lead, writing):
    add(lead, writing, target_on=date(2027, 12, 11))
    full = selectors.submission_for_editing(writing)

    (action,) = selectors.submission_content(full)["actions"]

    assert set(action) == {
        "title",
        "description",
        "themes",
        "owner",
        "success_measures",
        "starts_on",
        "target_on",
        "status",
    }


def test_the_fingerprint_covers_the_precision_and_the_milestones(lead, writing):
    action = add(lead, writing, target_on=date(2027, 12, 31))

    def fingerprint():
        return selectors.submission_hash(selectors.submission_for_editing(writing))

    seen = {fingerprint()}
    for change in (
        {"target_precision": P.MONTH},
        {"milestones": [("Proposal", Period(date(2027, 1, 31), P.MONTH))]},
        {"milestones": [("Proposal", Period(date(2027, 3, 31), P.QUARTER))]},
    ):
        action.refresh_from_db()
        services.action_save(
            actor=lead, action=action, version=action.version, themes=action.themes.all(), **change
        )
        seen.add(fingerprint())

    assert len(seen) == 4


# Carried into the next stage.


def test_an_action_carried_over_keeps_its_target_and_milestones(organisation, lead):
    first = submitted(organisation, lead)
    action = first.actions.first()
    Action.objects.filter(pk=action.pk).update(
        target_on=date(2027, 12, 31), target_precision=P.QUARTER
    )
    Milestone.objects.create(
        action=action, position=1, label="Pilot", due_on=date(2027, 6, 30), precision=P.MONTH
    )
    second = started(organisation, lead, 2)
    review = second.previous_action_reviews.get(action=action)

    services.previous_action_review_save(
        actor=lead,
        review=review,
        version=review.version,
        outcome=ActionStatus.CARRIED_OVER,
        note="",
    )

    copy = second.actions.get(carried_from=action)
    assert (copy.target, copy.status) == (
        Period(date(2027, 12, 31), P.QUARTER),
        ActionStatus.IN_PROGRESS,
    )
    assert [(m.label, m.when) for m in copy.milestones.all()] == [
        ("Pilot", Period(date(2027, 6, 30), P.MONTH))
    ]


# The form, through the pages.


@pytest.mark.parametrize(
    ("target_on", "precision"),
    [
        (date(2027, 12, 11), P.DAY),
        (date(2027, 12, 31), P.MONTH),
        (date(2027, 12, 31), P.QUARTER),
        (date(2027, 12, 31), P.YEAR),
        (None, P.DAY),
    ],
    ids=["day", "month", "quarter", "year", "none"],
)
def test_the_edit_page_saved_unchanged_stores_the_same_action(
    client, lead, writing, target_on, precision
):
    action = add(
        lead,
        writing,
        description="Line one.\nLine two.",
        starts_on=date(2026, 1, 1),
        target_on=target_on,
        target_precision=precision,
        milestones=[
            ("Proposal: draft", Period(date(2026, 3, 31), P.QUARTER)),
            ("Pilot", Period(date(2026, 11, 12), P.DAY)),
        ],
    )
    before = stored(action)
    client.force_login(lead)
    url = edit_url(action)

    data = form_as_shown(client.get(url).content.decode(), url)
    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert stored(action) == before


def target_data(prefix: str, precision: str, day="", month="", quarter="", year="") -> dict:
    return {
        f"{prefix}-target_0": precision,
        f"{prefix}-target_1": day,
        f"{prefix}-target_2": month,
        f"{prefix}-target_3": quarter,
        f"{prefix}-target_4": year,
    }


def new_action(precision: str, milestones: str = "", **parts) -> dict:
    return {
        "new-action-title": "Publish career pathways",
        "new-action-themes": [Theme.objects.get(slug="career-development").pk],
        "new-action-owner": "Human Resources",
        "new-action-status": ActionStatus.NOT_STARTED,
        "new-action-milestones": milestones,
        **target_data("new-action", precision, **parts),
    }


@pytest.mark.parametrize(
    ("precision", "parts", "expected", "shown"),
    [
        (P.DAY, {"day": "11", "month": "12", "year": "2027"}, date(2027, 12, 11), "11 December"),
        (P.MONTH, {"month": "1", "year": "2028"}, date(2028, 1, 31), "January 2028"),
        (P.QUARTER, {"quarter": "4", "year": "2027"}, date(2027, 12, 31), "October–December"),
        (P.YEAR, {"year": "2027", "month": "5"}, date(2027, 12, 31), ">2027</time>"),
    ],
    ids=["day", "month", "quarter", "year"],
)
def test_a_lead_enters_a_target_as_precise_as_the_plan(
    client, lead, writing, precision, parts, expected, shown
):
    client.force_login(lead)

    response = client.post(
        reverse("action_plans:action_add", args=[writing.organisation.slug, 1]),
        new_action(precision, **parts),
        follow=True,
    )

    action = writing.actions.get()
    assert (action.target_on, action.target_precision) == (expected, precision)
    assert "target: by " in response.content.decode()
    assert shown in response.content.decode()


@pytest.mark.parametrize(
    ("precision", "parts", "milestones", "errors"),
    [
        (P.DAY, {"month": "12", "year": "2027"}, "", ["Give the day, or choose a month"]),
        (P.MONTH, {"year": "2027"}, "", ["Choose the month."]),
        (P.DAY, {"day": "31", "month": "2", "year": "2027"}, "", ["February 2027 has no day 31."]),
        (P.YEAR, {"year": "1999"}, "", ["Give a year between 2000 and 2099."]),
        (
            P.YEAR,
            {"year": "2028"},
            "Proposal: Jan 2027\nDelivery by December 2027\nReview: Febuary 2028",
            [
                "Line 2: put a colon between the milestone and its date",
                "Line 3: “Febuary 2028” is not a date",
            ],
        ),
        (
            P.MONTH,
            {"month": "6", "year": "2027"},
            "Delivery: 2028",
            ["The milestone “Delivery” (by 2028) falls after the action&#x27;s target"],
        ),
    ],
    ids=["no day", "no month", "no such day", "year out of range", "bad lines", "after target"],
)
def test_a_target_or_milestones_the_form_cannot_read_are_refused_saying_why(
    client, lead, writing, precision, parts, milestones, errors
):
    client.force_login(lead)

    response = client.post(
        reverse("action_plans:action_add", args=[writing.organisation.slug, 1]),
        new_action(precision, milestones, **parts),
        follow=True,
    )

    html = response.content.decode()
    for error in errors:
        assert error in html
    assert not writing.actions.exists()


def test_the_target_s_parts_are_labelled_in_one_group(client, lead, writing):
    client.force_login(lead)

    html = client.get(writing.get_absolute_url()).content.decode()

    assert "<legend" in html and "Target date" in html
    for part, label in enumerate(["How precise", "Day", "Month", "Quarter", "Year"]):
        assert f'for="id_new-action-target_{part}">{label}</label>' in html
