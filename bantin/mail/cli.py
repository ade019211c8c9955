"""`flask --app app mail ...`: send what is due (the systemd timer's job), a test
message, and the outbox's counts."""

import click

from bantin.database import write_lock
from bantin.extensions import db
from bantin.mail import accounts, digest, outbox, sender
from bantin.models import MailStatus
from bantin.text import normalise_email


@click.group("mail")
def mail_cli() -> None:
    """Email: the outbox and its sending (docs/mail.md)."""


@mail_cli.command("send")
@click.option("--limit", default=500, show_default=True, help="At most this many messages.")
def send_command(limit: int) -> None:
    """Send the messages that are due, then exit (for a systemd timer)."""
    if not outbox.enabled():
        click.echo("Mail is off (no MAIL_SERVER): nothing to send.")
        return
    with write_lock():
        digest.queue_due()
        db.session.commit()
    result = sender.send_due(limit=limit)
    outbox.purge()
    db.session.rollback()
    with write_lock():
        accounts.purge()
        db.session.commit()
    line = f"Sent {result.sent}, to retry {result.retried}, failed {result.failed}."
    if result.stopped:
        line += f" Stopped: {result.stopped}"
    click.echo(line)


@mail_cli.command("test")
@click.argument("address")
@click.option("--language", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
def test_command(address: str, language: str) -> None:
    """Queue a test message to ADDRESS (then run `mail send`)."""
    if not outbox.enabled():
        raise click.ClickException("Mail is off: set BANTIN_MAIL_SERVER first.")
    try:
        address = normalise_email(address)
    except ValueError as exc:
        raise click.ClickException(f"Invalid email: {exc}") from exc
    outbox.queue(address, "test", {}, language=language)
    db.session.commit()
    click.echo(f"Queued a test message to {address}; `flask --app app mail send` sends it.")


@mail_cli.command("status")
def status_command() -> None:
    """The outbox's counts by status."""
    state = "on" if outbox.enabled() else "off (no MAIL_SERVER)"
    click.echo(f"Mail is {state}.")
    counts = outbox.counts()
    for status in MailStatus:
        click.echo(f"{status.value:8} {counts[status]}")
