"""Who may moderate and steer the balance (gathered by app/policy.py). Moderators act in every phase."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.predicates import Predicate, is_moderator, signed_in

rules: dict[str, Predicate] = {}

rules["moderation.act"] = signed_in & is_moderator  # the queue and every action on it
rules["balance.set_target"] = signed_in & is_moderator.because(
    _l("Only the neighbourhood director can set the intended balance.")
)
