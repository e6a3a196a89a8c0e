"""A3 posters for the congress hall: one per shortlisted issue, with its support and agenda highlights."""

from __future__ import annotations

from collections.abc import Iterator

from app.exports.booklet import agendas_for, closed_round, organisation_names, period, render_pdf
from app.exports.data import scrub
from app.processes.models import Process
from app.processes.services import slugify

HIGHLIGHTS = 3  # activities per agenda on a poster
SUMMARY_LENGTH = 600


def highlights(pairs, names: dict[str, str]) -> list[tuple[object, list[dict]]]:
    """Per agenda (1, 5, 10 years): its first few activities with the responsible party's name and period."""
    return [
        (
            agenda,
            [
                {
                    "title": item.get("title", ""),
                    "responsible": names.get(item.get("responsible") or "", ""),
                    "period": period(item),
                }
                for item in doc["items"][:HIGHLIGHTS]
            ],
        )
        for agenda, doc in pairs
    ]


def filename(issue) -> str:
    return f"{issue.id}-{slugify(scrub(issue.title)) or 'onderwerp'}.pdf"


def poster_pdfs(process: Process) -> Iterator[tuple[str, bytes]]:
    """(file name, A3 PDF bytes) for every visible shortlisted issue, the most supported first."""
    from app.issues import decisions, voting

    shortlist = decisions.shortlisted(process.id)
    issues = [issue for issue, _decision in shortlist]
    round_ = closed_round(process.id)
    points = voting.totals_for(round_, [i.id for i in issues]) if round_ is not None else None
    names = organisation_names()
    agendas = agendas_for(issues)
    for issue in issues:
        pdf = render_pdf(
            "exports/poster.html",
            process=process,
            issue=issue,
            summary_length=SUMMARY_LENGTH,
            points=None if points is None else points.get(issue.id, 0),
            highlights=highlights(agendas[issue.id], names),
        )
        yield filename(issue), pdf
