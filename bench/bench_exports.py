"""Rough figures for the congress bundle (issue #7). Prints; asserts nothing.

    .venv/bin/python bench/bench_exports.py [--issues N] [--users N] [--votes N] [--comments N]

Fills a temporary SQLite database with the demo data and `flask seed scale` data (by default
10,000 issues, 100,000 supports and 30,000 comments in the process "schaal"), then builds the
bundle of that process three times: the data alone (CSV, JSON, XLSX), the whole bundle (with
the booklet and posters when they exist), and the data once more under tracemalloc. It prints
the time, the peak Python memory (tracemalloc), the process's peak resident memory
(ru_maxrss) and the ZIP's size.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
import zipfile
from itertools import pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app
from app.exports.bundle import PARTS, build_bundle
from app.extensions import db
from app.processes import services as processes
from app.seeding import load_demo
from app.seeding.scale import load_scale
from config import DevelopmentConfig

DATA_ONLY = set(PARTS) - {"booklet", "posters"}


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def run(process, include, out: Path, trace: bool = False) -> dict:
    db.session.expire_all()
    steps: list[tuple[float, str]] = []
    started = time.perf_counter()
    if trace:
        tracemalloc.start()
    summary = build_bundle(process, include, out, progress=lambda pct, step: steps.append((time.perf_counter(), step)))
    peak = tracemalloc.get_traced_memory()[1] if trace else None
    if trace:
        tracemalloc.stop()
    seconds = time.perf_counter() - started
    timings = {}
    for (at, step), (next_at, _next) in pairwise(steps):
        timings[step] = timings.get(step, 0) + next_at - at
    with zipfile.ZipFile(out) as zf:
        files = len(zf.namelist())
    return {
        "seconds": seconds,
        "peak": peak,
        "size": out.stat().st_size,
        "files": files,
        "rows": summary["rows"],
        "steps": timings,
    }


def show(label: str, result: dict) -> None:
    peak = f", tracemalloc peak {result['peak'] / 2**20:.1f} MiB" if result["peak"] is not None else ""
    print(
        f"{label}: {result['seconds']:.1f}s, ZIP {result['size'] / 2**20:.1f} MiB in {result['files']} files{peak},"
        f" ru_maxrss so far {rss_mib():.0f} MiB"
    )
    print("   steps: " + ", ".join(f"{k} {v:.1f}s" for k, v in result["steps"].items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=2_000)
    parser.add_argument("--votes", type=int, default=100_000)
    parser.add_argument("--comments", type=int, default=30_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        app = create_app(
            DevelopmentConfig,
            {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'bench.sqlite'}", "SQLALCHEMY_ECHO": False},
        )
        with app.app_context(), app.test_request_context("/exports", base_url="http://localhost"):
            db.create_all()
            started = time.perf_counter()
            load_demo()
            process = processes.create_process(
                processes.ProcessData(name="Schaaltest", neighbourhood="Schaal", slug="schaal", published=True)
            )
            process.current_phase = "issues"
            made = load_scale(process, issues=args.issues, users=args.users, votes=args.votes, comments=args.comments)
            db.session.commit()
            print(f"seeded {made} in {time.perf_counter() - started:.1f}s; ru_maxrss {rss_mib():.0f} MiB")
            show("data only (CSV, JSON, XLSX)", run(process, DATA_ONLY, tmp_path / "data.zip"))
            show("whole bundle (with booklet and posters)", run(process, set(PARTS), tmp_path / "all.zip"))
            show("data only, under tracemalloc", run(process, DATA_ONLY, tmp_path / "traced.zip", trace=True))
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
