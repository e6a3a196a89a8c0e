"""Forms that create something are safe to send twice.

Going back and sending again, a double click or a slow connection sends the same form a second
time. Every form that creates something inherits `OnceForm`: a hidden one-time token
(`submission_id`), new each time the form is rendered. When the view saves, `remember()` stores
the token with what it made (kind, id, address), in the same transaction as the new object and
under a unique constraint per person. A second POST with the same token then:

- arrives after the first was saved: `replayed()`, run before every POST, answers with a redirect
  to what the first one made and a calm message; the view does not run;
- arrives while the first is still being saved: it waits for the first (PostgreSQL waits on the
  unique index, SQLite on its write lock); its own insert of the token then fails, everything it
  did is rolled back, and it answers as above.

A POST without a token (an old page, another client) is saved as before.

A browser that goes back usually fetches the page again (signed-in pages are never cached) and puts
the typed text back into a freshly rendered form, with a new token. So `remember()` also stores a
fingerprint of what was sent (the address and the fields, without the tokens and without the hidden
fields a form names `volatile`, such as the revision an agenda form was based on): the same person
sending the same fields to the same address within `SAME_WINDOW` gets the same answer, and what the
second request made is rolled back. The services for the texts residents type most (issues and
reactions) also recognise "the same text a moment ago" themselves and raise `AlreadyMade`, which
`app.forms_common.save` turns into the same answer; that holds for other clients too.

Tokens are kept for `KEEP` (two days); every save tidies a few expired ones.

Usage in a view::

    saved = save(form, lambda: services.add_comment(...), then=made("comment", lambda c: url_for(...)))
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask, abort, flash, g, redirect, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import HiddenField

from app.extensions import db
from app.models_common import UTCDateTime, utcnow
from app.security import safe_next

FIELD = "submission_id"
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
KEEP = timedelta(days=2)
# How long "the same person sent exactly this" counts as the same submission (services use it).
SAME_WINDOW = timedelta(minutes=10)
AGAIN = _l("You had already sent this; here it is.")


class Submission(db.Model):
    """A form that was saved: whose, which token, and what it made."""

    __tablename__ = "submissions"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "token"),
        sa.Index("ix_submissions_user_fingerprint", "user_id", "fingerprint"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(sa.String(64))
    endpoint: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[str] = mapped_column(sa.String(40))  # what was made: "comment", "issue", "report", ...
    object_id: Mapped[int | None] = mapped_column()
    url: Mapped[str] = mapped_column(sa.String(500))  # where it is shown, a path on this site
    # SHA-256 of the address and the fields sent (see `fingerprint`), to recognise a page fetched again.
    fingerprint: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class AlreadyMade(Exception):
    """Raised by a service: this person made exactly this a moment ago. `obj` is what they made."""

    def __init__(self, obj):
        super().__init__("already made")
        self.obj = obj

    def answer(self, then=None):
        """The redirect to it, through the `made(...)` the view gave `save` (else the site's home)."""
        url_of = getattr(then, "url_of", None)
        return again_response(url_of(self.obj) if url_of is not None else "/")


def new_token() -> str:
    return secrets.token_urlsafe(18)


class SubmissionField(HiddenField):
    """A hidden field with a new token each time it is rendered, so two forms never share one.

    It has no id: a page often shows the same form several times (one per objection, per queue item).
    """

    def _value(self) -> str:
        return new_token()

    def __call__(self, **kwargs):
        kwargs.setdefault("id", False)
        return super().__call__(**kwargs)


class OnceForm:
    """Mix this into every form that creates something (`class CommentForm(OnceForm, Form)`).

    Its view passes `made(...)` to `save` (or calls `remember`); the rest is automatic. `volatile`
    names hidden fields whose value the server changes once something is saved (a base revision, a
    step): a page fetched again sends another value there, so they do not count in the fingerprint.
    """

    submission_id = SubmissionField()
    volatile: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.volatile:
            names = g.setdefault("submission_volatile", set())
            names.update(self[name].name for name in self.volatile if name in self)


def posted_token() -> str | None:
    """The token of the form in this POST, if it carries a well-formed one (with or without a prefix)."""
    if request.method != "POST":
        return None
    for key in request.form:
        if key == FIELD or key.endswith("-" + FIELD):
            value = request.form.get(key, "")
            return value if TOKEN.fullmatch(value) else None
    return None


def fingerprint() -> str:
    """What this POST sends, as a hash: its path and its fields, without tokens and volatile fields.

    Uploaded files count by their content: two photos sent with the same caption are two submissions.
    """
    skip = g.get("submission_volatile", set())
    fields = sorted(
        (key, value)
        for key, value in request.form.items(multi=True)
        if key != "csrf_token" and key != FIELD and not key.endswith("-" + FIELD) and key not in skip
    )
    sent = [request.path, fields]
    files = sorted((key, _digest(upload.stream)) for key, upload in request.files.items(multi=True) if upload)
    if files:
        sent.append(files)
    return hashlib.sha256(json.dumps(sent, ensure_ascii=False).encode()).hexdigest()


def _digest(stream) -> str:
    """SHA-256 of an uploaded file, read in chunks; the stream is left where it was."""
    position = stream.tell()
    stream.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1 << 16), b""):
        digest.update(chunk)
    stream.seek(position)
    return digest.hexdigest()


def _find(user_id: int, token: str) -> Submission | None:
    return db.session.scalar(sa.select(Submission).where(Submission.user_id == user_id, Submission.token == token))


def _same_content(user_id: int, sent: str) -> Submission | None:
    return db.session.scalar(
        sa.select(Submission)
        .where(
            Submission.user_id == user_id,
            Submission.fingerprint == sent,
            Submission.created_at >= utcnow() - SAME_WINDOW,
        )
        .order_by(Submission.id)
        .limit(1)
    )


def _signed_in_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def again_response(url: str):
    """The answer to a form sent again: back to what the first one made, calmly."""
    flash(str(AGAIN), "info")
    return redirect(safe_next(url))


def replayed():
    """Before every POST: if its form was saved already, the redirect to what that made (else None)."""
    token = posted_token()
    if token is None:
        return None
    user_id = _signed_in_id()
    found = _find(user_id, token) if user_id is not None else None
    return again_response(found.url) if found is not None else None


def remember(kind: str, object_id: int | None, url: str) -> None:
    """Store, in the current transaction, that this request's form made `kind` `object_id`, shown at `url`.

    Losing the race to an identical request rolls everything back and answers with the winner's result.
    Without a token (or signed out) it does nothing.
    """
    token = posted_token()
    user_id = _signed_in_id()
    if token is None or user_id is None:
        return
    sent = fingerprint()
    earlier = _same_content(user_id, sent)
    if earlier is not None:  # the same fields from a page fetched again: undo this one
        db.session.rollback()
        abort(again_response(earlier.url))
    try:
        with db.session.begin_nested():
            db.session.add(
                Submission(
                    user_id=user_id,
                    token=token,
                    endpoint=(request.endpoint or "")[:100],
                    kind=kind[:40],
                    object_id=object_id,
                    url=url[:500],
                    fingerprint=sent,
                )
            )
    except IntegrityError:
        db.session.rollback()  # the identical request won: undo all of this one
        found = _find(user_id, token)
        abort(again_response(found.url if found is not None else url))
    expire()


def made(kind: str, url_of: Callable[[Any], str]) -> Callable[[Any], None]:
    """For `save(form, call, then=made(kind, url_of))`: remember what the service returned."""

    def then(value) -> None:
        remember(kind, getattr(value, "id", None), url_of(value))

    then.url_of = url_of  # for AlreadyMade.answer
    return then


def expire(now: datetime | None = None, batch: int = 100) -> int:
    """Delete up to `batch` tokens older than `KEEP`; rows another request is deleting are skipped."""
    cutoff = (now or utcnow()) - KEEP
    old = (
        sa.select(Submission.id)
        .where(Submission.created_at < cutoff)
        .order_by(Submission.created_at)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    ids = list(db.session.scalars(old))
    if ids:
        db.session.execute(
            sa.delete(Submission).where(Submission.id.in_(ids)).execution_options(synchronize_session=False)
        )
    return len(ids)


def register(app: Flask) -> None:
    app.before_request(replayed)
