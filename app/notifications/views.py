"""The notifications list, marking them read, and the choices of how to hear of them.

Every page shows the signed-in person's own notifications only: the services take `current_user`, never an
id from the request.
"""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import db
from app.forms_common import save
from app.issues.forms import EmptyForm
from app.notifications import inbox
from app.notifications import preferences as mail_choices
from app.notifications.forms import field_name, preferences_form
from app.policy import require

bp = Blueprint("notifications", __name__)

# g key: the unread count the header shows on this page (set when the page changes it)
HEADER_COUNT = "notification_count"
HEADER_CAP = 100  # the header counts up to here and then says "99+"


@bp.route("/notifications")
@login_required
def index():
    require("notifications.read")
    user = current_user._get_current_object()
    pagination, items = inbox.page_of(user)
    unread_shown = [item.id for item in items if item.unread]
    # The header counts what is still unread once this page is seen.
    setattr(g, HEADER_COUNT, max(inbox.unread_count(user, HEADER_CAP + len(unread_shown)) - len(unread_shown), 0))
    html = render_template("notifications/index.html", pagination=pagination, items=items, button_form=EmptyForm())
    if unread_shown:
        # Opening the list marks what it showed as read: the person's own state, after the page was made.
        # The read transaction ends first, so on SQLite the write starts fresh and waits for the lock if needed.
        db.session.commit()
        inbox.mark_read(user, unread_shown)
        db.session.commit()
    return html


@bp.route("/notifications/read", methods=["POST"])
@login_required
def read_all():
    require("notifications.read")
    form = EmptyForm()
    if form.validate_on_submit():
        inbox.mark_all_read(current_user)
        db.session.commit()
        flash(_("All your notifications are marked as read."), "success")
    return redirect(url_for("notifications.index"))


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    require("notifications.preferences")
    user = current_user._get_current_object()
    topics = mail_choices.topics_of(user)
    form = preferences_form(topics, mail_choices.choices_of(user), user.language)
    if form.validate_on_submit():
        choices = {t.key: form[field_name(t.key)].data for t in topics}
        if save(form, lambda: mail_choices.save_choices(user, choices, form.language.data)):
            session["lang"] = user.language  # one language for the person: the site follows the choice
            flash(_("Your choices are saved."), "success")
            return redirect(url_for("notifications.preferences"))
    return render_template("notifications/preferences.html", form=form, topics=topics)


def count_for_header() -> int:
    """The unread count in the site header: one COUNT per page, for signed-in people only."""
    if not current_user.is_authenticated:
        return 0
    if not hasattr(g, HEADER_COUNT):
        setattr(g, HEADER_COUNT, inbox.unread_count(current_user, HEADER_CAP))
    return getattr(g, HEADER_COUNT)


@bp.app_context_processor
def header_count():
    return {"notification_count": count_for_header}
