"""Count the pages nginx served from its microcache (issue 16), from its view log.

A cached page (HIT, STALE, UPDATING) never reaches the app, so nginx writes one line per
request to a dedicated log (``log_format bantin_views`` in deploy/nginx-bantin.conf)::

    $msec \\t $upstream_cache_status \\t $request_method \\t $status \\t
    $sent_http_x_bantin_view \\t $cookie_visit \\t $http_user_agent

``flask count-views`` reads it from the stored position, batch by batch, and adds each batch
to the same counters bantin.counters bumps per request, in ONE transaction with the new
position: a batch is counted entirely or not at all, so a crash (kill -9) never loses nor
doubles a view, and the next run resumes where the last commit left off.

The position names the file by (device, inode): after logrotate renames the log to
``.1`` (Debian: ``create``, ``delaycompress``, nginx reopens on USR1) the old file is
finished there before the new one is read from its first byte.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import BinaryIO

import click
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import OperationalError

from bantin.clock import site_timezone, utcnow
from bantin.counters import countable_view
from bantin.database import write_lock, write_refusal
from bantin.extensions import db

BATCH_LINES = 5000
# nginx bounds a line by its header buffers (a User-Agent of a few kB, escaped): a longer
# run without a newline is not a line of this log.
MAX_LINE = 64 * 1024
FIELDS = 7
# Served from nginx's cache, so the app never saw them. Everything else (MISS, BYPASS,
# EXPIRED…) reached the app, which counted it itself.
CACHED = frozenset({"HIT", "STALE", "UPDATING"})
# Article ids are the article table's INTEGER: anything larger is not one.
_MAX_ID = 2**31 - 1
# After a rotation, nginx's workers reopen the log each in its own time after USR1: the
# renamed file is left only once nothing has written to it for this long (seconds).
ROTATED_QUIET = 10.0


# ---------------------------------------------------------------- parsing


@dataclass(frozen=True)
class View:
    """One line to count: its local day, the article (None for another reader page), and
    whether it opened a visit (no visit cookie)."""

    day: date
    article_id: int | None
    new_visit: bool


class Malformed(ValueError):
    """A line that is not in the log's format."""


def _parse_view(value: str) -> tuple[bool, int | None]:
    """X-Bantin-View: "" (nothing to count), "page", or "article <id>"."""
    if value in ("", "-"):
        return False, None
    if value == "page":
        return True, None
    kind, _, number = value.partition(" ")
    if kind == "article" and number.isascii() and number.isdigit():
        article_id = int(number)
        if 0 < article_id <= _MAX_ID:
            return True, article_id
    raise Malformed(f"view field {value!r}")


class LineParser:
    """Parses lines into Views (or None when the line is not to count); one per pass, so
    the local day of each second is computed once."""

    def __init__(self) -> None:
        self.zone = site_timezone()
        self._days: dict[int, date] = {}

    def day(self, seconds: int) -> date:
        # A local midnight falls on a whole second, so the whole second names the day.
        found = self._days.get(seconds)
        if found is None:
            found = datetime.fromtimestamp(seconds, UTC).astimezone(self.zone).date()
            self._days[seconds] = found
        return found

    def parse(self, raw: bytes) -> View | None:
        # escape=json: tabs, quotes and control characters inside values are written as
        # JSON escapes, so a real tab always separates fields. Bytes above 0x7f are not
        # escaped and may not be UTF-8 (a User-Agent is any bytes): replace, never fail.
        fields = raw.decode("utf-8", "replace").split("\t")
        if len(fields) != FIELDS:
            raise Malformed(f"{len(fields)} fields")
        msec, cache, method, status, view, visit, agent = fields
        try:
            instant = float(msec)
        except ValueError:
            raise Malformed(f"time {msec!r}") from None
        if not 0 < instant < 1e11:  # also rejects nan and inf
            raise Malformed(f"time {msec!r}")
        counted, article_id = _parse_view(view)
        if (
            not counted
            or cache not in CACHED
            or status != "200"
            or not countable_view(method, agent)  # the app's rule (bantin.counters)
        ):
            return None
        # An empty cookie is one the request did not carry: a new visit, as in counters.
        # ("-" is what nginx writes for an empty value without escape=json.)
        return View(self.day(int(instant)), article_id, visit in ("", "-"))


# ---------------------------------------------------------------- one batch


@dataclass
class Batch:
    """Complete lines read from one file, aggregated; ``end`` is the offset after them."""

    end: int
    lines: int = 0
    skipped: int = 0
    first_skipped: str = ""
    views: int = 0
    articles: Counter[int] = field(default_factory=Counter)
    article_days: Counter[tuple[int, date]] = field(default_factory=Counter)
    page_views: Counter[date] = field(default_factory=Counter)
    visits: Counter[date] = field(default_factory=Counter)

    def add(self, view: View) -> None:
        self.views += 1
        self.page_views[view.day] += 1
        if view.new_visit:
            self.visits[view.day] += 1
        if view.article_id is not None:
            self.articles[view.article_id] += 1
            self.article_days[(view.article_id, view.day)] += 1


def read_batch(fh: BinaryIO, start: int, limit: int, parser: LineParser) -> Batch:
    """Up to ``limit`` complete lines from ``start``. A last line without its newline is
    nginx still writing it (or a torn write): it stays for the next pass."""
    fh.seek(start)
    batch = Batch(end=start)
    while batch.lines < limit:
        raw = fh.readline(MAX_LINE)
        length = len(raw)
        if not raw.endswith(b"\n"):
            if length < MAX_LINE:
                break  # end of the file: nothing, or a partial line
            # An overlong run: skip it whole, to its newline (if that is written yet).
            while raw and not raw.endswith(b"\n"):
                raw = fh.readline(MAX_LINE)
                length += len(raw)
            if not raw:
                break
            batch.end += length
            batch.lines += 1
            batch.skipped += 1
            batch.first_skipped = batch.first_skipped or "an overlong line"
            continue
        batch.end += length
        batch.lines += 1
        try:
            view = parser.parse(raw[:-1])
        except Malformed as why:
            batch.skipped += 1
            batch.first_skipped = batch.first_skipped or f"{why} at byte {batch.end - length}"
            continue
        if view is not None:
            batch.add(view)
    return batch


# ---------------------------------------------------------------- the position


@dataclass(frozen=True)
class Position:
    device: int
    inode: int
    offset: int


def _signed64(number: int) -> int:
    """st_dev and st_ino are unsigned 64-bit; the columns are signed BIGINTs. Real values fit,
    but a number past 2**63 (some overlay file systems) is stored as its two's complement."""
    return number - 2**64 if number >= 2**63 else number


def _identity(stat: os.stat_result) -> tuple[int, int]:
    return _signed64(stat.st_dev), _signed64(stat.st_ino)


_READ_POSITION = sa.text('SELECT device, inode, "offset" FROM view_log_position WHERE path = :path')
# "offset" is a reserved word on both engines: quoted. The new position is written only
# over the one this batch was read from (or only if there was none): a second reader
# running at the same time finds it moved, rolls back its counts and reads again.
_INSERT_POSITION = sa.text(
    'INSERT INTO view_log_position (path, device, inode, "offset", updated_at) '
    "VALUES (:path, :device, :inode, :offset, :updated_at) ON CONFLICT (path) DO NOTHING"
).bindparams(sa.bindparam("updated_at", type_=sa.DateTime()))
_MOVE_POSITION = sa.text(
    'UPDATE view_log_position SET device = :device, inode = :inode, "offset" = :offset, '
    "updated_at = :updated_at WHERE path = :path AND device = :old_device "
    'AND inode = :old_inode AND "offset" = :old_offset'
).bindparams(sa.bindparam("updated_at", type_=sa.DateTime()))

# The per-view statements of bantin.counters, by n. Rows are taken in one order (articles
# by id, then their days, then the site's days), as the app's own counting takes them, so
# two PostgreSQL transactions never wait on each other in a circle.
_BUMP_ARTICLE = sa.text(
    "UPDATE article SET view_count = view_count + :n WHERE id = :id RETURNING id"
)
_BUMP_ARTICLE_DAY = sa.text(
    "INSERT INTO article_daily_views (article_id, day, views) VALUES (:id, :day, :n) "
    "ON CONFLICT (article_id, day) DO UPDATE SET views = article_daily_views.views + :n"
)
_BUMP_DAY = sa.text(
    "INSERT INTO daily_stats (day, visits, page_views) VALUES (:day, :visits, :n) "
    "ON CONFLICT (day) DO UPDATE SET visits = daily_stats.visits + :visits, "
    "page_views = daily_stats.page_views + :n"
)


def read_position(key: str) -> Position | None:
    row = db.session.execute(_READ_POSITION, {"path": key}).one_or_none()
    db.session.commit()  # end the read: no transaction stays open while the file is read
    return Position(*row) if row else None


class PositionMoved(Exception):
    """Another reader saved a new position first: this batch was not counted."""


def save(key: str, old: Position | None, new: Position, batch: Batch | None) -> None:
    """Add the batch's counts and move the position, in one transaction."""
    with write_lock():
        try:
            _save(key, old, new, batch)
        except BaseException:
            db.session.rollback()
            raise


def _save(key: str, old: Position | None, new: Position, batch: Batch | None) -> None:
    connection = db.session.connection()
    values = {"path": key, **vars(new), "updated_at": utcnow()}
    if old is None:
        moved = connection.execute(_INSERT_POSITION, values).rowcount
    else:
        olds = {"old_device": old.device, "old_inode": old.inode, "old_offset": old.offset}
        moved = connection.execute(_MOVE_POSITION, values | olds).rowcount
    if moved != 1:
        raise PositionMoved(key)
    if batch is not None:
        # An article deleted since its page was cached keeps no rows; the site's page view
        # still counts (it was shown).
        present = set()
        for article_id, n in sorted(batch.articles.items()):
            if connection.execute(_BUMP_ARTICLE, {"id": article_id, "n": n}).first():
                present.add(article_id)
        article_days = [
            {"id": article_id, "day": day.isoformat(), "n": n}
            for (article_id, day), n in sorted(batch.article_days.items())
            if article_id in present
        ]
        if article_days:
            connection.execute(_BUMP_ARTICLE_DAY, article_days)
        days = [
            {"day": day.isoformat(), "n": n, "visits": batch.visits[day]}
            for day, n in sorted(batch.page_views.items())
        ]
        if days:
            connection.execute(_BUMP_DAY, days)
    db.session.commit()


# ---------------------------------------------------------------- a pass


@dataclass
class Result:
    """What a pass did (summed over its batches) and where it stopped."""

    path: str
    lines: int = 0
    views: int = 0
    article_views: int = 0
    visits: int = 0
    skipped: int = 0
    offset: int = 0
    missing: bool = False  # no log file yet: nothing read

    def add(self, batch: Batch) -> None:
        self.lines += batch.lines
        self.views += batch.views
        self.article_views += sum(batch.articles.values())
        self.visits += sum(batch.visits.values())
        self.skipped += batch.skipped
        self.offset = batch.end

    def merge(self, other: Result) -> None:
        self.lines += other.lines
        self.views += other.views
        self.article_views += other.article_views
        self.visits += other.visits
        self.skipped += other.skipped
        self.offset = other.offset

    def summary(self) -> str:
        if self.missing:
            return (
                f"{self.path} does not exist yet (nginx has served no cached page): nothing read."
            )
        return (
            f"{self.lines} lines read from {self.path}: {self.views} views counted "
            f"({self.article_views} of articles, {self.visits} new visits), "
            f"{self.skipped} malformed lines skipped; now at byte {self.offset}."
        )


def _stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None


def count_views(
    path: str, batch_lines: int = BATCH_LINES, stop: threading.Event | None = None
) -> Result:
    """Read the log at ``path`` from the stored position to its last complete line, counting
    batch by batch; return what was done. Safe to run again at any moment. ``stop`` ends
    the pass early, between two committed batches."""
    key = os.path.abspath(path)
    result = Result(path=key)
    parser = LineParser()
    first_skipped = ""
    while not (stop and stop.is_set()):
        try:
            done, first = _step(key, result, parser, batch_lines)
        except PositionMoved:
            current_app.logger.warning(
                "%s: another reader moved the position; reading on from it", key
            )
            continue
        first_skipped = first_skipped or first
        if done:
            break
    if result.skipped:
        current_app.logger.warning(
            "%s: %d malformed lines skipped (the first: %s)", key, result.skipped, first_skipped
        )
    return result


def unread_bytes(path: str) -> int | None:
    """How much of the log at `path` is not counted yet (None: no log). A file other than
    the one last read counts whole (the rest of a rotated one is not added)."""
    key = os.path.abspath(path)
    current = _stat(key)
    if current is None:
        return None
    stored = read_position(key)
    if stored is None or _identity(current) != (stored.device, stored.inode):
        return current.st_size
    return max(0, current.st_size - stored.offset)


def _step(key: str, result: Result, parser: LineParser, limit: int) -> tuple[bool, str]:
    """One batch, or one move to another file; (True when nothing is left, first skip)."""
    stored = read_position(key)
    current = _stat(key)
    if stored is None:
        if current is None:
            result.missing = True
            return True, ""
        return _read(key, key, stored, Position(*_identity(current), 0), result, parser, limit)
    if current is not None and _identity(current) == (stored.device, stored.inode):
        if current.st_size < stored.offset:
            current_app.logger.warning(
                "%s was truncated (%d bytes, position %d): reading it again from its start",
                key,
                current.st_size,
                stored.offset,
            )
            save(key, stored, Position(stored.device, stored.inode, 0), None)
            return False, ""
        return _read(key, key, stored, stored, result, parser, limit)
    # The stored file is no longer at the path: rotated (renamed to .1), or gone.
    rotated = key + ".1"
    old = _stat(rotated)
    if old is not None and _identity(old) == (stored.device, stored.inode):
        done, first = _read(key, rotated, stored, stored, result, parser, limit)
        # Leave the old file once it is read to its end, nginx writes the new one (it has
        # reopened its log on USR1) and the old one has been quiet for a while (every
        # worker has): until then, lines may still land in the old file.
        quiet = time.time() - old.st_mtime >= ROTATED_QUIET
        if not done or current is None or current.st_size == 0 or not quiet:
            return done, first
        tail = old.st_size - result.offset
        if tail > 0:  # nginx writes whole lines: only a crash leaves a torn one
            current_app.logger.warning(
                "%s: %d bytes without a final newline left unread", rotated, tail
            )
        latest = read_position(key)
        save(key, latest, Position(*_identity(current), 0), None)
        return False, first
    if current is None:
        result.missing = True
        return True, ""
    current_app.logger.warning(
        "%s: the file last read (device %d, inode %d, byte %d) is gone, also from %s; "
        "reading the new file from its start",
        key,
        stored.device,
        stored.inode,
        stored.offset,
        rotated,
    )
    save(key, stored, Position(*_identity(current), 0), None)
    return False, ""


def _read(
    key: str,
    file_path: str,
    stored: Position | None,
    start: Position,
    result: Result,
    parser: LineParser,
    limit: int,
) -> tuple[bool, str]:
    try:
        with open(file_path, "rb") as fh:
            # The file opened must be the one the position names (a rename may fall
            # between the stat and the open): if not, the next step looks again.
            if _identity(os.fstat(fh.fileno())) != (start.device, start.inode):
                return False, ""
            batch = read_batch(fh, start.offset, limit, parser)
    except FileNotFoundError:
        return False, ""
    result.offset = start.offset
    if batch.lines == 0:
        if stored is None:
            save(key, None, start, None)  # remember the file from its first sight
        return True, ""
    save(key, stored, Position(start.device, start.inode, batch.end), batch)
    result.add(batch)
    return batch.lines < limit, batch.first_skipped


# ---------------------------------------------------------------- the command


# With --follow, a summary at most this often (journald keeps them).
REPORT_EVERY = 600.0


def _follow(path: str, interval: float, batch_lines: int) -> None:
    stop = threading.Event()

    def request_stop(_signum, _frame) -> None:
        stop.set()  # the batch in hand is committed first: checked between batches

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, request_stop)
    click.echo(f"Counting views from {path} every {interval:g} s until SIGTERM.")
    waiting = False
    totals = Result(path=os.path.abspath(path))
    reported = time.monotonic()
    while not stop.is_set():
        try:
            result = count_views(path, batch_lines, stop)
        except OperationalError as error:
            # A locked, read-only or full database: the log keeps; try again later. Any
            # other error ends the command (systemd restarts it; the journal shows why).
            db.session.rollback()
            if not write_refusal(error):
                raise
            current_app.logger.warning("views not counted yet: %s", error.orig)
        else:
            if result.missing and not waiting:
                click.echo(f"Waiting for {result.path} (nginx has served no cached page yet).")
            waiting = result.missing
            totals.merge(result)
        if totals.lines and time.monotonic() - reported >= REPORT_EVERY:
            click.echo(totals.summary())
            totals = Result(path=totals.path)
            reported = time.monotonic()
        stop.wait(interval)
    if totals.lines:
        click.echo(totals.summary())
    click.echo("Stopped.")


@click.command("count-views")
@click.option(
    "--log",
    "log_path",
    type=click.Path(dir_okay=False),
    help="nginx's view log [default: the VIEWS_LOG_PATH setting]",
)
@click.option("--follow", is_flag=True, help="Keep reading as nginx writes (until SIGTERM).")
@click.option(
    "--interval",
    default=1.0,
    show_default=True,
    type=click.FloatRange(min=0.01),
    help="Seconds between reads with --follow.",
)
@click.option(
    "--batch",
    "batch_lines",
    default=BATCH_LINES,
    show_default=True,
    type=click.IntRange(min=1),
    help="Lines counted per transaction.",
)
def count_views_command(
    log_path: str | None, follow: bool, interval: float, batch_lines: int
) -> None:
    """Add the pages nginx served from its cache to the view counters."""
    path = log_path or current_app.config["VIEWS_LOG_PATH"]
    if follow:
        _follow(path, interval, batch_lines)
        return
    result = count_views(path, batch_lines)
    click.echo(result.summary())
