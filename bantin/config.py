"""Configuration defaults and the instance secret key."""

import os
import secrets
from pathlib import Path
from urllib.parse import quote

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
        # SQLite's busy timeout (seconds); on PostgreSQL, engine_options() makes it the
        # connection timeout.
        "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"timeout": 10}},
        # The sliding window after which a returning browser counts as a new visit.
        "VISIT_WINDOW_SECONDS": 30 * 60,
        # nginx's log of pages it served from its cache (issue 16): `flask count-views` adds
        # them to the counters (bantin.view_log). BANTIN_VIEWS_LOG_PATH moves it.
        "VIEWS_LOG_PATH": "/var/log/nginx/bantin.views.log",
        # Audit entries older than this many days go with `flask purge` (0 keeps them).
        "AUDIT_KEEP_DAYS": 365,
        # Mail (bantin.mail, docs/mail.md). No MAIL_SERVER: mail is off, nothing is queued
        # and the admin pages say so.
        "MAIL_SERVER": None,
        "MAIL_PORT": 25,
        "MAIL_USE_TLS": False,  # STARTTLS after connecting (usually port 587)
        "MAIL_USE_SSL": False,  # TLS from the first byte (usually port 465)
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_DEFAULT_SENDER": None,  # "Name <address>" or an address
        # The site's public address for links in messages ("https://news.example.org");
        # unset, links use the address of the request that queued the message.
        "MAIL_SITE_URL": None,
        "MAIL_TIMEOUT": 30,  # seconds for each SMTP connection
        "MAIL_MAX_ATTEMPTS": 8,  # then the message is "failed" (an admin may retry it)
        # A background sender thread in each app process (the systemd timer is the default).
        "MAIL_WORKER": False,
        "MAIL_WORKER_INTERVAL": 60,
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
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        except OSError as exc:
            raise RuntimeError(
                f"Bantin cannot create {path} ({exc.strerror}): make {path.parent} writable "
                "for the first start, or set BANTIN_SECRET_KEY."
            ) from exc
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    app.config["SECRET_KEY"] = path.read_text().strip()


def sqlite_read_only_params(path: Path) -> str | None:
    """SQLite URI parameters that still read ``path`` when its folder cannot be written.

    WAL needs ``-wal`` and ``-shm`` files beside the database; in a read-only folder
    (a read-only mount, a folder without write permission) SQLite cannot create them and
    refuses even to read. With no WAL left behind, the file is complete and nobody can
    change it, so it is opened immutable; an existing WAL is read through ``mode=ro``.
    None when the folder is writable (or the file is missing): open it normally.
    """
    folder = path.parent
    if not path.is_file() or os.access(folder, os.W_OK | os.X_OK):
        return None
    leftovers = (folder / f"{path.name}{suffix}" for suffix in ("-wal", "-journal"))
    if any(p.exists() and p.stat().st_size for p in leftovers):
        return "mode=ro"
    return "mode=ro&immutable=1"


def read_only_database(app: Flask) -> None:
    """Serve readers from a database whose folder is read-only (editing then answers 503)."""
    import sqlalchemy as sa

    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    name = url.database
    if url.get_backend_name() != "sqlite" or not name or name == ":memory:":
        return
    if name.startswith("file:"):  # already a SQLite URI: the operator chose its mode
        return
    path = Path(name)
    if not path.is_absolute():
        path = Path(app.instance_path) / path
    params = sqlite_read_only_params(path)
    if params is None:
        return
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///file:{quote(str(path))}?{params}&uri=true"
    app.logger.warning(
        "%s is in a read-only folder: serving readers without writes; editing answers 503 "
        "until the folder is writable and the server restarted.",
        path,
    )


def engine_options(app: Flask) -> None:
    """Give a PostgreSQL URL the options its driver understands: psycopg has no `timeout`
    argument (SQLite's busy timeout), it has `connect_timeout`; pooled connections are
    checked before use, so a restarted server costs one reconnect rather than an error."""
    import sqlalchemy as sa

    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        return
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    timeout = connect_args.pop("timeout", None)
    if timeout is not None and url.get_backend_name() == "postgresql":
        connect_args.setdefault("connect_timeout", int(timeout))
    options["connect_args"] = connect_args
    options.setdefault("pool_pre_ping", True)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
