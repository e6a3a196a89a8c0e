"""Demo issues for the Buytenwegh process (seeds/demo_issues.toml).

The demo shows phase 2 after a while: issues with comments and supports, a few decisions,
and a closed prioritisation round. Synthetic data at scale is in app/seeding/scale.py.
"""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from app.accounts.models import Membership, MembershipStatus, Organisation, Role, User
from app.accounts.passwords import hash_password
from app.extensions import db
from app.issues.models import (
    Allocation,
    Ballot,
    Comment,
    Issue,
    IssueOrganisation,
    IssueStatusChange,
    PriorityRound,
    RoundStatus,
    Support,
)
from app.issues.services import search_text
from app.models_common import utcnow
from app.seeding.data import SEEDS, read

VOTERS = 40  # residents who support and vote in the demo


def _users_by_email(emails) -> dict[str, User]:
    return {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_(list(emails))))}


def _demo_residents(spec: list[dict], password: str) -> list[User]:
    names = {r["email"]: r["name"] for r in spec}
    emails = [f"buurtbewoner{i}@example.org" for i in range(1, VOTERS + 1)]
    existing = _users_by_email(emails)
    password_hash = hash_password(password)  # once: the same demo password for all
    for i, email in enumerate(emails, start=1):
        if email not in existing:
            user = User(
                email=email,
                display_name=names.get(email, f"Buurtbewoner {i}"),
                role=Role.RESIDENT.value,
                password_hash=password_hash,
                privacy_accepted_at=utcnow(),
                show_name_publicly=i % 3 == 0,
            )
            db.session.add(user)
            existing[email] = user
    db.session.flush()
    return [existing[e] for e in emails]


def load_demo_issues(process, password: str, path: Path = SEEDS / "demo_issues.toml") -> int:
    """Add the demo issues to `process` when it has none yet. Returns how many were added."""
    if db.session.scalar(sa.select(Issue.id).where(Issue.process_id == process.id).limit(1)) is not None:
        return 0
    data = read(path)
    residents = _demo_residents(data.get("residents", []), password)
    emails = {i["author"] for i in data["issues"]} | {
        c["author"] for i in data["issues"] for c in i.get("comments", [])
    }
    people = _users_by_email(emails) | {u.email: u for u in residents}
    organisations = {o.name: o for o in db.session.scalars(sa.select(Organisation))}
    director = _users_by_email(["wijkregisseur@example.org"]).get("wijkregisseur@example.org")
    now = utcnow()
    rng = random.Random(2717)
    issues = []
    for spec in data["issues"]:
        author = people[spec["author"]]
        created = now - timedelta(days=spec["days_ago"], hours=rng.randint(0, 10))
        issue = Issue(
            process_id=process.id,
            author_id=author.id,
            title=spec["title"],
            description=spec["description"].strip(),
            scale=spec["scale"],
            term=spec["term"],
            breadth=spec["breadth"],
            place=spec.get("place", ""),
            involve_others=spec.get("involve_others", ""),
            status=spec["status"],
            created_at=created,
            updated_at=created,
            author_was_resident=author.role == Role.RESIDENT.value,
            search_text=search_text(spec["title"], spec["description"]),
        )
        issue.set_domains(spec["domains"])
        issue.involved_rows = [
            IssueOrganisation(organisation_id=organisations[name].id)
            for name in spec.get("involve", [])
            if name in organisations
        ]
        db.session.add(issue)
        db.session.flush()
        db.session.add(
            IssueStatusChange(issue_id=issue.id, to_status="open", changed_by_id=author.id, changed_at=created)
        )
        if spec["status"] != "open":
            db.session.add(
                IssueStatusChange(
                    issue_id=issue.id,
                    from_status="open",
                    to_status=spec["status"],
                    reason=spec.get("decision", ""),
                    changed_by_id=director and director.id,
                    changed_at=now - timedelta(days=2),
                )
            )
        _demo_comments(issue, spec.get("comments", []), people, now)
        supporters = rng.sample(residents, min(spec.get("supporters", 0), len(residents)))
        db.session.add_all(
            Support(issue_id=issue.id, user_id=u.id, created_at=created + timedelta(hours=1 + n))
            for n, u in enumerate(supporters)
        )
        issue.support_count = len(supporters)
        issues.append((issue, supporters))
    db.session.flush()
    _demo_round(process, issues, rng, now)
    return len(issues)


def _demo_comments(issue: Issue, specs: list[dict], people: dict[str, User], now) -> None:
    top_level: list[Comment] = []
    for spec in specs:
        author = people[spec["author"]]
        parent = top_level[spec["reply_to"]] if spec.get("reply_to", -1) >= 0 else None
        when = now - timedelta(days=spec["days_ago"], minutes=len(top_level))
        comment = Comment(
            issue_id=issue.id,
            author_id=author.id,
            parent_id=parent.id if parent else None,
            body=spec["body"].strip(),
            stance=spec["stance"],
            kind=spec["kind"],
            created_at=when,
        )
        db.session.add(comment)
        db.session.flush()
        if parent is None:
            top_level.append(comment)
        answers = author.role in (
            Role.PARTNER.value,
            Role.WIJKREGISSEUR.value,
            Role.FACILITATOR.value,
            Role.WETHOUDER.value,
        )
        first = issue.first_response_at is None or when < issue.first_response_at
        if issue.author_was_resident and answers and author.id != issue.author_id and first:
            issue.first_response_at = when
    issue.comment_count = len(specs)


def _demo_round(process, issues, rng: random.Random, now) -> None:
    """A closed round: every supporter spreads 5 points over issues they support, at most 3 each."""
    round_ = PriorityRound(
        process_id=process.id,
        status=RoundStatus.CLOSED.value,
        points_per_person=5,
        max_per_issue=3,
        opened_at=now - timedelta(days=10),
        closed_at=now - timedelta(days=3),
    )
    db.session.add(round_)
    db.session.flush()
    supported: dict[int, list[Issue]] = {}
    for issue, supporters in issues:
        if issue.is_active:
            for user in supporters:
                supported.setdefault(user.id, []).append(issue)
    partners = (
        db.session.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(User.role == Role.PARTNER.value, Membership.status == MembershipStatus.APPROVED.value)
        )
        .unique()
        .all()
    )
    voters = [(uid, Role.RESIDENT.value, choices) for uid, choices in supported.items()]
    open_issues = [i for i, _s in issues if i.is_active]
    voters += [(p.id, Role.PARTNER.value, rng.sample(open_issues, 3)) for p in partners]
    for user_id, role, choices in voters:
        ballot = Ballot(round_id=round_.id, user_id=user_id, voter_role=role)
        db.session.add(ballot)
        db.session.flush()
        left = 5
        for issue in rng.sample(choices, len(choices)):
            points = min(left, rng.randint(1, 3))
            if points <= 0:
                break
            db.session.add(Allocation(ballot_id=ballot.id, issue_id=issue.id, points=points))
            left -= points
        ballot.points_used = 5 - left
    db.session.flush()
