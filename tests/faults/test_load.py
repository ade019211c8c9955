"""A short load run on a real gunicorn (bench/load.py is the long one): many readers and
a few comment posters at once; no 5xx, no lost comment, view counts exact."""

import pytest

from tests.faults.scenarios import LIVE_CONFIG, load
from tests.faults.support import integrity, query

pytestmark = pytest.mark.live


def test_readers_and_posters_together(live_server_factory):
    server = live_server_factory(workers=2, **LIVE_CONFIG)
    result = load(server, readers=20, posters=5, seconds=3)
    ledger = result.ledger
    assert ledger.server_errors == 0, ledger.statuses
    assert ledger.network_errors == 0
    assert sum(result.counts.values()) > 20  # it really ran (throughput is bench/load.py's job)
    stored = {row[0] for row in query(server.db_path, "SELECT content FROM comment")}
    assert ledger.accepted and set(ledger.accepted) <= stored
    assert len(stored) == len(ledger.accepted)  # nothing stored that was not acknowledged
    for path in result.paths:
        article_id = int(path.split("/")[2])
        (views,) = query(server.db_path, "SELECT view_count FROM article WHERE id = ?", article_id)[
            0
        ]
        assert views == result.counts[path], path
    assert integrity(server.db_path) == "ok"
