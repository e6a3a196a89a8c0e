"""Daily housekeeping: accounts never confirmed, and old records of scheduled runs.

Both commit in batches, so on SQLite the write lock is held for one short batch at a time and the site
keeps answering while they run.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.accounts.models import Membership, Organisation, User
from app.covenants.models import CovenantParty
from app.extensions import db
from app.issues.models import IssueOrganisation
from app.jobs.models import ScheduledRun
from app.mail.models import OutboxMail, OutboxStatus
from app.models_common import utcnow

BATCH = 200
KEEP_RUNS_DAYS = 400  # a year of runs and a bit, for "did the digest go out on ...?"
_UNSENT = (OutboxStatus.PENDING.value, OutboxStatus.SENDING.value)


def _expired_registrations(cutoff):
    """Accounts made by registering whose confirmation link expired unused (as app/accounts/registration.py).

    An account that was sent a mail since the cutoff stays: "send the link again" made a fresh link, valid
    for as long as the first one was (and a new-password link confirms the address too).
    """
    return sa.and_(
        User.email_verified_at.is_(None),
        User.last_login_at.is_(None),
        User.created_at < cutoff,
        ~sa.exists().where(OutboxMail.to_address == User.email, OutboxMail.created_at >= cutoff),
    )


def purge_unconfirmed(batch: int = BATCH) -> dict:
    """Delete accounts never confirmed whose confirmation link has expired, with what hangs on them.

    Nobody ever used such an account (it cannot log in), so it goes whole: its memberships and sessions (by
    the database's cascades), the mails to its address that were already sent or given up, and an
    organisation it named at registration that nobody checked and nothing else uses. Registering again
    with the same address works as for a new one.
    """
    cutoff = utcnow() - timedelta(seconds=current_app.config["EMAIL_VERIFY_MAX_AGE"])
    accounts = organisations = 0
    while True:
        # Locked until the batch commits (PostgreSQL): an account being confirmed right now is skipped.
        rows = db.session.execute(
            sa.select(User.id, User.email)
            .where(_expired_registrations(cutoff))
            .order_by(User.id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        ).all()
        if not rows:
            break
        ids = [row.id for row in rows]
        emails = [row.email for row in rows]
        named = set(db.session.scalars(sa.select(Membership.organisation_id).where(Membership.user_id.in_(ids))))
        db.session.execute(
            sa.delete(OutboxMail).where(
                sa.or_(
                    OutboxMail.user_id.in_(ids),
                    sa.and_(OutboxMail.to_address.in_(emails), OutboxMail.status.not_in(_UNSENT)),
                )
            )
        )
        # Memberships and sessions go by the database's cascades (foreign keys are enforced on SQLite too).
        accounts += db.session.execute(
            sa.delete(User).where(User.id.in_(ids)).execution_options(synchronize_session=False)
        ).rowcount
        organisations += _delete_unused_organisations(named)
        db.session.commit()
        if len(rows) < batch:
            break
    return {"accounts": accounts, "organisations": organisations}


def _delete_unused_organisations(ids: set[int]) -> int:
    """Of these organisations, delete the unchecked ones nobody is a member of and nothing refers to."""
    if not ids:
        return 0
    unused = db.session.scalars(
        sa.select(Organisation).where(
            Organisation.id.in_(ids),
            Organisation.verified.is_(False),
            ~sa.exists().where(Membership.organisation_id == Organisation.id),
            ~sa.exists().where(IssueOrganisation.organisation_id == Organisation.id),
            ~sa.exists().where(CovenantParty.organisation_id == Organisation.id),
        )
    ).all()
    for organisation in unused:  # ORM deletes: the sectors go with them
        db.session.delete(organisation)
    db.session.flush()
    return len(unused)


def prune_runs(keep_days: int = KEEP_RUNS_DAYS) -> dict:
    """Forget scheduled runs older than `keep_days` (the table would otherwise grow by a few rows a day)."""
    oldest = utcnow().date() - timedelta(days=keep_days)
    removed = db.session.execute(sa.delete(ScheduledRun).where(ScheduledRun.day < oldest)).rowcount
    db.session.commit()
    return {"removed": removed}
