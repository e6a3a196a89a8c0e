"""Covenants (phase 4): agreements drawn from agreed agendas, signed per party, bound to their exact text.

- A `Covenant` is written like an agenda: its title and Markdown text are one document (see
  app/revisions/documents.py) saved as immutable `CovenantRevision`s through the same
  `RevisionStore` the agendas use, with `CovenantDraft`s kept when two editors clash.
- Its required parties (`CovenantParty`) follow from the agendas: every responsible organisation,
  plus the municipality. They can be added or removed with a reason.
- *Opening for signature* freezes the text and parties into a `CovenantVersion` with a fingerprint
  (SHA-256 of the canonical form in app/covenants/fingerprint.py). A change after opening makes the
  next version; signatures belong to one version and never move to another.
- A `Signature` is one party's signature on one version (unique per version and party, so a party
  signs a version once, also when two requests race). The covenant is in force when every required
  party signed its latest version.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models_common import UTCDateTime, in_check, utcnow
from app.rendered import html_column, markdown_columns, rules_column
from app.revisions.columns import DraftColumns, RevisionColumns, owner_column

MUNICIPALITY = "municipality"  # the party key of the municipality; organisations use their id as text


class CovenantStatus(enum.StrEnum):
    DRAFT = "draft"  # being written, never opened
    OPEN = "open"  # the latest version waits for signatures
    IN_FORCE = "in_force"  # every required party signed the latest version
    ENDED = "ended"  # a party ended it, with a reason


LABELS = {
    CovenantStatus.DRAFT: _l("being written"),
    CovenantStatus.OPEN: _l("open for signature"),
    CovenantStatus.IN_FORCE: _l("in force"),
    CovenantStatus.ENDED: _l("ended"),
}


def status_label(value) -> str:
    return str(LABELS.get(value, value))


covenant_agendas = sa.Table(
    "covenant_agendas",
    db.metadata,
    sa.Column("covenant_id", sa.ForeignKey("covenants.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("agenda_id", sa.ForeignKey("agendas.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Covenant(db.Model):
    __tablename__ = "covenants"
    __table_args__ = (sa.CheckConstraint(in_check("status", [s.value for s in CovenantStatus]), name="status_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("processes.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))  # the current revision's title, for lists
    status: Mapped[str] = mapped_column(sa.String(10), default=CovenantStatus.DRAFT.value)
    # Commits municipal money or staff: then the council must approve it before it opens.
    commits_municipality: Mapped[bool] = mapped_column(default=False)
    current_revision: Mapped[int] = mapped_column(default=0)
    current_version: Mapped[int] = mapped_column(default=0)  # 0: never opened
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    in_force_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    ended_party: Mapped[str] = mapped_column(sa.String(20), default="")
    end_reason: Mapped[str] = mapped_column(sa.Text, default="")

    process = relationship("Process")
    created_by = relationship("User", foreign_keys=[created_by_id])
    ended_by = relationship("User", foreign_keys=[ended_by_id])
    agendas = relationship("Agenda", secondary=covenant_agendas, order_by="Agenda.id", passive_deletes=True)
    parties = relationship(
        "CovenantParty", order_by="CovenantParty.id", passive_deletes=True, back_populates="covenant"
    )

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    def __repr__(self) -> str:
        return f"<Covenant {self.id} {self.status} v{self.current_version}>"


class CovenantParty(db.Model):
    """A party that must sign. Removed parties stay, marked, with the reason."""

    __tablename__ = "covenant_parties"
    __table_args__ = (sa.UniqueConstraint("covenant_id", "party"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    covenant_id: Mapped[int] = mapped_column(sa.ForeignKey("covenants.id", ondelete="CASCADE"))
    party: Mapped[str] = mapped_column(sa.String(20))  # an organisation id as text, or "municipality"
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    from_agendas: Mapped[bool] = mapped_column(default=False)  # followed from the agendas, not added by hand
    removed: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(sa.Text, default="")  # why it was added or removed by hand
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    covenant = relationship("Covenant", back_populates="parties")
    organisation = relationship("Organisation")
    changed_by = relationship("User")


class CovenantRevision(RevisionColumns, db.Model):
    """One save of the text: never changed afterwards (the same columns as an agenda revision)."""

    __tablename__ = "covenant_revisions"
    owner_key = "covenant_id"

    covenant_id: Mapped[int] = owner_column("covenants.id")


class CovenantDraft(DraftColumns, db.Model):
    """An editor's text that met someone else's changes: kept until they choose."""

    __tablename__ = "covenant_drafts"
    owner_key = "covenant_id"

    covenant_id: Mapped[int] = owner_column("covenants.id")


class CovenantVersion(db.Model):
    """What was opened for signature: the exact title, text and parties, and their fingerprint."""

    __tablename__ = "covenant_versions"
    __table_args__ = (sa.UniqueConstraint("covenant_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    covenant_id: Mapped[int] = mapped_column(sa.ForeignKey("covenants.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    revision_number: Mapped[int] = mapped_column()  # the text revision it froze
    title: Mapped[str] = mapped_column(sa.String(200))
    text: Mapped[str] = mapped_column(sa.Text)
    text_html: Mapped[str] = html_column()  # rendered when opened (app/rendered.py)
    html_rules: Mapped[int] = rules_column()
    parties: Mapped[list] = mapped_column(sa.JSON)  # [{"party": "12", "name": "..."}], sorted by party
    content_hash: Mapped[str] = mapped_column(sa.String(64), index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    opened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    in_force_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # when the last party signed

    covenant = relationship("Covenant")
    opened_by = relationship("User")
    signatures = relationship("Signature", order_by="Signature.signed_at", passive_deletes=True)

    @property
    def party_keys(self) -> list[str]:
        return [p["party"] for p in self.parties]


markdown_columns(CovenantVersion, "text", headings=True)


class Signature(db.Model):
    __tablename__ = "covenant_signatures"
    __table_args__ = (sa.UniqueConstraint("version_id", "party"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("covenant_versions.id", ondelete="CASCADE"))
    covenant_id: Mapped[int] = mapped_column(sa.ForeignKey("covenants.id", ondelete="CASCADE"), index=True)
    party: Mapped[str] = mapped_column(sa.String(20))
    party_name: Mapped[str] = mapped_column(sa.String(200))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    signer_name: Mapped[str] = mapped_column(sa.String(200))  # the full name as typed when signing
    signer_role: Mapped[str] = mapped_column(sa.String(20))  # "wethouder" or "signatory"
    content_hash: Mapped[str] = mapped_column(sa.String(64))  # the fingerprint of the version signed
    statement: Mapped[str] = mapped_column(sa.Text)  # the commitment statement as confirmed
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user = relationship("User")
    version = relationship("CovenantVersion", back_populates="signatures")
