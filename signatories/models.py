from django.db import models

from organisations.enums import OrganisationKind
from organisations.models import Organisation


class SignatoryManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=OrganisationKind.SIGNATORY)


class Signatory(Organisation):
    """Employers of technicians: universities and research institutes."""

    objects = SignatoryManager()

    class Meta:
        proxy = True
        verbose_name_plural = "signatories"

    def save(self, *args, **kwargs):
        self.kind = OrganisationKind.SIGNATORY
        super().save(*args, **kwargs)
