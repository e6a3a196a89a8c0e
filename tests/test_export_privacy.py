"""Privacy of the congress bundle (issue #7, point 2): every file in the ZIP is opened and read,
the CSV and JSON files, the workbook, the README and the PDFs, and none of them holds an e-mail
address, the name of someone who did not choose to show it, a hidden issue or comment, or a vote
of one person."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import sqlalchemy as sa
from openpyxl import load_workbook

from app.exports.bundle import build_bundle
from app.extensions import db
from tests.conftest import make_user

SLUG = "buytenwegh"
EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+")
HIDDEN_NAME = "Gerritje Verstopmans"
HIDDEN_SIGNER = "Gerritje K. Verstopmans-Tekenaar"
SHOWN_NAME = "Zichtbare Zeeuwse Zanger"
HIDDEN_ISSUE = "Geheimzinnig verborgen onderwerp kwakkel"
HIDDEN_COMMENT = "Deze reactie is verborgen door moderatie zwoegervlek"
PENDING_COMMENT = "Deze reactie wacht nog op controle plonsbeker"
TYPED_ADDRESS = "mail.me.gerritje@voorbeeld.nl"


def _world(app, runner):
    """The demo process plus people who do and do not show their name, who comment and sign,
    a hidden issue with a comment, hidden and pending comments, and an address typed into a comment."""
    from app.covenants.models import Covenant, CovenantVersion, Signature
    from app.issues.models import Comment, Issue
    from app.processes.services import get_process

    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    hidden = make_user(app, role="resident", name=HIDDEN_NAME, email="gerritje.verstopmans@example.org")
    shown = make_user(app, role="resident", name=SHOWN_NAME, show_name=True)
    with app.app_context():
        process = get_process(SLUG)
        issue = db.session.scalars(
            sa.select(Issue).where(Issue.process_id == process.id, Issue.visibility == "visible").order_by(Issue.id)
        ).first()
        db.session.add_all(
            [
                Comment(
                    issue_id=issue.id, author_id=hidden.id, body="Ik doe graag mee, groet van mij.", kind="experience"
                ),
                Comment(issue_id=issue.id, author_id=shown.id, body="Goed plan!", kind="argument"),
                Comment(issue_id=issue.id, author_id=hidden.id, body=f"Mail me op {TYPED_ADDRESS}", kind="question"),
                Comment(issue_id=issue.id, author_id=shown.id, body=HIDDEN_COMMENT, visibility="hidden"),
                Comment(issue_id=issue.id, author_id=shown.id, body=PENDING_COMMENT, visibility="pending"),
            ]
        )
        secret = Issue(
            process_id=process.id,
            author_id=shown.id,
            title=HIDDEN_ISSUE,
            description=HIDDEN_ISSUE,
            scale="small",
            term="short",
            breadth="single",
            visibility="hidden",
        )
        db.session.add(secret)
        db.session.flush()
        db.session.add(Comment(issue_id=secret.id, author_id=shown.id, body=HIDDEN_ISSUE + " reactie"))
        covenant = db.session.scalars(
            sa.select(Covenant).where(Covenant.process_id == process.id, Covenant.current_version > 0)
        ).first()
        version = db.session.scalar(
            sa.select(CovenantVersion).where(
                CovenantVersion.covenant_id == covenant.id, CovenantVersion.number == covenant.current_version
            )
        )
        for person, typed, party in ((hidden, HIDDEN_SIGNER, "privacy-1"), (shown, SHOWN_NAME, "privacy-2")):
            db.session.add(
                Signature(
                    version_id=version.id,
                    covenant_id=covenant.id,
                    party=party,
                    party_name=f"Buurtclub {party}",
                    user_id=person.id,
                    signer_name=typed,
                    signer_role="signatory",
                    content_hash=version.content_hash,
                    statement=f"Ik, {typed}, teken namens Buurtclub {party}.",
                )
            )
        db.session.commit()
    return hidden, shown


def _texts(bundle: zipfile.ZipFile) -> dict[str, str]:
    """The readable text of every file in the bundle."""
    texts = {}
    for name in bundle.namelist():
        raw = bundle.read(name)
        if name.endswith(".xlsx"):
            workbook = load_workbook(io.BytesIO(raw), read_only=True)
            texts[name] = "\n".join(
                " | ".join("" if v is None else str(v) for v in row)
                for sheet in workbook.worksheets
                for row in sheet.iter_rows(values_only=True)
            )
            workbook.close()
            # and the raw XML inside the workbook (shared strings, sheet names, properties)
            with zipfile.ZipFile(io.BytesIO(raw)) as inner:
                texts[name + ":xml"] = "\n".join(inner.read(n).decode("utf-8", "replace") for n in inner.namelist())
        elif name.endswith(".pdf"):
            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(raw))
            texts[name] = "\n".join(page.extract_text() or "" for page in reader.pages)
            texts[name + ":meta"] = " ".join(str(v) for v in (reader.metadata or {}).values())
        else:
            texts[name] = raw.decode("utf-8-sig")
    return texts


def test_no_file_in_the_bundle_leaks_a_person(app, runner):
    from app.accounts.models import User
    from app.issues.models import Allocation, Ballot, Issue, PriorityRound
    from app.processes.services import get_process

    _world(app, runner)
    buffer = io.BytesIO()
    with app.app_context():
        build_bundle(get_process(SLUG), None, buffer)
        names = [n for n, show in db.session.execute(sa.select(User.display_name, User.show_name_publicly)) if not show]
        addresses = list(db.session.scalars(sa.select(User.email)))
        process_id = get_process(SLUG).id
        points = db.session.execute(
            sa.select(Allocation.issue_id, sa.func.sum(Allocation.points))
            .join(Ballot, Ballot.id == Allocation.ballot_id)
            .join(PriorityRound, PriorityRound.id == Ballot.round_id)
            .join(Issue, Issue.id == Allocation.issue_id)
            .where(PriorityRound.process_id == process_id, Issue.visibility == "visible")
            .group_by(Allocation.issue_id)
        ).all()
        ballots = db.session.scalar(sa.select(sa.func.count(Ballot.id)))
    buffer.seek(0)
    bundle = zipfile.ZipFile(buffer)
    texts = _texts(bundle)
    assert any(n.endswith(".xlsx") for n in texts) and any(n.startswith("csv/") for n in texts)
    assert ballots > 0 and points, "the demo has a closed round with points"
    import importlib.util

    if importlib.util.find_spec("app.exports.booklet"):
        assert len(texts["booklet.pdf"]) > 500, "the booklet's text is read too"
    if importlib.util.find_spec("app.exports.posters"):
        assert any(n.startswith("posters/") and n.endswith(".pdf") for n in texts), "the demo has shortlisted issues"

    for name, text in texts.items():
        assert not EMAIL.search(text), f"an e-mail address in {name}: {EMAIL.search(text).group(0)}"
        for address in addresses:
            assert address not in text, f"{address} in {name}"
        for hidden_name in (HIDDEN_NAME, HIDDEN_SIGNER, *names):
            assert hidden_name not in text, f"the hidden name {hidden_name!r} in {name}"
        for secret in (HIDDEN_ISSUE, HIDDEN_COMMENT, PENDING_COMMENT):
            assert secret not in text, f"hidden text {secret!r} in {name}"

    # Who chose to be shown appears by name; the others as their role or organisation.
    comments = json.loads(bundle.read("data/comments.json"))
    authors = {c["author"] for c in comments}
    assert SHOWN_NAME in authors and "bewoner" in authors
    assert any("[e-mailadres weggelaten]" in c["text"] for c in comments)
    signatures = json.loads(bundle.read("data/signatures.json"))
    signers = {s["signed_by"] for s in signatures}
    assert SHOWN_NAME in signers and "tekenbevoegde van Buurtclub privacy-1" in signers

    # Votes only as totals: one row per issue, no column that names or numbers a voter.
    votes = list(csv.DictReader(io.StringIO(bundle.read("csv/votes.csv").decode("utf-8-sig"))))
    assert len({row["issue_id"] for row in votes}) == len(votes)
    assert not {"user_id", "ballot_id", "voter", "user", "author"} & set(votes[0])
    assert {int(row["issue_id"]): int(row["priority_points"]) for row in votes if int(row["priority_points"])} == {
        issue_id: int(total) for issue_id, total in points
    }
    assert not any(re.search(r"ballot|allocation", n) for n in bundle.namelist())
    for item in json.loads(bundle.read("data/issues.json")):
        assert "author_id" not in item and "email" not in item


def test_points_stay_out_while_the_round_is_open(app, runner):
    from app.issues.models import PriorityRound
    from app.processes.services import get_process

    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    with app.app_context():
        process = get_process(SLUG)
        db.session.scalar(sa.select(PriorityRound).where(PriorityRound.process_id == process.id)).status = "open"
        db.session.commit()
        buffer = io.BytesIO()
        build_bundle(process, {"issues", "votes"}, buffer)
    bundle = zipfile.ZipFile(buffer)
    assert all(i["priority_points"] is None for i in json.loads(bundle.read("data/issues.json")))
    assert all(v["priority_points"] is None and v["voters"] is None for v in json.loads(bundle.read("data/votes.json")))


def test_addresses_typed_into_issues_never_reach_the_printed_pdfs(app, runner):
    """The booklet and posters show issue descriptions, titles and reasons: an address in them is removed."""
    import io
    import zipfile

    from pypdf import PdfReader

    from app.exports.bundle import build_bundle
    from app.extensions import db
    from app.issues.models import Issue
    from app.processes.services import get_process

    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    with app.test_request_context():
        process = get_process("buytenwegh")
        shortlisted = db.session.scalars(
            db.select(Issue).where(Issue.process_id == process.id, Issue.status == "shortlisted")
        ).first()
        shortlisted.description += "\n\nMail mij: jan.devries@voorbeeld.nl"
        shortlisted.title = "Contact via piet@voorbeeld.nl"
        db.session.commit()
        out = io.BytesIO()
        build_bundle(process, {"booklet", "posters"}, out)
    with zipfile.ZipFile(out) as bundle:
        for name in bundle.namelist():
            assert "voorbeeld" not in name
            if name.endswith(".pdf"):
                reader = PdfReader(io.BytesIO(bundle.read(name)))
                text = "".join(page.extract_text() for page in reader.pages)
                assert "voorbeeld.nl" not in text, name
                assert "voorbeeld.nl" not in str(reader.metadata), name
