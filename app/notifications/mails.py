"""Writing notification mails when they are sent, not when the event happened.

The outbox (app/mail) calls `compose(row)` for rows of kind "notification" and "digest" right before sending.
Between the event and this moment the issue may have been hidden, or the person may have chosen otherwise:
both are checked again here, and what is left is written in the person's language (users.language). Nothing
left: None, and the outbox cancels the row. The outbox adds the footer (preferences and unsubscribe links).
"""

from __future__ import annotations

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from app.accounts.models import User
from app.extensions import db
from app.mail.language import language_of
from app.models_common import utcnow
from app.notifications.describe import describe, prepare
from app.notifications.details import details
from app.notifications.kinds import TOPICS
from app.notifications.models import Delivery, Notification
from app.notifications.preferences import choices_of
from app.urls import absolute_url

SUBJECT_LENGTH = 120


def compose(row) -> tuple[str, str] | None:
    """(subject, body) for an outbox row of kind "notification" (or "digest"), or None when nothing is left."""
    if row.kind == "digest":
        from app.notifications.digests import compose_digest  # the digests' own module

        return compose_digest(row)
    if row.kind != "notification":
        raise ValueError(f"not a notification mail: {row.kind!r}")
    user = db.session.get(User, row.user_id) if row.user_id else None
    if not can_receive(user):
        return None
    notes = still_to_tell(user, row.refs or [])
    if not notes:
        return None
    language = language_of(user)
    now = utcnow()
    for note in notes:
        note.mailed_at = note.mailed_at or now
    return write(user, notes, language)


def can_receive(user) -> bool:
    return user is not None and user.active and user.email_verified_at is not None


def still_to_tell(user, ids) -> list[Notification]:
    """Of these notifications of this person: the ones whose event may still be told, and whose topic they
    still want at once. Those whose topic they now want no mail for are marked as decided; those now wanted
    in a digest stay for the digest."""
    from app.notifications.inbox import shown_of

    notes = shown_of(user, ids)
    chosen = choices_of(user)
    wanted = {n.topic: chosen.get(n.topic, TOPICS[n.topic].default) for n in notes}
    now = utcnow()
    keep = []
    for note in notes:
        if wanted[note.topic] is Delivery.INSTANT:
            keep.append(note)
        elif wanted[note.topic] is Delivery.NONE and note.mailed_at is None:
            note.mailed_at = now
    return keep


def write(user, notes: list[Notification], language: str) -> tuple[str, str]:
    """The mail itself: one line per notification with its link, newest first, plain text; below a line what
    a mail tells beyond it (app/notifications/details.py)."""
    with force_locale(language):
        context = prepare(n.event for n in notes)
        lines = [describe(n.event, reader=user, absolute=True, context=context) for n in notes]
        if len(lines) == 1:
            subject = _shorten(lines[0].text, SUBJECT_LENGTH)
        else:
            subject = ngettext("%(num)d new notification", "%(num)d new notifications", len(lines))
        parts = [_("Hello %(name)s,", name=user.display_name), ""]
        site = _("Neighbourhood of the future")
        if len(lines) == 1:
            parts.append(_("This happened on %(site)s:", site=site))
        else:
            parts.append(_("These things happened on %(site)s:", site=site))
        parts.append("")
        for note, line in zip(notes, lines, strict=True):
            parts += [f"- {line.text}", f"  {line.url}"]
            parts += [f"  {detail}" for detail in details(note.event, user)]  # e.g. a covenant's fingerprint
            parts.append("")
        parts.append(_("All your notifications: %(url)s", url=absolute_url("notifications.index")))
        return subject, "\n".join(parts) + "\n"


def _shorten(text: str, length: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
