"""The portal's check of each organisation's own Technician Commitment web page.

Run by a periodic task on the real portal. Tests point it at pages served on this machine
(or pass their own ``fetch``): nothing here runs during a request."""

import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from .cache import public_changed
from .models import Organisation
from .selectors import public_organisations

TIMEOUT_SECONDS = 10
# A page checked more recently than this is not checked again by the sweep.
RECHECK_AFTER = timedelta(days=6)
USER_AGENT = "TechnicianCommitmentPortal/1.0 (link check)"


def fetch_status(url: str) -> tuple[bool, str]:
    """Whether ``url`` answers with a page (2xx or 3xx), and a short note of how it went.
    A HEAD first; a server that refuses HEAD is asked with GET."""
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                return True, f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            if method == "HEAD" and exc.code in (403, 405, 501):
                continue
            return False, f"HTTP {exc.code}"
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            return False, f"Not reachable: {reason}"[:200]
    return False, "Not reachable"


def organisation_page_check(
    *, organisation: Organisation, fetch: Callable[[str], tuple[bool, str]] = fetch_status
) -> Organisation:
    """Check ``organisation``'s own page and record the outcome, when and how it went."""
    reachable, note = fetch(organisation.tc_page_url)
    Organisation.objects.filter(pk=organisation.pk).update(
        tc_page_checked_at=timezone.now(), tc_page_reachable=reachable, tc_page_check_note=note
    )
    public_changed()  # the page shows the check; update() bypasses the save signals
    organisation.refresh_from_db(
        fields=["tc_page_checked_at", "tc_page_reachable", "tc_page_check_note"]
    )
    return organisation


def pages_due_for_check(now=None):
    """Public organisations with a page not checked in the last RECHECK_AFTER."""
    now = now or timezone.now()
    return (
        public_organisations()
        .exclude(tc_page_url="")
        .filter(Q(tc_page_checked_at__isnull=True) | Q(tc_page_checked_at__lt=now - RECHECK_AFTER))
        .order_by("tc_page_checked_at", "pk")
    )
