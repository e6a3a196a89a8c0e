"""Who sees the work overview, and which version of it (the rule is gathered by app/policy.py).

The neighbourhood director and administrators get the whole overview: moderation, members, the
residents who wait for an answer, consent rounds, covenants and the phase plan. A facilitator gets the
part about meetings and the congress (consent rounds with objections, the next phase, the residents
waiting, the exports); an alderman the part about signing and the council. Residents, partners and the
council's clerks have no work overview: what concerns them is on their own pages.
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from app.accounts.models import Role
from app.predicates import Predicate, has_role, signed_in


class Version(enum.StrEnum):
    FULL = "full"
    FACILITATOR = "facilitator"
    WETHOUDER = "wethouder"


# The parts of each version, in the order the page shows them.
SECTIONS: dict[Version, tuple[str, ...]] = {
    Version.FULL: ("moderation", "memberships", "joins", "waiting", "objections", "council", "phases"),
    Version.FACILITATOR: ("objections", "phases", "waiting", "exports"),
    Version.WETHOUDER: ("to_sign", "council", "waiting", "phases"),
}

rules: dict[str, Predicate] = {}

rules["dashboard.view"] = signed_in & has_role(
    Role.WIJKREGISSEUR,
    Role.FACILITATOR,
    Role.WETHOUDER,
    Role.ADMIN,
    reason=_l("The work overview is for the neighbourhood director, facilitators and aldermen."),
)


def version_for(user) -> Version | None:
    """The version of the overview this person gets; None when they get none."""
    if not rules["dashboard.view"](user):
        return None
    if user.has_role(Role.WIJKREGISSEUR, Role.ADMIN):
        return Version.FULL
    if user.has_role(Role.FACILITATOR):
        return Version.FACILITATOR
    return Version.WETHOUDER
