"""Whatever a person types, showing it costs about as much as showing ordinary text of the same length.

- Rendering is bounded: hostile Markdown at the maximum length of every field that is shown as
  Markdown renders in about the time of ordinary text of that length (before: `![` repeated took
  0.7 s per 10,000 characters, `a-a.` repeated 17 s in the linkifier, a wide table 5 s).
- Texts are rendered once, when saved, and stored: pages read the stored HTML and never render.
- A change of the rendering rules renders the stored texts again (`flask text rerender`).
"""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from app import rendered as rendered_module
from app import text as text_module
from app.extensions import db
from app.text import RENDER_RULES, plain_excerpt, render_markdown
from tests.conftest import make_issue, make_process, make_user
from tests.test_migrations import empty_database_url  # noqa: F401 - a fixture

# --- the fields shown as Markdown, and their maximum length from their forms -----------------------


def _form_max(module: str, form: str, field: str) -> int:
    import importlib

    unbound = getattr(getattr(importlib.import_module(module), form), field)
    validators = unbound.kwargs.get("validators") or []
    maxima = [v.max for v in validators if isinstance(getattr(v, "max", None), int) and v.max > 0]
    assert maxima, f"{form}.{field} has no maximum length"
    return max(maxima)


MARKDOWN_FIELDS = {
    "issue description": ("app.issues.forms", "IssueForm", "description"),
    "reaction": ("app.issues.forms", "CommentForm", "body"),
    "decision reason": ("app.issues.forms", "DecisionForm", "reason"),
    "withdrawal reason": ("app.issues.forms", "ReasonForm", "reason"),
    "moderation feedback": ("app.moderation.forms", "ActionForm", "feedback"),
    "moderation reason": ("app.moderation.forms", "ActionForm", "reason"),
    "process description": ("app.processes.forms", "ProcessForm", "description"),
    "process plan": ("app.processes.forms", "ProcessForm", "plan"),
    "council position summary": ("app.council.forms", "PositionForm", "summary"),
    "agenda summary": ("app.agendas.forms", "TextsForm", "summary"),
    "agenda success": ("app.agendas.forms", "TextsForm", "success"),
    "activity description": ("app.agendas.forms", "ActivityForm", "description"),
    "consent reason": ("app.agendas.forms", "ConsentForm", "reason"),
    "covenant text": ("app.covenants.drafting_forms", "TextForm", "text"),
}


def _lengths() -> dict[int, list[str]]:
    """Each field's maximum length, and the fields that have it.

    Cost grows with length, so a length within a fifth of a larger one is tested at the larger one
    (the process plan, 50,000, with the covenant text, 60,000).
    """
    by_length: dict[int, list[str]] = {}
    for name, where in MARKDOWN_FIELDS.items():
        by_length.setdefault(_form_max(*where), []).append(name)
    for length in sorted(by_length):
        larger = [other for other in by_length if length < other <= length * 1.2]
        if larger:
            by_length[min(larger)] += by_length.pop(length)
    return by_length


LENGTHS = _lengths()


# --- inputs ----------------------------------------------------------------------------------------


def repeat(unit: str):
    return lambda n: (unit * (n // len(unit) + 1))[:n]


def fill(head: str, unit: str):
    return lambda n: (head + unit * (n // len(unit) + 1))[:n]


def nested(line: str):
    def make(n: int) -> str:
        lines, depth = [], 0
        while sum(map(len, lines)) < n:
            lines.append("  " * depth + line)
            depth += 1
        return "".join(lines)[:n]

    return make


HOSTILE = {
    "image openers ![": repeat("!["),
    "link openers [": repeat("["),
    "openers closed at the end": lambda n: "[" * (n // 2) + "]" * (n - n // 2),
    "image openers closed at the end": lambda n: "![" * ((n - 1) // 2) + "]",
    "mixed openers [![": repeat("[!["),
    "link destinations [a](": repeat("[a]("),
    "references [x][y]": repeat("[x][y]"),
    "link reference definitions": lambda n: "".join(f"[r{i}]: /u{i}\n" for i in range(n // 8))[:n],
    "stars": repeat("*"),
    "underscores": repeat("_"),
    "emphasis openers *a": repeat("*a "),
    "emphasis closers a*": repeat("a*"),
    "emphasis runs *_": repeat("*_"),
    "strong and em ***a": repeat("***a"),
    "nested emphasis": lambda n: "*a " * (n // 6) + "a* " * (n // 6),
    "nested quotes": repeat("> "),
    "nested lists": nested("- x\n"),
    "nested numbered lists": nested("1. x\n"),
    "list items": repeat("-\n"),
    "backticks": repeat("`"),
    "code spans": repeat("` x"),
    "fences": repeat("```\n"),
    "angle brackets": repeat("<"),
    "autolink openers": repeat("<http://"),
    "entities": repeat("&#"),
    "backslashes": repeat("\\"),
    "hard breaks": repeat("a\\\n"),
    "short lines": repeat("a\n"),
    "pipes": repeat("|"),
    "wide table over short rows": fill("|a" * 200 + "|\n" + "|-" * 200 + "|\n", "x\n"),
    "table of empty cells": fill("|a" * 50 + "|\n" + "|-" * 50 + "|\n", "|" * 51 + "\n"),
    "hyphenated dotted words": repeat("a-a."),
    "accented dotted words": repeat("é-é."),
    "parentheses after a link": lambda n: "[a](" + "(" * (n - 4),
    "parentheses before a bare link": repeat("("),
    "closing parentheses after a bare link": fill("(x.nl/", ")"),
    "bare links": repeat("www.a.nl "),
    "everything": repeat("[*_`<![(a-a.|>"),
}

ORDINARY_PARAGRAPH = (
    "De speeltuin aan de **Buytenweghlaan** is al jaren *verouderd*. Kinderen spelen nu op straat, "
    "zie [de kaart](https://www.zoetermeer.nl/kaart) en https://buytenwegh.nl/speeltuin voor meer.\n\n"
    "- nieuwe toestellen\n- een bankje voor ouders\n- `groen` rondom\n\n"
    "> Een buurtbewoner zei: dit moet beter.\n\n"
)


def ordinary(n: int) -> str:
    return (ORDINARY_PARAGRAPH * (n // len(ORDINARY_PARAGRAPH) + 1))[:n]


def seconds(render, source: str, runs: int = 1) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        render(source)
        best = min(best, time.perf_counter() - start)
    return best


# Generous for a busy shared machine: hostile input may cost this many times ordinary text, plus a
# little. Before the fix the worst inputs cost 25 to 1,000 times as much, growing with the square of
# the length.
FACTOR, SLACK = 25, 0.1


def _too_slow(render, length: int, base: float, inputs=HOSTILE) -> dict[str, float]:
    bound = FACTOR * base + SLACK
    slow = {}
    for name, make in inputs.items():
        source = make(length)
        assert len(source) <= length
        spent = seconds(render, source)
        if spent > bound:  # measure again before blaming the input: the machine may have been busy
            spent = seconds(render, source, runs=2)
        if spent > bound:
            slow[name] = round(spent, 3)
    return slow


@pytest.mark.parametrize("length", sorted(LENGTHS), ids=lambda n: f"{n}-{'+'.join(LENGTHS[n])}")
def test_hostile_markdown_at_the_maximum_length_renders_as_fast_as_ordinary_text(length):
    base = seconds(render_markdown, ordinary(length), runs=3)
    assert _too_slow(render_markdown, length, base) == {}, f"ordinary text took {base:.3f} s"


HEADINGS = {
    "headings": repeat("# x\n"),
    "empty headings": repeat("#\n"),
    "headings of openers": repeat("## ["),
    "underlined headings": repeat("x\n=\n"),
}


def test_documents_with_headings_are_bounded_too():
    """Covenant texts keep their headings: the same bounds hold."""

    def render(source):
        return render_markdown(source, headings=True)

    length = max(LENGTHS)
    base = seconds(render, ordinary(length), runs=3)
    hostile = {**HEADINGS, **{name: HOSTILE[name] for name in ("everything", "image openers ![", "nested quotes")}}
    assert _too_slow(render, length, base, hostile) == {}


def test_a_preview_renders_only_the_start_of_a_long_text():
    base = seconds(plain_excerpt, ordinary(1000), runs=3)
    for name, make in HOSTILE.items():
        spent = seconds(plain_excerpt, make(max(LENGTHS)))
        assert spent <= FACTOR * base + SLACK, name
    long_text = "Eerste alinea met **vet**.\n\n" + "woord " * 20_000
    assert plain_excerpt(long_text, 40) == plain_excerpt(long_text[:2000], 40)
    assert plain_excerpt(long_text, 40).startswith("Eerste alinea met vet.")


def test_bounded_rendering_keeps_ordinary_markdown():
    """The bounds only bite on hostile input: links, tables and lists as people write them stay."""
    html = str(render_markdown("Zie [de kaart](https://x.nl/k), [1] en www.zoetermeer.nl.\n\n" * 300))
    assert html.count('<a href="https://x.nl/k"') == 300 and html.count('href="http://www.zoetermeer.nl"') == 300
    table = "| wie | wat |\n|---|---|\n" + "| gemeente | geld |\n" * 400
    assert str(render_markdown(table)).count("<td>gemeente</td>") == 400
    assert "<td></td>" in str(render_markdown("| a | b | c |\n|---|---|---|\n| 1 |\n"))  # short rows still complete
    assert str(render_markdown("- a\n  - b\n    - c")).count("<ul>") == 3


def test_hostile_input_still_renders_all_its_text():
    """A bracket past the budget is plain text, never lost."""
    html = str(render_markdown("![" * 5000))
    assert html.count("![") == 5000


# --- rendered once, when saved ------------------------------------------------------------------------


@pytest.fixture
def hostile_issue(app):
    """An issue with a hostile description and 30 hostile reactions at their maximum lengths."""
    from app.issues.models import Comment, Issue

    process = make_process(app)
    author = make_user(app)
    description_max = _form_max(*MARKDOWN_FIELDS["issue description"])
    body_max = _form_max(*MARKDOWN_FIELDS["reaction"])
    issue = make_issue(app, process.id, author.id, description=repeat("![")(description_max))
    with app.app_context():
        for i in range(30):
            db.session.add(
                Comment(issue_id=issue.id, author_id=author.id, body=repeat(["![", "a-a.", "[a]("][i % 3])(body_max))
            )
        db.session.scalar(sa.select(Issue).where(Issue.id == issue.id)).comment_count = 30
        db.session.commit()
    return SimpleNamespace(id=issue.id, process=process, author=author)


@pytest.fixture
def count_renders(monkeypatch):
    calls = []
    real = text_module._html

    def counting(source, headings):
        calls.append(len(source))
        return real(source, headings)

    monkeypatch.setattr(text_module, "_html", counting)
    return calls


def test_pages_with_hostile_texts_render_no_markdown(app, client, auth, hostile_issue, count_renders):
    """The issue page with 30 hostile reactions, the list and the process page read stored HTML only."""
    auth.login_as("wijkregisseur")  # a moderator sees every reaction and the moderation links
    for url in (
        f"/issues/{hostile_issue.id}",
        f"/processes/{hostile_issue.process.slug}/issues",
        f"/processes/{hostile_issue.process.slug}",
    ):
        start = time.perf_counter()
        response = client.get(url)
        assert response.status_code == 200, url
        assert count_renders == [], url
        assert time.perf_counter() - start < 5, url  # before: about 6 s of rendering on the issue page
    page = client.get(f"/issues/{hostile_issue.id}").get_data(as_text=True)
    assert page.count("![![![") >= 30  # shown, as text


def test_saved_texts_carry_their_html(app, client, auth):
    from app.issues.models import Comment, Issue

    process = make_process(app)
    user = auth.login_as("resident")
    issue = make_issue(app, process.id, user.id, description="Een **vet** voorstel")
    response = client.post(
        f"/issues/{issue.id}/comments",
        data={"body": "Mee *eens*, zie www.zoetermeer.nl", "stance": "for", "kind": "experience"},
    )
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.scalar(sa.select(Issue).where(Issue.id == issue.id))
        assert stored.description_html == "<p>Een <strong>vet</strong> voorstel</p>\n"
        assert stored.html_rules == RENDER_RULES
        comment = db.session.scalar(sa.select(Comment).where(Comment.issue_id == issue.id))
        assert "<em>eens</em>" in comment.body_html and 'href="http://www.zoetermeer.nl"' in comment.body_html
        assert comment.html_rules == RENDER_RULES
        comment.body = "Toch *niet*"  # an edit (by its author, a moderator, the CLI) renders again by itself
        db.session.commit()
        assert db.session.get(Comment, comment.id).body_html == "<p>Toch <em>niet</em></p>\n"


def test_every_markdown_column_is_rendered_on_assignment(app):
    """Each model declared in app/rendered.py gets its HTML the moment a source is assigned."""
    assert len(rendered_module.MARKDOWN_COLUMNS) >= 9
    for model, fields in rendered_module.MARKDOWN_COLUMNS.items():
        row = model()
        for field in fields:
            setattr(row, field, "# Kop\n\n**vet**")
            assert "<strong>vet</strong>" in getattr(row, f"{field}_html"), (model, field)
            assert ("<h2>Kop</h2>" in getattr(row, f"{field}_html")) == fields[field], (model, field)
        assert row.html_rules == RENDER_RULES


def test_new_rules_render_the_stored_texts_again(app, client, runner, monkeypatch, count_renders):
    from app.issues.models import Issue

    process = make_process(app)
    author = make_user(app)
    issue = make_issue(app, process.id, author.id, description="Oude **tekst**")
    count_renders.clear()
    client.get(f"/issues/{issue.id}")
    assert count_renders == []  # current rules: the stored HTML is shown

    # The rules change (a new version of app/text.py): rows are rendered again on view until stored anew.
    monkeypatch.setattr(rendered_module, "RENDER_RULES", RENDER_RULES + 1)
    monkeypatch.setattr(rendered_module, "render_markdown", lambda source, headings=False: f"<p>nieuw: {source}</p>")
    page = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert "nieuw: Oude **tekst**" in page

    result = runner.invoke(args=["text", "status"])
    assert "rows not rendered with rules" in result.output and "issues: 1" in result.output
    result = runner.invoke(args=["text", "rerender"])
    assert result.exit_code == 0, result.output
    assert "issues: 1" in result.output
    with app.app_context():
        stored = db.session.get(Issue, issue.id)
        assert stored.html_rules == RENDER_RULES + 1
        assert stored.description_html == "<p>nieuw: Oude **tekst**</p>"
    assert "0 rows not rendered" in runner.invoke(args=["text", "status"]).output


def test_bulk_inserts_of_the_scale_seed_carry_html(app, runner):
    from app.issues.models import Comment, Issue

    make_process(app, slug="buytenwegh")
    result = runner.invoke(args=["seed", "scale", "--issues", "3", "--users", "3", "--votes", "2", "--comments", "3"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        for model in (Issue, Comment):
            rows = db.session.scalars(sa.select(model)).all()
            assert rows and all(row.html_rules == RENDER_RULES for row in rows), model
        assert all(i.description_html.startswith("<p>") for i in db.session.scalars(sa.select(Issue)))


# --- texts saved before the HTML was stored ------------------------------------------------------------


def _insert(conn, table_name: str, **values) -> int:
    """A row with the given values and something plain in every other required column."""
    from datetime import UTC, date, datetime

    table = sa.Table(table_name, sa.MetaData(), autoload_with=conn)
    row = dict(values)
    for column in table.columns:
        if column.name in row or column.primary_key or column.nullable or column.server_default is not None:
            continue
        kind = column.type.python_type if not isinstance(column.type, sa.JSON) else dict
        row[column.name] = {str: "", int: 0, bool: False, dict: {}, datetime: datetime.now(UTC), date: date.today()}[
            kind
        ]
    return conn.execute(table.insert().values(row)).inserted_primary_key[0]


def test_the_migration_renders_the_texts_already_there(empty_database_url):  # noqa: F811 - the fixture
    from flask_migrate import upgrade

    from tests.conftest import make_app

    app = make_app(empty_database_url)
    with app.app_context():
        upgrade(revision="0006_covenants")
        with db.engine.begin() as conn:
            process = _insert(
                conn, "processes", slug="p", name="P", neighbourhood="W", current_phase="issues", plan="Het **plan**"
            )
            issues = [
                _insert(
                    conn,
                    "issues",
                    process_id=process,
                    title=f"Onderwerp {n}",
                    description=f"Tekst *{n}* op www.zoetermeer.nl",
                    scale="small",
                    term="short",
                    breadth="single",
                    status="open",
                )
                for n in range(210)  # more than one batch
            ]
            _insert(conn, "comments", issue_id=issues[0], body="![" * 2500, stance="for", kind="experience")
        upgrade(revision="0007_rendered_html")
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT description_html, html_rules FROM issues ORDER BY id")).all()
            assert len(rows) == 210 and {rules for _html, rules in rows} == {RENDER_RULES}
            assert rows[209][0] == str(render_markdown("Tekst *209* op www.zoetermeer.nl"))
            plan = conn.execute(sa.text("SELECT plan_html, description_html FROM processes")).one()
            assert plan == ("<p>Het <strong>plan</strong></p>\n", "")
            body = conn.execute(sa.text("SELECT body_html FROM comments")).scalar_one()
            assert body.count("![") == 2500
        db.engine.dispose()
