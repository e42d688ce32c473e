from django.db import models

from organisations.enums import OrganisationKind
from organisations.models import Organisation


class SupporterManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=OrganisationKind.SUPPORTER)


class Supporter(Organisation):
    """Professional bodies, funders, learned societies and networks."""

    objects = SupporterManager()

    class Meta:
        proxy = True

    def save(self, *args, **kwargs):
        self.kind = OrganisationKind.SUPPORTER
        super().save(*args, **kwargs)
