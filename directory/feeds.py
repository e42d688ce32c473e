"""Open data of the directory: the Atom feed of newly announced organisations, and the
directory as CSV."""

import csv

from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from core.spreadsheets import safe_cell
from organisations.models import Organisation

from .selectors import public_organisations

FEED_ITEMS = 50

# The directory's CSV: what is public about each organisation, nothing more.
CSV_COLUMNS = [
    ("name", lambda o: o.name),
    ("short_name", lambda o: o.short_name),
    ("kind", lambda o: o.kind),
    ("type", lambda o: o.org_type),
    ("nation_or_region", lambda o: o.get_region_display()),
    ("country", lambda o: o.country),
    ("status", lambda o: "lapsed" if o.status == "lapsed" else "active"),
    ("joined", lambda o: o.announced_on.isoformat() if o.announced_on else ""),
    ("latest_stage_submitted", lambda o: o.latest_stage or ""),
    ("technician_commitment_page", lambda o: o.tc_page_url),
    ("website", lambda o: o.website),
    ("contact_name", lambda o: o.contact_name),
    ("contact_role", lambda o: o.contact_role),
    ("contact_email", lambda o: o.contact_email),
    ("latitude", lambda o: o.latitude),
    ("longitude", lambda o: o.longitude),
    ("page", lambda o: o.public_url),
]


def directory_csv(organisations, *, site_url: str) -> HttpResponse:
    """``organisations`` (from ``directory_organisations``, filtered) as a CSV download."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="technician-commitment-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow([name for name, _ in CSV_COLUMNS])
    for organisation in organisations:
        organisation.public_url = site_url + reverse(
            "directory:public_organisation", args=[organisation.slug]
        )
        writer.writerow([safe_cell(value(organisation)) for _, value in CSV_COLUMNS])
    return response


class NewOrganisationsFeed(Feed):
    """Signatories and supporters as they are announced, newest first."""

    feed_type = Atom1Feed
    title = "Technician Commitment: new signatories and supporters"
    subtitle = "Organisations announced as signatories or supporters of the Technician Commitment."

    def link(self):
        return reverse("directory:directory")

    def items(self):
        return public_organisations().order_by("-announced_on", "-pk")[:FEED_ITEMS]

    def item_title(self, item: Organisation) -> str:
        return f"{item.name} joins as a {item.get_kind_display().lower()}"

    def item_description(self, item: Organisation) -> str:
        return (
            f"{item.name} ({item.get_org_type_display()}, {item.location_label}) was "
            f"announced as a {item.get_kind_display().lower()} of the Technician Commitment "
            f"on {item.announced_on:%-d %B %Y}."
        )

    def item_link(self, item: Organisation) -> str:
        return reverse("directory:public_organisation", args=[item.slug])

    def item_guid(self, item: Organisation) -> str:
        return f"tag:techniciancommitment,{item.announced_on:%Y-%m-%d}:organisation-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Organisation):
        return timezone.make_aware(
            timezone.datetime.combine(item.announced_on, timezone.datetime.min.time())
        )

    def item_updateddate(self, item: Organisation):
        return item.updated_at
