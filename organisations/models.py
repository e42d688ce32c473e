from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from rules.contrib.models import RulesModelBase, RulesModelMixin

from accounts.rules import is_itss_staff, is_lead_of_organisation, is_member_of_organisation
from core.models import TimeStampedModel
from core.storage import private_storage

from .enums import (
    NEXT_ACTION,
    OnboardingStatus,
    OrganisationKind,
    OrganisationType,
    Region,
)

# Fields staff may edit directly; the onboarding dates and status change only
# through the onboarding steps (steps.py).
EDITABLE_FIELDS = (
    "kind",
    "name",
    "short_name",
    "org_type",
    "region",
    "country",
    "website",
    "tc_page_url",
    "contact_name",
    "contact_role",
    "contact_email",
    "lead_name",
    "lead_email",
    "head_name",
    "head_title",
    "head_email",
    "latitude",
    "longitude",
    "cohort",
)

# What an organisation's own lead may change: how the public finds and contacts it.
PUBLIC_DETAIL_FIELDS = ("website", "tc_page_url", "contact_name", "contact_role", "contact_email")


def _signed_form_path(instance, filename):
    return f"signed-forms/{instance.slug}/{filename}"


class Cohort(models.Model):
    """Organisations that signed around the same time; they share submission rounds."""

    name = models.CharField(max_length=80, unique=True)
    starts_on = models.DateField(help_text="The first day of the signing period it covers.")

    class Meta:
        ordering = ["starts_on"]

    def __str__(self):
        return self.name


class Organisation(RulesModelMixin, TimeStampedModel, metaclass=RulesModelBase):
    """A signatory or a supporter: one table for both kinds.

    Its object permissions are declared in ``Meta.rules_permissions``, by their full
    names (``organisations.<name>``); the register's other permissions, not about one
    organisation, are in ``rules.py``."""

    kind = models.CharField(max_length=12, choices=OrganisationKind.choices)
    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=60, blank=True)
    slug = models.SlugField(max_length=80, unique=True)
    org_type = models.CharField("type", max_length=24, choices=OrganisationType.choices)
    region = models.CharField("nation or region", max_length=20, choices=Region.choices)
    country = models.CharField(
        max_length=80, blank=True, help_text="Only for organisations outside the UK."
    )
    website = models.URLField(blank=True)
    tc_page_url = models.URLField(
        "Technician Commitment web page",
        blank=True,
        help_text="The organisation's own public page stating its commitment and action plan.",
    )
    # The portal's last check of that page (a periodic task; never set by hand).
    tc_page_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    tc_page_reachable = models.BooleanField(null=True, editable=False)
    tc_page_check_note = models.CharField(max_length=200, blank=True, editable=False)
    contact_name = models.CharField("public contact name", max_length=150, blank=True)
    contact_role = models.CharField("public contact role", max_length=150, blank=True)
    contact_email = models.EmailField("public contact email", blank=True)
    lead_name = models.CharField("nominated lead", max_length=150, blank=True)
    lead_email = models.EmailField("nominated lead email", blank=True)
    head_name = models.CharField("head of organisation who signed", max_length=150, blank=True)
    head_title = models.CharField("their title", max_length=150, blank=True)
    head_email = models.EmailField(
        "head of organisation email",
        blank=True,
        help_text="Copied into reminders once a stage is overdue.",
    )
    latitude = models.DecimalField(
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    cohort = models.ForeignKey(
        Cohort, null=True, blank=True, on_delete=models.PROTECT, related_name="organisations"
    )
    status = models.CharField(
        max_length=20, choices=OnboardingStatus.choices, default=OnboardingStatus.ENQUIRY
    )
    enquiry_received_on = models.DateField(null=True, blank=True)
    meeting_held_on = models.DateField(null=True, blank=True)
    form_received_on = models.DateField("signed form received on", null=True, blank=True)
    signed_form = models.FileField(
        storage=private_storage,
        upload_to=_signed_form_path,
        blank=True,
    )
    announced_on = models.DateField(null=True, blank=True)
    announcement_url = models.URLField(blank=True)
    withdrawn_on = models.DateField(null=True, blank=True)
    lapsed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(region="outside_uk") | Q(country=""),
                name="country_only_outside_uk",
                violation_error_message="Leave the country empty for an organisation in the UK.",
            ),
            models.CheckConstraint(
                condition=~Q(region="outside_uk") | ~Q(country=""),
                name="country_given_outside_uk",
                violation_error_message="Give the country of an organisation outside the UK.",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="located_by_both_coordinates",
                violation_error_message="Give both latitude and longitude, or neither.",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["announced", "active"]) | Q(announced_on__isnull=False),
                name="announced_has_date",
                violation_error_message=(
                    "An announced or active organisation needs its announcement date."
                ),
            ),
        ]
        indexes = [models.Index(fields=["kind", "status"]), models.Index(fields=["region"])]
        rules_permissions = {
            "manage_organisation": is_itss_staff,
            "view_workspace": is_itss_staff | is_member_of_organisation,
            "edit_public_details": is_itss_staff | is_lead_of_organisation,
        }

    @classmethod
    def get_perm(cls, perm_type):
        """``rules_permissions`` names each permission in full ("view_workspace"), rather
        than as a verb the model's name is appended to."""
        return f"{cls._meta.app_label}.{perm_type}"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organisations:workspace", kwargs={"slug": self.slug})

    def get_staff_url(self):
        return reverse("organisations:staff_organisation", kwargs={"slug": self.slug})

    @property
    def display_name(self):
        return self.short_name or self.name

    @property
    def next_action(self) -> str:
        return NEXT_ACTION.get(self.status, "")

    @property
    def location_label(self) -> str:
        if self.region == Region.OUTSIDE_UK:
            return self.country or "Outside the UK"
        return self.get_region_display()
