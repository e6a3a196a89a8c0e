"""The balance page of a process, the intended balance per phase, and the help page with the mapping."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import db
from app.forms_common import options, save
from app.issues.models import Issue
from app.models_common import utcnow
from app.moderation import balance, services, signals, ternary
from app.moderation.forms import TargetForm
from app.moderation.models import THREE_P_LABELS, ThreeP
from app.policy import can, require
from app.processes.models import PHASES, phase_label
from app.processes.views import process_or_404

bp = Blueprint("balance", __name__)
# At most this many issues as points on the chart and rows in its table: the most active ones.
ISSUE_POINTS = 60
TREND_WEEKS = 26


def _targets(process) -> dict[str, dict[str, int]]:
    return {
        phase.key: {
            "puzzling": phase.target_puzzling,
            "powering": phase.target_powering,
            "participation": phase.target_participation,
        }
        for phase in process.phases
        if phase.target_puzzling is not None
    }


def _target_form(process, form: TargetForm | None = None) -> TargetForm:
    form = form or TargetForm(formdata=None)
    form.phase.choices = options([(info.key.value, phase_label(info.key)) for info in PHASES])
    if form.phase.data is None:
        form.phase.data = process.current_phase
        current = _targets(process).get(process.current_phase)
        if current:
            form.puzzling.data, form.powering.data, form.participation.data = (
                current["puzzling"],
                current["powering"],
                current["participation"],
            )
    return form


@bp.route("/processes/<slug>/balance")
def show(slug: str):
    return _render(process_or_404(slug))


def _render(process, form: TargetForm | None = None, status: int = 200):
    days = balance.per_day(process.id)
    overall = balance.Balance()
    for day_balance in days.values():
        for kind, n in day_balance.counts.items():
            overall.counts[kind] += n
        for category, weight in day_balance.weights.items():
            overall.weights[category] += weight
    phases = balance.per_phase(process, days)
    targets = _targets(process)
    issues_balance = balance.per_issue(process.id)
    busiest = sorted(issues_balance, key=lambda i: (-issues_balance[i].total, i))[:ISSUE_POINTS]
    titles = dict(
        db.session.execute(
            sa.select(Issue.id, Issue.title).where(Issue.id.in_(busiest or [-1]), Issue.visibility == "visible")
        ).all()
    )
    issue_rows = [(i, titles[i], issues_balance[i]) for i in busiest if i in titles]
    points = [
        ternary.Point(
            *ternary.position(b.shares()), label=title, url=url_for("issues.show", issue_id=i), shares=b.shares()
        )
        for i, title, b in issue_rows
    ]
    weeks = balance.per_week(days)[-TREND_WEEKS:]
    current_target = targets.get(process.current_phase)
    return render_template(
        "moderation/balance.html",
        process=process,
        overall=overall,
        shares=overall.shares(),
        phases=[(info.key.value, phases.get(info.key.value), targets.get(info.key.value)) for info in PHASES],
        current_target=current_target,
        target_point=ternary.position({k: v / 100 for k, v in current_target.items()}) if current_target else None,
        process_point=ternary.position(overall.shares()) if overall.total else None,
        points=points,
        issue_rows=issue_rows,
        weeks=weeks,
        signals=signals.all_signals(process, per_issue=issues_balance),
        form=_target_form(process, form) if can(current_user, "balance.set_target", process) else None,
        labels=THREE_P_LABELS,
        categories=[p.value for p in ThreeP],
        grid=ternary.grid(),
        outline=ternary.outline(),
        diamond=ternary.diamond,
        corners=ternary.CORNERS,
        chart=ternary,
        since=utcnow() - timedelta(days=7 * TREND_WEEKS),
    ), status


@bp.route("/processes/<slug>/balance/targets", methods=["POST"])
@login_required
def targets(slug: str):
    process = process_or_404(slug)
    require("balance.set_target", process)
    form = _target_form(process, TargetForm())
    if form.validate_on_submit() and save(
        form,
        lambda: services.set_target(
            process, form.phase.data, form.puzzling.data, form.powering.data, form.participation.data
        ),
    ):
        flash(_("The intended balance for %(phase)s is saved.", phase=phase_label(form.phase.data)), "success")
        return redirect(url_for("balance.show", slug=process.slug, _anchor="targets"))
    return _render(process, form, status=400)


@bp.route("/help/balance")
def help_page():
    return render_template(
        "moderation/balance_help.html",
        kinds=balance.KINDS,
        labels=THREE_P_LABELS,
        categories=[p.value for p in ThreeP],
    )
