"""The client's address as this deployment can trust it, and the key rate limits count by."""

import ipaddress

from flask import request

# One IPv6 subscriber gets at least a /64 (RFC 6177; home routers hand out /56 or /48) and
# picks any of its 2^64 addresses at will, so counting IPv6 per address limits nothing.
IPV6_PREFIX = 64


def client_ip() -> str:
    """request.remote_addr: ProxyFix (PROXY_COUNT) rewrites it only behind trusted proxies."""
    return (request.remote_addr or "")[:64]


def rate_key(address: str | None = None) -> str:
    """The key every per-client rate limit counts by (the one rule, kept here).

    An IPv4 address counts as itself; an IPv4-mapped IPv6 address (``::ffff:192.0.2.1``,
    from a dual-stack socket) as the IPv4 address it carries; any other IPv6 address as
    its /64 network (``2001:db8:1:2::/64``). Without an argument, the current client's.
    Anything unparsable (a test client, a Unix socket) is its own key.
    """
    raw = client_ip() if address is None else address
    try:
        parsed = ipaddress.ip_address(raw.strip().split("%", 1)[0])  # drop a zone id
    except ValueError:
        return raw[:64]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, IPV6_PREFIX), strict=False))
    return str(parsed)
