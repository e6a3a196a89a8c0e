"""Mijn pagina at /mijn: everything of one's own on one page, and each long list on a page of its own."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from app.issues.forms import EmptyForm
from app.mine import groups, notices, services
from app.policy import can, require
from app.request_args import page_number

bp = Blueprint("mine", __name__)

# The lists that have a page of their own: /mijn/<name>.
LISTS = ("onderwerpen", "reacties", "steun", "volgend")


@bp.route("/mijn")
@login_required
def index():
    require("mine.view")
    user = current_user
    issues_page, standings = services.my_issues(user, per_page=services.PREVIEW)
    comments_page, comments = services.my_comments(user, per_page=services.PREVIEW)
    covenants, covenants_total = groups.to_sign(user)
    return render_template(
        "mine/index.html",
        issues_page=issues_page,
        standings=standings,
        comments_page=comments_page,
        comments=comments,
        supported=services.supported(user, per_page=services.PREVIEW),
        followed=services.followed(user, per_page=services.PREVIEW),
        ballots=services.points(user),
        groups=groups.working_groups(user),
        may_sign=groups.may_ever_sign(user),
        covenants=[(item, can(user, "covenant.sign", item.covenant)) for item in covenants],
        covenants_total=covenants_total,
        notices=notices.recent(user),
        mail=notices.mail_choices(user),
        start=_where_to_start(),
        button_form=EmptyForm(),
        groene_loper_days=services.groene_loper_days(),
    )


@bp.route(f"/mijn/<any({', '.join(LISTS)}):name>")
@login_required
def full_list(name: str):
    require("mine.view")
    user, page = current_user, page_number()
    values = {"name": name, "start": _where_to_start(), "button_form": EmptyForm()}
    if name == "onderwerpen":
        values["page"], values["standings"] = services.my_issues(user, page)
        values["groene_loper_days"] = services.groene_loper_days()
    elif name == "reacties":
        values["page"], values["comments"] = services.my_comments(user, page)
    elif name == "steun":
        values["page"] = services.supported(user, page)
    elif name == "volgend":
        values["page"] = services.followed(user, page)
    else:  # the route's converter allows only LISTS
        abort(404)
    return render_template("mine/list.html", **values)


def _where_to_start():
    """The process to point newcomers to: the newest where this person may propose, else the newest one."""
    processes = services.recent_processes()
    proposing = next((p for p in processes if can(current_user, "issue.propose", p)), None)
    return {"propose": proposing, "process": proposing or (processes[0] if processes else None)}
