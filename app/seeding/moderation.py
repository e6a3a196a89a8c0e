"""Demo moderation (seeds/demo_moderation.toml): settings, intended balance, feedback, a hidden reaction, reports."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from app.accounts.models import User
from app.extensions import db
from app.issues.models import Comment, Issue, Report
from app.models_common import utcnow
from app.moderation.models import Action, ModerationAction
from app.processes.models import ProcessPhase
from app.seeding.data import SEEDS, issue_titles, read


def load_demo_moderation(process, path: Path = SEEDS / "demo_moderation.toml") -> int:
    """Add the demo moderation once (when the process has no log yet). Returns the number of log entries added."""
    if db.session.scalar(sa.select(ModerationAction.id).where(ModerationAction.process_id == process.id).limit(1)):
        return 0
    data = read(path)
    titles = issue_titles()
    issues = {i.title: i for i in db.session.scalars(sa.select(Issue).where(Issue.process_id == process.id))}
    by_key = {key: issues[title] for key, title in titles.items() if title in issues}
    users = {u.email: u for u in db.session.scalars(sa.select(User))}
    moderator = users.get("wijkregisseur@example.org")
    now = utcnow()

    process.premoderate_first = data["settings"]["premoderate_first"]
    process.auto_hide_after = data["settings"]["auto_hide_after"]
    for key, (puzzling, powering, participation) in data["targets"].items():
        phase = process.phase(key)
        if phase is None:
            phase = ProcessPhase(process_id=process.id, key=key)
            db.session.add(phase)
        phase.target_puzzling, phase.target_powering, phase.target_participation = puzzling, powering, participation

    def log(action: Action, issue: Issue, target_type: str, target_id: int, reason: str, at) -> None:
        db.session.add(
            ModerationAction(
                process_id=process.id,
                issue_id=issue.id,
                action=action.value,
                target_type=target_type,
                target_id=target_id,
                reason=reason,
                moderator_id=moderator.id if moderator else None,
                created_at=at,
            )
        )

    added = 0
    for spec in data.get("feedback", []):
        issue = by_key[spec["issue"]]
        at = now - timedelta(days=spec["days_ago"])
        issue.feedback, issue.feedback_at = spec["text"], at
        log(Action.FEEDBACK, issue, "issue", issue.id, spec["text"], at)
        added += 1
    for spec in data.get("hidden", []):
        issue = by_key[spec["issue"]]
        at = now - timedelta(days=spec["days_ago"])
        comment = Comment(
            issue_id=issue.id,
            author_id=users[spec["author"]].id,
            body=spec["body"],
            stance="neutral",
            kind="experience",
            created_at=at,
            visibility="hidden",
            moderation_note=spec["reason"],
        )
        db.session.add(comment)
        issue.comment_count += 1
        db.session.flush()
        log(Action.HIDE, issue, "comment", comment.id, spec["reason"], at + timedelta(hours=3))
        added += 1
    for spec in data.get("reports", []):
        issue = by_key[spec["issue"]]
        comments = db.session.scalars(
            sa.select(Comment).where(Comment.issue_id == issue.id).order_by(Comment.created_at, Comment.id)
        ).all()
        db.session.add(
            Report(
                target_type="comment",
                target_id=comments[spec["comment"]].id,
                reporter_id=users[spec["reporter"]].id,
                reason=spec["reason"],
            )
        )
    db.session.flush()
    return added
