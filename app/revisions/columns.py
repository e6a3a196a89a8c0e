"""The columns every co-edited document keeps, once: its revisions and the drafts kept during conflicts.

An agenda and a covenant text are saved the same way (app/revisions/store.py), so their revision and
draft tables have the same columns. A model takes them from a mixin here and adds its owner's key::

    class AgendaRevision(RevisionColumns, db.Model):
        __tablename__ = "agenda_revisions"
        owner_key = "agenda_id"
        agenda_id: Mapped[int] = owner_column("agendas.id")

Constraint and index names follow from the table and column names (app/extensions.py), so every
table keeps its own. `id` sorts first and the owner's key second, as the migrations created them.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from app.models_common import UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.accounts.models import User


def owner_column(target: str):
    """The key of the owning agenda or covenant (`"agendas.id"`): its revisions and drafts go with it."""
    return mapped_column(sa.ForeignKey(target, ondelete="CASCADE"))


class RevisionColumns:
    """One save of the whole document: numbered per owner and never changed afterwards."""

    owner_key: ClassVar[str]  # the name of the owner's key column, which each model declares

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-1)  # before the owner's key
    number: Mapped[int] = mapped_column()
    document: Mapped[dict] = mapped_column(sa.JSON)
    message: Mapped[str] = mapped_column(sa.String(300), default="")
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    merged: Mapped[bool] = mapped_column(default=False)  # combined with changes saved meanwhile
    # What the platform did (restored, moved, resolved, ...), shown in the reader's language.
    event: Mapped[str] = mapped_column(sa.String(20), default="")
    event_args: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        return (sa.UniqueConstraint(cls.owner_key, "number"),)

    @declared_attr
    def author(cls) -> Mapped[User | None]:
        return relationship("User")


class DraftColumns:
    """An editor's version that met someone else's changes: kept, with the revision it started from,
    until they choose what to keep. One per person and owner."""

    owner_key: ClassVar[str]

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-1)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    base_revision: Mapped[int] = mapped_column()
    document: Mapped[dict] = mapped_column(sa.JSON)
    message: Mapped[str] = mapped_column(sa.String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        return (sa.UniqueConstraint(cls.owner_key, "user_id"),)
