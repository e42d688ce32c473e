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

# The onboarding steps, with the statuses each may be taken from and where it leads,
# are one table in steps.py.

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
