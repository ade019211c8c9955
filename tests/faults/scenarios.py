"""Fault and load scenarios shared by tests/faults and the bench/ scripts.

Each scenario runs real gunicorn servers on 127.0.0.1 against one SQLite file, drives
them with threads of `Browser` readers and comment posters, and returns a ledger the
caller checks: what the clients were told (303, 200) against what the database holds.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import LiveServer, live_app_context
from tests.faults.support import NETWORK_ERRORS, Browser, children, kill9, post_comment

LIVE_CONFIG = {"SPAM_GUARD_ENABLED": False, "CAPTCHA_TEST_ANSWER": "TEST1"}


@dataclass
class Ledger:
    lock: threading.Condition = field(default_factory=threading.Condition)
    accepted: list[str] = field(default_factory=list)  # comments answered 303
    posted: int = 0
    views_ok: int = 0  # article GETs answered 200
    views_sent: int = 0  # article GETs sent (some died with the server)
    statuses: Counter = field(default_factory=Counter)
    network_errors: int = 0

    def note(self, status: int) -> None:
        with self.lock:
            self.statuses[status] += 1

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


def make_article(server: LiveServer) -> str:
    """A published article on the server's database; returns its path."""
    from bantin.extensions import db
    from bantin.models import SiteSettings
    from tests.conftest import Factory

    with live_app_context(server):
        settings = SiteSettings.get()
        settings.comments_require_approval = True
        db.session.commit()
        article = Factory().article(title="Bài viết chịu tải")
        path = f"/article/{article.id}/{article.slug}"
        db.engine.dispose()
    return path


def commenter(
    ledger: Ledger,
    browser_base: list[str],
    article: str,
    stop: threading.Event,
    ready: threading.Event,
    name: str,
) -> None:
    """Read the article and post a comment, over and over, across server restarts."""
    browser = Browser(browser_base[0])
    for n in itertools.count():
        if stop.is_set():
            return
        browser.base = browser_base[0]
        content = f"Ý kiến kiểm thử {name}-{n}: đường làng đã được mở rộng."
        with ledger.lock:
            ledger.views_sent += 1
            ledger.posted += 1
        try:
            page, reply = post_comment(browser, article, content)
        except NETWORK_ERRORS:
            with ledger.lock:
                ledger.network_errors += 1
            ready.wait(timeout=10)  # the server is being restarted
            continue
        ledger.note(page.status)
        if page.status == 200:
            with ledger.lock:
                ledger.views_ok += 1
        if reply is not None:
            ledger.note(reply.status)
            if reply.status == 303:
                with ledger.lock:
                    ledger.accepted.append(content)
                    ledger.lock.notify_all()


def reader(
    ledger: Ledger,
    browser_base: list[str],
    paths: list[str],
    stop: threading.Event,
    counts: Counter,
) -> None:
    browser = Browser(browser_base[0])
    for n in itertools.count():
        if stop.is_set():
            return
        path = paths[n % len(paths)]
        try:
            reply = browser.get(path)
        except NETWORK_ERRORS:
            with ledger.lock:
                ledger.network_errors += 1
            continue
        ledger.note(reply.status)
        if reply.status == 200:
            with ledger.lock:
                counts[path] += 1


def wait_for_accepted(ledger: Ledger, at_least: int, timeout: float = 30) -> None:
    with ledger.lock:
        if not ledger.lock.wait_for(lambda: len(ledger.accepted) >= at_least, timeout):
            raise AssertionError(
                f"only {len(ledger.accepted)} comments accepted, wanted {at_least}"
            )


@dataclass
class KillResult:
    ledger: Ledger
    server: LiveServer
    article: str
    kills: int


def kill_rounds(
    tmp_path: Path,
    migrated_db: Path,
    rounds: int,
    clients: int = 10,
    per_phase: int = 8,
    log=None,
) -> KillResult:
    """Clients post comments and count views while workers, then whole servers, die by
    SIGKILL; a fresh server on the same file takes over each round."""
    server = LiveServer(tmp_path, migrated_db, workers=2, **LIVE_CONFIG).start()
    article = make_article(server)
    ledger = Ledger()
    base = [server.url]
    stop, ready = threading.Event(), threading.Event()
    ready.set()
    threads = [
        threading.Thread(
            target=commenter, args=(ledger, base, article, stop, ready, f"c{i}"), daemon=True
        )
        for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    kills = 0
    try:
        for round_no in range(rounds):
            wait_for_accepted(ledger, len(ledger.accepted) + per_phase)
            workers = children(server.proc.pid)
            assert workers, "gunicorn has no workers"
            kill9(workers[0])  # one worker dies mid-request; the master replaces it
            kills += 1
            wait_for_accepted(ledger, len(ledger.accepted) + per_phase)
            ready.clear()
            victims = [server.proc.pid, *children(server.proc.pid)]
            for pid in victims:  # the whole server dies at once, as in a power cut
                kill9(pid)
            kills += len(victims)
            server.proc.wait(10)
            server = LiveServer(tmp_path, migrated_db, workers=2, **LIVE_CONFIG).start()
            base[0] = server.url
            ready.set()
            if log:
                log(f"round {round_no + 1}: {len(ledger.accepted)} comments accepted so far")
        wait_for_accepted(ledger, len(ledger.accepted) + per_phase)
    finally:
        stop.set()
        ready.set()
        for thread in threads:
            thread.join(30)
    return KillResult(ledger, server, article, kills)


@dataclass
class LoadResult:
    ledger: Ledger
    counts: Counter
    paths: list[str]
    seconds: float


def load(server: LiveServer, readers: int, posters: int, seconds: float) -> LoadResult:
    """``readers`` threads read articles and ``posters`` threads post comments for
    ``seconds``; the caller compares the counts with the database."""
    from bantin.extensions import db
    from tests.conftest import Factory

    with live_app_context(server):
        factory = Factory()
        category = factory.category("Tin tải")
        articles = [factory.article(category, title=f"Bài tải {i}") for i in range(5)]
        paths = [f"/article/{a.id}/{a.slug}" for a in articles]
        db.engine.dispose()
    ledger, counts = Ledger(), Counter()
    base = [server.url]
    stop, ready = threading.Event(), threading.Event()
    ready.set()
    threads = [
        threading.Thread(target=reader, args=(ledger, base, paths, stop, counts), daemon=True)
        for _ in range(readers)
    ]
    threads += [
        threading.Thread(
            target=commenter, args=(ledger, base, paths[0], stop, ready, f"p{i}"), daemon=True
        )
        for i in range(posters)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    stop.wait(seconds)  # the load runs for a fixed time: this is the measurement window
    stop.set()
    for thread in threads:
        thread.join(60)
    # Posters' article GETs are counted views too.
    counts[paths[0]] += ledger.views_ok
    return LoadResult(ledger, counts, paths, time.monotonic() - started)


def migrated_template(folder: Path) -> Path:
    """A freshly migrated database file (what the `migrated_db` fixture makes), for bench/."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from app import create_app
    from bantin.extensions import db

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "template.db"
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
    return path
