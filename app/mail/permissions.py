"""Who may see the outbox and stop mail (gathered by app/policy.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.predicates import Predicate, is_admin, predicate, signed_in

rules: dict[str, Predicate] = {}


@predicate(reason=_l("This link to stop e-mails is not valid."), kind="state")
def holds_a_valid_link(_user, subscription) -> bool:
    """The signed link from the mail is the permission: it is made only for its recipient, and cannot be
    guessed or changed (app/notifications/unsubscribe.py). Signing in is not needed."""
    return subscription is not None and getattr(subscription, "user", None) is not None


rules["mail.admin"] = signed_in & is_admin.because(_l("Only an administrator can see the mails the site sends."))
rules["mail.unsubscribe"] = holds_a_valid_link
