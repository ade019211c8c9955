"""Configuration defaults and the instance secret key."""

import os
import secrets
from pathlib import Path

from flask import Flask

SECRET_KEY_FILE = "secret_key"


def defaults(instance_path: str) -> dict:
    """Defaults; instance/config.py and BANTIN_* environment variables override them."""
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(instance_path) / 'bantin.db'}",
        "UPLOAD_FOLDER": str(Path(instance_path) / "uploads"),
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        # Documents attached to articles (PDF, DOCX, XLSX, PPTX, ODT, ODS): the upload
        # endpoints alone accept a request this large (every other route keeps the above).
        "ATTACHMENT_MAX_BYTES": 20 * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "LANGUAGES": ("vi", "en"),
        "SPAM_GUARD_ENABLED": True,
        "PROXY_COUNT": 0,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"timeout": 10}},
        # The sliding window after which a returning browser counts as a new visit.
        "VISIT_WINDOW_SECONDS": 30 * 60,
        # Audit entries older than this many days go with `flask purge` (0 keeps them).
        "AUDIT_KEEP_DAYS": 365,
    }


def ensure_secret_key(app: Flask) -> None:
    """Use the configured key, else a key generated once into instance/secret_key (0600)."""
    if app.config.get("SECRET_KEY"):
        return
    path = Path(app.instance_path) / SECRET_KEY_FILE
    if not path.exists():
        # Write a private temp file, then link it into place: workers starting together
        # all end up reading the one key that won the race, never a half-written file.
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{SECRET_KEY_FILE}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    app.config["SECRET_KEY"] = path.read_text().strip()
