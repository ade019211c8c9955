"""kill -9 of `flask count-views --follow` at random moments while nginx appends to its view
log (a torn last line now and then, one rotation): in the end the database holds exactly
the views the log holds, none lost and none doubled. Then SIGTERM stops it cleanly."""

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bantin.extensions import db
from tests.conftest import ROOT, Factory, make_config
from tests.faults.support import kill9, query

pytestmark = pytest.mark.live

LINES = 20_000
ROUNDS = 6
SITE = ZoneInfo("Asia/Ho_Chi_Minh")
MIDNIGHT = datetime(2026, 12, 7, tzinfo=SITE).timestamp()  # views on both sides of it
CACHES = ["HIT"] * 6 + ["STALE", "UPDATING", "MISS", "BYPASS"]


def make_line(rng: random.Random, ids: list[int]) -> str:
    if rng.random() < 0.002:
        return "not a line of this log\n"
    view = rng.choice([*(f"article {i}" for i in ids), "article 999999", "page", "page", ""])
    agent = "Googlebot/2.1" if rng.random() < 0.05 else "Mozilla/5.0 (Android 14) Chrome/140"
    method = "GET" if rng.random() < 0.97 else "HEAD"
    status = "200" if rng.random() < 0.97 else "404"
    msec = f"{MIDNIGHT + rng.uniform(-3600, 3600):.3f}"
    visit = "" if rng.random() < 0.3 else "1"
    return "\t".join((msec, rng.choice(CACHES), method, status, view, visit, agent)) + "\n"


def expected(lines: list[str], ids: list[int]) -> dict:
    """What the log says, by the rule written out plainly (not through bantin.view_log)."""
    articles, article_days, days = Counter(), Counter(), Counter()
    for text in lines:
        fields = text.rstrip("\n").split("\t")
        if len(fields) != 7:
            continue
        msec, cache, method, status, view, visit, agent = fields
        if cache not in ("HIT", "STALE", "UPDATING") or method != "GET" or status != "200":
            continue
        if view == "" or "bot" in agent.lower():
            continue
        day = str(datetime.fromtimestamp(float(msec), SITE).date())
        days[(day, "page_views")] += 1
        days[(day, "visits")] += visit == ""
        article_id = int(view.split()[1]) if view.startswith("article") else None
        if article_id in ids:
            articles[article_id] += 1
            article_days[(article_id, day)] += 1
    return {"articles": dict(articles), "article_days": dict(article_days), "days": +days}


def stored(db_path: Path, ids: list[int]) -> dict:
    articles = {i: n for i, n in query(db_path, "SELECT id, view_count FROM article") if n}
    article_days = {
        (i, str(d)): n
        for i, d, n in query(db_path, "SELECT article_id, day, views FROM article_daily_views")
    }
    days = Counter()
    for d, pv, v in query(db_path, "SELECT day, page_views, visits FROM daily_stats"):
        days[(str(d), "page_views")] += pv
        days[(str(d), "visits")] += v
    return {"articles": articles, "article_days": article_days, "days": +days}


def position(db_path: Path) -> int:
    rows = query(db_path, 'SELECT "offset" FROM view_log_position')
    return rows[0][0] if rows else 0


class Counting:
    """`flask count-views` as the service runs it, on the test's database."""

    def __init__(self, tmp_path: Path, log: Path) -> None:
        self.env = {**os.environ, "BANTIN_TEST_CONFIG": repr(make_config(tmp_path))}
        self.cmd = [sys.executable, "-m", "flask", "--app", "tests.live_app", "count-views"]
        self.cmd += ["--log", str(log), "--batch", "100"]

    def follow(self) -> subprocess.Popen:
        proc = subprocess.Popen(
            [*self.cmd, "--follow", "--interval", "0.02"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=None,
            text=True,
        )
        # Its first line comes just before its first pass: the work starts now.
        assert "Counting views" in proc.stdout.readline()
        return proc

    def once(self) -> str:
        done = subprocess.run(
            self.cmd, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        return done.stdout


def test_kill9_neither_loses_nor_doubles_a_view(app_factory, tmp_path):
    app = app_factory()
    with app.app_context():
        factory = Factory()
        ids = [factory.article().id for _ in range(3)]
        db.session.remove()
        db.engine.dispose()
    db_path = tmp_path / "bantin.db"
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    lines = [make_line(rng, ids) for _ in range(LINES)]
    log = tmp_path / "bantin.views.log"
    counting = Counting(tmp_path, log)
    chunks = [lines[i::ROUNDS] for i in range(ROUNDS)]  # any order: counting is a sum
    written, torn, mid_batch = 0, "", 0
    target = log
    for round_no, chunk in enumerate(chunks):
        if round_no == ROUNDS // 2:
            # logrotate: rename, create; nginx writes the old file until it reopens.
            os.rename(log, f"{log}.1")
            log.touch()
            target = Path(f"{log}.1")
        data = torn + "".join(chunk)
        cut = len(data) - rng.randrange(1, 60)  # a line half written at the kill
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(data[:cut])
        torn = data[cut:]
        complete = target.stat().st_size - len(torn)  # the bytes of whole lines there
        if round_no == ROUNDS // 2:
            with open(target, "a", encoding="utf-8") as fh:
                fh.write(torn)  # nginx ends its lines before it reopens the log
            # Its last write to the old file, long enough ago for the reader to leave it.
            then = time.time() - 60
            os.utime(target, (then, then))
            torn, target = "", log
        written += len(chunk)
        proc = counting.follow()
        try:
            # A random moment of its catching up (a few hundred ms): the process must
            # still be alive when it comes.
            with pytest.raises(subprocess.TimeoutExpired):
                proc.wait(timeout=rng.uniform(0.0, 0.3))
        finally:
            kill9(proc.pid)
            proc.wait(10)
            proc.stdout.close()
        if 0 < position(db_path) < complete:
            mid_batch += 1
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(torn)
    summary = counting.once()  # catches up to the end of the log and exits
    assert "views counted" in summary
    assert stored(db_path, ids) == expected(lines, ids), f"seed {seed}"
    assert position(db_path) == log.stat().st_size
    # The service's stop: SIGTERM ends it cleanly, and it counts nothing twice.
    proc = counting.follow()
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0 and "Stopped." in out
    assert stored(db_path, ids) == expected(lines, ids), f"seed {seed}"
    # Most kills land mid-way through the backlog; all of them landing after it would
    # test nothing.
    assert mid_batch >= 1, f"no kill fell while the backlog was being counted (seed {seed})"
