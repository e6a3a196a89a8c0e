"""Who may manage accounts, organisations and memberships (gathered by app/policy.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.accounts.models import Role
from app.predicates import Predicate, has_role, is_admin, is_moderator, signed_in

rules: dict[str, Predicate] = {}

rules["account.manage"] = signed_in
rules["membership.request"] = signed_in & has_role(Role.PARTNER, reason=_l("Only partners represent an organisation."))
rules["membership.decide"] = signed_in & is_moderator.because(
    _l("Only the neighbourhood director can approve members.")
)
rules["membership.set_signatory"] = signed_in & is_admin.because(
    _l("Only an administrator can make someone a signatory.")
)
rules["admin.users"] = signed_in & is_admin
rules["admin.organisations"] = signed_in & is_moderator.because(
    _l("Only the neighbourhood director can manage organisations.")
)
