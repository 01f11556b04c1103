"""A real SMTP server for the tests that send e-mail: aiosmtpd on 127.0.0.1, whose messages
are read back with the email package, as a mail client would. Import the fixtures
``smtp_server`` and ``smtp`` into a test module to use them."""

from __future__ import annotations

import email
import socket
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

BASE_URL = "https://tracker.example.test/onboarding"


@dataclass
class Received:
    recipients: list[str]  # the envelope's RCPT TO
    message: EmailMessage


class Collector:
    """An aiosmtpd handler that keeps every message, and refuses the addresses in ``refuse``."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        self.received.append(Received(list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [r.message for r in self.received if address in r.recipients]


def free_port() -> int:
    """A port nobody listens on (aiosmtpd 1.4.6 cannot bind port 0 itself)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def smtp_server():
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def smtp(app, smtp_server, monkeypatch) -> Collector:
    """The SMTP server, emptied, with the app's MAIL_* settings pointing at it."""
    handler = smtp_server.handler
    handler.received.clear()
    handler.refuse.clear()
    for key, value in {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_server.port,
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_DEFAULT_SENDER": "tracker@example.test",
        "MAIL_SUPPRESS_SEND": False,  # TESTING would suppress sending otherwise
        "BASE_URL": BASE_URL,
    }.items():
        monkeypatch.setitem(app.config, key, value)
    return handler
