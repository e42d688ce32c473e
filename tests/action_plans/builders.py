"""Organisations part-way through their cycle, and submissions in every state."""

from datetime import date

from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.enums import MembershipRole
from action_plans import services
from action_plans.enums import VoiceMethod
from action_plans.models import RatingLevel
from core.models import Theme
from demo.pdf import minimal_pdf
from organisations.enums import OnboardingStatus
from tests.factories import MembershipFactory, OrganisationFactory

ANNOUNCED_ON = date(2024, 5, 16)


def announced_organisation(**fields):
    """An active signatory announced on ANNOUNCED_ON with a public page and contact."""
    values = {
        "status": OnboardingStatus.ACTIVE,
        "enquiry_received_on": date(2023, 11, 1),
        "announced_on": ANNOUNCED_ON,
        "tc_page_url": "https://www.example.ac.uk/technician-commitment",
        "contact_name": "Sam Patel",
        "contact_role": "Technical Services Manager",
        "contact_email": "technicians@example.ac.uk",
        "lead_name": "Priya Shah",
        "lead_email": "priya.shah@example.ac.uk",
        **fields,
    }
    return OrganisationFactory(**values)


def lead_of(organisation):
    return MembershipFactory(organisation=organisation, role=MembershipRole.LEAD).user


def contributor_of(organisation):
    return MembershipFactory(organisation=organisation, role=MembershipRole.CONTRIBUTOR).user


def pdf_upload(name="evidence.pdf"):
    return SimpleUploadedFile(name, minimal_pdf("Evidence"), content_type="application/pdf")


def complete(submission, actor, *, actions_per_theme: int = 1):
    """Fill in everything the submit check asks for."""
    submission.refresh_from_db()
    assessment = submission.self_assessment
    services.self_assessment_save(
        actor=actor,
        submission=submission,
        version=assessment.version,
        lead_name="Priya Shah",
        lead_email="priya.shah@example.ac.uk",
        profile="A research-intensive university with a large technical community.",
        technician_definition="Everyone whose role is mainly technical.",
        technician_count=420,
        position_before="Technicians were rarely named in reports.",
        progress_since="A technician network now meets each month.",
    )
    rating = RatingLevel.objects.get(value=2)
    for theme_assessment in submission.theme_assessments.all():
        services.theme_assessment_save(
            actor=actor,
            assessment=theme_assessment,
            version=theme_assessment.version,
            narrative=f"Where we stand on {theme_assessment.theme.name}.",
            rating=rating,
        )
    for theme in Theme.objects.filter(is_active=True):
        for n in range(actions_per_theme):
            services.action_add(
                actor=actor,
                submission=submission,
                themes=[theme],
                title=f"{theme.name} action {n + 1}",
                owner="Technical Board",
                success_measures="Reported each year.",
            )
    services.voice_evidence_add(
        actor=actor,
        submission=submission,
        method=VoiceMethod.SURVEY,
        held_on=date(2025, 3, 1),
        participants=180,
        description="An all-technician survey.",
        what_changed="Career pathways came first.",
    )
    submission.refresh_from_db()
    return submission


def started(organisation, actor, number=1):
    return services.submission_start(actor=actor, organisation=organisation, stage_number=number)


def submitted(organisation, lead, number=1):
    submission = complete(started(organisation, lead, number), lead)
    return services.submission_submit(actor=lead, submission=submission, confirmed=True)


def own_storage(model, field: str, location, monkeypatch):
    """Store ``model.field``'s files in ``location`` for one test (another worker may be
    clearing the shared media folder)."""
    monkeypatch.setattr(
        model._meta.get_field(field), "storage", FileSystemStorage(location=location)
    )
    return location
