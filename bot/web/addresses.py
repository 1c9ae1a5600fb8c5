"""The title fetcher's address policy: which hosts, ports and IP addresses it may connect to.

URLs come from pages anyone can edit, so by default the fetcher only talks to public
addresses on the scheme's default port. Refused: loopback, private, link-local, multicast,
reserved, unspecified and shared (carrier-grade NAT) addresses, IPv4 and IPv6 alike, also when
an IPv6 address embeds an IPv4 one (IPv4-mapped, 6to4, Teredo, NAT64); ``localhost`` names;
numeric hosts however they are written (``2130706433``, ``0x7f.1``, ``0177.0.0.1``); URLs with
a user name or password. ``allow_private`` (``--allow-private-fetch``, for tests and closed
networks) lifts the address, ``localhost`` and port checks, never the others.

Every check returns the reason for a refusal, or ``None``: the reason is shown per URL.
"""

from __future__ import annotations

import ipaddress
from typing import NamedTuple
from urllib.parse import SplitResult, quote, urlsplit

__all__ = [
    "Target",
    "TargetRefused",
    "numeric_ipv4",
    "objection",
    "refusal_for_address",
    "target_of",
]

DEFAULT_PORTS = {"http": 80, "https": 443}
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052: the last 32 bits are IPv4
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215: local use only
_SHARED = ipaddress.IPv4Network("100.64.0.0/10")  # RFC 6598: carrier-grade NAT

# What stays as it is in a request path: reserved characters and existing %-escapes; the rest
# (spaces, non-ASCII letters, control characters) is %-encoded as UTF-8.
_URL_SAFE = "/%:@!$&'()*+,;=-._~?[]"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefused(Exception):
    """A URL the policy does not let the fetcher connect to; ``str()`` says why."""


class Target(NamedTuple):
    """Where one request goes: the scheme, the host as sent (ASCII, for the Host header and
    the TLS certificate check), the port, and the path with its query."""

    scheme: str
    host: str
    port: int
    path: str
    numeric: IPAddress | None  # the host when it is an IP address, in whatever notation


def _ipv4_part(part: str) -> int | None:
    """One part of an inet_aton-style IPv4 host: decimal, octal (leading 0) or hex (0x)."""
    try:
        if part[:2].lower() == "0x":
            return int(part[2:] or "0", 16)
        if len(part) > 1 and part.startswith("0"):
            return int(part[1:], 8)
        return int(part, 10) if part.isdigit() else None
    except ValueError:
        return None


def numeric_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address a host written the way ``inet_aton`` (and browsers) read it stands
    for: ``127.0.0.1``, ``2130706433``, ``0x7f.1``, ``0177.0.0.1``; ``None`` for a name."""
    parts = host.rstrip(".").split(".")
    if not 1 <= len(parts) <= 4 or not all(parts):
        return None
    values = [_ipv4_part(p) for p in parts]
    if any(v is None for v in values):
        return None
    *leading, last = [v for v in values if v is not None]
    if any(v > 255 for v in leading) or last >= 256 ** (5 - len(parts)):
        return None
    number = last
    for i, v in enumerate(leading):
        number += v << (8 * (3 - i))
    return ipaddress.IPv4Address(number)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]  # the client's address
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _kind(address: IPAddress) -> str | None:
    """What makes an address off-limits ("a loopback address", …), or ``None`` if public."""
    checks = (
        (address.is_unspecified, "an unspecified address"),
        (address.is_loopback, "a loopback address"),
        (address.is_link_local, "a link-local address"),
        (address.is_multicast, "a multicast address"),
        (address.is_private, "a private address"),
        (address.is_reserved, "a reserved address"),
        (
            isinstance(address, ipaddress.IPv4Address) and address in _SHARED,
            "a shared (carrier-grade NAT) address",
        ),
        (
            isinstance(address, ipaddress.IPv6Address) and address in _NAT64_LOCAL,
            "a local-use NAT64 address",
        ),
        (
            isinstance(address, ipaddress.IPv6Address) and address.is_site_local,
            "a site-local address",
        ),
        (not address.is_global, "not a public address"),
    )
    return next((what for hit, what in checks if hit), None)


def objection(ip: IPAddress) -> str | None:
    """``"is a loopback address"``, ``"embeds 10.0.0.1, a private address"``, or ``None``."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        inner_kind = _kind(inner) if inner is not None else None
        if inner_kind:
            return f"embeds {inner}, {inner_kind}"
    kind = _kind(ip)
    return f"is {kind}" if kind else None


def refusal_for_address(address: str | IPAddress) -> str | None:
    """Why the fetcher may not connect to ``address`` (an IP address), or ``None``."""
    try:
        ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    except ValueError:
        return f"{address!r} is not an IP address"
    reason = objection(ip)
    return f"{ip} {reason}" if reason else None


def _ascii_host(parts: SplitResult) -> str:
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise TargetRefused("the URL has no host")
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        raise TargetRefused(f"the host name {host!r} is not valid") from None


def target_of(url: str, allow_private: bool = False) -> Target:
    """Where a request for ``url`` goes, after the checks that need no DNS lookup (scheme,
    credentials, ``localhost``, port, IP-literal hosts); raises :class:`TargetRefused`."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise TargetRefused(f"not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise TargetRefused("not an http(s) URL")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("the URL carries a user name or password")
    host = _ascii_host(parts)
    lowered = host.lower()
    numeric: IPAddress | None
    try:
        numeric = ipaddress.ip_address(lowered.strip("[]"))
    except ValueError:
        numeric = numeric_ipv4(lowered)
    default = DEFAULT_PORTS[scheme]
    port = default if port is None else port
    if not allow_private:
        if lowered == "localhost" or lowered.endswith(".localhost"):
            raise TargetRefused(f"{host} is a localhost name")
        reason = objection(numeric) if numeric is not None else None
        if reason:
            if str(numeric) == lowered.strip("[]"):
                raise TargetRefused(f"{numeric} {reason}")
            raise TargetRefused(f"{host} is {numeric}, which {reason}")
        if port != default:
            raise TargetRefused(f"port {port} is not allowed (only {scheme}'s default, {default})")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme, host, port, quote(path, safe=_URL_SAFE), numeric)
