"""Edges of the command line: `seed scale` with any count zero, and `export congress` beside a busy server."""

from __future__ import annotations

import itertools
import sqlite3
import threading
import time
import zipfile

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.extensions import db
from app.issues.models import Comment, Issue, Support
from tests.conftest import PG_URL, make_issue, make_process, make_user


def _counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (User, Issue, Support, Comment)
        }


def _stored_totals_match_rows(app) -> None:
    with app.app_context():
        for issue in db.session.scalars(sa.select(Issue)):
            supports = db.session.scalar(sa.select(sa.func.count()).where(Support.issue_id == issue.id))
            comments = db.session.scalar(sa.select(sa.func.count()).where(Comment.issue_id == issue.id))
            assert (issue.support_count, issue.comment_count) == (supports, comments), issue.id


def _scale(runner, issues, users, votes, comments, slug="schaal"):
    return runner.invoke(
        args=[
            "seed",
            "scale",
            "--issues",
            str(issues),
            "--users",
            str(users),
            "--votes",
            str(votes),
            "--comments",
            str(comments),
            "--process",
            slug,
        ]
    )


@pytest.mark.parametrize(
    ("issues", "users", "votes", "comments"), list(itertools.product((0, 4), (0, 3), (0, 7), (0, 5)))
)
def test_seed_scale_on_an_empty_database_with_any_count_zero(app, runner, issues, users, votes, comments):
    result = _scale(runner, issues, users, votes, comments)
    no_authors = (issues or votes or comments) and not users
    impossible = no_authors or ((votes or comments) and not issues)
    if impossible:
        # nothing to write with, or nothing to write on: a clear message and nothing saved, no traceback
        assert result.exit_code == 1 and "Error:" in result.output, result.output
        assert isinstance(result.exception, SystemExit)  # click's own exit, not a traceback
        assert _counts(app) == {"users": 0, "issues": 0, "supports": 0, "comments": 0}
        return
    assert result.exit_code == 0, result.output
    assert _counts(app) == {"users": users, "issues": issues, "supports": votes, "comments": comments}
    assert f"{votes} supports" in result.output
    _stored_totals_match_rows(app)


def test_seed_scale_fills_an_existing_process_with_existing_accounts(app, runner):
    process = make_process(app, slug="bestaand")
    people = [make_user(app) for _ in range(3)]
    issues = [make_issue(app, process.id, people[0].id, title=f"Onderwerp {n}") for n in range(2)]
    with app.app_context():
        db.session.add(Support(issue_id=issues[0].id, user_id=people[1].id))
        db.session.execute(sa.update(Issue).where(Issue.id == issues[0].id).values(support_count=1))
        db.session.commit()

    # every free (issue, person) pair gets a support: 2 x 3 minus the one that exists
    result = _scale(runner, 0, 0, 100, 4, slug="bestaand")
    assert result.exit_code == 0, result.output
    assert "5 supports" in result.output
    counts = _counts(app)
    assert (counts["supports"], counts["comments"], counts["users"], counts["issues"]) == (6, 4, 3, 2)
    _stored_totals_match_rows(app)

    again = _scale(runner, 0, 0, 10, 0, slug="bestaand")  # nothing left to support: not an error
    assert again.exit_code == 0 and "0 supports" in again.output, again.output
    _stored_totals_match_rows(app)


def test_seed_scale_caps_supports_at_one_per_person_and_issue(app, runner):
    result = _scale(runner, 3, 2, 1000, 0)
    assert result.exit_code == 0, result.output
    assert _counts(app)["supports"] == 6
    _stored_totals_match_rows(app)


def test_seed_scale_refuses_negative_counts_and_a_bad_slug(app, runner):
    negative = _scale(runner, 1, 1, -1, 0)
    assert negative.exit_code == 2 and "--votes" in negative.output
    slug = _scale(runner, 1, 1, 1, 1, slug="Geen Geldige Slug")
    assert slug.exit_code == 1 and "slug" in slug.output, slug.output
    assert isinstance(slug.exception, SystemExit)
    assert _counts(app) == {"users": 0, "issues": 0, "supports": 0, "comments": 0}


# --- export congress beside a server that writes -----------------------------------------------------


@pytest.mark.skipif(bool(PG_URL), reason="SQLite's write lock")
def test_export_congress_never_takes_the_write_lock_while_the_server_writes(app, runner, database_url, tmp_path):
    """The export only reads. It once began its first transaction outside the GET context, so the
    SQLite hook began it with BEGIN IMMEDIATE and the whole build held the write lock: under steady
    write load the export failed with OperationalError ("database is locked" after the busy timeout),
    or, when it won, the server's writes waited for the whole build.

    Here a writer commits short transactions all through the export, and tries the lock without
    waiting: it must never find it taken."""
    make_process(app, slug="druk", phase="issues")
    author = make_user(app)
    with app.app_context():
        process_id = db.session.scalar(sa.select(sa.text("id")).select_from(sa.text("processes")))
    for n in range(20):
        make_issue(app, process_id, author.id, title=f"Onderwerp nummer {n}")

    path = database_url.removeprefix("sqlite:///")
    stop = threading.Event()
    outcome = {"commits": 0, "locked": 0}

    def writer():
        connection = sqlite3.connect(path, timeout=0, isolation_level=None)  # never wait for the lock
        try:
            n = 0
            while not stop.is_set():
                try:
                    connection.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError:
                    outcome["locked"] += 1
                    time.sleep(0.005)
                    continue
                connection.execute("UPDATE issues SET support_count = support_count WHERE id = ?", (1 + n % 20,))
                connection.execute("COMMIT")
                outcome["commits"] += 1
                n += 1
                time.sleep(0.002)
        finally:
            connection.close()

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        out = tmp_path / "congres.zip"
        result = runner.invoke(
            args=["export", "congress", "druk", "--out", str(out), "--without", "booklet", "--without", "posters"]
        )
    finally:
        stop.set()
        thread.join(timeout=10)
    assert result.exit_code == 0, result.output
    assert zipfile.ZipFile(out).namelist()
    assert outcome["locked"] == 0, f"the export held the write lock ({outcome['locked']} refused writes)"
    assert outcome["commits"] > 0


@pytest.mark.skipif(bool(PG_URL), reason="SQLite's write lock")
def test_export_congress_of_an_unknown_process_says_so(app, runner, tmp_path):
    result = runner.invoke(args=["export", "congress", "bestaat-niet", "--out", str(tmp_path / "x.zip")])
    assert result.exit_code == 1 and "no process" in result.output
    assert not (tmp_path / "x.zip").exists() and not (tmp_path / "x.zip.part").exists()
