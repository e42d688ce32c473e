"""Demo register: cohorts, and signatories and supporters at every onboarding stage,
each walked along the onboarding path through the register's services."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from organisations import services as org_services
from organisations.enums import OnboardingStatus as S
from organisations.models import Cohort, Organisation

from .pdf import minimal_pdf

COHORTS = [
    ("May 2017", date(2017, 5, 1)),
    ("March 2018", date(2018, 3, 1)),
    ("December 2019", date(2019, 12, 1)),
    ("June 2021", date(2021, 6, 1)),
    ("November 2023", date(2023, 11, 1)),
    ("May 2025", date(2025, 5, 1)),
]

# name, short name, type, region, latitude, longitude, cohort index or stage
SIGNATORIES = [
    ("University of Nottingham", "Nottingham", "university", "east_midlands", 52.9387, -1.1960, 0),
    ("Imperial College London", "Imperial", "university", "london", 51.4988, -0.1749, 0),
    ("University of Edinburgh", "Edinburgh", "university", "scotland", 55.9445, -3.1892, 0),
    ("Cardiff University", "Cardiff", "university", "wales", 51.4866, -3.1789, 1),
    ("Queen's University Belfast", "QUB", "university", "northern_ireland", 54.5844, -5.9343, 1),
    ("University of Manchester", "Manchester", "university", "north_west", 53.4668, -2.2339, 0),
    ("University of Leeds", "Leeds", "university", "yorkshire", 53.8067, -1.5550, 1),
    ("Newcastle University", "Newcastle", "university", "north_east", 54.9800, -1.6150, 1),
    ("University of Birmingham", "Birmingham", "university", "west_midlands", 52.4508, -1.9305, 2),
    ("University of Cambridge", "Cambridge", "university", "east", 52.2043, 0.1149, 2),
    ("University of Oxford", "Oxford", "university", "south_east", 51.7548, -1.2544, 2),
    ("University of Bristol", "Bristol", "university", "south_west", 51.4584, -2.6030, 2),
    ("University College London", "UCL", "university", "london", 51.5246, -0.1340, 0),
    ("King's College London", "KCL", "university", "london", 51.5115, -0.1160, 3),
    ("University of Glasgow", "Glasgow", "university", "scotland", 55.8721, -4.2882, 3),
    ("University of Sheffield", "Sheffield", "university", "yorkshire", 53.3811, -1.4879, 3),
    ("University of Liverpool", "Liverpool", "university", "north_west", 53.4060, -2.9660, 3),
    ("University of Southampton", "Southampton", "university", "south_east", 50.9346, -1.3958, 4),
    ("University of Exeter", "Exeter", "university", "south_west", 50.7366, -3.5350, 4),
    ("Durham University", "Durham", "university", "north_east", 54.7650, -1.5782, 4),
    ("University of Leicester", "Leicester", "university", "east_midlands", 52.6211, -1.1246, 4),
    ("Loughborough University", "Loughborough", "university", "east_midlands", 52.7650, -1.2290, 5),
    ("University of Warwick", "Warwick", "university", "west_midlands", 52.3793, -1.5615, 5),
    ("University of East Anglia", "UEA", "university", "east", 52.6219, 1.2392, 5),
    ("University of York", "York", "university", "yorkshire", 53.9461, -1.0518, 5),
    ("Swansea University", "Swansea", "university", "wales", 51.6096, -3.9800, 1),
    ("University of Aberdeen", "Aberdeen", "university", "scotland", 57.1648, -2.1015, 2),
    ("University of Dundee", "Dundee", "university", "scotland", 56.4580, -2.9821, 3),
    ("Ulster University", "Ulster", "university", "northern_ireland", 54.6031, -5.9290, 4),
    ("The Francis Crick Institute", "Crick", "research_institute", "london", 51.5317, -0.1289, 0),
    ("Rothamsted Research", "Rothamsted", "research_institute", "east", 51.8094, -0.3560, 2),
    ("Wellcome Sanger Institute", "Sanger", "research_institute", "east", 52.0797, 0.1856, 3),
    # Still joining: one at each onboarding stage, and one that withdrew.
    ("University of Kent", "Kent", "university", "south_east", 51.2980, 1.0700, S.ANNOUNCED),
    (
        "University of Surrey",
        "Surrey",
        "university",
        "south_east",
        51.2430,
        -0.5890,
        S.FORM_RECEIVED,
    ),
    (
        "Lancaster University",
        "Lancaster",
        "university",
        "north_west",
        54.0104,
        -2.7877,
        S.FORM_RECEIVED,
    ),
    ("University of Hull", "Hull", "university", "yorkshire", 53.7712, -0.3673, S.MEETING_HELD),
    ("Keele University", "Keele", "university", "west_midlands", 53.0030, -2.2730, S.MEETING_HELD),
    ("University of Plymouth", "Plymouth", "university", "south_west", 50.3755, -4.1393, S.ENQUIRY),
    (
        "The Pirbright Institute",
        "Pirbright",
        "research_institute",
        "south_east",
        51.3170,
        -0.6390,
        S.ENQUIRY,
    ),
    ("University of Essex", "Essex", "university", "east", 51.8771, 0.9460, S.WITHDRAWN),
    ("Trinity College Dublin", "Trinity", "university", "outside_uk", 53.3438, -6.2546, 4),
]

SUPPORTERS = [
    ("Royal Society of Chemistry", "RSC", "learned_society", "east", 52.2100, 0.1300, 0),
    ("Institute of Physics", "IOP", "learned_society", "london", 51.5320, -0.1230, 1),
    ("Science Council", "", "professional_body", "london", 51.5200, -0.1100, 0),
    ("Royal Society of Biology", "RSB", "learned_society", "london", 51.5230, -0.1250, 2),
    ("UK Research and Innovation", "UKRI", "funder", "south_west", 51.5610, -1.7850, 3),
    ("Gatsby Charitable Foundation", "Gatsby", "funder", "london", 51.5090, -0.1160, 0),
    (
        "Institute of Science and Technology",
        "IST",
        "professional_body",
        "yorkshire",
        53.3800,
        -1.4700,
        1,
    ),
    ("Royal Academy of Engineering", "RAEng", "learned_society", "london", 51.5060, -0.1320, 4),
    (
        "Higher Education and Technicians Educational Development",
        "HEaTED",
        "network",
        "east_midlands",
        52.9500,
        -1.1500,
        2,
    ),
    (
        "Association for Science Education",
        "ASE",
        "network",
        "east",
        51.7500,
        -0.3400,
        S.MEETING_HELD,
    ),
]

CONTACTS = [
    "Sophie Turner",
    "Daniel Kaur",
    "Fiona Mackenzie",
    "Owen Price",
    "Leah Byrne",
    "Samuel Adeyemi",
    "Chloe Walsh",
]

HEADS = [
    "Professor Jane Whitfield",
    "Professor David Osei",
    "Dr Sarah Lindqvist",
    "Professor Mark Bellamy",
    "Professor Aisha Rahman",
]


def _walk_onboarding(org: Organisation, actor, target: str, signed: date, index: int) -> None:
    """Take a new enquiry along the onboarding path through the real services."""
    order = [S.MEETING_HELD, S.FORM_RECEIVED, S.ANNOUNCED, S.ACTIVE]
    stop = order.index(target) if target in order else -1
    if target == S.WITHDRAWN:
        stop = 0
    for step in order[: stop + 1]:
        if step == S.MEETING_HELD:
            org = org_services.organisation_record_meeting(
                actor=actor,
                organisation=org,
                held_on=min(signed, timezone.localdate()),
                note="Introductory meeting with the research office.",
            )
        elif step == S.FORM_RECEIVED:
            pdf = SimpleUploadedFile(
                "signed-form.pdf", minimal_pdf(org.name), content_type="application/pdf"
            )
            org = org_services.organisation_receive_form(
                actor=actor,
                organisation=org,
                signed_form=pdf,
                received_on=min(signed, timezone.localdate()),
                head_name=HEADS[index % len(HEADS)],
                head_title="Vice-Chancellor" if org.org_type == "university" else "Chief Executive",
                lead_name=org.lead_name or "Nominated lead",
                lead_email=org.lead_email or f"tc-lead@{org.slug}.example.org",
            )
        elif step == S.ANNOUNCED:
            org = org_services.organisation_announce(
                actor=actor,
                organisation=org,
                announced_on=signed,
                announcement_url=f"https://{org.slug}.example.org/news/technician-commitment",
            )
        elif step == S.ACTIVE:
            org = org_services.organisation_activate(actor=actor, organisation=org)
    if target == S.WITHDRAWN:
        org_services.organisation_withdraw(
            actor=actor,
            organisation=org,
            reason="The organisation paused its application during a restructure.",
        )


def _organisation(entry, kind, index, cohorts, actor) -> tuple[Organisation, bool]:
    name, short, org_type, region, lat, lon, stage = entry
    slug = org_services.unique_slug(name)
    existing = Organisation.objects.filter(name=name).first()
    if existing:
        return existing, False
    today = timezone.localdate()
    if isinstance(stage, int):
        cohort_name, starts = cohorts[stage]
        signed = starts.replace(day=15)
        target, cohort = S.ACTIVE, Cohort.objects.get(name=cohort_name)
    else:
        # A scheduled announcement lies a few weeks ahead.
        signed = today + timedelta(days=21) if stage == S.ANNOUNCED else today
        target, cohort = stage, None
    enquiry = (
        date(signed.year - 1, signed.month, 1)
        if isinstance(stage, int)
        else date(today.year, max(today.month - 2, 1), 1)
    )
    if not isinstance(stage, int):
        signed = max(signed, enquiry)
    domain = f"{slug}.example.org"
    org = org_services.organisation_create(
        actor=actor,
        enquiry_received_on=enquiry,
        kind=kind,
        name=name,
        short_name=short,
        org_type=org_type,
        region=region,
        country="Ireland" if region == "outside_uk" else "",
        website=f"https://www.{domain}/",
        tc_page_url=f"https://www.{domain}/technician-commitment" if target == S.ACTIVE else "",
        contact_name=CONTACTS[index % len(CONTACTS)],
        contact_role="Technician Commitment lead",
        contact_email=f"technicians@{domain}",
        lead_name="",
        lead_email="",
        head_name="",
        head_title="",
        latitude=Decimal(str(lat)),
        longitude=Decimal(str(lon)),
        cohort=cohort,
        note="Enquiry by email to the ITSS team.",
    )
    _walk_onboarding(org, actor, target, signed, index)
    return org, True


def seed_cohorts() -> None:
    for name, starts in COHORTS:
        Cohort.objects.get_or_create(name=name, defaults={"starts_on": starts})


def seed_organisations(staff) -> int:
    """Create the demo signatories and supporters; return how many are new."""
    created = 0
    for index, entry in enumerate(SIGNATORIES):
        _, new = _organisation(entry, "signatory", index, COHORTS, staff)
        created += new
    for index, entry in enumerate(SUPPORTERS):
        _, new = _organisation(entry, "supporter", index, COHORTS, staff)
        created += new
    return created
