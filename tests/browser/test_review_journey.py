"""Peer review in the browser: ITSS staff ask the proposed team, three reviewers accept and
review, staff write and release the feedback, and the institution's lead reads it.

Also: no serious or critical WCAG 2.2 A/AA failures (axe-core) on the review pages each
role uses."""

import base64
import re
from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.enums import MembershipRole
from action_plans import services as plan_services
from action_plans.deadlines import uk_datetime
from reviews import services
from reviews.models import Outcome
from tests.action_plans.builders import announced_organisation
from tests.browser.accessibility import assert_no_serious_axe_violations
from tests.browser.sign_in import (
    TOTP_SECRET,
    enter_totp_code,
    sign_in_by_cookie,
    sign_in_with_password,
    with_known_totp,
)
from tests.factories import StaffFactory
from tests.reviews import builders

THEMES = ["Visibility", "Recognition", "Career development", "Sustainability"]
# Each knows one theme best. The portal proposes the three first by name (each covers a
# theme not yet covered) and, none having reviewed before, the first of them as lead.
POOL = {
    "Ana Ruiz": "visibility",
    "Ben Cole": "recognition",
    "Cara Diaz": "career-development",
    "Dev Okafor": "sustainability",
}
PROPOSED = ["Ana Ruiz", "Ben Cole", "Cara Diaz"]
# What each of the team scores every theme and suggests overall.
REVIEWS = {
    "Ana Ruiz": ("Good", "Accepted with recommendations"),
    "Ben Cole": ("Excellent", "Accepted"),
    "Cara Diaz": ("Good", "Accepted with recommendations"),
}
INSTITUTION = "University of Aston Vale"
SUBMISSION = f"{INSTITUTION} · Stage 1"
JUDGEMENT = "A candid plan, shaped with technicians, that the sector can learn from."


def _secret(person: int) -> str:
    """A fixed authenticator secret of one's own (20 bytes, so no base32 padding)."""
    return base64.b32encode(f"review journey {person:05d}".encode()).decode()


def _review_round():
    """The Autumn 2025 round, its reviews due four weeks from today: whatever the clock says,
    the journey happens while the round is open."""
    return builders.review_round(
        review_due_at=uk_datetime(timezone.localdate() + timedelta(weeks=4), time(17, 0))
    )


def _pool() -> dict[str, object]:
    """The four trained reviewers by name, each with an authenticator app."""
    return {
        name: with_known_totp(builders.reviewer(name=name, themes=[theme]), _secret(number))
        for number, (name, theme) in enumerate(POOL.items(), start=1)
    }


def _lead_of(submission):
    return submission.organisation.memberships.get(role=MembershipRole.LEAD).user


def _heading(page):
    return page.get_by_role("heading", level=1)


def _status(page):
    return page.get_by_role("status")


def _navigation(page):
    return page.get_by_role("navigation", name="Main")


def _a_person_at(page):
    """Bootstrap scrolls smoothly unless motion is reduced; Playwright then waits for every
    field it scrolls to. A person who asks for reduced motion sees the same page."""
    page.emulate_media(reduced_motion="reduce")
    return page


def _accepting_confirmations(page) -> list[str]:
    """Answer OK to every dialog the page opens; the list fills with what each asked."""
    asked = []

    def on_dialog(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", on_dialog)
    return asked


def _sign_in_with_two_factors(page, person, secret, *, lands_on: str):
    sign_in_with_password(page, person.email)
    expect(page).to_have_url("/accounts/2fa/authenticate/")
    expect(_heading(page)).to_have_text("Two-factor sign-in")
    enter_totp_code(page, secret)
    expect(page).to_have_url(lands_on)


# The journey ------------------------------------------------------------------------------


def _open_the_round(page):
    # The navigation's link to the review rounds.
    _navigation(page).get_by_role("link", name="Reviews", exact=True).click()
    expect(page).to_have_url("/staff/review-rounds/")
    expect(_heading(page)).to_have_text("Review rounds")
    page.get_by_role("table", name="Review rounds, newest first").get_by_role(
        "link", name="Autumn 2025"
    ).click()
    expect(_heading(page)).to_have_text("Autumn 2025")


def _submission_row(page):
    table = page.get_by_role("table", name="Submissions in Autumn 2025 and their reviewers")
    return table.get_by_role("row").filter(has_text=INSTITUTION)


def _staff_ask_the_proposed_team(page, review_round):
    _open_the_round(page)
    expect(page).to_have_url(review_round.get_absolute_url())
    short = page.get_by_role("region", name="Without a full team (1)")
    expect(short).to_contain_text(f"{SUBMISSION}: 3 places open")
    expect(_submission_row(page)).to_contain_text("Nobody yet")

    _submission_row(page).get_by_role("link", name=f"Team of {SUBMISSION}").click()
    expect(_heading(page)).to_have_text(f"Review team: {SUBMISSION}")
    expect(page.get_by_role("heading", name="The team (0 of 3)")).to_be_visible()
    expect(page.get_by_text("Nobody has been asked yet.")).to_be_visible()
    expect(page.get_by_role("heading", name="Ask 3 more")).to_be_visible()
    expect(page.get_by_text("The portal proposes Ana Ruiz, Ben Cole, Cara Diaz")).to_be_visible()
    reviewers = page.get_by_role("group", name=re.compile(r"^Reviewers"))
    for name in PROPOSED:
        expect(reviewers.get_by_role("checkbox", name=name)).to_be_checked()
    expect(reviewers.get_by_role("checkbox", name="Dev Okafor")).not_to_be_checked()
    expect(
        page.get_by_role("group", name="Lead reviewer").get_by_role("radio", name="Ana Ruiz")
    ).to_be_checked()

    page.get_by_role("button", name="Ask these reviewers").click()
    expect(page).to_have_url(review_round.get_absolute_url())
    expect(_status(page)).to_have_text("3 reviewers asked.")
    expect(page.get_by_role("region", name=re.compile(r"^Without a full team"))).to_have_count(0)
    team = _submission_row(page).get_by_role("listitem")
    expect(team).to_have_text(
        [
            "Ana Ruiz (lead) Awaiting reply",
            "Ben Cole Awaiting reply",
            "Cara Diaz Awaiting reply",
        ]
    )


def _reviewer_reviews(page, name: str):
    level, outcome = REVIEWS[name]
    _navigation(page).get_by_role("link", name="Your reviews").click()
    expect(_heading(page)).to_have_text("Your reviews")
    to_do = page.get_by_role("table", name="Reviews to reply to or write")
    row = to_do.get_by_role("row").filter(has_text=INSTITUTION)
    expect(row).to_contain_text("Awaiting reply")
    row.get_by_role("link", name=f"{INSTITUTION}, Stage 1").click()
    _reviewer_declares_no_conflict_and_accepts(page, first=name == PROPOSED[0])

    review = page.get_by_role("region", name="Your review")
    if name == PROPOSED[0]:
        _the_draft_saves_as_the_reviewer_types(page, review)
    for theme in THEMES:
        part = review.get_by_role("group", name=theme, exact=True)
        part.get_by_role("radio", name=re.compile(rf"^{level}:")).check()
        part.get_by_label(f"Comment on {theme}").fill(f"Clear, owned actions on {theme.lower()}.")
    review.get_by_label("Strengths", exact=True).fill("A technician network that shapes policy.")
    review.get_by_label("Areas to develop", exact=True).fill("Career pathways for specialists.")
    review.get_by_label("Recommendations", exact=True).fill("Publish the pathways by 2027.")
    review.get_by_role("group", name="Suggested outcome").get_by_role(
        "radio", name=outcome, exact=True
    ).check()

    asked = _accepting_confirmations(page)
    review.get_by_role("button", name="Submit the review").click()
    expect(_status(page)).to_have_text("Review submitted. Thank you.")
    assert asked == ["Submit your review? It cannot be changed afterwards."]
    expect(_heading(page)).to_have_text(f"Review: {INSTITUTION}, Stage 1 Review submitted")
    expect(review).to_contain_text(f"Suggested outcome: {outcome}.")
    expect(review.get_by_role("heading", level=3)).to_have_text(
        [f"{theme}: {level}" for theme in THEMES]
        + ["Strengths", "Areas to develop", "Recommendations"]
    )


def _reviewer_declares_no_conflict_and_accepts(page, *, first: bool):
    """Before replying: the organisation, stage and round, not the submission."""
    expect(_heading(page)).to_have_text(f"Will you review {INSTITUTION}, Stage 1? Awaiting reply")
    expect(page.locator("#main")).to_contain_text("Autumn 2025")
    expect(page.get_by_role("heading", name=re.compile(r"^Action plan"))).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile(r"^Download the submission"))).to_have_count(0)
    declaration = page.get_by_label("I have no conflict of interest with this organisation")
    if first:
        page.get_by_role("button", name="Accept the review").click()
        expect(
            page.locator("#main").get_by_text("Tick to confirm you have no conflict of interest")
        ).not_to_have_count(0)
        expect(_heading(page)).to_contain_text("Awaiting reply")

    declaration.check()
    page.get_by_role("button", name="Accept the review").click()
    expect(_status(page)).to_have_text(
        "Thank you: the review is yours. Save your draft at any time with “Save draft”; "
        "in a browser running scripts it is also saved a few seconds after you stop typing."
    )
    expect(_heading(page)).to_have_text(f"Review: {INSTITUTION}, Stage 1 Accepted")
    expect(page.get_by_role("heading", name=re.compile(r"^Action plan"))).to_be_visible()


def _the_draft_saves_as_the_reviewer_types(page, review):
    """Typing, then a pause: the draft is saved without pressing a button, and is there
    when the page is opened again."""
    saved = page.locator("#draft-status")
    review.get_by_label("Strengths", exact=True).fill("A technician network (draft).")
    # It saves two seconds after the typing stops; the save itself may be slow on a busy
    # machine, so the page is given longer than the default five seconds to say so.
    expect(saved).to_have_text(re.compile(r"^Draft saved at \d\d:\d\d\.$"), timeout=15_000)
    page.reload()
    expect(review.get_by_label("Strengths", exact=True)).to_have_value(
        "A technician network (draft)."
    )


def _staff_write_and_release_the_feedback(page):
    _open_the_round(page)
    expect(page.get_by_role("list", name="Progress of the round")).to_contain_text(
        "3 reviews submitted"
    )
    row = _submission_row(page)
    expect(row).to_contain_text("3 of 3")
    expect(row).to_contain_text("Ready to write")

    row.get_by_role("link", name=f"Reviews and feedback of {SUBMISSION}").click()
    expect(_heading(page)).to_have_text(f"Reviews and feedback: {SUBMISSION}")
    expect(page.get_by_text("Autumn 2025 · 3 of 3 reviews submitted.")).to_be_visible()
    side_by_side = page.get_by_role("region", name="The reviews side by side")
    expect(side_by_side.get_by_role("heading", level=3)).to_have_text(
        ["Ana Ruiz (lead)", "Ben Cole", "Cara Diaz"]
    )

    page.get_by_role("button", name="Start the feedback from the reviews").click()
    feedback = page.get_by_role("region", name=re.compile(r"^Consolidated feedback"))
    expect(feedback.get_by_role("heading", level=2)).to_have_text("Consolidated feedback Draft")
    # Started from the reviews: the outcome most suggested, and their words.
    expect(
        feedback.get_by_role("radio", name="Accepted with recommendations", exact=True)
    ).to_be_checked()
    expect(feedback.get_by_label("Strengths", exact=True)).to_have_value(
        re.compile(r"^A technician network that shapes policy\.")
    )
    expect(feedback.get_by_text("Before releasing, add the overall judgement.")).to_be_visible()

    feedback.get_by_label("Overall judgement").fill(JUDGEMENT)
    feedback.get_by_role("button", name="Save the feedback").click()
    expect(_status(page)).to_have_text("Feedback saved.")
    expect(feedback.get_by_label("Overall judgement")).to_have_value(JUDGEMENT)
    expect(feedback.get_by_text("Before releasing")).to_have_count(0)

    asked = _accepting_confirmations(page)
    feedback.get_by_role("button", name="Release the feedback").click()
    expect(_status(page)).to_have_text(f"Feedback released to {INSTITUTION}.")
    assert asked == [f"Release this feedback to {INSTITUTION}? It cannot be changed afterwards."]
    expect(feedback.get_by_role("heading", level=2)).to_have_text("Consolidated feedback Released")
    expect(feedback).to_contain_text("by Alex Morgan. Outcome: Accepted with recommendations.")
    expect(feedback.get_by_role("button", name="Release the feedback")).to_have_count(0)


def _feedback_link(mailoutbox, lead) -> str:
    """The address in the email telling the lead the feedback is out, as a path."""
    (released,) = [m for m in mailoutbox if lead.email in m.to and "feedback" in m.body]
    return re.search(r"https?://[^/\s]+(/organisations/\S+/feedback/)", released.body).group(1)


def _lead_reads_the_feedback(page, lead, submission, mailoutbox):
    sign_in_with_password(page, lead.email)
    expect(page).to_have_url(f"/organisations/{submission.organisation.slug}/workspace/")

    page.goto(_feedback_link(mailoutbox, lead))
    expect(page).to_have_url(f"/organisations/{submission.organisation.slug}/stages/1/feedback/")
    expect(_heading(page)).to_have_text("Peer review feedback: Stage 1")
    expect(page.locator("#main p.lead")).to_contain_text("Outcome: Accepted with recommendations.")
    expect(page.get_by_text("(Autumn 2025)")).to_be_visible()
    expect(page.get_by_role("region", name="Overall judgement")).to_contain_text(JUDGEMENT)
    by_theme = page.get_by_role("region", name="Feedback by theme")
    expect(by_theme.get_by_role("heading", level=3)).to_have_text(THEMES)
    expect(by_theme).to_contain_text("Clear, owned actions on visibility.")
    report = page.get_by_role("link", name=re.compile(r"^Download the feedback report"))
    expect(report).to_be_visible()
    shown = page.locator("body").inner_text()
    for name in POOL:
        assert name not in shown


def test_a_submission_is_reviewed_and_its_feedback_released(new_context, mailoutbox):
    review_round = _review_round()
    submission = builders.submitted_stage(INSTITUTION)
    reviewers = _pool()
    staff = with_known_totp(StaffFactory(name="Alex Morgan"))

    staff_page = _a_person_at(new_context().new_page())
    _sign_in_with_two_factors(staff_page, staff, TOTP_SECRET, lands_on="/staff/pipeline/")
    _staff_ask_the_proposed_team(staff_page, review_round)

    for number, name in enumerate(POOL, start=1):
        if name not in PROPOSED:
            continue
        page = _a_person_at(new_context().new_page())
        _sign_in_with_two_factors(page, reviewers[name], _secret(number), lands_on="/reviews/")
        _reviewer_reviews(page, name)

    _staff_write_and_release_the_feedback(staff_page)

    lead_page = _a_person_at(new_context().new_page())
    _lead_reads_the_feedback(lead_page, _lead_of(submission), submission, mailoutbox)


# Accessibility ----------------------------------------------------------------------------


def _check_every_page(page, pages) -> None:
    """Open each (address, heading) and run axe on it; report every page's failures at once."""
    failures = []
    for address, heading in pages:
        response = page.goto(address)
        assert response.status == 200, address
        expect(_heading(page)).to_have_text(heading)
        try:
            assert_no_serious_axe_violations(page)
        except pytest.fail.Exception as failure:
            failures.append(str(failure))
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)


def test_staff_review_pages_have_no_serious_accessibility_violations(page_as):
    review_round = _review_round()
    reviewed = builders.submitted_stage(INSTITUTION)
    waiting = builders.submitted_stage("Brackley Institute")
    reviewers = _pool()
    for assignment in builders.assign(
        review_round, reviewed, [reviewers[name] for name in PROPOSED]
    ):
        builders.write_review(assignment)
    page = _a_person_at(page_as(with_known_totp(StaffFactory(name="Alex Morgan"))))
    round_page = review_round.get_absolute_url()
    moderation = f"{round_page}submissions/{reviewed.pk}/"

    _check_every_page(
        page,
        [
            ("/staff/review-rounds/", "Review rounds"),
            (round_page, "Autumn 2025"),
            (
                f"{round_page}submissions/{waiting.pk}/team/",
                "Review team: Brackley Institute · Stage 1",
            ),
            (f"{round_page}assign/", "Proposed teams for Autumn 2025"),
            (moderation, f"Reviews and feedback: {SUBMISSION}"),
            ("/staff/reviewers/", "Reviewer pool"),
            (f"/staff/submissions/{reviewed.pk}/reopen/", f"Reopen Stage 1: {INSTITUTION}"),
            (
                f"/staff/reviewers/{reviewers['Ana Ruiz'].pk}/",
                "Reviewer profile: Ana Ruiz",
            ),
        ],
    )

    # The moderation page again, with the feedback form open.
    page.goto(moderation)
    page.get_by_role("button", name="Start the feedback from the reviews").click()
    expect(page.get_by_role("button", name="Save the feedback")).to_be_visible()
    assert_no_serious_axe_violations(page)


def test_reviewer_pages_have_no_serious_accessibility_violations(page_as):
    review_round = _review_round()
    accepted = builders.submitted_stage(INSTITUTION)
    invited = builders.submitted_stage("Brackley Institute")
    ana = with_known_totp(builders.reviewer(name="Ana Ruiz", themes=["visibility"]))
    (taken,) = builders.assign(review_round, accepted, [ana])
    (asked,) = builders.assign(review_round, invited, [ana])
    services.assignment_accept(actor=ana, assignment=taken, no_conflict=True)
    services.conflict_declare(
        actor=ana,
        organisation=announced_organisation(name="Royal Society of Glassblowing"),
        reason="collaboration",
        note="We share a glass workshop.",
    )
    page = _a_person_at(page_as(ana))

    _check_every_page(
        page,
        [
            ("/reviews/", "Your reviews"),
            (
                asked.get_absolute_url(),
                "Will you review Brackley Institute, Stage 1? Awaiting reply",
            ),
            (taken.get_absolute_url(), f"Review: {INSTITUTION}, Stage 1 Accepted"),
            ("/reviews/conflicts/", "Conflicts of interest"),
        ],
    )


def test_released_feedback_has_no_serious_accessibility_violations(page_as):
    review_round = _review_round()
    submission = builders.submitted_stage(INSTITUTION)
    reviewers = _pool()
    for assignment in builders.assign(
        review_round, submission, [reviewers[name] for name in PROPOSED]
    ):
        builders.write_review(assignment, outcome="accepted")
    staff = StaffFactory(name="Alex Morgan")
    feedback = services.feedback_start(
        actor=staff, review_round=review_round, submission=submission
    )
    feedback = services.feedback_save(
        actor=staff,
        feedback=feedback,
        version=feedback.version,
        outcome=Outcome.objects.get(slug="accepted"),
        summary=JUDGEMENT,
        strengths=feedback.strengths,
        areas_to_develop=feedback.areas_to_develop,
        recommendations=feedback.recommendations,
        themes={row.theme_id: row.text for row in feedback.themes.all()},
    )
    services.feedback_release(actor=staff, feedback=feedback)
    page = _a_person_at(page_as(_lead_of(submission)))

    _check_every_page(
        page,
        [
            (
                f"/organisations/{submission.organisation.slug}/stages/1/feedback/",
                "Peer review feedback: Stage 1",
            )
        ],
    )
    expect(page.get_by_role("region", name="Overall judgement")).to_contain_text(JUDGEMENT)


# Replying with a conflict, and reviewing without JavaScript ---------------------------------


def test_a_reviewer_declares_a_conflict_instead_of_accepting(page_as):
    review_round = _review_round()
    submission = builders.submitted_stage(INSTITUTION)
    ana = with_known_totp(builders.reviewer(name="Ana Ruiz", themes=["visibility"]))
    (asked,) = builders.assign(review_round, submission, [ana])
    page = _a_person_at(page_as(ana))
    page.goto(asked.get_absolute_url())

    conflict = page.get_by_role("region", name="Declare a conflict of interest")
    conflict.get_by_role("radio", name="Close collaboration").check()
    conflict.get_by_label("What the conflict is").fill("We run a shared glass workshop.")
    conflict.get_by_role("button", name="Declare the conflict and decline").click()

    expect(page).to_have_url("/reviews/")
    expect(_status(page)).to_have_text(
        "Conflict of interest recorded and the review declined: ITSS will ask another."
    )
    page.goto("/reviews/conflicts/")
    expect(page.locator("#main")).to_contain_text(INSTITUTION)
    assert page.goto(asked.get_absolute_url()).status == 404


def test_without_javascript_a_reviewer_accepts_and_saves_a_draft(
    context_without_javascript, live_url
):
    review_round = _review_round()
    submission = builders.submitted_stage(INSTITUTION)
    ana = with_known_totp(builders.reviewer(name="Ana Ruiz", themes=["visibility"]))
    (asked,) = builders.assign(review_round, submission, [ana])
    sign_in_by_cookie(context_without_javascript, ana, url=live_url)
    page = _a_person_at(context_without_javascript.new_page())
    page.goto(asked.get_absolute_url())

    page.get_by_label("I have no conflict of interest with this organisation").check()
    page.get_by_role("button", name="Accept the review").click()
    expect(_heading(page)).to_have_text(f"Review: {INSTITUTION}, Stage 1 Accepted")
    review = page.get_by_role("region", name="Your review")
    review.get_by_label("Strengths", exact=True).fill("Saved by the button.")
    review.get_by_role("button", name="Save draft").click()

    expect(_status(page)).to_have_text("Draft saved.")
    expect(review.get_by_label("Strengths", exact=True)).to_have_value("Saved by the button.")


def test_staff_see_feedback_marked_ready_and_resume_a_resubmitted_review(page_as):
    review_round = _review_round()
    ready = builders.submitted_stage(INSTITUTION)
    reopened = builders.submitted_stage("Brackley Institute")
    reviewers = _pool()
    staff = with_known_totp(StaffFactory(name="Alex Morgan"))
    lead_assignment, *others = builders.assign(
        review_round, ready, [reviewers[name] for name in PROPOSED], staff=staff
    )
    for assignment in (lead_assignment, *others):
        builders.write_review(assignment)
    feedback = services.feedback_start(actor=staff, review_round=review_round, submission=ready)
    services.feedback_save(
        actor=staff,
        feedback=feedback,
        version=feedback.version,
        outcome=feedback.outcome,
        summary=JUDGEMENT,
        strengths=feedback.strengths,
        areas_to_develop=feedback.areas_to_develop,
        recommendations=feedback.recommendations,
        themes={},
    )
    services.feedback_mark_ready(
        actor=reviewers["Ana Ruiz"], feedback=feedback, note="We agree on every theme."
    )
    builders.assign(review_round, reopened, [reviewers["Dev Okafor"]], staff=staff)
    services.submission_reopen(actor=staff, submission=reopened, reason="The file is corrupt.")
    plan_services.submission_submit(
        actor=reopened.submitted_by, submission=reopened, confirmed=True
    )
    page = _a_person_at(page_as(staff))
    page.goto(review_round.get_absolute_url())

    expect(page.get_by_role("list", name="Progress of the round")).to_contain_text(
        "1 feedback ready for release"
    )
    page.get_by_role("link", name="Feedback ready for release (1)").click()
    table = page.get_by_role("table", name="Submissions in Autumn 2025 and their reviewers")
    expect(table.get_by_role("row")).to_have_count(2)  # the header and the one ready
    expect(_submission_row(page)).to_contain_text("Ready for release")
    assert_no_serious_axe_violations(page)

    page.get_by_role("link", name="All (2)").click()
    page.get_by_role("button", name="Resume the review of Brackley Institute · Stage 1").click()
    expect(_status(page)).to_have_text(
        "The review of Brackley Institute · Stage 1 resumes; 1 reviewer asked again."
    )
    row = table.get_by_role("row").filter(has_text="Brackley Institute")
    expect(row).to_contain_text("Dev Okafor (lead) Awaiting reply")


def test_a_draft_typed_in_an_older_tab_is_not_saved_over_a_newer_one(page_as):
    review_round = _review_round()
    submission = builders.submitted_stage(INSTITUTION)
    ana = with_known_totp(builders.reviewer(name="Ana Ruiz", themes=["visibility"]))
    (asked,) = builders.assign(review_round, submission, [ana])
    services.assignment_accept(actor=ana, assignment=asked, no_conflict=True)
    older, newer = (_a_person_at(page_as(ana)) for _ in range(2))
    for page in (older, newer):
        page.goto(asked.get_absolute_url())

    newer.get_by_label("Strengths", exact=True).fill("Written in the newer tab.")
    expect(newer.locator("#draft-status")).to_contain_text("Draft saved at", timeout=15_000)
    older.get_by_label("Strengths", exact=True).fill("Typed in the older tab.")

    expect(older.locator("#draft-status")).to_contain_text(
        "Not saved: a newer draft was saved elsewhere", timeout=15_000
    )
    expect(older.get_by_label("Strengths", exact=True)).to_have_value("Typed in the older tab.")
    newer.reload()
    expect(newer.get_by_label("Strengths", exact=True)).to_have_value("Written in the newer tab.")
