"""People, their organisations and their sessions.

An *organisatie* is a partner organisation (housing corporation, school, police,
the municipality itself, ...). A *lidmaatschap* ties a partner to the
organisation they represent; it is pending until a wijkregisseur approves it.
A member marked *signatory* (tekenbevoegd) may sign covenants for the organisation.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models_common import UTCDateTime, in_check, utcnow


class Role(enum.StrEnum):
    RESIDENT = "resident"
    PARTNER = "partner"
    WIJKREGISSEUR = "wijkregisseur"
    FACILITATOR = "facilitator"
    WETHOUDER = "wethouder"
    COUNCIL = "council"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.RESIDENT: _l("resident"),
    Role.PARTNER: _l("partner"),
    Role.WIJKREGISSEUR: _l("neighbourhood director (wijkregisseur)"),
    Role.FACILITATOR: _l("facilitator"),
    Role.WETHOUDER: _l("alderman (wethouder)"),
    Role.COUNCIL: _l("council"),
    Role.ADMIN: _l("administrator"),
}

# Roles a person may pick when registering; the others are given by an administrator.
SELF_SERVICE_ROLES = (Role.RESIDENT, Role.PARTNER)


class OrganisationKind(enum.StrEnum):
    HOUSING = "housing"
    WELFARE = "welfare"
    SCHOOL = "school"
    POLICE = "police"
    BUSINESS = "business"
    RESIDENTS = "residents"
    NETWORK = "network"
    MUNICIPALITY = "municipality"

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])


KIND_LABELS = {
    OrganisationKind.HOUSING: _l("housing corporation"),
    OrganisationKind.WELFARE: _l("welfare or care"),
    OrganisationKind.SCHOOL: _l("school"),
    OrganisationKind.POLICE: _l("police"),
    OrganisationKind.BUSINESS: _l("business"),
    OrganisationKind.RESIDENTS: _l("residents' association"),
    OrganisationKind.NETWORK: _l("network"),
    OrganisationKind.MUNICIPALITY: _l("municipality"),
}


class Sector(enum.StrEnum):
    SOCIAL = "social"
    ECONOMY = "economy"
    SAFETY = "safety"
    PHYSICAL = "physical"

    @property
    def label(self) -> str:
        return str(SECTOR_LABELS[self])


SECTOR_LABELS = {
    Sector.SOCIAL: _l("social"),
    Sector.ECONOMY: _l("economy"),
    Sector.SAFETY: _l("safety"),
    Sector.PHYSICAL: _l("physical environment"),
}


class MembershipStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return str(MEMBERSHIP_LABELS[self])


MEMBERSHIP_LABELS = {
    MembershipStatus.PENDING: _l("waiting for approval"),
    MembershipStatus.APPROVED: _l("approved"),
    MembershipStatus.REJECTED: _l("not approved"),
}


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (sa.CheckConstraint(in_check("role", [r.value for r in Role]), name="role_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(80))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(20), default=Role.RESIDENT.value)
    show_name_publicly: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    privacy_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # When the person proved the address is theirs (the link in the confirmation mail, or a password reset).
    # Accounts made by the CLI, the demo data or an administrator count as confirmed when made; only
    # registration leaves it empty, and an account without it cannot log in.
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=utcnow)
    # The last mail telling the owner that someone is guessing the password (at most one a day).
    login_warning_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The language the person last chose in the site: mails and digests are written in it.
    language: Mapped[str] = mapped_column(sa.String(5), default="nl", server_default="nl")

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", foreign_keys="Membership.user_id"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.active

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def has_role(self, *roles: Role) -> bool:
        return self.role in {r.value for r in roles}

    @property
    def public_name(self) -> str:
        """The name others see: the display name only when the person chose so.

        Otherwise a partner shows as their organisation and everyone else as their role
        ("bewoner"), as the privacy statement promises.
        """
        if self.show_name_publicly:
            return self.display_name
        if self.role == Role.PARTNER.value:
            approved = self.approved_memberships()
            if approved:
                return approved[0].organisation.name
        return self.role_enum.label

    def approved_memberships(self) -> list[Membership]:
        return [m for m in self.memberships if m.status == MembershipStatus.APPROVED.value]

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class UserSession(db.Model):
    """A signed-in browser. The cookie holds a random token; only its hash is stored.

    Logging out deletes the row, changing the password deletes all of them, so an
    old cookie stops working on the server, not only in the browser.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class Organisation(db.Model):
    __tablename__ = "organisations"
    __table_args__ = (sa.CheckConstraint(in_check("kind", [k.value for k in OrganisationKind]), name="kind_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # Checked by the wijkregisseur. Organisations named by someone registering start unchecked and
    # are not offered to others until then, so nobody can pass for "Gemeente Zoetermeer 2".
    verified: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    sector_rows: Mapped[list[OrganisationSector]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="OrganisationSector.sector"
    )
    memberships: Mapped[list[Membership]] = relationship(back_populates="organisation", cascade="all, delete-orphan")

    @property
    def kind_enum(self) -> OrganisationKind:
        return OrganisationKind(self.kind)

    @property
    def sectors(self) -> list[Sector]:
        return [Sector(row.sector) for row in self.sector_rows]

    def set_sectors(self, sectors) -> None:
        wanted = {Sector(s).value for s in sectors}
        self.sector_rows = [row for row in self.sector_rows if row.sector in wanted]
        have = {row.sector for row in self.sector_rows}
        for value in sorted(wanted - have):
            self.sector_rows.append(OrganisationSector(sector=value))

    def __repr__(self) -> str:
        return f"<Organisation {self.name!r}>"


class OrganisationSector(db.Model):
    __tablename__ = "organisation_sectors"
    __table_args__ = (sa.CheckConstraint(in_check("sector", [s.value for s in Sector]), name="sector_valid"),)

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    sector: Mapped[str] = mapped_column(sa.String(20), primary_key=True)


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "organisation_id"),
        sa.CheckConstraint(in_check("status", [s.value for s in MembershipStatus]), name="status_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default=MembershipStatus.PENDING.value)
    is_signatory: Mapped[bool] = mapped_column(default=False)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(back_populates="memberships", foreign_keys=[user_id])
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def status_enum(self) -> MembershipStatus:
        return MembershipStatus(self.status)

    @property
    def is_approved(self) -> bool:
        return self.status == MembershipStatus.APPROVED.value
