"""The revision engine: readable diffs, and three-way merges with two and three editors that lose nothing."""

import pytest

from app.revisions.documents import MINE, THEIRS, Change, diff, merge, merge_lines, normalise, resolve


def doc(fields=None, *items):
    return {"fields": dict(fields or {}), "items": [dict(item) for item in items]}


def item(item_id, **values):
    return {"id": item_id, **values}


BASE = doc(
    {"summary": "Samen aan de slag", "review": "Elk half jaar"},
    item("a", title="Buurtfeest", responsible="Halte 2717", period="2027-Q2"),
    item("b", title="Straatverlichting", responsible="Gemeente", period="2027-Q3"),
    item("c", title="Speelplek", responsible="De Goede Woning", period="2028-Q1"),
)


def edited(**changes):
    new = normalise(BASE)
    for key, value in changes.items():
        new["fields"][key] = value
    return new


def test_diff_names_added_removed_changed_and_moved():
    new = normalise(BASE)
    new["fields"]["summary"] = "Samen verder"
    new["items"] = [new["items"][2], new["items"][0]]  # c moved up, b removed
    new["items"][1]["period"] = "2027-Q4"  # a changed
    new["items"].append(item("d", title="Taalcafé"))  # d added
    changes = diff(BASE, new)
    kinds = {(c.kind, c.key, c.field) for c in changes}
    assert ("field", "summary", None) in kinds
    assert ("removed", "b", None) in kinds
    assert ("changed", "a", "period") in kinds
    assert ("added", "d", None) in kinds
    assert ("moved", "c", None) in kinds or ("moved", "a", None) in kinds
    assert not any(c.kind == "changed" and c.key == "c" for c in changes)
    assert diff(BASE, BASE) == []


def test_a_moved_item_alone_is_one_move():
    new = normalise(BASE)
    new["items"] = [new["items"][1], new["items"][0], new["items"][2]]
    moves = [c for c in diff(BASE, new) if c.kind == "moved"]
    assert len(moves) == 1 and moves[0] == Change("moved", moves[0].key, old=moves[0].old, new=moves[0].new)


def test_two_editors_changing_different_fields_and_items_merge_by_themselves():
    mine = edited(summary="Samen aan de slag, met iedereen")
    mine["items"][0]["period"] = "2027-Q3"
    theirs = edited(review="Elk kwartaal")
    theirs["items"][1]["responsible"] = "Gemeente en politie"
    result = merge(BASE, mine, theirs)
    assert result.clean
    merged = result.document
    assert merged["fields"] == {"summary": "Samen aan de slag, met iedereen", "review": "Elk kwartaal"}
    assert merged["items"][0]["period"] == "2027-Q3"
    assert merged["items"][1]["responsible"] == "Gemeente en politie"


def test_same_field_changed_two_ways_is_a_conflict_that_keeps_both():
    mine = edited(summary="Versie van Anouk")
    theirs = edited(summary="Versie van Mehmet")
    result = merge(BASE, mine, theirs)
    (conflict,) = result.conflicts
    assert (conflict.key, conflict.base, conflict.mine, conflict.theirs) == (
        "field:summary",
        "Samen aan de slag",
        "Versie van Anouk",
        "Versie van Mehmet",
    )
    assert resolve(result, {"field:summary": MINE})["fields"]["summary"] == "Versie van Anouk"
    assert resolve(result, {"field:summary": THEIRS})["fields"]["summary"] == "Versie van Mehmet"
    combined = resolve(result, {"field:summary": "Versie van Anouk en Mehmet"})
    assert combined["fields"]["summary"] == "Versie van Anouk en Mehmet"


def test_same_change_on_both_sides_is_no_conflict():
    result = merge(BASE, edited(summary="Gelijk"), edited(summary="Gelijk"))
    assert result.clean and result.document["fields"]["summary"] == "Gelijk"


def test_items_added_on_both_sides_are_both_kept_in_place():
    mine = normalise(BASE)
    mine["items"].insert(1, item("m", title="Van mij"))
    theirs = normalise(BASE)
    theirs["items"].append(item("t", title="Van hen"))
    result = merge(BASE, mine, theirs)
    assert result.clean
    assert [i["id"] for i in result.document["items"]] == ["a", "m", "b", "c", "t"]


def test_removed_on_one_side_and_changed_on_the_other_is_a_conflict():
    mine = normalise(BASE)
    mine["items"] = [i for i in mine["items"] if i["id"] != "b"]
    theirs = normalise(BASE)
    theirs["items"][1]["period"] = "2028-Q2"
    result = merge(BASE, mine, theirs)
    (conflict,) = result.conflicts
    assert conflict.key == "item:b" and conflict.mine is None and conflict.theirs["period"] == "2028-Q2"
    assert [i["id"] for i in resolve(result, {"item:b": MINE})["items"]] == ["a", "c"]
    kept = resolve(result, {"item:b": THEIRS})
    assert [i["id"] for i in kept["items"]] == ["a", "b", "c"] and kept["items"][1]["period"] == "2028-Q2"


def test_removed_on_one_side_untouched_on_the_other_is_removed():
    mine = normalise(BASE)
    mine["items"] = mine["items"][:2]
    result = merge(BASE, mine, normalise(BASE))
    assert result.clean and [i["id"] for i in result.document["items"]] == ["a", "b"]


def test_a_move_merges_with_a_change():
    mine = normalise(BASE)
    mine["items"] = [mine["items"][2], mine["items"][0], mine["items"][1]]
    theirs = normalise(BASE)
    theirs["items"][2]["title"] = "Speelplek en groen"
    result = merge(BASE, mine, theirs)
    assert result.clean
    assert [i["id"] for i in result.document["items"]] == ["c", "a", "b"]
    assert result.document["items"][0]["title"] == "Speelplek en groen"


def test_two_different_new_orders_are_a_conflict():
    mine = normalise(BASE)
    mine["items"] = [mine["items"][2], mine["items"][0], mine["items"][1]]
    theirs = normalise(BASE)
    theirs["items"] = [theirs["items"][1], theirs["items"][2], theirs["items"][0]]
    result = merge(BASE, mine, theirs)
    assert [c.key for c in result.conflicts] == ["order"]
    assert [i["id"] for i in resolve(result, {"order": MINE})["items"]] == ["c", "a", "b"]


def test_three_editors_from_the_same_version_keep_every_edit():
    """Anouk saves first; Mehmet's save merges onto hers; Ingrid's onto both."""
    anouk = edited(summary="Samen, met alle bewoners")
    mehmet = normalise(BASE)
    mehmet["items"][1]["period"] = "2027-Q4"
    mehmet["items"].append(item("d", title="Taalcafé", responsible="Stichting Piëzo"))
    ingrid = normalise(BASE)
    ingrid["items"][2]["responsible"] = "De Goede Woning en Wijkvereniging Buytenrode"
    ingrid["fields"]["success"] = "Meer bewoners voelen zich veilig"

    current = anouk  # Anouk's save is the first on top of BASE
    second = merge(BASE, mehmet, current)
    assert second.clean
    current = second.document
    third = merge(BASE, ingrid, current)
    assert third.clean
    final = third.document
    assert final["fields"] == {
        "summary": "Samen, met alle bewoners",
        "review": "Elk half jaar",
        "success": "Meer bewoners voelen zich veilig",
    }
    by_id = {i["id"]: i for i in final["items"]}
    assert by_id["b"]["period"] == "2027-Q4"
    assert by_id["c"]["responsible"] == "De Goede Woning en Wijkvereniging Buytenrode"
    assert by_id["d"]["title"] == "Taalcafé"
    assert [i["id"] for i in final["items"]] == ["a", "b", "c", "d"]


def test_three_editors_with_a_real_conflict_lose_nothing():
    anouk = edited(review="Elke maand")
    mehmet = edited(review="Elk jaar")
    ingrid = edited(summary="Nieuwe samenvatting")
    first = merge(BASE, mehmet, anouk)
    assert [c.key for c in first.conflicts] == ["field:review"]
    assert {first.conflicts[0].mine, first.conflicts[0].theirs} == {"Elke maand", "Elk jaar"}
    current = resolve(first, {"field:review": "Elke maand, en een jaarlijkse evaluatie"})
    final = merge(BASE, ingrid, current)
    assert final.clean
    assert final.document["fields"]["review"] == "Elke maand, en een jaarlijkse evaluatie"
    assert final.document["fields"]["summary"] == "Nieuwe samenvatting"


def test_items_need_unique_ids():
    with pytest.raises(ValueError):
        normalise(doc({}, item("x"), item("x")))
    with pytest.raises(ValueError):
        normalise({"fields": {}, "items": [{"title": "zonder id"}]})


def test_inputs_are_never_changed():
    mine, theirs = edited(summary="A"), edited(summary="B")
    snapshot = (normalise(BASE), normalise(mine), normalise(theirs))
    resolve(merge(BASE, mine, theirs), {"field:summary": MINE})
    assert (BASE, mine, theirs) == snapshot


def test_random_edits_keep_every_change_or_report_a_conflict():
    """Seeded random edits on two sides: whatever is not a conflict holds both sides' values."""
    import random

    rng = random.Random(2717)
    for _ in range(300):
        base = doc({f"f{i}": f"v{i}" for i in range(4)}, *(item(f"i{i}", t=f"t{i}", p=i) for i in range(6)))
        mine, theirs = normalise(base), normalise(base)
        for side, tag in ((mine, "M"), (theirs, "T")):
            for name in rng.sample(sorted(side["fields"]), rng.randint(0, 2)):
                side["fields"][name] = f"{tag}-{name}"
            for it in rng.sample(side["items"], rng.randint(0, 3)):
                it["t"] = f"{tag}-{it['id']}"
            if rng.random() < 0.3:
                side["items"].append(item(f"new-{tag}", t=tag))
        result = merge(base, mine, theirs)
        conflicted = {c.key for c in result.conflicts}
        merged_items = {i["id"]: i for i in result.document["items"]}
        for name in base["fields"]:
            m, t = mine["fields"][name], theirs["fields"][name]
            if f"field:{name}" not in conflicted:
                expected = m if t == base["fields"][name] else t
                assert result.document["fields"][name] == expected
            else:
                assert m != t and m != base["fields"][name] and t != base["fields"][name]
        for original in base["items"]:
            key = f"item:{original['id']}:t"
            m = next(i for i in mine["items"] if i["id"] == original["id"])["t"]
            t = next(i for i in theirs["items"] if i["id"] == original["id"])["t"]
            if key not in conflicted:
                assert merged_items[original["id"]]["t"] == (m if t == original["t"] else t)
        for tag in ("M", "T"):
            added = any(i["id"] == f"new-{tag}" for i in (mine if tag == "M" else theirs)["items"])
            assert (f"new-{tag}" in merged_items) == added


def test_an_item_brought_back_keeps_its_place():
    mine = normalise(BASE)
    mine["items"][1]["title"] = "Straatverlichting, meer lampen"
    theirs = normalise(BASE)
    theirs["items"] = [i for i in theirs["items"] if i["id"] != "b"]
    restored = resolve(merge(BASE, mine, theirs), {"item:b": MINE})
    assert [i["id"] for i in restored["items"]] == ["a", "b", "c"]


def test_random_edits_with_removals_and_reorders_never_lose_an_item_silently():
    """Every item changed by one side is either in the result or named in a conflict."""
    import random

    rng = random.Random(31)
    for _ in range(400):
        base = doc({}, *(item(f"i{i}", t=f"t{i}") for i in range(6)))
        mine, theirs = normalise(base), normalise(base)
        for side, tag in ((mine, "M"), (theirs, "T")):
            for it in rng.sample(side["items"], rng.randint(0, 2)):
                it["t"] = f"{tag}-{it['id']}"
            for it in rng.sample(side["items"], rng.randint(0, 2)):
                side["items"].remove(it)
            if rng.random() < 0.5:
                rng.shuffle(side["items"])
        result = merge(base, mine, theirs)
        merged = {i["id"] for i in result.document["items"]}
        conflicted = {c.key.split(":")[1] for c in result.conflicts if c.key.startswith("item:")}
        for side in (mine, theirs):
            for it in side["items"]:
                original = next(o for o in base["items"] if o["id"] == it["id"])
                if it != original:  # changed on this side: must survive or be a conflict
                    assert it["id"] in merged or it["id"] in conflicted
        assert len({i["id"] for i in result.document["items"]}) == len(result.document["items"])  # no duplicates
        for choice in (MINE, THEIRS):
            resolved = resolve(result, {c.key: choice for c in result.conflicts})
            assert len({i["id"] for i in resolved["items"]}) == len(resolved["items"])


# --- texts merged line by line --------------------------------------------------------------------

LETTER = "Wij werken samen aan veiligheid.\n\nDe gemeente zorgt voor licht.\n\nDe winkeliers letten op elkaar.\n"


def text_merge(mine, theirs, base=LETTER):
    return merge(doc({"text": base}), doc({"text": mine}), doc({"text": theirs}))


def test_edits_of_different_paragraphs_merge_into_one_text():
    mine = LETTER.replace("samen", "met iedereen samen")
    theirs = LETTER.replace("letten op elkaar", "letten 's avonds op elkaar")
    result = text_merge(mine, theirs)
    assert result.clean
    assert result.document["fields"]["text"] == (
        "Wij werken met iedereen samen aan veiligheid.\n\nDe gemeente zorgt voor licht.\n\n"
        "De winkeliers letten 's avonds op elkaar.\n"
    )


def test_different_paragraphs_of_an_item_text_merge_too():
    base = doc({}, item("a", description=LETTER))
    mine, theirs = normalise(base), normalise(base)
    mine["items"][0]["description"] = LETTER.replace("licht", "meer licht")
    theirs["items"][0]["description"] = LETTER.replace("Wij", "Wij, de buurt,")
    result = merge(base, mine, theirs)
    assert result.clean
    merged = result.document["items"][0]["description"]
    assert "meer licht" in merged and "Wij, de buurt," in merged


def test_the_same_line_changed_two_ways_stays_a_conflict_with_both_texts():
    mine = LETTER.replace("licht", "meer licht")
    theirs = LETTER.replace("licht", "betere lampen")
    result = text_merge(mine, theirs)
    (conflict,) = result.conflicts
    assert (conflict.key, conflict.base, conflict.mine, conflict.theirs) == ("field:text", LETTER, mine, theirs)
    assert result.document["fields"]["text"] == theirs  # their value stands until the editor chooses


def test_insertions_at_the_same_place_are_a_conflict():
    mine = LETTER + "Wij praten elk kwartaal.\n"
    theirs = LETTER + "De politie komt langs.\n"
    assert not text_merge(mine, theirs).clean
    middle = "\n\nDe gemeente"
    assert not text_merge(LETTER.replace(middle, "\n\nA." + middle), LETTER.replace(middle, "\n\nB." + middle)).clean


def test_changes_on_neighbouring_lines_are_a_conflict():
    base = "een\ntwee\ndrie\n"
    assert merge_lines(base, "EEN\ntwee\ndrie\n", "een\nTWEE\ndrie\n") is None
    assert merge_lines(base, "een\nnieuw\ntwee\ndrie\n", "een\nTWEE\ndrie\n") is None  # insert next to an edit
    assert merge_lines(base, "EEN\ntwee\ndrie\n", "een\ntwee\nDRIE\n") == "EEN\ntwee\nDRIE\n"


def test_one_side_removing_a_paragraph_while_the_other_edits_another_merges():
    mine = LETTER.replace("De gemeente zorgt voor licht.\n\n", "")
    theirs = LETTER.replace("letten op elkaar", "letten goed op elkaar")
    result = text_merge(mine, theirs)
    assert result.clean
    assert result.document["fields"]["text"] == (
        "Wij werken samen aan veiligheid.\n\nDe winkeliers letten goed op elkaar.\n"
    )


def test_removing_a_paragraph_the_other_side_edited_is_a_conflict():
    mine = LETTER.replace("De gemeente zorgt voor licht.\n\n", "")
    theirs = LETTER.replace("licht", "meer licht")
    assert not text_merge(mine, theirs).clean


def test_trailing_line_breaks_are_kept_as_each_side_left_them():
    merged = text_merge(LETTER.replace("Wij", "Zij"), LETTER.replace("elkaar.", "elkaar.\nEn op de buurt."))
    assert merged.clean and merged.document["fields"]["text"].endswith("op de buurt.\n")
    assert merged.document["fields"]["text"].count("\n") == LETTER.count("\n") + 1
    bare = LETTER.rstrip("\n")  # no line break at the end
    appended = text_merge(bare.replace("Wij", "Zij"), bare + "\nNieuwe regel", base=bare)
    assert appended.clean and appended.document["fields"]["text"] == bare.replace("Wij", "Zij") + "\nNieuwe regel"
    added_break = text_merge(bare.replace("Wij", "Zij"), bare + "\n", base=bare)
    assert added_break.clean and added_break.document["fields"]["text"] == bare.replace("Wij", "Zij") + "\n"
    # a line break added to a last line the other side changed touches that change
    assert not text_merge(bare + "\n", bare.replace("elkaar", "iedereen"), base=bare).clean


def test_values_that_are_not_all_texts_merge_as_before():
    for base, mine, theirs in (
        (1, 2, 3),
        ("een\ntwee\ndrie", "EEN\ntwee\ndrie", None),
        (None, "een\ntwee\ndrie", "een\ntwee\nDRIE"),
        (["een", "twee", "drie"], ["EEN", "twee", "drie"], ["een", "twee", "DRIE"]),
    ):
        result = merge(doc({"f": base}), doc({"f": mine}), doc({"f": theirs}))
        assert [c.key for c in result.conflicts] == ["field:f"], (base, mine, theirs)
        assert result.document["fields"]["f"] == theirs
    added_twice = merge(doc(), doc({"f": "een\ntwee"}), doc({"f": "een\nTWEE"}))  # no base text to merge from
    assert [c.key for c in added_twice.conflicts] == ["field:f"]


def test_one_line_texts_changed_two_ways_stay_conflicts():
    assert not text_merge("Versie van Anouk", "Versie van Mehmet", base="Samen aan de slag").clean
    assert merge_lines("Samen aan de slag", "Samen", "Aan de slag") is None


def test_windows_line_endings_from_a_browser_still_merge_by_line():
    from app.revisions.documents import merge_lines, with_unix_newlines

    assert merge_lines("a\nb\nc", "A\r\nb\r\nc", "a\nb\nC") == "A\nb\nC"
    assert with_unix_newlines({"fields": {"t": "a\r\nb\rc"}, "items": [{"id": "x", "d": "1\r\n2"}]}) == {
        "fields": {"t": "a\nb\nc"},
        "items": [{"id": "x", "d": "1\n2"}],
    }
