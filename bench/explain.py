#!/usr/bin/env python3
"""EXPLAIN QUERY PLAN for every query the hot reader pages run, for docs/performance.md.

    .venv/bin/python bench/explain.py DB [--query "mưa lũ"] [--pages home,category,...]

Renders each page once through the app (test client, a bot User-Agent so no view is
counted; the article page still stores the captcha challenge its comment form carries)
while recording every SQL statement, then
prints each SELECT with its plan and its time on this database. Because it records what
the pages really run, it stays true while the queries change.
"""

from __future__ import annotations

import argparse
import contextlib
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from run import BOT_UA, pick_targets  # noqa: E402

PAGES = ("home", "category", "category_deep", "article", "search")


def plan_lines(conn: sqlite3.Connection, statement: str, params) -> list[str]:
    rows = conn.execute("EXPLAIN QUERY PLAN " + statement, params).fetchall()
    depth = {0: -1}
    lines = []
    for node_id, parent, _unused, detail in rows:
        depth[node_id] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node_id] + detail)
    return lines


def timed(conn: sqlite3.Connection, statement: str, params, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        conn.execute(statement, params).fetchall()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("db", type=Path, help="a database seeded with seed-bench")
    ap.add_argument("--query", default="mưa lũ")
    ap.add_argument("--pages", default=",".join(PAGES))
    ap.add_argument("--no-time", action="store_true", help="plans only")
    ap.add_argument("--sql-width", type=int, default=0, help="cut each statement (0: whole)")
    ap.add_argument("--no-params", action="store_true", help="leave the parameters out")
    args = ap.parse_args(argv)

    from sqlalchemy import event

    from app import create_app
    from bantin.extensions import db

    db_path = args.db.resolve()
    facts = pick_targets(db_path)
    paths = {
        "home": "/",
        "category": f"/category/{facts['category_slug']}",
        "category_deep": f"/category/{facts['category_slug']}?page={facts['category_deep_page']}",
        "article": facts["article_path"],
        "search": "/search?" + urlencode({"q": args.query}),
    }
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "explain",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
            "UPLOAD_FOLDER": tempfile.mkdtemp(prefix="bantin-explain-"),
        }
    )
    print(
        f"# Query plans: {facts['articles']} articles, {facts['comments']} comments "
        f"({db_path.name})\n"
    )
    with app.app_context():
        captured: list[tuple[str, object]] = []

        @event.listens_for(db.engine, "before_cursor_execute")
        def _record(_conn, _cursor, statement, parameters, _context, _many) -> None:
            captured.append((statement, parameters))

        client = app.test_client()
        raw = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        with contextlib.closing(raw):
            for name in [p.strip() for p in args.pages.split(",") if p.strip()]:
                path = paths[name]
                captured.clear()
                response = client.get(path, headers={"User-Agent": BOT_UA})
                selects: dict[str, list] = {}  # one entry per distinct statement
                for statement, params in captured:
                    if statement.lstrip().upper().startswith(("SELECT", "WITH")):
                        selects.setdefault(statement, [params, 0])[1] += 1
                total = sum(n for _p, n in selects.values())
                print(
                    f"## {name}: GET {path} -> {response.status_code}, "
                    f"{total} queries ({len(selects)} distinct)\n"
                )
                for n, (statement, (params, times)) in enumerate(selects.items(), start=1):
                    header = f"-- {name} query {n}"
                    if times > 1:
                        header += f" (run {times} times with other parameters)"
                    if not args.no_time:
                        header += f", {timed(raw, statement, params):.2f} ms"
                    print("```")
                    print(header)
                    sql = " ".join(statement.split())
                    if args.sql_width and len(sql) > args.sql_width:
                        sql = sql[: args.sql_width] + " …"
                    print(sql)
                    if not args.no_params:
                        print(f"-- params: {params!r}"[:300])
                    for line in plan_lines(raw, statement, params):
                        print(line)
                    print("```\n")
        db.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
