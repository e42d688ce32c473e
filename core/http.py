import ipaddress

from django.conf import settings
from django.http import FileResponse, Http404
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, fallback: str) -> str:
    """The ``next`` address posted with a form, if it stays on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def private_file_response(file, *, filename: str, content_type: str) -> FileResponse:
    """A stored private file as a download that no shared cache keeps; 404 when the file
    is missing from storage."""
    try:
        handle = file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def client_address(request) -> str:
    """The address of the client behind ``request``, as far as we can trust it.

    With ``TRUSTED_PROXY_COUNT`` proxies of our own in front, each appending the address it
    saw to X-Forwarded-For, the client is that many entries from the right; entries further
    left were written by the client and are ignored. Without proxies, or when the header
    has fewer entries than there are proxies (the request did not come through them all),
    it is the address of the connection itself."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    entries = [e.strip() for e in request.headers.get("X-Forwarded-For", "").split(",")]
    entries = [e for e in entries if e]
    if len(entries) < count:
        return remote
    try:
        return str(ipaddress.ip_address(entries[-count]))
    except ValueError:
        # Not an address (a proxy that writes "unknown", or a port): the connection's.
        return remote
