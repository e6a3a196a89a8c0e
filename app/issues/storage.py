"""The file store for photos and PDFs: a folder on disk that several web servers may share.

Where: `UPLOAD_FOLDER` (config), by default the instance folder's ``uploads``. Give every web
server the same path (a shared volume) and they serve each other's files.

Layout: ``<root>/issues/<first two characters of the token>/<token>.<variant>``, where the token
is random (`new_token`), so a file's name says nothing about its issue, its author or what the
person called it, and nobody can guess another one. Variants: ``large`` (what the page links to)
and ``thumb`` (the gallery) for photos, ``pdf`` for a PDF.

Writes are atomic: a file is written under a temporary name in its own folder, flushed to disk and
then renamed into place, so a reader (another server) never sees half a file. Folders are made
readable for the owner and the group only, files likewise.

Files follow the database transaction that records them (`track`):
- a file written during a transaction that is rolled back is deleted again (nothing half saved);
- a file whose row is deleted is removed from disk only once that deletion is committed.
A crash between writing and committing can still leave a file without a row; `orphans()` finds
them for `flask uploads tidy`.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
VARIANTS = ("large", "thumb", "pdf")
FOLDER_MODE = 0o750
FILE_MODE = 0o640
_WRITTEN = "storage_written"  # session.info: files written in the current transaction
_DOOMED = "storage_doomed"  # session.info: files to remove once the transaction commits


def new_token() -> str:
    """32 URL-safe characters from 24 random bytes."""
    return secrets.token_urlsafe(24)


def is_token(value: str) -> bool:
    return bool(TOKEN.fullmatch(value or ""))


def root() -> Path:
    configured = current_app.config.get("UPLOAD_FOLDER") or ""
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def path_of(token: str, variant: str) -> Path:
    """Where a file lives. Only well-formed tokens and known variants make a path (no ../ can get in)."""
    if not is_token(token) or variant not in VARIANTS:
        raise ValueError("not a stored file's name")
    return root() / "issues" / token[:2] / f"{token}.{variant}"


def _make_folder(folder: Path) -> None:
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)


def write(token: str, variant: str, data: bytes, session: Session | None = None) -> Path:
    """Store `data` atomically under the token; with a session, the file follows its transaction."""
    target = path_of(token, variant)
    _make_folder(target.parent)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, FILE_MODE)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    if session is not None:
        session.info.setdefault(_WRITTEN, []).append(target)
    return target


def remove_after_commit(session: Session, token: str, variants=VARIANTS) -> None:
    """Remove the token's files once the session commits (the row's deletion is final then)."""
    session.info.setdefault(_DOOMED, []).extend(path_of(token, v) for v in variants)


def _unlink(paths) -> None:
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:  # left for `orphans()`; a failing disk must not fail the request that committed
            current_app.logger.warning("could not remove %s", path)


def _committed(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint was released: the transaction goes on
        return
    session.info.pop(_WRITTEN, None)
    _unlink(session.info.pop(_DOOMED, []))


def _ended(session: Session, transaction) -> None:
    """The transaction ended without committing (rolled back, or closed): undo its writes."""
    if transaction.parent is not None:
        return
    session.info.pop(_DOOMED, None)
    _unlink(session.info.pop(_WRITTEN, []))


def track() -> None:
    """Install the transaction hooks once for every session (global, like the visibility hooks)."""
    for name, listener in (("after_commit", _committed), ("after_transaction_end", _ended)):
        if not sa.event.contains(Session, name, listener):
            sa.event.listen(Session, name, listener)


def stored_tokens() -> Iterator[tuple[str, Path]]:
    """Every (token, path) in the store, temporary files included (their token is "")."""
    base = root() / "issues"
    if not base.is_dir():
        return
    for folder in sorted(base.iterdir()):
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            token = path.name.split(".", 1)[0]
            yield (token if is_token(token) else ""), path


def orphans(known: set[str], older_than: timedelta = timedelta(days=1)) -> list[Path]:
    """Files whose token has no row (`known`), untouched for a while (a write may still be committing)."""
    cutoff = datetime.now(UTC) - older_than
    found = []
    for token, path in stored_tokens():
        if token in known:
            continue
        changed = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        if changed < cutoff:
            found.append(path)
    return found
