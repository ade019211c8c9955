#!/usr/bin/env python3
"""Load check on a real gunicorn (issue 7): readers and comment posters at once.

    .venv/bin/python bench/load.py [--readers 100] [--posters 5] [--seconds 30]

Starts gunicorn (2 workers x 4 threads, test settings) on 127.0.0.1 with a fresh
database, runs the readers and posters for the given time (bounded to 60 s), then
checks: zero 5xx, zero lost comments, view counts exactly equal to the 200 answers,
PRAGMA integrity_check ok. Exit status 1 when any check fails. tests/faults/test_load.py
runs a short version of the same scenario in `make test`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import LiveServer  # noqa: E402
from tests.faults.scenarios import LIVE_CONFIG, load, migrated_template  # noqa: E402
from tests.faults.support import integrity, query  # noqa: E402

MAX_SECONDS = 60.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--readers", type=int, default=100)
    parser.add_argument("--posters", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    seconds = min(args.seconds, MAX_SECONDS)
    with tempfile.TemporaryDirectory(prefix="bantin-load-") as tmp:
        tmp_path = Path(tmp)
        template = migrated_template(tmp_path / "template")
        work = tmp_path / "run"
        work.mkdir()
        server = LiveServer(work, template, workers=args.workers, **LIVE_CONFIG).start()
        try:
            print(
                f"{args.readers} readers + {args.posters} posters for {seconds:g} s on {server.url}"
            )
            result = load(server, args.readers, args.posters, seconds)
            ledger = result.ledger
            reads = sum(result.counts.values())
            print(
                f"{reads} article views ({reads / result.seconds:.0f}/s), "
                f"{len(ledger.accepted)} comments accepted, statuses {dict(ledger.statuses)}, "
                f"{ledger.network_errors} network errors"
            )
            failures = []
            if ledger.server_errors:
                failures.append(f"{ledger.server_errors} responses were 5xx")
            if ledger.network_errors:
                failures.append(f"{ledger.network_errors} requests failed on the network")
            stored = {r[0] for r in query(server.db_path, "SELECT content FROM comment")}
            lost = [c for c in ledger.accepted if c not in stored]
            if lost:
                failures.append(f"{len(lost)} acknowledged comments lost")
            for path in result.paths:
                article_id = int(path.split("/")[2])
                (views,) = query(
                    server.db_path, "SELECT view_count FROM article WHERE id = ?", article_id
                )[0]
                if views != result.counts[path]:
                    failures.append(f"{path}: {views} views stored, {result.counts[path]} served")
            check = integrity(server.db_path)
            if check != "ok":
                failures.append(f"integrity_check: {check}")
        finally:
            server.stop()
    for failure in failures:
        print("FAIL:", failure)
    print("OK: no 5xx, no lost comment, exact view counts" if not failures else "FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
