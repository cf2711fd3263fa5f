"""CSL ``text-case`` transforms over an output tree (nocase spans untouched).

Title case follows CSL 1.0.2: English items only, lowercase words get an initial capital,
words with capitals stay, stop words are lowercased unless first, last or after a colon.
"""
from __future__ import annotations

import re

from .richtext import F

STOP_WORDS = frozenset(
    "a an and as at but by down for from in into nor of on onto or over so the till to up via "
    "with yet about van von de d l".split())

_WORD = re.compile(r"[^\s\-\u2013\u2014/]+")
_OPAQUE = "\x01"


def _segments(parts, segs, opaque=False):
    for i, p in enumerate(parts):
        if isinstance(p, str):
            segs.append((None if opaque else parts, i, _OPAQUE * len(p) if opaque else p))
        else:
            _segments(p.children, segs, opaque or p.kind in ("nocase", "sup", "sub", "sc", "nodecor"))
    return segs


def _up1(c):
    u = c.upper()
    return u if len(u) == 1 else c


def _low1(c):
    u = c.lower()
    return u if len(u) == 1 else c


def _first_alpha(w: str) -> int:
    for k, c in enumerate(w):
        if c.isalpha():
            return k
        if c == _OPAQUE:
            return -1
    return -1


def _capitalize_word(chars, start, word):
    k = _first_alpha(word)
    if k >= 0:
        chars[start + k] = _up1(chars[start + k])


def _latin(word):
    k = _first_alpha(word)
    return k >= 0 and word[k] < "\u0250"


def _is_lower(word):
    letters = [c for c in word if c.isalpha()]
    return bool(letters) and all(c.islower() for c in letters) and _OPAQUE not in word


def _transform(text: str, case: str) -> str:
    chars = list(text)
    if case == "lowercase":
        return "".join(c if c == _OPAQUE else _low1(c) for c in chars)
    if case == "uppercase":
        return "".join(c if c == _OPAQUE else _up1(c) for c in chars)
    words = [(m.start(), m.group()) for m in _WORD.finditer(text)]
    if not words:
        return text
    if case == "capitalize-first":
        s, w = words[0]
        _capitalize_word(chars, s, w)
        return "".join(chars)
    if case == "capitalize-all":
        for s, w in words:
            _capitalize_word(chars, s, w)
        return "".join(chars)
    letters = [c for c in text if c.isalpha()]
    all_caps = bool(letters) and not any(c.islower() for c in letters)
    if case == "sentence":
        chars = [c if c == _OPAQUE else _low1(c) for c in chars]
        s, w = words[0]
        _capitalize_word(chars, s, w)
        return "".join(chars)
    if case == "title":
        return _title(text, chars, words, all_caps)
    return text


def _title(text, chars, words, all_caps):
    last = len(words) - 1
    for n, (s, w) in enumerate(words):
        low = w.lower()
        bare = low.strip("\"'“”‘’()[]{},;:!?")
        before = text[:s].rstrip()
        after_colon = before.endswith((":", "?", "!", "."))
        if _OPAQUE in w:
            continue
        if bare in STOP_WORDS and n != 0 and n != last and not after_colon:
            if before.endswith(("-", "–")) or text[s - 1:s] in "-–":
                pass
            for k, c in enumerate(w):
                chars[s + k] = _low1(c) if c.isalpha() else c
            continue
        single = len(bare) == 1 and n != 0 and not after_colon
        if _is_lower(w) and _latin(w) and not single:
            _capitalize_word(chars, s, w)
    return "".join(chars)


_PLAIN_CACHE: dict = {}  # (case, text) -> text; pure function of its key


def apply_case(parts: list, case: str | None, lang: str = "en") -> list:
    """Transform the text of ``parts`` in place with CSL ``text-case`` value ``case``."""
    if not case:
        return parts
    if case == "title" and not lang.startswith("en"):  # title case is for English only
        return parts
    if lang.startswith(("tr", "az")) and case in ("uppercase", "lowercase"):
        return map_turkish(parts, case)
    if len(parts) == 1 and isinstance(parts[0], str):  # the common case, memoized
        key = (case, parts[0])
        hit = _PLAIN_CACHE.get(key)
        if hit is None:
            if len(_PLAIN_CACHE) > 50000:
                _PLAIN_CACHE.clear()
            hit = _PLAIN_CACHE[key] = _transform(parts[0], case)
        parts[0] = hit
        return parts
    segs = _segments(parts, [])
    if not segs:
        return parts
    text = "".join(s[2] for s in segs)
    new = _transform(text, case)
    pos = 0
    for lst, i, t in segs:
        n = len(t)
        if lst is not None:
            lst[i] = new[pos:pos + n]
        pos += n
    return parts


def map_turkish(parts, case):
    """Turkish and Azeri dotted/dotless i in upper- and lowercasing."""
    for lst, i, t in _segments(parts, []):
        if lst is not None:
            if case == "uppercase":
                lst[i] = t.replace("i", "\u0130").upper()
            else:
                lst[i] = t.replace("I", "\u0131").lower()
    return parts


def nocase(parts):
    return [F("nocase", parts)]
