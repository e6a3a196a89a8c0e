"""A mail as it goes over the wire: its headers, and the footer of mails a person chose to get.

Every mail carries a Message-ID fixed when its outbox row was made (`new_message_id`), so a resend of the
same row is the same message to a mail client. Mails about a topic (notifications, digests, summaries) also
carry RFC 8058's one-click unsubscribe (`List-Unsubscribe` + `List-Unsubscribe-Post`) and say in a footer
how to stop them and where to choose; account mails (a password reset) carry neither.
"""

from __future__ import annotations

import email.policy
import secrets
import uuid
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from werkzeug.routing import BuildError

from app.mail.language import in_language_of
from app.models_common import utcnow
from app.notifications.models import Delivery
from app.notifications.unsubscribe import DIGEST_TOPICS, topic_label, unsubscribe_url
from app.urls import absolute_url, base_url

# Long lines are allowed up to SMTP's own limit (998), so that the List-Unsubscribe address is never folded
# into encoded words, which mail clients then cannot use.
POLICY = email.policy.default.clone(max_line_length=998)


def new_message_id() -> str:
    """`<random.uuid@host of BASE_URL>`: unique, unguessable, and the site's own."""
    host = urlsplit(base_url()).hostname or "localhost"
    return f"<{secrets.token_hex(8)}.{uuid.uuid4().hex}@{host}>"


def preferences_url() -> str:
    try:
        return absolute_url("notifications.preferences")
    except BuildError:  # before the notifications' pages are registered
        return base_url() + "/notifications/preferences"


def build(row, subject: str, body: str, user=None) -> tuple[EmailMessage, str]:
    """The message for an outbox row, and its text (the body, with the footer when the row has a topic).

    `user` is the row's recipient (needed for the unsubscribe link, and for the footer's language).
    """
    unsubscribe = unsubscribe_url(user.id, row.topic) if row.topic and user is not None else ""
    if unsubscribe:
        body = body.rstrip() + "\n\n" + _footer(row.topic, unsubscribe, user)
    message = EmailMessage(policy=POLICY)
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = row.to_address
    message["Subject"] = " ".join(subject.split())  # a header is one line
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = row.message_id
    # Sent by a machine: no out-of-office replies, no auto-forwarding loops (RFC 3834).
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    if unsubscribe:
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058: one POST, no page
    message.set_content(body, cte="quoted-printable")  # text/plain; charset="utf-8"
    return message, body


def _footer(topic: str, unsubscribe: str, user) -> str:
    """In the recipient's language (users.language), whoever's request or job sends the mail."""
    with in_language_of(user):
        if topic in DIGEST_TOPICS:
            # The digest itself names the kinds of message it holds; its link stops all of them at once.
            if DIGEST_TOPICS[topic] == Delivery.DAILY:
                lines = [_("Stop this daily overview (all the kinds of message above): %(url)s", url=unsubscribe)]
            else:
                lines = [_("Stop this weekly overview (all the kinds of message above): %(url)s", url=unsubscribe)]
        else:
            lines = [
                _("You get this e-mail for: %(topic)s.", topic=topic_label(topic)),
                _("Stop these e-mails: %(url)s", url=unsubscribe),
            ]
        lines.append(_("Choose which e-mails you get: %(url)s", url=preferences_url()))
        return "-- \n" + "\n".join(lines)
