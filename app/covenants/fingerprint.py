"""The fingerprint of a covenant version: SHA-256 of a documented canonical form.

Anyone holding the printed text can recompute it, so the canonical form is simple, exact and
written down here (and on the public verify page):

    buytenwegh-covenant/1
    title: <title>
    party: <key> <name>
    party: <key> <name>
    text:
    <text>

1. Every part is Unicode NFC, so the same letters typed differently (é as one or two code points)
   give the same bytes.
2. Title and party names: every run of whitespace becomes one space, trimmed at both ends.
3. Parties: one line each, `party: ` then the party key (the organisation's number, or
   `municipality`), one space, and the name; sorted by key compared as text, character by
   character (so `10` comes before `9`), so the order they are listed in does not matter.
4. Text: line endings become `\\n`; spaces and tabs at the end of a line are dropped; runs of blank
   lines become one blank line; blank lines at the start and end are dropped; the text ends with
   exactly one `\\n`. Formatting that does not change what the Markdown says (Windows line endings,
   trailing spaces, extra empty lines) therefore gives the same fingerprint; any other change to a
   character of the text, the title, a party's name, or the list of parties gives another.
5. The whole is encoded as UTF-8 and hashed with SHA-256; the fingerprint is the 64 lower-case
   hexadecimal digits.

The page `/covenants/<id>/versions/<n>/canonical.txt` serves this form byte for byte, so
`sha256sum canonical.txt` gives the fingerprint.

Trailing spaces are ignored although two of them make a line break in some Markdown dialects;
our renderer (app/text.py) does not treat them so, so they never change what is shown.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

FORMAT = "buytenwegh-covenant/1"
_SPACE = re.compile(r"\s+")
_HEX = re.compile(r"^[0-9a-f]{64}$")


def _line(value: str) -> str:
    return _SPACE.sub(" ", unicodedata.normalize("NFC", value or "")).strip()


def canonical_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "").replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip(" \t") for line in text.split("\n")]
    kept: list[str] = []
    for line in lines:
        if line == "" and (not kept or kept[-1] == ""):
            continue  # a blank line at the start, or a second one in a row
        kept.append(line)
    while kept and kept[-1] == "":
        kept.pop()
    return "\n".join(kept) + "\n"


def canonical_form(title: str, parties: Iterable[tuple[str, str]], text: str) -> str:
    """The exact string that is hashed. `parties`: (key, name) pairs, in any order."""
    party_lines = sorted(f"party: {_line(key)} {_line(name)}" for key, name in parties)
    return "\n".join([FORMAT, f"title: {_line(title)}", *party_lines, "text:", canonical_text(text)])


def fingerprint(title: str, parties: Iterable[tuple[str, str]], text: str) -> str:
    return hashlib.sha256(canonical_form(title, parties, text).encode("utf-8")).hexdigest()


def clean_fingerprint(value: str) -> str | None:
    """A fingerprint as someone typed or pasted it (spaces, capitals, a `sha256:` prefix), or None."""
    value = re.sub(r"[\s:-]", "", (value or "").strip().lower())
    value = value.removeprefix("sha256")
    return value if _HEX.match(value) else None


def grouped(value: str, size: int = 8) -> str:
    """Easier to read aloud and compare on paper: `3f2a9c1d 07be...`."""
    return " ".join(value[i : i + size] for i in range(0, len(value), size))
