"""One item model: every BibTeX/biblatex entry becomes one CSL-JSON item, mapped as Pandoc maps it.

``pandoc -f biblatex -t csljson`` is the reference (``variant="bibtex"`` follows ``-f bibtex``):
the entry types, names (particles, suffixes, ``{{Corporate}}`` literals, ``and others``), dates,
titles (LaTeX to Unicode, sentence case for English entries with ``{…}`` protecting case, subtitle
and title addon joined, a short title), containers, publishers and places, numbers, identifiers
and notes are those Pandoc's BibTeX reader (``Text.Pandoc.Citeproc.BibTeX``) produces, and rich
text is written in CSL-JSON's HTML-like markup (``<i>``, ``<b>``, ``<sup>``, ``<sub>``, small
caps spans) as Pandoc's CSL-JSON writer writes it. ``crossref`` and ``xdata`` inheritance follow
biblatex's rules as Pandoc applies them (``booktitle`` from a book's ``title``…) without changing
the parsed entries. Fields whose names start with ``x-`` are never mapped.

pybtex parses; this module is pure (no MkDocs). Bad input never raises: each item comes with a
list of problems (messages to print as ``path:line: message``, e.g. ``bib.where(key)``).

    model = ItemModel(bib.raw)                # entries as parsed, before any crossref resolution
    model.csl("lee2018")                      # {"id": "lee2018", "type": "book", ...} (read-only)
    model.item("lee2018").problems            # ["invalid date '20x0' in 'lee2018'", ...]
    model.items()                             # [(key, Item), ...] in order, @xdata left out
    csl_item(key, entry, entries)             # one item without a model (no cache)

``variant="bibtex"`` gives what ``pandoc -f bibtex`` gives; ``nocase=True`` keeps the case
protection of title words (``{DNA}``-style groups with a lower-case word) as
``<span class="nocase">``, for a CSL processor that changes case (Pandoc's CSL-JSON drops it);
``as_written=True`` gives the item for reference managers: titles in the case they are written in
(Pandoc turns English titles into sentence case for its processor), no short title but the one
written, and a year that is not a date kept as literal text. ``latex_inlines``, ``sentence_case``,
``render`` and ``stringify`` are the text pipeline (field LaTeX -> inlines -> CSL-JSON markup).
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from pybtex.bibtex.utils import split_name_list
from pybtex.database import Person

# --------------------------------------------------------------------------------------------------
# Inlines: a str is Pandoc's Str; SP, LB are Space and LineBreak; a tuple (kind, payload) is any
# other inline: ("span", list) a brace group, ("cls", list) a classed span (\textup…; "tt" for
# \tt, which keeps its edge spaces), ("emph",
# list), ("strong", list), ("sc", list), ("sup", list), ("sub", list), ("u", list), ("q", list)
# quoted, ("link", list), ("code", text), ("math", text), ("raw", text) dropped on output, and
# ("nocase", list) a brace group that sentence case leaves alone.
# --------------------------------------------------------------------------------------------------

SP = ("sp", None)
LB = ("lb", None)
_PAR = ("raw", "\\par")               # a paragraph break (rendered as nothing where nested)
_CONTAINERS = {"span", "cls", "tt", "emph", "strong", "sc", "sup", "sub", "u", "q", "link",
               "nocase"}


def _append(out: list, x) -> None:
    """Pandoc's builder: adjacent Strs merge, Spaces collapse (also into a LineBreak)."""
    if isinstance(x, str):
        if not x:
            return
        if out and isinstance(out[-1], str):
            out[-1] += x
            return
    elif x is SP and out and (out[-1] is SP or out[-1] is LB):
        return
    elif x is LB and out and out[-1] is SP:
        out[-1] = LB
        return
    out.append(x)


def _append_formatted(out: list, kind: str, body: list) -> None:
    """Pandoc's extractSpaces: spaces at the edges of emphasis and the like go outside it."""
    if kind in ("q", "tt", "u"):
        _append(out, (kind, body))
        return
    inner = _trim(body)
    if body[:1] == [SP]:
        _append(out, SP)
    _append(out, (kind, inner))
    if body[-1:] == [SP]:
        _append(out, SP)


def _trim(ils: list) -> list:
    start, end = 0, len(ils)
    while start < end and ils[start] is SP:
        start += 1
    while end > start and ils[end - 1] is SP:
        end -= 1
    return ils[start:end]


def stringify(ils) -> str:
    """Pandoc's ``stringify``: the text, formatting dropped (quotes as curly quotes)."""
    out = []
    for x in ils:
        if isinstance(x, str):
            out.append(x)
        elif x is SP or x is LB:
            out.append(" ")
        elif x[0] in ("code", "math"):
            out.append(x[1])
        elif x[0] == "q":
            out.append("\u201c" + stringify(x[1]) + "\u201d")
        elif x[0] in _CONTAINERS:
            out.append(stringify(x[1]))
    return "".join(out)


# citeproc's superscriptChars: a Str that is one of these characters is written as <sup>…</sup>.
_SUPERSCRIPT_CHARS = dict(zip(
    "¹²³⁰ⁱ⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿªºˀˁˠˡˢˣˤᴬᴭᴮᴰᴱᴲᴳᴴᴵᴶᴷᴸᴹᴺᴼᴽᴾᴿᵀᵁᵂᵃᵄᵅᵆᵇᵈᵉᵊᵋᵌᵍᵏᵐᵑᵒᵓᵔᵕᵖᵗᵘᵙᵚᵛᵜᵝᵞᵟᵠᵡʰʱʲʳʴʵʶʷʸ",
    "1230i456789+−=()naoʔʕɣlsxʕAÆBDEƎGHIJKLMNOȢPRTUWaɐɑᴂbdeəɛɜgkmŋoɔᴖᴗptuᴝɯvᴥβγδφχhɦjrɹɻʁwy"))
_SUPERSCRIPT_CHARS.update({"℠": "SM", "™": "TM"})


def render(ils, nocase: bool = False) -> str:
    """CSL-JSON rich text as Pandoc's writer renders it (citeproc's ``renderCslJson``); with
    ``nocase``, case-protected groups of titles are kept as ``<span class="nocase">``, as in the
    references Pandoc hands to its own citeproc (its CSL-JSON output drops them)."""
    return _render(ils, (True, True, True, True, nocase))


def _render(ils, ctx: tuple) -> str:
    out = []
    for x in ils:
        if isinstance(x, str):
            out.append(f"<sup>{_SUPERSCRIPT_CHARS[x]}</sup>" if x in _SUPERSCRIPT_CHARS else x)
        elif x is SP:
            out.append(" ")
        elif x is LB:
            out.append("\n")
        else:
            out.append(_render_one(x, ctx))
    return "".join(out)


# kind -> (context slot it flips, markup when the slot is on, markup when off); slots: italic,
# bold, small caps, outer quotes (citeproc flip-flops them when nested)
_FLIPS = {
    "emph": (0, ("<i>", "</i>"), ('<span style="font-style:normal;">', "</span>")),
    "strong": (1, ("<b>", "</b>"), ('<span style="font-weight:normal;">', "</span>")),
    "sc": (2, ('<span style="font-variant:small-caps;">', "</span>"),
           ('<span style="font-variant:normal;">', "</span>")),
    "q": (3, ("\u201c", "\u201d"), ("\u2018", "\u2019")),
}  # fmt: skip
_TAGS = {"sup": ("<sup>", "</sup>"), "sub": ("<sub>", "</sub>"), "u": ("<u>", "</u>")}


def _render_one(x, ctx: tuple) -> str:
    kind, body = x
    if kind == "code":
        return body
    if kind == "math":
        return f"${body}$"
    if kind == "raw":
        return ""
    if kind in _FLIPS:
        slot, on, off = _FLIPS[kind]
        inner_ctx = ctx[:slot] + (not ctx[slot],) + ctx[slot + 1:]
        start, end = on if ctx[slot] else off
        return start + _render(body, inner_ctx) + end
    start, end = _TAGS.get(kind, ("", ""))
    if kind == "nocase" and ctx[4]:
        start, end = '<span class="nocase">', "</span>"
    return start + _render(body, ctx) + end


# --------------------------------------------------------------------------------------------------
# LaTeX -> inlines, the way Pandoc's LaTeX reader (raw_tex + smart) reads a BibTeX field
# --------------------------------------------------------------------------------------------------

_ACCENTS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303", '"': "\u0308",
            "=": "\u0304", ".": "\u0307", "c": "\u0327", "v": "\u030c", "H": "\u030b",
            "u": "\u0306", "r": "\u030a", "k": "\u0328", "d": "\u0323", "b": "\u0331",
            "t": "\u0361"}  # fmt: skip
_SYMBOLS = {
    "TeX": "TeX", "LaTeX": "LaTeX", "ss": "ß", "o": "ø", "O": "Ø", "l": "ł", "L": "Ł", "ae": "æ",
    "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å", "i": "ı", "j": "ȷ", "dots": "…",
    "ldots": "…", "S": "§", "P": "¶", "pounds": "£", "copyright": "©", "textregistered": "®",
    "textquotedbl": '"', "textbackslash": "\\", "slash": "/",
    "textasciitilde": "~", "hyphen": "-", "adddot": ".", "textquotesingle": "'", "textmu": "μ",
    "textdollar": "$", "textquoteleft": "‘", "textquoteright": "’", "guillemotleft": "«",
    "guillemotright": "»", "euro": "€", "textdegree": "°", "textdagger": "†",
    "guilsinglleft": "‹", "guilsinglright": "›", "quotedblbase": "„", "quotesinglbase": ",",
    "textasciicircum": "^", "textbullet": "•", "textcopyright": "©", "textgreater": ">",
    "textless": "<", "textonehalf": "½", "textonequarter": "¼", "textthreequarters": "¾",
    "textparagraph": "¶", "textquotedblleft": "“", "textquotedblright": "”",
    "textsection": "§", "textsterling": "£", "textyen": "¥",
}  # fmt: skip
_SYMBOL_CHARS = {"{": "{", "}": "}", "&": "&", "%": "%", "$": "$", "#": "#", "_": "_",
                 " ": "\u00a0", ",": "\u2006", "/": "", "-": "\u00ad", "@": ""}  # fmt: skip
_ONE_ARG = {"emph": "emph", "textit": "emph", "textsl": "emph", "textbf": "strong",
            "textsc": "sc", "textsuperscript": "sup", "textsubscript": "sub",
            "underline": "u", "textup": "cls", "textrm": "cls", "textsf": "cls",
            "textmd": "cls", "textnormal": "cls", "enquote": "q",
            "mkbibemph": "emph", "mkbibbold": "strong", "mkbibitalic": "emph",
            "mkbibsuperscript": "sup", "mkbibsubscript": "sub", "uline": "u", "hl": "cls",
            "sout": "cls", "st": "cls", "textenglish": "cls", "textgerman": "cls",
            "textfrench": "cls", "textgreek": "cls"}  # fmt: skip
_DECLARATIONS = {"it": "emph", "em": "emph", "sl": "emph", "itshape": "emph", "slshape": "emph",
                 "bf": "strong", "bfseries": "strong", "scshape": "sc",
                 "rm": "cls", "tt": "tt", "normalfont": "cls", "upshape": "cls",
                 "ttfamily": "tt", "rmfamily": "cls", "sffamily": "cls", "mdseries": "cls"}  # fmt: skip
_DIMEN = re.compile(r"=?-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
                    r"(?:pt|pc|in|bp|cm|mm|dd|cc|sp|em|ex|mu|fil+)?(?![A-Za-z])")
_OVERLAY = re.compile(r"<[^<>{}\\]*>")
_NO_ARGS = frozenset(("hfil", "hfill", "hss", "vfil", "vfill", "unskip", "xspace", "autocap"))
_WORD_END = re.compile(r"[\s{}\\$~'`%\-\u2018\u2019\u201c\u201d]")
_QUOTES = {"``": "''", "`": "'", "\u201c": "\u201d", "\u2018": "\u2019"}  # opener: closer


class LatexError(ValueError):
    """LaTeX that Pandoc's reader rejects (the field is then left out, as Pandoc does)."""


class _Reader:
    """A recursive-descent reader of one field's LaTeX (never raises; unknown macros are raw)."""

    def __init__(self, text: str):
        self.s = text
        self.i = 0
        self.unclosed: set = set()      # closers already looked for in vain (scans stay linear)
        self.quotes = 0                 # quotes open while looking for their closers

    def inlines(self, in_group: bool = False, stop: str = "") -> list:
        """Inlines up to the end of the group (or of the text, or to ``stop``, setting ``found``)."""
        out: list = []
        s = self.s
        self.found = False
        while self.i < len(s):
            c = s[self.i]
            if stop and s.startswith(stop, self.i) and self._closes(stop):
                self.i += len(stop)
                self.found = True
                return out
            if c == "}":
                if in_group:
                    self.i += 1
                    self.found = False
                    return out
                self.i += 1                      # a stray closing brace: dropped
            elif c.isspace():
                while self.i < len(s) and s[self.i].isspace():
                    self.i += 1
                _append(out, SP)
            elif c == "{":
                self.i += 1
                body = self.inlines(True)
                if body:                         # "{}" is nothing at all
                    _append(out, ("span", body))
            elif c == "%":                       # a comment: to the end of the line
                end = s.find("\n", self.i)
                self.i = len(s) if end < 0 else end + 1
            elif c == "\\":
                if self._command(out, in_group):
                    return out
            else:
                self._text(out, c)
        self.found = False
        return out

    def _text(self, out, c) -> None:
        s, i = self.s, self.i
        if c == "~":
            _append(out, "\u00a0")
        elif c == "-":
            n = 3 if s.startswith("---", i) else 2 if s.startswith("--", i) else 1
            _append(out, {3: "\u2014", 2: "\u2013", 1: "-"}[n])
            self.i += n
            return
        elif c in "`\u201c\u2018":
            self._quote(out, "``" if s.startswith("``", i) else c)
            return
        elif c == "'":
            _append(out, "\u2019")
        elif c == "$":
            end = s.find("$", i + 1)
            if end < 0:
                _append(out, "$")
            else:
                _append(out, ("math", s[i + 1:end]))
                self.i = end + 1
                return
        else:
            m = _WORD_END.search(s, i + 1)
            end = m.start() if m else len(s)
            _append(out, s[i:end])
            self.i = end
            return
        self.i += 1


    def _closes(self, stop: str) -> bool:
        nxt = self.s[self.i + len(stop):self.i + len(stop) + 1]
        return stop not in ("'", "\u2019") or not nxt.isalpha()

    def _quote(self, out, opener: str) -> None:
        start = self.i
        self.i += len(opener)
        closer = _QUOTES[opener]
        body = None
        if closer not in self.unclosed and self.quotes < 32:
            self.quotes += 1
            body = self.inlines(False, closer)
            self.quotes -= 1
        if body is not None and self.found:
            _append(out, ("q", _trim(body)))
        else:
            self.unclosed.add(closer)
            self.i = start + len(opener)
            _append(out, {"``": "\u201c", "`": "\u2018"}.get(opener, opener))

    def _group_or_token(self) -> list:
        """A macro's argument: a braced group, else the next character or command."""
        s = self.s
        if self.i < len(s) and s[self.i] == "{":
            self.i += 1
            return self.inlines(True)
        if self.i >= len(s):
            return []
        if s[self.i] == "\\":
            out: list = []
            self._command(out, False)
            return out
        self.i += 1
        return [s[self.i - 1]]

    def _skip_spaces(self) -> None:
        while self.i < len(self.s) and self.s[self.i].isspace():
            self.i += 1

    def _command(self, out, in_group) -> bool:
        """Read the command at ``\\``; True when it ended the group (a declaration such as \\it)."""
        s = self.s
        self.i += 1
        if self.i >= len(s):
            return False
        c = s[self.i]
        if not c.isalpha():
            self.i += 1
            if c in _ACCENTS:
                _append(out, self._accent(c))
            elif c in _SYMBOL_CHARS:
                _append(out, _SYMBOL_CHARS[c])
            elif c == "\\":
                self._skip_options()
                self._skip_spaces()
                _append(out, LB)
            return False
        start = self.i - 1
        while self.i < len(s) and s[self.i].isalpha():
            self.i += 1
        name = s[start + 1:self.i]
        self._skip_spaces()
        m = _OVERLAY.match(s, self.i)     # a beamer overlay, <…>, which Pandoc skips
        if m:
            self.i = m.end()
        if name in _ONE_ARG and s.startswith("*", self.i):
            self.i += 1
        return self._word_command(out, name, start, in_group)

    def _accent(self, c) -> str:
        arg = stringify(self._group_or_token())
        if not arg:                   # \'{}: the accent alone, as Pandoc writes it
            return {"'": "'", "`": "`", "^": "^", "~": "~"}.get(c, _ACCENTS[c])
        return unicodedata.normalize("NFC", arg[0] + _ACCENTS[c]) + arg[1:]

    def _word_command(self, out, name, start, in_group) -> bool:
        s = self.s
        if name in _ACCENTS and len(name) == 1:
            _append(out, self._accent(name))
        elif name in _ONE_ARG:
            _append_formatted(out, _ONE_ARG[name], self._group_or_token())
        elif name in _DECLARATIONS:
            if s.startswith("{}", self.i):
                self.i += 2
            _append_formatted(out, _DECLARATIONS[name], self.inlines(in_group))
            return in_group
        elif name in _SYMBOLS:
            _append(out, _SYMBOLS[name])
            if s.startswith("{}", self.i):   # \ss{}: the empty group is the macro's
                self.i += 2
        else:
            return self._special(out, name, start)
        return False

    def _special(self, out, name, start) -> bool:
        s = self.s
        if name == "texttt":
            code = stringify(self._group_or_token())
            if code:
                _append(out, ("code", code))
        elif name == "url" and s.startswith("{", self.i):
            end = s.find("}", self.i)
            end = len(s) if end < 0 else end
            _append(out, ("link", [s[self.i + 1:end]]))
            self.i = end + 1
        elif name == "href":
            self._group_or_token()
            _append(out, ("link", self._group_or_token()))
        elif name == "verb" and self.i < len(s):
            end = s.find(s[self.i], self.i + 1)
            if end < 0:
                raise LatexError(f"\\verb{s[self.i]} is not closed")
            _append(out, ("code", s[self.i + 1:end]))
            self.i = end + 1
        elif name == "mkbibquote":
            _append(out, ("span", [("q", self._group_or_token())]))
        elif name in ("addabbrvspace", "adddotspace"):
            _append(out, "." if name == "adddotspace" else "")
            _append(out, SP)
        elif name == "ensuremath":
            _append(out, ("math", stringify(self._group_or_token())))
        elif name == "bibstring":
            _append(out, ("span", [resolve_key(stringify(self._group_or_token()))]))
        elif name == "newline":
            _append(out, LB)
        elif name == "par":
            _append(out, _PAR)
        elif name in ("uppercase", "MakeUppercase", "MakeTextUppercase"):
            _append(out, ("span", _map_text(self._group_or_token(), str.upper)))
        elif name in ("lowercase", "MakeLowercase", "MakeTextLowercase"):
            _append(out, ("span", _map_text(self._group_or_token(), str.lower)))
        elif name != "expandafter":   # unknown macros are raw TeX (dropped), with their arguments
            if name not in _NO_ARGS:
                self._skip_raw_args()
            _append(out, ("raw", s[start:self.i]))
        return False

    def _skip_options(self) -> None:
        s = self.s
        while self.i < len(s) and s[self.i] in "*[":
            if s[self.i] == "*":
                self.i += 1
                continue
            end = s.find("]", self.i)
            if end < 0:
                return
            self.i = end + 1

    def _skip_raw_args(self) -> None:
        """An unknown macro takes its options, a dimension and every braced group after it."""
        self._skip_options()
        m = _DIMEN.match(self.s, self.i)
        if m:
            self.i = m.end()
        while self.i < len(self.s) and self.s[self.i] == "{":
            self.i += 1
            self.inlines(True)


def _map_text(ils, fn) -> list:
    out = []
    for x in ils:
        if isinstance(x, str):
            out.append(fn(x))
        elif x is SP or x is LB or x[0] not in _CONTAINERS:
            out.append(x)
        else:
            out.append((x[0], _map_text(x[1], fn)))
    return out


def latex_inlines(text: str) -> list:
    """A field's LaTeX as Pandoc inlines (outer spaces trimmed; a new list, nested parts shared:
    nothing here changes inlines in place). Raises LatexError where Pandoc's reader fails."""
    return list(_read_latex(text))


@functools.lru_cache(maxsize=32768)
def _read_latex(text: str) -> tuple:
    try:
        ils = _Reader(text.strip()).inlines()
    except RecursionError:
        raise LatexError("braces nested too deeply") from None
    if _PAR not in ils:
        return tuple(_trim(ils))
    out: list = []                    # paragraphs: Pandoc's blocksToInlines takes every inline
    for para in _split_at(ils, _PAR):  # of every paragraph, nested ones again after their parent
        out.extend(_query(_trim(para)))
    return tuple(out)


def _split_at(ils: list, mark) -> list:
    groups: list = [[]]
    for x in ils:
        if x is mark:
            groups.append([])
        else:
            groups[-1].append(x)
    return groups


def _query(ils: list) -> list:
    out: list = []
    for x in ils:
        out.append(x)
        if isinstance(x, tuple) and x[0] in _CONTAINERS:
            out.extend(_query(x[1]))
    return out



# --------------------------------------------------------------------------------------------------
# Sentence case, as citeproc's caseTransform (withSentenceCase) after Pandoc's protectCase
# --------------------------------------------------------------------------------------------------

_START, _START_SENTENCE, _AFTER_WORD_END, _AFTER_WORD_CHAR = 0, 1, 2, 3
_AFTER_SENTENCE_PUNCT, _BEFORE_LAST_WORD = 4, 6
_WORD_BREAKS = frozenset("-/\u2013\u2014")


class _Case:
    """State of one sentence-case pass over a title's inlines."""

    def __init__(self):
        self.st = _START

    def update(self, t: str) -> None:
        if not t:
            return
        c = t[-1]
        if c in ".?!:":
            self.st = _AFTER_SENTENCE_PUNCT
        elif c.isalnum():
            self.st = _AFTER_WORD_CHAR
        elif c.isspace() and self.st == _AFTER_SENTENCE_PUNCT:
            self.st = _START_SENTENCE
        elif c.isspace() or c in _WORD_BREAKS:
            self.st = _AFTER_WORD_END
        elif self.st == _AFTER_SENTENCE_PUNCT:   # ".)": the sentence does not start again
            self.st = _AFTER_WORD_CHAR

    def chunk(self, t: str) -> str:
        st = self.st
        self.update(t)
        if not t.isalnum():
            return t
        start = st in (_START, _START_SENTENCE)
        capitalized = t[0].isupper() and (len(t) == 1 or _all_lower(t[1:]))
        if capitalized and not start:
            return t.lower()
        if start and (capitalized or _all_lower(t)):
            low = t.lower()
            return low[0].upper() + low[1:]
        return t

    def text(self, t: str) -> str:
        return "".join(self.chunk(m) for m in _split_up(t))

    def inlines(self, ils: list) -> list:
        out = []
        last = len(ils) - 1
        special = last > 0 and isinstance(ils[last], str) and not _has_word_break(ils[last])
        for n, x in enumerate(ils):
            if special and n == last and self.st in (_AFTER_WORD_END, _START_SENTENCE, _START):
                self.st = _BEFORE_LAST_WORD
            out.append(self.one(x))
        return out

    def one(self, x):
        if isinstance(x, str):
            return self.text(x)
        if x is SP:
            self.update(" ")
            return x
        kind, body = x
        if kind in ("nocase", "sc", "sup", "sub"):
            after_word = self.st == _AFTER_WORD_CHAR
            self.update(_str_text(body))
            return ("span", body) if kind == "nocase" and after_word else x
        if kind in _CONTAINERS:
            return (kind, [self.one(y) for y in body])
        return x


def _all_lower(t: str) -> bool:
    return all(ch.islower() for ch in t)


def _has_word_break(t: str) -> bool:
    return any(ch in _WORD_BREAKS or ch.isspace() for ch in t)


def _split_up(t: str) -> list:
    """citeproc's splitUp: runs of alphanumerics, runs of spaces; else single characters."""
    out, cur, kind = [], "", None
    for ch in t:
        k = 1 if ch.isalnum() else 3 if ch.isspace() else None
        if k is not None and k == kind:
            cur += ch
        else:
            if cur:
                out.append(cur)
            cur, kind = ch, k
    if cur:
        out.append(cur)
    return out


def _str_text(ils) -> str:
    """citeproc's ``query fromStr``: the Strs only (no spaces)."""
    out = []
    for x in ils:
        if isinstance(x, str):
            out.append(x)
        elif x is not SP and x is not LB and x[0] in _CONTAINERS:
            out.append(_str_text(x[1]))
    return "".join(out)


def _protect(ils) -> list:
    """Pandoc's protectCase: brace groups are left alone by the case change."""
    out = []
    for x in ils:
        if isinstance(x, str) or x is SP or x is LB:
            out.append(x)
        elif x[0] == "span":
            out.append(("nocase", x[1]))
        elif x[0] in _CONTAINERS:
            out.append((x[0], _protect(x[1])))
        else:
            out.append(x)
    return out


def sentence_case(ils: list) -> list:
    """Pandoc's unTitlecase: sentence case, brace groups protected (those with a lower-case word
    stay "nocase", the others become plain groups again)."""
    return _unprotect(_Case().inlines(_protect(ils)))


def _unprotect(ils: list) -> list:
    out = []
    for x in ils:
        if isinstance(x, tuple) and x[0] in _CONTAINERS:
            body = _unprotect(x[1])
            kind = "span" if x[0] == "nocase" and not _has_lowercase_word(body) else x[0]
            x = (kind, body)
        out.append(x)
    return out


def _has_lowercase_word(ils: list) -> bool:
    """A Str piece (split at punctuation) that starts with a lower-case letter."""
    for x in ils:
        if isinstance(x, str):
            start = True
            for c in x:
                if unicodedata.category(c).startswith("P"):
                    start = True
                elif start and c.islower():
                    return True
                else:
                    start = False
    return False



# --------------------------------------------------------------------------------------------------
# Tables from Pandoc (Text.Pandoc.Citeproc.BibTeX, .Util) and biblatex's English strings
# --------------------------------------------------------------------------------------------------

_TYPES = {
    "article": "article-journal", "book": "book", "booklet": "pamphlet", "bookinbook": "chapter",
    "collection": "book", "dataset": "dataset", "electronic": "webpage", "inbook": "chapter",
    "incollection": "chapter", "inreference": "entry-encyclopedia",
    "inproceedings": "paper-conference", "manual": "book", "mastersthesis": "thesis", "misc": "",
    "mvbook": "book", "mvcollection": "book", "mvproceedings": "book", "mvreference": "book",
    "online": "webpage", "patent": "patent", "periodical": "article-journal",
    "phdthesis": "thesis", "proceedings": "book", "reference": "book", "report": "report",
    "software": "software", "suppbook": "chapter", "suppcollection": "chapter",
    "suppperiodical": "article-journal", "techreport": "report", "thesis": "thesis",
    "unpublished": "manuscript", "www": "webpage", "artwork": "graphic", "audio": "song",
    "commentary": "book", "image": "graphic", "jurisdiction": "legal_case",
    "legislation": "legislation", "legal": "treaty", "letter": "personal_communication",
    "movie": "motion_picture", "music": "song", "performance": "speech", "review": "review",
    "standard": "legislation", "video": "motion_picture", "data": "dataset",
    "letters": "personal_communication", "newsarticle": "article-newspaper",
}  # fmt: skip
_PERIODICAL_LIKE = ("article", "periodical", "suppperiodical")
_CHAPTERLIKE = ("inbook", "incollection", "inproceedings", "inreference", "bookinbook")
_ARTICLE_LIKE = ("article", "periodical", "suppperiodical", "review")
_COLLECTION_NUMBER = ("book", "collection", "proceedings", "reference", "mvbook", "mvcollection",
                      "mvproceedings", "mvreference", "bookinbook", "inbook", "incollection",
                      "inproceedings", "inreference", "suppbook", "suppcollection")  # fmt: skip

_IETF = {
    "english": "en-US", "usenglish": "en-US", "american": "en-US", "british": "en-GB",
    "ukenglish": "en-GB", "canadian": "en-US", "australian": "en-GB", "newzealand": "en-GB",
    "afrikaans": "af-ZA", "arabic": "ar", "basque": "eu", "bulgarian": "bg-BG",
    "catalan": "ca-AD", "croatian": "hr-HR", "czech": "cs-CZ", "danish": "da-DK",
    "dutch": "nl-NL", "estonian": "et-EE", "finnish": "fi-FI", "canadien": "fr-CA",
    "acadian": "fr-CA", "french": "fr-FR", "francais": "fr-FR", "austrian": "de-AT",
    "naustrian": "de-AT", "german": "de-DE", "germanb": "de-DE", "ngerman": "de-DE",
    "greek": "el-GR", "polutonikogreek": "el-GR", "hebrew": "he-IL", "hungarian": "hu-HU",
    "icelandic": "is-IS", "italian": "it-IT", "japanese": "ja-JP", "latvian": "lv-LV",
    "lithuanian": "lt-LT", "magyar": "hu-HU", "mongolian": "mn-MN", "norsk": "nb-NO",
    "nynorsk": "nn-NO", "farsi": "fa-IR", "polish": "pl-PL", "brazil": "pt-BR",
    "brazilian": "pt-BR", "portugues": "pt-PT", "portuguese": "pt-PT", "romanian": "ro-RO",
    "russian": "ru-RU", "serbian": "sr-RS", "serbianc": "sr-RS", "slovak": "sk-SK",
    "slovene": "sl-SL", "spanish": "es-ES", "swedish": "sv-SE", "thai": "th-TH",
    "turkish": "tr-TR", "ukrainian": "uk-UA", "vietnamese": "vi-VN", "latin": "la",
}  # fmt: skip

# biblatex's English localization keys (english.lbx) that Pandoc resolves in `type`, `series`,
# `pubstate`, \bibstring and undefined @string macros; values as Pandoc renders them.
_STRINGS = {
    "bathesis": "Bachelor’s thesis", "mathesis": "Master’s thesis", "phdthesis": "PhD thesis",
    "candthesis": "Candidate thesis", "resreport": "research report",
    "techreport": "technical report", "software": "computer software", "datacd": "CD-ROM",
    "audiocd": "audio CD", "patent": "patent", "patentde": "German patent",
    "patenteu": "European patent", "patentfr": "French patent", "patentuk": "British patent",
    "patentus": "U.S. patent", "patreq": "patent request", "patreqde": "German patent request",
    "patreqeu": "European patent request", "patreqfr": "French patent request",
    "patrequk": "British patent request", "patrequs": "U.S. patent request", "jourser": "series",
    "newseries": "new series", "oldseries": "old series", "inpreparation": "in preparation",
    "submitted": "submitted", "forthcoming": "forthcoming", "inpress": "in press",
    "prepublished": "pre-published", "january": "January", "february": "February",
    "march": "March", "april": "April", "may": "May", "june": "June", "july": "July",
    "august": "August", "september": "September", "october": "October",
    "november": "November", "december": "December", "and": "and", "edition": "edition",
    "volume": "volume", "volumes": "volumes", "number": "number", "chapter": "chapter",
    "version": "version", "countryde": "Germany", "countryeu": "European Union",
    "countryep": "European Union", "countryfr": "France", "countryuk": "United Kingdom",
    "countryus": "United States of America", "langenglish": "English",
    "langgerman": "German", "langfrench": "French", "nodate": "no date", "in": "in",
}  # fmt: skip
_MONTHS = {m: n for n, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_MONTH_NAMES = {m: n for n, m in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"), 1)}
_ORDINAL = {"01": "st", "02": "nd", "03": "rd", "04": "th"}


def resolve_key(k: str) -> str:
    return _STRINGS.get(k.lower(), k)


# Fields that a child never inherits, and the renamings of Pandoc's `transformKey`.
_NOT_INHERITED = frozenset(("ids", "crossref", "xref", "entryset", "entrysubtype", "execute",
                            "label", "options", "presort", "related", "relatedoptions",
                            "relatedstring", "relatedtype", "shorthand", "shorthandintro",
                            "sortkey"))  # fmt: skip
_TITLE_RENAMES = {
    "main": {"title": ["maintitle"], "subtitle": ["mainsubtitle"],
             "titleaddon": ["maintitleaddon"]},
    "book": {"title": ["booktitle"], "subtitle": ["booksubtitle"],
             "titleaddon": ["booktitleaddon"]},
    "periodical": {"title": ["journaltitle"], "subtitle": ["journalsubtitle"]},
}  # fmt: skip
_DROPPED_TITLES = ("shorttitle", "sorttitle", "indextitle", "indexsorttitle")


def _transform_key(source: str, target: str, key: str) -> list:
    """Pandoc's transformKey (biblatex manual, appendix C): the names a parent's field takes."""
    if key in _NOT_INHERITED:
        return []
    if key == "author" and ((source in ("mvbook", "book") and
                             target in ("inbook", "bookinbook", "suppbook")) or
                            (source == "mvbook" and target == "book")):
        return ["bookauthor", "author"]
    kind = None
    if (source == "mvbook" and target in ("book", "inbook", "bookinbook", "suppbook")) or \
            (source in ("mvcollection", "mvreference") and
             target in ("collection", "reference", "incollection", "inreference",
                        "suppcollection")) or \
            (source == "mvproceedings" and target in ("proceedings", "inproceedings")):
        kind = "main"
    elif (source == "book" and target in ("inbook", "bookinbook", "suppbook")) or \
            (source in ("collection", "reference") and
             target in ("incollection", "inreference", "suppcollection")) or \
            (source == "proceedings" and target == "inproceedings"):
        kind = "book"
    elif source == "periodical" and target in ("article", "suppperiodical"):
        kind = "periodical"
    if kind is None:
        return [key]
    if key in _DROPPED_TITLES:
        return []
    return _TITLE_RENAMES[kind].get(key, [key])



# --------------------------------------------------------------------------------------------------
# The fields of one entry, with crossref/xdata inheritance (the parsed entries are never changed)
# --------------------------------------------------------------------------------------------------

_PERSON_ROLES = ("author", "editor")
_ALIASES = {"archiveprefix": "eprinttype", "primaryclass": "eprintclass"}


def _own_fields(entry) -> dict:
    """An entry's fields as written, names lower-cased (persons as lists of pybtex ``Person``);
    ``x-`` fields left out."""
    fields: dict = {}
    for name, value in entry.fields.items():
        low = str(name).lower()
        if not low.startswith("x-"):
            fields[_ALIASES.get(low, low)] = str(value)
    for role, people in entry.persons.items():
        low = str(role).lower()
        if not low.startswith("x-"):
            fields[low] = list(people)
    return fields


def _with_parents(key: str, entry, exact: dict, problems: list, bibtex: bool = False) -> dict:
    """The entry's fields plus those its crossref/xdata parents give it (Pandoc's
    resolveCrossRef: xdata first, then crossref; the entry's own fields always win). With
    ``bibtex`` (``-f bibtex``) fields keep their names; else biblatex renames them."""
    fields = _own_fields(entry)
    etype = str(entry.type).lower()
    for ref_field in ("xdata", "crossref"):
        if ref_field not in fields or not isinstance(fields[ref_field], str):
            continue
        keys = _split_keys(fields[ref_field])
        for parent_key in keys:
            if parent_key not in exact:
                near = [k for k in exact if k.casefold() == parent_key.casefold()]
                hint = f" (keys are case-sensitive: '{near[0]}')" if near else ""
                problems.append(f"{ref_field} to unknown key '{parent_key}' in '{key}'{hint}")
        added = dict(_parent_fields(None if bibtex else etype, fields, keys, exact, 0))
        for name, value in added.items():
            fields.setdefault(name, value)
    return fields


def _parent_fields(etype, base: dict, keys: list, exact: dict, depth: int):
    """Pandoc's getXrefFields: (name, value) pairs the parents named by ``keys`` give."""
    if depth > 8:
        return
    for parent_key in keys:
        parent = exact.get(parent_key)
        if parent is None:
            continue
        pfields = _own_fields(parent)
        ptype = str(parent.type).lower()
        for name in sorted(pfields):
            value = pfields[name]
            if name in ("crossref", "xdata"):
                if isinstance(value, str):
                    for x, y in _parent_fields(etype, base, _split_keys(value), exact, depth + 1):
                        if x not in pfields:
                            yield x, y
                continue
            for new in ([name] if etype is None else _transform_key(ptype, etype, name)):
                if new not in base:
                    yield new, value


def _split_keys(text: str) -> list:
    return [k for k in re.split(r"[ ,]", text) if k]



# --------------------------------------------------------------------------------------------------
# Names (Pandoc's toName, fed with pybtex's parts)
# --------------------------------------------------------------------------------------------------


def _is_capitalized(word: list) -> bool:
    """Pandoc's isCapitalized: the first letter of the word's first Str is upper case (leading
    digits and any non-Str element, a brace group…, are skipped)."""
    for x in word:
        if isinstance(x, str):
            rest = x.lstrip("0123456789")
            if rest:
                return rest[0].isupper()
        elif isinstance(x, tuple) and x[0] == "span":
            # a braced special character ({\"O}zge) counts by its letter, as in BibTeX: Pandoc
            # reads it as part of the word's Str
            inner = stringify(x[1])
            if len(inner) == 1 and inner.isalpha():
                return inner.isupper()
    return True


def _name_words(parts: list) -> list:
    """Words of the name parts read as one text, as Pandoc reads them: split at spaces and
    non-breaking spaces, after "J.R." initials become "J. R."."""
    ils = _split_initials(latex_inlines(" ".join(parts))) if parts else []
    words: list = []
    word: list = []
    for x in ils:
        if x is SP or x == "\u00a0":
            if word:
                words.append(word)
            word = []
        else:
            word.append(x)
    if word:
        words.append(word)
    return words


def _surely_comma_form(parts: tuple) -> bool:
    """Whether the name must have been written "von Last, First" (or with a Jr part): pybtex's
    parts are then all we have; otherwise Pandoc's reading of "First von Last" is replayed."""
    first_names, middle, prelast, last_names, lineage = parts
    first = first_names + middle
    if lineage or any(_pybtex_von(w) for w in first):
        return True
    if prelast:
        return not _pybtex_von(prelast[0])
    return len(last_names) > 1


@functools.lru_cache(maxsize=8192)
def _pybtex_von(word: str) -> bool:
    try:
        probe = Person(word + " x")   # pybtex's own test: "w x" puts a von word in prelast
    except Exception:                 # pybtex in strict mode rejects odd names
        return False
    return bool(probe.prelast_names)


def _split_initials(ils: list) -> list:
    """Pandoc's addSpaceAfterPeriod ("J.R." reads as "J. R."), Strs split at "." and nbsp."""
    pieces = _split_strs(ils, "([.\u00a0])")
    out: list = []
    n = 0
    while n < len(pieces):
        x = pieces[n]
        out.append(x)
        if (n + 2 < len(pieces) and _single_upper(x) and pieces[n + 1] == "." and
                _single_upper(pieces[n + 2])):
            out.extend([".", SP])
            n += 2
            continue
        n += 1
    return out


def _single_upper(x) -> bool:
    return isinstance(x, str) and len(x) == 1 and x.isalpha() and x.isupper()


def person_name(person, opts: dict) -> dict:
    """One pybtex Person as a CSL name, as Pandoc's toName makes it."""
    parts = tuple(tuple(str(w) for w in p) for p in (
        person.first_names, person.middle_names, person.prelast_names, person.last_names,
        person.lineage_names))
    return dict(_name(parts, _option_set("useprefix", opts), _option_set("juniorcomma", opts)))


@functools.lru_cache(maxsize=16384)
def _name(parts: tuple, useprefix: bool, juniorcomma: bool) -> dict:
    first_names, middle, prelast, last_names, lineage = parts
    only = [w for p in parts for w in p]
    if any(_keyed_word(group[0]) for group in (prelast + last_names, first_names) if group):
        return _extract_particles(_keyed_name(prelast + last_names, lineage, first_names + middle))
    if len(only) == 1 and last_names:
        if only[0] == "others":
            return {"literal": "others"}
        ils = latex_inlines(only[0])
        if len(ils) == 1 and isinstance(ils[0], tuple) and ils[0][0] == "span":
            return {"literal": stringify(ils[0][1])}
    first, vonlast = _first_and_vonlast(parts)
    n = 0                             # biblatex's rule (Pandoc 3.9 uses it for bibtex too)
    while n < len(vonlast) and not _is_capitalized(vonlast[n]):
        n += 1
    von, last = (vonlast[:-1], vonlast[-1:]) if n == len(vonlast) else (vonlast[:n], vonlast[n:])
    name: dict = {}
    particle = "non-dropping-particle" if useprefix else "dropping-particle"
    for key, words in (("family", last), ("given", first), ("suffix", _name_words(lineage)),
                       (particle, von)):
        text = " ".join(stringify(w) for w in words)
        if text:
            name[key] = text
    if juniorcomma and name:
        name["comma-suffix"] = True
    return _extract_particles(name)


def _keyed_word(word: str) -> bool:
    try:
        ils = latex_inlines(word)
    except LatexError:
        return False
    return bool(ils) and isinstance(ils[0], str) and "=" in ils[0]


def _keyed_name(*groups) -> dict:
    """biblatex's extended name format, "family=Doe, given=John, prefix=de, useprefix=true", as
    Pandoc reads it (pybtex's parts are the comma-separated groups, in order)."""
    name: dict = {}
    for group in groups:
        text = stringify(latex_inlines(" ".join(group))) if group else ""
        key, eq, value = text.partition("=")
        key = key.strip()
        if not eq:
            continue
        if key == "given":
            name["given"] = f"{name['given']} {value}" if "given" in name else value
        elif key in ("family", "suffix"):
            name[key] = value
        elif key == "prefix":
            name["dropping-particle"] = value
        elif key == "useprefix" and value.startswith("true") and "dropping-particle" in name:
            name["non-dropping-particle"] = name.pop("dropping-particle")
    return name


def _first_and_vonlast(parts: tuple):
    first_names, middle, prelast, last_names, _lineage = parts
    if _surely_comma_form(parts):
        return _name_words(first_names + middle), _name_words(prelast + last_names)
    words = _name_words(first_names + middle + prelast + last_names)
    n = 0
    while n < len(words) and _is_capitalized(words[n]):
        n += 1
    return (words[:-1], words[-1:]) if n == len(words) else (words[:n], words[n:])


_PARTICLE_PUNCT = "'’-\u2013."


@functools.lru_cache(maxsize=8192)
def _particle_word(word: str) -> bool:
    return all(c.islower() or c in _PARTICLE_PUNCT for c in word)


def _extract_particles(name: dict) -> dict:
    """citeproc's extractParticles, which Pandoc's CSL-JSON writer applies to every name: a
    comma in the given name starts a suffix, lower-case words ending it are a dropping particle,
    lower-case words (or "d'") starting the family name a non-dropping one."""
    given, family = name.get("given"), name.get("family")
    if "suffix" not in name and given is not None:
        if len(given) > 1 and given[0] == given[-1] == '"':
            given = given[1:-1]
        elif "," in given and not given.startswith(","):
            head, tail = given.split(",", 1)
            given = head
            name["suffix"] = (tail[1:] if tail.startswith("!") else tail).strip()
            if tail.startswith("!"):
                name["comma-suffix"] = True
        name["given"] = given
    if "dropping-particle" not in name and given is not None:
        words = given.split()
        n = next((i for i, w in enumerate(words) if _particle_word(w)), len(words))
        if 0 < n < len(words) and all(_particle_word(w) for w in words[n:]):
            name["given"], name["dropping-particle"] = " ".join(words[:n]), " ".join(words[n:])
    if "non-dropping-particle" not in name and family is not None:
        name["family"] = _split_family(name, family)
    return name


def _split_family(name: dict, family: str) -> str:
    if len(family) > 1 and family[0] == family[-1] == '"':
        return family[1:-1]
    words = family.split()
    n = 0
    while n < len(words) and _particle_word(words[n]):
        n += 1
    if 0 < n < len(words):
        name["non-dropping-particle"] = " ".join(words[:n])
        return " ".join(words[n:])
    if n == 0:
        pieces = re.split("[" + re.escape(_PARTICLE_PUNCT) + "]", family)
        if len(pieces) == 2 and _particle_word(pieces[0]):
            punct = family[len(pieces[0])]
            name["non-dropping-particle"] = pieces[0] + punct
            return pieces[1]
    return family


def _option_set(key: str, opts: dict) -> bool:
    value = opts.get(key)
    return value is not None and value in ("true", "")


def _parse_options(text: str) -> dict:
    opts = {}
    for part in text.split(","):
        name, _, value = part.partition("=")
        opts[name.strip().lower()] = value.strip().lower()
    return opts


# --------------------------------------------------------------------------------------------------
# Dates (citeproc's rawDateEDTF for `date` fields, Pandoc's getOldDate for year/month/day)
# --------------------------------------------------------------------------------------------------


def _read_int(t: str):
    """citeproc's readAsInt: an optional minus sign and decimal digits, nothing else."""
    body = t[1:] if t.startswith("-") else t
    if not body or not body.isascii() or not body.isdigit():
        return None
    return -int(body) if t.startswith("-") else int(body)


def _read_may(t: str):
    """Haskell's ``readMay :: Maybe Int``: digits with optional minus, spaces and parentheses."""
    t = t.strip()
    while t.startswith("(") and t.endswith(")"):
        t = t[1:-1].strip()
    return _read_int(t)


def edtf_date(raw: str):
    """citeproc's rawDateEDTF: a list of date-parts and a circa flag, or None."""
    pieces = raw.split("/")
    if len(pieces) == 1 and "u" in raw:
        raw = raw.replace("u", "0") + "/" + raw.replace("u", "9")
    elif len(pieces) == 2 and pieces[1] in ("open", "unknown"):
        raw = pieces[0] + "/"
    ranges = [r.strip() for r in raw.split("/")]
    parts = []
    for r in ranges:
        dp = _edtf_part(r)
        if dp is None:
            return None
        parts.append(dp)
    return parts, any(r.endswith("~") for r in ranges)


def _edtf_part(t: str):
    has_y = t.startswith("y")
    t = t[1:] if has_y else t
    neg = t.startswith("-")
    t = t[1:] if neg else t
    t = re.split(r"[~?%T]", t, maxsplit=1)[0]
    fields = t.split("-")
    if fields == [""]:
        return [0]
    if len(fields) > 3 or not (len(fields[0]) == 4 or (has_y and len(fields[0]) >= 4)):
        return None
    if any(len(f) != 2 for f in fields[1:]):
        return None
    nums = [_read_int(f) for f in fields]
    if any(n is None for n in nums):
        return None
    if neg:
        nums[0] = -nums[0] - 1
    return nums


def _parse_month(raw: str):
    low = raw.strip().lower()
    return _MONTHS.get(low) or _MONTH_NAMES.get(low) or _read_may(raw)



# --------------------------------------------------------------------------------------------------
# One item
# --------------------------------------------------------------------------------------------------


def _concat_with(sep: str, parts: list) -> list:
    """Pandoc's concatWith: join non-empty inlines with "sep " unless the left ends in punctuation."""
    acc: list = []
    for part in parts:
        if not part:
            continue
        if acc:
            last = acc[-1]
            if not (isinstance(last, str) and last[-1:] in tuple("!?.,:;")):
                acc = acc[:-1] + [last + sep] if isinstance(last, str) else acc + [sep]
            acc = acc + [SP] + list(part)
        else:
            acc = list(part)
    return acc


def _split_by_and(ils: list) -> list:
    groups: list = [[]]
    n = 0
    while n < len(ils):
        if ils[n] is SP and n + 2 < len(ils) and ils[n + 1] == "and" and ils[n + 2] is SP:
            groups.append([])
            n += 3
            continue
        groups[-1].append(ils[n])
        n += 1
    return groups


class _Entry:
    """Pandoc's itemToReference for one entry's (inherited) fields."""

    def __init__(self, key: str, etype: str, fields: dict, bibtex: bool, problems: list,
                 nocase: bool = False, as_written: bool = False):
        self.key, self.et, self.f, self.bibtex, self.problems = key, etype, fields, bibtex, problems
        self.nocase = nocase
        self.opts = _parse_options(self.raw("options") or "")
        self.lang = self._language()
        self.as_written = as_written
        self.untitlecase = not as_written and (self.lang is None or self.lang.startswith("en-"))
        self.issued_literal = None

    def problem(self, message: str) -> None:
        if message not in self.problems:
            self.problems.append(message)

    def raw(self, name):
        value = self.f.get(name)
        return value if isinstance(value, str) else None

    def field(self, name):
        value = self.raw(name)
        if value is None:
            return None
        try:
            return latex_inlines(value)
        except LatexError as error:
            self.problem(f"field '{name}' of '{self.key}' left out: {error}")
            return None

    def title(self, name):
        ils = self.field(name)
        if ils is None or not self.untitlecase:
            return ils
        return sentence_case(ils)

    def literal_list(self, name):
        ils = self.field(name)
        if not ils:                   # Pandoc: no paragraph, no list
            return None
        out: list = []
        for n, group in enumerate(_split_by_and(ils)):
            out.extend(([";", SP] if n else []) + group)
        return _merge(out)

    def _language(self):
        langid = self.raw("langid")
        if langid is not None:
            lid = langid.strip().lower()
            idopts = stringify(self.field("langidopts") or []).strip().lower()
            if lid == "english" and idopts.startswith("variant="):
                variant = idopts[len("variant="):]
                lid = {"british": "british", "uk": "british", "american": "american",
                       "us": "american", "usmax": "american", "australian": "australian",
                       "newzealand": "newzealand"}.get(variant, lid)
            return _IETF.get(lid.lower(), lid.lower())
        hyph = self.raw("hyphenation")
        return None if hyph is None else _IETF.get(hyph.lower(), hyph.lower())

    def names(self, role):
        value = self.f.get(role)
        if value is None:
            return None
        try:
            if isinstance(value, str) and not latex_inlines(value):
                return None
            people = value if isinstance(value, list) else _persons(value, self.problems, role)
            names = [person_name(p, self.opts) for p in people]
        except LatexError as error:
            self.problem(f"field '{role}' of '{self.key}' left out: {error}")
            return None
        return [n for n in names if n]

    def date(self, name, prefix):
        raw = self.raw(name)
        if raw is not None:
            parsed = edtf_date(raw.replace("\u00a0", "~"))
            if parsed is not None:
                return _date_json(*parsed)
            self.problem(f"invalid {name} '{raw}' in '{self.key}'")
        return self._old_date(prefix)

    def _old_date(self, p):
        """Pandoc's getOldDate: year/month/day and endyear/endmonth/endday (prefixed)."""
        if p + "year" not in self.f and p + "endyear" not in self.f:
            return None

        def text(name):
            ils = self.field(name)
            return None if ils is None else stringify(ils)

        def year(name):
            value = text(name)
            return None if value is None else _read_may(_fix_leading_dash(value))

        start = (year(p + "year"), _apply(_parse_month, self.raw(p + "month")),
                 _apply(_read_may, self.raw(p + "day")))
        end = (year(p + "endyear"), _apply(_parse_month, text(p + "endmonth")),
               _apply(_read_may, text(p + "endday")))
        parts = [x for x in (_date_parts(*start), _date_parts(*end)) if x]
        if parts:
            return _date_json(parts, False)
        literal = self.raw(p + "year")
        if literal is None:
            return None
        if not p:
            self.issued_literal = literal
        parsed = edtf_date(literal)       # what Pandoc's writer makes of the text it kept
        if parsed is None and literal != "forthcoming":
            self.problem(f"invalid {p}year '{literal}' in '{self.key}'")
        if parsed is None and self.as_written and literal.strip() and literal != "forthcoming":
            return {"literal": stringify(self.field(p + "year") or [])}    # kept as text
        return _date_json(*parsed) if parsed else {"date-parts": []}

    # ---------------------------------------------------------------------- the parts
    def type_and_genre(self):
        et, sub = self.et, self.raw("entrysubtype") or ""
        reftype = _TYPES.get(et, "")
        if et in _PERIODICAL_LIKE:
            reftype = {"magazine": "article-magazine", "newspaper": "article-newspaper"}.get(
                sub, "article-journal")
        elif et == "unpublished" and any(self.raw(f) is not None
                                         for f in ("eventdate", "eventtitle", "venue")):
            reftype = "speech"
        typ = self.raw("type")
        genre = resolve_key(typ) if typ else None
        if not genre and et in ("mastersthesis", "phdthesis"):
            genre = resolve_key("mathesis" if et == "mastersthesis" else "phdthesis")
        return reftype, genre

    def numbers(self, v: dict) -> None:
        number = self.field("number")
        if number is not None:
            if self.et in _COLLECTION_NUMBER:
                v["collection-number"] = number
            elif self.et in _ARTICLE_LIKE:
                issue = self.field("issue")
                v["issue"] = number if issue is None else _concat_with(",", [number, issue])
            else:
                v["number"] = number
        volume, part = self.field("volume"), self.field("part")
        if volume is not None and part is not None:
            v["volume"] = _merge(volume + ["."] + part)
        elif volume is not None or part is not None:
            v["volume"] = volume if volume is not None else part
        pages = self.field("pages")
        if pages is not None:
            v["page"] = _map_text(pages, lambda t: t.replace("\u2013", "-"))
        for src, dst in (("pagetotal", "number-of-pages"), ("volumes", "number-of-volumes"),
                         ("chapter", "chapter-number"), ("edition", "edition"),
                         ("version", "version")):
            value = self.field(src)
            if value is not None:
                v[dst] = value

    def _first(self, *candidates):
        """The first present field among (condition, name, sentence-cased?) candidates."""
        for condition, name, titled in candidates:
            if condition:
                value = self.title(name) if titled else self.field(name)
                if value is not None:
                    return value
        return None

    def titles(self, v: dict) -> None:
        per, chap, yes = self.et == "periodical", self.et in _CHAPTERLIKE, True
        has_main = self.raw("maintitle") is not None
        main, main_chap = has_main and not chap, has_main and chap
        title = self._first((per, "issuetitle", yes), (main, "maintitle", yes), (yes, "title", yes))
        sub = self._first((per, "issuesubtitle", yes), (main, "mainsubtitle", yes),
                          (yes, "subtitle", yes))
        addon = self._first((main, "maintitleaddon", yes), (yes, "titleaddon", yes))
        if title is not None:
            v["title"] = _joined(title, sub, addon)
        volume = self._first((main, "title", yes), (main_chap, "booktitle", yes))
        if volume is not None:
            v["volume-title"] = _joined(
                volume, self._first((main, "subtitle", yes), (main_chap, "booksubtitle", yes)),
                self._first((main, "titleaddon", yes), (main_chap, "booktitleaddon", yes)))
        container = self._first((per, "title", False), (chap, "maintitle", yes),
                                (chap, "booktitle", yes), (yes, "journaltitle", False),
                                (yes, "journal", False))
        if container is not None:
            v["container-title"] = _joined(
                container,
                self._first((per, "subtitle", False), (chap, "mainsubtitle", yes),
                            (chap, "booksubtitle", yes), (yes, "journalsubtitle", False)),
                self._first((per, "titleaddon", False), (chap, "maintitleaddon", yes),
                            (chap, "booktitleaddon", yes)))
        short = self._first((per and not has_main, "shorttitle", False),
                            (yes, "shortjournal", False))
        if short is not None:
            v["container-title-short"] = short
        self._series_and_short(v, has_main, chap, bool(sub or addon))
        for src, dst in (("eventtitle", "event"), ("origtitle", "original-title")):
            value = self.title(src)
            if value is not None:
                v[dst] = value

    def _series_and_short(self, v, has_main, chapterlike, has_sub) -> None:
        series = self.field("series")
        if series is not None:
            series = _map_text(series, resolve_key)
            series = sentence_case(series) if self.untitlecase else series
            if len(series) == 1 and isinstance(series[0], str) and _is_number(series[0]):
                n = series[0]
                series = [n + _ORDINAL.get(n.zfill(2), "th"), SP, resolve_key("jourser")]
            v["collection-title"] = series
        short = self.title("shorttitle") if (not has_main or chapterlike) else None
        if short is None and not self.as_written:     # Pandoc derives one; a record does not
            title = self.title("title")
            if title is not None:
                pieces = _split_colons(title)
                if (has_sub and not has_main) or ":" in pieces:
                    short = pieces[:pieces.index(":")] if ":" in pieces else pieces
        if short is not None:
            v["title-short"] = short


    def publishers_and_places(self, v: dict) -> None:
        pubs = []
        for name in ("school", "institution", "organization", "howpublished", "publisher"):
            value = (self.field(name) if self.bibtex or name == "howpublished"
                     else self.literal_list(name))
            if value is not None:
                pubs.append(value)
        if pubs:
            v["publisher"] = _concat_with(";", pubs)
        for src, dst in (("origpublisher", "original-publisher"), ("venue", "event-place")):
            value = self.field(src)
            if value is not None:
                v[dst] = value
        if self.bibtex:
            address = self.field("address")
            orig = self.field("origlocation")
        else:
            address = self.literal_list("address")
            if address is None and self.et != "patent":
                address = self.literal_list("location")
            orig = self.literal_list("origlocation")
        if address is not None:
            v["publisher-place"] = address
        if orig is not None:
            v["original-publisher-place"] = orig
        if self.et == "patent" and self.field("location") is not None:
            places = [_map_text(g, resolve_key) for g in _split_by_and(self.field("location"))]
            v["jurisdiction"] = _concat_with(";", places)

    def identifiers(self, v: dict) -> None:
        url = self.raw("url") if (self.et == "online" or self.opts.get("url") != "false") else None
        if url is None:
            etype, eprint = self.raw("eprinttype"), self.raw("eprint")
            base = {"arxiv": "https://arxiv.org/abs/", "jstor": "https://www.jstor.org/stable/",
                    "pubmed": "https://www.ncbi.nlm.nih.gov/pubmed/",
                    "googlebooks": "https://books.google.com?id="}.get((etype or "").lower())
            if base and eprint is not None:
                url = base + eprint
        if url is not None:
            v["URL"] = url
        if self.opts.get("doi") != "false" and self.raw("doi") is not None:
            v["DOI"] = self.raw("doi")
        for src, dst in (("isbn", "ISBN"), ("issn", "ISSN"), ("pmid", "PMID"),
                         ("pmcid", "PMCID"), ("library", "call-number"), ("ids", "other-ids")):
            if self.raw(src) is not None:
                v[dst] = self.raw(src)

    def notes(self, v: dict) -> None:
        annote = self.field("annotation")
        if annote is None:
            annote = self.field("annote")
        for dst, value in (("annote", annote), ("abstract", self.field("abstract")),
                           ("keyword", self.field("keywords"))):
            if value is not None:
                v[dst] = value
        note = None if self.et == "periodical" else self.field("note")
        addendum = None if self.bibtex else self.field("addendum")
        present = [x for x in (note, addendum) if x is not None]
        if present:
            v["note"] = _concat_with(".", present)
        pubstate = self.field("pubstate")
        if pubstate is not None:
            v["status"] = _map_text(pubstate, resolve_key)
        elif self.issued_literal == "forthcoming":      # year = {forthcoming}
            v["status"] = "forthcoming"

    def build(self) -> dict:
        reftype, genre = self.type_and_genre()
        v: dict = {}
        if genre is not None:
            v["genre"] = genre
        if self.lang is not None:
            v["language"] = self.lang
        for dst, name, prefix in (("accessed", "urldate", "url"), ("event-date", "eventdate",
                                  "event"), ("issued", "date", ""),
                                  ("original-date", "origdate", "orig")):
            date = self.date(name, prefix)
            if date is not None:
                v[dst] = date
        self._names(v)
        self.numbers(v)
        self.titles(v)
        self.publishers_and_places(v)
        self.identifiers(v)
        self.notes(v)
        item = {"id": self.key, "type": reftype}
        for name, value in v.items():
            item[name] = render(value, self.nocase) if isinstance(value, list) and \
                name not in _NAME_VARS \
                else value
        return item

    def _names(self, v: dict) -> None:
        director_role = self.raw("editortype") == "director"
        for role, dst in (("author", "author"), ("bookauthor", "container-author"),
                          ("translator", "translator"), ("editor", "editor"),
                          ("director", "director")):
            names = self.names(role)
            if names is None:
                continue
            if director_role and role in ("editor", "director"):
                dst = "director" if role == "editor" else None
            if dst:
                v[dst] = names


_NAME_VARS = frozenset(("author", "container-author", "translator", "editor", "director"))


def _is_number(t: str) -> bool:
    """Pandoc's isNumber: digits, or "-" and digits."""
    body = t[1:] if t.startswith("-") else t
    return (body == "" and t == "-") or (body.isascii() and body.isdigit())


def _split_colons(ils: list) -> list:
    return _split_strs(ils, "(:)")


def _split_strs(ils: list, pattern: str) -> list:
    """Pandoc's splitStrWhen: each Str split at the characters the (capturing) pattern matches."""
    out: list = []
    for x in ils:
        if isinstance(x, str):
            out.extend(p for p in re.split(pattern, x) if p)
        else:
            out.append(x)
    return out


def _joined(title: list, sub, addon) -> list:
    """Pandoc's title joining: "Title: Subtitle. Addon"."""
    return _concat_with(".", [_concat_with(":", [title, sub or []]), addon or []])


def _merge(ils: list) -> list:
    out: list = []
    for x in ils:
        _append(out, x)
    return out


def _persons(value: str, problems: list, role: str) -> list:
    people = []
    for name in split_name_list(value):
        try:
            people.append(Person(name))
        except Exception as error:  # pybtex rejects some names (too many commas)
            problems.append(f"{role}: {error}")
    return people


def _apply(parse, raw):
    return None if raw is None else parse(raw)


def _fix_leading_dash(t: str) -> str:
    if t[:1] in ("\u2013", "\u2014") and t[1:2].isdigit():
        return "\u2013" + t[1:]
    return t


def _date_parts(y, m, d) -> list:
    if y is None:
        return []
    if m is None:
        return [y]
    return [y, m] if d is None else [y, m, d]


def _date_json(parts: list, circa: bool) -> dict:
    out: dict = {"date-parts": parts}
    if circa:
        out["circa"] = True
    return out



# --------------------------------------------------------------------------------------------------
# API
# --------------------------------------------------------------------------------------------------


@dataclass
class Item:
    """One CSL-JSON item and the problems met while mapping it (messages without location)."""

    csl: dict
    problems: list = field(default_factory=list)


def csl_item(key, entry, entries=None, variant: str = "biblatex", nocase: bool = False,
             as_written: bool = False) -> Item:
    """The CSL-JSON item of ``entry`` (a pybtex Entry as parsed: crossrefs not yet resolved);
    ``entries`` (key -> Entry, as parsed) resolves crossref/xdata. Never raises. For many
    entries use ``ItemModel`` (this builds the key index on every call)."""
    exact = {str(k): e for k, e in (entries or {}).items()}
    return _item(str(key), entry, exact, variant, nocase, as_written)


def _item(key: str, entry, exact: dict, variant: str, nocase: bool, as_written: bool = False) -> Item:
    problems: list = []
    try:
        bibtex = variant == "bibtex"
        fields = _with_parents(key, entry, exact, problems, bibtex)
        built = _Entry(key, str(entry.type).lower(), fields, bibtex, problems, nocase, as_written).build()
    except Exception as error:  # a last resort: hostile input must not stop a build
        problems.append(f"could not map entry '{key}': {type(error).__name__}: {error}")
        built = {"id": key, "type": ""}
    return Item(built, problems)


class ItemModel:
    """Items of a whole bibliography, each mapped once on first use.

    ``entries`` maps keys to pybtex entries *as parsed* (``Bibliography.raw``), so that
    crossref/xdata inheritance follows biblatex; they are never modified."""

    def __init__(self, entries, variant: str = "biblatex", nocase: bool = False,
                 as_written: bool = False):
        self._exact = {str(k): e for k, e in entries.items()}
        self._variant, self._nocase, self._as_written = variant, nocase, as_written
        self._cache: dict = {}

    def __contains__(self, key) -> bool:
        return str(key) in self._exact

    def item(self, key) -> Item:
        key = str(key)
        hit = self._cache.get(key)
        if hit is None:
            entry = self._exact.get(key)
            if entry is None:
                return Item({"id": key, "type": ""}, [f"unknown key '{key}'"])
            hit = self._cache[key] = _item(key, entry, self._exact, self._variant, self._nocase,
                                                self._as_written)
        return hit

    def csl(self, key) -> dict:
        """The item's CSL-JSON (shared with the cache: do not change it)."""
        return self.item(key).csl

    def items(self):
        """(key, Item) for every entry but ``@xdata`` ones (field stores, not works), in order."""
        return [(key, self.item(key)) for key, entry in self._exact.items()
                if str(entry.type).lower() != "xdata"]
