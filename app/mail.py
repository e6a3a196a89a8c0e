"""Sending e-mail: SMTP when MAIL_SERVER is set, else the log (development) or memory (tests)."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


def outbox() -> list[Mail]:
    """Mails captured by the memory backend (tests read this)."""
    return current_app.extensions.setdefault("mail_outbox", [])


def backend() -> str:
    configured = current_app.config.get("MAIL_BACKEND")
    if configured:
        return configured
    return "smtp" if current_app.config.get("MAIL_SERVER") else "log"


def send_mail(to: str, subject: str, body: str) -> None:
    mail = Mail(to=to, subject=subject, body=body)
    kind = backend()
    if kind == "memory":
        outbox().append(mail)
    elif kind == "log":
        current_app.logger.warning("E-mail (not sent, no MAIL_SERVER) to %s: %s\n%s", to, subject, body)
    elif kind == "smtp":
        _send_smtp(mail)
    else:
        raise RuntimeError(f"unknown MAIL_BACKEND {kind!r}")


def _send_smtp(mail: Mail) -> None:
    cfg = current_app.config
    message = EmailMessage()
    message["From"] = cfg["MAIL_DEFAULT_SENDER"]
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    smtp_class = smtplib.SMTP_SSL if cfg["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=10) as smtp:
        if cfg["MAIL_USE_TLS"] and not cfg["MAIL_USE_SSL"]:
            smtp.starttls()
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        smtp.send_message(message)
