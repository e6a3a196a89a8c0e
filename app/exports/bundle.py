"""The congress bundle: one ZIP with the booklet, the posters, the workbook, CSV and JSON.

Each table is read from the database once, in pages (app/exports/data.py), and written
at the same time as CSV and JSON to temporary files and as a sheet of a write-only
workbook; the files are then streamed into the archive. Nothing is held whole in memory.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from babel.numbers import format_decimal
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE as ILLEGAL

from app.exports.data import TABLES, Table, scrub
from app.processes.models import Process

PARTS = ("booklet", "posters", "issues", "comments", "votes", "agendas", "covenants", "council")
Progress = Callable[[int, str], None]
CHUNK = 1024 * 1024


def _text(value) -> str:
    """A value for CSV and the workbook: lists joined, dates as ISO 8601, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool):
        return "ja" if value else "nee"
    return str(value)


def _csv_value(value):
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    text = _text(value)
    # A spreadsheet would run text starting with these as a formula: keep it text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _json_value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def _xlsx_cell(sheet, value):
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)  # Excel has no time zones: UTC
        return value
    if isinstance(value, date | int | float | Decimal) and not isinstance(value, bool):
        return value
    text = _text(value)
    if ILLEGAL.search(text):
        text = ILLEGAL.sub("", text)
    if text.startswith("="):
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"  # text, never a formula
        return cell
    return text


class _Writers:
    """CSV and JSON of one table into temporary files, and its sheet in the workbook."""

    def __init__(self, table: Table, workbook: Workbook):
        self.table = table
        self.csv_file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self.json_file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self._csv_text = io.TextIOWrapper(self.csv_file, encoding="utf-8-sig", newline="")
        self._json_text = io.TextIOWrapper(self.json_file, encoding="utf-8")
        self._csv = csv.writer(self._csv_text)
        self._csv.writerow(table.columns)
        self._json_text.write("[")
        self.sheet = workbook.create_sheet(title=table.name)
        self.sheet.append(list(table.columns))
        self.count = 0

    def write(self, row: dict) -> None:
        values = [row.get(column) for column in self.table.columns]
        self._csv.writerow([_csv_value(v) for v in values])
        self._json_text.write(("," if self.count else "") + "\n")
        self._json_text.write(json.dumps(row, ensure_ascii=False, default=_json_value))
        self.sheet.append([_xlsx_cell(self.sheet, v) for v in values])
        self.count += 1

    def finish(self) -> None:
        self._json_text.write("\n]\n")
        for text in (self._csv_text, self._json_text):
            text.flush()
            text.detach()
        self.csv_file.seek(0)
        self.json_file.seek(0)

    def close(self) -> None:
        self.csv_file.close()
        self.json_file.close()


def _copy_into(zf: zipfile.ZipFile, name: str, source: BinaryIO) -> None:
    with zf.open(name, "w", force_zip64=True) as target:
        shutil.copyfileobj(source, target, CHUNK)


def _write_bytes(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    with zf.open(name, "w") as target:
        target.write(data)


def _optional(name: str):
    """The booklet or poster module, or None while it does not exist yet.

    Only the absence of the module itself is tolerated; an import error inside it is a real error.
    """
    import importlib

    try:
        return importlib.import_module(f"app.exports.{name}")
    except ImportError as error:
        if error.name == f"app.exports.{name}":
            return None
        raise


def build_bundle(
    process: Process,
    include: set[str] | frozenset[str] | None = None,
    out: BinaryIO | str | Path = "bundle.zip",
    progress: Progress | None = None,
) -> dict:
    """Write the congress bundle of `process` to `out` (a path or a binary file); returns a summary.

    `include` chooses among PARTS (all by default). `progress(percent, step)` is called between steps.
    """
    include = set(PARTS if include is None else include)
    unknown = include - set(PARTS)
    if unknown:
        raise ValueError(f"unknown parts: {', '.join(sorted(unknown))}")
    tables = [t for t in TABLES if t.part in include]
    booklet = _optional("booklet") if "booklet" in include else None
    posters = _optional("posters") if "posters" in include else None
    missing = [part for part, module in (("booklet", booklet), ("posters", posters)) if part in include and not module]
    steps = len(tables) + 3 + ("booklet" in include) + ("posters" in include)
    done = 0
    started = time.perf_counter()

    def step(name: str) -> None:
        nonlocal done
        if progress is not None:
            progress(min(99, int(100 * done / steps)), name)
        done += 1

    summary: dict = {"files": [], "rows": {}, "pdf_missing": []}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        workbook = Workbook(write_only=True)
        with tempfile.TemporaryFile() as xlsx_file:
            for table in tables:
                step(table.name)
                writers = _Writers(table, workbook)
                try:
                    for row in table.rows(process):
                        writers.write(row)
                    writers.finish()
                    _copy_into(zf, f"csv/{table.name}.csv", writers.csv_file)
                    _copy_into(zf, f"data/{table.name}.json", writers.json_file)
                finally:
                    writers.close()
                summary["rows"][table.name] = writers.count
            step("xlsx")
            if tables:
                workbook.save(xlsx_file)
                xlsx_file.seek(0)
                _copy_into(zf, f"{process.slug}.xlsx", xlsx_file)
        if "booklet" in include and booklet is not None:
            step("booklet")
            _write_bytes(zf, "booklet.pdf", booklet.booklet_pdf(process, include))
        if "posters" in include and posters is not None:
            step("posters")
            for filename, data in posters.poster_pdfs(process):
                _write_bytes(zf, f"posters/{filename}", data)
        summary["pdf_missing"] = missing
        step("readme")
        _write_bytes(zf, "README.txt", readme(process, tables, include, summary).encode("utf-8"))
        summary["files"] = zf.namelist()
    summary["seconds"] = time.perf_counter() - started
    if progress is not None:
        progress(100, "done")
    return summary


def readme(process: Process, tables: list[Table], include: set[str], summary: dict) -> str:
    """README.txt in Dutch: what each file holds and the privacy rules."""
    lines = [
        f"Congresbundel: {scrub(process.name)}",
        "=" * 60,
        "",
        f"Gemaakt op {datetime.now(UTC).strftime('%d-%m-%Y %H:%M')} (UTC) door het platform",
        f"'Wijk van de toekomst' voor het proces '{process.slug}'.",
        "",
        "Wat zit erin",
        "------------",
    ]
    missing = summary.get("pdf_missing") or []
    if "booklet" in include and "booklet" not in missing:
        lines.append("booklet.pdf        het boekje (A4) met het proces, de uitkomsten en de inhoudsopgave")
    if "posters" in include and "posters" not in missing:
        lines.append("posters/           een poster (A3) voor elk gekozen onderwerp, om op te hangen")
    for part in missing:
        what = "Het boekje zit" if part == "booklet" else "De posters zitten"
        lines.append(f"({what} niet in deze bundel: dat deel van het platform is nog niet klaar.)")
    if tables:
        lines.append(
            f"{process.slug}.xlsx".ljust(19) + "alle tabellen hieronder in één Excel-bestand, één blad per tabel"
        )
        lines.append("csv/<tabel>.csv    elke tabel als CSV (UTF-8, komma's), te openen in Excel of LibreOffice")
        lines.append("data/<tabel>.json  elke tabel als JSON (een lijst van objecten), voor open data")
        lines.append("")
        lines.append("De tabellen:")
        for table in tables:
            count = summary["rows"].get(table.name, 0)
            lines.append(f"- {table.name}: {table.description} ({format_decimal(count, locale='nl')} rijen)")
    lines += [
        "",
        "Privacy",
        "-------",
        "- Er staat geen enkel e-mailadres in deze bundel. Een e-mailadres dat iemand in een tekst typte,",
        f"  is vervangen door '{scrub('x@x.nl')}'.",
        "- Namen staan er alleen in van mensen die zelf kozen dat hun naam zichtbaar is.",
        "  Anderen staan erin als hun rol (bijvoorbeeld 'bewoner') of als hun organisatie.",
        "- Stemmen en punten staan er alleen als totaal per onderwerp in, nooit wie wat koos.",
        "  Punten uit de prioriteringsronde staan er pas in als die ronde gesloten is.",
        "- Verborgen onderwerpen en reacties (door moderatie, of nog niet gecontroleerd) staan er niet in.",
        "",
        "Over de bestanden",
        "-----------------",
        "- Lijsten (zoals domeinen of partijen) staan in CSV en Excel achter elkaar, gescheiden door '; '.",
        "- Tijden staan in ISO 8601 (UTC). Een lege cel betekent: niet van toepassing of nog niet bekend.",
        "- Tekst die begint met =, +, - of @ krijgt in de CSV een ' ervoor, zodat Excel er geen formule van maakt.",
        "",
    ]
    return "\n".join(lines)
