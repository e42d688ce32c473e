import secrets
from datetime import timedelta

import rules
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from core.models import TimeStampedModel

from .enums import InvitationRole, InvitationStatus, MembershipRole


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True, is_itss_staff=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their email address."""

    email = models.EmailField("email address", unique=True)
    name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        "Django admin access", default=False, help_text="Can open the low-level Django admin."
    )
    is_itss_staff = models.BooleanField(
        "ITSS staff", default=False, help_text="Runs the scheme: onboarding, deadlines, reviews."
    )
    is_reviewer = models.BooleanField("peer reviewer", default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["name", "email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def has_perm(self, perm, obj=None):
        # The portal's own permissions are rules about roles and objects. Being a
        # Django superuser (for the low-level admin) must not grant them: an ITSS
        # superuser who is no member of an organisation does not write its plan.
        if rules.perm_exists(perm):
            return self.is_active and rules.has_perm(perm, self, obj)
        return super().has_perm(perm, obj)

    def __str__(self):
        return self.name or self.email

    def get_full_name(self):
        return self.name

    def get_short_name(self):
        return self.name.split(" ")[0] if self.name else self.email

    @property
    def requires_two_factor(self) -> bool:
        return self.is_itss_staff or self.is_reviewer


class Membership(TimeStampedModel):
    """A person's place in one organisation's team."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=MembershipRole.choices)

    class Meta:
        ordering = ["organisation__name", "role", "user__name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org")
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} at {self.organisation}"


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def _default_expiry():
    return timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(TimeStampedModel):
    """A single-use, expiring link that creates an account or a membership."""

    email = models.EmailField()
    name = models.CharField(max_length=150, blank=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    role = models.CharField(max_length=20, choices=InvitationRole.choices)
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    invited_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="invitations_sent"
    )
    expires_at = models.DateTimeField(default=_default_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation for {self.email} ({self.get_role_display()})"

    @property
    def status(self) -> str:
        """Derived from the dates, never stored."""
        if self.accepted_at:
            return InvitationStatus.ACCEPTED
        if self.revoked_at:
            return InvitationStatus.REVOKED
        if self.expires_at <= timezone.now():
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING

    def get_status_display(self) -> str:
        return InvitationStatus(self.status).label

    def get_absolute_url(self):
        return reverse("accounts:invitation_accept", kwargs={"token": self.token})


# How long an emailed two-factor set-up link works, and how long, once followed, the
# session that followed it may add the account's first authenticator.
ENROLMENT_LINK_VALID = timedelta(minutes=30)
# How often an account may ask for such a link: no mail bombing, no guessing.
ENROLMENT_LINK_INTERVAL = timedelta(minutes=1)
ENROLMENT_LINKS_PER_HOUR = 5


class EnrolmentLinkQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(used_at__isnull=True, expires_at__gt=timezone.now())


class EnrolmentLink(TimeStampedModel):
    """A one-time link emailed to an account's address before its first second factor
    is set up, so that a password alone cannot enrol an authenticator. Only a digest
    of the link's token is kept: the link itself exists only in the email."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolment_links")
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    objects = EnrolmentLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"Two-factor set-up link for {self.user}"
