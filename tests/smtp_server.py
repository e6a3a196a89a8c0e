"""A real SMTP server for tests (aiosmtpd) on a free port of 127.0.0.1: it receives what the outbox sends.

Use the `smtp` fixture (import it into the test module), and `mail_settings(smtp)` as app overrides:

    from tests.smtp_server import mail_settings, smtp  # noqa: F401 (a fixture)

    def test_x(database_url, smtp):
        app = make_app(database_url, **mail_settings(smtp))
        ...
        assert smtp.received[0]["Subject"] == "..."

`smtp.refuse_with("451 4.3.0 Try again later")` makes it refuse every mail (a temporary failure; "550 ..." is a
permanent one) until `smtp.refuse_with(None)`.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


class _Handler:
    def __init__(self):
        self.received: list[EmailMessage] = []
        self.refusals = 0
        self.reply: str | None = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.reply:
                self.refusals += 1
                return self.reply
            content = envelope.original_content or envelope.content
            self.received.append(email.message_from_bytes(content, policy=email.policy.default))
        return "250 2.0.0 Message accepted for delivery"


class SMTPServer:
    """The running server: `host`, `port`, what it `received` (parsed messages, oldest first)."""

    def __init__(self):
        self.host = "127.0.0.1"
        self.port = free_port()
        self._handler = _Handler()
        self._controller = Controller(self._handler, hostname=self.host, port=self.port)

    @property
    def received(self) -> list[EmailMessage]:
        with self._handler.lock:
            return list(self._handler.received)

    @property
    def refusals(self) -> int:
        return self._handler.refusals

    def refuse_with(self, reply: str | None) -> None:
        self._handler.reply = reply

    def start(self) -> SMTPServer:
        self._controller.start()
        self._running = True
        return self

    def stop(self) -> None:
        """Stop listening (a test may stop it early to have an unreachable server)."""
        if getattr(self, "_running", False):
            self._controller.stop()
            self._running = False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def mail_settings(server: SMTPServer) -> dict:
    """App settings that send through `server` (no STARTTLS, no login); in tests jobs run at once (JOBS_SYNC)."""
    return {
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": server.host,
        "MAIL_PORT": server.port,
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_USERNAME": "",
    }


@pytest.fixture
def smtp():
    server = SMTPServer().start()
    yield server
    server.stop()
