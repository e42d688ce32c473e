"""A lead gives an action a target as precise as the plan ("by January 2028"), with
milestones, in Chromium with and without JavaScript; records progress once the plan is
submitted and sees the action's current status everywhere it is shown."""

import pytest
from playwright.sync_api import expect

from action_plans import services
from action_plans.enums import ActionStatus, DatePrecision
from action_plans.models import Action
from tests.action_plans.builders import announced_organisation, complete, lead_of, started
from tests.browser.accessibility import assert_no_serious_axe_violations
from tests.browser.sign_in import sign_in_by_cookie

TITLE = "Fund professional registration for every technician who asks"


def _reduced_motion(page):
    page.emulate_media(reduced_motion="reduce")
    return page


def _add_an_action_by_month(page, organisation, *, check_accessibility: bool):
    page.goto(f"/organisations/{organisation.slug}/stages/1/")
    form = page.locator("#action-plan form").filter(
        has=page.get_by_role("button", name="Add the action")
    )
    form.get_by_label("Action or objective").fill(TITLE)
    form.get_by_label("Description").fill("Ask each department.\nThen pay the fees.")
    form.get_by_role("checkbox", name="Recognition").check()
    form.get_by_label("Owner").fill("Technical Services Board")
    target = form.get_by_role("group", name="Target date")
    target.get_by_label("How precise").select_option(label="A month")
    target.get_by_label("Month").select_option(label="January")
    target.get_by_label("Year").fill("2028")
    form.get_by_label("Milestones").fill(
        "Proposal: by end of Jan 2027\nDelivery: October–December 2027"
    )
    if check_accessibility:  # axe runs as a script in the page
        assert_no_serious_axe_violations(page)
    form.get_by_role("button", name="Add the action").click()


def _shows_the_target_as_given(page):
    action = page.locator("#action-plan .action").filter(has_text=TITLE)
    expect(action).to_contain_text("target: by January 2028")
    expect(action).to_contain_text("Proposal: by January 2027")
    expect(action).to_contain_text("Delivery: by October–December 2027")
    expect(action.locator(".action-text").first).to_have_text(
        "Ask each department.\nThen pay the fees.", use_inner_text=True
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["with javascript", "without"])
def test_a_lead_gives_a_target_by_month_with_milestones(
    javascript, browser, new_context, context_without_javascript, live_url
):
    organisation = announced_organisation()
    lead = lead_of(organisation)
    started(organisation, lead)
    context = new_context() if javascript else context_without_javascript
    sign_in_by_cookie(context, lead, url=live_url)
    page = _reduced_motion(context.new_page())

    _add_an_action_by_month(page, organisation, check_accessibility=javascript)

    _shows_the_target_as_given(page)
    action = Action.objects.get(title=TITLE)
    assert (str(action.target_on), action.target_precision) == ("2028-01-31", DatePrecision.MONTH)
    assert [str(m) for m in action.milestones.all()] == [
        "Proposal: by January 2027",
        "Delivery: by October–December 2027",
    ]


def test_after_progress_the_stage_page_shows_the_current_status(page_as):
    organisation = announced_organisation()
    lead = lead_of(organisation)
    submission = complete(started(organisation, lead), lead)
    services.submission_submit(actor=lead, submission=submission, confirmed=True)
    page = _reduced_motion(page_as(lead))
    page.goto(f"/organisations/{organisation.slug}/stages/1/")
    first = page.locator("#action-plan .action-list > li").first
    expect(first.locator(".action-head .status-badge")).to_have_text("Not started")

    first.locator("summary").click()
    first.get_by_label("Status").select_option(label="Done")
    first.get_by_label("Progress note").fill("Every department took part.")
    first.get_by_role("button", name="Record progress").click()

    first = page.locator("#action-plan .action-list > li").first
    expect(first.locator(".action-head .status-badge")).to_have_text("Done")
    expect(first.locator(".action-progress")).to_contain_text("Every department took part.")
    assert (
        services.selectors.actions_with_current_status()
        .get(pk=submission.actions.first().pk)
        .current_status
        == ActionStatus.DONE
    )
    assert_no_serious_axe_violations(page)
