"""Demo data: a network of organisations at every stage, and people in every role."""

import base64
import hashlib
from datetime import date, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from action_plans.demo import seed_cycles
from core.enums import EmailStatus
from organisations import services as org_services
from organisations.enums import OnboardingStatus as S
from organisations.models import Cohort, Organisation
from reviews.demo import seed_reviews

from .enums import MembershipRole
from .models import Membership, User

DEMO_PASSWORD = "technician-demo"

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

# email, name, roles: ("staff",) / ("reviewer",) / (("lead"|"contributor", org short name), ...)
# A demo account that has yet to set up its second factor.
FIRST_SIGN_IN = "first-sign-in"

PEOPLE = [
    ("itss.staff@example.org", "Alex Morgan", ["staff"]),
    ("lead@nottingham.example.org", "Priya Shah", [("lead", "Nottingham")]),
    (
        "contributor@nottingham.example.org",
        "Tom Evans",
        [("contributor", "Nottingham"), ("contributor", "Loughborough")],
    ),
    ("lead@imperial.example.org", "Grace Okafor", [("lead", "Imperial")]),
    ("lead@edinburgh.example.org", "Callum Reid", [("lead", "Edinburgh")]),
    ("lead@cardiff.example.org", "Rhiannon Davies", [("lead", "Cardiff")]),
    ("lead@rsc.example.org", "Martin Hale", [("lead", "RSC")]),
    ("lead@surrey.example.org", "Hannah Li", [("lead", "Surrey")]),
    ("reviewer@leeds.example.org", "Jordan Clarke", ["reviewer", ("contributor", "Leeds")]),
    ("reviewer@glasgow.example.org", "Morag Campbell", ["reviewer"]),
    ("reviewer@sheffield.example.org", "Aisha Khan", ["reviewer"]),
    ("reviewer@bristol.example.org", "Owen Hughes", ["reviewer"]),
    ("reviewer@york.example.org", "Nia Roberts", ["reviewer"]),
    # Newly in the pool: sets up two-factor at the first sign-in, through the emailed link.
    ("reviewer@durham.example.org", "Ellis Morgan", ["reviewer", FIRST_SIGN_IN]),
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


def has_demo_authenticator(roles) -> bool:
    """Whether a demo account of ``roles`` is given an authenticator when seeded."""
    return ("staff" in roles or "reviewer" in roles) and FIRST_SIGN_IN not in roles


def demo_totp_secret(email: str) -> str:
    """A fixed secret per demo account, so the demo's codes can be printed."""
    return base64.b32encode(hashlib.sha256(f"tc-demo:{email}".encode()).digest()[:20]).decode()


def demo_totp_code(email: str) -> str:
    secret = demo_totp_secret(email)
    return format_hotp_value(hotp_value(secret, int(timezone.now().timestamp()) // 30))


def _minimal_pdf(title: str) -> bytes:
    """A small, valid one-page PDF standing in for a scanned signed form."""
    text = f"Technician Commitment signatory form - {title}".replace("(", "[").replace(")", "]")
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


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
                "signed-form.pdf", _minimal_pdf(org.name), content_type="application/pdf"
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


@transaction.atomic
def seed_demo() -> dict:
    """Create the demo network and people. Running it again changes nothing."""
    created = {"organisations": 0, "people": 0}
    for name, starts in COHORTS:
        Cohort.objects.get_or_create(name=name, defaults={"starts_on": starts})
    staff = _person(*PEOPLE[0], created)
    for index, entry in enumerate(SIGNATORIES):
        _, new = _organisation(entry, "signatory", index, COHORTS, staff)
        created["organisations"] += new
    for index, entry in enumerate(SUPPORTERS):
        _, new = _organisation(entry, "supporter", index, COHORTS, staff)
        created["organisations"] += new
    for person in PEOPLE[1:]:
        _person(*person, created)
    seed_cycles()
    seed_reviews(staff)
    _lapse(staff)
    _send_reminders()
    return created


# A signatory whose Stage 1 has long been overdue, lapsed by staff as the scheme would;
# the other long-overdue signatories stay flagged as lapsing for staff to decide.
LAPSED = "Sanger"


def _lapse(staff) -> None:
    from action_plans.lapsing import organisation_lapsing

    organisation = Organisation.objects.filter(short_name=LAPSED, status=S.ACTIVE).first()
    if organisation is None or organisation_lapsing(organisation) is None:
        return
    org_services.organisation_lapse(
        actor=staff,
        organisation=organisation,
        note="No Stage 1 submission; agreed with the head of organisation after two reminders.",
    )


def _send_reminders() -> None:
    """Today's reminders, as the daily sweep would send them (again: nothing), and one
    bounce report, so staff see both in the outbox."""
    from action_plans.reminders import reminders_send_due
    from core.models import OutboundEmail
    from core.delivery import email_deliver
    from core.services import email_record_bounce

    reminders_send_due()
    # Delivered here rather than by a worker that may not be running yet.
    for email in OutboundEmail.objects.filter(status=EmailStatus.QUEUED):
        email_deliver(email=email)
    overdue = (
        OutboundEmail.objects.filter(template="reminders/escalation")
        .exclude(message_id="")
        .order_by("pk")
        .first()
    )
    if overdue is not None and not OutboundEmail.objects.filter(status=EmailStatus.BOUNCED):
        email_record_bounce(
            message_id=overdue.message_id,
            reason="550 5.1.1 The email account that you tried to reach does not exist.",
        )


def _person(email, name, roles, created) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, name=name)
        created["people"] += 1
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"primary": True, "verified": True}
    )
    for role in roles:
        if role == "staff":
            user.is_itss_staff = user.is_staff = user.is_superuser = True
        elif role == "reviewer":
            user.is_reviewer = True
        elif role == FIRST_SIGN_IN:
            continue
        else:
            membership_role, short = role
            org = Organisation.objects.get(short_name=short)
            Membership.objects.get_or_create(
                user=user, organisation=org, defaults={"role": MembershipRole(membership_role)}
            )
            if membership_role == "lead" and not org.lead_email:
                org.lead_name, org.lead_email = name, email
                org.save(update_fields=["lead_name", "lead_email"])
    user.save()
    if (
        has_demo_authenticator(roles)
        and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    ):
        TOTP.activate(user, demo_totp_secret(email))
    return user


def demo_sign_ins() -> list[dict]:
    rows = []
    for email, name, roles in PEOPLE:
        described = []
        for role in roles:
            if role == "staff":
                described.append("ITSS staff")
            elif role == "reviewer":
                described.append("peer reviewer")
            elif role == FIRST_SIGN_IN:
                described.append("no authenticator yet")
            else:
                described.append(f"{role[0]} at {role[1]}")
        rows.append(
            {
                "email": email,
                "name": name,
                "roles": ", ".join(described),
                "two_factor": "staff" in roles or "reviewer" in roles,
                "authenticator": has_demo_authenticator(roles),
            }
        )
    return rows
