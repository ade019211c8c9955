"""Helpers for the fault suite: a cookie-keeping HTTP client and the comment round trip."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import sqlite3
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path

from tests.security.forms import parse_forms

NETWORK_ERRORS = (OSError, http.client.HTTPException, urllib.error.URLError)


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One reader: keeps cookies (the captcha is bound to the session), never follows
    redirects, and talks to whatever ``base`` currently is (servers restart on new ports)."""

    def __init__(self, base: str, insecure_tls: bool = False, user_agent: str = "") -> None:
        self.base = base
        self.jar = CookieJar()
        handlers: list = [urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()]
        if insecure_tls:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            handlers.append(urllib.request.HTTPSHandler(context=context))
        self.opener = urllib.request.build_opener(*handlers)
        self.user_agent = user_agent or "Mozilla/5.0 (X11; Linux x86_64) BantinFaultTest"

    def request(
        self,
        method: str,
        path: str,
        data: dict | bytes | None = None,
        timeout: float = 15,
        headers: dict | None = None,
    ) -> Reply:
        body = urllib.parse.urlencode(data).encode() if isinstance(data, dict) else data
        request = urllib.request.Request(
            self.base + path,
            data=body,
            method=method,
            headers={"User-Agent": self.user_agent, **(headers or {})},
        )
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return Reply(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx, 5xx
            with error:
                return Reply(error.code, error.headers, error.read())

    def get(self, path: str, **kw) -> Reply:
        return self.request("GET", path, **kw)

    def post(self, path: str, data: dict, **kw) -> Reply:
        return self.request("POST", path, data, **kw)


def comment_form(html: str):
    forms = [f for f in parse_forms(html) if f.method == "post" and "/comments" in f.action]
    return forms[0] if forms else None


def post_comment(
    browser: Browser, article_path: str, content: str, headers: dict | None = None
) -> tuple[Reply, Reply | None]:
    """GET the article (one counted view), then POST a comment from its form."""
    page = browser.get(article_path, headers=headers)
    if page.status != 200:
        return page, None
    form = comment_form(page.text)
    assert form is not None, "the article page has no comment form"
    data = form.data(name="Bạn đọc thử", content=content, captcha="TEST1", email="", address="")
    data.pop("website", None)
    if not data.get("captcha_token"):
        # A page shared by nginx's microcache: fetch the tokens as comments.js does.
        tokens = browser.get(form.action.split("#")[0].replace("/comments", "/comment-tokens"))
        assert tokens.status == 200, tokens.status
        fetched = json.loads(tokens.text)
        data.update(captcha_token=fetched["token"], csrf_token=fetched["csrf"])
    return page, browser.post(form.action.split("#")[0], data, headers=headers)


def _postgresql(db_path: Path) -> str | None:
    """The URL of the test folder's PostgreSQL database when the suite runs there."""
    from tests.conftest import ON_POSTGRESQL, POSTGRESQL

    return POSTGRESQL.database_for(db_path.parent) if ON_POSTGRESQL else None


def integrity(db_path: Path) -> str:
    if _postgresql(db_path):
        return "ok"  # PostgreSQL has no integrity_check; its own WAL keeps it consistent
    conn = sqlite3.connect(db_path, timeout=30)
    try:
        return ";".join(r[0] for r in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


def query(db_path: Path, sql: str, *args) -> list[tuple]:
    return _run(db_path, sql, args, commit=False)


def execute(db_path: Path, sql: str, *args) -> None:
    """One committed write, on the suite's engine (qmark placeholders on both)."""
    _run(db_path, sql, args, commit=True)


def _run(db_path: Path, sql: str, args: tuple, commit: bool) -> list[tuple]:
    url = _postgresql(db_path)
    if url:
        import sqlalchemy as sa

        engine = sa.create_engine(url, poolclass=sa.NullPool)
        try:
            with engine.begin() if commit else engine.connect() as conn:
                # qmark placeholders, as sqlite3 takes them, become psycopg's
                result = conn.exec_driver_sql(sql.replace("?", "%s"), tuple(args))
                return [tuple(r) for r in result.all()] if result.returns_rows else []
        finally:
            engine.dispose()
    conn = sqlite3.connect(db_path, timeout=30)
    try:
        if commit:
            with conn:
                conn.execute(sql, args)
            return []
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def children(pid: int) -> list[int]:
    """Direct children of a process (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: split after it.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def kill9(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
