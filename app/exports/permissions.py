"""Who may export material for the city congress (gathered by app/policy.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.accounts.models import Role
from app.predicates import Predicate, has_role, signed_in

rules: dict[str, Predicate] = {}

rules["export.congress"] = signed_in & has_role(
    Role.FACILITATOR,
    Role.WIJKREGISSEUR,
    Role.ADMIN,
    reason=_l("Only facilitators and the neighbourhood director can export material."),
)
