"""Opening any edit page and saving it unchanged changes nothing that is stored.

The pages are found by walking the URL configuration (tests/browser/edit_pages.py): a new
edit page fails ``test_every_edit_page_is_round_tripped`` until it has a case there, or a
stated reason to need none. Each case is saved in Chromium with JavaScript on and off;
the action plan's in-place editing (htmx) is saved unchanged too."""

import pytest
from playwright.sync_api import expect

from action_plans.models import VoiceEvidence
from tests.browser import edit_pages
from tests.browser.edit_pages import CASES, EXCLUDED, EXTRA_CASES, Opened
from tests.browser.sign_in import sign_in_by_cookie

ALL_CASES = {**CASES, **EXTRA_CASES}


def test_every_edit_page_is_round_tripped():
    found = {route.name for route in edit_pages.edit_like_routes()}

    forgotten = sorted(found - set(CASES) - set(EXCLUDED))

    assert forgotten == [], (
        "These routes look like they edit something stored, but the round-trip test "
        "does not open them. Add a case to CASES in tests/browser/edit_pages.py, or "
        f"their reason to need none to EXCLUDED: {forgotten}"
    )


def test_the_registry_names_only_routes_that_exist():
    routes = {route.name for route in edit_pages.all_routes()}

    assert sorted((set(CASES) | set(EXCLUDED)) - routes) == []
    assert set(CASES).isdisjoint(EXCLUDED)


def test_the_walk_finds_a_route_by_its_name_and_by_its_view():
    # The walk itself must see what it is meant to see, or the check above proves nothing.
    found = {route.name: route for route in edit_pages.edit_like_routes()}

    assert found["action_plans:action_edit"].kwargs == {"slug", "number", "pk"}
    assert found["action_plans:self_assessment"].view_name == "self_assessment_save"
    assert "directory:directory" not in found
    assert not any(name.startswith("admin:") for name in found)


@pytest.fixture
def signed_in(browser, new_context, live_url, monkeypatch):
    """A page for ``user`` in a fresh context (only the live server, screenshots on
    failure), with JavaScript on or off."""

    def make(user, *, javascript: bool = True):
        if javascript:
            context = new_context()
        else:
            open_context = browser.new_context
            with monkeypatch.context() as patch:
                patch.setattr(
                    browser,
                    "new_context",
                    lambda **options: open_context(java_script_enabled=False, **options),
                )
                context = new_context()
        sign_in_by_cookie(context, user, url=live_url)
        return context.new_page()

    return make


def _save_unchanged(page, opened: Opened) -> int:
    """Click the save button of the page's form without touching a field; the status
    of the answer to the post."""
    scope = page.locator(f"#{opened.within}") if opened.within else page.locator("main")
    button = scope.get_by_role("button", name=opened.button, exact=True)
    expect(button).to_have_count(1)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        button.click()
    page.wait_for_load_state("load")
    return answer.value.status


@pytest.mark.parametrize(
    "name", [pytest.param(name, marks=case.marks, id=name) for name, case in ALL_CASES.items()]
)
def test_saving_an_edit_page_unchanged_changes_nothing(name, signed_in):
    """Once with JavaScript and once without, on the same stored object."""
    opened = ALL_CASES[name].build()
    for javascript in (True, False):
        how = "with JavaScript" if javascript else "without JavaScript"
        page = signed_in(opened.user, javascript=javascript)
        response = page.goto(opened.path)
        assert response.status == 200, f"{opened.path} answered {response.status} ({how})"
        before = opened.read()

        status = _save_unchanged(page, opened)

        if opened.refused:
            # Shown again with what is missing, not saved and sent on.
            assert status in (200, 400), f"an unchanged post was not refused ({how})"
            assert page.url.endswith(opened.path)
        else:
            assert status in (200, 302), f"the unchanged save was refused: {status} ({how})"
            expect(page.locator(".invalid-feedback, .errorlist")).to_have_count(0)
        assert opened.read() == before, f"saving {opened.path} unchanged changed it ({how})"
        page.context.close()


# The action plan edited in place.


@pytest.mark.parametrize("javascript", [True, False], ids=["in place", "without JavaScript"])
def test_an_action_opened_from_the_plan_and_saved_unchanged_keeps_everything(javascript, signed_in):
    _, lead, submission = edit_pages.lead_with_stage()
    action = edit_pages.rich_action(submission, lead)
    page = signed_in(lead, javascript=javascript)
    page.goto(submission.get_absolute_url())
    page.wait_for_load_state("load")  # htmx has wired the page up
    if javascript:
        page.evaluate("() => { window.__stayed = true; }")  # gone if the page reloads
    before = edit_pages.stored(action)
    plan = page.locator("#action-plan")

    plan.get_by_role("link", name=f"Edit {action.title}").click()
    save = page.get_by_role("button", name="Save the action", exact=True)
    expect(save).to_have_count(1)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        save.click()

    expect(page.get_by_role("status").filter(has_text="Saved").first).to_be_visible()
    assert answer.value.status == (200 if javascript else 302)
    if javascript:
        # Swapped in place: the page itself never reloaded.
        assert page.evaluate("() => window.__stayed") is True
        expect(page.locator("#action-plan .action-edit")).to_have_count(0)
    assert edit_pages.stored(action) == before


def test_a_review_draft_saved_as_typed_then_by_its_button_changes_nothing(signed_in):
    opened = edit_pages.review_draft_page()
    page = signed_in(opened.user)
    page.goto(opened.path)
    page.wait_for_load_state("load")
    before = opened.read()
    strengths = page.get_by_label("Strengths", exact=True)

    # A character typed and taken back: the draft saves itself, unchanged.
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/review/draft/"),
        timeout=15_000,
    ) as autosaved:
        strengths.press("End")
        strengths.press_sequentially("x")
        strengths.press("Backspace")
    assert autosaved.value.status == 200
    assert opened.read() == before
    # The page took the new version, so its own button saves without a conflict.
    status = _save_unchanged(page, opened)
    assert status == 302
    assert opened.read() == before


def test_line_breaks_are_stored_as_they_were(signed_in):
    opened = edit_pages.voice_evidence_edit_page()
    page = signed_in(opened.user)
    page.goto(opened.path)
    evidence = opened.read()[""]
    assert "\n" in evidence["description"]

    _save_unchanged(page, opened)

    assert VoiceEvidence.objects.get(pk=evidence["id"]).description == evidence["description"]
