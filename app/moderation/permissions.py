"""Who may moderate and steer the balance (gathered by app/policy.py).

`moderation.act` (the queue and every action) lives in app/policy.py with the other role rules.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.policy import MODERATORS, Decision, _role, rule


@rule("balance.set_target")
def _balance_set_target(user, _process) -> Decision:
    return _role(user, MODERATORS, _("Only the neighbourhood director can set the intended balance."))
