"""Pandoc citation syntax for inline Markdown fragments.

Pure module: no Markdown dependency.  It reproduces the citation grammar of
pandoc's Markdown reader (pandoc 2.17, ``Ext_citations``) and the locator
parser of pandoc's citeproc (``Text.Pandoc.Citeproc.Locator``), working on the
*source text* of one inline fragment.

The fragment may contain Python-Markdown placeholders (STX ... ETX); they are
opaque units that may sit in prefixes and suffixes but never in keys.  Raw
text is also handled (for tests / ``find_citations``): backslash escapes,
code spans, autolinks and inline HTML tags are opaque units as well.

Entry points: :func:`parse_bracketed` (at ``[``), :func:`parse_narrative`
(at ``@``) and :func:`find_citations` (left-to-right scan of a string).
Nothing here raises on malformed input; non-citations give ``None``.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "CiteItem",
    "Citation",
    "LOCATOR_TERMS",
    "parse_bracketed",
    "parse_narrative",
    "find_citations",
    "bracket_end",
    "inside_markup",
]


@dataclass(frozen=True)
class CiteItem:
    key: str
    mode: str  # "NormalCitation" | "AuthorInText" | "SuppressAuthor"
    prefix: str = ""
    suffix: str = ""
    locator: str = ""
    label: str = ""
    suffix_lead: str = ""   # how the suffix was attached: ", " (after a comma), " " or "" (directly)


@dataclass(frozen=True)
class Citation:
    items: tuple[CiteItem, ...]
    start: int
    end: int
    bracketed: bool


# ---------------------------------------------------------------------------
# Locator terms: the en-US CSL locale terms that pandoc's citeproc turns into
# a locator label (long and short forms, singular and plural, symbols).  The
# values are CSL locator types.  Pandoc maps "number"/"no." to "issue" (the
# en-US locale spells the *issue* term "number"/"no.").  Lookup is
# case-insensitive (casefolded), as in pandoc.
# ---------------------------------------------------------------------------
_TERM_FORMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("book", ("book", "books", "bk.", "bks.")),
    ("chapter", ("chapter", "chapters", "chap.", "chaps.")),
    ("column", ("column", "columns", "col.", "cols.")),
    ("figure", ("figure", "figures", "fig.", "figs.")),
    ("folio", ("folio", "folios", "fol.", "fols.")),
    ("issue", ("number", "numbers", "no.", "nos.")),
    ("line", ("line", "lines", "l.", "ll.")),
    ("note", ("note", "notes", "n.", "nn.")),
    ("opus", ("opus", "opera", "op.", "opp.")),
    ("page", ("page", "pages", "p.", "pp.")),
    ("paragraph", ("paragraph", "paragraphs", "para.", "paras.", "¶", "¶¶")),
    ("part", ("part", "parts", "pt.", "pts.")),
    ("section", ("section", "sections", "sec.", "secs.", "§", "§§")),
    ("sub-verbo", ("sub verbo", "sub verbis", "s.v.", "s.vv.")),
    ("verse", ("verse", "verses", "v.", "vv.")),
    ("volume", ("volume", "volumes", "vol.", "vols.")),
)
LOCATOR_TERMS: dict[str, str] = {
    form: label for label, forms in _TERM_FORMS for form in forms
}
_TERM_LOOKUP = {k.casefold(): v for k, v in LOCATOR_TERMS.items()}
_TERM_MAXLEN = max(len(k) for k in _TERM_LOOKUP)

# ---------------------------------------------------------------------------
# Lexical helpers
# ---------------------------------------------------------------------------
STX, ETX = "\x02", "\x03"
# simpleCiteIdentifier: first char alnum/_ ; then alnum/_ or one internal
# punctuation char followed by alnum/_ ; ':' or '/' may also precede '/'.
_KEY_RE = re.compile(r"\w(?:\w|[:.#$%&\-+?<>~/](?=\w)|[:/](?=/))*")
_ASCII_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_AUTOLINK_RE = re.compile(
    r"<(?:[A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>@]+)>"
)
_HTML_TAG_RE = re.compile(
    r"</?[A-Za-z][A-Za-z0-9\-]*(?:\s+[^<>\"']*(?:\"[^\"]*\"|'[^']*')?)*\s*/?>"
)
_EMPH_RE = re.compile(
    r"(\*\*|__|\*|_)(?=\S)((?:(?!\1).)+?)(?<=\S)\1", re.S
)


def _is_punct(c: str) -> bool:
    return unicodedata.category(c)[0] == "P"


def _after_word(text: str, i: int) -> bool:
    """True if position i directly follows a pandoc 'Str' (word) character.

    Pandoc's ``notAfterString``: alphanumerics and '.' belong to words; a
    run of dots is a word only unless it is made of '...' ellipses.
    """
    if i <= 0:
        return False
    p = text[i - 1]
    if p.isalnum():
        return True
    if p == ".":
        j = i - 1
        while j >= 0 and text[j] == ".":
            j -= 1
        return (i - 1 - j) % 3 != 0
    return False


_SCAN_CHARS = re.compile(r"[\x02\\`<\[\]]")


class _Scan:
    """Per-text precomputation: opaque units and bracket matches (linear)."""

    __slots__ = ("units", "bmatch")

    def __init__(self, text: str) -> None:
        units: dict[int, int] = {}
        bmatch: dict[int, int] = {}
        stack: list[int] = []
        n = len(text)
        tick_fail: dict[int, int] = {}
        i = 0
        search = _SCAN_CHARS.search
        while True:
            hit = search(text, i)     # jump to the next character that matters
            if hit is None:
                break
            i = hit.start()
            c = text[i]
            if c == STX:
                j = text.find(ETX, i + 1)
                if j != -1:
                    units[i] = j + 1
                    i = j + 1
                    continue
            elif c == "\\":
                if i + 1 < n and text[i + 1] in _ASCII_PUNCT:
                    units[i] = i + 2
                    i += 2
                    continue
            elif c == "`":
                end = _code_span_end(text, i, tick_fail)
                units[i] = end
                i = end
                continue
            elif c == "<":
                m = _AUTOLINK_RE.match(text, i) or _HTML_TAG_RE.match(text, i)
                if m:
                    units[i] = m.end()
                    i = m.end()
                    continue
            elif c == "[":
                stack.append(i)
            elif c == "]":
                if stack:
                    bmatch[stack.pop()] = i
            i += 1
        self.units = units
        self.bmatch = bmatch


@lru_cache(maxsize=64)
def _scan(text: str) -> _Scan:
    return _Scan(text)


def _paren_end(text: str, i: int, units: dict[int, int]) -> int:
    """text[i] == '(' : index after the balanced ')' or -1."""
    depth = 0
    n = len(text)
    while i < n:
        if i in units:
            i = units[i]
            continue
        c = text[i]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return -1


def _bracket_unit_end(text: str, i: int, sc: _Scan) -> int:
    """End of a nested bracket unit at '[' (link / ref link / span / cite),
    or -1 if the bracket is unbalanced (then it is a literal '[')."""
    j = sc.bmatch.get(i)
    if j is None:
        return -1
    end = j + 1
    if end < len(text):
        c = text[end]
        if c == "(":
            e = _paren_end(text, end, sc.units)
            if e != -1:
                end = e
        elif c == "[" or c == "{":
            e = sc.bmatch.get(end) if c == "[" else _brace_end(text, end)
            if e is not None and e != -1:
                end = e + 1 if c == "[" else e
    return end


def _brace_end(text: str, i: int) -> int:
    j = text.find("}", i)
    return -1 if j == -1 else j + 1


def _skip_spnl(text: str, i: int) -> int:
    """pandoc's spnl: spaces, at most one newline, spaces."""
    n = len(text)
    while i < n and text[i] in " \t":
        i += 1
    if i < n and text[i] == "\n":
        j = i + 1
        while j < n and text[j] in " \t":
            j += 1
        if j < n and text[j] == "\n":
            return i  # blank line: spnl fails to cross it
        return j
    return i


def _parse_key(text: str, i: int) -> tuple[str, int] | None:
    """Key starting at i (just after '@')."""
    n = len(text)
    if i >= n:
        return None
    if text[i] == "{":
        depth = 0
        j = i
        while j < n:
            c = text[j]
            if c.isspace() or c == STX or c == ETX:
                return None
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    key = text[i + 1:j]
                    return (key, j + 1) if key else None
            j += 1
        return None
    m = _KEY_RE.match(text, i)
    if not m:
        return None
    return m.group(), m.end()


def _cite_key_at(text: str, i: int) -> tuple[bool, str, int] | None:
    """pandoc citeKey at i ('-@key' or '@key'), with notAfterString."""
    n = len(text)
    c = text[i]
    if c == "-":
        if i + 1 >= n or text[i + 1] != "@" or _after_word(text, i):
            return None
        k = _parse_key(text, i + 2)
        return None if k is None else (True, k[0], k[1])
    if c == "@":
        if _after_word(text, i):
            return None
        k = _parse_key(text, i + 1)
        return None if k is None else (False, k[0], k[1])
    return None


def _suffix_end(text: str, i: int, sc: _Scan) -> int:
    """Scan a suffix from i to the top-level ';' or ']' (index) or -1."""
    n = len(text)
    units = sc.units
    while i < n:
        if i in units:
            i = units[i]
            continue
        c = text[i]
        if c == ";" or c == "]":
            return i
        if c == "[":
            e = _bracket_unit_end(text, i, sc)
            if e != -1:
                i = e
                continue
        i += 1
    return -1


def _parse_cite_list(text: str, i: int, sc: _Scan) -> tuple[list[CiteItem], int] | None:
    """citeList from i; returns items and index of the closing ']'."""
    n = len(text)
    units = sc.units
    items: list[CiteItem] = []
    while True:
        pstart = i
        found = None
        while i < n:
            if i in units:
                i = units[i]
                continue
            c = text[i]
            if c == "]" or c == ";":
                return None
            if c == "@" or c == "-":
                found = _cite_key_at(text, i)
                if found is not None:
                    break
            if c == "[":
                e = _bracket_unit_end(text, i, sc)
                if e != -1:
                    i = e
                    continue
            i += 1
        if found is None:
            return None
        suppress, key, kend = found
        prefix = text[pstart:i].strip()
        j = _suffix_end(text, kend, sc)
        if j == -1:
            return None
        locator, label, suffix = split_locator(text[kend:j])
        items.append(CiteItem(key, "SuppressAuthor" if suppress else "NormalCitation",
                              prefix, suffix, locator, label, suffix_lead(text[kend:j], suffix)))
        if text[j] == "]":
            return items, j
        i = _skip_spnl(text, j + 1)


def _parse_group(text: str, pos: int, sc: _Scan) -> tuple[list[CiteItem], int] | None:
    if pos not in sc.bmatch:  # no closing bracket: cannot be a group (O(1))
        return None
    r = _parse_cite_list(text, _skip_spnl(text, pos + 1), sc)
    if r is None:
        return None
    items, close = r
    end = close + 1
    if end < len(text) and text[end] in "[({":
        return None  # a link / reference link / span, not a citation
    return items, end


def bracket_end(text: str, pos: int) -> int | None:
    """Index of the ``]`` that closes the ``[`` at ``text[pos]`` (code spans, escapes, HTML tags,
    autolinks and placeholders are opaque, as in a citation), or None if it is not closed. Scans
    forward from ``pos`` only, so a paragraph of many notes is not rescanned for each one."""
    if not isinstance(text, str) or not (0 <= pos < len(text)) or text[pos] != "[":
        return None
    n, depth, i = len(text), 0, pos
    search = _SCAN_CHARS.search
    while True:
        hit = search(text, i)
        if hit is None:
            return None
        i = hit.start()
        c = text[i]
        if c == STX:
            j = text.find(ETX, i + 1)
            if j != -1:
                i = j + 1
                continue
        elif c == "\\":
            if i + 1 < n and text[i + 1] in _ASCII_PUNCT:
                i += 2
                continue
        elif c == "`":
            i = _code_span_end(text, i)
            continue
        elif c == "<":
            m = _AUTOLINK_RE.match(text, i) or _HTML_TAG_RE.match(text, i)
            if m:
                i = m.end()
                continue
        elif c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
            if depth == 0:
                return i
        i += 1


def _code_span_end(text: str, i: int, fail: dict | None = None) -> int:
    """After the code span opened by the backtick run at ``i`` (or after the run, unclosed).
    ``fail`` (run length -> where a run of that length was last found unclosed) keeps a scan of
    many unclosed runs linear."""
    n = len(text)
    k = i
    while k < n and text[k] == "`":
        k += 1
    run, j = k - i, k
    if fail is not None and fail.get(run, n + 1) <= k:
        return k
    while True:
        j = text.find("`" * run, j)
        if j == -1:
            if fail is not None:
                fail[run] = k
            return k
        e = j + run
        if e < n and text[e] == "`":
            while e < n and text[e] == "`":
                e += 1
            j = e
            continue
        return e


def inside_markup(text: str, pos: int) -> bool:
    """True if ``text[pos]`` is inside an autolink or an inline HTML tag (``<https://x/^[y]>``)."""
    i = text.rfind("<", 0, pos)
    if i == -1:
        return False
    m = _AUTOLINK_RE.match(text, i) or _HTML_TAG_RE.match(text, i)
    return m is not None and m.end() > pos


def parse_bracketed(text: str, pos: int) -> Citation | None:
    """Parse a bracketed citation group starting at text[pos] == '['. After ``^`` the bracket
    opens an inline note (``^[See @doe99.]``), not a citation group: the note's citations are
    parsed inside it."""
    if not isinstance(text, str) or not (0 <= pos < len(text)) or text[pos] != "[":
        return None
    if pos > 0 and text[pos - 1] == "^" and not (pos > 1 and text[pos - 2] == "\\"):
        return None
    r = _parse_group(text, pos, _scan(text))
    if r is None:
        return None
    items, end = r
    return Citation(tuple(items), pos, end, True)


def parse_narrative(text: str, pos: int) -> Citation | None:
    """Parse an author-in-text citation at text[pos] == '@', including the
    optional bracketed material after it (``@key [p. 33]``,
    ``@key [p. 33; @other]``, ``@key [see @other]``)."""
    if not isinstance(text, str) or not (0 <= pos < len(text)) or text[pos] != "@":
        return None
    if _after_word(text, pos):
        return None
    k = _parse_key(text, pos + 1)
    if k is None:
        return None
    key, kend = k
    first = CiteItem(key, "AuthorInText")
    n = len(text)
    sc = _scan(text)
    j = _skip_spnl(text, kend)
    if j < n and text[j] == "[":
        # `@a [see @b]`: a full citation group merges into this citation
        g = _parse_group(text, j, sc)
        if g is not None:
            items, end = g
            return Citation((first, *items), pos, end, False)
        # bare locator / suffix: `@a [p. 33]`, `@a [p. 33; @b]`
        if j in sc.bmatch and not text.startswith("^", j + 1):
            s_end = _suffix_end(text, j + 1, sc)
            if s_end != -1:
                rest: list[CiteItem] = []
                close = s_end
                ok = True
                if text[s_end] == ";":
                    r = _parse_cite_list(text, _skip_spnl(text, s_end + 1), sc)
                    if r is None:
                        ok = False
                    else:
                        rest, close = r
                if ok and not (close + 1 < n and text[close + 1] in "[("):
                    locator, label, suffix = split_locator(text[j + 1:s_end])
                    item = CiteItem(key, "AuthorInText", "", suffix, locator, label,
                                    suffix_lead(text[j + 1:s_end], suffix))
                    return Citation((item, *rest), pos, close + 1, False)
    return Citation((first,), pos, kend, False)


def find_citations(text: str) -> list[Citation]:
    """All citations of a plain string, left to right, non-overlapping."""
    out: list[Citation] = []
    if not isinstance(text, str):
        return out
    sc = _scan(text)
    units = sc.units
    n = len(text)
    i = 0
    while i < n:
        if i in units:
            i = units[i]
            continue
        c = text[i]
        cit = None
        if c == "[":
            cit = parse_bracketed(text, i)
        elif c == "@":
            cit = parse_narrative(text, i)
        if cit is not None:
            out.append(cit)
            i = cit.end
        else:
            i += 1
    return out


# ---------------------------------------------------------------------------
# Locator parsing (port of pandoc's Text.Pandoc.Citeproc.Locator)
# ---------------------------------------------------------------------------
# Tokens: (kind, text, start, end); kind 's' = Str (single punctuation
# char or a run of other chars), ' ' = space, 'o' = other inline (code,
# placeholder, emphasis, link), whose text is its stringified form.
_SPACE, _STR, _OTHER = " ", "s", "o"
_ROMAN_RE = re.compile(
    r"M*(?:CM)?D?(?:CD)?C*(?:XC)?L?(?:XL)?X*(?:IX)?V?(?:IV)?I*"
)
_LINK_RE = re.compile(r"!?\[")


def _tokenize(src: str) -> list[tuple[str, str, int, int]]:
    toks: list[tuple[str, str, int, int]] = []
    sc = _scan(src)
    units = sc.units
    n = len(src)
    i = 0
    run_start = -1

    def flush(upto: int) -> None:
        nonlocal run_start
        if run_start != -1:
            toks.append((_STR, src[run_start:upto], run_start, upto))
            run_start = -1

    while i < n:
        c = src[i]
        if i in units:
            flush(i)
            e = units[i]
            if c == "\\":
                toks.append((_STR, src[i + 1], i, e))
            elif c == "`":
                toks.append((_OTHER, src[i:e].strip("`").strip(), i, e))
            else:  # placeholder / autolink / html: opaque, never a term or digit
                toks.append((_OTHER, "\ufffc", i, e))
            i = e
            continue
        if c.isspace():
            flush(i)
            j = i + 1
            while j < n and src[j].isspace():
                j += 1
            toks.append((_SPACE, " ", i, j))
            i = j
            continue
        if c in "*_" and not (c == "_" and _after_word(src, i)):
            m = _EMPH_RE.match(src, i)
            if m:
                flush(i)
                inner = m.group(2).replace("*", "").replace("_", "")
                toks.append((_OTHER, inner, i, m.end()))
                i = m.end()
                continue
        if c == "[" or (c == "!" and src.startswith("[", i + 1)):
            b = i + 1 if c == "!" else i
            j = sc.bmatch.get(b)
            if j is not None and j + 1 < n and src[j + 1] == "(":
                e = _paren_end(src, j + 1, units)
                if e != -1:
                    flush(i)
                    toks.append((_OTHER, src[b + 1:j], i, e))
                    i = e
                    continue
        if c != ":" and _is_punct(c):
            flush(i)
            toks.append((_STR, c, i, i + 1))
            i += 1
            continue
        if c == STX or c == ETX:
            flush(i)
            toks.append((_OTHER, "\ufffc", i, i + 1))
            i += 1
            continue
        if run_start == -1:
            run_start = i
        i += 1
    flush(n)
    return toks


_INT_BRACES = (("(", ")"), ("[", "]"), ("{", "}"))
_DELIM_BRACES = (("{", "}"), ("[", "]"))


class _LocParser:
    __slots__ = ("t", "n", "_lim")

    def __init__(self, toks):
        self.t = toks
        self.n = len(toks)
        self._lim: dict[int, bool] = {}

    # -- primitives ---------------------------------------------------
    def char(self, i, chars):
        if i < self.n:
            k, s = self.t[i][0], self.t[i][1]
            if k == _STR and len(s) == 1 and s in chars:
                return True
        return False

    def space(self, i):
        return i < self.n and self.t[i][0] == _SPACE

    def punct_tok(self, i):  # pLocatorPunct
        if i < self.n:
            k, s = self.t[i][0], self.t[i][1]
            if k == _STR and len(s) == 1 and s not in "-–:" and _is_punct(s):
                return True
        return False

    # -- page units ---------------------------------------------------
    def page_unit(self, i):
        """pPageUnit -> (digit_like, end) or None."""
        if i >= self.n:
            return None
        k, s = self.t[i][0], self.t[i][1]
        if k == _STR and s:
            up = s.upper()
            if _ROMAN_RE.fullmatch(up):
                return True, i + 1
        j = i
        while j < self.n and not self.space(j) and not self.punct_tok(j):
            j += 1
        if j == i:
            return None
        dig = any("0" <= ch <= "9" for tok in self.t[i:j] for ch in tok[1])
        return dig, j

    def page_seq(self, i):
        """pPageSeq -> (digit_like, end) or None."""
        u = self.page_unit(i)
        if u is not None:
            dig, j = u
        else:
            w = self.with_period(i)
            if w is None:
                return None
            return w
        while True:
            w = self.with_period(j)
            if w is None:
                return dig, j
            dig = dig or w[0]
            j = w[1]

    def with_period(self, i):
        if self.char(i, "."):
            u = self.page_unit(i + 1)
            if u is not None:
                return u
        return None

    def balanced(self, i, braces, p):
        """pBalancedBraces braces p -> (digit_like, end) or None."""
        flat = "".join(o + c for o, c in braces)
        opens = {o: c for o, c in braces}
        dig = False
        count = 0
        while True:
            r = None
            if i < self.n and self.char(i, opens.keys()):
                close = opens[self.t[i][1]]
                j = i + 1
                d = False
                if not self.char(j, flat):
                    m = p(j)
                    if m is not None:
                        d, j = m
                if self.char(j, close):
                    r = (d, j + 1)
            elif not self.char(i, flat):
                r = p(i)
            if r is None:
                break
            dig = dig or r[0]
            i = r[1]
            count += 1
        return (dig, i) if count else None

    def word_integrated(self, i, is_first):
        """pLocatorWordIntegrated -> (digit_like, has_digit_text, end)."""
        start = i
        if not is_first and self.char(i, ",;"):
            i += 1
        if self.space(i):
            i += 1
        r = self.balanced(i, _INT_BRACES, self.page_seq)
        if r is None:
            return None
        dig, j = r
        hasdig = any("0" <= ch <= "9" for tok in self.t[start:j] for ch in tok[1])
        return dig, hasdig, j

    def lim_integrated(self, i):
        r = self._lim.get(i)
        if r is None:
            w = self.word_integrated(i, True)
            r = self._lim[i] = w is not None and w[0]
        return r

    def lim_any(self, i):
        return i < self.n

    def label(self, i, lim):
        """pLocatorLabel' -> (label, end) or None (longest match)."""
        best = None
        acc = ""
        j = i
        while j < self.n:
            acc += self.t[j][1]
            j += 1
            while not lim(j):
                if j >= self.n or len(acc.strip()) > _TERM_MAXLEN:
                    return best
                acc += self.t[j][1]
                j += 1
            key = acc.strip().casefold()
            if len(key) > _TERM_MAXLEN:
                return best
            lab = _TERM_LOOKUP.get(key)
            if lab is not None:
                best = (lab, j)
        return best

    # -- locators -----------------------------------------------------
    def delimited(self, i):
        if not self.char(i, "{"):
            return None
        i += 1
        while self.space(i):
            i += 1
        lb = self.label(i, self.lim_any)
        if lb is None:
            la = "page"
        else:
            la, i = lb
        lo_start = i
        while True:
            r = self.balanced(i, _DELIM_BRACES, self.any_tok)
            if r is None:
                break
            i = r[1]
        if not self.char(i, "}"):
            return None
        return la, lo_start, i, i + 1

    def any_tok(self, i):
        return (True, i + 1) if i < self.n else None

    def integrated(self, i):
        lb = self.label(i, self.lim_integrated)
        if lb is not None:
            la, i = lb
            implicit = False
        else:
            w = self.word_integrated(i, True)
            if w is None or not w[1]:
                return None
            la, implicit = "page", True

        def ok(w):
            return w is not None and (w[1] if implicit else w[0])

        w = self.word_integrated(i, not implicit)
        if not ok(w):
            return None
        lo_start = i
        i = w[2]
        while True:
            w = self.word_integrated(i, False)
            if not ok(w):
                break
            i = w[2]
        return la, lo_start, i, i

    def words(self):
        i = 0
        if self.char(i, ","):
            i += 1
        if self.space(i):
            i += 1
        return self.delimited(i) or self.integrated(i)


def _strip_suffix(s: str) -> str:
    s = s.strip()
    if s.startswith(","):
        s = s[1:].lstrip()
    return s


def suffix_lead(raw: str, suffix: str) -> str:
    """How ``suffix`` was attached in ``raw`` (the text after the key): ", " after a comma, " "
    after a space, "" directly (as Pandoc keeps it: "[@a and passim]" gives "(Doe 2000 and
    passim)", "[@a, p. 3, and more]" gives "(Doe 2000, 3, and more)")."""
    if not suffix:
        return ""
    head = raw[:raw.rfind(suffix)] if suffix in raw else raw
    head = head.rstrip()
    if head.endswith(","):
        return ", "
    return " " if raw[len(head):len(head) + 1].isspace() else ""


def split_locator(raw: str) -> tuple[str, str, str]:
    """Split a raw citation suffix (text after the key) into
    (locator, label, suffix) the way pandoc's citeproc does."""
    src = raw.rstrip()
    toks = _tokenize(src)
    if not toks:
        return "", "", ""
    try:
        r = _LocParser(toks).words()
    except RecursionError:  # pragma: no cover - defensive
        r = None
    if r is None:
        return "", "", _strip_suffix(src)
    label, lo_a, lo_b, rest = r
    if lo_b > lo_a:
        locator = src[toks[lo_a][2]:toks[lo_b - 1][3]].strip()
    else:
        locator = ""
    suffix = _strip_suffix(src[toks[rest][2]:]) if rest < len(toks) else ""
    return locator, label, suffix
