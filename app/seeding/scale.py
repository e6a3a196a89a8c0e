"""Synthetic data at scale for benchmarks (`flask seed scale`): users, issues, supports and comments.

Bulk inserts, so 10,000 issues with 100,000 supports take seconds. Every count may be zero: an
empty list is never handed to a bulk insert (SQLAlchemy turns `execute(insert(T), [])` into one
INSERT of default values, which fails on the NOT NULL columns). Supports and comments go to the
issues made now, or, with `issues=0`, to the issues the process already has; their authors are the
users made now, or, with `users=0`, the active accounts that already exist.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from app.accounts.models import User
from app.accounts.passwords import hash_password
from app.errors import DomainError
from app.extensions import db
from app.issues.models import Comment, Issue, IssueDomain, Support
from app.issues.services import search_text
from app.models_common import utcnow
from app.rendered import html_values

DOMAINS = ["social", "economy", "safety", "physical"]
# fmt: off
WORDS = [
    "groen", "veilig", "buurt", "jongeren", "ouderen", "winkel", "fiets", "licht", "afval", "spelen", "huis",
    "school", "park", "straat", "ontmoeten", "werk", "taal", "geld", "zorg", "water", "parkeren",
]
# fmt: on


def load_scale(process, issues: int, users: int, votes: int, comments: int, seed: int = 1) -> dict[str, int]:
    """Add `users` accounts and `issues` issues, then `votes` supports and `comments` comments over them.

    Raises DomainError when something is asked that cannot be made (a negative count, issues or
    comments without any account, supports or comments without any issue).
    """
    if min(issues, users, votes, comments) < 0:
        raise DomainError("counts cannot be negative")
    rng = random.Random(seed)
    now = utcnow()
    people = _make_users(users, now) if users else _existing_users()
    if (issues or comments or votes) and not people:
        raise DomainError("there are no accounts to write or support issues: give --users", "users")
    issue_ids = _make_issues(process, issues, people, rng, now) if issues else _existing_issues(process)
    if (votes or comments) and not issue_ids:
        raise DomainError("there are no issues to support or comment on: give --issues", "issues")
    user_ids = [uid for uid, _role in people]
    pairs = _new_supports(rng, process, issue_ids, user_ids, votes, fresh=bool(users or issues)) if votes else []
    if pairs:
        db.session.execute(sa.insert(Support), [{"issue_id": i, "user_id": u, "created_at": now} for i, u in pairs])
    commented = [rng.choice(issue_ids) for _ in range(comments)]
    if commented:
        db.session.execute(
            sa.insert(Comment),
            [
                {
                    "issue_id": issue_id,
                    "author_id": rng.choice(user_ids),
                    "body": "Eens, dit speelt al lang.",
                    **html_values(Comment, body="Eens, dit speelt al lang."),
                    "stance": rng.choice(["for", "against", "neutral"]),
                    "kind": "experience",
                    "created_at": now,
                }
                for issue_id in commented
            ],
        )
    _add_to_counts(Counter(i for i, _u in pairs), Counter(commented))
    return {"users": users, "issues": issues, "supports": len(pairs), "comments": comments}


def _make_users(count: int, now) -> list[tuple[int, str]]:
    start = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(User.id), 0)))
    password_hash = hash_password("schaal-test-wachtwoord-1")
    db.session.execute(
        sa.insert(User),
        [
            {
                "email": f"schaal{start + i}@example.org",
                "display_name": f"Schaal {start + i}",
                "role": "resident" if i % 5 else "partner",
                "password_hash": password_hash,
                "created_at": now,
                "password_changed_at": now,
                "show_name_publicly": False,
                "active": True,
            }
            for i in range(count)
        ],
    )
    return [tuple(row) for row in db.session.execute(sa.select(User.id, User.role).where(User.id > start))]


def _existing_users() -> list[tuple[int, str]]:
    rows = db.session.execute(sa.select(User.id, User.role).where(User.active.is_(True)).order_by(User.id))
    return [tuple(row) for row in rows]


def _existing_issues(process) -> list[int]:
    return list(db.session.scalars(sa.select(Issue.id).where(Issue.process_id == process.id).order_by(Issue.id)))


def _make_issues(process, count: int, people: list[tuple[int, str]], rng: random.Random, now) -> list[int]:
    first_issue = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(Issue.id), 0)))
    residents = {uid for uid, role in people if role == "resident"}
    rows = []
    for i in range(count):
        title = " ".join(rng.sample(WORDS, 4)).capitalize() + f" {first_issue + i + 1}"
        text = " ".join(rng.choice(WORDS) for _ in range(40)) + "."
        author_id = rng.choice(people)[0]
        rows.append(
            {
                "process_id": process.id,
                "author_id": author_id,
                "title": title,
                "description": text,
                **html_values(Issue, description=text),  # a bulk insert skips the rendering on assignment
                "scale": rng.choice(["small", "large"]),
                "term": rng.choice(["short", "long"]),
                "breadth": "single",
                "place": "",
                "involve_others": "",
                "status": "open",
                "search_text": search_text(title, text),
                "created_at": now - timedelta(minutes=i),
                "updated_at": now,
                "author_was_resident": author_id in residents,
                "support_count": 0,
                "comment_count": 0,
            }
        )
    db.session.execute(sa.insert(Issue), rows)
    issue_ids = list(db.session.scalars(sa.select(Issue.id).where(Issue.id > first_issue).order_by(Issue.id)))
    db.session.execute(sa.insert(IssueDomain), [{"issue_id": i, "domain": DOMAINS[i % 4]} for i in issue_ids])
    return issue_ids


def _new_supports(
    rng: random.Random, process, issue_ids: list[int], user_ids: list[int], wanted: int, fresh: bool
) -> list[tuple[int, int]]:
    """Up to `wanted` distinct (issue, user) pairs without a support yet, drawn without repetition.

    Drawing indexes of the whole issue × user grid (rather than drawing pairs until enough are new)
    stays fast when nearly every pair is wanted. When the issues or the users are new (`fresh`),
    no pair has a support yet; otherwise the existing supports of the process are left out.
    """
    taken: set[tuple[int, int]] = set()
    if not fresh:
        members = set(user_ids)
        of_process = sa.select(Issue.id).where(Issue.process_id == process.id)
        rows = db.session.execute(sa.select(Support.issue_id, Support.user_id).where(Support.issue_id.in_(of_process)))
        taken = {(i, u) for i, u in rows if u in members}
    total = len(issue_ids) * len(user_ids)
    wanted = min(wanted, total - len(taken))
    if wanted <= 0:
        return []
    width = len(user_ids)
    pairs = []
    for k in rng.sample(range(total), min(total, wanted + len(taken))):
        pair = (issue_ids[k // width], user_ids[k % width])
        if pair not in taken:
            pairs.append(pair)
            if len(pairs) == wanted:
                break
    return pairs


def _add_to_counts(supports: Counter, comments: Counter) -> None:
    """Add what was made to the issues' stored totals (one UPDATE statement, run for each issue touched)."""
    table = Issue.__table__
    rows = [
        {"b_id": i, "b_supports": supports[i], "b_comments": comments[i]} for i in supports.keys() | comments.keys()
    ]
    if not rows:
        return
    db.session.execute(
        table.update()
        .where(table.c.id == sa.bindparam("b_id"))
        .values(
            support_count=table.c.support_count + sa.bindparam("b_supports"),
            comment_count=table.c.comment_count + sa.bindparam("b_comments"),
        ),
        rows,
    )
