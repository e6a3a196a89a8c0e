"""The text of a digest: grouped by process, then by issue, covenant or working group, newest first.

Plain text, because many residents read mail on a phone and some mail programs show no HTML: short lines,
each event in one line (app/notifications/describe.py) with the link where to look under it. Called inside
`force_locale` with the reader's language (app/notifications/digests.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _

from app.notifications.describe import describe
from app.notifications.kinds import TOPICS
from app.notifications.models import Delivery, Event, Notification

RULE = "=" * 40


@dataclass
class DigestEntry:
    note: Notification
    event: Event


@dataclass
class _Group:
    title: str
    newest: datetime
    lines: list[tuple[datetime, str, str]]  # (when, text, url)


def group_key(event: Event) -> tuple[str, int]:
    """What an event is about, for grouping: a covenant, a working group (of an issue) or an issue."""
    if event.covenant_id is not None:
        return ("covenant", event.covenant_id)
    if event.agenda_id is not None or event.kind in ("consent_opened", "objection_raised", "objection_answered"):
        return ("working_group", event.issue_id or 0)
    if event.issue_id is not None:
        return ("issue", event.issue_id)
    return ("account", event.membership_id or 0)


def _group_title(event: Event) -> str:
    kind, _id = group_key(event)
    if kind == "covenant":
        title = event.covenant.title if event.covenant is not None else ""
        return _("Covenant “%(title)s”", title=title)
    if kind == "working_group":
        title = event.issue.title if event.issue is not None else ""
        return _("Working group of “%(title)s”", title=title)
    if kind == "issue":
        title = event.issue.title if event.issue is not None else ""
        return _("Issue “%(title)s”", title=title)
    return _("Your membership")


def grouped(entries: list[DigestEntry], reader, context: dict) -> list[tuple[str, list[_Group]]]:
    """[(process name, [groups])], processes and groups by their newest event first, events newest first."""
    processes: dict[int | None, tuple[str, dict[tuple[str, int], _Group]]] = {}
    for entry in entries:
        event = entry.event
        line = describe(event, None, reader, absolute=True, context=context)
        name = event.process.name if event.process is not None else _("Your account")
        _name, groups = processes.setdefault(event.process_id, (name, {}))
        group = groups.get(group_key(event))
        if group is None:
            group = groups[group_key(event)] = _Group(_group_title(event), event.created_at, [])
        group.newest = max(group.newest, event.created_at)
        group.lines.append((event.created_at, line.text, line.url))
    result = []
    for name, groups in processes.values():
        ordered = sorted(groups.values(), key=lambda g: g.newest, reverse=True)
        for group in ordered:
            group.lines.sort(key=lambda line: line[0], reverse=True)
        result.append((name, ordered))
    result.sort(key=lambda item: item[1][0].newest, reverse=True)
    return result


def _cadence(choices: dict[str, Delivery]) -> Delivery:
    return Delivery.DAILY if Delivery.DAILY in choices.values() else Delivery.WEEKLY


def render_digest(reader, entries: list[DigestEntry], choices: dict[str, Delivery], context: dict) -> tuple[str, str]:
    """(subject, body) of one person's digest, in the current (forced) language."""
    count = len(entries)
    daily = _cadence(choices) == Delivery.DAILY
    if daily:
        subject = ngettext(
            "Your daily overview: %(num)d new message", "Your daily overview: %(num)d new messages", count
        )
        intro = _("This is what happened since yesterday's overview.")
    else:
        subject = ngettext(
            "Your weekly overview: %(num)d new message", "Your weekly overview: %(num)d new messages", count
        )
        intro = _("This is what happened since last week's overview.")
    lines = [_("Hello %(name)s,", name=reader.display_name), "", intro, ""]
    for process_name, groups in grouped(entries, reader, context):
        lines += [RULE, process_name, RULE, ""]
        for group in groups:
            lines.append(group.title)
            for when, text, url in group.lines:
                lines.append(f"- {format_datetime(when, 'EEE d MMM, HH:mm')}: {text}")
                lines.append(f"  {url}")
            lines.append("")
    topics = [t for t in TOPICS if t in choices]  # in the order of the preferences page
    labels = ", ".join(str(TOPICS[t].label) for t in topics)
    # The outbox adds the footer: the one link that stops this whole digest (all the topics named here; a
    # topic alone is switched off on the preferences page), and the preferences page.
    lines.append(
        _("You get this overview every day for: %(topics)s.", topics=labels)
        if daily
        else _("You get this overview every week for: %(topics)s.", topics=labels)
    )
    return subject, "\n".join(lines) + "\n"
