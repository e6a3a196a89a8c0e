"""The congress booklet (A4) and the posters (A3): what they say, their size, privacy, and the cap at scale."""

from __future__ import annotations

import io
import re
import time

import sqlalchemy as sa
from pypdf import PdfReader

from app.extensions import db
from tests.conftest import make_process

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def _text(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _size(page) -> tuple[float, float]:
    return float(page.mediabox.width), float(page.mediabox.height)


def _demo(app, runner):
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output


def test_demo_booklet_tells_the_whole_story(app, runner):
    from app.accounts.models import User
    from app.covenants import services as covenants
    from app.covenants.signing import public_signer
    from app.exports.booklet import booklet_pdf, contents
    from app.issues import decisions
    from app.processes.services import get_process
    from app.text import plain_excerpt

    _demo(app, runner)
    with app.test_request_context():
        process = get_process("buytenwegh")
        started = time.perf_counter()
        pdf = booklet_pdf(process)
        print(f"demo booklet: {time.perf_counter() - started:.2f} s, {len(pdf) / 1024:.0f} KiB")
        reader, text = _text(pdf)

        assert process.name in text
        for _key, title in contents({"issues", "votes", "agendas", "covenants", "council", "comments"}):
            assert title in text
        shortlist = decisions.shortlisted(process.id)
        issue, decision = shortlist[0]
        assert issue.title in text
        assert " ".join(plain_excerpt(decision.reason, 1000).split()[:8]) in text
        assert "Avondschouw met winkeliers en wijkagenten" in text  # an activity of the 1-year agenda
        in_force = next(c for c in db.session.scalars(covenants.covenants_query(process.id)) if c.status == "in_force")
        version = covenants.version(in_force)
        assert version.content_hash in text
        assert all(public_signer(s) in text for s in version.signatures)
        assert "2026/071" in text  # the council's reference
        assert "Puzzling" in text

        assert all(abs(w - 595) <= 1 and abs(h - 842) <= 1 for w, h in map(_size, reader.pages))
        assert EMAIL.search(text) is None
        hidden_names = db.session.scalars(sa.select(User.display_name).where(User.show_name_publicly.is_(False)))
        assert not [name for name in hidden_names if name in text]


def test_booklet_leaves_out_what_is_not_included(app, runner):
    from app.covenants import services as covenants
    from app.exports.booklet import booklet_pdf
    from app.processes.services import get_process

    _demo(app, runner)
    with app.test_request_context():
        process = get_process("buytenwegh")
        _reader, text = _text(booklet_pdf(process, include={"issues", "agendas"}))
        for covenant in db.session.scalars(covenants.covenants_query(process.id)):
            assert covenant.title not in text
            for version in covenants.versions(covenant):
                assert version.content_hash not in text
        assert "2026/071" not in text  # no council section either
        assert "Avondschouw met winkeliers en wijkagenten" in text


def test_one_a3_poster_per_shortlisted_issue(app, runner):
    from app.exports.posters import poster_pdfs
    from app.issues import decisions
    from app.processes.services import get_process

    _demo(app, runner)
    with app.test_request_context():
        process = get_process("buytenwegh")
        shortlist = [issue for issue, _d in decisions.shortlisted(process.id)]
        started = time.perf_counter()
        posters = list(poster_pdfs(process))
        print(f"{len(posters)} posters: {time.perf_counter() - started:.2f} s")

        assert [name.split("-")[0] for name, _pdf in posters] == [str(i.id) for i in shortlist]
        for (name, pdf), issue in zip(posters, shortlist, strict=True):
            assert re.fullmatch(r"\d+-[a-z0-9-]+\.pdf", name)
            reader, text = _text(pdf)
            assert all(abs(w - 842) <= 1 and abs(h - 1191) <= 1 for w, h in map(_size, reader.pages))
            assert issue.title in text
            assert str(issue.support_count) in text
            assert EMAIL.search(text) is None
        _reader, first = _text(posters[0][1])
        assert "Avondschouw met winkeliers en wijkagenten" in first  # the agenda highlights


def test_booklet_lists_the_top_100_at_scale(app):
    from flask_babel import ngettext

    from app.exports.booklet import booklet_pdf
    from app.issues.models import Issue
    from app.processes.models import Process

    made = make_process(app, slug="schaal")
    with app.test_request_context():
        db.session.execute(
            sa.insert(Issue),
            [
                {
                    "process_id": made.id,
                    "title": f"Schaalonderwerp {n:04d}",
                    "description": "Een onderwerp.",
                    "scale": "small",
                    "term": "short",
                    "breadth": "single",
                    "support_count": n,
                    "visibility": "visible" if n != 299 else "hidden",
                }
                for n in range(300)
            ],
        )
        db.session.commit()
        process = db.session.get(Process, made.id)
        started = time.perf_counter()
        _reader, text = _text(booklet_pdf(process, include={"issues"}))
        print(f"booklet with 299 visible issues: {time.perf_counter() - started:.2f} s")

        listed = set(re.findall(r"Schaalonderwerp (\d{4})", text))
        assert listed == {f"{n:04d}" for n in range(199, 299)}  # the 100 most supported visible ones
        assert (
            ngettext("%(num)d more issue is not listed here.", "%(num)d more issues are not listed here.", 199) in text
        )
