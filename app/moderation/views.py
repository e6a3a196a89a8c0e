"""The moderation queue, the page per contribution or account, its actions, and the public log."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts.models import User
from app.accounts.services import organisation_choices
from app.extensions import db
from app.forms_common import options, save
from app.issues.models import ACTIVE, Comment, Issue, Report
from app.issues.services import IssueData
from app.issues.visibility import all_rows, get_including_hidden
from app.moderation import edits, queue, services
from app.moderation.edits import compare
from app.moderation.forms import GROUP_TITLES, GROUPS, ActionForm, ClassifyForm, SettingsForm
from app.moderation.models import Action, Target
from app.moderation.visibility import issue_of, open_reports
from app.policy import require
from app.processes.models import Process
from app.processes.views import process_or_404
from app.request_args import page_number, to_int
from app.security import safe_next
from app.submissions import made

bp = Blueprint("moderation", __name__)
MODELS = {Target.ISSUE.value: Issue, Target.COMMENT.value: Comment, Target.USER.value: User}


@bp.route("/moderation")
@login_required
def index():
    require("moderation.act")
    return _render_index()


def _render_index(submitted: tuple[int, SettingsForm] | None = None, status: int = 200):
    processes = db.session.scalars(sa.select(Process).order_by(Process.created_at)).all()
    settings = {p.id: SettingsForm(prefix=f"settings-{p.id}", obj=p, formdata=None) for p in processes}
    if submitted is not None:
        settings[submitted[0]] = submitted[1]
    pending, pending_total = queue.pending()
    held, held_total = edits.waiting()
    return render_template(
        "moderation/index.html",
        reported=queue.reported(page_number()),
        pending=pending,
        pending_total=pending_total,
        held=held,
        held_total=held_total,
        edit_forms=_edit_forms,
        compare=compare,
        processes=processes,
        settings=settings,
        quick_forms=_quick_forms,
    ), status


def _quick_forms(item) -> ActionForm | None:
    """The show-or-hide form of a queue item, posted to the item's own page (its own prefix: unique ids)."""
    prefix = _queue_prefix(item.target_type, item.target.id)
    forms = _forms(item.target, reported=bool(item.reports), only="visibility", prefix=prefix, held=False)
    return forms.get("visibility")


def _edit_forms(item) -> ActionForm | None:
    """The approve-or-reject form of a held change in the queue (app/moderation/edits.py)."""
    prefix = _queue_prefix(item.target_type, item.target.id, "edit")
    return _forms(item.target, reported=False, only="edit", prefix=prefix, held=True).get("edit")


def _queue_prefix(target_type: str, target_id: int, group: str = "visibility") -> str:
    return f"{group}-{target_type}-{target_id}"


def _target_or_404(target_type: str, target_id: int):
    target = get_including_hidden(MODELS[target_type], target_id)  # moderators handle hidden ones
    if target is None:
        abort(404)
    return target


def _forms(
    target,
    submitted: str | None = None,
    reported: bool | None = None,
    only: str | None = None,
    prefix: str = "",
    held: bool | None = None,
) -> dict[str, ActionForm]:
    possible = services.possible(target, reported, held)
    forms = {}
    for group, actions in GROUPS.items():
        offered = [a for a in actions if a in possible]
        if not offered or (only and group != only):
            continue
        # Only the submitted form reads the request; the others start empty.
        form = ActionForm(prefix=prefix or group, formdata=None if group != submitted else request.form)
        form.offer(offered)
        if group == "decision" and isinstance(target, Issue):
            form.merge_into.choices = options([("", _("Choose an issue")), *_merge_choices(target)])
        if group == "feedback" and isinstance(target, Issue) and submitted != group:
            form.feedback.data = target.feedback
        forms[group] = form
    return forms


def _merge_choices(issue: Issue) -> list[tuple[int, str]]:
    return db.session.execute(
        sa.select(Issue.id, Issue.title)
        .where(
            Issue.process_id == issue.process_id,
            Issue.id != issue.id,
            Issue.status.in_(ACTIVE),
            Issue.visibility == "visible",
        )
        .order_by(Issue.title)
        .limit(500)
    ).tuples()


@bp.route("/moderation/<any(issue,comment,user):target_type>/<int:target_id>", methods=["GET", "POST"])
@login_required
def item(target_type: str, target_id: int):
    require("moderation.act")
    target = _target_or_404(target_type, target_id)
    submitted = request.form.get("group") if request.method == "POST" else None
    if submitted is not None and submitted not in GROUPS:
        abort(400)
    # The queue's forms carry their own prefix, so a page of fifty items has no duplicate ids.
    queued = submitted in ("visibility", "edit") and request.form.get("prefix") == _queue_prefix(
        target_type, target_id, submitted
    )
    forms = _forms(target, submitted)
    if queued:
        quick = _forms(target, submitted, only=submitted, prefix=request.form["prefix"]).get(submitted)
        if quick is not None:
            forms[submitted] = quick
    if submitted:
        form = forms.get(submitted)
        if form is None:
            flash(_("This is not possible for this contribution (any more)."), "error")
            return redirect(url_for("moderation.item", target_type=target_type, target_id=target_id))
        merge_into = to_int(form.merge_into.data or "")
        if form.validate_on_submit() and save(
            form,
            lambda: services.act(
                current_user,
                target,
                form.action.data,
                form.reason.data,
                merge_into=merge_into,
                feedback=form.feedback.data,
                category=form.category.data,
            ),
            then=made(
                "moderation_action",
                lambda _entry: safe_next(request.form.get("next"), "moderation.item", **request.view_args),
            ),
        ):
            flash(_("Done. The action and its reason are in the moderation log."), "success")
            return redirect(safe_next(request.form.get("next"), "moderation.item", **request.view_args))
    return _render_item(target_type, target, forms, status=400 if submitted else 200)


def _render_item(target_type: str, target, forms, status: int = 200):
    reports = []
    if target_type != Target.USER.value:
        reports = db.session.scalars(
            sa.select(Report)
            .where(Report.target_type == target_type, Report.target_id == target.id)
            .order_by(Report.created_at.desc())
            .limit(100)
        ).all()
    return render_template(
        "moderation/item.html",
        target_type=target_type,
        target=target,
        issue=issue_of(target),
        forms=forms,
        titles=GROUP_TITLES,
        reports=reports,
        open_reports=open_reports(target_type, target.id) if target_type != Target.USER.value else 0,
        history=queue.history_of(target_type, target.id),
        contributions=_contributions(target) if isinstance(target, User) else None,
        held=edits.held(target) if target_type != Target.USER.value else None,
        revisions=edits.earlier_versions(target) if target_type != Target.USER.value else [],
        compare=compare,
    ), status


@all_rows()  # counts, including what is hidden or waiting
def _contributions(user: User) -> dict[str, int]:
    def count(model, *where):
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))

    return {
        "issues": count(Issue, Issue.author_id == user.id),
        "comments": count(Comment, Comment.author_id == user.id),
        "hidden": count(Comment, Comment.author_id == user.id, Comment.visibility.not_in(("visible", "withdrawn")))
        + count(Issue, Issue.author_id == user.id, Issue.visibility != "visible"),
    }


@bp.route("/moderation/issue/<int:issue_id>/classification", methods=["GET", "POST"])
@login_required
def classification(issue_id: int):
    require("moderation.act")
    issue = _target_or_404(Target.ISSUE.value, issue_id)
    form = ClassifyForm(obj=issue)
    form.organisations.choices = options(organisation_choices())
    if request.method == "GET":
        form.domains.data = [d.value for d in issue.domains]
        form.organisations.data = [row.organisation_id for row in issue.involved_rows]
        form.reason.data = ""
    if form.validate_on_submit() and save(
        form,
        lambda: services.act(current_user, issue, Action.CLASSIFY.value, form.reason.data, data=_data(form)),
        then=made("moderation_action", lambda _entry: url_for("issues.show", issue_id=issue.id)),
    ):
        flash(_("The classification is changed. The earlier one stays in the issue's history."), "success")
        return redirect(url_for("issues.show", issue_id=issue.id))
    status = 400 if request.method == "POST" else 200
    return render_template("moderation/classification.html", issue=issue, form=form), status


def _data(form: ClassifyForm) -> IssueData:
    return IssueData(
        title="",
        description="",
        scale=form.scale.data or "",
        term=form.term.data or "",
        breadth=form.breadth.data or "",
        domains=form.domains.data or [],
        place=form.place.data or "",
        involve_others=form.involve_others.data or "",
        organisation_ids=[int(i) for i in form.organisations.data or []],
    )


@bp.route("/moderation/settings/<slug>", methods=["POST"])
@login_required
def settings(slug: str):
    require("moderation.act")
    process = process_or_404(slug)
    form = SettingsForm(prefix=f"settings-{process.id}")
    if form.validate_on_submit() and save(
        form, lambda: services.save_settings(process, form.premoderate_first.data, form.auto_hide_after.data)
    ):
        flash(_("The moderation settings of %(name)s are saved.", name=process.name), "success")
        return redirect(url_for("moderation.index", _anchor="settings"))
    return _render_index((process.id, form), status=400)


@bp.route("/moderation/log")
def log():
    process = None
    if request.args.get("process"):
        process = process_or_404(request.args["process"])
    return render_template(
        "moderation/log.html",
        entries=queue.log(page_number(), process.id if process else None),
        process=process,
        processes=db.session.scalars(sa.select(Process).order_by(Process.created_at)).all(),
    )
