"""Which web addresses the portal will fetch: only those on the public internet.

The portal checks each organisation's own page from inside its network. An address that
names, or resolves to, a private, loopback, link-local or otherwise non-public address
would let whoever sets it probe that network and read the outcome on the public page, so
such addresses are refused when they are entered and again each time they are fetched."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

PRIVATE_NETWORK_MESSAGE = (
    "This address points to a private network, not to a page on the public web. "
    "Give the address of your page as anyone on the internet would open it."
)
# IPv4 addresses reached through a NAT64 gateway, written as IPv6 (RFC 6052).
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class NotPublicAddress(Exception):
    """The address names or resolves to somewhere other than the public internet."""


def address_is_public(address: str) -> bool:
    """Whether the IP ``address`` is on the public internet: not private, loopback,
    link-local, multicast, reserved, unspecified or shared, including IPv4 addresses
    written as IPv6 (mapped, 6to4, Teredo or NAT64)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # without an IPv6 zone
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return address_is_public(str(ip.ipv4_mapped))
    if ip.version == 6:
        embedded = ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and not address_is_public(str(embedded)):
            return False
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def host_allowed_anyway(host: str) -> bool:
    """Whether ``host`` is named in ``LINK_CHECK_ALLOWED_HOSTS``, which only tests set (to
    serve pages from this machine)."""
    allowed = {name.lower() for name in getattr(settings, "LINK_CHECK_ALLOWED_HOSTS", ())}
    return host.lower() in allowed


def public_addresses(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to, all of them public, else ``NotPublicAddress``.
    ``socket.gaierror`` (an ``OSError``) when it does not resolve."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    if not host_allowed_anyway(host) and not all(map(address_is_public, addresses)):
        raise NotPublicAddress(PRIVATE_NETWORK_MESSAGE)
    return addresses


def validate_public_web_address(value: str) -> None:
    """A form's check of a web address the portal will fetch: refused if it names, or
    resolves to, a non-public address. A name that does not resolve (yet) is accepted:
    the page check reports it as not reachable."""
    parts = urlsplit(value)
    host = parts.hostname
    if not host:
        return  # the URL field's own check says what is wrong
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        public_addresses(host, port)
    except NotPublicAddress as exc:
        raise ValidationError(str(exc), code="private_network") from exc
    except (OSError, ValueError, UnicodeError):
        return
