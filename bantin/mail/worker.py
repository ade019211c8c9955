"""The optional background sender (MAIL_WORKER): one thread per app in each process,
started by the process's first request (or first queued message), woken after each
commit that queued mail and every MAIL_WORKER_INTERVAL seconds. `flask mail send` on a
systemd timer does the same job without a thread; both can run at once (claims never
overlap)."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

NUDGE = "bantin_mail_nudge"


@dataclass
class _Worker:
    thread: threading.Thread | None = None
    wake: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)


_lock = threading.Lock()
# Per process id (a forked worker starts its own) and app (tests build many apps).
_workers: dict[tuple[int, int], _Worker] = {}


def nudge_after_commit() -> None:
    """Wake this process's worker once the caller's transaction commits."""
    if not current_app.config.get("MAIL_WORKER"):
        return
    from bantin.extensions import db

    ensure_started(current_app._get_current_object())
    db.session.info[NUDGE] = True


def _after_commit(session: Session) -> None:
    if session.info.pop(NUDGE, False):
        pid = os.getpid()
        for (owner, _app), worker in list(_workers.items()):
            if owner == pid:
                worker.wake.set()


def ensure_started(app: Flask) -> None:
    key = (os.getpid(), id(app))
    worker = _workers.get(key)
    if worker is not None and worker.thread is not None and worker.thread.is_alive():
        return  # the usual case, without the lock
    with _lock:
        worker = _workers.get(key)
        if worker is not None and worker.thread is not None and worker.thread.is_alive():
            return
        if not event.contains(Session, "after_commit", _after_commit):
            event.listen(Session, "after_commit", _after_commit)
        worker = _Worker()
        worker.thread = threading.Thread(
            target=_run, args=(app, worker), name="bantin-mail", daemon=True
        )
        _workers[key] = worker
        worker.thread.start()


def stop_all(timeout: float = 10) -> None:
    """Stop this process's worker threads (tests; a process that exits needs nothing)."""
    pid = os.getpid()
    with _lock:
        mine = [(key, w) for key, w in _workers.items() if key[0] == pid]
        for key, _worker in mine:
            del _workers[key]
    for _key, worker in mine:
        worker.stop.set()
        worker.wake.set()
        if worker.thread is not None:
            worker.thread.join(timeout)


def _run(app: Flask, worker: _Worker) -> None:
    from bantin.database import write_lock
    from bantin.extensions import db
    from bantin.mail import digest, sender

    interval = float(app.config.get("MAIL_WORKER_INTERVAL") or 60)
    while not worker.stop.is_set():
        worker.wake.wait(interval)
        worker.wake.clear()
        if worker.stop.is_set():
            return
        with app.app_context():
            try:
                with write_lock():
                    digest.queue_due()
                    db.session.commit()
                sender.send_due()
            except Exception:  # the thread must outlive a bad run (logged, retried later)
                app.logger.exception("mail worker: sending failed")
            finally:
                db.session.remove()
