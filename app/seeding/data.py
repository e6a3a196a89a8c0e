"""The seed files in `seeds/` (data), as the loaders of this package read them."""

from __future__ import annotations

import tomllib
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def read(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def issue_titles() -> dict[str, str]:
    """The demo issues' titles by their key: the other seed files name issues by key (demo_issues.toml)."""
    return {issue["key"]: issue["title"] for issue in read(SEEDS / "demo_issues.toml")["issues"]}
