"""One action reads the same on every page and in both PDFs: its written text with its line
breaks, its target as the lead gave it, its milestones, and its current status (the latest
progress recorded, once there is any)."""

import re
from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from action_plans import packs, services
from action_plans.enums import ActionStatus, DatePrecision, PackStatus
from action_plans.models import Action, SubmissionPack
from action_plans.periods import Period
from core.models import Theme
from directory.cache import public_changed
from reviews import services as review_services
from tests.action_plans.builders import (
    announced_organisation,
    complete,
    lead_of,
    own_storage,
    started,
)
from tests.conftest import with_totp
from tests.reviews.builders import assign, review_round, reviewer

pytestmark = pytest.mark.django_db

DESCRIPTION = "First we ask.\nThen we act on it."
MEASURES = "A named lead.\nA report each year."
EVIDENCE = "A survey in May.\nTwo open meetings."


@pytest.fixture(autouse=True)
def pack_files(tmp_path, monkeypatch):
    return own_storage(SubmissionPack, "file", tmp_path / "packs", monkeypatch)


@pytest.fixture
def organisation():
    return announced_organisation(name="University of Linebreaks")


@pytest.fixture
def lead(organisation):
    return lead_of(organisation)


@pytest.fixture
def writing(organisation, lead):
    """Stage 1, complete, with one action written over several lines, a month target and
    two milestones, and evidence written over two lines."""
    submission = complete(started(organisation, lead), lead)
    services.action_add(
        actor=lead,
        submission=submission,
        themes=[Theme.objects.get(slug="recognition")],
        title="Fund registration fees",
        owner="Technical Board",
        description=DESCRIPTION,
        success_measures=MEASURES,
        target_on=date(2027, 12, 11),
        target_precision=DatePrecision.MONTH,
        milestones=[
            ("Proposal", Period(date(2026, 3, 31), DatePrecision.QUARTER)),
            ("Pilot", Period(date(2027, 6, 15), DatePrecision.DAY)),
        ],
    )
    evidence = submission.voice_evidence.get()
    services.voice_evidence_save(
        actor=lead,
        evidence=evidence,
        version=evidence.version,
        method=evidence.method,
        method_other="",
        held_on=evidence.held_on,
        participants=evidence.participants,
        description=EVIDENCE,
        what_changed="Career pathways came first.",
    )
    return submission


@pytest.fixture
def submitted_plan(writing, lead):
    return services.submission_submit(actor=lead, submission=writing, confirmed=True)


def action_of(submission) -> Action:
    return submission.actions.get(title="Fund registration fees")


def block_of(html: str, title: str) -> str:
    """The one action's block (from the shared partial) on a page, up to the next."""
    (block,) = [
        chunk
        for chunk in html.split('<div class="action">')[1:]
        if re.search(rf"<h\d[^>]*>(\d+\. )?{title}</h\d>", chunk)
    ]
    return block


def head_of(block: str) -> str:
    return re.search(r'action-head">(.*?)</div>', block, re.S).group(1)


def assert_shown_as_written(block: str) -> None:
    assert "First we ask.<br>Then we act on it." in block
    assert "A named lead.<br>A report each year." in block
    assert 'by <time datetime="2027-12">December 2027</time>' in block
    assert "Proposal: by January–March 2026" in block
    assert 'Pilot: by <time datetime="2027-06-15">15 June 2027</time>' in block


def record(lead, action, status, note):
    return services.action_progress_record(actor=lead, action=action, status=status, note=note)


def test_the_stage_page_shows_the_action_as_written(client, lead, writing):
    client.force_login(lead)

    html = client.get(writing.get_absolute_url()).content.decode()

    assert_shown_as_written(block_of(html, "Fund registration fees"))
    assert "A survey in May.<br>Two open meetings." in html


def test_stage_two_shows_each_action_of_the_previous_plan_as_written(
    client, organisation, lead, submitted_plan
):
    second = started(organisation, lead, 2)
    client.force_login(lead)

    html = client.get(second.get_absolute_url()).content.decode()

    previous = html.split('id="previous-plan"')[1].split("</section>")[0]
    block = block_of(previous, "Fund registration fees")
    assert_shown_as_written(block)
    assert "Status when submitted:" in head_of(block)


def test_the_stage_page_shows_the_latest_progress_as_the_status(client, lead, submitted_plan):
    action = action_of(submitted_plan)
    record(lead, action, ActionStatus.IN_PROGRESS, "Costed.")
    record(lead, action, ActionStatus.DONE, "Paid for all.\nEvery technician told.")
    client.force_login(lead)

    html = client.get(submitted_plan.get_absolute_url()).content.decode()

    block = block_of(html, "Fund registration fees")
    assert 'status-done">Done</span>' in head_of(block)
    assert "Not started" not in head_of(block)
    assert "Paid for all.<br>Every technician told." in block
    assert_shown_as_written(block)


def test_the_reviewer_reads_the_action_as_written_with_its_current_status(
    client, lead, writing, staff_user
):
    autumn = review_round()  # the stage falls due at its submission round
    submitted_plan = services.submission_submit(actor=lead, submission=writing, confirmed=True)
    record(lead, action_of(submitted_plan), ActionStatus.DROPPED, "Overtaken by the pay review.")
    team = [reviewer(), reviewer(), reviewer()]
    assignment = assign(autumn, submitted_plan, team, staff=staff_user)[0]
    review_services.assignment_accept(
        actor=assignment.reviewer, assignment=assignment, no_conflict=True
    )
    client.force_login(with_totp(assignment.reviewer))

    html = client.get(assignment.get_absolute_url()).content.decode()

    block = block_of(html, "Fund registration fees")
    assert 'status-dropped">Dropped</span>' in head_of(block)
    assert_shown_as_written(block)
    assert "A survey in May.<br>Two open meetings." in html


def test_the_public_page_shows_the_action_as_written_with_its_current_status(
    client, lead, submitted_plan
):
    services.submission_publish(actor=lead, submission=submitted_plan)
    record(lead, action_of(submitted_plan), ActionStatus.IN_PROGRESS, "Costed.\nAgreed.")
    public_changed()

    html = client.get(
        reverse("directory:public_organisation", args=[submitted_plan.organisation.slug])
    ).content.decode()

    block = block_of(html, "Fund registration fees")
    assert 'status-in_progress">In progress</span>' in head_of(block)
    assert "Costed.<br>Agreed." in block
    assert_shown_as_written(block)


def pdf_text(pack) -> str:
    with pack.file.open("rb") as handle:
        reader = PdfReader(BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_submission_pack_shows_the_action_as_written_and_its_status_when_submitted(
    lead, submitted_plan, django_capture_on_commit_callbacks
):
    record(lead, action_of(submitted_plan), ActionStatus.DONE, "Paid.")
    with django_capture_on_commit_callbacks(execute=True):
        pack = packs.pack_request(submission=submitted_plan)
    pack.refresh_from_db()

    text = pdf_text(pack)

    assert pack.status == PackStatus.READY
    assert "First we ask.\nThen we act on it." in text
    assert "A named lead.\nA report each year." in text
    assert "A survey in May.\nTwo open meetings." in text
    assert "target: by December 2027" in text
    assert "Proposal: by January–March 2026" in text
    # Filed under the fingerprint taken at submission: progress since does not change it.
    assert "Status when submitted: Not started" in " ".join(text.split())


def test_the_published_plan_pdf_shows_the_action_as_written_with_its_progress(
    lead, submitted_plan, django_capture_on_commit_callbacks
):
    services.submission_publish(actor=lead, submission=submitted_plan)
    record(lead, action_of(submitted_plan), ActionStatus.DONE, "Paid for all.")
    plan = packs.selectors.published_plan(submitted_plan.organisation)
    with django_capture_on_commit_callbacks(execute=True):
        pack = packs.published_plan_pdf_request(organisation=plan.organisation)
    pack.refresh_from_db()

    text = pdf_text(pack)

    assert pack.status == PackStatus.READY
    assert "First we ask.\nThen we act on it." in text
    assert "A named lead.\nA report each year." in text
    assert "target: by December 2027" in text
    assert "Pilot: by 15 June 2027" in text
    flat = " ".join(text.split())
    assert "Fund registration fees Done" in flat
    assert "Paid for all." in flat


def test_the_api_gives_the_target_with_its_precision_the_milestones_and_the_status(
    client, lead, submitted_plan
):
    services.submission_publish(actor=lead, submission=submitted_plan)
    record(lead, action_of(submitted_plan), ActionStatus.DONE, "Paid.")
    public_changed()

    data = client.get(reverse("api:action_plan", args=[submitted_plan.organisation.slug])).json()

    (action,) = [
        a for t in data["themes"] for a in t["actions"] if a["title"] == "Fund registration fees"
    ]
    assert {k: action[k] for k in ("description", "target", "target_date", "target_precision")} == {
        "description": DESCRIPTION,
        "target": "December 2027",
        "target_date": "2027-12-31",
        "target_precision": "month",
    }
    assert action["target_on"] == "2027-12-31"
    assert action["milestones"] == [
        {
            "label": "Proposal",
            "target": "January–March 2026",
            "target_date": "2026-03-31",
            "target_precision": "quarter",
        },
        {
            "label": "Pilot",
            "target": "15 June 2027",
            "target_date": "2027-06-15",
            "target_precision": "day",
        },
    ]
    assert (action["progress"], action["progress_note"]) == ("done", "Paid.")
