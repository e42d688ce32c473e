"""Every upload form states, beside its file field, the kinds it takes and its limits,
taken from the settings: the attachments of a stage (the section's form and each piece of
evidence's), the signed form, and the CSV import."""

from datetime import date

import pytest
from django.urls import reverse

from action_plans import services
from action_plans.enums import VoiceMethod
from organisations.enums import OnboardingStatus
from tests.action_plans.builders import announced_organisation, lead_of, started
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def test_the_stage_page_states_the_attachment_limits_at_both_file_fields(client, settings):
    settings.ATTACHMENT_MAX_BYTES = 3 * MB
    settings.SUBMISSION_ATTACHMENTS_MAX_BYTES = 7 * MB
    organisation = announced_organisation(name="University of Testshire")
    lead = lead_of(organisation)
    submission = started(organisation, lead)
    evidence = services.voice_evidence_add(
        actor=lead,
        submission=submission,
        method=VoiceMethod.SURVEY,
        held_on=date(2025, 3, 1),
        participants=40,
        description="A survey.",
        what_changed="Pathways first.",
    )
    client.force_login(lead)

    text = client.get(
        reverse("action_plans:submission", kwargs={"slug": organisation.slug, "number": 1})
    ).content.decode()

    stated = (
        "PDF, Word (.docx), Excel (.xlsx), PNG or JPEG; up to 3.0\xa0MB a file, and "
        "7.0\xa0MB for all the files of this stage together."
    )
    assert text.count(stated) == 2
    assert f'aria-describedby="evidence-file-{evidence.pk}-limits"' in text


def test_the_signed_form_field_states_its_limit(staff_client, settings):
    settings.SIGNED_FORM_MAX_BYTES = 4 * MB
    organisation = OrganisationFactory(status=OnboardingStatus.MEETING_HELD)

    text = staff_client.get(
        reverse("organisations:organisation_transition", args=[organisation.slug, "form"])
    ).content.decode()

    assert "A PDF, up to 4.0\xa0MB." in text


def test_the_import_states_its_limit(staff_client, settings):
    settings.IMPORT_CSV_MAX_BYTES = 1 * MB

    text = staff_client.get(reverse("organisations:import_upload")).content.decode()

    assert "A CSV file, up to 1.0\xa0MB." in text
