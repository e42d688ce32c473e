"""The sitemap of what the public can read: the home page, the directory and its map, the
network's figures, and every public organisation page."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .selectors import public_organisations


class PublicPages(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return ["core:home", "directory:directory", "directory:map", "directory:network"]

    def location(self, item):
        return reverse(item)


class OrganisationPages(Sitemap):
    changefreq = "monthly"
    priority = 0.6
    limit = 5000

    def items(self):
        return public_organisations().order_by("name").only("slug", "updated_at")

    def location(self, organisation):
        return reverse("directory:public_organisation", args=[organisation.slug])

    def lastmod(self, organisation):
        return organisation.updated_at


SITEMAPS = {"pages": PublicPages, "organisations": OrganisationPages}
