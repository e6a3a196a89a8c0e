"""Who may do what with council positions (gathered by app/policy.py). Reading is open to everyone.

Recording and correcting positions: the council's clerk (griffie) or members, in every phase.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.accounts.models import Role
from app.predicates import Predicate, has_role, signed_in

rules: dict[str, Predicate] = {}

rules["council.record"] = signed_in & has_role(
    Role.COUNCIL, reason=_l("Only the council's clerk or members can record council positions.")
)
