"""The PDF of a stage (the submission pack): what it says, when it is rendered, who gets it.

Rendering is real (WeasyPrint); tasks run inline, after commit, as on a laptop."""

import logging
import re
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader
from weasyprint import HTML

from action_plans import packs, selectors, services
from action_plans.enums import PackStatus
from action_plans.models import Action, SubmissionPack
from action_plans.tasks import render_submission_pack
from core.models import Theme
from tests.action_plans.builders import (
    announced_organisation,
    complete,
    contributor_of,
    lead_of,
    own_storage,
    started,
)
from tests.action_plans.test_query_counts import add_submitted_actions
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

THEMES = ["Visibility", "Recognition", "Career development", "Sustainability"]


@pytest.fixture(autouse=True)
def pack_files(tmp_path, monkeypatch):
    """Packs go to this test's own folder."""
    return own_storage(SubmissionPack, "file", tmp_path / "packs", monkeypatch)


@pytest.fixture
def organisation():
    return announced_organisation(name="University of Testshire")


@pytest.fixture
def lead(organisation):
    return lead_of(organisation)


@pytest.fixture
def submit(lead, django_capture_on_commit_callbacks):
    """Submit a stage as the lead does, running what waits for the commit (the pack)."""

    def run(submission):
        with django_capture_on_commit_callbacks(execute=True):
            return services.submission_submit(actor=lead, submission=submission, confirmed=True)

    return run


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    """Ask for a pack and let the render run, as it does once the request commits."""

    def run(submission, user=None):
        with django_capture_on_commit_callbacks(execute=True):
            pack = packs.pack_request(submission=submission, user=user)
        pack.refresh_from_db()
        return pack

    return run


def url(submission, name: str, **kwargs) -> str:
    return reverse(
        f"action_plans:{name}",
        kwargs={"slug": submission.organisation.slug, "number": submission.stage_number, **kwargs},
    )


def read(pack) -> PdfReader:
    with pack.file.open("rb") as handle:
        return PdfReader(BytesIO(handle.read()))


def text_of(reader: PdfReader) -> list[str]:
    """Each page's text, lines joined (a title may wrap in its table cell)."""
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def outline(reader: PdfReader) -> list[tuple[str, int, list[tuple[str, int]]]]:
    """The bookmarks WeasyPrint made from the headings: (title, page, [(title, page)])
    for each h2, pages counted from 1."""
    # [the cover's h1, [its h2s, each followed by a list of its h3s]]
    _cover, sections = reader.outline
    entries: list = []
    for item in sections:
        if isinstance(item, list):
            entries[-1][2].extend(
                (child.title, reader.get_destination_page_number(child) + 1)
                for child in item
                if not isinstance(child, list)
            )
        else:
            entries.append((item.title, reader.get_destination_page_number(item) + 1, []))
    return entries


CONTENTS_LINE = re.compile(r"^(?P<title>.+?)\s*\.{3,}\s*(?P<page>\d+)$")


def contents(reader: PdfReader) -> list[tuple[str, int]]:
    """The entries of the contents page (the second), with their page numbers."""
    lines = reader.pages[1].extract_text().splitlines()
    found = (CONTENTS_LINE.match(line.strip()) for line in lines)
    return [(m["title"], int(m["page"])) for m in found if m]


# What the PDF says.


def test_submitting_makes_the_pdf_of_what_was_submitted(organisation, lead, submit):
    submitted = submit(complete(started(organisation, lead), lead))

    pack = SubmissionPack.objects.get()
    assert (pack.submission, pack.content_hash) == (submitted, submitted.content_hash)
    assert (pack.status, pack.requested_by, pack.error) == (PackStatus.READY, lead, "")
    reader = read(pack)
    pages = text_of(reader)
    assert pack.pages == len(reader.pages)
    assert 5 <= pack.pages <= 8
    assert pack.size == pack.file.size
    cover = pages[0]
    assert "University of Testshire" in cover
    assert "Stage 1" in cover
    assert "Submitted" in cover
    assert f"{submitted.submitted_at:%-d %B %Y}" in cover
    assert submitted.content_hash[:12] in cover
    everything = "\n".join(pages)
    for theme in THEMES:
        assert f"{theme} action 1" in everything
        assert f"Where we stand on {theme}." in everything
    assert "An all-technician survey." in everything
    assert "Everyone whose role is mainly technical." in everything
    assert f"Page 2 of {pack.pages}" in pages[1]
    assert (
        reader.metadata.title == "University of Testshire: Stage 1 self-assessment and action plan"
    )


def test_the_pdf_is_tagged_for_assistive_technology(organisation, lead, submit):
    submit(complete(started(organisation, lead), lead))

    root = read(SubmissionPack.objects.get()).trailer["/Root"]

    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en-GB"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]


def test_the_contents_give_the_pages_the_sections_start_on(organisation, lead, ask):
    # Six actions per theme: the plan runs over several pages.
    submission = complete(started(organisation, lead), lead, actions_per_theme=6)
    reader = read(ask(submission))
    pages = text_of(reader)

    listed = contents(reader)
    headings = outline(reader)
    expected = []
    for title, page, children in headings:
        if title == "Contents":
            continue
        expected.append((title, page))
        if title in ("Theme assessments", "Action plan"):
            expected.extend(children)
    assert listed == expected
    assert [title for title, _ in listed] == [
        "Self-assessment",
        "Theme assessments",
        *THEMES,
        "Action plan",
        *THEMES,
        "Technician voice",
        "Attachments",
    ]
    for title, page in listed:
        assert title in pages[page - 1]
    (plan,) = [children for title, _, children in headings if title == "Action plan"]
    assert len({page for _, page in plan}) > 1


def test_stage_two_accounts_for_the_previous_plan(organisation, lead, submit, ask):
    submit(complete(started(organisation, lead), lead))
    second = started(organisation, lead, 2)

    pages = text_of(read(ask(second)))

    assert "The previous plan" in pages[1]
    everything = "\n".join(pages)
    assert "Visibility action 1" in everything
    assert "Not accounted for" in everything
    assert "Draft — not submitted" in pages[0]


# When it is rendered.


def test_the_same_content_is_rendered_once(organisation, lead, ask):
    submission = complete(started(organisation, lead), lead)
    first = ask(submission, lead)

    again = ask(submission, contributor_of(organisation))

    assert again == first
    assert SubmissionPack.objects.count() == 1
    assert (again.rendered_at, again.file.name) == (first.rendered_at, first.file.name)
    assert again.requested_by == lead


def test_changed_content_gets_a_new_pack_and_the_old_one_stays(organisation, lead, ask, pack_files):
    submission = complete(started(organisation, lead), lead)
    first = ask(submission)
    action = Action.objects.filter(submission=submission).first()
    services.action_save(
        actor=lead,
        action=action,
        version=action.version,
        themes=action.themes.all(),
        title="Name every technician on the website",
        owner=action.owner,
    )

    second = ask(submission)

    assert second != first
    assert SubmissionPack.objects.filter(status=PackStatus.READY).count() == 2
    assert packs.pack_latest(selectors.submission_for_editing(submission)) == second
    assert "Name every technician on the website" in "\n".join(text_of(read(second)))
    assert first.file.storage.exists(first.file.name)


def test_content_that_changes_before_rendering_is_not_filed_under_the_old_fingerprint(
    organisation, lead, ask
):
    submission = complete(started(organisation, lead), lead)
    pack = packs.pack_request(submission=submission)  # not committed: no render yet
    services.action_add(
        actor=lead,
        submission=submission,
        themes=[Theme.objects.get(slug="recognition")],
        title="A late addition",
        owner="Technical Board",
    )

    render_submission_pack(pack_id=pack.pk)

    pack.refresh_from_db()
    assert (pack.status, pack.file.name) == (PackStatus.FAILED, "")
    assert "changed" in pack.error
    assert ask(submission).status == PackStatus.READY


def test_a_failed_pack_is_rendered_again_when_asked(organisation, lead, ask, monkeypatch, caplog):
    submission = complete(started(organisation, lead), lead)
    with monkeypatch.context() as patch:
        # The outside world failing: WeasyPrint cannot lay the document out.
        def broken(*args, **kwargs):
            raise RuntimeError("Pango could not find a font\nand more detail")

        patch.setattr(HTML, "render", broken)
        with caplog.at_level(logging.ERROR, logger="action_plans.rendering"):
            failed = ask(submission)

    assert failed.status == PackStatus.FAILED
    assert failed.error == "Rendering failed: RuntimeError: Pango could not find a font"
    logged = [r for r in caplog.records if r.name == "action_plans.rendering"]
    assert [r.exc_info[0] for r in logged] == [RuntimeError]

    again = ask(submission)

    assert again == failed
    assert (again.status, again.error, again.pages > 0) == (PackStatus.READY, "", True)


def test_a_draft_pack_is_rendered_again_once_the_content_is_submitted(
    organisation, lead, ask, submit
):
    submission = complete(started(organisation, lead), lead)
    draft = ask(submission)
    assert "Draft — not submitted" in text_of(read(draft))[0]

    submitted = submit(submission)

    pack = SubmissionPack.objects.get()
    assert (pack, pack.content_hash) == (draft, submitted.content_hash)
    assert pack.rendered_at > draft.rendered_at
    assert "Draft" not in text_of(read(pack))[0]
    assert not draft.file.storage.exists(draft.file.name)


def test_the_task_returns_quietly_for_a_pack_gone_or_ready(organisation, lead, ask):
    pack = ask(complete(started(organisation, lead), lead))

    render_submission_pack(pack_id=pack.pk + 1000)
    render_submission_pack(pack_id=pack.pk)

    pack.refresh_from_db()
    assert SubmissionPack.objects.get() == pack
    assert pack.rendered_at == SubmissionPack.objects.get().rendered_at


# The pages.


# Committed for real, so the render runs inline as the request commits (as on a laptop).
@pytest.mark.django_db(transaction=True)
def test_a_lead_prepares_and_downloads_the_pdf_without_javascript(client, organisation, lead):
    submission = complete(started(organisation, lead), lead)
    client.force_login(lead)
    assert "Prepare PDF" in client.get(submission.get_absolute_url()).content.decode()

    response = client.post(url(submission, "pack_request"))

    assert response.status_code == 302
    assert response.url == f"{submission.get_absolute_url()}#pdf-pack"
    page = client.get(response.url).content.decode()
    pack = SubmissionPack.objects.get()
    assert "The PDF is ready to download." in page
    assert f"Download PDF ({pack.pages} pages, " in page
    download = client.get(url(submission, "pack_download", pk=pack.pk))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == (
        f'attachment; filename="{organisation.slug}-stage-1.pdf"'
    )
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Cache-Control"] == "private, no-store"
    assert b"".join(download.streaming_content).startswith(b"%PDF-1.7")


def test_while_it_is_prepared_the_page_says_so_and_offers_a_refresh(client, organisation, lead):
    submission = complete(started(organisation, lead), lead)
    client.force_login(lead)

    response = client.post(url(submission, "pack_request"), follow=True)  # no commit yet

    page = response.content.decode()
    assert "The PDF is being prepared." in page
    assert "Being prepared…" in page
    assert f'href="{submission.get_absolute_url()}#pdf-pack">Refresh to check' in page
    assert 'role="status" aria-live="polite"' in page


def test_with_htmx_the_box_polls_until_the_pdf_is_ready(
    client, organisation, lead, django_capture_on_commit_callbacks
):
    submission = complete(started(organisation, lead), lead)
    client.force_login(lead)

    with django_capture_on_commit_callbacks() as queued:
        asked = client.post(url(submission, "pack_request"), HTTP_HX_REQUEST="true")

    box = asked.content.decode()
    pack = SubmissionPack.objects.get()
    status_url = url(submission, "pack_status", pk=pack.pk)
    assert box.lstrip().startswith('<section id="pdf-pack"')
    assert f'hx-get="{status_url}" hx-trigger="every 2s"' in box
    assert "Being prepared…" in box
    polled = client.get(status_url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in polled
    assert 'id="pack-status"' not in polled  # only the inside of the live region

    for job in queued:  # the worker gets to it
        job()
    polled = client.get(status_url, HTTP_HX_REQUEST="true").content.decode()

    assert "hx-trigger" not in polled
    assert f'href="{url(submission, "pack_download", pk=pack.pk)}"' in polled


def test_the_status_without_htmx_is_the_stage_page(client, organisation, lead):
    submission = complete(started(organisation, lead), lead)
    pack = packs.pack_request(submission=submission)
    client.force_login(lead)

    response = client.get(url(submission, "pack_status", pk=pack.pk))

    assert response.status_code == 302
    assert response.url == f"{submission.get_absolute_url()}#pdf-pack"


def test_a_failed_pdf_offers_to_try_again(client, organisation, lead):
    submission = complete(started(organisation, lead), lead)
    pack = packs.pack_request(submission=submission)
    SubmissionPack.objects.filter(pk=pack.pk).update(status=PackStatus.FAILED, error="Boom")
    client.force_login(lead)

    page = client.get(submission.get_absolute_url()).content.decode()

    assert "The PDF could not be prepared." in page
    assert "Try again" in page
    assert "Boom" not in page
    assert client.get(url(submission, "pack_download", pk=pack.pk)).status_code == 404


def test_only_the_pdf_of_the_content_as_it_stands_is_offered(client, organisation, lead, ask):
    submission = complete(started(organisation, lead), lead)
    old = ask(submission)
    services.voice_evidence_remove(actor=lead, evidence=submission.voice_evidence.get())
    client.force_login(lead)

    page = client.get(submission.get_absolute_url()).content.decode()

    assert "Prepare PDF" in page
    assert url(submission, "pack_download", pk=old.pk) not in page


@pytest.mark.parametrize("who", ["anonymous", "outsider", "other organisation's lead"])
def test_nobody_else_may_ask_for_watch_or_download_the_pdf(client, organisation, lead, ask, who):
    submission = complete(started(organisation, lead), lead)
    pack = ask(submission)
    if who == "outsider":
        client.force_login(UserFactory())
    elif who == "other organisation's lead":
        client.force_login(lead_of(announced_organisation()))
    addresses = [
        ("post", url(submission, "pack_request")),
        ("get", url(submission, "pack_status", pk=pack.pk)),
        ("get", url(submission, "pack_download", pk=pack.pk)),
    ]

    for method, address in addresses:
        response = getattr(client, method)(address, HTTP_HX_REQUEST="true")
        if who == "anonymous":  # sent to sign in, as everywhere on a stage
            assert response.status_code == 302
            assert response.url.startswith(reverse("account_login"))
        else:
            assert response.status_code == 404
    assert SubmissionPack.objects.count() == 1


def test_a_pack_of_another_stage_is_not_found_through_ones_own(client, organisation, lead, ask):
    pack = ask(complete(started(organisation, lead), lead))
    other = announced_organisation()
    other_lead = lead_of(other)
    own = started(other, other_lead)
    client.force_login(other_lead)

    assert client.get(url(own, "pack_download", pk=pack.pk)).status_code == 404
    assert (
        client.get(url(own, "pack_status", pk=pack.pk), HTTP_HX_REQUEST="true").status_code == 404
    )


# The status fragment is polled every two seconds while a PDF is prepared: it must stay
# cheap. Session, user, the submission (with the visibility join), the person's roles,
# the pack.
STATUS_QUERIES = 5


def test_the_status_fragment_does_not_grow_with_the_plan_or_the_history(
    client, organisation, lead, submit, ask, django_assert_num_queries
):
    submission = submit(complete(started(organisation, lead), lead))
    pack = SubmissionPack.objects.get()
    address = url(submission, "pack_status", pk=pack.pk)
    client.force_login(lead)
    client.get(address, HTTP_HX_REQUEST="true")
    with CaptureQueriesContext(connection) as small:
        client.get(address, HTTP_HX_REQUEST="true")

    add_submitted_actions(submission, lead, 4, 60)
    for n in range(5):
        SubmissionPack.objects.create(submission=submission, content_hash=f"{n:064d}")
    with django_assert_num_queries(len(small)):
        response = client.get(address, HTTP_HX_REQUEST="true")

    assert "Download PDF" in response.content.decode()
    assert len(small) == STATUS_QUERIES
