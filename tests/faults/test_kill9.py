"""kill -9 of gunicorn workers and of the whole server while 10 clients post comments and
count views: the database stays intact and every comment answered 303 is there.

The suite runs 2 rounds; `bench/faults.py` runs the same scenario for 10.
"""

import pytest

from tests.faults.scenarios import kill_rounds
from tests.faults.support import integrity, query

pytestmark = pytest.mark.live


def test_kill9_rounds_lose_nothing_that_was_acknowledged(tmp_path, migrated_db):
    result = kill_rounds(tmp_path, migrated_db, rounds=2, clients=10, per_phase=3)
    try:
        ledger = result.ledger
        db_path = result.server.db_path
        assert integrity(db_path) == "ok"
        stored = {row[0] for row in query(db_path, "SELECT content FROM comment")}
        missing = [c for c in ledger.accepted if c not in stored]
        assert missing == [], f"{len(missing)} acknowledged comments lost"
        assert len(ledger.accepted) >= 3 * 5
        # Every 200 was counted before it was sent; a view may also have been counted
        # for a response the kill swallowed, never more than were sent.
        (views,) = query(db_path, "SELECT view_count FROM article")[0:1][0]
        assert ledger.views_ok <= views <= ledger.views_sent
        # The live server answers after all this, with no 5xx along the way.
        assert ledger.server_errors == 0, ledger.statuses
        assert result.kills >= 2 * 3
    finally:
        result.server.stop()
