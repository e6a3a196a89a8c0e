"""The first text of a covenant, proposed from the agreed agendas it is drawn from.

Pure: it takes the agendas' agreed documents and names, and returns Markdown in the reader's
language. The editors then change it like any text; nothing here is binding until it is opened
for signature.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _

from app.covenants.models import MUNICIPALITY


@dataclass
class AgendaSource:
    issue_title: str
    horizon: int
    document: dict  # the agreed revision's document: fields and activities


def _money(activity: dict) -> list[str]:
    parts = []
    if activity.get("euros"):
        parts.append(_("€ %(amount)s", amount=format_decimal(activity["euros"])))
    if activity.get("hours"):
        parts.append(_("%(hours)s hours", hours=format_decimal(activity["hours"])))
    if activity.get("fte"):
        parts.append(_("%(fte)s FTE", fte=format_decimal(activity["fte"])))
    if activity.get("in_kind"):
        parts.append(_("in kind: %(what)s", what=activity["in_kind"]))
    return parts


def _period(activity: dict) -> str:
    start, end = activity.get("from_q") or "", activity.get("to_q") or ""
    if start and end:
        return _("from %(start)s to %(end)s", start=start, end=end)
    if start:
        return _("from %(start)s", start=start)
    if end:
        return _("until %(end)s", end=end)
    return ""


def _review(moment: str, who: str) -> str:
    """When an agenda is looked at again, and by whom: two free texts, written as sentences."""
    parts = [" ".join(moment.split()), _("Who looks at it: %(who)s", who=" ".join(who.split())) if who else ""]
    return " ".join(part if part.endswith((".", "!", "?")) else f"{part}." for part in parts if part)


def _agenda_name(source: AgendaSource) -> str:
    return _("%(issue)s, %(years)d-year agenda", issue=source.issue_title, years=source.horizon)


def commits_municipality(sources: list[AgendaSource]) -> bool:
    """Does any activity the municipality is responsible for use money, hours, staff or means?"""
    return any(
        activity.get("responsible") == MUNICIPALITY and activity.get("status") != "dropped" and _money(activity)
        for source in sources
        for activity in source.document.get("items", [])
    )


def required_parties(sources: list[AgendaSource]) -> list[str]:
    """Every responsible organisation in the agendas, and the municipality (always a party)."""
    keys = {
        activity["responsible"]
        for source in sources
        for activity in source.document.get("items", [])
        if activity.get("responsible") and activity.get("status") != "dropped"
    }
    keys.add(MUNICIPALITY)
    return sorted(keys, key=lambda k: (k != MUNICIPALITY, int(k) if k.isdigit() else 0))


def proposed_text(sources: list[AgendaSource], names: dict[str, str]) -> str:
    """Markdown: parties, commitments per party, staying current, success, duration, evaluation, stepping out."""
    parties = required_parties(sources)
    out: list[str] = []
    out += ["## " + _("Parties"), ""]
    out += [f"- {names.get(key, key)}" for key in parties]
    out += [""]

    out += ["## " + _("What this covenant is about"), ""]
    out += [_("The parties commit to the agreed agendas below, drawn up with residents in the neighbourhood."), ""]
    for source in sources:
        out += [f"### {_agenda_name(source)}", ""]
        summary = (source.document.get("fields", {}).get("summary") or "").strip()
        if summary:
            out += [summary, ""]

    out += ["## " + _("What each party commits to"), ""]
    for key in parties:
        lines = []
        for source in sources:
            for activity in source.document.get("items", []):
                if activity.get("responsible") != key or activity.get("status") == "dropped":
                    continue
                details = [_agenda_name(source)]
                if period := _period(activity):
                    details.append(period)
                details += _money(activity)
                line = f"- **{activity['title']}** ({'; '.join(details)})"
                if (description := (activity.get("description") or "").strip()) != "":
                    line += f": {' '.join(description.split())}"
                lines.append(line)
        out += [f"### {names.get(key, key)}", ""]
        out += lines or [_("No activities of its own; it supports the agreements as a party."), ""]
        if lines:
            out += [""]

    out += ["## " + _("How the agendas stay current"), ""]
    for source in sources:
        fields = source.document.get("fields", {})
        moment, who = (fields.get("review_moment") or "").strip(), (fields.get("reviewers") or "").strip()
        if moment or who:
            out += [f"- {_agenda_name(source)}: {_review(moment, who)}"]
    out += [
        "",
        _(
            "A change to an agenda is agreed in a consent round of its working group. When it changes what a "
            "party commits to, this covenant is changed too and every party signs again."
        ),
        "",
    ]

    out += ["## " + _("How we judge whether it works"), ""]
    for source in sources:
        success = (source.document.get("fields", {}).get("success") or "").strip()
        indicators = [
            f"  - {a['title']}: {' '.join(a['indicator'].split())}"
            for a in source.document.get("items", [])
            if (a.get("indicator") or "").strip()
        ]
        if success or indicators:
            out += [f"- {_agenda_name(source)}: {' '.join(success.split())}".rstrip(": "), *indicators]
    out += [""]

    longest = max((source.horizon for source in sources), default=1)
    out += ["## " + _("Duration and evaluation"), ""]
    out += [
        ngettext(
            "This covenant applies from the day every party has signed, for %(num)d year. The parties "
            "evaluate it together at least once a year, and at the moments the agendas name.",
            "This covenant applies from the day every party has signed, for %(num)d years. The parties "
            "evaluate it together at least once a year, and at the moments the agendas name.",
            longest,
        ),
        "",
    ]
    out += ["## " + _("Stepping out"), ""]
    out += [
        _(
            "A party can end this covenant by saying so on the platform, with its reason. Everyone can read "
            "the reason. The parties then meet to decide how to go on, for example with a new covenant."
        ),
        "",
    ]
    return "\n".join(out)
