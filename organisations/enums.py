from django.db import models


class OrganisationKind(models.TextChoices):
    SIGNATORY = "signatory", "Signatory"
    SUPPORTER = "supporter", "Supporter"


class OrganisationType(models.TextChoices):
    UNIVERSITY = "university", "University"
    RESEARCH_INSTITUTE = "research_institute", "Research institute"
    PROFESSIONAL_BODY = "professional_body", "Professional body"
    FUNDER = "funder", "Funder"
    LEARNED_SOCIETY = "learned_society", "Learned society"
    NETWORK = "network", "Professional network"
    OTHER = "other", "Other"


class Region(models.TextChoices):
    """The four UK nations, England by its nine regions, and outside the UK."""

    NORTH_EAST = "north_east", "North East (England)"
    NORTH_WEST = "north_west", "North West (England)"
    YORKSHIRE = "yorkshire", "Yorkshire and the Humber (England)"
    EAST_MIDLANDS = "east_midlands", "East Midlands (England)"
    WEST_MIDLANDS = "west_midlands", "West Midlands (England)"
    EAST = "east", "East of England"
    LONDON = "london", "London (England)"
    SOUTH_EAST = "south_east", "South East (England)"
    SOUTH_WEST = "south_west", "South West (England)"
    SCOTLAND = "scotland", "Scotland"
    WALES = "wales", "Wales"
    NORTHERN_IRELAND = "northern_ireland", "Northern Ireland"
    OUTSIDE_UK = "outside_uk", "Outside the UK"


class OnboardingStatus(models.TextChoices):
    ENQUIRY = "enquiry", "Enquiry received"
    MEETING_HELD = "meeting_held", "Meeting held"
    FORM_RECEIVED = "form_received", "Signed form received"
    ANNOUNCED = "announced", "Announcement scheduled"
    ACTIVE = "active", "Active"
    LAPSED = "lapsed", "Lapsed"
    WITHDRAWN = "withdrawn", "Withdrawn"


S = OnboardingStatus

# The onboarding path, as an explicit table: from each status, where each
# forward step or a withdrawal may take it. A withdrawn organisation goes
# nowhere from here; only reinstating (the table below) brings it back. A
# lapsed organisation may still withdraw; restoring it is in LAPSE_TRANSITIONS.
ONBOARDING_TRANSITIONS: dict[str, frozenset[str]] = {
    S.ENQUIRY: frozenset({S.MEETING_HELD, S.WITHDRAWN}),
    S.MEETING_HELD: frozenset({S.FORM_RECEIVED, S.WITHDRAWN}),
    S.FORM_RECEIVED: frozenset({S.ANNOUNCED, S.WITHDRAWN}),
    S.ANNOUNCED: frozenset({S.ACTIVE, S.WITHDRAWN}),
    S.ACTIVE: frozenset({S.WITHDRAWN}),
    S.LAPSED: frozenset({S.WITHDRAWN}),
    S.WITHDRAWN: frozenset(),
}

# Reinstating returns a withdrawn organisation to the status it had when it
# withdrew (the service reads which one from the activity log).
REINSTATE_TRANSITIONS: dict[str, frozenset[str]] = {
    S.WITHDRAWN: frozenset(
        {S.ENQUIRY, S.MEETING_HELD, S.FORM_RECEIVED, S.ANNOUNCED, S.ACTIVE, S.LAPSED}
    ),
}

# Staff lapse an announced or active organisation that is lapsing (its current
# stage more than LAPSING_AFTER_MONTHS overdue: the service checks), and restore
# a lapsed one to active. Nothing lapses on its own: lapsing is only a flag.
LAPSE_TRANSITIONS: dict[str, frozenset[str]] = {
    S.ANNOUNCED: frozenset({S.LAPSED}),
    S.ACTIVE: frozenset({S.LAPSED}),
    S.LAPSED: frozenset({S.ACTIVE}),
}

# What staff do next at each status (shown on the pipeline).
NEXT_ACTION: dict[str, str] = {
    S.ENQUIRY: "Hold the introductory meeting",
    S.MEETING_HELD: "Receive the signed form",
    S.FORM_RECEIVED: "Agree the joint announcement",
    S.ANNOUNCED: "Activate once the announcement is public",
    S.ACTIVE: "",
    S.LAPSED: "Restore once it is back on track, or withdraw",
    S.WITHDRAWN: "",
}

# Whom the public directory lists: announced (from the announcement date), active, or
# lapsed (lapsing removes nothing; the directory marks it).
PUBLIC_STATUSES = (S.ANNOUNCED, S.ACTIVE, S.LAPSED)
