"""What happened, in one line, and where to look: for the list in the site, mails and digests.

`describe(event, locale, reader)` gives a `Line` (text, url) in the reader's language. The issue's author reads
"your issue", a follower or supporter "the issue" (the words per kind: app/notifications/texts.py). Titles are
the current ones, and only while they may be seen (app/notifications/shown.py); such events are filtered from
every list and mail anyway, so the words for "no longer visible" are a safety net, never a leak.

Lists load their events with `event_options()` and `prepare(events)` first: then describing a page of them
costs a fixed number of queries, however many there are.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import nullcontext
from typing import NamedTuple

import sqlalchemy as sa
from flask import url_for
from flask_babel import force_locale
from sqlalchemy.orm import selectinload

from app.accounts.models import Membership
from app.agendas.models import ConsentAnswer
from app.extensions import db
from app.issues.models import Comment
from app.notifications.models import Event
from app.notifications.shown import UNFILTERED, shown_issue_titles
from app.notifications.texts import REPLIES, TEXTS, answered_reaction, generic, merge_target, to_int
from app.urls import absolute_url


class Line(NamedTuple):
    text: str
    url: str


def event_options(path=None) -> list:
    """Loader options for an event's references (`path`: e.g. `selectinload(Notification.event)`)."""

    def load(attr):
        return path.selectinload(attr) if path is not None else selectinload(attr)

    return [
        load(Event.issue),
        load(Event.comment),
        load(Event.covenant),
        load(Event.agenda),
        load(Event.membership).selectinload(Membership.organisation),  # its name is in the line
        load(Event.actor),
        load(Event.process),
    ]


def prepare(events: Iterable[Event]) -> dict:
    """What describing these events needs beyond their own references (a query each, only when needed):
    which merge targets may be named, who raised an answered objection, and who wrote an answered reaction."""
    events = list(events)
    targets = {merge_target(e) for e in events if e.kind == "issue_merged"}
    answers = {
        to_int(e.data.get("answer_id"))
        for e in events
        if e.kind == "objection_answered" and not e.data.get("objector_id")
    } - {0}
    objectors = {}
    if answers:
        rows = db.session.execute(
            sa.select(ConsentAnswer.id, ConsentAnswer.user_id).where(ConsentAnswer.id.in_(answers))
        )
        objectors = dict(rows.tuples().all())
    reacted = {answered_reaction(e) for e in events if e.kind in REPLIES} - {0}
    reaction_authors = {}
    if reacted:
        rows = db.session.execute(
            sa.select(Comment.id, Comment.author_id).where(Comment.id.in_(reacted)).execution_options(**UNFILTERED)
        )
        reaction_authors = dict(rows.tuples().all())
    return {
        "shown_targets": shown_issue_titles(targets),
        "objectors": objectors,
        "reaction_authors": reaction_authors,
    }


def describe(event: Event, locale: str | None = None, reader=None, *, absolute: bool = False, context=None) -> Line:
    """One line saying what happened, and the link to look at it (absolute from BASE_URL for mails)."""
    with force_locale(locale) if locale else nullcontext():
        reader_id = getattr(reader, "id", reader)
        context = context if context is not None else prepare([event])
        text, (endpoint, anchor, values) = TEXTS.get(event.kind, generic)(event, reader_id, context)
        if absolute:
            url = absolute_url(endpoint, _anchor=anchor, **values)
        else:
            url = url_for(endpoint, _anchor=anchor, **values)
        return Line(" ".join(text.split()), url)
