"""Diff and three-way merge of structured documents.

A document is plain JSON-able data::

    {"fields": {"summary": "...", "review": "..."},
     "items": [{"id": "a1", "title": "...", "status": "proposed"}, ...]}

`fields` are named values (text, numbers); `items` are ordered records with a stable `id`
(agenda activities, covenant articles). Everything here is pure: no database, no Flask.

- `diff(old, new)` says what changed, per field and per item: added, removed, changed, moved.
- `merge(base, mine, theirs)` combines two edits made from the same `base`. Changes to different
  fields or items merge by themselves; the same field changed two ways, an item removed by one and
  changed by the other, or two different new orders, are conflicts. The merged document then holds
  *their* value at each conflict, and each conflict carries both values, so nothing is lost.
- A text (a field, or a field of an item) changed on both sides is first merged line by line
  (`merge_lines`, in the style of diff3): when the two sides changed different lines, with at least
  one unchanged line between their changes, the result holds both and there is no conflict. Changes
  to the same lines, or touching each other (two insertions at the same place, an edit right next to
  another), are a conflict as before: which goes first, or what the combination should say, is for
  the editor to decide. A text without line breaks is one line, so it merges exactly as before.
- `resolve(result, choices)` applies the editor's choice per conflict: "mine", "theirs", or a new value.
"""

from __future__ import annotations

import copy
import difflib
from dataclasses import dataclass, field
from typing import Any

Document = dict[str, Any]
MINE, THEIRS = "mine", "theirs"


def empty() -> Document:
    return {"fields": {}, "items": []}


def with_unix_newlines(value):
    """Every text in a document (fields and item fields) with "\n" line breaks: browsers send "\r\n".

    Without this a save from a browser would change every line of a text that was written with "\n",
    and a concurrent edit of another line would become a conflict.
    """
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    if isinstance(value, list):
        return [with_unix_newlines(v) for v in value]
    if isinstance(value, dict):
        return {k: with_unix_newlines(v) for k, v in value.items()}
    return value


def normalise(document: Document | None) -> Document:
    """A deep copy with both keys present; refuses items without a unique id."""
    doc = copy.deepcopy(document) if document else empty()
    doc.setdefault("fields", {})
    doc.setdefault("items", [])
    ids = [item.get("id") for item in doc["items"]]
    if any(not isinstance(i, str) or not i for i in ids) or len(set(ids)) != len(ids):
        raise ValueError("every item needs a unique, non-empty string id")
    return doc


def _items(doc: Document) -> dict[str, dict]:
    return {item["id"]: item for item in doc["items"]}


def _order(doc: Document) -> list[str]:
    return [item["id"] for item in doc["items"]]


# --- diff ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One difference. kind: field, added, removed, changed, moved. For `changed`, `field` names the item's field."""

    kind: str
    key: str  # the field name, or the item id
    field: str | None = None
    old: Any = None
    new: Any = None


def _moved(old_order: list[str], new_order: list[str]) -> set[str]:
    """Items kept in both whose place among the others changed (outside the longest common order)."""
    common = set(old_order) & set(new_order)
    a = [i for i in old_order if i in common]
    b = [i for i in new_order if i in common]
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    stayed = {a[block.a + k] for block in matcher.get_matching_blocks() for k in range(block.size)}
    return common - stayed


def diff(old: Document, new: Document) -> list[Change]:
    old, new = normalise(old), normalise(new)
    changes: list[Change] = []
    for name in sorted(set(old["fields"]) | set(new["fields"])):
        before, after = old["fields"].get(name), new["fields"].get(name)
        if before != after:
            changes.append(Change("field", name, old=before, new=after))
    old_items, new_items = _items(old), _items(new)
    for item_id in _order(old):
        if item_id not in new_items:
            changes.append(Change("removed", item_id, old=old_items[item_id]))
    for item_id in _order(new):
        if item_id not in old_items:
            changes.append(Change("added", item_id, new=new_items[item_id]))
            continue
        before, after = old_items[item_id], new_items[item_id]
        for name in sorted((set(before) | set(after)) - {"id"}):
            if before.get(name) != after.get(name):
                changes.append(Change("changed", item_id, field=name, old=before.get(name), new=after.get(name)))
    old_order, new_order = _order(old), _order(new)
    for item_id in new_order:
        if item_id in _moved(old_order, new_order):
            changes.append(Change("moved", item_id, old=old_order.index(item_id), new=new_order.index(item_id)))
    return changes


# --- merge --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Conflict:
    """Both sides changed the same thing differently. `key`: field:<name>, item:<id>:<field>, item:<id>, order."""

    key: str
    base: Any
    mine: Any
    theirs: Any
    after: str | None = None  # for a removed-or-changed item: the item before it in "mine"


@dataclass
class MergeResult:
    document: Document
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.conflicts


_MISSING = object()


def _three_way(base, mine, theirs):
    """(value, conflict?) for one value edited on two sides; texts changed on both sides merge per line."""
    if mine in (theirs, base):
        return theirs, False
    if theirs == base:
        return mine, False
    if isinstance(base, str) and isinstance(mine, str) and isinstance(theirs, str):
        combined = merge_lines(base, mine, theirs)
        if combined is not None:
            return combined, False
    return theirs, True


def _lines(text: str) -> list[str]:
    """A text as lines without their line breaks; a final "" stands for a text ending in one.

    Splitting on "\n" (rather than keeping the breaks) makes adding a line at the end of a text
    that has no final line break an insertion, not a change of its last line.
    """
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")  # a browser's CRLF is one break


def _hunks(base: list[str], other: list[str]) -> list[tuple[int, int, list[str]]]:
    """The changes from `base` to `other`: (start, end, new lines) replacing base[start:end]."""
    matcher = difflib.SequenceMatcher(a=base, b=other, autojunk=False)
    return [(i1, i2, other[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def _apart(first: tuple[int, int, list[str]], second: tuple[int, int, list[str]]) -> bool:
    """Two changes with at least one unchanged base line between them (touching ones are not apart)."""
    return first[1] < second[0] or second[1] < first[0]


def merge_lines(base: str, mine: str, theirs: str) -> str | None:
    """Both sides' edits of one text combined, or None when they touch the same or neighbouring lines.

    Each side's changes are base line ranges with their new lines. The result is only made when every
    change of one side is apart from every change of the other, so each base line is changed by at
    most one side and the order of the changes is the order of the base: nothing is guessed.
    """
    lines = _lines(base)
    mine_hunks, their_hunks = _hunks(lines, _lines(mine)), _hunks(lines, _lines(theirs))
    if not all(_apart(m, t) for m in mine_hunks for t in their_hunks):
        return None
    merged: list[str] = []
    position = 0
    for start, end, new in sorted(mine_hunks + their_hunks, key=lambda hunk: (hunk[0], hunk[1])):
        merged += lines[position:start] + new
        position = end
    return "\n".join(merged + lines[position:])


def merge(base: Document, mine: Document, theirs: Document) -> MergeResult:
    base, mine, theirs = normalise(base), normalise(mine), normalise(theirs)
    conflicts: list[Conflict] = []
    result = empty()

    for name in sorted(set(base["fields"]) | set(mine["fields"]) | set(theirs["fields"])):
        b, m, t = (doc["fields"].get(name, _MISSING) for doc in (base, mine, theirs))
        value, clash = _three_way(b, m, t)
        if clash:
            conflicts.append(Conflict(f"field:{name}", _plain(b), _plain(m), _plain(t)))
        if value is not _MISSING:
            result["fields"][name] = value

    base_items, my_items, their_items = _items(base), _items(mine), _items(theirs)
    kept: dict[str, dict] = {}
    for item_id in dict.fromkeys(_order(theirs) + _order(mine) + _order(base)):
        b, m, t = base_items.get(item_id), my_items.get(item_id), their_items.get(item_id)
        if b is None:  # added on one side (or, unusually, on both with the same id)
            kept[item_id] = _merge_item(item_id, {}, m or {}, t or {}, conflicts) if m and t else copy.deepcopy(m or t)
        elif m is None and t is None:
            continue  # removed on both sides
        elif m is None or t is None:  # removed on one side
            other = t if m is None else m
            if other == b:
                continue  # the other side left it alone: the removal stands
            order = _order(mine if m is not None else theirs)
            position = order.index(item_id)
            conflicts.append(Conflict(f"item:{item_id}", b, m, t, after=order[position - 1] if position else None))
            if t is not None:  # their side stands until resolved; "mine" brings back the other
                kept[item_id] = copy.deepcopy(t)
        else:
            kept[item_id] = _merge_item(item_id, b, m, t, conflicts)

    order, order_conflict = _merge_order(_order(base), _order(mine), _order(theirs), set(kept))
    if order_conflict:
        conflicts.append(order_conflict)
    result["items"] = [kept[item_id] for item_id in order]
    return MergeResult(result, conflicts)


def _merge_item(item_id: str, b: dict, m: dict, t: dict, conflicts: list[Conflict]) -> dict:
    merged = {"id": item_id}
    for name in sorted((set(b) | set(m) | set(t)) - {"id"}):
        bv, mv, tv = b.get(name, _MISSING), m.get(name, _MISSING), t.get(name, _MISSING)
        value, clash = _three_way(bv, mv, tv)
        if clash:
            conflicts.append(Conflict(f"item:{item_id}:{name}", _plain(bv), _plain(mv), _plain(tv)))
        if value is not _MISSING:
            merged[name] = value
    return merged


def _plain(value):
    return None if value is _MISSING else value


def _merge_order(base: list[str], mine: list[str], theirs: list[str], keep: set[str]):
    """The merged order of the kept items, and a conflict when both sides reordered differently."""

    def relative(order):  # the order of the items that were already in base
        return [i for i in order if i in base_set and i in keep]

    base_set = set(base)
    b, m, t = relative(base), relative(mine), relative(theirs)
    conflict = None
    if m != b and t != b and m != t:
        conflict = Conflict("order", base, mine, theirs)
    primary, secondary = (mine, theirs) if (m != b and t == b) else (theirs, mine)
    order = [i for i in primary if i in keep]
    placed = set(order)
    for index, item_id in enumerate(secondary):  # the other side's new items, after their predecessor
        if item_id in keep and item_id not in placed:
            before = next((p for p in reversed(secondary[:index]) if p in placed), None)
            order.insert(order.index(before) + 1 if before else 0, item_id)
            placed.add(item_id)
    for item_id in base:  # an item removed on one side but kept because of a conflict
        if item_id in keep and item_id not in placed:
            order.append(item_id)
            placed.add(item_id)
    return order, conflict


def resolve(result: MergeResult, choices: dict[str, Any]) -> Document:
    """Apply a choice per conflict key: "mine", "theirs", or a value of one's own (text both combined)."""
    doc = copy.deepcopy(result.document)
    for conflict in result.conflicts:
        choice = choices.get(conflict.key, THEIRS)
        value = conflict.mine if choice == MINE else conflict.theirs if choice == THEIRS else choice
        _apply(doc, conflict, value)
    return normalise(doc)


def _apply(doc: Document, conflict: Conflict, value) -> None:
    kind, _, rest = conflict.key.partition(":")
    if kind == "field":
        if value is None:
            doc["fields"].pop(rest, None)
        else:
            doc["fields"][rest] = value
    elif kind == "order":
        wanted = [i for i in value if i in _items(doc)]
        missing = [i for i in _order(doc) if i not in wanted]
        items = _items(doc)
        doc["items"] = [items[i] for i in wanted + missing]
    elif ":" in rest:  # one field of an item
        item_id, name = rest.split(":", 1)
        for item in doc["items"]:
            if item["id"] == item_id:
                if value is None:
                    item.pop(name, None)
                else:
                    item[name] = value
    else:  # an item removed on one side and changed on the other
        item_id = rest
        items = [item for item in doc["items"] if item["id"] != item_id]
        if value is not None:
            ids = [item["id"] for item in items]
            position = (
                ids.index(conflict.after) + 1 if conflict.after in ids else 0 if conflict.after is None else len(ids)
            )
            items.insert(position, copy.deepcopy(value))
        doc["items"] = items
