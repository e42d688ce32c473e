from django.db import models


class MembershipRole(models.TextChoices):
    LEAD = "lead", "Institutional lead"
    CONTRIBUTOR = "contributor", "Contributor"


class InvitationRole(models.TextChoices):
    LEAD = "lead", "Institutional lead"
    CONTRIBUTOR = "contributor", "Contributor"
    REVIEWER = "reviewer", "Peer reviewer"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"
