"""Handing a finished message to the world: SMTP, the log (development) or memory (tests).

`MAIL_BACKEND` chooses ("smtp" when MAIL_SERVER is set, else "log"; tests use "memory"). A `Transport`
opens one SMTP connection for a whole delivery run, lazily, and says whether a failure is worth retrying.
"""

from __future__ import annotations

import smtplib
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from email.message import EmailMessage

from flask import current_app

SMTP_TIMEOUT = 10  # seconds for each step of talking to the mail server (app/mail/sender.py sizes batches by it)


@dataclass(frozen=True)
class Mail:
    """A mail as the memory backend recorded it (tests read these through `outbox()`)."""

    to: str
    subject: str
    body: str
    message_id: str = ""
    list_unsubscribe: str = ""  # the List-Unsubscribe header, "" when the mail has none
    headers: dict = field(default_factory=dict, compare=False, hash=False)  # every header, by name
    kind: str = ""


def outbox() -> list[Mail]:
    """Mails captured by the memory backend (tests read this)."""
    return current_app.extensions.setdefault("mail_outbox", [])


def backend() -> str:
    configured = current_app.config.get("MAIL_BACKEND")
    if configured:
        return configured
    return "smtp" if current_app.config.get("MAIL_SERVER") else "log"


class SendError(Exception):
    """The mail was not accepted. `permanent`: trying again will not help (the address does not exist);
    `connecting`: the server could not be reached at all (so the next mail need not try either)."""

    def __init__(self, text: str, permanent: bool = False, connecting: bool = False):
        super().__init__(text)
        self.text = text
        self.permanent = permanent
        self.connecting = connecting


class Transport:
    """One delivery run's way out. Use as a context manager: the SMTP connection is closed at the end."""

    def __init__(self):
        self.kind = backend()
        if self.kind not in ("memory", "log", "smtp"):
            raise RuntimeError(f"unknown MAIL_BACKEND {self.kind!r}")
        self.config = current_app.config
        self._stack = ExitStack()
        self._smtp = None

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc) -> None:
        self._close()

    def send(self, message: EmailMessage, body: str, kind: str = "") -> None:
        """Hand over `message` (whose text is `body`); raises SendError when it was not accepted."""
        if self.kind == "memory":
            outbox().append(_recorded(message, body, kind))
        elif self.kind == "log":
            self._log(message, body)
        else:
            self._send_smtp(message)

    def _log(self, message: EmailMessage, body: str) -> None:
        logger = current_app.logger
        if self.config["NAME"] == "production":
            # never write a working reset link into production logs; the administrator sees it failed
            logger.error("E-mail to %s not sent: MAIL_SERVER is not set (%s)", message["To"], message["Subject"])
            raise SendError("MAIL_SERVER is not set", permanent=True)
        logger.warning("E-mail (not sent, no MAIL_SERVER) to %s: %s\n%s", message["To"], message["Subject"], body)

    def _send_smtp(self, message: EmailMessage) -> None:
        if self._smtp is None:
            try:
                self._smtp = self._connect()
            except (OSError, smtplib.SMTPException) as error:
                self._close()
                raise SendError(self._clean(_describe(error)), connecting=True) from None
        try:
            self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            codes = sorted({code for code, _text in error.recipients.values()})
            raise SendError(
                self._clean(f"recipient refused: {codes}"), permanent=all(c >= 500 for c in codes)
            ) from None
        except (OSError, smtplib.SMTPException) as error:
            self._close()  # the next mail opens a new connection
            permanent = isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500
            raise SendError(self._clean(_describe(error)), permanent=permanent) from None

    def _connect(self):
        cfg = self.config
        smtp_class = smtplib.SMTP_SSL if cfg["MAIL_USE_SSL"] else smtplib.SMTP
        smtp = self._stack.enter_context(smtp_class(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=SMTP_TIMEOUT))
        if cfg["MAIL_USE_TLS"] and not cfg["MAIL_USE_SSL"]:
            smtp.starttls()
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        return smtp

    def _close(self) -> None:
        self._smtp = None
        with suppress(OSError, smtplib.SMTPException):  # saying goodbye to a server that already hung up
            self._stack.close()
        self._stack = ExitStack()

    def _clean(self, text: str) -> str:
        """An error for the administrator's page: short, and never the mail password."""
        password = self.config.get("MAIL_PASSWORD")
        if password:
            text = text.replace(password, "***")
        return " ".join(text.split())[:300]


def _describe(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error
        text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        return f"{type(error).__name__}: {error.smtp_code} {text}"
    return f"{type(error).__name__}: {error}"


def _recorded(message: EmailMessage, body: str, kind: str) -> Mail:
    return Mail(
        to=str(message["To"]),
        subject=str(message["Subject"]),
        body=body,
        message_id=str(message["Message-ID"]),
        list_unsubscribe=str(message.get("List-Unsubscribe", "")),
        headers={name: str(value) for name, value in message.items()},
        kind=kind,
    )
