"""Command-line operations: `flask users …`, `flask seed …`, `flask translate …`.

They call the same services as the views.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.errors import DomainError
from app.extensions import db

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "app" / "translations"
POT = TRANSLATIONS / "messages.pot"

users_cli = AppGroup("users", help="Manage accounts.")
seed_cli = AppGroup("seed", help="Load data.")
translate_cli = AppGroup("translate", help="Extract, update and compile the translations.")
export_cli = AppGroup("export", help="Export material.")


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Display name.")
@click.option(
    "--role", required=True, help="resident, partner, wijkregisseur, facilitator, wethouder, council or admin."
)
@click.option("--org", "organisation", default="", help="Organisation the person represents (must exist).")
@click.option("--signatory", is_flag=True, help="May sign covenants for the organisation.")
@click.option("--password-stdin", is_flag=True, required=True, help="Read the password from standard input.")
def users_create(email, name, role, organisation, signatory, password_stdin):
    """Create an account (memberships are approved at once)."""
    from app.accounts.models import Role
    from app.accounts.services import NewUser, create_user

    if role not in {r.value for r in Role}:
        raise click.BadParameter(f"choose one of {', '.join(r.value for r in Role)}", param_hint="--role")
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = create_user(
            NewUser(
                email=email,
                display_name=name,
                role=role,
                password=password,
                organisation=organisation,
                signatory=signatory,
            )
        )
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.field or 'error'}: {error.message}") from None
    db.session.commit()
    click.echo(f"created user {user.id} <{user.email}> as {user.role}")


@seed_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no accounts and no processes yet.")
def seed_demo(if_empty):
    """Load the Buytenwegh demo process and demo accounts (development only, idempotent)."""
    from app.seeding import database_is_empty, load_demo

    if current_app.config["NAME"] == "production":
        raise click.ClickException("refusing to load demo data in production (APP_CONFIG=production)")
    if if_empty and not database_is_empty():
        click.echo("demo data: skipped, the database is not empty")
        return
    added = load_demo()
    db.session.commit()
    click.echo("demo data: " + ", ".join(f"{count} {what} added" for what, count in added.items()))


COUNT = click.IntRange(min=0)


@seed_cli.command("scale")
@click.option("--issues", type=COUNT, default=10_000, show_default=True)
@click.option("--users", type=COUNT, default=2_000, show_default=True, help="0: use the existing accounts.")
@click.option("--votes", type=COUNT, default=100_000, show_default=True, help="Supports.")
@click.option("--comments", type=COUNT, default=30_000, show_default=True)
@click.option("--process", "slug", default="schaal", show_default=True, help="Process to fill (made if missing).")
def seed_scale(issues, users, votes, comments, slug):
    """Synthetic data at scale for benchmarks (development only). Any count may be 0.

    With --issues 0 the supports and comments go to the issues the process already has.
    """
    import time

    from app.processes import services as processes
    from app.seeding.scale import load_scale

    if current_app.config["NAME"] == "production":
        raise click.ClickException("refusing to load synthetic data in production (APP_CONFIG=production)")
    started = time.perf_counter()
    try:
        process = processes.get_process(slug) or processes.create_process(
            processes.ProcessData(name=f"Schaaltest {slug}", neighbourhood="Schaal", slug=slug, published=True)
        )
        process.current_phase = "issues"
        made = load_scale(process, issues=issues, users=users, votes=votes, comments=comments)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.field or 'error'}: {error.message}") from None
    db.session.commit()
    click.echo(", ".join(f"{n} {what}" for what, n in made.items()) + f" in {time.perf_counter() - started:.1f}s")


EXPORT_PARTS = ("booklet", "posters", "issues", "comments", "votes", "agendas", "covenants", "council")


@export_cli.command("congress")
@click.argument("slug")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True), help="The ZIP to write.")
@click.option(
    "--without",
    multiple=True,
    type=click.Choice(EXPORT_PARTS),
    help="Leave a part out (repeat for more).",
)
def export_congress(slug, out, without):
    """The congress bundle of a process (booklet, posters, XLSX, CSV, JSON) as one ZIP file."""
    import os
    import time

    from app import reading
    from app.exports.bundle import build_bundle
    from app.processes.services import get_process
    from app.processes.visibility import including_unpublished

    include = set(EXPORT_PARTS) - set(without)
    if not include:
        raise click.ClickException("nothing left to export")
    started = time.perf_counter()
    part = f"{out}.part"
    try:
        # Only reads, the look-up of the process included: never SQLite's write lock (app/__init__.py).
        # An operator may export a process that is not published yet (app/processes/visibility.py).
        with reading(current_app), including_unpublished():
            process = get_process(slug)
            if process is None:
                raise click.ClickException(f"no process with slug {slug!r}")
            summary = build_bundle(process, include, part)
        os.replace(part, out)
    finally:
        if os.path.exists(part):
            os.remove(part)
    size = os.path.getsize(out)
    rows = ", ".join(f"{n} {table}" for table, n in summary["rows"].items())
    click.echo(
        f"wrote {out}: {len(summary['files'])} files, {size / 1024:.0f} KiB in {time.perf_counter() - started:.1f}s"
    )
    if rows:
        click.echo(f"rows: {rows}")
    for part_name in summary["pdf_missing"]:
        click.echo(f"note: {part_name} left out (not available yet)")


def _babel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


def extract_messages(target: Path = POT) -> None:
    _babel(
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "_l",
        "--no-location",
        "--sort-output",
        "--omit-header",
        "-o",
        str(target),
        ".",
    )


@translate_cli.command("extract")
def translate_extract():
    """Write messages.pot from the code and templates."""
    extract_messages()


@translate_cli.command("update")
def translate_update():
    """Extract, then merge new strings into every language's .po file."""
    extract_messages()
    _babel("update", "-i", str(POT), "-d", str(TRANSLATIONS), "--no-fuzzy-matching", "--ignore-obsolete")


@translate_cli.command("compile")
def translate_compile():
    """Compile the .po files into the .mo files the app reads."""
    _babel("compile", "-d", str(TRANSLATIONS), "--statistics")


@translate_cli.command("init")
@click.argument("lang")
def translate_init(lang):
    """Start a new language."""
    _babel("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", lang)


def register(app: Flask) -> None:
    from app.jobs.cli import jobs_cli
    from app.processes.cli import processes_cli
    from app.rendered import text_cli

    for group in (users_cli, seed_cli, translate_cli, export_cli, text_cli, processes_cli, jobs_cli):
        app.cli.add_command(group)
