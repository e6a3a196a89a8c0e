"""/admin/mail: the outbox for the administrator. How many mails wait, went out or failed; the failed ones
with their error, and a button to send them again once the cause is fixed."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required

from app.accounts.forms import DecisionForm
from app.errors import DomainError
from app.extensions import db
from app.mail import admin as service
from app.mail.models import OutboxMail
from app.policy import require

bp = Blueprint("admin_mail", __name__, url_prefix="/admin/mail")


@bp.route("")
@login_required
def index():
    require("mail.admin")
    page = db.paginate(service.failed_mails(), per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template(
        "mail/admin.html",
        counts=service.status_counts(),
        labels=service.STATUS_LABELS,
        failed=page,
        waiting=service.oldest_waiting(),
        form=DecisionForm(),
    )


@bp.route("/<int:mail_id>/send-again", methods=["POST"])
@login_required
def send_again(mail_id: int):
    require("mail.admin")
    mail = db.session.get(OutboxMail, mail_id)
    if mail is None:
        abort(404)
    if not DecisionForm().validate_on_submit():
        abort(400)
    try:
        service.send_again(mail)
    except DomainError as error:
        db.session.commit()  # an account mail whose link is gone was taken off the list
        flash(error.message, "error")
        return redirect(url_for("admin_mail.index"))
    db.session.commit()
    flash(_("The mail to %(address)s is sent again.", address=mail.to_address), "success")
    return redirect(url_for("admin_mail.index"))


@bp.route("/send-again", methods=["POST"])
@login_required
def send_all_again():
    require("mail.admin")
    if not DecisionForm().validate_on_submit():
        abort(400)
    result = service.send_all_failed_again()
    db.session.commit()
    if result.sent or not result.cancelled:
        flash(ngettext("%(num)d mail is sent again.", "%(num)d mails are sent again.", result.sent), "success")
    if result.cancelled:
        flash(
            ngettext(
                "%(num)d account mail is not sent again: the link in it no longer works. It is taken off the"
                " list; the person can ask for a new link.",
                "%(num)d account mails are not sent again: the links in them no longer work. They are taken off"
                " the list; the people can ask for a new link.",
                result.cancelled,
            ),
            "warning",
        )
    return redirect(url_for("admin_mail.index"))
