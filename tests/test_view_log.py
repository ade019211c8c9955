"""nginx's view log (bantin.view_log): exact counts, local days, partial lines, rotation,
truncation, batches, the CLI, and any split of the log counting as the whole."""

import itertools
import logging
import os
import threading
import time
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bantin import counters, view_log
from bantin.extensions import db
from bantin.models import Article, ArticleDailyViews, DailyStats, ViewLogPosition

SITE = ZoneInfo("Asia/Ho_Chi_Minh")
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"
MISSING_ID = 999_999


def at(*local: int, ms: int = 0) -> str:
    """$msec for a local wall time in the site's zone."""
    instant = datetime(*local, tzinfo=SITE).timestamp()
    return f"{int(instant)}.{ms:03d}"


NOON = at(2026, 12, 7, 12, 0, 0, ms=123)
DAY = date(2026, 12, 7)


def line(
    view: str = "page",
    visit: str = "1",
    cache: str = "HIT",
    method: str = "GET",
    status: str = "200",
    agent: str = BROWSER,
    msec: str = NOON,
) -> str:
    return "\t".join((msec, cache, method, status, view, visit, agent)) + "\n"


def write(path: Path, *lines: str, mode: str = "a") -> None:
    with open(path, mode, encoding="utf-8") as fh:
        fh.write("".join(lines))


def quiet_since(path: Path, seconds: float) -> None:
    """Date the file's last write ``seconds`` back (rather than wait for that long)."""
    then = time.time() - seconds
    os.utime(path, (then, then))


def totals() -> dict:
    """Every counter the log feeds, as plain data."""
    db.session.expire_all()
    articles = dict(db.session.execute(sa.select(Article.id, Article.view_count)).all())
    per_day = {
        (r.article_id, r.day): r.views for r in db.session.scalars(sa.select(ArticleDailyViews))
    }
    days = {r.day: (r.page_views, r.visits) for r in db.session.scalars(sa.select(DailyStats))}
    db.session.commit()
    return {"articles": articles, "article_days": per_day, "days": days}


def delta(after: dict, before: dict) -> dict:
    """What was added between two totals (zero entries dropped)."""
    out = {}
    for key in after:
        added = {}
        for k, v in after[key].items():
            old = before[key].get(k, (0, 0) if isinstance(v, tuple) else 0)
            diff = (
                tuple(a - b for a, b in zip(v, old, strict=True))
                if isinstance(v, tuple)
                else v - old
            )
            if diff not in (0, (0, 0)):
                added[k] = diff
        out[key] = added
    return out


@pytest.fixture
def log(tmp_path) -> Path:
    return tmp_path / "bantin.views.log"


def test_counts_exactly_what_nginx_served_from_its_cache(app, factory, log, caplog):
    one, two = factory.article(view_count=10), factory.article()
    other = factory.article()  # never in the log
    write(
        log,
        # Counted: articles and pages, from the three cache statuses that skip the app.
        line(f"article {one.id}", visit=""),  # a new visit
        line(f"article {one.id}", cache="STALE"),
        line(f"article {one.id}", cache="UPDATING"),
        line(f"article {two.id}", visit=""),
        line("page", visit=""),
        line("page"),
        line(f"article {MISSING_ID}", visit=""),  # deleted since: the site's view counts
        # Not counted: the app served (and counted) these, or they are no page view.
        line(f"article {one.id}", cache="MISS"),
        line(f"article {one.id}", cache="BYPASS"),
        line(f"article {one.id}", cache="EXPIRED"),
        line(f"article {one.id}", cache=""),
        line(f"article {one.id}", method="HEAD"),
        line("page", method="POST"),
        line("page", status="404"),
        line(f"article {one.id}", status="304"),
        line(f"article {one.id}", agent="Mozilla/5.0 (compatible; Googlebot/2.1)"),
        line("page", agent="Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"),
        line(""),  # the app named no view (an image, a feed…)
        # Malformed: skipped, never fatal.
        "garbage\n",
        "\t".join(["1765084800.1", "HIT", "GET", "200", "page", ""]) + "\n",  # 6 fields
        line("page", msec="yesterday"),
        line("page", msec="nan"),
        line("article x"),
        line("article 0"),
        line("article -3"),
        line("video 5"),
        "\n",
    )
    with caplog.at_level(logging.WARNING):
        result = view_log.count_views(str(log))
    assert (result.lines, result.views, result.article_views, result.visits) == (27, 7, 5, 4)
    assert result.skipped == 9
    assert result.offset == log.stat().st_size
    warnings = [r for r in caplog.records if "malformed" in r.getMessage()]
    assert len(warnings) == 1 and "9 malformed lines" in warnings[0].getMessage()
    after = totals()
    assert after["articles"] == {one.id: 13, two.id: 1, other.id: 0}
    assert after["article_days"] == {(one.id, DAY): 3, (two.id, DAY): 1}
    assert after["days"] == {DAY: (7, 4)}


def test_the_bot_rule_is_the_apps(app, log):
    for agent in ("Googlebot/2.1", "a spider", "SomeCrawler", "Lighthouse", BROWSER):
        assert counters.is_bot_agent(agent) is bool(counters._BOT.search(agent))
    write(log, line(agent="Mozilla/5.0 (compatible; bingbot/2.0)"), line(agent=""))
    assert view_log.count_views(str(log)).views == 1  # an empty User-Agent is no bot


def test_json_escapes_and_raw_bytes_in_the_user_agent(app, log):
    with open(log, "wb") as fh:
        fh.write(line(agent='say \\"hi\\"\\tthere\\u0001').encode())
        fh.write(line(agent="tr\\u00ecnh duy\\u1ec7t").encode())
        fh.write(line(agent="x").encode()[:-2] + b"\xff\xfe\n")  # not UTF-8
    result = view_log.count_views(str(log))
    assert (result.views, result.skipped) == (3, 0)


def test_an_overlong_line_is_skipped_whole(app, log, monkeypatch):
    monkeypatch.setattr(view_log, "MAX_LINE", 120)
    write(log, line("page"), "x" * 300 + "\n", line("page", visit=""), "y" * 250)
    result = view_log.count_views(str(log))
    assert (result.lines, result.views, result.skipped) == (3, 2, 1)
    write(log, "\n", line("page"))  # the overlong run at the end is complete now
    result = view_log.count_views(str(log))
    assert (result.lines, result.views, result.skipped) == (2, 1, 1)


def test_a_stop_request_ends_the_pass_between_batches(app, log):
    write(log, *(line("page") for _ in range(10)))
    stop = threading.Event()
    stop.set()
    assert view_log.count_views(str(log), stop=stop).lines == 0
    assert view_log.count_views(str(log), batch_lines=4).lines == 10


def test_views_fall_on_the_site_s_local_day(app, factory, log):
    art = factory.article()
    write(
        log,
        line(f"article {art.id}", msec=at(2026, 12, 6, 23, 59, 59, ms=900)),
        line(f"article {art.id}", msec=at(2026, 12, 7, 0, 0, 0, ms=100)),
        line("page", visit="", msec=at(2026, 12, 7, 0, 0, 0, ms=0)),
    )
    view_log.count_views(str(log))
    after = totals()
    # 00:00 in Hanoi is 17:00 UTC the day before: the UTC date would put all three on the 6th.
    assert after["article_days"] == {(art.id, date(2026, 12, 6)): 1, (art.id, DAY): 1}
    assert after["days"] == {date(2026, 12, 6): (1, 0), DAY: (2, 1)}


def test_a_partial_last_line_waits_for_its_newline_and_counts_once(app, factory, log):
    art = factory.article()
    whole = line(f"article {art.id}", visit="")
    write(log, line("page"), line("page"), whole[:17])
    first = view_log.count_views(str(log))
    assert (first.lines, first.views) == (2, 2)
    assert first.offset == 2 * len(line("page"))
    assert view_log.count_views(str(log)).lines == 0  # still incomplete
    write(log, whole[17:])
    second = view_log.count_views(str(log))
    assert (second.lines, second.views, second.article_views) == (1, 1, 1)
    assert view_log.count_views(str(log)).lines == 0
    after = totals()
    assert after["articles"][art.id] == 1
    assert after["days"] == {DAY: (3, 1)}


def test_a_second_pass_adds_nothing(app, factory, log):
    art = factory.article()
    write(log, *(line(f"article {art.id}") for _ in range(5)))
    view_log.count_views(str(log))
    before = totals()
    again = view_log.count_views(str(log))
    assert (again.lines, again.views) == (0, 0)
    assert totals() == before
    position = db.session.get(ViewLogPosition, str(log))
    assert (position.inode, position.offset) == (log.stat().st_ino, log.stat().st_size)


@pytest.mark.parametrize("batch_lines", [1, 3, 7, 10_000])
def test_batches_smaller_than_the_file_give_the_same_totals(app, factory, log, batch_lines):
    arts = [factory.article() for _ in range(3)]
    write(
        log,
        *(
            line(
                f"article {arts[i % 3].id}",
                visit="" if i % 4 else "1",
                msec=at(2026, 12, 7, i % 24, 0),
            )
            for i in range(40)
        ),
        "broken\n",
        line("page", cache="MISS"),
    )
    result = view_log.count_views(str(log), batch_lines=batch_lines)
    assert (result.lines, result.views, result.skipped) == (42, 40, 1)
    after = totals()
    assert sorted(after["articles"].values()) == [13, 13, 14]
    assert sum(pv for pv, _ in after["days"].values()) == 40
    assert sum(v for _, v in after["days"].values()) == 30


def test_rotation_finishes_the_renamed_file_then_reads_the_new_one(app, factory, log):
    art = factory.article()
    write(log, line(f"article {art.id}"), line(f"article {art.id}"))
    view_log.count_views(str(log))
    write(log, line(f"article {art.id}"))  # written after the last pass
    os.rename(log, f"{log}.1")  # logrotate: rename, then `create` a new empty file
    write(log, "", mode="w")
    # nginx writes to the renamed file until it reopens its log (USR1): keep reading there.
    write(Path(f"{log}.1"), line(f"article {art.id}"))
    assert view_log.count_views(str(log)).views == 2
    position = db.session.get(ViewLogPosition, str(log))
    assert position.inode == os.stat(f"{log}.1").st_ino
    write(Path(f"{log}.1"), line("page"))  # a late line in the old file, still counted
    write(log, line("page", visit=""), line("page", visit=""))  # nginx reopened
    # Workers reopen one by one: the old file is left only once it has been quiet.
    assert view_log.count_views(str(log)).views == 1
    quiet_since(Path(f"{log}.1"), view_log.ROTATED_QUIET)
    result = view_log.count_views(str(log))
    assert (result.views, result.offset) == (2, log.stat().st_size)
    db.session.expire_all()
    position = db.session.get(ViewLogPosition, str(log))
    assert (position.inode, position.offset) == (log.stat().st_ino, log.stat().st_size)
    after = totals()
    assert after["articles"][art.id] == 4
    assert after["days"] == {DAY: (7, 2)}
    assert view_log.count_views(str(log)).lines == 0


def test_a_truncated_log_is_read_again_from_its_start(app, log, caplog):
    write(log, *(line("page") for _ in range(4)))
    view_log.count_views(str(log))
    write(log, line("page", visit=""), mode="w")  # same inode, shorter than the position
    with caplog.at_level(logging.WARNING):
        result = view_log.count_views(str(log))
    assert (result.views, result.visits) == (1, 1)
    assert any("truncated" in r.getMessage() for r in caplog.records)
    assert totals()["days"] == {DAY: (5, 1)}


def test_a_vanished_log_gives_way_to_the_new_file(app, log, tmp_path, caplog):
    write(log, line("page"), line("page"))
    view_log.count_views(str(log))
    fresh = tmp_path / "fresh.log"
    write(fresh, line("page", visit=""))
    os.replace(fresh, log)  # a new inode at the path, and no .1
    with caplog.at_level(logging.WARNING):
        result = view_log.count_views(str(log))
    assert result.views == 1
    assert any("is gone" in r.getMessage() for r in caplog.records)
    assert totals()["days"] == {DAY: (3, 1)}


def test_a_missing_log_is_nothing_to_do(app, log):
    result = view_log.count_views(str(log))
    assert result.missing and result.lines == 0
    assert db.session.get(ViewLogPosition, str(log)) is None


def test_a_reader_that_lost_the_race_counts_nothing(app, log):
    write(log, line("page"))
    view_log.count_views(str(log))
    stale = view_log.Position(log.stat().st_dev, log.stat().st_ino, 0)
    batch = view_log.Batch(end=len(line("page")), lines=1, views=1)
    batch.page_views[DAY] = 1
    with pytest.raises(view_log.PositionMoved):
        view_log.save(str(log), stale, view_log.Position(stale.device, stale.inode, 99), batch)
    assert totals()["days"] == {DAY: (1, 0)}


def test_cli_one_shot_prints_a_summary(app_factory, tmp_path, log):
    app = app_factory(VIEWS_LOG_PATH=str(log))
    runner = app.test_cli_runner()
    missing = runner.invoke(args=["count-views"])
    assert missing.exit_code == 0, missing.output
    assert "does not exist yet" in missing.output
    write(log, line("page", visit=""), line("page"), "junk\n")
    done = runner.invoke(args=["count-views"])
    assert done.exit_code == 0, done.output
    assert done.output.strip() == (
        f"3 lines read from {log}: 2 views counted (0 of articles, 1 new visits), "
        f"1 malformed lines skipped; now at byte {log.stat().st_size}."
    )
    other = tmp_path / "other.log"
    write(other, line("page"))
    explicit = runner.invoke(args=["count-views", "--log", str(other), "--batch", "1"])
    assert explicit.exit_code == 0 and "1 views counted" in explicit.output
    with app.app_context():
        assert totals()["days"] == {DAY: (3, 1)}


# ---------------------------------------------------------------- any split, same totals

_examples = itertools.count()

_entry = st.one_of(
    st.tuples(
        st.sampled_from(["a", "b", "gone", "page", ""]),  # which view
        st.booleans(),  # visit cookie
        st.sampled_from(["HIT", "STALE", "MISS"]),
        st.sampled_from(["GET", "HEAD"]),
        st.sampled_from([BROWSER, "Googlebot", "Trình duyệt ưa thích"]),
        st.sampled_from([at(2026, 12, 6, 23, 59, 59, ms=999), NOON, at(2026, 12, 8, 0, 0)]),
    ),
    st.sampled_from(["broken", "article nope", ""]),  # malformed lines
)


def _render(entry, ids: dict[str, int]) -> str:
    if isinstance(entry, str):
        return f"{entry}\n"
    which, cookie, cache, method, agent, msec = entry
    view = {"a": f"article {ids['a']}", "b": f"article {ids['b']}", "gone": f"article {MISSING_ID}"}
    return line(view.get(which, which), "1" if cookie else "", cache, method, "200", agent, msec)


def _expected(entries, ids: dict[str, int]) -> dict:
    articles, article_days, days = Counter(), Counter(), {}
    for entry in entries:
        if isinstance(entry, str):
            continue
        which, cookie, cache, method, agent, msec = entry
        if which == "" or cache == "MISS" or method != "GET" or agent == "Googlebot":
            continue
        day = datetime.fromtimestamp(float(msec), SITE).date()
        pv, visits = days.get(day, (0, 0))
        days[day] = (pv + 1, visits + (not cookie))
        if which in ("a", "b"):
            articles[ids[which]] += 1
            article_days[(ids[which], day)] += 1
    return {"articles": dict(articles), "article_days": dict(article_days), "days": days}


@pytest.fixture
def two_articles(app, factory) -> dict[str, int]:
    return {"a": factory.article().id, "b": factory.article().id}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    entries=st.lists(_entry, max_size=30),
    cuts=st.lists(st.floats(0, 1), max_size=6),
    batch_lines=st.integers(1, 8),
)
def test_any_split_of_the_log_counts_as_the_whole(
    two_articles, tmp_path, entries, cuts, batch_lines
):
    n = next(_examples)
    data = "".join(_render(e, two_articles) for e in entries).encode()
    # Cut anywhere, even inside a line or a UTF-8 character: nginx's writes are whole lines,
    # but a reader may look at any moment of a write.
    points = sorted({int(c * len(data)) for c in cuts} | {0, len(data)})
    chunked, whole = tmp_path / f"chunked{n}.log", tmp_path / f"whole{n}.log"
    start = totals()
    with open(chunked, "wb") as fh:
        for lo, hi in itertools.pairwise(points):
            fh.write(data[lo:hi])
            fh.flush()
            view_log.count_views(str(chunked), batch_lines=batch_lines)
    view_log.count_views(str(chunked), batch_lines=batch_lines)  # nothing more
    middle = totals()
    whole.write_bytes(data)
    view_log.count_views(str(whole))
    end = totals()
    expected = _expected(entries, two_articles)
    assert delta(middle, start) == expected
    assert delta(end, middle) == expected
