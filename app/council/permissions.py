"""Who may do what with council positions (gathered by app/policy.py). Reading is open to everyone."""

from __future__ import annotations

from flask_babel import gettext as _

from app.accounts.models import Role
from app.policy import Decision, _role, rule


@rule("council.record")
def _council_record(user, _obj) -> Decision:
    """Recording and correcting positions: the council's clerk (griffie) or members, in every phase."""
    return _role(user, (Role.COUNCIL,), _("Only the council's clerk or members can record council positions."))
