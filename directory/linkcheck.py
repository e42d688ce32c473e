"""The portal's check of each organisation's own Technician Commitment web page.

Run by a periodic task on the real portal. Only public web addresses are fetched: the
host is resolved, every address it resolves to must be public, and the connection goes to
one of those very addresses (so a name cannot resolve to a public address for the check
and to a private one for the fetch). Redirects are followed here, each hop checked the
same way, at most ``MAX_REDIRECTS`` of them. Tests serve pages from this machine, named in
``LINK_CHECK_ALLOWED_HOSTS`` (or pass their own ``fetch``): nothing here runs during a
request."""

import http.client
import socket
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urljoin, urlsplit

from django.db.models import Q
from django.utils import timezone

from organisations.models import Organisation
from organisations.validators import NotPublicAddress, public_addresses

from .cache import organisation_changed
from .selectors import public_organisations

TIMEOUT_SECONDS = 10
MAX_REDIRECTS = 5
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
# A page checked more recently than this is not checked again by the sweep.
RECHECK_AFTER = timedelta(days=6)
USER_AGENT = "TechnicianCommitmentPortal/1.0 (link check)"


class _Refused(Exception):
    """The check will not fetch this address; the message says why."""


def _connection(url: str) -> tuple[http.client.HTTPConnection, str]:
    """A connection to ``url``'s host, made only to an address vetted as public, and the
    path to ask for."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _Refused("Not a web address")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise _Refused("Not a web address") from exc
    try:
        addresses = public_addresses(parts.hostname, port)
    except NotPublicAddress as exc:
        raise _Refused("Refused: the address points to a private network") from exc

    def connect_vetted(_address, timeout, source_address=None):
        error = OSError("No address to connect to")
        for address in addresses:
            try:
                return socket.create_connection((address, port), timeout, source_address)
            except OSError as exc:
                error = exc
        raise error

    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(parts.hostname, port, timeout=TIMEOUT_SECONDS)
    # http.client connects through this attribute; HTTPS then wraps the socket for the
    # host's name, so the certificate is still checked against the name, not the address.
    connection._create_connection = connect_vetted
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return connection, path


def _status(method: str, url: str) -> int:
    """The status of ``url`` asked with ``method``, following redirects hop by hop."""
    for _hop in range(MAX_REDIRECTS + 1):
        connection, path = _connection(url)
        try:
            connection.request(method, path, headers={"User-Agent": USER_AGENT})
            response = connection.getresponse()
            status, location = response.status, response.getheader("Location")
        finally:
            connection.close()
        if status not in REDIRECT_STATUSES or not location:
            return status
        url = urljoin(url, location.strip())
    raise _Refused(f"Not reachable: more than {MAX_REDIRECTS} redirects")


def fetch_status(url: str) -> tuple[bool, str]:
    """Whether ``url`` answers with a page (2xx or 3xx), and a short note of how it went.
    A HEAD first; a server that refuses HEAD is asked with GET."""
    for method in ("HEAD", "GET"):
        try:
            status = _status(method, url)
        except _Refused as exc:
            return False, str(exc)[:200]
        except (OSError, http.client.HTTPException, ValueError, UnicodeError) as exc:
            return False, f"Not reachable: {exc}"[:200]
        if method == "HEAD" and status in (403, 405, 501):
            continue
        return 200 <= status < 400, f"HTTP {status}"
    return False, "Not reachable"


def organisation_page_check(
    *, organisation: Organisation, fetch: Callable[[str], tuple[bool, str]] = fetch_status
) -> Organisation:
    """Check ``organisation``'s own page and record the outcome, when and how it went."""
    reachable, note = fetch(organisation.tc_page_url)
    Organisation.objects.filter(pk=organisation.pk).update(
        tc_page_checked_at=timezone.now(), tc_page_reachable=reachable, tc_page_check_note=note
    )
    # Its page shows the check; update() bypasses the save signals.
    organisation_changed(organisation.slug)
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
