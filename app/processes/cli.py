"""`flask processes …`: list processes, publish one, change its phase. The same services as the pages."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.errors import DomainError
from app.extensions import db

processes_cli = AppGroup("processes", help="Processes: list, publish, change the phase.")


def _process_or_fail(slug: str):
    from app.processes.services import get_process

    process = get_process(slug)
    if process is None:
        raise click.ClickException(f"no process with slug {slug!r}")
    return process


@processes_cli.command("list")
def processes_list():
    """Every process with its phase and whether it is published."""
    from app.processes.models import Process

    for process in db.session.scalars(sa.select(Process).order_by(Process.created_at, Process.id)):
        state = f"published {process.published_at:%Y-%m-%d}" if process.published_at else "not published"
        click.echo(f"{process.slug}\t{process.current_phase}\t{state}\t{process.name}")


@processes_cli.command("publish")
@click.argument("slug")
def processes_publish(slug):
    """Make a process visible to everyone."""
    from app.processes import services

    if services.publish(None, _process_or_fail(slug)):
        db.session.commit()
        click.echo(f"{slug}: published")
    else:
        click.echo(f"{slug}: was published already")


@processes_cli.command("phase")
@click.argument("slug")
@click.argument("phase")
@click.option("--reason", required=True, help="Why the phase changes (shown in the public phase history).")
@click.option("--confirm", is_flag=True, help="Needed to go back a phase or to skip one.")
def processes_phase(slug, phase, reason, confirm):
    """Move a process to another phase, as the wijkregisseur does on the process page."""
    from app.processes import services
    from app.processes.models import PhaseKey
    from app.processes.phase_guard import describe

    process = _process_or_fail(slug)
    if phase not in {k.value for k in PhaseKey}:
        raise click.BadParameter(f"choose one of {', '.join(k.value for k in PhaseKey)}", param_hint="PHASE")
    if phase != process.current_phase:
        move = describe(process, phase)
        for line in [*move.warnings, *(f"stops: {a.label}" for a in move.stops), *move.effects]:
            click.echo(f"  {line}")
    try:
        services.set_phase(None, process, phase, reason, confirmed=confirm)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.field or 'error'}: {error.message}") from None
    db.session.commit()
    click.echo(f"{slug}: now in {phase}")
