"""A Word or Excel file that unpacks to hundreds of megabytes is refused at upload, said
so, and never stored, so it never reaches the reviewers."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from action_plans.models import Attachment
from tests.action_plans.builders import announced_organisation, lead_of, own_storage, started
from tests.core.test_upload_archives import TOO_LARGE, with_part

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_a_zip_bomb_is_refused_at_upload_and_nothing_is_stored(client, tmp_path, monkeypatch, kind):
    storage = own_storage(Attachment, "file", tmp_path / "private", monkeypatch)
    organisation = announced_organisation(name="University of Testshire")
    lead = lead_of(organisation)
    submission = started(organisation, lead)
    bomb = with_part(tmp_path / f"evidence.{kind}", kind, 300 * 1024 * 1024)
    client.force_login(lead)

    response = client.post(
        reverse(
            "action_plans:attachment_add",
            kwargs={"slug": organisation.slug, "number": submission.stage_number},
        ),
        {"file": SimpleUploadedFile(f"evidence.{kind}", bomb.read_bytes())},
    )

    # Sent back to the stage page's attachments, with the reason at the file field.
    assert (response.status_code, response.url) == (
        302,
        f"{submission.get_absolute_url()}#attachments",
    )
    page = client.get(response.url)
    assert page.context["attachment_form"].errors["file"] == [TOO_LARGE]
    assert Attachment.objects.count() == 0
    assert not storage.exists() or not any(storage.rglob("*"))
