"""Photos and PDFs on an issue: one row per file; the file itself lives in the file store (storage.py).

The row says what was stored, never what was sent: the stored photo is a re-encoded copy without
metadata (app/issues/attachments.py), named by a random token, and the person's own file name is
not kept anywhere.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models_common import UTCDateTime, in_check, utcnow

LARGE = 1600  # px, the long side of a stored photo (the page links to it)
THUMB = 400  # px, the long side of its thumbnail (the gallery)


class AttachmentKind(enum.StrEnum):
    PHOTO = "photo"  # stored as a JPEG, with a thumbnail beside it
    PDF = "pdf"  # stored as sent (checked), offered as a download


class IssueAttachment(db.Model):
    __tablename__ = "issue_attachments"
    __table_args__ = (
        sa.CheckConstraint(in_check("kind", [k.value for k in AttachmentKind]), name="kind_valid"),
        sa.CheckConstraint("size >= 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(sa.ForeignKey("issues.id", ondelete="CASCADE"), index=True)
    uploader_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Random and unguessable: the file's name in the store and its address (/issues/<id>/files/<token>).
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    mime: Mapped[str] = mapped_column(sa.String(40))  # of the stored file: image/jpeg or application/pdf
    size: Mapped[int] = mapped_column()  # bytes of the stored (large) file
    width: Mapped[int | None] = mapped_column()  # photos: the stored large version
    height: Mapped[int | None] = mapped_column()
    # A photo's text alternative (shown as its alt text and caption), or a PDF's title.
    alt_text: Mapped[str] = mapped_column(sa.String(200))
    # SHA-256 of the file as it was sent: the same file sent twice to one issue is recognised.
    digest: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    uploader = relationship("User")
    # None while serving a request when the issue is hidden, unless it was loaded already (visibility.py).
    issue = relationship("Issue", viewonly=True)

    @property
    def is_photo(self) -> bool:
        return self.kind == AttachmentKind.PHOTO.value

    @property
    def thumb_size(self) -> tuple[int, int] | None:
        """The thumbnail's width and height, so the page keeps its place before it loads."""
        if not self.width or not self.height:
            return None
        scale = min(1.0, THUMB / max(self.width, self.height))
        return max(1, round(self.width * scale)), max(1, round(self.height * scale))

    def __repr__(self) -> str:
        return f"<IssueAttachment {self.id} {self.kind} issue={self.issue_id}>"
