"""Recording what happened: one row per event, in the transaction of the change itself.

Call `record()` from a domain service right where the change is made, before its commit. The event and the
notifications it gives are then committed with the change or rolled back with it: nothing is announced that
did not happen.
"""

from __future__ import annotations

from app.extensions import db
from app.notifications.kinds import KINDS
from app.notifications.models import Event
from app.text import plain_excerpt


def record(
    kind: str,
    *,
    actor=None,
    process=None,
    issue=None,
    comment=None,
    covenant=None,
    agenda=None,
    membership=None,
    **data,
) -> Event:
    """Record an event of `kind` and tell those who should hear of it (`audience.fan_out`).

    `data` holds short texts as they are now (a reason, a rationale, a version number); they are shown in
    notifications and mails later, so they must already be what readers may see.
    """
    spec = KINDS[kind]
    refs = {"issue": issue, "comment": comment, "covenant": covenant, "agenda": agenda, "membership": membership}
    missing = [name for name in spec.needs if refs[name] is None]
    if missing:
        raise ValueError(f"event {kind} needs {', '.join(missing)}")
    if process is None:
        process = _process_of(issue, covenant)
    event = Event(
        kind=kind,
        actor_id=getattr(actor, "id", None),
        process_id=getattr(process, "id", None),
        issue_id=getattr(issue, "id", None),
        comment_id=getattr(comment, "id", None),
        covenant_id=getattr(covenant, "id", None),
        agenda_id=getattr(agenda, "id", None),
        membership_id=getattr(membership, "id", None),
        data={k: v for k, v in data.items() if v is not None},
    )
    db.session.add(event)
    db.session.flush()

    from app.notifications.audience import fan_out

    fan_out(event)
    return event


# How much of a written reason, rationale or feedback an event keeps: enough for a mail; the page has the rest.
QUOTE_LENGTH = 500


def quote(text: str | None, length: int = QUOTE_LENGTH, markdown: bool = True) -> str:
    """A reason or feedback as readers see it, on one line and shortened for `data`.

    `markdown`: the page renders the text as Markdown, so the quote is its plain text (no `**`, no tags).
    """
    if markdown:
        return plain_excerpt(text, length)
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _process_of(issue, covenant):
    if issue is not None:
        return getattr(issue, "process", None)
    if covenant is not None:
        return getattr(covenant, "process", None)
    return None
