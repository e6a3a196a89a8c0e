"""A reaction's author changes it (for a while) or withdraws it (at any time): app/issues/comments.py."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.forms_common import save
from app.issues import comments
from app.issues.forms import CommentEditForm, EmptyForm
from app.issues.models import Comment, Issue
from app.issues.views import _may_see_hidden
from app.issues.visibility import get_including_hidden
from app.moderation import edits
from app.policy import require

bp = Blueprint("comments", __name__)


def _comment_or_404(comment_id: int) -> tuple[Comment, Issue]:
    """The reaction and its issue, also when either is not shown: the policy decides what may happen."""
    comment = get_including_hidden(Comment, comment_id)
    issue = get_including_hidden(Issue, comment.issue_id) if comment is not None else None
    if comment is None or issue is None:
        abort(404)
    return comment, issue


def _title_shown(issue: Issue) -> bool:
    """A hidden issue's title only for its author and the moderators (its page shows others a placeholder)."""
    return issue.is_visible or _may_see_hidden(issue)


def _back(comment: Comment):
    return redirect(url_for("issues.show", issue_id=comment.issue_id, _anchor=f"comment-{comment.id}"))


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(comment_id: int):
    comment, issue = _comment_or_404(comment_id)
    require("comment.edit", comment)
    held = edits.held(comment)
    if request.method == "GET":
        # A change that waits for a check is where the author goes on from.
        form = CommentEditForm(data={**comments.fields_of(comment), **(held.changes if held else {})})
    else:
        form = CommentEditForm()
    if form.validate_on_submit():
        saved = save(
            form, lambda: comments.edit(current_user, comment, form.body.data, form.stance.data, form.kind.data)
        )
        if saved:
            if saved.value:
                flash(_("Your reaction is changed. The moderators keep the earlier text."), "success")
            else:
                flash(
                    _(
                        "Your change waits for a check by the neighbourhood director. "
                        "Until then, others see the earlier text."
                    ),
                    "success",
                )
            return _back(comment)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "issues/comment_edit.html", comment=comment, issue=issue, title_shown=_title_shown(issue), form=form, held=held
    ), status


@bp.route("/comments/<int:comment_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(comment_id: int):
    comment, issue = _comment_or_404(comment_id)
    if comment.is_withdrawn and comment.author_id == current_user.id:  # sent twice: done already
        flash(_("Your reaction is withdrawn. The answers to it stay."), "info")
        return _back(comment)
    require("comment.withdraw", comment)
    form = EmptyForm()
    if form.validate_on_submit() and save(form, lambda: comments.withdraw(current_user, comment)):
        flash(_("Your reaction is withdrawn. The answers to it stay."), "success")
        return _back(comment)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "issues/comment_withdraw.html", comment=comment, issue=issue, title_shown=_title_shown(issue), form=form
    ), status
