"""`flask mail send` as real processes against a real SMTP server: a sender killed with
SIGKILL in the middle of a run loses nothing (its claim's lease runs out and the next run
sends the message), and two senders running at once send each message exactly once."""

import asyncio
import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta

import pytest

from app import create_app
from bantin import mail
from bantin.clock import _real_now
from bantin.extensions import db
from tests.conftest import ROOT, database_uri, make_config
from tests.faults.support import execute, integrity, query
from tests.mail_server import SMTPServer

pytestmark = pytest.mark.live


class HoldingInbox:
    """Wraps the test inbox: holds the ``hold_at``-th RCPT until released (the sender
    waits for the reply, then is killed), and can make two sessions meet in DATA."""

    def __init__(self, inbox, hold_at: int | None = None, meet: int = 0) -> None:
        self.inbox = inbox
        self.rcpts = 0
        self.hold_at = hold_at
        self.holding = threading.Event()
        self.release = threading.Event()
        self.barrier = threading.Barrier(meet, timeout=30) if meet else None
        self.met: set[int] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.rcpts += 1
        if self.rcpts == self.hold_at:
            self.holding.set()
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, self.release.wait, 30)
            return "451 4.3.0 Closing"
        return await self.inbox.handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_DATA(self, server, session, envelope):
        if self.barrier is not None and id(session) not in self.met:
            # Each sender's first message waits for the other's: both hold a claim at once.
            self.met.add(id(session))
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, self.barrier.wait)
        return await self.inbox.handle_DATA(server, session, envelope)


@pytest.fixture
def world(tmp_path, migrated_db):
    def build(count: int, **holding):
        smtp = SMTPServer()
        handler = HoldingInbox(smtp.inbox, **holding)
        smtp.controller.handler = handler
        smtp.start()
        database_uri(tmp_path, migrated_db)  # a copy of the file, or a PostgreSQL database
        db_path = tmp_path / "bantin.db"  # names the test's database for query()
        config = make_config(tmp_path, **smtp.config())
        app = create_app(config)
        with app.app_context():
            for n in range(count):
                mail.queue(
                    f"nguoi{n}@example.com",
                    "test",
                    {},
                    language="vi" if n % 2 else "en",
                    name=f"Người số {n}",
                )
            db.session.commit()
            db.engine.dispose()
        env = {**os.environ, "BANTIN_TEST_CONFIG": repr(config)}
        return smtp, handler, db_path, env

    servers = []

    def start(count: int, **holding):
        built = build(count, **holding)
        servers.append(built[0])
        return built

    yield start
    for server in servers:
        server.stop()


def _sender(env: dict) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "flask", "--app", "tests.live_app", "mail", "send"]
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _statuses(db_path) -> dict[str, int]:
    return dict(query(db_path, "SELECT status, count(*) FROM mail_message GROUP BY status"))


def test_kill9_of_a_sender_mid_run_loses_nothing(world):
    smtp, handler, db_path, env = world(12, hold_at=4)
    proc = _sender(env)
    try:
        assert handler.holding.wait(60), "the sender never reached the fourth message"
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    finally:
        handler.release.set()
    assert proc.returncode == -signal.SIGKILL
    assert integrity(db_path) == "ok"
    assert len(smtp.inbox.messages) == 3
    assert _statuses(db_path) == {"SENT": 3, "SENDING": 1, "QUEUED": 8}

    # A run while the dead sender's lease still holds sends the others, not that one.
    second = _sender(env)
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert _statuses(db_path) == {"SENT": 11, "SENDING": 1}

    # The lease runs out (stored times shifted, no waiting): the next run sends it.
    past = (_real_now() - timedelta(minutes=1)).isoformat(" ")
    execute(db_path, "UPDATE mail_message SET claimed_until = ? WHERE status = 'SENDING'", past)
    third = _sender(env)
    out, err = third.communicate(timeout=120)
    assert third.returncode == 0, err
    assert "Sent 1" in out
    assert _statuses(db_path) == {"SENT": 12}
    received = [m["Message-ID"] for m in smtp.inbox.wait_for(12)]
    stored = [r[0] for r in query(db_path, "SELECT message_id FROM mail_message")]
    assert sorted(received) == sorted(stored) and len(set(received)) == 12
    ((attempts,),) = query(db_path, "SELECT max(attempts) FROM mail_message")
    assert attempts == 2  # the killed attempt counted


def test_two_senders_at_once_send_each_message_once(world):
    smtp, handler, db_path, env = world(30, meet=2)
    first, second = _sender(env), _sender(env)
    outs = [proc.communicate(timeout=120) for proc in (first, second)]
    assert first.returncode == 0 and second.returncode == 0, outs
    assert len(handler.met) == 2  # both really sent, at the same time
    received = [m["Message-ID"] for m in smtp.inbox.wait_for(30)]
    assert len(received) == 30 and len(set(received)) == 30
    assert _statuses(db_path) == {"SENT": 30}
    assert integrity(db_path) == "ok"
