"""The covenant fingerprint: stable for the same content, different for any real change."""

from __future__ import annotations

import hashlib

import pytest

from app.covenants.fingerprint import canonical_form, canonical_text, clean_fingerprint, fingerprint, grouped

TITLE = "Veilig fietspad"
PARTIES = [("12", "Woningcorporatie De Veste"), ("municipality", "Gemeente Zoetermeer")]
TEXT = "## Partijen\n\n- De Veste\n- Gemeente\n\n## Looptijd\n\nTien jaar.\n"


def test_the_fingerprint_is_sha256_of_the_documented_canonical_form():
    form = canonical_form(TITLE, PARTIES, TEXT)
    assert form == (
        "buytenwegh-covenant/1\n"
        "title: Veilig fietspad\n"
        "party: 12 Woningcorporatie De Veste\n"
        "party: municipality Gemeente Zoetermeer\n"
        "text:\n" + TEXT
    )
    assert fingerprint(TITLE, PARTIES, TEXT) == hashlib.sha256(form.encode("utf-8")).hexdigest()
    assert len(fingerprint(TITLE, PARTIES, TEXT)) == 64


def test_the_same_content_always_gives_the_same_fingerprint():
    assert fingerprint(TITLE, PARTIES, TEXT) == fingerprint(TITLE, list(PARTIES), str(TEXT))
    # a known value: if this changes, every printed covenant stops verifying
    assert (
        fingerprint("a", [("1", "b")], "c")
        == hashlib.sha256(b"buytenwegh-covenant/1\ntitle: a\nparty: 1 b\ntext:\nc\n").hexdigest()
    )


@pytest.mark.parametrize(
    "title, parties, text",
    [
        (TITLE, list(reversed(PARTIES)), TEXT),  # the order the parties are listed in
        (TITLE, PARTIES, TEXT.replace("\n", "\r\n")),  # Windows line endings
        (TITLE, PARTIES, TEXT.replace("\n", "\r")),  # old Mac line endings
        (TITLE, PARTIES, TEXT.replace("- De Veste", "- De Veste   ")),  # trailing spaces
        (TITLE, PARTIES, TEXT.replace("Tien jaar.", "Tien jaar.\t")),  # a trailing tab
        (TITLE, PARTIES, TEXT.replace("\n\n", "\n\n\n\n")),  # extra blank lines
        (TITLE, PARTIES, "\n\n" + TEXT + "\n\n\n"),  # blank lines around the text
        (TITLE, PARTIES, TEXT.rstrip("\n")),  # no final newline
        ("  Veilig   fietspad ", PARTIES, TEXT),  # spaces in the title
        (TITLE, [("12", "Woningcorporatie  De Veste "), PARTIES[1]], TEXT),  # spaces in a name
    ],
)
def test_formatting_only_differences_do_not_change_it(title, parties, text):
    assert fingerprint(title, parties, text) == fingerprint(TITLE, PARTIES, TEXT)


def test_unicode_composed_and_decomposed_letters_are_the_same():
    composed, decomposed = "Caf\u00e9 De Brug", "Cafe\u0301 De Brug"
    assert fingerprint(composed, PARTIES, TEXT) == fingerprint(decomposed, PARTIES, TEXT)
    assert fingerprint(TITLE, PARTIES, composed) == fingerprint(TITLE, PARTIES, decomposed)


@pytest.mark.parametrize(
    "title, parties, text",
    [
        ("Veilig fietspad!", PARTIES, TEXT),  # a character in the title
        (TITLE, PARTIES, TEXT.replace("Tien", "Vijf")),  # a word in the text
        (TITLE, PARTIES, TEXT.replace("jaar.", "jaar")),  # one full stop
        (TITLE, PARTIES, TEXT.replace("## Looptijd", "### Looptijd")),  # Markdown that changes the meaning
        (TITLE, PARTIES, TEXT.replace("- De Veste\n- Gemeente", "- Gemeente\n- De Veste")),  # line order
        (TITLE, PARTIES, TEXT.replace("Tien jaar.", "Tien  jaar.")),  # spaces inside a line are kept
        (TITLE, PARTIES[:1], TEXT),  # a party removed
        (TITLE, [*PARTIES, ("13", "Welzijn Zoetermeer")], TEXT),  # a party added
        (TITLE, [("14", PARTIES[0][1]), PARTIES[1]], TEXT),  # the same name, another organisation
        (TITLE, [("12", "Woningcorporatie De Veste BV"), PARTIES[1]], TEXT),  # a party's name
    ],
)
def test_any_real_change_to_text_or_parties_changes_it(title, parties, text):
    assert fingerprint(title, parties, text) != fingerprint(TITLE, PARTIES, TEXT)


def test_the_parts_can_not_be_shifted_into_each_other():
    # a newline in a title or name can't fake a party line or move text around
    assert fingerprint("a\nparty: 1 b", [], "c") != fingerprint("a", [("1", "b")], "c")
    assert canonical_form("a\nparty: 1 b", [], "c").count("\nparty: ") == 0


def test_canonical_text():
    assert canonical_text("") == "\n"
    assert canonical_text("a  \r\n\r\n\r\nb\t") == "a\n\nb\n"


@pytest.mark.parametrize(
    "typed",
    [
        "ABCDEF0123456789" * 4,
        "sha256:" + "abcdef0123456789" * 4,
        " ".join(grouped("abcdef0123456789" * 4).split(" ")),
        "abcd-ef01-2345-6789" * 4,
    ],
)
def test_typed_fingerprints_are_cleaned(typed):
    assert clean_fingerprint(typed) == "abcdef0123456789" * 4


@pytest.mark.parametrize("typed", ["", "abc", "g" * 64, "a" * 63, "a" * 65])
def test_malformed_fingerprints_are_refused(typed):
    assert clean_fingerprint(typed) is None


def test_grouped_for_reading_aloud():
    assert grouped("0123456789abcdef" * 4).split(" ")[0] == "01234567"
    assert len(grouped("0123456789abcdef" * 4).split(" ")) == 8
