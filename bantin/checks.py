"""A deployment self-check in the spirit of Django's ``check --deploy``.

``flask --app app check`` prints every finding; a production server (any WSGI server,
outside debug and testing, not the ``flask`` command) refuses to start on an error,
with the same message. Warnings are logged and left to the operator.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import sqlite3
import stat
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import quote

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext

from bantin import backup
from bantin.config import SECRET_KEY_FILE, sqlite_read_only_params

# Keys that appear in tutorials, templates and .env examples, compared case-insensitively.
WEAK_SECRET_KEYS = frozenset(
    {
        "dev",
        "development",
        "test",
        "testing",
        "secret",
        "secretkey",
        "secret-key",
        "secret_key",
        "mysecret",
        "supersecret",
        "changeme",
        "change-me",
        "change_me",
        "changethis",
        "please-change-me",
        "your-secret-key",
        "yoursecretkey",
        "password",
        "default",
        "flask",
        "bantin",
        "insecure",
        "not-secret",
        "12345",
        "123456",
        "x",
    }
)
MIN_SECRET_LENGTH = 32
MIN_SECRET_DISTINCT = 10
MAX_SENSIBLE_UPLOAD = 64 * 1024 * 1024


class Level(StrEnum):
    OK = "ok"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Finding:
    level: Level
    name: str
    message: str


class UnsafeDeployment(RuntimeError):
    """Raised by create_app when a production server must not start."""


def _ok(name: str, message: str) -> Finding:
    return Finding(Level.OK, name, message)


def _warn(name: str, message: str) -> Finding:
    return Finding(Level.WARNING, name, message)


def _error(name: str, message: str) -> Finding:
    return Finding(Level.ERROR, name, message)


# ---------------------------------------------------------------- individual checks


def secret_key_problem(key: object) -> str | None:
    """Why a configured SECRET_KEY is weak, or None when it is fine."""
    if not isinstance(key, str | bytes) or not key:
        return "SECRET_KEY is not set"
    text = key.decode("latin-1") if isinstance(key, bytes) else key
    folded = text.strip().lower()
    if folded in WEAK_SECRET_KEYS or ("change" in folded and "me" in folded):
        return "SECRET_KEY is a well-known placeholder"
    if len(text) < MIN_SECRET_LENGTH:
        return f"SECRET_KEY is shorter than {MIN_SECRET_LENGTH} characters"
    if len(set(text)) < MIN_SECRET_DISTINCT:
        return "SECRET_KEY has too few distinct characters"
    return None


def check_secret_key(app: Flask) -> list[Finding]:
    key = app.config.get("SECRET_KEY")
    key_file = Path(app.instance_path) / SECRET_KEY_FILE
    generated = key_file.exists() and key == key_file.read_text().strip()
    findings = []
    problem = secret_key_problem(key)
    if problem:
        findings.append(
            _error(
                "secret_key",
                f"{problem}. Remove it from the configuration to use the key generated in "
                f"{key_file}, or set BANTIN_SECRET_KEY to the output of "
                '`python3 -c "import secrets; print(secrets.token_hex(32))"`.',
            )
        )
    elif generated:
        findings.append(_ok("secret_key", f"generated key in {key_file}"))
    else:
        findings.append(_ok("secret_key", "configured key is long and random-looking"))
    if generated and key_file.stat().st_mode & 0o077:
        findings.append(
            _warn("secret_key", f"{key_file} is readable by other users: chmod 600 {key_file}")
        )
    return findings


def check_modes(app: Flask) -> list[Finding]:
    findings = []
    if app.debug:
        findings.append(
            _error("debug", "DEBUG is on: the debugger runs code for anyone who can reach it.")
        )
    if app.testing:
        findings.append(
            _error("testing", "TESTING is on: errors raise, the captcha test answer works.")
        )
    if not app.config.get("WTF_CSRF_ENABLED", True):
        findings.append(_error("csrf", "WTF_CSRF_ENABLED is off: forms can be forged."))
    if not app.config.get("SPAM_GUARD_ENABLED", True):
        findings.append(_warn("spam_guard", "SPAM_GUARD_ENABLED is off (for benchmarks only)."))
    if not findings:
        findings.append(_ok("modes", "debug and testing are off, CSRF protection is on"))
    return findings


def check_cookies(app: Flask) -> list[Finding]:
    config = app.config
    findings = []
    if not config.get("SESSION_COOKIE_HTTPONLY", True) or not config.get(
        "REMEMBER_COOKIE_HTTPONLY", True
    ):
        findings.append(_error("cookies", "session cookies must be HttpOnly."))
    if str(config.get("SESSION_COOKIE_SAMESITE")).lower() not in ("lax", "strict"):
        findings.append(_warn("cookies", "SESSION_COOKIE_SAMESITE should be Lax."))
    insecure = [
        key for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE") if not config.get(key)
    ]
    if insecure:
        findings.append(
            _warn(
                "cookies",
                f"{' and '.join(insecure)} off: behind HTTPS set "
                + ", ".join(f"{key} = True" for key in insecure)
                + " in instance/config.py (cookies on HTTPS requests get Secure anyway).",
            )
        )
    else:
        findings.append(_ok("cookies", "HttpOnly, SameSite and Secure cookies"))
    return findings


def check_limits(app: Flask) -> list[Finding]:
    findings = []
    limit = app.config.get("MAX_CONTENT_LENGTH")
    if not limit:
        findings.append(_error("max_content_length", "MAX_CONTENT_LENGTH is unset: no limit."))
    elif limit > MAX_SENSIBLE_UPLOAD:
        findings.append(
            _warn("max_content_length", f"MAX_CONTENT_LENGTH is {limit} bytes: unusually large.")
        )
    else:
        mib = limit / (1024 * 1024)
        findings.append(
            _ok(
                "max_content_length",
                f"{mib:g} MiB (nginx client_max_body_size should be {mib:g}m)",
            )
        )
    raw = app.config.get("PROXY_COUNT", 0)
    try:
        count = int(raw)
    except (TypeError, ValueError):
        count = -1
    if count < 0 or count > 5:
        findings.append(_error("proxy_count", f"PROXY_COUNT={raw!r} is not 0..5."))
    elif count == 0:
        findings.append(
            _warn(
                "proxy_count",
                "PROXY_COUNT is 0: behind nginx set PROXY_COUNT = 1 in instance/config.py, or "
                "every reader looks like 127.0.0.1 (one shared rate limit) and HTTPS goes unseen.",
            )
        )
    else:
        findings.append(_ok("proxy_count", f"trusting {count} reverse proxy(ies)"))
    return findings


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def check_folders(app: Flask) -> list[Finding]:
    findings = []
    instance = Path(app.instance_path)
    if _mode(instance) & stat.S_IWOTH:
        findings.append(_error("instance", f"{instance} is world-writable: chmod 750 {instance}"))
    elif _mode(instance) & stat.S_IROTH:
        findings.append(
            _warn("instance", f"{instance} is readable by every user: chmod 750 {instance}")
        )
    else:
        findings.append(_ok("instance", f"{instance} is private"))
    # A read-only folder is a supported state (a read-only mount, maintenance): readers are
    # served and uploads answer 503, so it is worth a warning, never a refusal to start.
    uploads = Path(app.config["UPLOAD_FOLDER"])
    if uploads.is_dir():
        if os.access(uploads, os.W_OK | os.X_OK):
            findings.append(_ok("uploads", f"{uploads} is writable"))
        else:
            findings.append(
                _warn(
                    "uploads",
                    f"{uploads} is not writable by this user: uploads answer 503 until it is.",
                )
            )
    elif os.access(uploads.parent, os.W_OK | os.X_OK):
        findings.append(_ok("uploads", f"{uploads} will be created on the first upload"))
    else:
        findings.append(
            _warn(
                "uploads",
                f"{uploads} is missing and cannot be created: uploads answer 503 until it can.",
            )
        )
    return findings


def check_database(app: Flask, deep: bool) -> list[Finding]:
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "postgresql":
        return check_postgresql(app, url, deep)
    try:
        path = backup.database_path(app)
    except backup.BackupError as exc:
        return [_error("database", str(exc))]
    if not path.exists():
        return [_error("database", f"no database at {path}: run `flask --app app db upgrade`.")]
    findings = []
    read_only = sqlite_read_only_params(path)
    if read_only:
        findings.append(
            _warn(
                "read_only",
                f"{path.parent} is read-only: readers are served, editing answers 503. Make it "
                "writable by this user and restart the site to edit again.",
            )
        )
    elif not os.access(path, os.W_OK):
        findings.append(
            _warn(
                "read_only",
                f"{path} is read-only: readers are served, editing answers 503. "
                f"Fix its owner or mode (chmod 640 {path}).",
            )
        )
    try:
        if read_only:
            uri = f"file:{quote(str(path))}?{read_only}"
            conn = sqlite3.connect(uri, uri=True, timeout=10)
        else:
            conn = sqlite3.connect(str(path), timeout=10)
        try:
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
            has_version = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
            ).fetchone()
            rows = (
                conn.execute("SELECT version_num FROM alembic_version").fetchall()
                if has_version
                else []
            )
            integrity = conn.execute("PRAGMA quick_check").fetchall() if deep else None
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return [_error("database", f"{path} cannot be read: {exc}")]
    if read_only:
        pass  # an immutable file reports no journal mode of its own; the warning above says it
    elif mode != "wal":
        findings.append(
            _warn("wal", f"journal_mode is {mode}: the app switches to WAL on its next connect.")
        )
    else:
        findings.append(_ok("wal", "SQLite runs in WAL mode"))
    findings.extend(_schema_findings(app, rows[0][0] if rows else None, str(path)))
    if integrity is not None:
        if integrity == [("ok",)]:
            findings.append(_ok("integrity", "PRAGMA quick_check ok"))
        else:
            detail = "; ".join(str(r[0]) for r in integrity[:3])
            findings.append(
                _error("integrity", f"PRAGMA quick_check failed: {detail}. Restore a backup.")
            )
    return findings


def check_postgresql(app: Flask, url: sa.engine.URL, deep: bool) -> list[Finding]:
    """The PostgreSQL database: reachable, writable (not a standby), migrated to the head,
    with the folding function of migration 0013. ``deep`` adds nothing: PostgreSQL checks its
    own pages (enable data checksums at initdb)."""
    where = url.render_as_string(hide_password=True)
    engine = sa.create_engine(url, connect_args={"connect_timeout": 10}, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            server = conn.execute(sa.text("SHOW server_version")).scalar()
            standby = conn.execute(sa.text("SELECT pg_is_in_recovery()")).scalar()
            read_only = conn.execute(sa.text("SHOW default_transaction_read_only")).scalar()
            has_version = conn.execute(
                sa.text("SELECT to_regclass('alembic_version') IS NOT NULL")
            ).scalar()
            rows = (
                conn.execute(sa.text("SELECT version_num FROM alembic_version")).fetchall()
                if has_version
                else []
            )
            has_fold = conn.execute(
                sa.text("SELECT to_regprocedure('bantin_fold(text)') IS NOT NULL")
            ).scalar()
    except sa.exc.DBAPIError as exc:
        return [_error("database", f"{where} cannot be reached: {exc.orig}")]
    finally:
        engine.dispose()
    findings = [_ok("database", f"PostgreSQL {server} at {where}")]
    if standby or read_only == "on":
        findings.append(
            _warn(
                "read_only",
                f"{where} refuses writes ({'a standby' if standby else 'read-only'}): "
                "readers are served, editing answers 503.",
            )
        )
    findings.extend(_schema_findings(app, rows[0][0] if rows else None, where))
    if rows and not has_fold:
        findings.append(
            _error("schema", "bantin_fold() is missing: run `flask --app app db upgrade`.")
        )
    return findings


def _schema_findings(app: Flask, version: str | None, where: str) -> list[Finding]:
    findings = []
    heads, known = backup.schema_revisions(app)
    if version in heads:
        findings.append(_ok("schema", f"schema {version} is current"))
    elif version in known:
        findings.append(
            _error("schema", f"schema {version} is old: run `flask --app app db upgrade`.")
        )
    elif version is None:
        findings.append(
            _error("schema", f"{where} has no schema version: run `flask --app app db upgrade`.")
        )
    else:
        findings.append(_error("schema", f"unknown schema version {version!r} in {where}."))
    return findings


# Unread lines older than this mean nobody is counting: bantin-views reads every second.
VIEW_LOG_IDLE_SECONDS = 60


def check_view_log(app: Flask) -> list[Finding]:
    """Views served by nginx's microcache are being counted (deploy/bantin-views.service)."""
    from bantin import view_log

    path = Path(app.config.get("VIEWS_LOG_PATH") or "")
    if not path.is_file():
        return [_ok("view_log", f"no {path}: nginx's microcache has logged no view here")]
    if not os.access(path, os.R_OK):
        return [
            _warn(
                "view_log",
                f"{path} is not readable by this user: `flask count-views` runs in the "
                "group adm (deploy/bantin-views.service, docs/deploy.md §9).",
            )
        ]
    with app.app_context():
        try:
            behind = view_log.unread_bytes(str(path)) or 0
        except sa.exc.SQLAlchemyError as exc:  # an unmigrated database: the schema check says
            return [_warn("view_log", f"cannot read the counting position: {exc.orig}")]
    idle = time.time() - path.stat().st_mtime
    if behind and idle > VIEW_LOG_IDLE_SECONDS:
        return [
            _warn(
                "view_log",
                f"{behind:,} bytes of {path} ({idle / 60:.0f} min old) are not counted: is "
                "bantin-views running? (`systemctl status bantin-views`; "
                "`flask --app app count-views` counts them now)",
            )
        ]
    return [_ok("view_log", f"{path}: counted to within {behind:,} bytes")]


def run_checks(app: Flask, deep: bool = True) -> list[Finding]:
    """Every finding; ``deep`` adds the database quick_check (slow on big files) and the
    views log's progress (a database read: not at start-up)."""
    return [
        *check_secret_key(app),
        *check_modes(app),
        *check_cookies(app),
        *check_limits(app),
        *check_folders(app),
        *check_database(app, deep),
        *(check_view_log(app) if deep else []),
    ]


_LABELS = {Level.OK: "  ok ", Level.WARNING: " WARN", Level.ERROR: "ERROR"}


def format_report(findings: list[Finding]) -> str:
    lines = ["Bantin deployment check"]
    lines += [f"[{_LABELS[f.level]}] {f.name}: {f.message}" for f in findings]
    errors = sum(f.level is Level.ERROR for f in findings)
    warnings = sum(f.level is Level.WARNING for f in findings)
    lines.append(f"{errors} error(s), {warnings} warning(s).")
    return "\n".join(lines)


# ---------------------------------------------------------------- start-up gate


def running_flask_cli() -> bool:
    """The flask command (db upgrade, create-user, check, run) sets this before loading."""
    return os.environ.get("FLASK_RUN_FROM_CLI") == "true"


def _serving_from_cli() -> bool:
    """`flask run` serves requests; the other flask commands (check, db upgrade) do not."""
    context = click.get_current_context(silent=True)
    return context is not None and context.command.name == "run"


# Set while bantin.backup builds a scratch copy of a running app (on another database file,
# to check a backup before a restore): that app never serves, and the app it copies has
# passed this gate already. A context variable, so no setting can switch the gate off.
_SCRATCH_APP: contextvars.ContextVar[bool] = contextvars.ContextVar("scratch_app", default=False)


@contextlib.contextmanager
def building_scratch_app() -> Iterator[None]:
    token = _SCRATCH_APP.set(True)
    try:
        yield
    finally:
        _SCRATCH_APP.reset(token)


def refuse_unsafe_start(app: Flask) -> None:
    """Refuse a weak secret key in every mode that serves; outside testing, debug and the
    flask CLI, also raise on any other error and log the warnings.

    The key signs sessions: with a known key anyone forges an admin's session cookie, so no
    setting (TESTING, DEBUG) switches this check off. Only the flask commands that do not
    serve run with it, so that `flask check` can report the weak key.
    """
    cli = running_flask_cli()
    problem = secret_key_problem(app.config.get("SECRET_KEY"))
    if problem and (not cli or _serving_from_cli()):
        raise UnsafeDeployment(
            f"Bantin refuses to start: secret_key: {problem}. Set BANTIN_SECRET_KEY to a long "
            "random value, or remove it to use the generated instance/secret_key."
        )
    if _SCRATCH_APP.get():
        return
    if app.testing or app.debug:
        app.logger.warning(
            "TESTING or DEBUG is on: errors and test shortcuts are exposed; never serve readers "
            "like this."
        )
        return
    if cli:
        return
    findings = run_checks(app, deep=False)
    for finding in findings:
        if finding.level is Level.WARNING:
            app.logger.warning("deploy check: %s: %s", finding.name, finding.message)
    errors = [f for f in findings if f.level is Level.ERROR]
    if errors:
        report = format_report(errors)
        print(report, file=sys.stderr)
        raise UnsafeDeployment(
            "Bantin refuses to start: " + " | ".join(f"{f.name}: {f.message}" for f in errors)
        )


@click.command("check")
@with_appcontext
def check_command() -> None:
    """Deployment self-check: secret key, cookies, WAL, limits, folders, integrity."""
    findings = run_checks(current_app._get_current_object(), deep=True)  # type: ignore[attr-defined]
    click.echo(format_report(findings))
    if any(f.level is Level.ERROR for f in findings):
        sys.exit(1)


def register(app: Flask) -> None:
    app.cli.add_command(check_command)
