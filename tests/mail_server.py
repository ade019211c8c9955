"""A real SMTP server for the mail tests: aiosmtpd's Controller on 127.0.0.1 with a free
port, keeping every message it accepted (parsed with policy.default)."""

from __future__ import annotations

import re
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.conftest import free_port

LINK = re.compile(r"https?://\S+/login/reset/[A-Za-z0-9_-]+")


class Inbox:
    """The aiosmtpd handler: stores each accepted message and signals its arrival."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.arrived = threading.Condition()
        self.refuse: dict[str, str] = {}  # recipient -> SMTP reply, to refuse it

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.arrived:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 15) -> list[EmailMessage]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout)
            return list(self.messages)


class SMTPServer:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.inbox = Inbox()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def start(self) -> SMTPServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def config(self, **extra) -> dict:
        return {
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": self.port,
            "MAIL_DEFAULT_SENDER": "Ban biên tập <bantin@example.org>",
            "MAIL_SITE_URL": "http://bantin.test",
            "MAIL_TIMEOUT": 5,
            **extra,
        }


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain text and HTML parts of a multipart/alternative message."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def reset_link(message: EmailMessage) -> str:
    text, _html = parts(message)
    return LINK.search(text).group(0)
