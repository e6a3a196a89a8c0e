"""Demo council positions (seeds/demo_council.toml), recorded through the same service as the form."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from app.accounts.models import User
from app.council import services
from app.council.models import CouncilPosition
from app.extensions import db
from app.issues.models import Issue
from app.seeding.data import SEEDS, issue_titles, read


def load_demo_council(process, path: Path = SEEDS / "demo_council.toml") -> int:
    """Add the demo positions when the process has none yet. Returns how many were added."""
    if db.session.scalar(sa.select(CouncilPosition.id).where(CouncilPosition.process_id == process.id).limit(1)):
        return 0
    data = read(path)
    titles = issue_titles()
    issues = dict(db.session.execute(sa.select(Issue.title, Issue.id).where(Issue.process_id == process.id)).all())
    clerk = db.session.scalar(sa.select(User).where(User.email == data["recorded_by"]))
    for spec in data["positions"]:
        services.record_position(
            clerk,
            services.PositionData(
                process_id=process.id,
                kind=spec["kind"],
                faction=spec.get("faction", ""),
                decided_on=spec["decided_on"],
                reference=spec["reference"],
                title=spec["title"],
                summary=spec.get("summary", ""),
                outcome=spec["outcome"],
                phase=spec.get("phase", ""),
                issue_ids=[issues[titles[key]] for key in spec.get("issues", []) if titles.get(key) in issues],
            ),
        )
    return len(data["positions"])
