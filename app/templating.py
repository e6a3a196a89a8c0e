"""What every template can use: the policy, the Markdown filter, languages, labels."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, request
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    format_number,
    format_timedelta,
    get_locale,
    gettext,
    ngettext,
)
from flask_login import current_user

from app import policy
from app.accounts.officials import official_role
from app.agendas.models import activity_label, agenda_label, horizon_label, revision_event
from app.issues.models import label as issue_label
from app.models_common import utcnow
from app.processes.models import phase_label
from app.rendered import excerpt_of, markdown_filter, rendered
from app.text import plain_excerpt


def activity_resources(item: dict) -> list[str]:
    """An activity's resources in words: money, hours, FTE, in kind."""
    parts = []
    if item.get("euros") is not None:
        parts.append("€ " + format_number(item["euros"]))
    if item.get("hours") is not None:
        parts.append(ngettext("%(num)d hour", "%(num)d hours", item["hours"]))
    if item.get("fte") is not None:
        parts.append(f"{format_decimal(item['fte'])} {gettext('FTE')}")
    if item.get("in_kind"):
        parts.append(item["in_kind"])
    return parts


def duration(value: timedelta | float | None) -> str:
    """A time span as people say it, in the reader's language: "less than a minute", "3 days", "2 weeks".

    `value` is a timedelta or a number of seconds. Never "0 seconds": under a minute (or a clock that
    runs a little behind) is "less than a minute"; longer spans are rounded to their largest unit.
    """
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value or 0)
    if seconds < 60:
        return gettext("less than a minute")
    # threshold 1: "6 days" stays 6 days instead of becoming "1 week"
    return format_timedelta(timedelta(seconds=seconds), granularity="minute", threshold=1)


SIZE_UNITS = ("kB", "MB", "GB", "TB")


def file_size(value: float | None) -> str:
    """A number of bytes for people, with the reader's decimal sign: "162,2 kB" in Dutch, "162.2 kB" in English.

    Decimal units (1 kB = 1000 bytes), as Jinja's own `filesizeformat`, which this replaces.
    """
    size = float(value or 0)
    if size < 1000:
        return ngettext("%(count)s byte", "%(count)s bytes", int(size), count=format_number(int(size)))
    for power, unit in enumerate(SIZE_UNITS, start=1):
        scaled = size / 1000**power
        if scaled < 1000 or unit == SIZE_UNITS[-1]:
            break
    return f"{format_decimal(scaled, '0.0')} {unit}"


def register(app: Flask) -> None:
    # Stored texts: `rendered(obj, "field")`; the filter is for documents not stored rendered (bounded, cached).
    app.jinja_env.filters["markdown"] = markdown_filter
    # Jinja's filesizeformat writes "162.2 kB" in every language.
    app.jinja_env.filters["filesizeformat"] = file_size
    app.jinja_env.globals.update(
        phase_label=phase_label,
        issue_label=issue_label,
        agenda_label=agenda_label,
        activity_label=activity_label,
        horizon_label=horizon_label,
        revision_event=revision_event,
        excerpt=plain_excerpt,
        excerpt_of=excerpt_of,
        rendered=rendered,
        official_role=official_role,
        format_date=format_date,
        format_datetime=format_datetime,
        duration=duration,
        format_number=format_number,
        format_decimal=format_decimal,
        activity_resources=activity_resources,
        now=utcnow,
        process_actions=policy.process_actions,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def inject():
        def can(action: str, obj=None):
            return policy.can(current_user, action, obj)

        return {
            "can": can,
            "languages": app.config["LANGUAGES"],
            "current_lang": str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"]),
            "current_path": request.full_path.rstrip("?") if request else "/",
        }
