"""What a change of phase means for what people are doing, counted, before the wijkregisseur confirms it.

Every change of phase closes some activities and opens others (the phase gates in app/policy.py).
Moving forward one step is the normal course. Going back a phase, or moving forward past a phase
(skipping the tussenstop, for example), is exceptional: `PhaseMove.guarded` is then true and the
change needs an explicit confirmation as well as a reason. The counts (open consent rounds,
covenants waiting for signatures, texts still being written) tell what work is interrupted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.extensions import db
from app.processes.models import PHASE_ORDER, PhaseKey, Process, phase_label

# The shortest reason accepted for a change of phase: a few words, not a single letter.
MIN_REASON = 10
MAX_REASON = 2000

_LATER = (PhaseKey.ISSUES, PhaseKey.INTERIM, PhaseKey.AGENDAS, PhaseKey.COVENANTS)


@dataclass(frozen=True)
class Activity:
    key: str
    label: object  # lazy string
    phases: frozenset[PhaseKey]


# What people can do, and in which phases (the same phases as the rules in app/policy.py and the
# domains' permissions modules).
ACTIVITIES: tuple[Activity, ...] = (
    Activity("propose", _l("Proposing and supporting issues"), frozenset({PhaseKey.ISSUES})),
    Activity("points", _l("Dividing points over issues"), frozenset({PhaseKey.ISSUES})),
    Activity("comment", _l("Reacting to issues"), frozenset(_LATER)),
    Activity("agendas", _l("Writing agendas and answering consent rounds"), frozenset({PhaseKey.AGENDAS})),
    Activity("drafting", _l("Writing covenants"), frozenset({PhaseKey.AGENDAS, PhaseKey.COVENANTS})),
    Activity("signing", _l("Opening covenants for signature and signing them"), frozenset({PhaseKey.COVENANTS})),
)


@dataclass
class PhaseMove:
    """A change from the current phase to another, with what it stops, opens and interrupts."""

    current: PhaseKey
    target: PhaseKey
    stops: list[Activity] = field(default_factory=list)
    opens: list[Activity] = field(default_factory=list)
    effects: list[str] = field(default_factory=list)  # work in progress that is interrupted, counted
    warnings: list[str] = field(default_factory=list)  # what going back or skipping means

    @property
    def back(self) -> bool:
        return PHASE_ORDER.index(self.target) < PHASE_ORDER.index(self.current)

    @property
    def skipped(self) -> list[PhaseKey]:
        """The phases passed over when moving forward more than one step."""
        start, end = PHASE_ORDER.index(self.current), PHASE_ORDER.index(self.target)
        return PHASE_ORDER[start + 1 : end] if end > start + 1 else []

    @property
    def guarded(self) -> bool:
        """Going back or skipping: the change needs an explicit confirmation besides a reason."""
        return self.back or bool(self.skipped)

    @property
    def kind(self) -> str:
        return move_kind(self.current, self.target)


def move_kind(current: PhaseKey | str, target: PhaseKey | str) -> str:
    """'next' (forward one step), 'back' or 'skip' (forward past a phase); 'same' when nothing moves."""
    try:
        start, end = PHASE_ORDER.index(PhaseKey(current)), PHASE_ORDER.index(PhaseKey(target))
    except ValueError:
        return "next"
    return "same" if end == start else "back" if end < start else "skip" if end > start + 1 else "next"


def describe(process: Process, target: PhaseKey | str) -> PhaseMove:
    """What moving this process from its current phase to `target` means, in a fixed number of queries."""
    move = PhaseMove(process.current_phase_key, PhaseKey(target))
    move.stops = [a for a in ACTIVITIES if move.current in a.phases and move.target not in a.phases]
    move.opens = [a for a in ACTIVITIES if move.target in a.phases and move.current not in a.phases]
    counts = _Counts(process.id)
    stopping = {a.key for a in move.stops}
    opening = {a.key for a in move.opens}
    if move.back:
        move.warnings.append(
            _(
                "You are going back from %(current)s to %(target)s. What belongs to the later phase stops, and "
                "the timeline shows the phases after %(target)s as not done yet.",
                current=phase_label(move.current),
                target=phase_label(move.target),
            )
        )
    for skipped in move.skipped:
        move.warnings.append(_skip_warning(skipped, counts))
    move.effects = _effects(stopping, counts)
    if "propose" in opening and move.back:
        shortlisted = counts.shortlisted
        if shortlisted:
            move.effects.append(
                ngettext(
                    "%(num)d issue is already chosen for the agendas. It stays chosen.",
                    "%(num)d issues are already chosen for the agendas. They stay chosen.",
                    shortlisted,
                )
            )
        if counts.round_status == "closed":
            move.effects.append(_("The round of dividing points stays closed: its results stay as they are."))
    return move


def _skip_warning(skipped: PhaseKey, counts: _Counts) -> str:
    if skipped == PhaseKey.INTERIM:
        text = _(
            "The interim stop is skipped: there is no interim evaluation, in which participants and the "
            "council look back on the first phases and link the results to the city's strategy, before "
            "the agendas start."
        )
        if not counts.interim_positions:
            text += " " + _("The council has not given a position for the interim stop.")
        return text
    if skipped == PhaseKey.ISSUES:
        text = _("Choosing issues is skipped: nobody can propose, support or vote on issues.")
        if not counts.shortlisted:
            text += " " + _("No issue is chosen for the agendas yet, so there is nothing to write agendas for.")
        return text
    if skipped == PhaseKey.AGENDAS:
        return _("Writing agendas is skipped: covenants are made from agreed agendas.")
    return _("%(phase)s is skipped.", phase=phase_label(skipped))


def _effects(stopping: set[str], counts: _Counts) -> list[str]:
    effects = []
    if "propose" in stopping and counts.open_issues:
        effects.append(
            ngettext(
                "%(num)d issue is open: nobody can support it any more.",
                "%(num)d issues are open: nobody can support them any more.",
                counts.open_issues,
            )
        )
    if "points" in stopping and counts.round_status == "open":
        effects.append(
            ngettext(
                "The round of dividing points is still open. %(num)d person has given points and can no longer "
                "change them. Close the round first if the results should be shown.",
                "The round of dividing points is still open. %(num)d people have given points and can no longer "
                "change them. Close the round first if the results should be shown.",
                counts.ballots,
            )
        )
    if "agendas" in stopping:
        if counts.open_consent_rounds:
            effects.append(
                ngettext(
                    "%(num)d consent round is open. Nobody can answer it until the agendas phase returns.",
                    "%(num)d consent rounds are open. Nobody can answer them until the agendas phase returns.",
                    counts.open_consent_rounds,
                )
            )
        if counts.unagreed_agendas:
            effects.append(
                ngettext(
                    "%(num)d agenda is not agreed yet. Its working group can no longer edit it.",
                    "%(num)d agendas are not agreed yet. Their working groups can no longer edit them.",
                    counts.unagreed_agendas,
                )
            )
        if counts.agenda_conflicts:
            effects.append(
                ngettext(
                    "%(num)d saved version of an agenda met a conflict and is not resolved yet.",
                    "%(num)d saved versions of agendas met a conflict and are not resolved yet.",
                    counts.agenda_conflicts,
                )
            )
    if "drafting" in stopping and counts.draft_covenants:
        effects.append(
            ngettext(
                "%(num)d covenant is still being written and cannot be changed for now.",
                "%(num)d covenants are still being written and cannot be changed for now.",
                counts.draft_covenants,
            )
        )
    if "signing" in stopping and counts.open_covenants:
        text = ngettext(
            "%(num)d covenant is open for signature. Nobody can sign it until phase 4 returns.",
            "%(num)d covenants are open for signature. Nobody can sign them until phase 4 returns.",
            counts.open_covenants,
        )
        if counts.missing_signatures:
            text += " " + ngettext(
                "%(num)d signature is still missing.",
                "%(num)d signatures are still missing.",
                counts.missing_signatures,
            )
        effects.append(text)
    return effects


class _Counts:
    """The numbers a change of phase may interrupt, each counted once when first asked for."""

    def __init__(self, process_id: int):
        self.process_id = process_id
        self._cache: dict[str, object] = {}

    def _once(self, name: str, compute):
        if name not in self._cache:
            self._cache[name] = compute()
        return self._cache[name]

    def _count(self, stmt) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0

    def _issues(self, status: str):
        from app.issues.models import Issue

        return sa.select(Issue.id).where(
            Issue.process_id == self.process_id, Issue.status == status, Issue.visibility == "visible"
        )

    @property
    def open_issues(self) -> int:
        return self._once("open_issues", lambda: self._count(self._issues("open")))

    @property
    def shortlisted(self) -> int:
        return self._once("shortlisted", lambda: self._count(self._issues("shortlisted")))

    def _round(self):
        from app.issues.models import Ballot, PriorityRound

        def compute():
            row = db.session.execute(
                sa.select(PriorityRound.status, sa.func.count(Ballot.id))
                .outerjoin(Ballot, sa.and_(Ballot.round_id == PriorityRound.id, Ballot.points_used > 0))
                .where(PriorityRound.process_id == self.process_id)
                .group_by(PriorityRound.id, PriorityRound.status)
            ).first()
            return (row[0], row[1]) if row else (None, 0)

        return self._once("round", compute)

    @property
    def round_status(self) -> str | None:
        return self._round()[0]

    @property
    def ballots(self) -> int:
        return self._round()[1]

    def _agendas(self):
        from app.agendas.models import Agenda
        from app.issues.models import Issue

        return (
            sa.select(Agenda.id)
            .join(Issue, Issue.id == Agenda.issue_id)
            .where(Issue.process_id == self.process_id, Issue.status == "shortlisted")
        )

    @property
    def open_consent_rounds(self) -> int:
        from app.agendas.models import ConsentRound

        return self._once(
            "consent",
            lambda: self._count(
                sa.select(ConsentRound.id).where(
                    ConsentRound.open.is_(True), ConsentRound.agenda_id.in_(self._agendas())
                )
            ),
        )

    @property
    def unagreed_agendas(self) -> int:
        from app.agendas.models import Agenda

        return self._once(
            "unagreed",
            lambda: self._count(self._agendas().where(Agenda.status != "agreed", Agenda.current_revision > 0)),
        )

    @property
    def agenda_conflicts(self) -> int:
        from app.agendas.models import AgendaDraft

        return self._once(
            "agenda_conflicts",
            lambda: self._count(sa.select(AgendaDraft.id).where(AgendaDraft.agenda_id.in_(self._agendas()))),
        )

    def _covenants(self, status: str):
        from app.covenants.models import Covenant

        return sa.select(Covenant.id).where(Covenant.process_id == self.process_id, Covenant.status == status)

    @property
    def draft_covenants(self) -> int:
        return self._once("draft_covenants", lambda: self._count(self._covenants("draft")))

    def _signing(self):
        from app.covenants.models import Covenant, CovenantVersion, Signature

        def compute():
            versions = db.session.execute(
                sa.select(CovenantVersion.id, CovenantVersion.parties)
                .join(
                    Covenant,
                    sa.and_(
                        Covenant.id == CovenantVersion.covenant_id, Covenant.current_version == CovenantVersion.number
                    ),
                )
                .where(Covenant.process_id == self.process_id, Covenant.status == "open")
            ).all()
            if not versions:
                return 0, 0
            signed = db.session.scalar(
                sa.select(sa.func.count(Signature.id)).where(Signature.version_id.in_([v.id for v in versions]))
            )
            parties = sum(len(v.parties or []) for v in versions)
            return len(versions), max(parties - (signed or 0), 0)

        return self._once("signing", compute)

    @property
    def open_covenants(self) -> int:
        return self._signing()[0]

    @property
    def missing_signatures(self) -> int:
        return self._signing()[1]

    @property
    def interim_positions(self) -> int:
        from app.council.models import CouncilPosition

        return self._once(
            "interim_positions",
            lambda: self._count(
                sa.select(CouncilPosition.id).where(
                    CouncilPosition.process_id == self.process_id, CouncilPosition.phase == PhaseKey.INTERIM.value
                )
            ),
        )
