"""Sending e-mail: SMTP when MAIL_SERVER is set, else the log (development) or memory (tests)."""

from __future__ import annotations

import smtplib
import threading
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
    """Send, or hand over for sending. Never raises for a mail server's trouble: that is logged."""
    mail = Mail(to=to, subject=subject, body=body)
    kind = backend()
    if kind == "memory":
        outbox().append(mail)
    elif kind == "log":
        if current_app.config["NAME"] == "production":
            # never write a working reset link into production logs
            current_app.logger.error("E-mail to %s not sent: MAIL_SERVER is not set (%s)", to, subject)
        else:
            current_app.logger.warning("E-mail (not sent, no MAIL_SERVER) to %s: %s\n%s", to, subject, body)
    elif kind == "smtp":
        config = dict(current_app.config)
        logger = current_app.logger
        if config.get("MAIL_ASYNC"):
            # after the answer, so whether an account exists shows in neither timing nor errors
            threading.Thread(target=_send_smtp, args=(config, mail, logger), daemon=True).start()
        else:
            _send_smtp(config, mail, logger)
    else:
        raise RuntimeError(f"unknown MAIL_BACKEND {kind!r}")


def _send_smtp(cfg: dict, mail: Mail, logger) -> None:
    try:
        _deliver(cfg, mail)
    except (OSError, smtplib.SMTPException):
        logger.exception("sending e-mail to %s failed", mail.to)


def _deliver(cfg: dict, mail: Mail) -> None:
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


# --- mail that belongs to a change: sent only once the change is committed -------------------

_PENDING = "mail_after_commit"


def send_after_commit(to: str, subject: str, body: str) -> None:
    """Queue a mail on the current transaction: sent after its commit, dropped on a rollback.

    A moderator's action and the mail telling the author about it then never disagree.
    """
    from app.extensions import db

    db.session.info.setdefault(_PENDING, []).append(Mail(to=to, subject=subject, body=body))


def _after_commit(session) -> None:
    for mail in session.info.pop(_PENDING, []):
        send_mail(mail.to, mail.subject, mail.body)


def _after_rollback(session) -> None:
    session.info.pop(_PENDING, None)


def register(app) -> None:
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    if not sa.event.contains(Session, "after_commit", _after_commit):
        sa.event.listen(Session, "after_commit", _after_commit)
        sa.event.listen(Session, "after_rollback", _after_rollback)
