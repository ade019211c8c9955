"""Work in progress kept on the server: one autosave per user and article (or new article).

The editor posts the form's title, lead and body every 30 s while there are changes, and once
more when the page is left. Each post replaces the user's one row for that slot (no revision
per tick). The row is offered for recovery when the article is opened again, only if it is
newer than the stored article and differs from it; a real save deletes it. Every function
takes the user's id: nobody ever reads or writes another person's autosave.

Writes are single short transactions committed by the caller at once; reading an offer never
writes (stale rows go when the slot is saved, discarded or purged).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from bantin.articles import clean_lead
from bantin.clock import utcnow
from bantin.extensions import db
from bantin.models import Article, ArticleAutosave
from bantin.sanitize import clean_html
from bantin.text import clean_line

NEW_SLOT = "new"
# More than one write per slot in this time is not needed: extras answer with the last time.
MIN_INTERVAL = timedelta(seconds=5)
MAX_AGE = timedelta(days=30)


def slot_for(article_id: int | None) -> str:
    return NEW_SLOT if article_id is None else str(article_id)


@dataclass(frozen=True)
class Draft:
    """Normalised like a real save: NFC title on one line, tidy lead, sanitised body."""

    title: str
    lead: str
    body: str

    @classmethod
    def from_form(cls, title: str | None, lead: str | None, body: str | None) -> Draft:
        return cls(title=clean_line(title), lead=clean_lead(lead), body=clean_html(body))

    def same_as(self, row: ArticleAutosave | Article) -> bool:
        return (self.title, self.lead, self.body) == (row.title, row.lead or "", row.body or "")

    @property
    def empty(self) -> bool:
        return not (self.title or self.lead or self.body)


def get(user_id: int, article_id: int | None) -> ArticleAutosave | None:
    return db.session.scalar(
        sa.select(ArticleAutosave).where(
            ArticleAutosave.user_id == user_id,
            ArticleAutosave.slot == slot_for(article_id),
        )
    )


def store(
    user_id: int,
    article: Article | None,
    base_version: int | None,
    draft: Draft,
    now: datetime | None = None,
) -> tuple[ArticleAutosave, bool]:
    """Insert or replace the user's row for the slot; (row, written). The caller commits.

    Not written (and the old row returned) when the last write was under MIN_INTERVAL ago,
    or when nothing changed since it.
    """
    now = now or utcnow()
    article_id = article.id if article is not None else None
    row = get(user_id, article_id)
    if row is not None and (now - row.saved_at < MIN_INTERVAL or draft.same_as(row)):
        return row, False
    if row is None:
        row = ArticleAutosave(user_id=user_id, article_id=article_id, slot=slot_for(article_id))
        db.session.add(row)
    row.base_version = base_version
    row.title, row.lead, row.body = draft.title, draft.lead, draft.body
    row.saved_at = now
    try:
        db.session.flush()
    except IntegrityError:
        # Two posts for one slot at once (two tabs): the other one's row stands; write into it.
        db.session.rollback()
        row = get(user_id, article_id)
        if row is None:
            raise
        row.base_version = base_version
        row.title, row.lead, row.body = draft.title, draft.lead, draft.body
        row.saved_at = now
        db.session.flush()
    return row, True


def discard(user_id: int, article_id: int | None) -> bool:
    """Delete the user's autosave for the slot (a real save, or "Bỏ qua"); the caller commits."""
    result = db.session.execute(
        sa.delete(ArticleAutosave).where(
            ArticleAutosave.user_id == user_id,
            ArticleAutosave.slot == slot_for(article_id),
        )
    )
    return bool(result.rowcount)


def offer(user_id: int, article: Article | None) -> ArticleAutosave | None:
    """The autosave to offer for recovery when the form opens, or None. Never writes.

    For an article: only a row saved after the article's last save whose title, lead or body
    differ from the stored ones. For a new article: a row with anything in it.
    """
    row = get(user_id, article.id if article is not None else None)
    if row is None:
        return None
    draft = Draft(row.title, row.lead or "", row.body or "")
    if article is None:
        return None if draft.empty else row
    if row.saved_at <= article.updated_at or draft.same_as(article):
        return None
    return row


def purge(now: datetime | None = None) -> int:
    """Delete autosaves older than MAX_AGE (the `purge` command); the caller commits."""
    cutoff = (now or utcnow()) - MAX_AGE
    result = db.session.execute(sa.delete(ArticleAutosave).where(ArticleAutosave.saved_at < cutoff))
    return result.rowcount or 0
