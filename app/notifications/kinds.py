"""The kinds of event, the topic each belongs to (what a person chooses mail for), and each topic's default.

A kind names the references `events.record` needs; `audience.py` decides who hears of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app.notifications.models import Delivery


@dataclass(frozen=True)
class Topic:
    key: str
    label: object  # lazy string: translated when shown
    hint: object
    default: Delivery
    # Who may choose this topic at all (None: everyone); moderator summaries only for moderators.
    roles: tuple[str, ...] | None = None
    # The ways it may come: a morning summary exists once a day, so it is daily or not at all.
    deliveries: tuple[Delivery, ...] = tuple(Delivery)
    # A mail of its own every morning (app/notifications/summary.py), never part of a daily or weekly digest.
    morning: bool = False


TOPICS: dict[str, Topic] = {
    t.key: t
    for t in (
        Topic(
            "reactions",
            _l("Reactions and replies"),
            _l("Someone reacted to your issue or replied to your reaction."),
            Delivery.DAILY,
        ),
        Topic(
            "issue_status",
            _l("What happened with an issue"),
            _l(
                "An issue you wrote, follow or support was chosen, merged, declined or answered, "
                "or the municipality or a partner answered your reaction."
            ),
            Delivery.INSTANT,
        ),
        Topic(
            "working_group",
            _l("Working groups"),
            _l("A consent round opened in your working group, or an objection was raised or answered."),
            Delivery.DAILY,
        ),
        Topic(
            "covenants",
            _l("Covenants"),
            _l("A covenant you sign or your organisation is party to changed."),
            Delivery.INSTANT,
        ),
        Topic(
            "memberships",
            _l("Your membership"),
            _l("Your membership of an organisation or a working group was approved or not."),
            Delivery.INSTANT,
        ),
        Topic(
            "moderation_summary",
            _l("What waits for moderation"),
            _l("Every morning: reported contributions, contributions to check and memberships to approve."),
            Delivery.DAILY,
            roles=("wijkregisseur", "admin"),
            deliveries=(Delivery.DAILY, Delivery.NONE),
            morning=True,
        ),
        Topic(
            "waiting_reminder",
            _l("Residents waiting for an answer"),
            _l("Every morning: residents waiting longer than the Groene Loper promises."),
            Delivery.DAILY,
            roles=("wijkregisseur", "admin"),
            deliveries=(Delivery.DAILY, Delivery.NONE),
            morning=True,
        ),
    )
}


@dataclass(frozen=True)
class Kind:
    key: str
    topic: str
    needs: tuple[str, ...]  # the references record() must be given: issue, comment, covenant, agenda, membership


KINDS: dict[str, Kind] = {
    k.key: k
    for k in (
        # a reaction on your issue; an answer (a reaction by the municipality or a partner) on your issue.
        # Recorded when the reaction is first shown (at once, or when a moderator lets it through).
        # data: reply_to (the reaction answered) when it is placed in a thread (an answer can be, too)
        Kind("issue_reaction", "reactions", ("issue", "comment")),
        Kind("issue_answered", "issue_status", ("issue", "comment")),
        # a reply to your reaction; data: reply_to
        Kind("comment_reply", "reactions", ("issue", "comment")),
        # status changes; data: shortlisted: rationale; merged: target_id, target_title, reason (recorded before
        # supporters and followers move to the target); declined: reason; feedback: feedback (quotes as plain text)
        Kind("issue_shortlisted", "issue_status", ("issue",)),
        Kind("issue_merged", "issue_status", ("issue",)),
        Kind("issue_declined", "issue_status", ("issue",)),
        Kind("issue_feedback", "issue_status", ("issue",)),
        # reopened after a decision (data: reason); withdrawn by its author (data: reason; points went back)
        Kind("issue_reopened", "issue_status", ("issue",)),
        Kind("issue_withdrawn", "issue_status", ("issue",)),
        # working groups: the agenda's issue's group; data: horizon; opened: revision; objection raised:
        # answer_id; answered: answer_id, objector_id, revision (when answered by a new revision)
        Kind("consent_opened", "working_group", ("issue", "agenda")),
        Kind("objection_raised", "working_group", ("issue", "agenda")),
        Kind("objection_answered", "working_group", ("issue", "agenda")),
        # covenants: its signatories and its parties' members; data: version, title; opened and new version:
        # fingerprint; paused: reference (the council's); back to writing: version (the one that stops counting);
        # ended: party (its name), reason
        Kind("covenant_opened", "covenants", ("covenant",)),
        Kind("covenant_new_version", "covenants", ("covenant",)),
        Kind("covenant_paused", "covenants", ("covenant",)),
        # the council approved the text after all: signing goes on (data: version, reference)
        Kind("covenant_resumed", "covenants", ("covenant",)),
        Kind("covenant_back_to_writing", "covenants", ("covenant",)),
        Kind("covenant_in_force", "covenants", ("covenant",)),
        Kind("covenant_ended", "covenants", ("covenant",)),
        # memberships: the member; data: organisation (its name)
        Kind("membership_approved", "memberships", ("membership",)),
        Kind("membership_rejected", "memberships", ("membership",)),
        # a resident's request to join an issue's working group, decided (data: user_id, the resident)
        Kind("working_group_admitted", "memberships", ("issue",)),
        Kind("working_group_rejected", "memberships", ("issue",)),
    )
}


def topics_for(role: str) -> list[Topic]:
    return [t for t in TOPICS.values() if t.roles is None or role in t.roles]
