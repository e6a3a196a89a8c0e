"""Markdown rendered once, when it is saved: the clean HTML is stored beside its source.

A model says which of its text columns are Markdown, with an HTML column for each and one
`html_rules` column for the row::

    class Comment(db.Model):
        body: Mapped[str] = mapped_column(sa.Text)
        body_html: Mapped[str] = html_column()
        html_rules: Mapped[int] = rules_column()

    markdown_columns(Comment, "body")

Assigning a source (in a constructor, an edit, a moderation action, the seed, the CLI) renders it
through a SQLAlchemy attribute event, so no writer can forget it. `html_rules` holds the
`app.text.RENDER_RULES` the row was rendered with. Pages show `rendered(obj, "body")`: the stored
HTML, or, for a row written with older rules or by a bulk insert, a fresh (bounded) rendering until
`flask text rerender` stores it again. Pages never write while reading.
"""

from __future__ import annotations

import hashlib
import threading

import click
import sqlalchemy as sa
from flask.cli import AppGroup
from markupsafe import Markup
from sqlalchemy.orm import mapped_column

from app.extensions import db
from app.text import RENDER_RULES, html_excerpt, plain_excerpt, render_markdown

# model class -> {source column: headings}, filled by markdown_columns()
MARKDOWN_COLUMNS: dict[type, dict[str, bool]] = {}


def html_column():
    """The stored HTML of a Markdown column (empty for an empty text; the migration gives existing rows theirs)."""
    return mapped_column(sa.Text, default="")


def rules_column():
    """The RENDER_RULES a row's HTML was made with; 0: not rendered yet (a bulk insert)."""
    return mapped_column(default=0, server_default="0")


def _html_of(obj, field: str, headings: bool) -> str:
    return str(render_markdown(getattr(obj, field), headings))


def render_row(obj) -> None:
    """Render every Markdown column of `obj` with the current rules."""
    for field, headings in MARKDOWN_COLUMNS[type(obj)].items():
        setattr(obj, f"{field}_html", _html_of(obj, field, headings))
    obj.html_rules = RENDER_RULES


def markdown_columns(model: type, *fields: str, headings: bool = False) -> None:
    """Declare Markdown columns of `model`: each has `<field>_html`, and the model has `html_rules`."""
    columns = MARKDOWN_COLUMNS.setdefault(model, {})
    for field in fields:
        columns[field] = headings
        sa.event.listen(getattr(model, field), "set", _listener(field, headings))


def _listener(field: str, headings: bool):
    def on_set(target, value, _old, _initiator):
        if target.html_rules != RENDER_RULES:  # new, or rendered under older rules: the rest too
            for other, other_headings in MARKDOWN_COLUMNS[type(target)].items():
                if other != field:
                    setattr(target, f"{other}_html", _html_of(target, other, other_headings))
            target.html_rules = RENDER_RULES
        setattr(target, f"{field}_html", str(render_markdown(value, headings)))

    return on_set


def html_values(model: type, **sources: str) -> dict:
    """Column values for a bulk insert (`sa.insert(model)`), which skips attribute events."""
    values = {
        f"{field}_html": _cached(sources.get(field) or "", headings)
        for field, headings in MARKDOWN_COLUMNS[model].items()
    }
    return {**values, "html_rules": RENDER_RULES}


def rendered(obj, field: str) -> Markup:
    """The HTML of `obj.<field>` for a page: stored when it is current, else rendered now (not stored)."""
    if obj is None:
        return Markup("")
    if obj.html_rules == RENDER_RULES:
        return Markup(getattr(obj, f"{field}_html") or "")  # noqa: S704 - cleaned when it was stored
    return _cached(getattr(obj, field) or "", MARKDOWN_COLUMNS[type(obj)][field])


class _Recent:
    """Recently rendered texts by digest, least recent first, up to `limit` characters of HTML in all."""

    def __init__(self, limit: int):
        self.limit, self.size = limit, 0
        self.items: dict[bytes, Markup] = {}
        self.lock = threading.Lock()

    def get(self, key: bytes) -> Markup | None:
        with self.lock:
            html = self.items.pop(key, None)
            if html is not None:
                self.items[key] = html  # now the most recent
            return html

    def put(self, key: bytes, html: Markup) -> None:
        with self.lock:
            if key not in self.items:
                self.items[key] = html
                self.size += len(html)
            while self.size > self.limit and self.items:
                self.size -= len(self.items.pop(next(iter(self.items))))


_recent = _Recent(limit=4_000_000)


def _cached(source: str | None, headings: bool = False) -> Markup:
    """render_markdown, remembered for recently shown texts (a page shown again renders nothing)."""
    if not source:
        return Markup("")
    key = hashlib.blake2b(f"{RENDER_RULES}:{int(headings)}:{source}".encode(), digest_size=16).digest()
    html = _recent.get(key)
    if html is None:
        html = render_markdown(source, headings)
        _recent.put(key, html)
    return html


def excerpt_of(obj, field: str, length: int = 200) -> str:
    """A plain-text preview of `obj.<field>` from its stored HTML (no Markdown on view)."""
    if obj is None:
        return ""
    if obj.html_rules == RENDER_RULES:
        return html_excerpt(getattr(obj, f"{field}_html"), length)
    return plain_excerpt(getattr(obj, field), length)


def markdown_filter(source: str | None, headings: bool = False) -> Markup:
    """The `markdown` template filter, for texts that are not stored rendered (agenda and draft documents)."""
    return _cached(source, headings)


def stale_counts() -> dict[str, int]:
    """Rows per table whose stored HTML is missing or from other rules."""
    counts = {}
    for model in MARKDOWN_COLUMNS:
        counts[model.__tablename__] = db.session.scalar(
            sa.select(sa.func.count()).select_from(model).where(model.html_rules != RENDER_RULES)
        )
    return counts


def rerender(batch: int = 200, everything: bool = False) -> dict[str, int]:
    """Render and store the HTML of rows made under other rules (or every row), a batch per transaction."""
    done = {}
    for model in MARKDOWN_COLUMNS:
        key = sa.inspect(model).primary_key[0]
        count, after = 0, None
        while True:
            stmt = sa.select(model).order_by(key).limit(batch)
            if not everything:
                stmt = stmt.where(model.html_rules != RENDER_RULES)
            if after is not None:
                stmt = stmt.where(key > after)
            rows = db.session.scalars(stmt).all()
            if not rows:
                break
            for row in rows:
                render_row(row)
            after = getattr(rows[-1], key.key)
            count += len(rows)
            db.session.commit()
        done[model.__tablename__] = count
    return done


text_cli = AppGroup("text", help="Stored HTML of Markdown texts.")


@text_cli.command("rerender")
@click.option("--all", "everything", is_flag=True, help="Render every row, not only those made under other rules.")
@click.option("--batch", default=200, show_default=True, help="Rows per transaction.")
def rerender_command(everything: bool, batch: int) -> None:
    """Render again the stored HTML of texts made under other rendering rules."""
    done = rerender(batch=batch, everything=everything)
    total = sum(done.values())
    for table, count in done.items():
        if count:
            click.echo(f"{table}: {count}")
    click.echo(f"{total} rows rendered with rules {RENDER_RULES}.")


@text_cli.command("status")
def status_command() -> None:
    """How many rows wait for `flask text rerender`."""
    counts = stale_counts()
    for table, count in counts.items():
        click.echo(f"{table}: {count}")
    click.echo(f"{sum(counts.values())} rows not rendered with rules {RENDER_RULES}.")
