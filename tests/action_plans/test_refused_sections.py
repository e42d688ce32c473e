"""A section of the stage page refused by validation goes back to the stage page
(post/redirect/get) with what was typed and an error summary; nothing over a limit is cut;
after a change to the plan the page says where focus goes."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from action_plans.enums import ActionStatus
from action_plans.models import Action, Submission, VoiceEvidence
from core.models import Theme
from tests.action_plans.builders import (
    announced_organisation,
    complete,
    lead_of,
    started,
    submitted,
)

pytestmark = pytest.mark.django_db

TITLE_500 = ("Develop and embed a technician career framework across every faculty " * 8)[:500]


@pytest.fixture
def organisation():
    return announced_organisation(name="University of Testshire")


@pytest.fixture
def lead(organisation):
    return lead_of(organisation)


@pytest.fixture
def browser(lead):
    client = Client()
    client.force_login(lead)
    return client


@pytest.fixture
def submission(organisation, lead):
    return started(organisation, lead)


def address(submission, name: str, **kwargs) -> str:
    organisation = submission.organisation
    return reverse(
        f"action_plans:{name}",
        kwargs={"slug": organisation.slug, "number": submission.stage_number, **kwargs},
    )


def new_action(title: str, *, themes=("recognition",), owner: str = "Technical Board") -> dict:
    return {
        "new-action-title": title,
        "new-action-description": "",
        "new-action-themes": [t.pk for t in Theme.objects.filter(slug__in=themes)],
        "new-action-owner": owner,
        "new-action-success_measures": "",
        "new-action-starts_on": "",
        "new-action-status": ActionStatus.NOT_STARTED,
    }


def summary_of(html: str) -> list[tuple[str, str]]:
    """(link target, text) of each entry of the page's error summary."""
    match = re.search(r'<div class="error-summary".*?</ul>', html, re.S)
    assert match, "the page has no error summary"
    return re.findall(r'<li><a href="#([^"]+)">(.*?)</a></li>', match.group(0))


def refused_sections():
    """What each section of the stage page is sent when it must be refused: (address name,
    its keywords, the data, the fragment the page opens at, the field's id, a text typed that
    must come back)."""
    return {
        "self-assessment": (
            "self_assessment",
            lambda s: {},
            lambda s: {
                "version": s.self_assessment.version,
                "lead_name": "Priya Shah",
                "lead_email": "not an address",
                "profile": "Kept as typed.",
            },
            "self-assessment",
            "id_lead_email",
            "Kept as typed.",
        ),
        "theme": (
            "theme",
            lambda s: {"theme": "recognition"},
            lambda s: {
                "theme-recognition-version": s.theme_assessments.get(
                    theme__slug="recognition"
                ).version,
                "theme-recognition-narrative": "Kept as typed.",
                "theme-recognition-rating": "999",
            },
            "theme-recognition",
            "id_theme-recognition-rating_0",
            "Kept as typed.",
        ),
        "action": (
            "action_add",
            lambda s: {},
            lambda s: new_action("Kept as typed.", owner=""),
            "add-action",
            "id_new-action-owner",
            "Kept as typed.",
        ),
        "voice": (
            "voice_add",
            lambda s: {},
            lambda s: {
                "voice-method": "survey",
                "voice-held_on": "2025-03-01",
                "voice-participants": "180",
                "voice-description": "Kept as typed.",
                "voice-what_changed": "",
            },
            "add-evidence",
            "id_voice-what_changed",
            "Kept as typed.",
        ),
        "attachment": (
            "attachment_add",
            lambda s: {},
            lambda s: {},
            "attachments",
            "id_file",
            None,
        ),
    }


REFUSED = refused_sections()


@pytest.mark.parametrize("section", REFUSED)
def test_a_refused_section_goes_back_to_the_stage_page_with_its_errors_and_text(
    browser, submission, section
):
    name, kwargs, data, fragment, field_id, typed = REFUSED[section]
    before = (
        Submission.objects.get(pk=submission.pk).self_assessment.version,
        Action.objects.count(),
        VoiceEvidence.objects.count(),
    )

    response = browser.post(address(submission, name, **kwargs(submission)), data(submission))

    # The address is the stage page's own: reloading it asks nothing.
    assert (response.status_code, response.url) == (
        302,
        f"{submission.get_absolute_url()}#{fragment}",
    )
    page = browser.get(response.url)
    html = page.content.decode()
    assert page.status_code == 200
    entries = summary_of(html)
    assert entries, "the summary lists what to correct"
    assert field_id in [target for target, _ in entries]
    if typed:
        assert typed in html
    # The summary is inside the refused section, ahead of its form.
    section_start = html.index(f'id="{fragment}"')
    assert section_start < html.index('class="error-summary"')
    assert (
        Submission.objects.get(pk=submission.pk).self_assessment.version,
        Action.objects.count(),
        VoiceEvidence.objects.count(),
    ) == before
    # Shown once: the next visit is the page as it is.
    assert (
        'class="error-summary"' not in browser.get(submission.get_absolute_url()).content.decode()
    )


def test_a_refused_save_is_not_shown_to_a_colleague(organisation, lead, browser, submission):
    browser.post(address(submission, "action_add"), new_action("Mine", owner=""))
    colleague = Client()
    colleague.force_login(lead_of(organisation))

    assert "error-summary" not in colleague.get(submission.get_absolute_url()).content.decode()


@pytest.mark.parametrize(("length", "accepted"), [(500, True), (501, False)], ids=["at", "over"])
def test_a_long_title_is_kept_whole_or_refused_with_the_field_and_the_limit(
    browser, submission, length, accepted
):
    title = (TITLE_500 + "s")[:length]

    response = browser.post(address(submission, "action_add"), new_action(title), follow=True)

    html = response.content.decode()
    assert "maxlength" not in html
    if accepted:
        assert list(Action.objects.values_list("title", flat=True)) == [title]
    else:
        assert Action.objects.count() == 0
        assert summary_of(html) == [
            (
                "id_new-action-title",
                "Action or objective must be 500 characters or fewer (it has 501).",
            )
        ]
        assert f'value="{title}"' in html  # kept whole, to shorten


def test_an_action_refused_with_htmx_swaps_the_plan_with_the_summary(browser, submission):
    response = browser.post(
        address(submission, "action_add"), new_action("No owner", owner=""), HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "<html" not in html
    assert summary_of(html) == [("id_new-action-owner", "Owner: this field is required.")]


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_refused_action_edit_keeps_the_edit_page_address_and_the_text(
    browser, submission, lead, htmx
):
    action = complete(submission, lead).actions.first()
    prefix = f"action-{action.pk}"
    data = {
        key.replace("new-action", prefix): value
        for key, value in new_action(TITLE_500 + "!").items()
    }
    edit_page = address(submission, "action_edit", pk=action.pk)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}

    response = browser.post(edit_page, {**data, f"{prefix}-version": action.version}, **headers)

    if htmx:  # swapped in place, inside the plan
        assert response.status_code == 400
        html = response.content.decode()
    else:
        assert (response.status_code, response.url) == (302, edit_page)
        html = browser.get(edit_page).content.decode()
    assert summary_of(html) == [
        (
            f"id_{prefix}-title",
            "Action or objective must be 500 characters or fewer (it has 501).",
        )
    ]
    assert f'value="{TITLE_500}!"' in html
    assert Action.objects.get(pk=action.pk).title == action.title


def test_a_refused_evidence_edit_keeps_the_edit_page_address_and_the_text(
    browser, submission, lead
):
    evidence = complete(submission, lead).voice_evidence.first()
    edit_page = address(submission, "voice_edit", pk=evidence.pk)

    response = browser.post(
        edit_page,
        {
            "version": evidence.version,
            "method": "other",
            "method_other": "",
            "held_on": "2025-03-01",
            "participants": "12",
            "description": "Kept as typed.",
            "what_changed": "Rotas changed.",
        },
    )

    assert (response.status_code, response.url) == (302, edit_page)
    html = browser.get(edit_page).content.decode()
    assert summary_of(html) == [("id_method_other", "Say which other method was used.")]
    assert "Kept as typed." in html
    assert VoiceEvidence.objects.get(pk=evidence.pk).description == evidence.description
    assert "error-summary" not in browser.get(edit_page).content.decode()


# Where focus goes after a change to the plan.


def _marked(html: str) -> list[str]:
    """Each element the page marks to take the focus, as its opening tag's text."""
    return re.findall(r"<(h3|button|a)\b[^>]*\bdata-focus-here\b[^>]*>([^<]*)", html)


def test_after_adding_an_action_with_htmx_focus_goes_to_it(browser, submission, lead):
    complete(submission, lead)

    response = browser.post(
        address(submission, "action_add"), new_action("Technician awards"), HTTP_HX_REQUEST="true"
    )

    assert _marked(response.content.decode()) == [("h3", "5. Technician awards")]


def test_without_javascript_adding_an_action_opens_the_page_at_it(browser, submission):
    response = browser.post(address(submission, "action_add"), new_action("Technician awards"))

    action = Action.objects.get()
    assert response.url == f"{submission.get_absolute_url()}#action-{action.pk}"


@pytest.mark.parametrize(
    ("index", "direction", "control"),
    [
        (2, "up", "Move up"),
        (1, "up", "Move down"),  # now first: its Move up is gone
        (1, "down", "Move down"),
        (2, "down", "Move up"),  # now last: its Move down is gone
    ],
    ids=["up", "up-to-the-top", "down", "down-to-the-bottom"],
)
def test_after_moving_an_action_with_htmx_focus_stays_on_its_button(
    browser, submission, lead, index, direction, control
):
    complete(submission, lead)  # four actions
    moved = list(submission.actions.all())[index]

    response = browser.post(
        address(submission, "action_move", pk=moved.pk),
        {"direction": direction},
        HTTP_HX_REQUEST="true",
    )

    assert _marked(response.content.decode()) == [("button", control)]


def test_after_saving_an_action_with_htmx_focus_goes_back_to_its_edit_link(
    browser, submission, lead
):
    action = complete(submission, lead).actions.first()
    prefix = f"action-{action.pk}"
    data = {
        key.replace("new-action", prefix): value for key, value in new_action("Renamed").items()
    }

    response = browser.post(
        address(submission, "action_edit", pk=action.pk),
        {**data, f"{prefix}-version": action.version},
        HTTP_HX_REQUEST="true",
    )

    assert _marked(response.content.decode()) == [("a", "Edit")]


def test_a_refused_account_of_a_previous_action_comes_back_at_it(browser, organisation, lead):
    submitted(organisation, lead)
    second = started(organisation, lead, 2)
    review = second.previous_action_reviews.first()
    prefix = f"previous-{review.pk}"

    response = browser.post(
        address(second, "previous", pk=review.pk),
        {f"{prefix}-version": review.version, f"{prefix}-note": "Kept as typed."},
    )

    assert response.url == f"{second.get_absolute_url()}#{prefix}"
    html = browser.get(response.url).content.decode()
    assert summary_of(html) == [
        (f"id_{prefix}-outcome_0", "What became of it: this field is required.")
    ]
    assert "Kept as typed." in html
    assert html.index(f'id="{prefix}"') < html.index('class="error-summary"')
