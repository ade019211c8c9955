"""Editors, admins and sign-in attempts."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_login import AnonymousUserMixin, UserMixin
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from bantin.clock import utcnow
from bantin.extensions import db

# OWASP's password storage cheat sheet lists scrypt N=2^15, r=8, p=3 among its minimum
# parameter sets (32 MiB per hash: fine on a small VPS). Werkzeug's default uses p=1.
PASSWORD_METHOD = "scrypt:32768:8:3"
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 256


class Role(enum.StrEnum):
    """What each role may do is in bantin.permissions.CAPABILITIES."""

    CONTRIBUTOR = "contributor"  # writes drafts and submits them for review
    EDITOR = "editor"  # reviews and publishes; the portal's content
    ADMIN = "admin"  # also users, settings, the menu, the audit log


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[Role] = mapped_column(
        sa.Enum(Role, native_enum=False, length=16, validate_strings=True), default=Role.EDITOR
    )
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the session identity: bumping it (logout, password change, disable)
    # makes every old session and remember-me cookie useless.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column()
    # The language of the messages mailed to this user ("vi" or "en"; bantin.mail).
    language: Mapped[str] = mapped_column(sa.String(8), default="vi", server_default="vi")
    # How often this user is mailed what waits for moderation ("off", "hourly", "daily";
    # bantin.mail.digest), and when the last such message was queued.
    digest: Mapped[str] = mapped_column(sa.String(10), default="daily", server_default="daily")
    digest_sent_at: Mapped[datetime | None] = mapped_column()
    # Two-factor sign-in (bantin.two_factor): the TOTP secret (base32) is set when setup
    # starts and counts only once totp_enabled_at is set; totp_last_step is the time-step
    # of the last accepted code, so that code (or an older one) is never accepted again.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column()
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)

    def set_password(self, password: str) -> None:
        method = PASSWORD_METHOD
        if has_app_context():  # tests may choose a cheaper hash to stay fast
            method = current_app.config.get("PASSWORD_HASH_METHOD", PASSWORD_METHOD)
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def two_factor_enabled(self) -> bool:
        return self.totp_enabled_at is not None and bool(self.totp_secret)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def revoke_sessions(self) -> None:
        self.session_version += 1

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class AnonymousUser(AnonymousUserMixin):
    is_admin = False


class LoginAttempt(db.Model):
    __table_args__ = (
        sa.Index("ix_login_attempt_email_created", "email", "created_at"),
        sa.Index("ix_login_attempt_ip_created", "ip", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    ip: Mapped[str] = mapped_column(sa.String(64))
    success: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
