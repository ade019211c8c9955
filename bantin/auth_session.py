"""Flask-Login wiring: session ids carry a version so sessions can be revoked."""

import sqlalchemy as sa
from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager

from bantin.extensions import db
from bantin.models.user import AnonymousUser, User


def init_login(app: Flask, login_manager: LoginManager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Vui lòng đăng nhập để tiếp tục.")
    login_manager.login_message_category = "info"
    login_manager.anonymous_user = AnonymousUser
    # "strong" would log people out when their IP changes (mobile networks); the
    # session version already makes stolen or old cookies revocable.
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)


def load_user(user_id: str) -> User | None:
    """Accept "<id>:<session_version>" only while the version is current and the user active."""
    raw_id, sep, raw_version = user_id.partition(":")
    if not sep or not raw_id.isdigit() or not raw_version.isdigit():
        return None
    if len(raw_id) > 18 or len(raw_version) > 18:
        return None
    user = db.session.scalar(sa.select(User).where(User.id == int(raw_id)))
    if user is None or not user.active or user.session_version != int(raw_version):
        return None
    return user
