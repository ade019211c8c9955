"""Shared fixtures: an app per test on a temporary SQLite file (or, with
BANTIN_TEST_ENGINE=postgresql, a fresh PostgreSQL database), clients, users, factories."""

import contextvars
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from app import create_app
from bantin.clock import utcnow
from bantin.extensions import db
from bantin.models import Article, ArticleStatus, Category, Role, SiteSettings, User
from bantin.text import slugify

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"

# The engine the suite runs on: SQLite files by default; PostgreSQL with
# BANTIN_TEST_ENGINE=postgresql (a throw-away cluster, tests/pg_cluster.py) or with
# BANTIN_TEST_PG_URL (a server given by the caller; its user may create databases).
PG_URL = os.environ.get("BANTIN_TEST_PG_URL", "")
ENGINE = (
    "postgresql"
    if PG_URL or os.environ.get("BANTIN_TEST_ENGINE", "").lower() in ("postgresql", "pg")
    else "sqlite"
)
ON_POSTGRESQL = ENGINE == "postgresql"
PG_TEMPLATE = "bantin_template"


class _PostgreSQL:
    """The server, the migrated template and the databases made from it for the tests."""

    def __init__(self) -> None:
        self.admin_url: str | None = None
        self.cluster = None
        self.by_folder: dict[Path, str] = {}
        self.counter = 0
        self.file_copy: bool | None = None

    def url(self, name: str) -> str:
        return str(sa.engine.make_url(self.admin_url).set(database=name))

    def execute(self, *statements: str) -> None:
        engine = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                for statement in statements:
                    conn.execute(sa.text(statement))
        finally:
            engine.dispose()

    def database_for(self, folder: Path) -> str:
        """The URL of the database that belongs to a test's folder, made from the template."""
        if folder not in self.by_folder:
            if self.admin_url is None:
                raise RuntimeError("the migrated_db fixture prepares PostgreSQL first")
            self.counter += 1
            name = f"test_{os.getpid()}_{self.counter}"
            self.execute(f'CREATE DATABASE "{name}" TEMPLATE {PG_TEMPLATE}{self._strategy()}')
            self.by_folder[folder] = name
        return self.url(self.by_folder[folder])

    def _strategy(self) -> str:
        """FILE_COPY where the server knows it (15+): a small template is copied about three
        times faster than through the WAL (measured 49 against 143 ms), over 2,000 times a run."""
        if self.file_copy is None:
            engine = sa.create_engine(self.admin_url)
            try:
                with engine.connect() as conn:
                    version = int(conn.execute(sa.text("SHOW server_version_num")).scalar())
            finally:
                engine.dispose()
            self.file_copy = version >= 150000
        return " STRATEGY FILE_COPY" if self.file_copy else ""

    def drop(self, names) -> None:
        names = list(names)
        if names:
            self.execute(*(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in names))


POSTGRESQL = _PostgreSQL()


def pytest_collection_modifyitems(config, items):
    if not ON_POSTGRESQL:
        return
    for item in items:
        mark = item.get_closest_marker("sqlite_only")
        if mark is not None:
            why = mark.args[0] if mark.args else "the file, its pragmas or its lock"
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {why}"))


def database_uri(tmp_path: Path, migrated_db) -> str:
    """The test folder's database: a copy of the migrated file, or a PostgreSQL database made
    from the migrated template."""
    if ON_POSTGRESQL:
        return POSTGRESQL.database_for(tmp_path)
    target = tmp_path / "bantin.db"
    if not target.exists():
        shutil.copy(migrated_db, target)
    return f"sqlite:///{target}"


@pytest.fixture(autouse=True)
def _postgresql_databases():
    """Drop the PostgreSQL databases a test made, once it is over."""
    if not ON_POSTGRESQL:
        yield
        return
    before = set(POSTGRESQL.by_folder)
    yield
    made = [f for f in POSTGRESQL.by_folder if f not in before]
    POSTGRESQL.drop(POSTGRESQL.by_folder.pop(f) for f in made)


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory) -> Iterator[Path | str]:
    """One database migrated with Alembic; each test gets a fresh copy of the file (on
    PostgreSQL: the template database's URL; tests get `CREATE DATABASE … TEMPLATE` copies)."""
    from flask_migrate import upgrade

    if ON_POSTGRESQL:
        yield from _migrated_postgresql(upgrade)
        return
    path = tmp_path_factory.mktemp("template") / "template.db"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "tests-only-9f1c2be47a0d55e38b6c19f2a47d03be",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
        }
    )
    with app.app_context():
        upgrade()
        db.session.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.engine.dispose()
    yield path


def _migrated_postgresql(upgrade) -> Iterator[str]:
    from tests.pg_cluster import Cluster

    cluster = None
    if PG_URL:
        POSTGRESQL.admin_url = PG_URL
    else:
        cluster = Cluster().start()
        POSTGRESQL.admin_url = cluster.url
    try:
        POSTGRESQL.drop([PG_TEMPLATE])
        POSTGRESQL.execute(f"CREATE DATABASE {PG_TEMPLATE}")
        url = POSTGRESQL.url(PG_TEMPLATE)
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "tests-only-9f1c2be47a0d55e38b6c19f2a47d03be",
                "SQLALCHEMY_DATABASE_URI": url,
            }
        )
        with app.app_context():
            upgrade()
            db.session.remove()
            db.engine.dispose()
        yield url
    finally:
        # Collect the apps' pooled connections while their warning is still ignored (after
        # the session, pytest would report each as an unraisable exception).
        import gc
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            gc.collect()
        try:
            POSTGRESQL.drop([*POSTGRESQL.by_folder.values(), PG_TEMPLATE])
        finally:
            POSTGRESQL.by_folder.clear()
            if cluster is not None:
                cluster.stop()


def make_config(tmp_path: Path, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": (
            POSTGRESQL.database_for(tmp_path)
            if ON_POSTGRESQL
            else f"sqlite:///{tmp_path / 'bantin.db'}"
        ),
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "WTF_CSRF_ENABLED": False,
        "CAPTCHA_TEST_ANSWER": "TEST1",
        "SPAM_GUARD_ENABLED": False,
        # A cheap hash keeps the suite fast; test_users checks the production default.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }
    config.update(overrides)
    return config


class IsolatedClient(FlaskClient):
    """Runs every request in a fresh context, as in production.

    Tests keep an app context pushed for convenience; without this, Flask would reuse it for
    requests and share `g`, the signed-in user and the database session between them.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def app_factory(tmp_path, migrated_db):
    """Build an app on a copy of the migrated database, with config overrides."""
    created = []

    def build(**overrides):
        database_uri(tmp_path, migrated_db)
        app = create_app(make_config(tmp_path, **overrides))
        app.test_client_class = IsolatedClient
        created.append(app)
        return app

    yield build
    for app in created:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(app_factory):
    app = app_factory()
    with app.app_context():
        yield app


@pytest.fixture
def smtp():
    """A real SMTP server (aiosmtpd) on 127.0.0.1 for the mail tests."""
    from tests.mail_server import SMTPServer

    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(app_factory, smtp):
    """An app with mail on, sending to ``smtp``."""
    app = app_factory(**smtp.config())
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Factory:
    """Small builders for test data; every object is committed."""

    def __init__(self) -> None:
        self.counter = 0

    def _n(self) -> int:
        self.counter += 1
        return self.counter

    def category(self, name: str | None = None, **kw) -> Category:
        name = name or f"Chuyên mục {self._n()}"
        cat = Category(name=name, slug=kw.pop("slug", slugify(name)), **kw)
        db.session.add(cat)
        db.session.commit()
        return cat

    def article(
        self,
        category: Category | None = None,
        title: str | None = None,
        published: bool = True,
        age: timedelta = timedelta(hours=1),
        **kw,
    ) -> Article:
        category = category or self.category()
        title = title or f"Bài viết số {self._n()}"
        now = utcnow()
        defaults = {
            "author_name": "Minh Tâm",
            "lead": "Đoạn mở đầu của bài viết.",
            "body": "<p>Nội dung bài viết.</p>",
            "status": ArticleStatus.PUBLISHED if published else ArticleStatus.DRAFT,
            "published_at": now - age if published else None,
            "created_at": now - age,
            "updated_at": now - age,
        }
        defaults.update(kw)
        art = Article(title=title, slug=slugify(title), category=category, **defaults)
        db.session.add(art)
        db.session.commit()
        return art

    def user(self, role: str = "editor", email: str | None = None, **kw) -> User:
        email = email or f"{role}{self._n()}@example.com"
        password = kw.pop("password", PASSWORD)
        name = kw.pop("name", f"{role.title()} {self.counter}")
        user = User(email=email, name=name, role=Role(role), **kw)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user

    def settings(self, **kw) -> SiteSettings:
        settings = SiteSettings.get()
        for key, value in kw.items():
            setattr(settings, key, value)
        db.session.commit()
        return settings


@pytest.fixture
def factory(app) -> Factory:
    return Factory()


@pytest.fixture
def login(client):
    """Sign a user in through the real login form."""

    def do(user: User, password: str = PASSWORD):
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
        return response

    return do


# ---------------------------------------------------------------- live servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """A real gunicorn serving the app factory on 127.0.0.1 with test settings."""

    def __init__(
        self,
        tmp_path: Path,
        migrated_db: Path,
        workers: int = 2,
        shipped_settings: bool = False,
        **env,
    ) -> None:
        self.tmp_path = tmp_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        database_uri(tmp_path, migrated_db)
        self.db_path = tmp_path / "bantin.db"  # SQLite only
        config = make_config(tmp_path)
        self.env = {
            **os.environ,
            "BANTIN_TEST_CONFIG": repr(config | env),
        }
        self.workers = workers
        # deploy/gunicorn.conf.py as shipped (only the address, app and logs overridden).
        self.shipped_settings = shipped_settings
        self.proc: subprocess.Popen | None = None

    def start(self) -> "LiveServer":
        if self.shipped_settings:
            self.env |= {
                "BANTIN_GUNICORN_BIND": f"127.0.0.1:{self.port}",
                "BANTIN_GUNICORN_WORKERS": str(self.workers),
                "BANTIN_GUNICORN_APP": "tests.live_app:app",
                "BANTIN_GUNICORN_ACCESSLOG": "",
                "BANTIN_GUNICORN_LOGLEVEL": "warning",
            }
            cmd = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"]
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env)
            self._wait_ready()
            return self
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--threads",
            "4",
            "--worker-class",
            "gthread",
            "--log-level",
            "warning",
            "tests.live_app:app",
        ]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env)
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 20.0) -> None:
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc and self.proc.poll() is not None:
                raise RuntimeError("live server exited during start-up")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            # Polling a starting server is not a timing assertion: it only waits for readiness.
            time.sleep(0.05)
        raise RuntimeError("live server did not answer /healthz in time")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


@pytest.fixture
def live_server_factory(tmp_path, migrated_db) -> Iterator:
    servers: list[LiveServer] = []

    def start(**kw) -> LiveServer:
        server = LiveServer(tmp_path, migrated_db, **kw).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def live_app_context(server: LiveServer):
    """An app bound to the live server's database, for arranging data and checking results."""
    import ast

    config = ast.literal_eval(server.env["BANTIN_TEST_CONFIG"])
    return create_app(config).app_context()
