"""Demo people: staff, leads, contributors and reviewers, and how they sign in."""

import base64
import hashlib

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.utils import timezone

from accounts.enums import MembershipRole
from accounts.models import Membership, User
from organisations.models import Organisation

DEMO_PASSWORD = "technician-demo"

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


def has_demo_authenticator(roles) -> bool:
    """Whether a demo account of ``roles`` is given an authenticator when seeded."""
    return ("staff" in roles or "reviewer" in roles) and FIRST_SIGN_IN not in roles


def demo_totp_secret(email: str) -> str:
    """A fixed secret per demo account, so the demo's codes can be printed."""
    return base64.b32encode(hashlib.sha256(f"tc-demo:{email}".encode()).digest()[:20]).decode()


def demo_totp_code(email: str) -> str:
    secret = demo_totp_secret(email)
    return format_hotp_value(hotp_value(secret, int(timezone.now().timestamp()) // 30))


def seed_person(email: str, name: str, roles) -> tuple[User, bool]:
    """The demo account ``email`` with ``roles``, and whether it was created now."""
    user = User.objects.filter(email=email).first()
    new = user is None
    if new:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, name=name)
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
    return user, new


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
