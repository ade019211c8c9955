"""The optional background sender (MAIL_WORKER): one thread per app process, started by
the first message that process queues, woken after each commit that queued mail and
every MAIL_WORKER_INTERVAL seconds. `flask mail send` on a systemd timer does the same job
without a thread; both can run at once (claims never overlap)."""

from __future__ import annotations

import os
import threading

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

_lock = threading.Lock()
_wake = threading.Event()
_started: dict[int, threading.Thread] = {}  # per process id: a fork starts its own
NUDGE = "bantin_mail_nudge"


def nudge_after_commit() -> None:
    """Wake this process's worker once the caller's transaction commits."""
    if not current_app.config.get("MAIL_WORKER"):
        return
    from bantin.extensions import db

    ensure_started(current_app._get_current_object())
    db.session.info[NUDGE] = True


def _after_commit(session: Session) -> None:
    if session.info.pop(NUDGE, False):
        _wake.set()


def ensure_started(app: Flask) -> None:
    pid = os.getpid()
    with _lock:
        thread = _started.get(pid)
        if thread is not None and thread.is_alive():
            return
        if not event.contains(Session, "after_commit", _after_commit):
            event.listen(Session, "after_commit", _after_commit)
        thread = threading.Thread(target=_run, args=(app,), name="bantin-mail", daemon=True)
        _started[pid] = thread
        thread.start()


def _run(app: Flask) -> None:
    from bantin.extensions import db
    from bantin.mail import sender

    interval = float(app.config.get("MAIL_WORKER_INTERVAL") or 60)
    while True:
        _wake.wait(interval)
        _wake.clear()
        with app.app_context():
            try:
                sender.send_due()
            except Exception:  # the thread must outlive a bad run (logged, retried later)
                app.logger.exception("mail worker: sending failed")
            finally:
                db.session.remove()
