"""The client's address as this deployment can trust it."""

from flask import request


def client_ip() -> str:
    """request.remote_addr: ProxyFix (PROXY_COUNT) rewrites it only behind trusted proxies."""
    return (request.remote_addr or "")[:64]
