#!/usr/bin/env python3
"""`flask copy-to` measured: wall time and peak memory of moving a SQLite site to PostgreSQL.

    .venv/bin/python bench/copy_to.py [--articles 10000 --comments 100000 | --demo | --reuse DB]
                                      [--batch-size N] [--code DIR] [--db postgresql|URL]

Steps: a temporary instance folder; ``flask db upgrade`` and ``flask seed-bench`` (or
``seed-demo``, or a copy of a prepared SQLite file); a throw-away PostgreSQL cluster with
durable settings and an empty database (as bench/run.py makes them, or a scratch database on
the server of a given URL); then ``flask copy-to`` in its own process, timed, its peak
resident memory read from the kernel (``wait4``'s ru_maxrss). ``--code DIR`` runs the copy
with the code of another checkout (e.g. ``git archive`` of an older commit) to compare.
Wrap it in ``flock /tmp/bantin-heavy.lock`` on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import ROOT, Site, flask_cli, flask_env, log, make_secret


def copy(env: dict, url: str, code: Path, batch: int | None) -> dict:
    """Run copy-to in a child process; wall time, the child's peak RSS, what it printed."""
    cmd = [sys.executable, "-m", "flask", "--app", "app", "copy-to", url]
    if batch is not None:
        cmd += ["--batch-size", str(batch)]
    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=code, env=env, stdout=out, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise RuntimeError(f"copy-to failed ({proc.returncode}):\n{text[-3000:]}")
    copied = re.search(r"Copied (\d+) rows in (\d+) tables", text)
    return {
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # KiB on Linux
        "user_cpu_s": round(usage.ru_utime, 1),
        "rows": int(copied.group(1)) if copied else None,
        "tables": int(copied.group(2)) if copied else None,
        "search": next((line for line in text.splitlines() if "Search index" in line), ""),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--comments", type=int, default=None, help="default: 10 per article")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--demo", action="store_true", help="the demo site (seed-demo) instead")
    ap.add_argument("--reuse", type=Path, help="a prepared SQLite file (copied, not changed)")
    ap.add_argument("--batch-size", type=int, default=None, help="copy-to's (its default)")
    ap.add_argument("--code", type=Path, default=ROOT, help="the checkout that runs copy-to")
    ap.add_argument("--db", default="postgresql", help="postgresql (a throw-away cluster) or a URL")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args(argv)
    comments = args.comments if args.comments is not None else 10 * args.articles

    work = Path(tempfile.mkdtemp(prefix="bantin-copybench-"))
    db_path = work / "bantin.db"
    env = flask_env(db_path, work / "uploads", make_secret())
    site: Site | None = None
    try:
        t0 = time.perf_counter()
        if args.reuse:
            shutil.copyfile(args.reuse, db_path)
            flask_cli(env, "db", "upgrade")
            what = f"a copy of {args.reuse}"
        else:
            flask_cli(env, "db", "upgrade")
            if args.demo:
                log("seed-demo …")
                flask_cli(env, "seed-demo")
                what = "the demo site (seed-demo)"
            else:
                log(f"seed-bench --articles {args.articles} --comments {comments} …")
                flask_cli(
                    env,
                    "seed-bench",
                    *("--articles", str(args.articles), "--comments", str(comments)),
                    *("--seed", str(args.seed)),
                )
                what = f"seed-bench: {args.articles} articles, {comments} comments"
        prepared = time.perf_counter() - t0
        source_mb = round(db_path.stat().st_size / 1024 / 1024, 1)
        site = Site(args.db, work)
        log(f"copy-to ({what}, {source_mb} MB) …")
        result = copy(env, site.url, args.code, args.batch_size)
        target_mb = site.size_mb()
        database = site.describe()
    finally:
        if site is not None:
            site.close()
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    code = "this checkout" if args.code.resolve() == ROOT else str(args.code)
    batch = args.batch_size or "default"
    print(f"site: {what}; SQLite file {source_mb} MB (prepared in {prepared:.0f} s)")
    print(f"target: PostgreSQL {database.get('version')} {database.get('settings', '')}")
    print(
        f"copy-to ({code}, batch {batch}): {result['seconds']} s wall, "
        f"{result['user_cpu_s']} s user CPU, peak RSS {result['peak_rss_mb']} MB; "
        f"{result['rows']} rows in {result['tables']} tables; database {target_mb} MB"
    )
    print(result["search"])
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
