"""Officials speak with the weight of their office: what they write carries their role.

Residents and partners appear by their public name alone. The neighbourhood director (wijkregisseur),
facilitators, aldermen (wethouders) and the council act for the municipality or the process, so readers
see their role beside what they wrote in their own name (a reaction, an issue, an answer, a revision),
whether or not they show their own name.
"""

from __future__ import annotations

from app.accounts.models import Role, User

OFFICIAL_ROLES = frozenset({Role.WIJKREGISSEUR, Role.FACILITATOR, Role.WETHOUDER, Role.COUNCIL})


def official_role(contribution: object | None, person: User | None = None) -> Role | None:
    """The role to show beside `contribution`, or None when it carries none.

    `person` is who made it (default: the contribution's `author`). This is the one place that decides;
    templates ask it through the `byline` macro (templates/macros/people.html).
    """
    if person is None:
        person = getattr(contribution, "author", None)
    if person is None or entered_for_others(contribution):
        return None
    role = Role(person.role)
    return role if role in OFFICIAL_ROLES else None


def entered_for_others(contribution: object | None) -> bool:
    """Whether an official typed this in for other people rather than in their own name.

    A facilitator who enters what a meeting said, or paper input, writes for the participants: that
    text must not carry the facilitator's role. Such contributions will point to their meeting.
    """
    return getattr(contribution, "meeting_id", None) is not None
