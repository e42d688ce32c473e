"""The stage page in Chromium: a limited field counts what remains and never cuts; a refused
save comes back at its section with an error summary that takes the focus, on the stage
page's own address, with what was typed; after adding or moving an action, focus is on it.
With JavaScript and without."""

import re

from playwright.sync_api import expect

from action_plans.models import Action
from tests.action_plans.builders import announced_organisation, complete, lead_of, started
from tests.browser.accessibility import assert_no_serious_axe_violations
from tests.browser.sign_in import sign_in_by_cookie

# A real action from a published plan, longer than the 200 characters titles once had.
LONG_TITLE = (
    "Establish a Technician Development Fund, administered by the Technical Staff Forum, to "
    "support technical staff to attend conferences, undertake training and gain professional "
    "registration with the Science Council and other bodies"
)
assert len(LONG_TITLE) > 200


def _stage_page(organisation) -> str:
    return f"/organisations/{organisation.slug}/stages/1/"


def _writing(page):
    """Reduced motion: Playwright waits for smooth scrolling to every field it uses."""
    page.emulate_media(reduced_motion="reduce")
    return page


def _add_form(page):
    return page.locator("#add-action form")


def _fill_action(form, title: str, *, owner: str = "Technical Board"):
    form.get_by_label("Action or objective").fill(title)
    form.get_by_label("Career development", exact=True).check()
    form.get_by_label("Owner").fill(owner)


def _active_element(page) -> dict:
    return page.evaluate(
        """() => {
          const e = document.activeElement;
          return {tag: e.tagName.toLowerCase(), text: e.textContent.trim(),
                  id: e.id, action: (e.closest("li[id^=action-]") || {}).id || null};
        }"""
    )


def test_a_long_title_counts_down_goes_over_and_is_refused_not_cut(page_as):
    organisation = announced_organisation(name="Cardiff Vale University")
    lead = lead_of(organisation)
    started(organisation, lead)
    page = _writing(page_as(lead))
    page.goto(_stage_page(organisation))
    page.wait_for_load_state("load")

    form = _add_form(page)
    title = form.get_by_label("Action or objective")
    counter = form.locator("#id_new-action-title-count")
    expect(counter).to_have_text("500 characters remaining")
    title.press_sequentially("Survey")
    expect(counter).to_have_text("494 characters remaining")
    title.fill(LONG_TITLE)
    expect(counter).to_have_text(f"{500 - len(LONG_TITLE)} characters remaining")

    too_long = LONG_TITLE + " " + "x" * (500 - len(LONG_TITLE) + 3)
    title.fill(too_long)
    expect(counter).to_have_text("4 characters too many")
    expect(title).to_have_value(too_long)  # nothing cut
    # Screen readers hear the count once typing pauses, not at each key.
    expect(form.locator("[aria-live=polite]").first).to_have_text("4 characters too many")
    expect(title).to_have_attribute("aria-describedby", re.compile(r"id_new-action-title_helptext"))
    expect(page.locator("#id_new-action-title_helptext")).to_contain_text("Up to 500 characters.")

    form.get_by_label("Career development", exact=True).check()
    form.get_by_label("Owner").fill("Technical Board")
    form.get_by_role("button", name="Add the action").click()

    summary = page.locator("#add-action .error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    message = "Action or objective must be 500 characters or fewer (it has 504)."
    expect(summary.get_by_role("link")).to_have_text([message])
    expect(_add_form(page).get_by_label("Action or objective")).to_have_value(too_long)
    assert Action.objects.count() == 0
    assert_no_serious_axe_violations(page)

    # The link takes the person to the field, to shorten it.
    summary.get_by_role("link", name=message).click()
    expect(_add_form(page).get_by_label("Action or objective")).to_be_focused()
    _add_form(page).get_by_label("Action or objective").fill(LONG_TITLE)
    _add_form(page).get_by_role("button", name="Add the action").click()
    expect(page.locator("#action-plan").get_by_role("status")).to_have_text(
        f"Added “{LONG_TITLE}”."
    )
    assert list(Action.objects.values_list("title", flat=True)) == [LONG_TITLE]


def test_a_refused_section_save_shows_a_focused_summary_on_the_stage_page(page_as):
    organisation = announced_organisation(name="Cardiff Vale University")
    lead = lead_of(organisation)
    submission = started(organisation, lead)
    page = _writing(page_as(lead))
    page.goto(_stage_page(organisation))

    section = page.locator("#self-assessment")
    section.get_by_label("Institutional lead").fill("Priya Shah")
    section.get_by_label("Lead's email").fill("priya.shah at cardiff")
    section.get_by_label("Organisation profile").fill("Four hundred technicians.")
    section.get_by_role("button", name="Save the self-assessment").click()

    expect(page).to_have_url(re.compile(rf"{_stage_page(organisation)}#self-assessment$"))
    summary = section.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(["Enter a valid email address."])
    expect(section.get_by_label("Organisation profile")).to_have_value("Four hundred technicians.")
    expect(section.get_by_label("Lead's email")).to_have_value("priya.shah at cardiff")
    box = summary.bounding_box()
    assert 0 <= box["y"] < 900, "the summary is in view"
    assert_no_serious_axe_violations(page)

    # Reloading asks nothing and shows the page as stored.
    page.reload()
    expect(page.locator(".error-summary")).to_have_count(0)
    submission.refresh_from_db()
    assert submission.self_assessment.profile == ""


def test_without_javascript_a_refused_save_comes_back_on_the_stage_page(
    context_without_javascript, live_url
):
    organisation = announced_organisation(name="Cardiff Vale University")
    lead = lead_of(organisation)
    started(organisation, lead)
    sign_in_by_cookie(context_without_javascript, lead, url=live_url)
    page = _writing(context_without_javascript.new_page())
    page.goto(_stage_page(organisation))

    form = _add_form(page)
    too_long = "y" * 501
    _fill_action(form, too_long, owner="")
    with page.expect_navigation():
        form.get_by_role("button", name="Add the action").click()

    expect(page).to_have_url(re.compile(rf"{_stage_page(organisation)}#add-action$"))
    summary = page.locator("#add-action .error-summary")
    expect(summary.get_by_role("link")).to_have_text(
        [
            "Action or objective must be 500 characters or fewer (it has 501).",
            "Owner: this field is required.",
        ]
    )
    expect(_add_form(page).get_by_label("Action or objective")).to_have_value(too_long)
    expect(page.locator(".limit-count")).to_have_count(0)  # portal.js never ran
    expect(page.locator("#id_new-action-title_helptext")).to_contain_text("Up to 500 characters.")

    form = _add_form(page)
    form.get_by_label("Action or objective").fill("Survey every technician")
    form.get_by_label("Owner").fill("Technical Board")
    with page.expect_navigation():
        form.get_by_role("button", name="Add the action").click()
    action = Action.objects.get()
    expect(page).to_have_url(re.compile(rf"{_stage_page(organisation)}#action-{action.pk}$"))
    expect(page.locator(".error-summary")).to_have_count(0)


def test_after_adding_or_moving_an_action_focus_is_on_that_action(page_as):
    organisation = announced_organisation(name="Cardiff Vale University")
    lead = lead_of(organisation)
    complete(started(organisation, lead), lead)  # four actions
    page = _writing(page_as(lead))
    page.goto(_stage_page(organisation))
    page.wait_for_load_state("load")

    _fill_action(_add_form(page), "Publish a technician careers map")
    _add_form(page).get_by_role("button", name="Add the action").click()
    expect(page.locator("#action-plan").get_by_role("status")).to_have_text(
        "Added “Publish a technician careers map”."
    )
    added = Action.objects.get(title="Publish a technician careers map")
    new_heading = page.locator(f"#action-{added.pk} h3")
    expect(new_heading).to_be_focused()
    assert _active_element(page)["action"] == f"action-{added.pk}"
    # The next Tab is the new action's own first control, not the top of the plan.
    page.keyboard.press("Tab")
    expect(
        page.locator(f"#action-{added.pk}").get_by_role("link", name=re.compile("^Edit"))
    ).to_be_focused()

    move_up = page.get_by_role("button", name="Move up Publish a technician careers map")
    move_up.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#action-plan").get_by_role("status")).to_have_text(
        "Moved “Publish a technician careers map” up."
    )
    expect(
        page.get_by_role("button", name="Move up Publish a technician careers map")
    ).to_be_focused()
    assert _active_element(page)["action"] == f"action-{added.pk}"
    # Pressing again keeps moving the same action up.
    page.keyboard.press("Enter")
    expect(page.locator("#action-plan").get_by_role("status")).to_have_text(
        "Moved “Publish a technician careers map” up."
    )
    titles = page.locator("#action-plan .action-list > li h3")
    expect(titles.nth(2)).to_have_text("3. Publish a technician careers map")
    expect(
        page.get_by_role("button", name="Move up Publish a technician careers map")
    ).to_be_focused()
