"""Words a reader may type that a passage does not show: accent-free spellings and the names of
cited authors.

Material's search (lunr) matches words as written: "Arsene" does not find "Arsène", and a passage
that cites a work as "[3]" or "(Creemers et al. 2018)" does not contain the names of the works'
(other) authors. Material offers no hook into its search worker (custom workers and transforms were
removed in 9.0), so each search section of a page carries these words itself, in an element that is
indexed but neither shown nor read by screen readers (``hidden``). The visible text is unchanged.

Pure functions: no MkDocs or Markdown imports.
"""
from __future__ import annotations

import re
import unicodedata

from markupsafe import escape

CLASS = "refsite-search"
_WORD = re.compile(r"\w+")
# Latin letters that do not decompose into a base letter and a combining mark.
_LETTERS = str.maketrans({"ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o",
                          "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D",
                          "þ": "th", "Þ": "Th", "ı": "i", "ħ": "h", "Ħ": "H"})


def _foldable(ch: str) -> bool:
    """Latin and Greek letters lose their accents; other scripts are left alone (decomposing
    Hangul or kana would change the letters, not drop accents)."""
    return ch.isascii() or unicodedata.name(ch, "").startswith(("LATIN ", "GREEK "))


def fold(word: str) -> str:
    """``word`` without accents: "Arsène" -> "Arsene", "Müller" -> "Muller", "Łódź" -> "Lodz"."""
    if word.isascii():
        return word
    out = []
    for ch in word:
        if _foldable(ch):
            out.extend(c for c in unicodedata.normalize("NFKD", ch.translate(_LETTERS))
                       if not unicodedata.combining(c))
        else:
            out.append(ch)
    return "".join(out)


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def missing_words(shown: str, wanted) -> list[str]:
    """The words a search should also find in a passage whose text is ``shown``: each of ``wanted``
    (e.g. cited authors' names) that the text does not contain, and the accent-free spelling of every
    word of the text and of ``wanted`` that has accents. Once each, in order."""
    present = {w.casefold() for w in words(shown)}
    out: dict[str, None] = {}
    for word in [*words(shown), *(w for name in wanted for w in words(name))]:
        for candidate in (word, fold(word)):
            key = candidate.casefold()
            if key not in present:
                present.add(key)
                out[candidate] = None
    return list(out)


def hidden_html(found: list[str]) -> str:
    """The element that carries ``found`` for the search index ("" when there is nothing)."""
    if not found:
        return ""
    return f'<span class="{CLASS}" hidden>{escape(" ".join(found))}</span>'


def csl_names(item: dict) -> list[str]:
    """The family names (with particles) or literal names of a CSL-JSON item's authors (its editors
    when it has none: the editors of the book a chapter is in did not write the chapter)."""
    names = []
    for role in ("author",) if item.get("author") else ("editor",):
        for person in item.get(role) or ():
            if not isinstance(person, dict) or person.get("literal") == "others":   # "and others"
                continue
            name = person.get("literal") or " ".join(
                str(person[part]) for part in ("non-dropping-particle", "family") if person.get(part))
            if name:
                names.append(str(name))
    return names
