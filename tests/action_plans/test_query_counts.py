"""A stage's pages run the same number of queries however many actions the plan has.

Each test measures a page with 3 actions, grows the plan to 60 (each action with a
theme and, once submitted, a progress entry) and asserts the page runs exactly as
many queries again."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from action_plans import services
from action_plans.enums import ActionStatus
from action_plans.models import Action, ActionUpdate
from core.models import Theme
from directory.cache import public_changed
from tests.action_plans.builders import announced_organisation, complete, lead_of, started

pytestmark = pytest.mark.django_db

SMALL, LARGE = 3, 60

# The pages' queries, pinned so a new one is a deliberate change to this file.
# Every signed-in page: session, user, the organisation, the person's roles (rules) and
# the navigation memberships (4). The portal's permissions are rules only, so Django's
# ModelBackend loads no user or group permissions.
# The stage timetable: cycle policies, submissions, extensions, rounds (4).
# A submission with everything its page shows: itself with its self-assessment, theme
# assessments, actions (each with its current status), their themes, their milestones,
# their progress, previous-plan reviews, voice evidence, attachments (9; a submitted one
# here also has its evidence's attachments).
# Dashboard: 4 + timetable + the current submission + the active themes for the checklist.
DASHBOARD_QUERIES = 19
# Stage page: 4 + timetable once + finding the submission + the submission + the active
# themes once + the PDF of its content as it stands (its fingerprint is worked out from
# what is already loaded); while it is being written, also who last saved the
# self-assessment and each theme form's rating choices (4 themes).
WRITING_QUERIES = 26
# Submitted: as while writing, without the editing forms' 5, with the evidence's
# attachments; staff add their authenticator (checked by the two-factor middleware).
SUBMITTED_QUERIES = {"lead": 22, "staff": 23}
# Public page: the organisation, the published plan, its actions (each with its current
# status), their themes, their milestones, their progress, and the active themes (7); its
# current stage (cycle policies, round deadlines, its submissions, its extensions), its
# last submission and its latest released feedback, and the PDF of the plan (being
# prepared or ready).
PUBLIC_QUERIES = 14


def _themes() -> list[Theme]:
    return list(Theme.objects.filter(is_active=True))


def add_actions(submission, lead, start: int, stop: int) -> None:
    """Actions ``start`` to ``stop`` through the service, each under one theme in turn."""
    themes = _themes()
    for n in range(start, stop):
        services.action_add(
            actor=lead,
            submission=submission,
            themes=[themes[n % len(themes)]],
            title=f"Action {n + 1}",
            owner="Technical Board",
        )


def add_submitted_actions(submission, lead, start: int, stop: int) -> None:
    """Actions ``start`` to ``stop`` written straight to the tables (the plan may be
    frozen), each under a theme, with a progress entry. The first also takes the last
    theme, so three actions cover all four."""
    themes = _themes()
    actions = Action.objects.bulk_create(
        Action(
            submission=submission,
            position=n + 1,
            title=f"Action {n + 1}",
            owner="Technical Board",
            updated_by=lead,
        )
        for n in range(start, stop)
    )
    through = Action.themes.through
    links = [
        through(action_id=action.pk, theme_id=themes[n % len(themes)].pk)
        for n, action in zip(range(start, stop), actions, strict=True)
    ]
    if start == 0:
        links.append(through(action_id=actions[0].pk, theme_id=themes[-1].pk))
    through.objects.bulk_create(links)
    ActionUpdate.objects.bulk_create(
        ActionUpdate(
            action=action, status=ActionStatus.IN_PROGRESS, note="Under way.", recorded_by=lead
        )
        for action in actions
    )


def _count(client, url, **kwargs) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **kwargs)
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def organisation():
    return announced_organisation()


@pytest.fixture
def lead(organisation):
    return lead_of(organisation)


@pytest.fixture
def writing(organisation, lead):
    """Stage 1 being written, with SMALL actions."""
    submission = started(organisation, lead)
    add_actions(submission, lead, 0, SMALL)
    return submission


@pytest.fixture
def submitted_plan(organisation, lead):
    """Stage 1 submitted with SMALL actions, each with progress recorded."""
    submission = complete(started(organisation, lead), lead, actions_per_theme=0)
    add_submitted_actions(submission, lead, 0, SMALL)
    return services.submission_submit(actor=lead, submission=submission, confirmed=True)


def _dashboard(submission):
    return reverse("action_plans:dashboard", args=[submission.organisation.slug])


def _stage_page(submission):
    return submission.get_absolute_url()


@pytest.mark.parametrize(
    ("page", "queries", "shows"),
    [
        (_dashboard, DASHBOARD_QUERIES, "Still to do before submitting"),
        (_stage_page, WRITING_QUERIES, f"Action {LARGE}"),
    ],
    ids=["dashboard", "stage"],
)
def test_the_pages_of_a_stage_being_written_do_not_grow_with_the_plan(
    client, lead, writing, page, queries, shows, django_assert_num_queries
):
    client.force_login(lead)
    url = page(writing)
    client.get(url)  # warm the per-process caches (content types, templates)
    small = _count(client, url)

    add_actions(writing, lead, SMALL, LARGE)
    with django_assert_num_queries(small):
        response = client.get(url)

    assert writing.actions.count() == LARGE
    assert shows in response.content.decode()
    assert small == queries


@pytest.mark.parametrize("role", ["lead", "staff"])
def test_a_submitted_stage_does_not_grow_with_the_plan(
    client, lead, staff_user, submitted_plan, role, django_assert_num_queries
):
    client.force_login(lead if role == "lead" else staff_user)
    url = _stage_page(submitted_plan)
    client.get(url)
    public_changed()  # measure the page as made, not as kept in the cache
    small = _count(client, url)

    add_submitted_actions(submitted_plan, lead, SMALL, LARGE)
    public_changed()  # written straight to the tables: bulk writes tell the cache themselves
    client.get(url)  # the new content's PDF is asked for, as on the small page
    public_changed()
    with django_assert_num_queries(small):
        response = client.get(url)

    html = response.content.decode()
    assert f"Action {LARGE}" in html
    assert html.count("Under way.") == LARGE
    assert ("Record progress" in html) is (role == "lead")
    assert small == SUBMITTED_QUERIES[role]


def test_adding_an_action_with_htmx_does_not_grow_with_the_plan(
    client, lead, writing, django_assert_num_queries
):
    client.force_login(lead)
    url = reverse("action_plans:action_add", args=[writing.organisation.slug, 1])
    recognition = Theme.objects.get(slug="recognition")

    def add(title):
        data = {
            "new-action-title": title,
            "new-action-themes": [recognition.pk],
            "new-action-owner": "Technical Board",
            "new-action-status": ActionStatus.NOT_STARTED,
        }
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url, data, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert 'id="action-plan"' in response.content.decode()
        return len(queries)

    add("Warm-up")
    small = add("With a short plan")  # SMALL + 1 actions before it
    add_actions(writing, lead, SMALL + 2, LARGE)

    assert add("With a long plan") == small
    assert writing.actions.count() == LARGE + 1


def test_the_public_page_does_not_grow_with_the_plan(
    client, lead, submitted_plan, django_assert_num_queries
):
    services.submission_publish(actor=lead, submission=submitted_plan)
    url = reverse("directory:public_organisation", args=[submitted_plan.organisation.slug])
    client.get(url)
    public_changed()  # measure the page as made, not as kept in the cache
    small = _count(client, url)

    add_submitted_actions(submitted_plan, lead, SMALL, LARGE)
    public_changed()  # written straight to the tables: bulk writes tell the cache themselves
    client.get(url)  # the new content's PDF is asked for, as on the small page
    public_changed()
    with django_assert_num_queries(small):
        response = client.get(url)

    html = response.content.decode()
    assert f"Action {LARGE}" in html
    assert sum(len(actions) for _, actions in response.context["by_theme"]) == LARGE + 1
    assert small == PUBLIC_QUERIES
