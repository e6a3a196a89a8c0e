"""Saving co-edited documents as immutable revisions, without ever losing an edit.

One mechanism for every co-edited document (agendas, covenant texts): a `RevisionStore` is given
three models and does the database half of the work, while app/revisions/documents.py does the pure
diff and merge.

- The *owner* (an agenda, a covenant) counts its revisions in `current_revision` (0: nothing yet).
- Every save adds a *revision*: the whole document, numbered, never changed afterwards.
- Every form carries the revision it was loaded from (`base`). Saving on top of the current revision
  simply adds the next one. Saving on top of an older one merges: changes to other fields or items
  combine by themselves; a real conflict keeps the editor's version as a *draft* (one per person and
  owner) and asks them to choose (see `resolve_draft`). Nothing an editor typed is thrown away.
- A kept draft blocks further saves by the same person until it is resolved or discarded, so a second
  conflict can never replace the first one's text.
- Restoring an old revision is a save of its document on top of the current one: history only grows.

What differs per kind of document is passed in: how to check a document (`validate`), what else
changes with a new revision (`on_revision`), which conflicts may be answered with one's own text
(`free_text`) and how to re-check a document combined from choices (`revalidate`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.errors import DomainError, unique_or
from app.extensions import db
from app.models_common import utcnow
from app.revisions.documents import (
    MINE,
    THEIRS,
    MergeResult,
    empty,
    merge,
    normalise,
    resolve,
    with_unix_newlines,
)


@dataclass
class Saved:
    """The outcome of a save: a new revision, a conflict (the editor's version kept as a draft), or nothing to do."""

    revision: object | None = None  # the new revision row
    conflicts: MergeResult | None = None  # set when the editor's version was kept as a draft
    unchanged: bool = False

    @property
    def ok(self) -> bool:
        return self.revision is not None or self.unchanged


def _text_fields(key: str) -> bool:
    """The default for `free_text`: one's own combination only for a document's text fields."""
    return key.startswith("field:")


def _as_is(doc: dict) -> dict:
    return doc


class RevisionStore:
    """Revisions, drafts, merges and restores for one owner model (see the module docstring).

    owner: model with `id`, `current_revision` (int, 0 = nothing yet) and `updated_at`.
    revision: model with the columns of `RevisionColumns` and `<key>`, the owner's id
        (app/revisions/columns.py).
    draft: model with the columns of `DraftColumns` and `<key>`.
    validate(doc) -> the cleaned document; raises DomainError on bad input. Called by every save.
    on_revision(owner): called after each new revision is added and flushed.
    free_text(conflict_key) -> may the editor type their own combination for this conflict?
    revalidate(doc) -> doc: applied to a document combined from conflict choices, before it is saved.
    """

    def __init__(
        self,
        *,
        owner,
        revision,
        draft,
        key: str,
        validate: Callable[[dict], dict],
        on_revision: Callable[[object], None] | None = None,
        free_text: Callable[[str], bool] | None = None,
        revalidate: Callable[[dict], dict] | None = None,
    ):
        self.owner_model = owner
        self.revision_model = revision
        self.draft_model = draft
        self.key = key
        self.validate = validate
        self.on_revision = on_revision
        self.free_text = free_text or _text_fields
        self.revalidate = revalidate or _as_is

    # --- reading ---------------------------------------------------------------------------------

    def _of(self, model, owner):
        """The condition "belongs to this owner" for the revision or draft model."""
        return getattr(model, self.key) == owner.id

    def revision(self, owner, number: int | None = None):
        """Revision `number` (default: the current one), or None."""
        if owner is None:
            return None
        number = owner.current_revision if number is None else number
        model = self.revision_model
        return db.session.scalar(sa.select(model).where(self._of(model, owner), model.number == number))

    def document(self, owner, number: int | None = None) -> dict:
        """The document of revision `number` (default: the current one); empty before the first save."""
        found = self.revision(owner, number)
        return normalise(found.document) if found else empty()

    def history(self, owner) -> list:
        """All revisions, newest first, with their authors (loaded in one extra query)."""
        if owner is None:
            return []
        model = self.revision_model
        return list(
            db.session.scalars(
                sa.select(model)
                .where(self._of(model, owner))
                .order_by(model.number.desc())
                .options(selectinload(model.author))
            )
        )

    def lock(self, owner):
        """The owner, locked for this transaction and re-read: one save at a time per owner."""
        model = self.owner_model
        return db.session.scalar(
            sa.select(model).where(model.id == owner.id).with_for_update().execution_options(populate_existing=True)
        )

    # --- saving ----------------------------------------------------------------------------------

    def save(
        self,
        user,
        owner,
        base: int,
        new_document: dict,
        message: str,
        event: str = "",
        event_args: dict | None = None,
        resolving: bool = False,
    ) -> Saved:
        """Store `new_document`, written on top of revision `base`, as the next revision (merging if needed).

        A kept draft blocks further saves by the same person until it is resolved, so a second conflict
        can never replace the first one's text (the form they are on keeps what they typed).
        """
        new_document = self.validate(with_unix_newlines(new_document))
        owner = self.lock(owner)
        if base > owner.current_revision or base < 0:
            raise DomainError(_("This version does not exist. Look at the page again."))
        if not resolving and self.draft_of(user, owner) is not None:
            raise DomainError(
                _(
                    "You still have a version that met someone else's changes. Choose what to keep "
                    "first: your text on this page is not saved yet."
                )
            )
        saved = self._merge_and_add(user, owner, base, new_document, message, event, event_args)
        if resolving and saved.ok:
            self._delete_draft(user, owner)  # resolved, also when the choices came down to the current text
        return saved

    def _merge_and_add(self, user, owner, base: int, new_document: dict, message: str, event: str, event_args):
        """The save itself, on a locked owner: nothing new, a new revision (merged if needed), or a draft kept."""
        if new_document == self.document(owner, base) and base == owner.current_revision:
            return Saved(unchanged=True)
        merged = False
        if base != owner.current_revision:
            result = merge(self.document(owner, base), new_document, self.document(owner))
            if not result.clean:
                self._keep_draft(user, owner, base, new_document, message)
                return Saved(conflicts=result)
            new_document, merged = result.document, True
            if new_document == self.document(owner):
                return Saved(unchanged=True)
        return Saved(revision=self._add_revision(user, owner, new_document, message, merged, event, event_args))

    def _add_revision(self, user, owner, new_document: dict, message: str, merged: bool, event: str, event_args):
        """The next revision, numbered after the current one; then whatever follows it for this kind of owner."""
        owner.current_revision += 1
        owner.updated_at = utcnow()
        saved = self.revision_model(
            **{self.key: owner.id},
            number=owner.current_revision,
            document=new_document,
            message=(message or "").strip()[:300],
            author_id=user.id,
            merged=merged,
            event=event,
            event_args=event_args or {},
        )
        db.session.add(saved)
        db.session.flush()  # the hook may read the new revision back
        if self.on_revision is not None:
            self.on_revision(owner)
            db.session.flush()
        return saved

    # --- drafts ----------------------------------------------------------------------------------

    def _drafts(self, user, owner):
        model = self.draft_model
        return self._of(model, owner), model.user_id == user.id

    def _keep_draft(self, user, owner, base: int, new_document: dict, message: str) -> None:
        draft = db.session.scalar(sa.select(self.draft_model).where(*self._drafts(user, owner)))
        if draft is None:
            with unique_or(DomainError(_("Please try again."))):
                draft = self.draft_model(
                    **{self.key: owner.id},
                    user_id=user.id,
                    base_revision=base,
                    document=new_document,
                    message=message,
                )
                db.session.add(draft)
        else:
            draft.base_revision, draft.document, draft.message = base, new_document, message
            draft.updated_at = utcnow()
        db.session.flush()

    def _delete_draft(self, user, owner) -> None:
        db.session.execute(sa.delete(self.draft_model).where(*self._drafts(user, owner)))

    def draft_of(self, user, owner):
        """This person's kept draft for this owner, or None (always None for anonymous visitors)."""
        if owner is None or not getattr(user, "is_authenticated", False):
            return None
        return db.session.scalar(sa.select(self.draft_model).where(*self._drafts(user, owner)))

    def draft_conflicts(self, owner, draft) -> MergeResult:
        """The draft merged with the current revision, as it stands now."""
        return merge(self.document(owner, draft.base_revision), normalise(draft.document), self.document(owner))

    def resolve_draft(self, user, owner, against: int, choices: dict) -> Saved:
        """Save the draft with the editor's choices. If someone saved again meanwhile, merge once more.

        `against` is the revision the choices were made against: choices made on a stale view decide
        nothing, the (new) conflicts are returned to be shown again.
        """
        draft = self.draft_of(user, owner)
        if draft is None:
            raise DomainError(_("There is nothing to resolve any more."))
        if against != owner.current_revision:
            return Saved(conflicts=self.draft_conflicts(owner, draft))
        result = self.draft_conflicts(owner, draft)
        for conflict in result.conflicts:
            choice = choices.get(conflict.key)
            if choice is None:
                raise DomainError(_("Choose what to keep for every point."))
            if choice not in (MINE, THEIRS) and not self.free_text(conflict.key):
                raise DomainError(_("Choose their version or yours for this point."))
        resolved = self.revalidate(resolve(result, choices))
        return self.save(user, owner, owner.current_revision, resolved, draft.message, event="resolved", resolving=True)

    def discard_draft(self, user, owner) -> None:
        """Throw away this person's kept draft: they chose to start again from the current revision."""
        self._delete_draft(user, owner)

    # --- restoring -------------------------------------------------------------------------------

    def restore(self, user, owner, number: int):
        """Bring back revision `number` as a new revision; returns that new revision."""
        old = self.revision(owner, number)
        if old is None or number == owner.current_revision:
            raise DomainError(_("Choose an earlier revision."))
        saved = self.save(
            user, owner, owner.current_revision, old.document, "", event="restored", event_args={"n": number}
        )
        if saved.unchanged:
            raise DomainError(_("This revision says the same as the current one."))
        return saved.revision
