"""GET and POST /unsubscribe/<token>: stop one kind of mail, without signing in.

GET shows which mail the link stops, with a button; nothing changes on GET (mail scanners open links).
POST stops it. The RFC 8058 one-click POST that mail clients send (body `List-Unsubscribe=One-Click`) carries
no CSRF token and cannot: that one request is the site's single exception to CSRF checking (DESIGN.md,
README). It is safe because the signed token in the address is the permission, it is known only to the
mail's recipient, and all it can do is switch mail off. The page's own button is an ordinary form and is
CSRF-checked as everywhere else.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for
from werkzeug.routing import BuildError

from app.extensions import csrf, db, limiter
from app.notifications.preferences import in_digest
from app.notifications.unsubscribe import DIGEST_TOPICS, is_subscribed, subscription_for, unsubscribe
from app.policy import require

bp = Blueprint("unsubscribe", __name__, url_prefix="/unsubscribe")

ONE_CLICK = "One-Click"  # RFC 8058: the body is List-Unsubscribe=One-Click


def _preferences_path() -> str:
    try:
        return url_for("notifications.preferences")
    except BuildError:  # before the notifications' pages are registered
        return "/notifications/preferences"


@bp.route("/<token>", methods=["GET", "POST"])
@csrf.exempt  # only the one-click POST goes unchecked; the page's form is checked below
@limiter.limit(lambda: current_app.config["RATELIMIT_UNSUBSCRIBE"])
def page(token: str):
    one_click = request.method == "POST" and request.form.get("List-Unsubscribe") == ONE_CLICK
    if request.method == "POST" and not one_click and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    subscription = subscription_for(token)
    if subscription is None:
        return render_template("notifications/unsubscribe_invalid.html", preferences=_preferences_path()), 404
    require("mail.unsubscribe", subscription)
    # A digest's link stops every kind of message it holds: both pages name them (read before they stop).
    topics = in_digest(subscription.user, DIGEST_TOPICS[subscription.topic]) if subscription.is_digest else []
    if request.method == "GET":
        return render_template(
            "notifications/unsubscribe.html",
            subscription=subscription,
            subscribed=is_subscribed(subscription),
            topics=topics,
            preferences=_preferences_path(),
        )
    unsubscribe(subscription)
    db.session.commit()
    return render_template(
        "notifications/unsubscribed.html", subscription=subscription, topics=topics, preferences=_preferences_path()
    )
