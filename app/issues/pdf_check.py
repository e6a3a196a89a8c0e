"""Does a PDF carry anything a reader would run or open by itself? A byte-level check, not a parser.

We do not parse or render PDFs on the server (no PDF parser's bugs within reach of an upload); we look at
the bytes for the names that make a PDF act: scripts, launching programs, submitting or importing data,
going to other or embedded files, automatic actions on opening or on events, XFA forms, rich media and
attached files. What this check does about the ways such a name can hide:

- Names may be written with `#xx` escapes (`/J#61vaScript` is `/JavaScript`): every name is decoded
  before it is compared.
- Dictionaries may sit compressed inside object streams (`/Type /ObjStm`, `/FlateDecode`), which most
  PDF writers use. Every stream whose data starts as a zlib stream is inflated and its content checked
  as well. Inflating is bounded against zip bombs: at most `STREAM_BUDGET` bytes per stream and
  `TOTAL_BUDGET` for the whole file. A stream that may hold objects (its dictionary names `/ObjStm` or
  `/First`, or its content begins like an object stream's header) must be inflated completely within
  those bounds, without an error, and with nothing but a single `/FlateDecode` (no predictor): otherwise
  the file is refused as one we cannot check. Other streams (pictures, fonts, page contents) can hold no
  object a reader acts on: past the bound, or broken, they are simply not read further.
- A destination is no action: `/OpenAction [3 0 R /Fit]` (open at a page, as LibreOffice writes) is
  fine; an `/OpenAction` dictionary (or a reference to one) is an action and is refused.
- Short names (`/JS`, `/AA`, `/EF`) count only where a value of their kind follows (a string, dictionary
  or reference), so a few random bytes in a photo inside the PDF do not make it "contain a script".

What it cannot promise: a file built to mislead a reading without a full parser (for example a stream's
dictionary disguised inside a string) may get through. That is why PDFs are only ever served as
downloads with `nosniff` and a sandboxing Content-Security-Policy, and the reader's own protections stay
the last line.
"""

from __future__ import annotations

import bisect
import re
import zlib
from enum import Enum

STREAM_BUDGET = 16 * 1024 * 1024  # bytes one stream may inflate to while we read it
TOTAL_BUDGET = 32 * 1024 * 1024  # bytes all streams of one file may inflate to together
_CHUNK = 64 * 1024
_CARRY = 4096  # bytes kept between chunks, so a name and its value are never cut in two

_WS = rb"\x00\t\n\x0c\r "
_DELIMITERS = rb"()<>\[\]{}/%"
_REGULAR = rb"[^" + _WS + _DELIMITERS + rb"]"
_SPACE = rb"(?:[" + _WS + rb"]|%[^\r\n]*(?:\r\n|\r|\n|\Z))*"  # white space and comments
_NAME = re.compile(rb"/(" + _REGULAR + rb"{1,127})")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_REFERENCE = rb"\d{1,10}[" + _WS + rb"]+\d{1,5}[" + _WS + rb"]+R(?!" + _REGULAR + rb")"
# What follows a name, for the names that count only with a value of their kind.
_SPACE_RUN = re.compile(_SPACE)
_DICT_OR_REF = re.compile(_SPACE + rb"(?:<<|" + _REFERENCE + rb")")
_STRING_OR_REF = re.compile(_SPACE + rb"(?:\(|<(?!<)|" + _REFERENCE + rb")")

# Names that make a PDF act or carry files, wherever they appear.
ACTIVE = frozenset(
    {
        b"JavaScript",
        b"Launch",
        b"SubmitForm",
        b"ImportData",
        b"GoToE",
        b"GoToR",
        b"Rendition",
        b"RichMedia",
        b"XFA",
        b"EmbeddedFile",
        b"EmbeddedFiles",
        b"FileAttachment",
    }
)
# Short names: only with a value of their kind (see the module's docstring).
ACTIVE_WITH_VALUE = {b"JS": _STRING_OR_REF, b"AA": _DICT_OR_REF, b"EF": _DICT_OR_REF, b"OpenAction": _DICT_OR_REF}

_STREAM = re.compile(rb"(?<!" + _REGULAR + rb")stream[ \t\x00\x0c]*(?:\r\n|\n|\r)")
_OBJECT = re.compile(
    rb"(?<!" + _REGULAR + rb")\d{1,10}[" + _WS + rb"]+\d{1,5}[" + _WS + rb"]+obj(?!" + _REGULAR + rb")"
)
_TOKEN = re.compile(rb"/" + _REGULAR + rb"*|\[|\]|<<|>>|\d+")
# The start of an object stream: pairs of object numbers and offsets.
_OBJSTM_HEAD = re.compile(rb"[" + _WS + rb"]*\d+[" + _WS + rb"]+\d+(?:[" + _WS + rb"]|\Z)")
_FLATE = (b"FlateDecode", b"Fl")


class Finding(Enum):
    ACTIVE = "active"  # a script, an action or an attached file
    UNCHECKABLE = "uncheckable"  # objects compressed in a way we cannot (or will not) read


class _Refused(Exception):
    def __init__(self, finding: Finding):
        self.finding = finding


def inspect(data: bytes) -> Finding | None:
    """What makes this PDF unfit to keep, or None when nothing in it acts by itself."""
    try:
        _scan(data)
        _scan_streams(data)
    except _Refused as refused:
        return refused.finding
    return None


def _decoded(name: bytes) -> bytes:
    return _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), name) if b"#" in name else name


def _scan(text: bytes, limit: int | None = None) -> None:
    """Raise when `text` names an action. With `limit` (more text follows): only names that start
    before it count, and a short name whose value may lie beyond the end counts as active."""
    for match in _NAME.finditer(text):
        if limit is not None and match.start() >= limit:
            return
        name = _decoded(match.group(1))
        if name in ACTIVE:
            raise _Refused(Finding.ACTIVE)
        value = ACTIVE_WITH_VALUE.get(name)
        if value is None:
            continue
        if value.match(text, match.end()):
            raise _Refused(Finding.ACTIVE)
        if limit is not None and _SPACE_RUN.match(text, match.end()).end() >= len(text):
            raise _Refused(Finding.ACTIVE)  # thousands of blanks after it: no ordinary PDF does that


def _scan_streams(data: bytes) -> None:
    """Inflate and scan every zlib stream; each `stream` keyword counts (one inside a string included)."""
    objects = [m.end() for m in _OBJECT.finditer(data)]
    budgets = {True: TOTAL_BUDGET, False: TOTAL_BUDGET}  # for streams that may hold objects, and the rest
    for stream in _STREAM.finditer(data):
        dictionary = _dictionary_before(data, objects, stream.start())
        _check_stream(data, stream.end(), dictionary, budgets)


def _dictionary_before(data: bytes, objects: list[int], keyword: int) -> dict[bytes, list[bytes]]:
    """The stream's dictionary, roughly: each name in it with the names or numbers given to it."""
    index = bisect.bisect_right(objects, keyword) - 1
    begin = objects[index] if index >= 0 else 0
    found: dict[bytes, list[bytes]] = {}
    key, in_array = None, False
    for token in _TOKEN.findall(data, max(begin, keyword - 65536), keyword):
        if token == b"[":
            in_array = key is not None
        elif token in (b"]", b"<<", b">>"):
            key, in_array = None, False
        elif key is None:
            if token.startswith(b"/"):
                key = _decoded(token[1:])
                found.setdefault(key, [])
        else:
            found[key].append(_decoded(token[1:]) if token.startswith(b"/") else token)
            if not in_array:
                key = None
    return found


def _check_stream(data: bytes, start: int, dictionary: dict, budgets: dict) -> None:
    filters = dictionary.get(b"Filter") or []
    holds_objects = b"First" in dictionary or b"ObjStm" in dictionary.get(b"Type", [])
    if not _is_zlib(data[start : start + 2]):
        if holds_objects and filters:  # encoded in another way: its objects would stay out of sight
            raise _Refused(Finding.UNCHECKABLE)
        return  # not encoded: its bytes were read with the rest of the file
    holds_objects = holds_objects or _begins_like_objects(data, start)
    if holds_objects and (filters not in ([b"FlateDecode"], [b"Fl"]) or _predictor(dictionary) > 1):
        raise _Refused(Finding.UNCHECKABLE)  # what comes out of zlib is not yet what a reader reads
    _inflate_and_scan(data, start, holds_objects, budgets)


def _predictor(dictionary: dict) -> int:
    values = dictionary.get(b"Predictor") or [b"1"]
    return int(values[0]) if values[0].isdigit() else 2


def _is_zlib(head: bytes) -> bool:
    return len(head) == 2 and head[0] & 0x0F == 8 and head[0] >> 4 <= 7 and (head[0] * 256 + head[1]) % 31 == 0


def _begins_like_objects(data: bytes, start: int) -> bool:
    try:
        head = zlib.decompressobj().decompress(data[start : start + 4096], 64)
    except zlib.error:
        return False  # broken from the start: a reader gets nothing out of it either
    return bool(_OBJSTM_HEAD.match(head))


def _inflate_and_scan(data: bytes, start: int, holds_objects: bool, budgets: dict) -> None:
    """Inflate one stream chunk by chunk, never past the budgets, scanning what comes out.

    A stream that may hold objects must be read to its end within the budget, without error; any other
    stream is read as far as the budget goes.
    """
    inflater = zlib.decompressobj()
    allowed = min(STREAM_BUDGET, budgets[holds_objects])
    produced, position, pending, carry = 0, start, b"", b""
    while not inflater.eof:
        if not pending and position < len(data):
            pending = data[position : position + _CHUNK]
            position += len(pending)
        try:
            out = inflater.decompress(pending, _CHUNK)
        except zlib.error:
            if holds_objects:
                raise _Refused(Finding.UNCHECKABLE) from None
            break  # a damaged picture or page: nothing a reader acts on is in it
        pending = inflater.unconsumed_tail
        if not out:
            if not pending and position >= len(data):
                break  # the file ends before the stream does
            continue
        produced += len(out)
        budgets[holds_objects] -= len(out)
        text = carry + out
        _scan(text, limit=len(text) - _CARRY)
        carry = text[-_CARRY:]
        if produced > allowed:
            if holds_objects:
                raise _Refused(Finding.UNCHECKABLE)
            break
    _scan(carry)
