"""Finding English (or library) interface text in a Dutch page.

`interface_texts(html)` gives what a reader sees or hears: text nodes, and the attributes that carry
words (placeholder, title, aria-label, alt, the value of a submit button, the meta description), leaving
out scripts, styles and anything marked as another language (the language switch's "English").

`Leftovers` knows the catalog's English msgids whose Dutch translation differs, and finds them in those
texts: a one-word msgid ("for", "broad") when it stands alone between punctuation ("for · question"),
a longer one ("one subject", "depends on") anywhere as a run of words. A msgid whose words also occur
in the Dutch translations themselves ("FTE", "Puzzling", "e-mail") is not a fault: Dutch uses it too.
The same matcher, fed with WTForms' own messages, finds the library's words ("karakters", "Ongeldige
keuze"), which the site replaces with its own.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import lxml.html
import wtforms
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
NL_PO = ROOT / "app" / "translations" / "nl" / "LC_MESSAGES" / "messages.po"
WTFORMS_NL_PO = Path(wtforms.__file__).parent / "locale" / "nl" / "LC_MESSAGES" / "wtforms.po"

WORD = re.compile(r"\w+(?:['’-]\w+)*")
PLACEHOLDER = re.compile(r"%(?:\([a-z_]+\))?[-#0 +]*\d*(?:\.\d+)?[sdif%]")
SEPARATOR = re.compile(r"[^\w\s'’-]+")  # punctuation between fragments: · – : , ( ) / …
WORDY_ATTRIBUTES = ("placeholder", "title", "aria-label", "aria-description", "alt")
BUTTON_TYPES = {"submit", "button", "reset"}


def words(text: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in WORD.findall(text))


def interface_texts(html: str) -> list[str]:
    """The visible and audible words of a page, one string per text node or attribute."""
    root = lxml.html.document_fromstring(html)
    foreign = set()
    for element in root.xpath("//*[@lang]"):
        if not element.get("lang", "").lower().startswith("nl"):
            foreign.update(element.iter())
    skipped = {"script", "style", "template"}
    texts = []
    for element in root.iter():
        if not isinstance(element.tag, str):  # comments, processing instructions
            if element.tail and element.getparent() not in foreign:
                texts.append(element.tail)
            continue
        parent = element.getparent()
        if element.tail and parent is not None and parent not in foreign and parent.tag not in skipped:
            texts.append(element.tail)
        if element in foreign:
            continue
        if element.text and element.tag not in skipped:
            texts.append(element.text)
        texts.extend(element.get(name) for name in WORDY_ATTRIBUTES if element.get(name))
        if element.tag == "input" and element.get("type", "").lower() in BUTTON_TYPES and element.get("value"):
            texts.append(element.get("value"))
        if element.tag == "meta" and element.get("name") == "description" and element.get("content"):
            texts.append(element.get("content"))
    return [" ".join(t.split()) for t in texts if t and t.strip()]


class Leftovers:
    """Phrases that must not appear in a page, and a finder for them."""

    def __init__(self, phrases: dict[tuple[str, ...], str], anywhere: frozenset[str] = frozenset()):
        self.anywhere = anywhere  # single words that are wrong wherever they stand
        self.single = {p[0]: source for p, source in phrases.items() if len(p) == 1}
        self.by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for phrase, source in phrases.items():
            if len(phrase) > 1:
                self.by_first.setdefault(phrase[0], []).append((phrase, source))

    def find(self, text: str) -> list[str]:
        # e-mail addresses, links and paths ("versions/1/canonical.txt") are no words of the interface
        text = " ".join(w for w in text.split() if "@" not in w and ("/" not in w or w == "/"))
        found = []
        for fragment in SEPARATOR.split(text):
            fragment_words = words(fragment)
            if len(fragment_words) == 1 and fragment_words[0] in self.single:
                found.append(self.single[fragment_words[0]])
        text_words = words(text)
        found.extend(word for word in text_words if word in self.anywhere)
        for i, word in enumerate(text_words):
            for phrase, source in self.by_first.get(word, ()):
                if text_words[i : i + len(phrase)] == phrase:
                    found.append(source)
        return found


def _literal_chunks(msgid: str) -> list[tuple[str, ...]]:
    return [w for w in (words(chunk) for chunk in PLACEHOLDER.split(msgid)) if w]


def _strings(message) -> list[str]:
    return [s for s in (message.string if isinstance(message.string, tuple) else (message.string,)) if s]


@cache
def english_leftovers() -> Leftovers:
    """The catalog's msgids whose Dutch differs: each one found in a Dutch page was not translated."""
    catalog = [m for m in read_po(NL_PO.open("rb")) if m.id]
    dutch = " " + " ".join(" ".join(words(s)) for m in catalog for s in _strings(m)) + " "
    phrases = {}
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        translations = {words(s) for s in _strings(message)}
        for msgid in ids:
            if not translations or words(msgid) in translations:
                continue  # untranslated in the catalog (test_i18n's business) or the same in Dutch
            chunks = _literal_chunks(msgid)
            # a msgid with placeholders is looked for by its longest literal part of two words or more
            if PLACEHOLDER.search(msgid):
                chunks = [max(chunks, key=len)] if chunks and len(max(chunks, key=len)) > 1 else []
            for chunk in chunks:
                if f" {' '.join(chunk)} " not in dutch:
                    phrases.setdefault(chunk, msgid)
    return Leftovers(phrases)


@cache
def library_leftovers() -> Leftovers:
    """WTForms' own messages, English and Dutch ("Dit veld is vereist", "karakters")."""
    phrases = {}
    for message in read_po(WTFORMS_NL_PO.open("rb")):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for text in (*ids, *_strings(message)):
            for chunk in _literal_chunks(text):
                if len(chunk) > 1:
                    phrases.setdefault(chunk, text)
    return Leftovers(phrases, anywhere=frozenset({"karakter", "karakters"}))


def faults(html: str) -> list[tuple[str, str]]:
    """(text on the page, the msgid or library message it shows) for every leftover in a Dutch page."""
    english, library = english_leftovers(), library_leftovers()
    found = []
    for text in interface_texts(html):
        found.extend((text, source) for source in english.find(text) + library.find(text))
    return found
