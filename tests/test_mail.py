"""The outbox against a real SMTP server (aiosmtpd on 127.0.0.1): headers and both parts
of each message, Vietnamese subjects and names in RFC 2047, retries with back-off while
the server is down, failures, leases of crashed senders, mail off, the CLI and the
worker thread."""

from datetime import timedelta
from email.header import decode_header, make_header

import pytest
import sqlalchemy as sa

from bantin import mail
from bantin.clock import utcnow
from bantin.extensions import db
from bantin.mail import outbox, render
from bantin.models import MailMessage, MailStatus
from tests.conftest import free_port
from tests.mail_server import SMTPServer, parts


@pytest.fixture
def mail_app(app_factory, smtp):
    app = app_factory(**smtp.config())
    with app.app_context():
        yield app


def _queue(to="lan@example.com", name="Nguyễn Thị Lan", language="vi", **context):
    values = {"name": name, "email": to, "link": "http://bantin.test/login/reset/abc", "hours": 1}
    values.update(context)
    message = mail.queue(to, "password_reset", values, language=language, name=name)
    db.session.commit()
    return message


def _raw_header(message, name: str) -> str:
    return (
        message.as_string(policy=message.policy.clone(max_line_length=998))
        .split(f"\n{name}: ", 1)[1]
        .split("\n", 1)[0]
    )


def test_a_vietnamese_message_arrives_with_encoded_headers_and_both_parts(mail_app, smtp):
    queued = _queue()
    assert queued.status == MailStatus.QUEUED
    result = mail.send_due()
    assert (result.sent, result.retried, result.failed) == (1, 0, 0)
    (message,) = smtp.inbox.wait_for(1)

    subject = "Đặt lại mật khẩu tại Bản tin"
    raw = smtp.inbox.messages[0]
    assert str(make_header(decode_header(raw["Subject"]))) == subject
    # On the wire the subject is ASCII: RFC 2047 encoded words in UTF-8.
    wire = _wire(raw)
    assert "=?utf-8?" in wire["Subject"].lower()
    assert wire["Subject"].isascii() and wire["To"].isascii() and wire["From"].isascii()
    assert message["To"].addresses[0].display_name == "Nguyễn Thị Lan"
    assert message["To"].addresses[0].addr_spec == "lan@example.com"
    assert message["From"].addresses[0].display_name == "Ban biên tập"
    assert message["From"].addresses[0].addr_spec == "bantin@example.org"
    assert message["Date"].datetime is not None
    assert message["Message-ID"] == queued.message_id
    assert message["Message-ID"].endswith("@example.org>")
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    text, html = parts(message)
    assert "Chào Nguyễn Thị Lan," in text
    assert "http://bantin.test/login/reset/abc" in text
    assert '<a href="http://bantin.test/login/reset/abc">' in html
    assert '<html lang="vi">' in html and "Chào Nguyễn Thị Lan," in html
    assert smtp.inbox.envelopes[0] == ("bantin@example.org", ["lan@example.com"])

    db.session.expire_all()
    stored = db.session.get(MailMessage, queued.id)
    assert stored.status == MailStatus.SENT and stored.attempts == 1 and stored.sent_at
    assert stored.claim_token is None


def _wire(message) -> dict:
    """The headers as sent (before decoding)."""
    raw = message.as_bytes().decode("ascii")
    head = raw.split("\n\n", 1)[0].replace("\n ", " ").replace("\n\t", " ")
    return dict(line.split(": ", 1) for line in head.splitlines() if ": " in line)


def test_english_users_get_the_english_version(mail_app, smtp):
    _queue(to="ann@example.com", name="Ann", language="en")
    mail.send_due()
    (message,) = smtp.inbox.wait_for(1)
    assert message["Subject"] == "Reset your password on Bản tin"
    text, html = parts(message)
    assert text.startswith("Hello Ann,")
    assert '<html lang="en">' in html
    assert message["Content-Language"] == "en"


def test_an_unknown_language_falls_back_to_vietnamese(mail_app):
    assert _queue(language="fr").language == "vi"


def test_the_html_part_escapes_what_people_typed(mail_app, smtp):
    _queue(name="<script>alert(1)</script> & Co")
    mail.send_due()
    text, html = parts(smtp.inbox.wait_for(1)[0])
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
    assert "<script>alert(1)</script> & Co" in text


def test_a_server_that_is_down_keeps_the_message_queued_then_sends_it(app_factory):
    port = free_port()  # nothing listens here yet
    down = SMTPServer(port)
    app = app_factory(**down.config())
    with app.app_context():
        queued = _queue()
        other = _queue(to="binh@example.com", name="Bình")
        result = mail.send_due()
        assert result.sent == 0 and result.retried == 1 and result.stopped
        db.session.expire_all()
        first = db.session.get(MailMessage, queued.id)
        assert first.status == MailStatus.QUEUED and first.attempts == 1
        assert "ConnectionRefusedError" in first.last_error
        wait = first.next_attempt_at - utcnow()
        assert timedelta(seconds=50) < wait <= timedelta(minutes=1)
        # The run stopped at the first refusal: the other message was not tried.
        assert db.session.get(MailMessage, other.id).attempts == 0

        # Not due yet: a second run right away sends the other one only after its turn.
        server = down.start()
        try:
            assert mail.send_due().sent == 1  # the untried one
            assert len(server.inbox.wait_for(1)) == 1
            app.config["CLOCK"] = lambda: _later(61)
            assert mail.send_due().sent == 1
            messages = server.inbox.wait_for(2)
        finally:
            server.stop()
        assert len(messages) == 2
        db.session.expire_all()
        first = db.session.get(MailMessage, queued.id)
        assert first.status == MailStatus.SENT and first.attempts == 2


def _later(seconds: int):
    from bantin.clock import _real_now

    return _real_now() + timedelta(seconds=seconds)


def test_back_off_doubles_up_to_a_cap():
    assert [outbox.backoff(n).total_seconds() / 60 for n in range(1, 6)] == [1, 2, 4, 8, 16]
    assert outbox.backoff(30) == timedelta(hours=6)


def test_after_the_last_attempt_a_message_fails_and_an_admin_can_retry_it(app_factory):
    down = SMTPServer()
    app = app_factory(**down.config(MAIL_MAX_ATTEMPTS=2))
    with app.app_context():
        queued = _queue()
        assert mail.send_due().retried == 1
        app.config["CLOCK"] = lambda: _later(3600)
        result = mail.send_due()
        assert result.failed == 1
        db.session.expire_all()
        failed = db.session.get(MailMessage, queued.id)
        assert failed.status == MailStatus.FAILED and failed.attempts == 2
        assert mail.send_due().sent == 0  # failed messages wait for an admin

        assert mail.retry(failed.id) == 1
        db.session.commit()
        server = down.start()
        try:
            assert mail.send_due().sent == 1
            assert len(server.inbox.wait_for(1)) == 1
        finally:
            server.stop()


def test_a_recipient_refused_for_good_fails_at_once_and_the_others_go(mail_app, smtp):
    smtp.inbox.refuse["nobody@example.com"] = "550 5.1.1 No such user"
    bad = _queue(to="nobody@example.com", name="Không Có")
    good = _queue(to="lan@example.com")
    result = mail.send_due()
    assert (result.sent, result.failed) == (1, 1), result
    db.session.expire_all()
    bad = db.session.get(MailMessage, bad.id)
    assert bad.status == MailStatus.FAILED and "550" in bad.last_error
    assert db.session.get(MailMessage, good.id).status == MailStatus.SENT


def test_a_temporary_refusal_is_retried(mail_app, smtp):
    smtp.inbox.refuse["busy@example.com"] = "451 4.3.0 Try again later"
    queued = _queue(to="busy@example.com")
    assert mail.send_due().retried == 1
    db.session.expire_all()
    assert db.session.get(MailMessage, queued.id).status == MailStatus.QUEUED


def test_a_crashed_senders_claim_expires_and_the_message_goes_later(mail_app, smtp):
    queued = _queue()
    claim = outbox.claim()  # a sender that claimed, then died
    assert claim is not None and claim.id == queued.id
    assert outbox.claim() is None  # nobody else may take it while the lease runs
    assert mail.send_due().sent == 0
    mail_app.config["CLOCK"] = lambda: _later(int(outbox.LEASE.total_seconds()) + 1)
    assert mail.send_due().sent == 1
    assert len(smtp.inbox.wait_for(1)) == 1
    db.session.expire_all()
    stored = db.session.get(MailMessage, queued.id)
    assert stored.status == MailStatus.SENT and stored.attempts == 2
    # The dead sender's late report changes nothing.
    assert outbox.mark_sent(claim) is False


def test_claims_never_overlap(mail_app):
    ids = {_queue(to=f"p{i}@example.com").id for i in range(5)}
    claims = [outbox.claim() for _ in range(6)]
    assert claims[-1] is None
    assert {c.id for c in claims[:-1]} == ids


def test_old_sent_messages_are_purged(mail_app, smtp):
    queued_id = _queue().id
    mail.send_due()
    assert outbox.purge() == 0
    mail_app.config["CLOCK"] = lambda: _later(31 * 86400)
    assert outbox.purge() == 1
    assert db.session.get(MailMessage, queued_id) is None


# ------------------------------------------------------------------ mail off


def test_without_mail_server_nothing_is_queued(app):
    assert not mail.enabled()
    assert _queue() is None
    assert db.session.scalar(sa.select(sa.func.count(MailMessage.id))) == 0
    assert mail.send_due().stopped


# ------------------------------------------------------------------ the CLI


def test_cli_test_message_status_and_send(mail_app, smtp):
    runner = mail_app.test_cli_runner()
    result = runner.invoke(args=["mail", "test", "Lan@Example.com", "--language", "en"])
    assert result.exit_code == 0, result.output
    assert "queued" in runner.invoke(args=["mail", "status"]).output.lower()
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0 and "Sent 1" in result.output
    (message,) = smtp.inbox.wait_for(1)
    assert message["Subject"] == "Test message from Bản tin"
    assert message["To"].addresses[0].addr_spec == "lan@example.com"


def test_cli_says_when_mail_is_off(app):
    runner = app.test_cli_runner()
    assert "Mail is off" in runner.invoke(args=["mail", "send"]).output
    result = runner.invoke(args=["mail", "test", "a@example.com"])
    assert result.exit_code != 0 and "Mail is off" in result.output
    assert "off" in runner.invoke(args=["mail", "status"]).output


# ------------------------------------------------------------------ the worker thread


@pytest.fixture
def stop_workers():
    from bantin.mail import worker

    yield
    worker.stop_all()


def test_the_worker_thread_sends_soon_after_the_commit(app_factory, smtp, stop_workers):
    app = app_factory(**smtp.config(MAIL_WORKER=True, MAIL_WORKER_INTERVAL=3600))
    with app.app_context():
        _queue()
        # Woken by the commit, not by the hour-long interval.
        assert len(smtp.inbox.wait_for(1, timeout=15)) == 1


def test_sender_address_defaults():
    from flask import Flask

    app = Flask(__name__)
    app.config.update(MAIL_DEFAULT_SENDER=None, MAIL_USERNAME="user@mail.example")
    with app.app_context():
        from unittest import mock

        with mock.patch("bantin.models.SiteSettings.get") as get:
            get.return_value.site_name = "Xã Hòa Phong"
            address = render.sender()
    assert (address.display_name, address.addr_spec) == ("Xã Hòa Phong", "user@mail.example")


def test_the_worker_thread_sends_a_backlog_once_the_app_serves(app_factory, smtp, stop_workers):
    """Messages queued while no worker ran (mail off for the thread, or another process)
    go out after the first request starts the thread."""
    app = app_factory(**smtp.config(MAIL_WORKER=False))
    with app.app_context():
        _queue()
    app = app_factory(**smtp.config(MAIL_WORKER=True, MAIL_WORKER_INTERVAL=0.2))
    with app.app_context():
        app.test_client().get("/healthz")
        assert len(smtp.inbox.wait_for(1, timeout=15)) == 1
