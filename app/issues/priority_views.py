"""The prioritisation round page: dividing points, and the results with a chart and a table."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import DomainError
from app.extensions import db
from app.forms_common import save
from app.issues import voting
from app.issues.charts import bar_chart
from app.issues.forms import EmptyForm, PointsForm, RoundForm
from app.issues.models import ACTIVE, Issue, RoundStatus
from app.issues.visibility import get_including_hidden, including_hidden
from app.policy import can, require
from app.processes.views import process_or_404

bp = Blueprint("priorities", __name__)


def _candidates(process_id: int):
    """Open issues to give points to, most supported first, a page at a time."""
    return db.paginate(
        sa.select(Issue)
        .where(Issue.process_id == process_id, Issue.status.in_(ACTIVE), Issue.visibility == "visible")
        .order_by(Issue.support_count.desc(), Issue.id),
        per_page=30,
        error_out=False,
    )


def _render(process, round_form=None, points_errors=None, status=200):
    round_ = voting.get_round(process.id)
    mine = voting.my_points(round_, current_user)
    show_results = round_ is not None and bool(can(current_user, "priorities.results", round_))
    rows = voting.results(round_, limit=50) if show_results else []
    is_open = round_ is not None and round_.status == RoundStatus.OPEN.value
    # Points on an issue hidden since stay takeable: the list names it only as hidden (priorities.html).
    given = (
        db.session.scalars(including_hidden(sa.select(Issue).where(Issue.id.in_(list(mine))))).all()
        if is_open and mine
        else []
    )
    if round_form is None and can(current_user, "priorities.manage", process):
        round_form = RoundForm(obj=round_) if round_ else RoundForm()
    return render_template(
        "issues/priorities.html",
        process=process,
        round=round_,
        candidates=_candidates(process.id) if is_open else None,
        given=given,
        mine=mine,
        left=(round_.points_per_person - sum(mine.values())) if round_ else 0,
        rows=rows,
        chart=bar_chart(rows) if rows else None,
        turnout=voting.participation(round_) if show_results else {},
        round_form=round_form,
        button_form=EmptyForm(),
        points_errors=points_errors or {},
    ), status


@bp.route("/processes/<slug>/priorities")
def show(slug: str):
    return _render(process_or_404(slug))


@bp.route("/processes/<slug>/priorities/<int:issue_id>", methods=["POST"])
@login_required
def set_points(slug: str, issue_id: int):
    process = process_or_404(slug)
    round_ = voting.get_round(process.id)
    if round_ is None:
        abort(404)
    require("priorities.vote", round_)
    issue = get_including_hidden(Issue, issue_id)  # taking points back is always possible (voting.set_points)
    if issue is None or issue.process_id != process.id:
        abort(404)
    form = PointsForm()
    if not form.validate_on_submit():
        return _render(process, points_errors={issue.id: _("Fill in a whole number from 0.")}, status=400)
    try:
        left = voting.set_points(current_user, round_, issue, form.points.data)
    except DomainError as error:
        db.session.rollback()
        return _render(process, points_errors={issue.id: error.message}, status=400)
    db.session.commit()
    flash(_("Saved. You have %(n)d points left.", n=left), "success")
    return redirect(url_for("priorities.show", slug=process.slug, _anchor=f"issue-{issue.id}"))


@bp.route("/processes/<slug>/priorities/settings", methods=["POST"])
@login_required
def settings(slug: str):
    process = process_or_404(slug)
    require("priorities.manage", process)
    form = RoundForm()
    if form.validate_on_submit() and save(
        form,
        lambda: voting.configure_round(
            process, form.points_per_person.data, form.max_per_issue.data, form.results_while_open.data
        ),
    ):
        flash(_("The settings of the round are saved."), "success")
        return redirect(url_for("priorities.show", slug=process.slug))
    return _render(process, round_form=form, status=400)


@bp.route("/processes/<slug>/priorities/<any(open, close):action>", methods=["POST"])
@login_required
def open_or_close(slug: str, action: str):
    process = process_or_404(slug)
    require("priorities.manage", process)
    round_ = voting.get_round(process.id) or voting.configure_round(process, 5, 3, False)
    try:
        (voting.open_round if action == "open" else voting.close_round)(round_)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(
            _("The round is open.") if action == "open" else _("The round is closed. The results are public."),
            "success",
        )
    return redirect(url_for("priorities.show", slug=process.slug))
