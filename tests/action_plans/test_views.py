"""Writing, submitting and publishing a stage through its pages, as a browser without
JavaScript (and, for the action plan, with htmx) would."""

import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from action_plans import selectors, services
from action_plans.enums import ActionStatus, SubmissionStatus
from action_plans.models import (
    Action,
    Attachment,
    DueDateExtension,
    RatingLevel,
    Submission,
    SubmissionRound,
    VoiceEvidence,
)
from core.models import Theme
from demo.pdf import minimal_pdf
from organisations.models import Organisation
from tests.action_plans.builders import (
    announced_organisation,
    complete,
    contributor_of,
    lead_of,
    own_storage,
    pdf_upload,
    started,
    submitted,
)
from tests.conftest import with_totp
from tests.factories import MembershipFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = minimal_pdf("Evidence")
THEMES = ["Visibility", "Recognition", "Career development", "Sustainability"]


@pytest.fixture(autouse=True)
def private_media(tmp_path, monkeypatch):
    """Attachments go to this test's own folder."""
    return own_storage(Attachment, "file", tmp_path / "private", monkeypatch)


@pytest.fixture
def organisation():
    return announced_organisation(name="University of Testshire")


@pytest.fixture
def lead(organisation):
    return lead_of(organisation)


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client


def url(submission_or_organisation, name: str, number: int = 1, **kwargs) -> str:
    """The address of one of a stage's pages or forms."""
    if isinstance(submission_or_organisation, Submission):
        organisation = submission_or_organisation.organisation
        number = submission_or_organisation.stage_number
    else:
        organisation = submission_or_organisation
    return reverse(
        f"action_plans:{name}", kwargs={"slug": organisation.slug, "number": number, **kwargs}
    )


def messages_in(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def text_of(response) -> str:
    """The page as a person reads it: no tags, entities decoded, white space collapsed."""
    parser = _Text()
    parser.feed(response.content.decode())
    return " ".join("".join(parser.parts).split())


def files_in(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def content(submission) -> str:
    return selectors.submission_hash(selectors.submission_for_editing(submission))


def self_assessment_data(version: int, **overrides) -> dict:
    return {
        "version": version,
        "lead_name": "Priya Shah",
        "lead_email": "priya.shah@example.ac.uk",
        "lead_phone": "0115 496 0000",
        "profile": "A university in the Midlands with four hundred technicians.",
        "technician_definition": "Everyone whose role is mainly technical.",
        "technician_count": "400",
        "position_before": "Technicians were rarely named.",
        "progress_since": "",
        **overrides,
    }


def action_data(prefix: str, title: str, themes, version: int | None = None) -> dict:
    data = {
        f"{prefix}-title": title,
        f"{prefix}-description": "",
        f"{prefix}-themes": [t.pk for t in themes],
        f"{prefix}-owner": "Technical Board",
        f"{prefix}-success_measures": "Reported each year.",
        f"{prefix}-starts_on": "",
        f"{prefix}-target_on": "",
        f"{prefix}-status": ActionStatus.NOT_STARTED,
    }
    if version is not None:
        data[f"{prefix}-version"] = version
    return data


def evidence_data(prefix: str = "", version: int | None = None, **overrides) -> dict:
    start = f"{prefix}-" if prefix else ""
    data = {
        "method": "survey",
        "method_other": "",
        "held_on": "2025-03-01",
        "participants": "180",
        "description": "An all-technician survey.",
        "what_changed": "Career pathways came first.",
        **overrides,
    }
    if version is not None:
        data["version"] = version
    return {f"{start}{key}": value for key, value in data.items()}


def theme_data(assessment, narrative: str, rating) -> dict:
    prefix = f"theme-{assessment.theme.slug}"
    return {
        f"{prefix}-version": assessment.version,
        f"{prefix}-narrative": narrative,
        f"{prefix}-rating": rating.pk if rating else "",
    }


# The whole journey.


def test_a_lead_writes_submits_and_publishes_stage_one_through_the_pages(
    lead_client, organisation, private_media
):
    themes = list(Theme.objects.filter(is_active=True))
    start_page = lead_client.get(url(organisation, "submission"))
    assert start_page.status_code == 200
    assert "Nobody has started writing this stage yet." in start_page.content.decode()

    response = lead_client.post(url(organisation, "start"))
    submission = Submission.objects.get(organisation=organisation, stage_number=1)
    assert (response.status_code, response.url) == (302, submission.get_absolute_url())

    page = lead_client.get(submission.get_absolute_url())
    version = page.context["self_form"].initial["version"]
    response = lead_client.post(
        url(submission, "self_assessment"), self_assessment_data(version), follow=True
    )
    assert response.redirect_chain == [(f"{submission.get_absolute_url()}#self-assessment", 302)]
    assert messages_in(response) == ["Self-assessment saved."]

    rating = RatingLevel.objects.get(value=2)
    for assessment, _form in page.context["theme_forms"]:
        response = lead_client.post(
            url(submission, "theme", theme=assessment.theme.slug),
            theme_data(assessment, f"Where we stand on {assessment.theme.name}.", rating),
            follow=True,
        )
        assert messages_in(response) == [f"{assessment.theme.name} saved."]

    for theme in themes:
        response = lead_client.post(
            url(submission, "action_add"),
            action_data("new-action", f"{theme.name} plan", [theme]),
            follow=True,
        )
        assert messages_in(response) == [f"Added “{theme.name} plan”."]
    response = lead_client.post(url(submission, "voice_add"), evidence_data("voice"), follow=True)
    assert messages_in(response) == ["Technician voice evidence added."]
    response = lead_client.post(
        url(submission, "attachment_add"), {"file": pdf_upload("survey-results.pdf")}, follow=True
    )
    assert messages_in(response) == ["Attached survey-results.pdf."]

    check = lead_client.get(url(submission, "submit"))
    assert check.context["missing"] == []
    assert 'name="confirmed"' in check.content.decode()
    refused = lead_client.post(url(submission, "submit"), {})
    assert refused.status_code == 400
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.IN_PROGRESS
    response = lead_client.post(url(submission, "submit"), {"confirmed": "on"}, follow=True)
    assert messages_in(response) == ["Stage 1 is submitted. ITSS have been told."]
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED
    assert submission.content_hash == content(submission)

    response = lead_client.post(url(submission, "publish"), follow=True)
    assert messages_in(response) == ["Your action plan is now on your public organisation page."]

    public = Client().get(reverse("directory:public_organisation", args=[organisation.slug]))
    assert public.status_code == 200
    assert [
        (theme.name, [a.title for _, a in actions]) for theme, actions in public.context["by_theme"]
    ] == [(name, [f"{name} plan"]) for name in THEMES]
    html = public.content.decode()
    headings = [html.index(f'<h3 class="h5 mt-4">{name}</h3>') for name in THEMES]
    titles = [html.index(f". {name} plan</h4>") for name in THEMES]
    # Each action follows its own theme's heading and comes before the next one's.
    in_order = [x for pair in zip(headings, titles, strict=True) for x in pair]
    assert sorted(headings + titles) == in_order
    assert [a.name for a in submission.attachments.all()] == ["survey-results.pdf"]


# Two people saving the same section.


def test_the_second_of_two_colleagues_saving_the_self_assessment_gets_a_conflict(organisation):
    # A name the page must escape: the check reads the page's text, not its HTML.
    lead = MembershipFactory(
        organisation=organisation, user=UserFactory(name="Siobhán O'Brien")
    ).user
    contributor = contributor_of(organisation)
    submission = started(organisation, lead)
    lead_browser, contributor_browser = Client(), Client()
    lead_browser.force_login(lead)
    contributor_browser.force_login(contributor)
    versions = [
        browser.get(submission.get_absolute_url()).context["self_form"].initial["version"]
        for browser in (lead_browser, contributor_browser)
    ]
    assert versions == [1, 1]

    first = lead_browser.post(
        url(submission, "self_assessment"),
        self_assessment_data(1, profile="The lead wrote this profile first."),
    )
    second = contributor_browser.post(
        url(submission, "self_assessment"),
        self_assessment_data(1, profile="The contributor wrote this one second."),
    )

    assert first.status_code == 302
    assert second.status_code == 409
    [message] = messages_in(second)
    assert message.startswith(f"{lead.name} saved this section at ")
    assert message.endswith(
        "Your version is below and has not been saved: compare it with theirs, then save again."
    )
    html = second.content.decode()
    assert re.search(
        r'<textarea name="profile"[^>]*>\s*The contributor wrote this one second.</textarea>', html
    )
    # Beside the form, what the lead saved, to compare with.
    assert f"Saved by {lead.name} at " in text_of(second)
    assert re.search(r"<dd[^>]*>The lead wrote this profile first.</dd>", html)
    stored = Submission.objects.get(pk=submission.pk).self_assessment
    assert (stored.profile, stored.version, stored.updated_by) == (
        "The lead wrote this profile first.",
        2,
        lead,
    )


MINE = "Compared with theirs, and mine is better."


def _lead_saved(section: str, submission, lead):
    """The lead saves ``section`` first; returns (its address, what a colleague who opened
    it at the same version posts, with MINE, the name of its version field, and how to
    read the stored text back)."""
    if section == "self-assessment":
        opened = submission.self_assessment.version
        services.self_assessment_save(
            actor=lead, submission=submission, version=opened, profile="L"
        )
        return (
            url(submission, "self_assessment"),
            self_assessment_data(opened, profile=MINE),
            "version",
            lambda: Submission.objects.get(pk=submission.pk).self_assessment.profile,
        )
    if section == "theme":
        assessment = submission.theme_assessments.first()
        data = theme_data(assessment, MINE, None)
        services.theme_assessment_save(
            actor=lead,
            assessment=assessment,
            version=assessment.version,
            narrative="L",
            rating=None,
        )
        return (
            url(submission, "theme", theme=assessment.theme.slug),
            data,
            f"theme-{assessment.theme.slug}-version",
            lambda: type(assessment).objects.get(pk=assessment.pk).narrative,
        )
    if section == "action":
        action = submission.actions.first()
        themes = list(action.themes.all())
        services.action_save(
            actor=lead, action=action, version=action.version, themes=themes, title="L", owner="Me"
        )
        return (
            url(submission, "action_edit", pk=action.pk),
            action_data(f"action-{action.pk}", MINE, themes, version=action.version),
            f"action-{action.pk}-version",
            lambda: Action.objects.get(pk=action.pk).title,
        )
    evidence = submission.voice_evidence.first()
    services.voice_evidence_save(
        actor=lead, evidence=evidence, version=evidence.version, description="L"
    )
    return (
        url(submission, "voice_edit", pk=evidence.pk),
        evidence_data(version=evidence.version, description=MINE),
        "version",
        lambda: VoiceEvidence.objects.get(pk=evidence.pk).description,
    )


@pytest.mark.parametrize("section", ["self-assessment", "theme", "action", "voice"])
def test_after_a_conflict_saving_the_form_again_keeps_the_second_text(organisation, lead, section):
    contributor = contributor_of(organisation)
    submission = complete(started(organisation, lead), lead)
    address, data, version_field, stored = _lead_saved(section, submission, lead)
    browser = Client()
    browser.force_login(contributor)

    conflict = browser.post(address, data)

    assert conflict.status_code == 409
    assert stored() == "L"
    # What the browser sends on pressing Save again: the form as the conflict page shows it.
    shown = re.search(rf'name="{version_field}" value="(\d+)"', conflict.content.decode())
    again = browser.post(address, {**data, version_field: shown.group(1)})

    assert again.status_code == 302
    assert stored() == MINE


def test_a_conflict_on_an_action_keeps_the_text_and_changes_nothing(organisation, lead):
    contributor = contributor_of(organisation)
    submission = complete(started(organisation, lead), lead)
    action = submission.actions.first()
    themes = list(action.themes.all())
    services.action_save(
        actor=lead, action=action, version=1, themes=themes, title="The lead's title", owner="Me"
    )
    client = Client()
    client.force_login(contributor)

    response = client.post(
        url(submission, "action_edit", pk=action.pk),
        action_data(f"action-{action.pk}", "The contributor's title", themes, version=1),
    )

    assert response.status_code == 409
    assert messages_in(response)[0].startswith(f"{lead.name} saved this section at ")
    assert "The contributor&#x27;s title" in response.content.decode()
    assert Action.objects.get(pk=action.pk).title == "The lead's title"


# A submitted stage is frozen.


def _submitted_stage_two(organisation, lead):
    submitted(organisation, lead)
    second = complete(started(organisation, lead, 2), lead)
    for review in second.previous_action_reviews.all():
        services.previous_action_review_save(
            actor=lead, review=review, version=review.version, outcome="done", note=""
        )
    return services.submission_submit(actor=lead, submission=second, confirmed=True)


def _first_action_prefix(s):
    return f"action-{s.actions.first().pk}"


FROZEN = {
    "self-assessment": (
        "self_assessment",
        {},
        lambda s: self_assessment_data(s.self_assessment.version, profile="Changed."),
    ),
    "theme": (
        "theme",
        {"theme": lambda s: s.theme_assessments.first().theme.slug},
        lambda s: theme_data(s.theme_assessments.first(), "Changed.", None),
    ),
    "action add": (
        "action_add",
        {},
        lambda s: action_data("new-action", "New", s.actions.first().themes.all()),
    ),
    "action edit": (
        "action_edit",
        {"pk": lambda s: s.actions.first().pk},
        lambda s: action_data(
            _first_action_prefix(s), "Changed", s.actions.first().themes.all(), version=1
        ),
    ),
    "action remove": ("action_remove", {"pk": lambda s: s.actions.first().pk}, lambda s: {}),
    "action move": (
        "action_move",
        {"pk": lambda s: s.actions.first().pk},
        lambda s: {"direction": "down"},
    ),
    "voice add": ("voice_add", {}, lambda s: evidence_data("voice")),
    "voice edit": (
        "voice_edit",
        {"pk": lambda s: s.voice_evidence.first().pk},
        lambda s: evidence_data(version=s.voice_evidence.first().version, description="Changed"),
    ),
    "voice remove": ("voice_remove", {"pk": lambda s: s.voice_evidence.first().pk}, lambda s: {}),
    "attachment add": ("attachment_add", {}, lambda s: {"file": pdf_upload()}),
    "attachment remove": (
        "attachment_remove",
        {"pk": lambda s: s.attachments.first().pk},
        lambda s: {},
    ),
    "previous review": (
        "previous",
        {"pk": lambda s: s.previous_action_reviews.first().pk},
        lambda s: {
            f"previous-{s.previous_action_reviews.first().pk}-version": 2,
            f"previous-{s.previous_action_reviews.first().pk}-outcome": "dropped",
            f"previous-{s.previous_action_reviews.first().pk}-note": "Changed.",
        },
    ),
    "submit again": ("submit", {}, lambda s: {"confirmed": "on"}),
}


@pytest.mark.parametrize("change", FROZEN)
def test_every_change_to_a_submitted_stage_is_refused_with_a_message(
    lead_client, organisation, lead, private_media, change
):
    if change == "previous review":
        submission = _submitted_stage_two(organisation, lead)
    else:
        submission = complete(started(organisation, lead), lead)
        services.attachment_add(actor=lead, submission=submission, upload=pdf_upload())
        submission = services.submission_submit(actor=lead, submission=submission, confirmed=True)
    name, kwargs, data = FROZEN[change]
    before = (content(submission), Action.objects.count(), files_in(private_media))

    response = lead_client.post(
        url(submission, name, **{k: v(submission) for k, v in kwargs.items()}), data(submission)
    )

    assert response.status_code == 400
    [message] = messages_in(response)
    assert re.fullmatch(
        rf"Stage {submission.stage_number} was submitted on \d+ \w+ \d{{4}} at \d\d:\d\d "
        "and can no longer be changed.",
        message,
    )
    assert message in response.content.decode()
    assert (content(submission), Action.objects.count(), files_in(private_media)) == before
    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.SUBMITTED


@pytest.mark.parametrize(("name", "fragment"), [("action_edit", "action"), ("voice_edit", "voice")])
def test_the_edit_form_of_a_submitted_stage_leads_back_to_the_stage(
    lead_client, organisation, lead, name, fragment
):
    submission = submitted(organisation, lead)
    item = (submission.actions if name == "action_edit" else submission.voice_evidence).first()

    response = lead_client.get(url(submission, name, pk=item.pk))
    htmx = lead_client.get(url(submission, name, pk=item.pk), HTTP_HX_REQUEST="true")

    target = f"{submission.get_absolute_url()}#{fragment}-{item.pk}"
    assert (response.status_code, response.url) == (302, target)
    assert (htmx.status_code, htmx["HX-Redirect"]) == (200, target)


# Uploads.


def _attachments_page(client, submission, upload):
    return client.post(url(submission, "attachment_add"), {"file": upload})


def _refused_upload(client, submission, response) -> list[str]:
    """Why the file was refused, as the stage page shows it at the file field after
    sending the person back to the attachments."""
    assert (response.status_code, response.url) == (
        302,
        f"{submission.get_absolute_url()}#attachments",
    )
    page = client.get(response.url)
    assert 'class="error-summary"' in page.content.decode()
    return page.context["attachment_form"].errors["file"]


def test_an_executable_renamed_pdf_is_refused_and_nothing_is_stored(
    lead_client, organisation, lead, private_media
):
    submission = started(organisation, lead)
    program = SimpleUploadedFile(
        "minutes.pdf", b"MZ\x90\x00" + b"\x00" * 60 + PDF, content_type="application/pdf"
    )

    response = _attachments_page(lead_client, submission, program)

    assert _refused_upload(lead_client, submission, response) == [
        "Only PDF, Word (.docx), Excel (.xlsx), PNG and JPEG files can be attached; "
        "this file is none of these."
    ]
    assert (Attachment.objects.count(), files_in(private_media)) == (0, [])


@pytest.mark.parametrize(("over", "accepted"), [(1, False), (0, True)], ids=["over", "at"])
def test_a_file_over_the_size_limit_is_refused(
    lead_client, organisation, lead, private_media, settings, over, accepted
):
    settings.ATTACHMENT_MAX_BYTES = len(PDF) - over
    submission = started(organisation, lead)

    response = _attachments_page(lead_client, submission, pdf_upload())

    if accepted:
        assert response.status_code == 302
        assert Attachment.objects.count() == 1
    else:
        assert _refused_upload(lead_client, submission, response) == [
            f"The file is {filesizeformat(len(PDF))}; the limit is {filesizeformat(len(PDF) - 1)}."
        ]
        assert (Attachment.objects.count(), files_in(private_media)) == (0, [])


def _multipart(field: str, filename: str, body: bytes) -> tuple[bytes, str]:
    """A form with one file, its name sent exactly as given (the test client would
    strip the path before the server saw it, as a well-behaved browser does)."""
    boundary = "----TestBoundary7MA4YWxkTrZu0gW"
    payload = (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + body
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return payload, f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize(
    "filename", ["../../etc/passwd.pdf", "..\\..\\Windows\\system.ini.pdf", "....pdf"]
)
def test_a_path_in_the_file_name_never_reaches_the_disk(
    lead_client, organisation, lead, private_media, filename
):
    submission = started(organisation, lead)
    payload, content_type = _multipart("file", filename, PDF)

    response = lead_client.post(
        url(submission, "attachment_add"), payload, content_type=content_type
    )

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert "/" not in attachment.name and "\\" not in attachment.name
    assert ".." not in attachment.name
    assert attachment.name.endswith(".pdf")
    assert re.fullmatch(rf"attachments/{submission.pk}/[0-9a-f]{{32}}", attachment.file.name)
    assert files_in(private_media) == [attachment.file.name]
    assert (private_media / attachment.file.name).read_bytes() == PDF


def test_the_attachments_of_one_submission_are_capped_in_total(
    lead_client, organisation, lead, private_media, settings
):
    settings.SUBMISSION_ATTACHMENTS_MAX_BYTES = 2 * len(PDF) - 1
    submission = started(organisation, lead)
    first = lead_client.post(
        url(submission, "attachment_add"), {"file": pdf_upload("one.pdf")}, follow=True
    )
    assert messages_in(first) == ["Attached one.pdf."]
    before = files_in(private_media)

    response = _attachments_page(lead_client, submission, pdf_upload("two.pdf"))

    assert _refused_upload(lead_client, submission, response) == [
        f"Attachments to one submission may total {filesizeformat(2 * len(PDF) - 1)}; "
        f"{filesizeformat(len(PDF))} is used, and this file is {filesizeformat(len(PDF))}."
    ]
    assert [a.name for a in Attachment.objects.all()] == ["one.pdf"]
    assert files_in(private_media) == before


def test_a_member_downloads_an_attachment_and_an_outsider_is_not_told_it_exists(
    client, organisation, lead
):
    submission = started(organisation, lead)
    attachment = services.attachment_add(
        actor=lead, submission=submission, upload=pdf_upload("Survey results.pdf")
    )
    address = url(submission, "attachment", pk=attachment.pk)
    client.force_login(contributor_of(organisation))

    response = client.get(address)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Survey results.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == PDF
    client.force_login(UserFactory())
    assert client.get(address).status_code == 404


def test_an_attachment_gone_from_disk_is_not_found(lead_client, organisation, lead):
    submission = started(organisation, lead)
    attachment = services.attachment_add(actor=lead, submission=submission, upload=pdf_upload())
    attachment.file.storage.delete(attachment.file.name)

    response = lead_client.get(url(submission, "attachment", pk=attachment.pk))

    assert response.status_code == 404


# The action plan with htmx.


def _titles(submission) -> list[str]:
    return list(Action.objects.filter(submission=submission).values_list("title", flat=True))


def test_adding_an_action_with_htmx_returns_only_the_plan(lead_client, organisation, lead):
    submission = started(organisation, lead)
    theme = Theme.objects.get(slug="recognition")

    response = lead_client.post(
        url(submission, "action_add"),
        action_data("new-action", "Technician awards", [theme]),
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="action-plan"' in html
    assert "<html" not in html
    assert 'id="self-assessment"' not in html
    assert "Added “Technician awards”." in html
    assert "Technician awards" in html
    assert _titles(submission) == ["Technician awards"]


def test_an_invalid_action_with_htmx_returns_the_plan_with_the_errors(
    lead_client, organisation, lead
):
    submission = started(organisation, lead)

    response = lead_client.post(
        url(submission, "action_add"),
        action_data("new-action", "No theme", []),
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="action-plan"' in html and "<html" not in html
    assert response.context["action_form"].errors == {"themes": ["Themes: this field is required."]}
    assert _titles(submission) == []


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_moving_an_action_up_reorders_the_plan(lead_client, organisation, lead, htmx):
    submission = complete(started(organisation, lead), lead)
    last = submission.actions.last()
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}

    response = lead_client.post(
        url(submission, "action_move", pk=last.pk), {"direction": "up"}, **headers
    )

    assert response.status_code == (200 if htmx else 302)
    assert _titles(submission) == [
        "Visibility action 1",
        "Recognition action 1",
        "Sustainability action 1",
        "Career development action 1",
    ]
    assert list(
        Action.objects.filter(submission=submission).values_list("position", flat=True)
    ) == [1, 2, 3, 4]
    if htmx:
        html = response.content.decode()
        assert html.index("Sustainability action 1") < html.index("Career development action 1")


# Stage 2.


def test_stage_two_accounts_for_every_action_of_stage_one(lead_client, organisation, lead):
    first = submitted(organisation, lead)
    titles = [a.title for a in first.actions.all()]

    response = lead_client.post(url(organisation, "start", number=2))
    second = Submission.objects.get(organisation=organisation, stage_number=2)
    page = lead_client.get(second.get_absolute_url()).content.decode()

    assert response.url == second.get_absolute_url()
    previous = page[page.index('id="previous-plan"') : page.index('id="action-plan"')]
    assert [t for t in titles if t in previous] == titles
    plan = page[page.index('id="action-plan"') :]
    assert "No actions yet." in plan

    review = second.previous_action_reviews.get(action__title="Recognition action 1")
    prefix = f"previous-{review.pk}"
    response = lead_client.post(
        url(second, "previous", pk=review.pk),
        {
            f"{prefix}-version": review.version,
            f"{prefix}-outcome": ActionStatus.CARRIED_OVER,
            f"{prefix}-note": "The second half moves on.",
        },
    )

    assert response.url == f"{second.get_absolute_url()}#previous-{review.pk}"
    copy = second.actions.get()
    assert (copy.title, copy.carried_from, copy.status) == (
        "Recognition action 1",
        review.action,
        ActionStatus.IN_PROGRESS,
    )
    assert [t.slug for t in copy.themes.all()] == ["recognition"]
    page = lead_client.get(second.get_absolute_url()).content.decode()
    assert "Recognition action 1" in page[page.index('id="action-plan"') :]


# Staff.


@pytest.fixture
def staff_client(client):
    client.force_login(with_totp(StaffFactory()))
    return client


@pytest.mark.parametrize("reason", ["", "   "], ids=["empty", "blank"])
def test_reopening_needs_a_reason(staff_client, organisation, lead, reason):
    submission = submitted(organisation, lead)

    response = staff_client.post(url(submission, "reopen"), {"reason": reason})

    assert response.status_code == 400
    assert response.context["form"].errors == {"reason": ["Reason: this field is required."]}
    stored = Submission.objects.get(pk=submission.pk)
    assert (stored.status, stored.content_hash) == (
        SubmissionStatus.SUBMITTED,
        submission.content_hash,
    )


def test_staff_reopen_a_published_stage_with_a_reason(staff_client, organisation, lead):
    submission = submitted(organisation, lead)
    services.submission_publish(actor=lead, submission=submission)

    response = staff_client.post(
        url(submission, "reopen"), {"reason": "The evidence file was the wrong one."}, follow=True
    )

    assert response.redirect_chain == [(submission.get_absolute_url(), 302)]
    assert messages_in(response) == ["Stage 1 is reopened for the organisation to edit."]
    stored = Submission.objects.get(pk=submission.pk)
    assert (stored.status, stored.published_at) == (SubmissionStatus.IN_PROGRESS, None)
    assert selectors.published_plan(organisation) is None


def test_there_is_no_extending_a_stage_not_reached_or_already_submitted(
    staff_client, organisation, lead
):
    assert staff_client.get(url(organisation, "extend", number=2)).status_code == 404
    submitted(organisation, lead)
    assert staff_client.get(url(organisation, "extend", number=1)).status_code == 404
    assert staff_client.get(url(organisation, "extend", number=2)).status_code == 200


def test_staff_extend_a_due_date_but_not_into_the_past(staff_client, organisation, lead):
    started(organisation, lead)
    yesterday = timezone.localdate() - timedelta(days=1)

    refused = staff_client.post(
        url(organisation, "extend"),
        {"due_on": yesterday.isoformat(), "due_time": "17:00", "reason": "Restructuring."},
    )

    assert refused.status_code == 400
    assert refused.context["form"].errors == {"due_on": ["The new due date must be in the future."]}
    assert DueDateExtension.objects.count() == 0

    later = timezone.localdate() + timedelta(days=30)
    response = staff_client.post(
        url(organisation, "extend"),
        {"due_on": later.isoformat(), "due_time": "12:00", "reason": "Restructuring."},
    )

    assert response.url == reverse("action_plans:dashboard", args=[organisation.slug])
    stage = selectors.stage_of(organisation, 1)
    due = timezone.localtime(stage.due_at)
    assert (due.date(), due.strftime("%H:%M"), stage.extension.reason) == (
        later,
        "12:00",
        "Restructuring.",
    )


def _round(name, on="2031-01-15", at="17:00"):
    return {"name": name, "kind": "", "deadline_on": on, "deadline_time": at}


def test_staff_add_and_remove_a_submission_round(staff_client):
    rounds = reverse("action_plans:rounds")

    added = staff_client.post(rounds, _round("January 2031"), follow=True)
    duplicate = staff_client.post(rounds, _round("Also January 2031"))

    assert messages_in(added) == ["Round “January 2031” added."]
    assert duplicate.status_code == 400
    assert duplicate.context["form"].errors == {
        "deadline_on": ["Another round already has this deadline."]
    }
    [added_round] = SubmissionRound.objects.all()
    deadline = timezone.localtime(added_round.deadline)
    assert (added_round.name, deadline.date(), deadline.hour) == (
        "January 2031",
        date(2031, 1, 15),
        17,
    )

    removed = staff_client.post(
        reverse("action_plans:round_remove", args=[added_round.pk]), follow=True
    )

    assert messages_in(removed) == ["Round “January 2031” removed."]
    assert SubmissionRound.objects.count() == 0


def test_a_duplicate_round_name_is_a_form_error(staff_client):
    rounds = reverse("action_plans:rounds")
    staff_client.post(rounds, _round("January 2031"))

    response = staff_client.post(rounds, _round("January 2031", on="2031-02-15"))

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "name": ["Submission round with this Name already exists."]
    }
    assert SubmissionRound.objects.count() == 1


# Public details.


def _public_details(**overrides):
    return {
        "website": "https://www.testshire.ac.uk/",
        "tc_page_url": "https://www.testshire.ac.uk/technicians",
        "contact_name": "Alex Morgan",
        "contact_role": "Head of Technical Services",
        "contact_email": "alex.morgan@testshire.ac.uk",
        **overrides,
    }


def _details(organisation):
    organisation = Organisation.objects.get(pk=organisation.pk)
    return [
        getattr(organisation, name)
        for name in ("website", "tc_page_url", "contact_name", "contact_role", "contact_email")
    ]


def test_the_lead_edits_the_public_details(lead_client, organisation):
    response = lead_client.post(
        reverse("organisations:public_details", args=[organisation.slug]), _public_details()
    )

    assert response.url == organisation.get_absolute_url()
    assert _details(organisation) == list(_public_details().values())
    public = Client().get(reverse("directory:public_organisation", args=[organisation.slug]))
    assert "Alex Morgan, Head of Technical Services" in public.content.decode()


def test_a_bad_address_in_the_public_details_changes_nothing(lead_client, organisation):
    before = _details(organisation)

    response = lead_client.post(
        reverse("organisations:public_details", args=[organisation.slug]),
        _public_details(tc_page_url="not a web address", contact_name="Someone Else"),
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {"tc_page_url": ["Enter a valid URL."]}
    assert "Enter a valid URL." in response.content.decode()
    assert _details(organisation) == before


@pytest.mark.parametrize(
    "path",
    [
        "stages/99999999999999999999/",
        "stages/40000/",
        "stages/1/actions/99999999999999999999/",
        "stages/1/attachments/9223372036854775808/",
        "stages/99999/extend/",
    ],
)
def test_numbers_out_of_range_in_an_address_are_not_found(lead_client, organisation, lead, path):
    started(organisation, lead)
    assert lead_client.get(f"/organisations/{organisation.slug}/{path}").status_code == 404
