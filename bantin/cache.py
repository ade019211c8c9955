"""Process-local cache of reader page data, invalidated by a content version in the database.

Every flush that touches what readers see (articles, categories, links, settings) bumps
``content_state.version`` in the same transaction. Each request reads that one
integer; a worker whose cache was built from another version drops it. Entries also expire
when a scheduled article falls due, so scheduling still needs no timer. Cached values are
plain snapshots, never ORM objects, so they outlive the session that loaded them.
"""

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from itertools import chain
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from flask import current_app, g
from sqlalchemy import event
from sqlalchemy.orm import Session

from bantin.clock import utcnow
from bantin.extensions import db
from bantin.models import (
    Article,
    Category,
    Contact,
    ContactUnit,
    DocumentTerm,
    MenuItem,
    OfficialDocument,
    OfficialDocumentFile,
    Page,
    ScheduleEntry,
    ScheduleWeek,
    SiteSettings,
    WebLink,
)

# Everything readers see: a change to any of these rows moves the content version.
WATCHED = (
    Article,
    Category,
    WebLink,
    SiteSettings,
    OfficialDocument,
    OfficialDocumentFile,
    DocumentTerm,
    Page,
    MenuItem,
    ContactUnit,
    Contact,
    ScheduleEntry,
    ScheduleWeek,
)
# A safety net only: versions do the real invalidation.
MAX_AGE = timedelta(minutes=5)
# Least recently used entries go first; whole rendered pages (~25 KB) are among them, so
# this bounds a worker's cache to roughly 15 MB however many addresses readers try.
MAX_ENTRIES = 600


def _bump_content_version(session: Session, _context) -> None:
    changed = chain(session.new, session.dirty, session.deleted)
    if any(isinstance(obj, WATCHED) for obj in changed):
        session.connection().execute(sa.text("UPDATE content_state SET version = version + 1"))


def register_listeners() -> None:
    """Every flush that touches a WATCHED row bumps the content version (called by
    create_app; idempotent)."""
    if not event.contains(Session, "after_flush", _bump_content_version):
        event.listen(Session, "after_flush", _bump_content_version)


def bump() -> None:
    """For writers that bypass the ORM (bulk loads): make every worker rebuild."""
    db.session.execute(sa.text("UPDATE content_state SET version = version + 1"))


def snapshot(obj: Any, fields: Iterable[str]) -> SimpleNamespace:
    return SimpleNamespace(**{name: getattr(obj, name) for name in fields})


def settings_snapshot(settings: SiteSettings) -> SimpleNamespace:
    return snapshot(settings, (c.key for c in sa.inspect(SiteSettings).column_attrs))


_VERSION = sa.text("SELECT version FROM content_state WHERE id = 1")


class PageCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[Any, Any] = OrderedDict()
        self._version: int | None = None
        self._built_at: datetime | None = None
        self._valid_until: datetime | None = None

    def _current_version(self) -> int:
        version = g.get("content_version")
        if version is None:
            # On the session's connection (the same transaction as the page's other reads),
            # without the ORM's execute: this runs on every reader page (issue 16).
            version = (
                db.session.connection().execute(_VERSION).scalar() or 0  # type: ignore[union-attr]
            )
            g.content_version = version
        return version

    def _next_due(self, now: datetime) -> datetime | None:
        return db.session.scalar(
            sa.select(sa.func.min(Article.published_at)).where(Article.scheduled_clause(now))
        )

    def _is_stale(self, version: int, now: datetime) -> bool:
        """Built from another version, past a due time, or the clock went back (tests)."""
        return (
            version != self._version
            or self._valid_until is None
            or now >= self._valid_until
            or (self._built_at is not None and now < self._built_at)
        )

    def get(self, key: Any, build: Callable[[], Any]) -> Any:
        """The cached value for key, built (once per version and due time) when missing.

        Each entry carries the content version it was built from, and a value is stored only
        while the cache still holds that version: a request that read an older version
        (another thread saw a newer one meanwhile) gets its own build and stores nothing.
        """
        version = self._current_version()
        now = utcnow()
        with self._lock:
            if self._version is not None and version < self._version:
                behind = True
            else:
                behind = False
                stale = self._is_stale(version, now)
                if stale:
                    self._entries.clear()
                else:
                    entry = self._entries.get(key)
                    if entry is not None and entry[0] == version:
                        self._entries.move_to_end(key)
                        return entry[1]
        if behind:
            return build()
        if stale:
            due = self._next_due(now)
            valid_until = min(due, now + MAX_AGE) if due else now + MAX_AGE
            with self._lock:
                if self._version is None or version >= self._version:
                    self._version, self._built_at, self._valid_until = version, now, valid_until
        value = build()
        with self._lock:
            if self._version == version:
                self._entries[key] = (version, value)
                while len(self._entries) > MAX_ENTRIES:
                    self._entries.popitem(last=False)
        return value


def page_cache() -> PageCache:
    """The cache of this app (tests build many apps in one process; they must not share)."""
    cache = current_app.extensions.get("bantin_page_cache")
    if cache is None:
        cache = current_app.extensions.setdefault("bantin_page_cache", PageCache())
    return cache


def cached(key: Any, build: Callable[[], Any]) -> Any:
    return page_cache().get(key, build)


def clear() -> None:
    current_app.extensions.pop("bantin_page_cache", None)


class Hole(str):
    """A placeholder rendered into a cached page and filled per request (``fill_holes``).

    Only ASCII letters, digits, "-" and "_": HTML escaping and URL building leave it as it
    is, so a hole can stand in an attribute or inside a URL (a captcha token in an image
    address). The marker holds a random per-process nonce, so no stored content can forge one.
    """

    NONCE = secrets.token_hex(8)

    def __new__(cls, name: str) -> "Hole":
        if not _HOLE_NAME.fullmatch(name):
            raise ValueError(f"hole names are lowercase letters, digits and '-': {name!r}")
        return super().__new__(cls, f"BantinHole_{cls.NONCE}_{name}_")


_HOLE_NAME = re.compile(r"[a-z0-9-]+")
_HOLES = re.compile(rf"BantinHole_{Hole.NONCE}_[a-z0-9-]+_")


def fill_holes(html: str, values: dict[Hole, str]) -> str:
    """Every hole replaced by its value in one pass; values are HTML, inserted as they are."""
    return _HOLES.sub(lambda match: values.get(match[0], match[0]), html)
