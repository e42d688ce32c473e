"""An institutional lead writes Stage 1 in the browser, submits it and publishes the plan.

Also: leaving a section with unsaved changes asks first, and the action plan can
be written with JavaScript switched off."""

import re

from playwright.sync_api import expect
from weasyprint import HTML

from tests.action_plans.builders import announced_organisation, lead_of, started
from tests.browser.accessibility import assert_no_serious_axe_violations
from tests.browser.conftest import ARTIFACTS
from tests.browser.sign_in import sign_in_by_cookie, sign_in_with_password

THEMES = ["Visibility", "Recognition", "Career development", "Sustainability"]
ACTIONS = {
    "Visibility": "Name technicians on every research paper",
    "Recognition": "Add technician categories to the annual awards",
    "Career development": "Fund a technical apprenticeship each year",
    "Sustainability": "Plan succession for every specialist role",
}
EDITED = "Name technicians on every paper and grant"
PROFILE = (
    "A research-intensive university in the Midlands with four hundred technicians "
    "across its laboratories, workshops and studios."
)


def _without_smooth_scrolling(page):
    """Bootstrap scrolls smoothly unless motion is reduced; Playwright then waits for
    every field it scrolls to. A person who asks for reduced motion sees the same page."""
    page.emulate_media(reduced_motion="reduce")
    return page


def _stage_page(organisation) -> str:
    return f"/organisations/{organisation.slug}/stages/1/"


def _plan(page):
    return page.locator("#action-plan")


def _action_titles(page):
    return _plan(page).locator(".action-list > li h3")


def _add_action_form(page):
    return _plan(page).locator("form").filter(has=page.get_by_role("button", name="Add the action"))


def _a_small_pdf(path):
    HTML(string="<h1>Technician survey 2025</h1><p>180 technicians answered.</p>").write_pdf(path)
    return path


def _start_stage_one(page, organisation):
    page.get_by_role("link", name="Open your stages").click()
    expect(page).to_have_url(f"/organisations/{organisation.slug}/stages/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Self-assessments and action plans")
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="Start Stage 1").click()
    expect(page).to_have_url(_stage_page(organisation))
    expect(page.get_by_role("status")).to_contain_text("Stage 1 is open for writing.")


def _write_the_self_assessment(page):
    section = page.locator("#self-assessment")
    section.get_by_label("Institutional lead").fill("Priya Shah")
    section.get_by_label("Lead's email").fill("priya.shah@example.ac.uk")
    profile = section.get_by_label("Organisation profile")
    counter = section.locator("#id_profile-count")
    expect(counter).to_have_text("250 words remaining")
    profile.press_sequentially("A research university")
    expect(counter).to_have_text("247 words remaining")
    profile.fill(PROFILE)
    expect(counter).to_have_text("234 words remaining")
    section.get_by_label("Your definition of a technician").fill(
        "Everyone whose role is mainly technical."
    )
    section.get_by_label("Your position before signing").fill(
        "Technicians were rarely named in reports."
    )
    section.get_by_label("Progress since signing").fill("A technician network meets monthly.")
    section.get_by_role("button", name="Save the self-assessment").click()
    expect(page.get_by_role("status")).to_have_text("Self-assessment saved.")
    expect(section.get_by_label("Organisation profile")).to_have_value(PROFILE)


def _assess_the_themes(page):
    for theme in THEMES:
        card = page.locator(f"#theme-{theme.lower().replace(' ', '-')}")
        card.get_by_label("Narrative").fill(f"Where we stand on {theme.lower()}.")
        card.get_by_role("radio", name=re.compile(r"^Developing:")).check()
        card.get_by_role("button", name=f"Save {theme}").click()
        expect(page.get_by_role("status")).to_have_text(f"{theme} saved.")
        expect(card.get_by_role("radio", name=re.compile(r"^Developing:"))).to_be_checked()


def _add_actions_in_place(page):
    """Each action goes in through the htmx form; the page itself never reloads."""
    # htmx wires the forms up once the page has loaded; a person is never faster than that.
    page.wait_for_load_state("load")
    # A full page load would wipe this; an htmx swap keeps it.
    page.evaluate("() => { window.__marker = 1; }")
    for number, theme in enumerate(THEMES, start=1):
        form = _add_action_form(page)
        form.get_by_label("Action or objective").fill(ACTIONS[theme])
        form.get_by_label(theme, exact=True).check()
        form.get_by_label("Owner").fill("Technical Board")
        form.get_by_label("Success measures or outputs").fill("Reported each year.")
        form.get_by_role("button", name="Add the action").click()
        heading = f"Action plan ({number} action{'s' if number > 1 else ''})"
        expect(_plan(page).get_by_role("heading", level=2)).to_have_text(heading)
        expect(_plan(page).get_by_role("status")).to_have_text(f"Added “{ACTIONS[theme]}”.")
        # Keyboard and screen reader users are taken to the action they added.
        expect(_action_titles(page).last).to_be_focused()
        # The form is blank again for the next action.
        expect(_add_action_form(page).get_by_label("Action or objective")).to_have_value("")
    expect(_action_titles(page)).to_have_text(
        [f"{n}. {ACTIONS[theme]}" for n, theme in enumerate(THEMES, start=1)]
    )
    assert page.evaluate("() => window.__marker") == 1


def _reorder_and_edit_in_place(page):
    last = ACTIONS["Sustainability"]
    _plan(page).get_by_role("button", name=f"Move up {last}").click()
    expect(_plan(page).get_by_role("status")).to_have_text(f"Moved “{last}” up.")
    expect(_plan(page).get_by_role("button", name=f"Move up {last}")).to_be_focused()
    expect(_action_titles(page)).to_have_text(
        [
            f"1. {ACTIONS['Visibility']}",
            f"2. {ACTIONS['Recognition']}",
            f"3. {last}",
            f"4. {ACTIONS['Career development']}",
        ]
    )

    # Edit swaps a form into the action; a mistake keeps it there, with the error.
    _plan(page).get_by_role("link", name=f"Edit {ACTIONS['Visibility']}").click()
    form = _plan(page).locator(".action-edit form")
    expect(form.get_by_label("Action or objective")).to_have_value(ACTIONS["Visibility"])
    expect(
        _plan(page).get_by_role("heading", name=f"Edit: {ACTIONS['Visibility']}")
    ).to_be_focused()
    assert_no_serious_axe_violations(page)
    form.get_by_label("Action or objective").fill("")
    form.get_by_role("button", name="Save the action").click()
    # The error summary heads the form and takes the focus; the field says it too.
    expect(form.locator(".error-summary")).to_be_focused()
    expect(form.locator(".error-summary").get_by_role("link")).to_have_text(
        ["Action or objective: this field is required."]
    )
    expect(form.locator(".invalid-feedback")).to_have_text(
        "Action or objective: this field is required."
    )
    expect(_plan(page).locator(".action-edit")).to_have_count(1)
    form.get_by_label("Action or objective").fill(EDITED)
    target = form.get_by_role("group", name="Target date")
    target.get_by_label("How precise").select_option(label="A month")
    target.get_by_label("Month").select_option(label="July")
    target.get_by_label("Year").fill("2026")
    form.get_by_role("button", name="Save the action").click()
    expect(_plan(page).get_by_role("status")).to_have_text(f"Saved “{EDITED}”.")
    expect(_plan(page).get_by_role("link", name=f"Edit {EDITED}")).to_be_focused()
    expect(page.locator("#action-plan")).to_have_count(1)
    expect(_plan(page).locator(".action-edit")).to_have_count(0)
    expect(_action_titles(page).first).to_have_text(f"1. {EDITED}")
    expect(_plan(page).locator(".action-list > li").first).to_contain_text("target: by July 2026")
    assert page.evaluate("() => window.__marker") == 1


def _add_evidence_and_a_file(page, upload):
    voice = page.locator("#technician-voice")
    voice.get_by_role("combobox", name=re.compile(r"^Method\*?$")).select_option(label="Survey")
    voice.get_by_label("When").fill("2025-03-01")
    voice.get_by_label("How many took part").fill("180")
    voice.get_by_label("What was done").fill("An all-technician survey.")
    voice.get_by_label("What changed because of it").fill("Career pathways came first.")
    voice.get_by_role("button", name="Add the evidence").click()
    expect(page.get_by_role("status")).to_have_text("Technician voice evidence added.")
    expect(voice.get_by_role("heading", level=3).first).to_have_text(
        "Survey · 1 March 2025 · 180 took part"
    )

    attachments = page.locator("#attachments")
    attachments.get_by_label("File").set_input_files(upload)
    attachments.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status")).to_have_text(f"Attached {upload.name}.")
    expect(attachments.get_by_role("link", name=upload.name)).to_be_visible()
    expect(attachments).to_contain_text("PDF document")


def _check_and_submit(page, organisation):
    page.get_by_role("link", name="Check and submit").click()
    expect(page).to_have_url(f"/organisations/{organisation.slug}/stages/1/submit/")
    expect(page.get_by_role("heading", level=2)).to_have_text("Ready to submit")
    assert_no_serious_axe_violations(page)
    page.get_by_role("checkbox", name=re.compile(r"^I confirm this self-assessment")).check()
    page.get_by_role("button", name="Submit Stage 1").click()
    expect(page).to_have_url(_stage_page(organisation))
    expect(page.get_by_role("status")).to_have_text("Stage 1 is submitted. ITSS have been told.")
    expect(page.get_by_role("heading", name=re.compile(r"^Submitted"))).to_be_visible()
    expect(page.locator(".hash")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))


def test_lead_writes_submits_and_publishes_stage_one(page, new_context, tmp_path):
    organisation = announced_organisation(name="University of Aston Vale")
    lead = lead_of(organisation)
    upload = _a_small_pdf(tmp_path / "technician-survey.pdf")

    _without_smooth_scrolling(page)
    sign_in_with_password(page, lead.email)
    expect(page).to_have_url(f"/organisations/{organisation.slug}/workspace/")
    _start_stage_one(page, organisation)

    _write_the_self_assessment(page)
    _assess_the_themes(page)
    _add_actions_in_place(page)
    _reorder_and_edit_in_place(page)
    _add_evidence_and_a_file(page, upload)
    expect(page.get_by_text("Everything the check asks for is here.")).to_be_visible()
    assert_no_serious_axe_violations(page)

    _check_and_submit(page, organisation)
    page.get_by_role("button", name="Publish the action plan").click()
    expect(page.get_by_role("status")).to_have_text(
        "Your action plan is now on your public organisation page."
    )
    expect(page.locator("#publish")).to_contain_text("Published on your public organisation page")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "submission-journey-stage.png", full_page=True)

    page.get_by_role("link", name="Stages", exact=True).click()
    past = page.get_by_role("table", name="Stages already submitted")
    expect(past.get_by_role("row", name=re.compile(r"^Stage 1 "))).to_contain_text("Published")
    assert_no_serious_axe_violations(page)

    public = new_context().new_page()
    response = public.goto(f"/organisations/{organisation.slug}/")
    assert response.status == 200
    expect(public.get_by_role("heading", level=1)).to_have_text("University of Aston Vale")
    plan = public.locator("section[aria-labelledby=plan-title]")
    expect(plan).to_contain_text("Stage 1, submitted")
    expect(plan.get_by_role("heading", level=3)).to_have_text(THEMES)
    published = {**ACTIONS, "Visibility": EDITED}
    for theme in THEMES:
        under = plan.get_by_role("heading", name=theme, exact=True).locator(
            "xpath=following-sibling::*[1]"
        )
        expect(under.get_by_role("heading", level=4)).to_have_text(
            [re.compile(rf"\d+\. {re.escape(published[theme])}")]
        )
    assert_no_serious_axe_violations(public)
    public.screenshot(path=ARTIFACTS / "submission-journey-public.png", full_page=True)


def test_leaving_with_unsaved_changes_asks_first(page_as):
    organisation = announced_organisation(name="University of Aston Vale")
    lead = lead_of(organisation)
    started(organisation, lead)
    page = _without_smooth_scrolling(page_as(lead))
    dialogs = []

    def on_dialog(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(_stage_page(organisation))
    profile = page.get_by_label("Organisation profile")
    profile.press_sequentially("Not saved yet")

    with page.expect_event("dialog"):
        page.get_by_role("link", name="Stages", exact=True).click()
    assert dialogs == ["beforeunload"]
    expect(page).to_have_url(_stage_page(organisation))
    expect(profile).to_have_value("Not saved yet")

    page.get_by_role("button", name="Save the self-assessment").click()
    expect(page.get_by_role("status")).to_have_text("Self-assessment saved.")
    page.get_by_role("link", name="Stages", exact=True).click()
    expect(page).to_have_url(f"/organisations/{organisation.slug}/stages/")
    assert dialogs == ["beforeunload"]


def test_the_plan_can_be_written_without_javascript(context_without_javascript, live_url):
    organisation = announced_organisation(name="University of Aston Vale")
    lead = lead_of(organisation)
    started(organisation, lead)
    sign_in_by_cookie(context_without_javascript, lead, url=live_url)
    page = _without_smooth_scrolling(context_without_javascript.new_page())

    page.goto(_stage_page(organisation))
    expect(page.locator(".limit-count")).to_have_count(0)  # portal.js never ran
    for title in ("Survey every technician", "Publish a technician careers map"):
        form = _add_action_form(page)
        form.get_by_label("Action or objective").fill(title)
        form.get_by_label("Career development", exact=True).check()
        form.get_by_label("Owner").fill("Technical Board")
        with page.expect_navigation():
            form.get_by_role("button", name="Add the action").click()
        expect(page.get_by_role("status")).to_have_text(f"Added “{title}”.")
    expect(page).to_have_url(re.compile(rf"{_stage_page(organisation)}#action-\d+$"))
    expect(_action_titles(page)).to_have_text(
        ["1. Survey every technician", "2. Publish a technician careers map"]
    )

    with page.expect_navigation():
        _plan(page).get_by_role("button", name="Move up Publish a technician careers map").click()
    expect(page.get_by_role("status")).to_have_text("Moved “Publish a technician careers map” up.")
    expect(_action_titles(page)).to_have_text(
        ["1. Publish a technician careers map", "2. Survey every technician"]
    )
    page.reload()
    expect(_action_titles(page)).to_have_text(
        ["1. Publish a technician careers map", "2. Survey every technician"]
    )
