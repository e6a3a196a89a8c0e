"""What every template can use: the policy, the Markdown filter, languages, labels."""

from __future__ import annotations

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
from app.agendas.models import activity_label, agenda_label, horizon_label, revision_event
from app.issues.models import label as issue_label
from app.models_common import utcnow
from app.processes.models import phase_label
from app.text import plain_excerpt, render_markdown


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


def register(app: Flask) -> None:
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.globals.update(
        phase_label=phase_label,
        issue_label=issue_label,
        agenda_label=agenda_label,
        activity_label=activity_label,
        horizon_label=horizon_label,
        revision_event=revision_event,
        excerpt=plain_excerpt,
        format_date=format_date,
        format_datetime=format_datetime,
        format_timedelta=format_timedelta,
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
