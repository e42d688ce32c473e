"""The audit trail (activity log and mail log) can be read in the Django admin, never changed."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from core.enums import EmailStatus
from core.models import ActivityLog, OutboundEmail
from tests.conftest import with_totp
from tests.factories import OrganisationFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    client.force_login(with_totp(StaffFactory(is_staff=True, is_superuser=True)))
    return client


@pytest.fixture
def activity():
    organisation = OrganisationFactory()
    return ActivityLog.objects.create(
        content_type=ContentType.objects.get_for_model(organisation),
        object_id=organisation.pk,
        verb="announced",
        from_status="form_received",
        to_status="announced",
        note="As agreed at the meeting.",
    )


@pytest.fixture
def email():
    return OutboundEmail.objects.create(
        to=["lead@example.org"],
        subject="Your Stage 1 submission is due",
        body_text="Hello",
        status=EmailStatus.SENT,
    )


def _record(activity, email, which):
    return {"activitylog": activity, "outboundemail": email}[which]


def _snapshot(record):
    return {
        field.attname: getattr(type(record).objects.get(pk=record.pk), field.attname)
        for field in record._meta.concrete_fields
    }


RECORDS = ["activitylog", "outboundemail"]


@pytest.mark.parametrize("which", RECORDS)
def test_the_record_is_shown_without_a_save_button(superuser_client, activity, email, which):
    record = _record(activity, email, which)

    changelist = superuser_client.get(reverse(f"admin:core_{which}_changelist"))
    page = superuser_client.get(reverse(f"admin:core_{which}_change", args=[record.pk]))

    assert changelist.status_code == 200
    assert page.status_code == 200
    content = page.content.decode()
    assert 'name="_save"' not in content
    assert 'name="_continue"' not in content
    assert reverse(f"admin:core_{which}_delete", args=[record.pk]) not in content
    assert reverse(f"admin:core_{which}_add") not in changelist.content.decode()


@pytest.mark.parametrize("which", RECORDS)
def test_a_posted_change_is_refused_and_changes_nothing(superuser_client, activity, email, which):
    record = _record(activity, email, which)
    before = _snapshot(record)
    changed = {
        "activitylog": {"verb": "nothing happened", "note": "", "from_status": "", "to_status": ""},
        "outboundemail": {"subject": "Forged", "body_text": "Forged", "status": "failed"},
    }[which]

    response = superuser_client.post(
        reverse(f"admin:core_{which}_change", args=[record.pk]), {**changed, "_save": "Save"}
    )

    assert response.status_code == 403
    assert _snapshot(record) == before


@pytest.mark.parametrize("which", RECORDS)
def test_a_posted_delete_is_refused(superuser_client, activity, email, which):
    record = _record(activity, email, which)

    response = superuser_client.post(
        reverse(f"admin:core_{which}_delete", args=[record.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert type(record).objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("which", RECORDS)
def test_there_is_no_bulk_delete(superuser_client, activity, email, which):
    record = _record(activity, email, which)
    changelist = reverse(f"admin:core_{which}_changelist")

    page = superuser_client.get(changelist)
    superuser_client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"},
    )

    assert "delete_selected" not in page.content.decode()
    assert type(record).objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("which", RECORDS)
def test_nothing_can_be_added(superuser_client, which):
    model = {"activitylog": ActivityLog, "outboundemail": OutboundEmail}[which]

    response = superuser_client.post(
        reverse(f"admin:core_{which}_add"), {"verb": "invented", "subject": "Invented"}
    )

    assert response.status_code == 403
    assert model.objects.count() == 0
