"""Who may do what, on what, in which phase. Every view and template asks here.

Each action has one rule, declared as one line in its domain's permissions module
(app/<domain>/permissions.py: processes, accounts, issues, agendas, covenants, council,
moderation, exports, dashboard) from the small public predicates in app/predicates.py (signed in,
role, approved membership, phase, the object's state), combined with ``&``, ``|`` and ``~``.
A rule returns a `Decision`: truthy when allowed, otherwise carrying a plain-language reason
and, where the phase is the reason, when the action opens. This module gathers the rules
(`all_rules`) and answers for them; nothing else in the code decides permissions.

Usage: ``can(current_user, "issue.propose", process)`` in views and templates,
``require("process.set_phase", process)`` in views (403 with the reason).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import import_module

from flask import abort
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.predicates import (
    ALLOW,
    MODERATORS,
    MUNICIPALITY,
    PARTICIPANTS,
    PHASE_GATES,
    Decision,
    phase_allows,
    signed_in,
)

# Re-exported, so views, templates and tests keep one place to import from.
__all__ = [
    "ALLOW",
    "DOMAIN_RULES",
    "MODERATORS",
    "MUNICIPALITY",
    "PARTICIPANTS",
    "PHASE_GATES",
    "PROCESS_ACTIONS",
    "Decision",
    "Rule",
    "all_rules",
    "can",
    "process_actions",
    "require",
]

Rule = Callable[[object, object], Decision]

# Each domain declares its rules in a permissions module, as a dict `rules` of action name -> predicate.
DOMAIN_RULES = (
    "app.processes.permissions",
    "app.accounts.permissions",
    "app.issues.permissions",
    "app.issues.attachment_permissions",
    "app.agendas.permissions",
    "app.covenants.permissions",
    "app.council.permissions",
    "app.moderation.permissions",
    "app.exports.permissions",
    "app.mail.permissions",
    "app.dashboard.permissions",
    "app.notifications.permissions",
    "app.mine.permissions",
)


@cache
def all_rules() -> dict[str, Rule]:
    gathered: dict[str, Rule] = {}
    for module in DOMAIN_RULES:
        for name, check in import_module(module).rules.items():
            if name in gathered:
                raise ValueError(f"rule {name!r} is defined twice")
            gathered[name] = check
    return gathered


def can(user, action: str, obj=None) -> Decision:
    try:
        check = all_rules()[action]
    except KeyError:
        raise LookupError(f"no policy rule named {action!r}") from None
    return check(user, obj)


def require(action: str, obj=None, user=None) -> None:
    """Abort with 403 (or send to login) unless the current user may act."""
    decision = can(user if user is not None else current_user, action, obj)
    if decision:
        return
    if decision.needs_login:
        from app.extensions import login_manager

        abort(login_manager.unauthorized())
    abort(403, description=decision.message)


# What the process page lists under "what you can do now".
PROCESS_ACTIONS: tuple[tuple[str, object], ...] = (
    ("issue.propose", _l("Propose an issue")),
    ("issue.support", _l("Support issues")),
    ("priorities.vote", _l("Divide your points over issues")),
    ("agenda.edit", _l("Work on the 1-, 5- and 10-year agendas")),
    ("covenant.sign", _l("Sign a covenant for your organisation")),
    ("process.set_phase", _l("Move the process to another phase")),
)


def process_actions(user, process) -> list[tuple[str, object, Decision]]:
    """The actions that concern this person: allowed, or refused for a reason they can act on.

    Actions refused only because of the person's role are left out (a resident
    need not read that only the neighbourhood director may change the phase).
    A visitor who is not signed in sees when each participation step opens.
    """
    is_signed_in = bool(signed_in(user))
    rows = []
    for name, label in PROCESS_ACTIONS:
        if is_signed_in:
            decision = can(user, name, process)
        elif name not in PHASE_GATES or name == "covenant.sign":
            continue
        else:
            decision = phase_allows(name)(user, process)
            if decision:
                decision = Decision(False, _("Log in or register to take part."), because="login")
        if decision.because != "role":
            rows.append((name, label, decision))
    return rows
