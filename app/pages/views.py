"""Home, the privacy and accessibility statements, the icon, the language switch and the health check."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, redirect, render_template, request, send_from_directory, session
from flask_login import current_user

from app.dashboard import services as dashboard
from app.dashboard.permissions import SECTIONS, version_for
from app.extensions import db
from app.notifications import preferences
from app.policy import can
from app.processes.services import list_processes
from app.security import safe_next

bp = Blueprint("pages", __name__)


@bp.route("/")
def home():
    return render_template("pages/home.html", processes=list_processes(), work=_waiting_work())


def _waiting_work() -> dict | None:
    """For the neighbourhood director, facilitators and aldermen: the counts of their work overview."""
    version = version_for(current_user)
    if version is None:
        return None
    return dashboard.gather(current_user, SECTIONS[version], brief=True)


@bp.route("/privacy")
def privacy():
    return render_template("pages/privacy.html")


@bp.route("/accessibility")
def accessibility():
    return render_template("pages/accessibility.html")


@bp.route("/favicon.ico")
def favicon():
    """Browsers, feed readers and crawlers ask for /favicon.ico whatever a page links: answer with the icon.

    Modern browsers read SVG from here too; pages link the same file (base.html), so most never ask.
    """
    return send_from_directory(current_app.static_folder, "icons/favicon.svg", max_age=7 * 24 * 3600)


@bp.route("/language", methods=["POST"])
def set_language():
    """Remember the chosen language in the session, and on the account of a signed-in person (for their mails).
    A plain form: works without JavaScript."""
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if can(current_user, "account.manage"):  # mails and digests are written in the language the person chose
            preferences.set_language(current_user, lang)
            db.session.commit()
    return redirect(safe_next(request.form.get("next")))


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:
        current_app.logger.exception("health check failed")
        db.session.rollback()
        return jsonify({"status": "error"}), 503
    return jsonify({"status": "ok"})
