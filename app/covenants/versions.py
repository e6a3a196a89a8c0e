"""The version of a covenant that counts now, read once, and versions found by their fingerprint.

The current version (the latest one opened for signature) is what the covenant's page, the policy
("may this person sign?"), the signing rules and the API all look at, often several times in one
request. `current_version(covenant)` is the one way to get it: it is read once per database session,
with its signatures and signers, and read again only once the covenant opens its next version or a
commit or rollback expired it. Lists read the current versions of a whole page at once
(`current_versions`), and so does app/covenants/services.py's `versions()` for one covenant.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.covenants.models import Covenant, CovenantVersion, Signature
from app.extensions import db

WITH_SIGNATURES = selectinload(CovenantVersion.signatures).selectinload(Signature.user)


def current_version(covenant: Covenant) -> CovenantVersion | None:
    """The version that counts now (None before the first opening), with its signatures and signers."""
    if not covenant.current_version:
        return None
    found = _read().get(covenant.id)
    if found is None or sa.inspect(found).expired or found.number != covenant.current_version:
        found = db.session.scalar(
            sa.select(CovenantVersion)
            .where(CovenantVersion.covenant_id == covenant.id, CovenantVersion.number == covenant.current_version)
            .options(WITH_SIGNATURES)
        )
        remember_current([found] if found else [])
    return found


def current_versions(covenants: Iterable[Covenant]) -> dict[int, CovenantVersion]:
    """The current version of each of these covenants (a page of a list), with signatures: one read."""
    wanted = [(c.id, c.current_version) for c in covenants if c.current_version]
    if not wanted:
        return {}
    found = list(
        db.session.scalars(
            sa.select(CovenantVersion)
            .where(sa.tuple_(CovenantVersion.covenant_id, CovenantVersion.number).in_(wanted))
            .options(WITH_SIGNATURES)
        )
    )
    remember_current(found)
    return {v.covenant_id: v for v in found}


def remember_current(found: Iterable[CovenantVersion]) -> None:
    """Keep these current versions, read elsewhere with WITH_SIGNATURES, for `current_version`."""
    _read().update((v.covenant_id, v) for v in found)


def _read() -> dict[int, CovenantVersion]:
    """The current versions read in this session, by covenant id (the session ends with the request)."""
    return db.session.info.setdefault("covenants.current_versions", {})


def versions_with_fingerprint(value: str) -> list[CovenantVersion]:
    """Every version with this fingerprint (the same content opened twice shares it), newest first."""
    return list(
        db.session.scalars(
            sa.select(CovenantVersion)
            .where(CovenantVersion.content_hash == value)
            .order_by(CovenantVersion.opened_at.desc(), CovenantVersion.id.desc())
            .options(WITH_SIGNATURES, selectinload(CovenantVersion.covenant))
        )
    )
