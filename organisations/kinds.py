"""What differs between the kinds of organisation in the register.

The register keeps signatories and supporters in one table (`Organisation.kind`); what is
particular to each kind (what it submits, who signs its form, whether its plan must be
public, whether it can lapse) is declared by the kind's own app (`signatories/kind.py`,
`supporters/kind.py`) and registered here when the apps load. Code that words or guards
something by kind asks `kind_profile(kind)` rather than testing the kind's name."""

from dataclasses import dataclass

from .enums import OrganisationKind


@dataclass(frozen=True)
class KindProfile:
    kind: OrganisationKind
    # What each stage asks for, as a heading ("Self-assessment and action plan").
    submits: str
    # The signed form: its name, who signs it, and examples of their title.
    form_name: str
    signed_by: str
    signer_titles: str
    # Whether a submitted action plan must be made public.
    plan_must_be_public: bool
    # Whether staff may lapse an organisation of this kind that falls behind.
    can_lapse: bool


_PROFILES: dict[str, KindProfile] = {}


def kind_register(profile: KindProfile) -> None:
    """Called from the kind's app's ``ready()``; registering a kind twice is a mistake."""
    if _PROFILES.get(profile.kind, profile) != profile:
        raise ValueError(f"The {profile.kind} kind is already registered differently.")
    _PROFILES[profile.kind] = profile


def kind_profile(kind: str) -> KindProfile:
    try:
        return _PROFILES[kind]
    except KeyError:
        raise LookupError(
            f"No app declares the {kind!r} kind: is its app in INSTALLED_APPS?"
        ) from None
