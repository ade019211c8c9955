"""Redirects that take a target from the request never leave the site.

tests/test_auth.py covers /login?next=; this covers the other redirect that reads a
target (/lang/<code>?next=) and checks every Location the table produces.
"""

from urllib.parse import urlsplit

import pytest

UNSAFE = [
    "//evil.example",
    "///evil.example",
    "////evil.example",
    "/\t/evil.example",
    " //evil.example",
    "\\/evil.example",
    "/\\evil.example",
    "https:evil.example",
    "http:/evil.example",
    "http://evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "\r\n//evil.example",
    "/\n/evil.example",
    "evil.example",
    "//evil.example/%2F..",
    "/%2F/evil.example",
]


def _stays_local(location: str) -> bool:
    parts = urlsplit(location)
    return (
        not parts.scheme
        and not parts.netloc
        and location.startswith("/")
        and not location.startswith("//")
        and "\\" not in location
    )


@pytest.mark.parametrize("target", UNSAFE)
def test_language_switch_never_redirects_off_site(client, target):
    response = client.get("/lang/en", query_string={"next": target})
    assert response.status_code in (302, 303, 400)
    if response.status_code != 400:
        assert _stays_local(response.location), response.location


@pytest.mark.parametrize("target", ["/", "/search?q=tin", "/category/thoi-su?page=2"])
def test_language_switch_follows_local_paths(client, target):
    response = client.get("/lang/vi", query_string={"next": target})
    assert response.status_code == 302
    assert response.location == target
