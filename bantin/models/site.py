"""Site settings (one row) and web links."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bantin.extensions import db


class SiteSettings(db.Model):
    """A single row (id 1) of typed settings; load with SiteSettings.get()."""

    id: Mapped[int] = mapped_column(primary_key=True)
    site_name: Mapped[str] = mapped_column(sa.String(200), default="Bản tin")
    tagline: Mapped[str] = mapped_column(sa.String(300), default="")
    logo_url: Mapped[str | None] = mapped_column(sa.String(300))
    owner: Mapped[str] = mapped_column(sa.String(200), default="")
    managing_body: Mapped[str] = mapped_column(sa.String(300), default="")
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    phone: Mapped[str] = mapped_column(sa.String(100), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    credit_line: Mapped[str] = mapped_column(sa.String(300), default="")
    fax: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    hotline: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    # English for the organisation and its contacts (Decree 42/2022, Art. 7).
    site_name_en: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    owner_en: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    address_en: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    # A monitoring or analytics script (the state EMC service): loaded from this https URL
    # on every reader page; its origin is added to the CSP's script-src.
    analytics_script_url: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    # The schedule's heading note, e.g. "Lịch này thay thư mời họp".
    schedule_note: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    articles_per_page: Mapped[int] = mapped_column(default=20)
    # Comment policy
    comments_require_approval: Mapped[bool] = mapped_column(default=True)
    comments_auto_approve_returning: Mapped[bool] = mapped_column(default=False)
    comments_close_after_days: Mapped[int] = mapped_column(default=0)  # 0: never close
    moderation_keywords: Mapped[str] = mapped_column(sa.Text, default="")  # one per line
    blocked_keywords: Mapped[str] = mapped_column(sa.Text, default="")
    blocked_ips: Mapped[str] = mapped_column(sa.Text, default="")
    # Admins must sign in with two-factor; one without it is sent to its setup.
    two_factor_required_for_admins: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false()
    )

    @classmethod
    def get(cls) -> SiteSettings:
        """The settings row (made by the migration). Never writes: a reader's GET that
        inserted it once held SQLite's write lock for the rest of its request."""
        settings = db.session.get(cls, 1)
        if settings is None:  # a database made without the migrations: defaults, unsaved
            settings = cls(
                id=1,
                **{
                    column.key: column.default.arg
                    for column in cls.__table__.columns
                    if column.default is not None and not callable(column.default.arg)
                },
            )
        return settings


class WebLink(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    url: Mapped[str] = mapped_column(sa.String(500))
    position: Mapped[int] = mapped_column(default=0)
    visible: Mapped[bool] = mapped_column(default=True)


class ContentState(db.Model):
    """One row (id 1, made by the migration): the version of everything readers see.

    Bumped in the same transaction as any such change (bantin.cache); every worker compares
    it with the version its cached page data was built from.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=1)
