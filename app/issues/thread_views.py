"""A reaction thread on its own page: every reply, a page at a time (the issue page shows the first few)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for

from app.issues import threads
from app.issues.forms import EmptyForm
from app.issues.models import Comment
from app.issues.views import issue_or_404
from app.issues.visibility import all_rows, get_including_hidden
from app.request_args import page_number

bp = Blueprint("threads", __name__)


@bp.route("/comments/<int:comment_id>/replies")
def show(comment_id: int):
    # Hidden reactions keep their place as a placeholder, as on the issue page (_comment.html decides).
    thread = get_including_hidden(Comment, comment_id)
    if thread is None:
        abort(404)
    if thread.parent_id is not None:  # a reply: its thread
        return redirect(url_for("threads.show", comment_id=thread.parent_id, _anchor=f"comment-{thread.id}"))
    issue = issue_or_404(thread.issue_id)  # 404 for a hidden issue unless its author or a moderator asks
    with all_rows():
        replies = threads.replies_page(thread, page_number())
    return render_template("issues/thread.html", issue=issue, thread=thread, replies=replies, button_form=EmptyForm())
