#!/usr/bin/env python3
"""kill -9 rounds (issue 7): workers and whole servers die while 10 clients post comments.

    .venv/bin/python bench/faults.py [--rounds 10] [--clients 10]

Each round kills one gunicorn worker with SIGKILL, then the master and all workers at
once, and starts a fresh server on the same SQLite file. Afterwards: PRAGMA
integrity_check is ok and every comment whose POST was answered 303 is stored; article
views are at least the 200 answers and at most the requests sent. tests/faults/test_kill9.py
runs 2 rounds of the same scenario in `make test`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.faults.scenarios import kill_rounds, migrated_template  # noqa: E402
from tests.faults.support import integrity, query  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--clients", type=int, default=10)
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bantin-faults-") as tmp:
        tmp_path = Path(tmp)
        template = migrated_template(tmp_path / "template")
        work = tmp_path / "run"
        work.mkdir()
        result = kill_rounds(work, template, args.rounds, args.clients, log=print)
        try:
            ledger = result.ledger
            db_path = result.server.db_path
            failures = []
            check = integrity(db_path)
            if check != "ok":
                failures.append(f"integrity_check: {check}")
            stored = {r[0] for r in query(db_path, "SELECT content FROM comment")}
            lost = [c for c in ledger.accepted if c not in stored]
            if lost:
                failures.append(f"{len(lost)} of {len(ledger.accepted)} acknowledged comments lost")
            (views,) = query(db_path, "SELECT view_count FROM article")[0]
            if not ledger.views_ok <= views <= ledger.views_sent:
                failures.append(
                    f"{views} views stored; {ledger.views_ok} answered, {ledger.views_sent} sent"
                )
            if ledger.server_errors:
                failures.append(f"{ledger.server_errors} responses were 5xx")
        finally:
            result.server.stop()
    print(
        f"{args.rounds} rounds, {result.kills} processes killed, {len(ledger.accepted)} comments "
        f"acknowledged ({len(stored)} stored), {views} views stored for {ledger.views_ok} "
        f"answered, {ledger.network_errors} requests cut off, {time.monotonic() - started:.0f} s"
    )
    for failure in failures:
        print("FAIL:", failure)
    print("OK" if not failures else "FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
