"""What showing user text costs: hostile Markdown before and after the bounds, and an issue page.

    .venv/bin/python bench/bench_text.py [--length 10000] [--skip-before]

Prints, per input, the time to render it: "before" is markdown-it as it was configured, cleaned
and linkified by bleach (only when bleach is installed: it is no longer a dependency), "after" is
app.text.render_markdown. Then an issue page with a hostile description and 30 hostile reactions at
their maximum length: its server time now (stored HTML), and what rendering those texts on every
view cost before. Asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app
from app.accounts.models import User
from app.accounts.passwords import hash_password
from app.extensions import db
from app.issues.models import Comment, Issue
from app.processes import services as processes
from app.text import ALLOWED_ATTRIBUTES, ALLOWED_PROTOCOLS, ALLOWED_TAGS, render_markdown
from config import DevelopmentConfig
from tests.test_text_cost import HOSTILE, ordinary


def _before():
    """The renderer as it was before the bounds (markdown-it defaults, bleach), or None without bleach."""
    try:
        import bleach
        from bleach.linkifier import Linker
    except ImportError:
        return None
    from markdown_it import MarkdownIt

    md = MarkdownIt("js-default", {"html": False, "linkify": False, "typographer": False})
    md.disable(["heading", "lheading"])

    def rel(attrs, new=False):
        if (None, "href") in attrs:
            attrs[(None, "rel")] = "nofollow noopener ugc"
        return attrs

    linker = Linker(callbacks=[rel], skip_tags={"pre", "code"})

    def render(source: str) -> str:
        cleaned = bleach.clean(
            md.render(source),
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            protocols=ALLOWED_PROTOCOLS,
            strip=True,
            strip_comments=True,
        )
        return linker.linkify(cleaned)

    return render


def seconds(render, source: str, runs: int = 1) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        render(source)
        best = min(best, time.perf_counter() - start)
    return best


def inputs(length: int) -> None:
    before = None if ARGS.skip_before else _before()
    print(f"Rendering {length:,} characters (ms; 'before' needs bleach installed)\n")
    print(f"{'input':42s} {'before':>10s} {'after':>10s}")
    rows = [("ordinary Markdown", ordinary(length))] + [(name, make(length)) for name, make in HOSTILE.items()]
    for name, source in rows:
        old = f"{seconds(before, source) * 1000:10.1f}" if before else f"{'-':>10s}"
        new = seconds(render_markdown, source, runs=3) * 1000
        print(f"{name:42s} {old} {new:10.1f}")
    print()


def issue_page() -> None:
    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='bw-bench-')) / 'bench.sqlite'}"
    app = create_app(
        DevelopmentConfig,
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False, "MAIL_BACKEND": "memory"},
    )
    description = HOSTILE["image openers !["](10_000)
    bodies = [
        HOSTILE[name](5_000) for name in ("image openers ![", "hyphenated dotted words", "link destinations [a](")
    ]
    with app.app_context():
        db.create_all()
        process = processes.create_process(
            processes.ProcessData(name="Bench", neighbourhood="Bench", slug="bench", published=True)
        )
        process.current_phase = "issues"
        author = User(
            email="bench@example.org", display_name="Bench", role="resident", password_hash=hash_password("x" * 12)
        )
        db.session.add(author)
        db.session.flush()
        start = time.perf_counter()
        issue = Issue(
            process_id=process.id,
            author_id=author.id,
            title="Een onderwerp met vijandige tekst",
            description=description,
            scale="small",
            term="short",
            breadth="single",
            comment_count=30,
        )
        db.session.add(issue)
        db.session.flush()
        for i in range(30):
            db.session.add(Comment(issue_id=issue.id, author_id=author.id, body=bodies[i % 3]))
        db.session.commit()
        saving = time.perf_counter() - start
        issue_id = issue.id
    client = app.test_client()
    samples = []
    for _ in range(10):
        start = time.perf_counter()
        assert client.get(f"/issues/{issue_id}").status_code == 200
        samples.append(time.perf_counter() - start)
    print("Issue page with a hostile description (10,000 characters) and 30 hostile reactions (5,000 each)")
    print(f"  saving them (rendered once):            {saving * 1000:8.0f} ms")
    print(f"  the page now, median of 10:             {statistics.median(samples) * 1000:8.0f} ms")
    before = None if ARGS.skip_before else _before()
    if before:
        texts = [description] + [bodies[i % 3] for i in range(30)]
        print(f"  rendering them on every view, before:   {sum(seconds(before, t) for t in texts) * 1000:8.0f} ms")


def main() -> None:
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--length", type=int, default=10_000)
    parser.add_argument("--skip-before", action="store_true", help="do not time the former renderer (slow)")
    ARGS = parser.parse_args()
    inputs(ARGS.length)
    issue_page()


ARGS = argparse.Namespace(skip_before=False)

if __name__ == "__main__":
    main()
