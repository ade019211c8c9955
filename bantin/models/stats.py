"""Daily visit and view counters, and generic rate-limit events."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bantin.clock import utcnow
from bantin.extensions import db


class DailyStats(db.Model):
    """Site-wide visits and page views for one local day."""

    day: Mapped[date] = mapped_column(primary_key=True)
    visits: Mapped[int] = mapped_column(default=0)
    page_views: Mapped[int] = mapped_column(default=0)


class ArticleDailyViews(db.Model):
    """Views of one article on one local day (the dashboard's top articles this month)."""

    __table_args__ = (sa.Index("ix_article_daily_views_day", "day"),)

    article_id: Mapped[int] = mapped_column(
        sa.ForeignKey("article.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True)
    views: Mapped[int] = mapped_column(default=0)


class RateEvent(db.Model):
    """One hit against a named limit (e.g. captcha images per IP); old rows are purged."""

    __table_args__ = (sa.Index("ix_rate_event_bucket_key_created", "bucket", "key", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bucket: Mapped[str] = mapped_column(sa.String(40))
    key: Mapped[str] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ViewLogPosition(db.Model):
    """How far `flask count-views` has read nginx's view log (bantin.view_log).

    The file is named by (device, inode), not only by path: after logrotate renames it, the
    stored inode is found again at ``path + ".1"`` and finished before the new file starts.
    The offset is saved in the same transaction as the counts it stands for.
    """

    path: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    device: Mapped[int] = mapped_column(sa.BigInteger)
    inode: Mapped[int] = mapped_column(sa.BigInteger)
    offset: Mapped[int] = mapped_column(sa.BigInteger)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
