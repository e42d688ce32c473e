"""A lead prepares the PDF of their stage and downloads it, without leaving the page."""

import contextlib
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from action_plans.models import SubmissionPack
from action_plans.tasks import render_submission_pack
from tc_portal.celery import app
from tests.action_plans.builders import announced_organisation, complete, lead_of, started
from tests.browser.accessibility import assert_no_serious_axe_violations
from tests.browser.conftest import ARTIFACTS


@pytest.fixture
def worker_busy():
    """Tasks are queued and left there, as when the worker has not got to them yet, so the
    test sees the PDF being prepared and then does the worker's part itself. (Without
    this, tasks run inline when no REDIS_URL is set, and the PDF is ready at once.)"""
    queue = f"browser-{uuid.uuid4().hex[:8]}"
    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = previous
        with contextlib.suppress(Exception), app.connection_for_write() as connection:
            connection.default_channel.queue_delete(queue)


def test_lead_prepares_the_pdf_and_downloads_it(page_as, worker_busy):
    organisation = announced_organisation(name="University of Aston Vale")
    lead = lead_of(organisation)
    complete(started(organisation, lead), lead)
    page = page_as(lead)
    page.goto(f"/organisations/{organisation.slug}/stages/1/")
    box = page.locator("#pdf-pack")
    expect(box.get_by_role("heading", name="PDF of this stage")).to_be_visible()
    page.evaluate("window.stillTheSamePage = true")

    box.get_by_role("button", name="Prepare PDF").click()

    status = page.locator("#pack-status")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_contain_text("Being prepared…")
    expect(page.get_by_role("heading", name="PDF of this stage")).to_be_focused()
    assert_no_serious_axe_violations(page)
    ARTIFACTS.mkdir(exist_ok=True)
    box.screenshot(path=ARTIFACTS / "pack-journey-pending.png")

    render_submission_pack(pack_id=SubmissionPack.objects.get().pk)  # the worker's part

    pack = SubmissionPack.objects.get()
    download = status.get_by_role("link", name=re.compile(r"^Download PDF"))
    expect(download).to_have_text(re.compile(rf"^Download PDF \({pack.pages} pages, [\d.]+\sKB\)$"))
    expect(status).not_to_contain_text("Being prepared")
    assert page.evaluate("window.stillTheSamePage") is True  # no reload
    assert_no_serious_axe_violations(page)
    box.screenshot(path=ARTIFACTS / "pack-journey-ready.png")

    with page.expect_download() as downloading:
        download.click()
    assert downloading.value.suggested_filename == f"{organisation.slug}-stage-1.pdf"
    assert Path(downloading.value.path()).read_bytes().startswith(b"%PDF-")
