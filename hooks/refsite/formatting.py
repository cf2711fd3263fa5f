"""Citation and reference formatting for refsite.

Styles are data modules in :mod:`refsite.styles` (templates in a tiny
mini-language, compiled once to closures).  Entries are pybtex ``Entry``
objects.  Every field is LaTeX-decoded once (latexcodec) and every entry is
formatted at most once per :class:`Formatter`.

Year suffixes (2004a/2004b) and given-name disambiguation depend on the whole
set of cited works, which is only known at the end of a build, so the
formatter emits placeholder tokens instead of the year and the short author
label:

* ``\\ue000Y:key\\ue001`` — year (or "n.d.") plus year suffix;
* ``\\ue000A:key\\ue001`` — short author label, parenthetical form
  ("Lee and Smith"; APA "Lee & Smith"; "Alpha et al.");
* ``\\ue000N:key\\ue001`` — short author label, narrative form (APA "Lee and Smith").

The private-use characters survive HTML escaping.  :meth:`Formatter.resolver`
computes suffixes and disambiguation over exactly the cited set, in the
style's bibliography order, and returns a function that substitutes tokens.
"""
from __future__ import annotations

import html as _html
import importlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar

from markupsafe import escape as _mescape

from .latex import ulatex
from .styles import DEFAULT_STYLE, STYLES

__all__ = ["Formatter", "TOKEN_RE", "STYLES", "html_to_text", "decode_latex"]

TOKEN_RE = re.compile("\ue000([AYN]):([^\ue001]*)\ue001")
_TOKEN_DOT_RE = re.compile("\ue000([AYN]):([^\ue001]*)\ue001(\\.?)")
_P_OPEN, _P_CLOSE = "\ue002", "\ue003"          # case-protection markers
_STRIP_MARKERS = str.maketrans("", "", _P_OPEN + _P_CLOSE)


def _esc(s: str) -> str:
    return str(_mescape(s))


def _tok(kind: str, key: str) -> str:
    return f"\ue000{kind}:{key}\ue001"


# --------------------------------------------------------------------------
# LaTeX decoding
# --------------------------------------------------------------------------
_SPECIAL_RE = re.compile(r"[\\{}~$]|--|``|''")
_CMD_RE = re.compile(r"\\([A-Za-z]+) ?|\\(.)")   # ulatex marks a control word's end with one space
_CMD_TEXT = {"Dash": "—", "dash": "–", "ldots": "…", "dots": "…", "slash": "/",
             "textendash": "–", "textemdash": "—", "hyphen": "-", "nbhyphen": "‑"}
_DROP_CMDS = frozenset("""
emph textit textbf textsl textsc textrm textsf texttt textup textnormal textmd
em it bf sl sc rm sf tt up md normalfont mbox hbox relax protect ensuremath
mathrm mathit mathbf mathsf mathtt url path small footnotesize scriptsize tiny
large Large LARGE huge Huge noopsort noop bibliofont cite nocite hspace vspace
mkbibquote mkbibemph mkbibitalic mkbibbold enquote textquote
""".split())
_decode_cache: dict[str, str] = {}


def _cmd_sub(m: re.Match) -> str:
    name = m.group(1)
    if name is None:
        return m.group(2)
    if name in _DROP_CMDS:
        return ""
    return _CMD_TEXT.get(name, name)


def decode_latex(raw: str) -> str:
    """Decode a BibTeX field to Unicode; top-level ``{...}`` groups become
    case-protected spans delimited by private-use markers."""
    if not raw:
        return ""
    hit = _decode_cache.get(raw)
    if hit is not None:
        return hit
    s = raw
    if _SPECIAL_RE.search(s):
        try:
            s = ulatex(s)
        except Exception:  # pragma: no cover - malformed input
            pass
        if "\\" in s:
            s = _CMD_RE.sub(_cmd_sub, s)
        s = s.replace("$", "")
        if "{" in s or "}" in s:
            out = []
            depth = 0
            for ch in s:
                if ch == "{":
                    if depth == 0:
                        out.append(_P_OPEN)
                    depth += 1
                elif ch == "}":
                    if depth > 0:
                        depth -= 1
                        if depth == 0:
                            out.append(_P_CLOSE)
                else:
                    out.append(ch)
            if depth:
                out.append(_P_CLOSE)
            s = "".join(out).replace(_P_OPEN + _P_CLOSE, "")
    if "'" in s:
        s = s.replace("'", "’")
    s = " ".join(s.split())
    if len(_decode_cache) < 200_000:
        _decode_cache[raw] = s
    return s


def _plain(s: str) -> str:
    return s.translate(_STRIP_MARKERS)


# --------------------------------------------------------------------------
# Title case (CSL text-case="title" as citeproc applies it to BibTeX data)
# --------------------------------------------------------------------------
_STOP = frozenset("""a an and as at but by down for from in into nor of on onto or
over so the till to up via with yet about van von de d l""".split())
_WORD_RE = re.compile(r"[^\W\d_]+|" + _P_OPEN + "[^" + _P_CLOSE + "]*" + _P_CLOSE + "?")
_WORD_START_SEP = re.compile(r"[\s\-–—“\"(\[/<‘]$")
_SENT_SEP = re.compile(r"[.?!:]\s+\W*$|^\W*$")


def title_case(s: str) -> str:
    out = []
    pos = 0
    first = True
    for m in _WORD_RE.finditer(s):
        sep = s[pos:m.start()]
        out.append(sep)
        w = m.group(0)
        pos = m.end()
        if w[0] == _P_OPEN:
            out.append(w)
            first = False
            continue
        if first and not sep.strip(" “\"‘(["):
            start = True
        elif not first and _SENT_SEP.search(sep) and sep.strip():
            start = bool(re.search(r"[.?!:]", sep))
        else:
            start = False
        word_start = first or start or bool(_WORD_START_SEP.search(sep))
        first = False
        lower = w.islower()
        capd = w[0].isupper() and (len(w) == 1 or w[1:].islower())
        if not (lower or capd) or not word_start:
            out.append(w)
            continue
        if start:
            out.append(w[0].upper() + w[1:])
        elif w.lower() in _STOP or len(w) == 1:
            out.append(w.lower())
        else:
            out.append(w[0].upper() + w[1:])
    out.append(s[pos:])
    return "".join(out)


# --------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------
class _Name:
    __slots__ = ("family", "given", "particle", "suffix", "literal", "ident")

    def __init__(self, person) -> None:
        d = lambda parts: _plain(decode_latex(" ".join(parts)))  # noqa: E731
        last = person.last_names
        if (len(last) == 1 and not person.first_names and not person.middle_names
                and not person.prelast_names and last[0].startswith("{") and last[0].endswith("}")):
            self.literal = d(last)
            self.family = self.literal
            self.given = self.particle = self.suffix = ""
        else:
            self.literal = ""
            self.family = d(last)
            self.given = d(list(person.first_names) + list(person.middle_names))
            self.particle = d(person.prelast_names)
            self.suffix = d(person.lineage_names)
        self.ident = (self.literal, self.family, self.given, self.particle, self.suffix)

    def initials(self, sep: str = ". ") -> str:
        parts = []
        for word in self.given.split():
            sub = [p for p in word.split("-") if p]
            parts.append("-".join(p[0].upper() + sep.strip() for p in sub))
        return " ".join(parts)

    def short(self, demote: bool) -> str:
        if self.literal or demote or not self.particle:
            return self.family
        return f"{self.particle} {self.family}"

    def render(self, inverted: bool, initials: str | None, demote: bool) -> str:
        if self.literal:
            return self.literal
        given = self.initials(initials) if (initials and self.given) else self.given
        if inverted:
            if demote:
                head = self.family
                tail = " ".join(x for x in (given, self.particle) if x)
            else:
                head = " ".join(x for x in (self.particle, self.family) if x)
                tail = given
            s = head + (", " + tail if tail else "")
            return s + (", " + self.suffix if self.suffix else "")
        return " ".join(x for x in (given, self.particle, self.family, self.suffix) if x)

    def sort_key(self, demote: bool) -> str:
        if self.literal:
            return _fold(self.literal)
        fam = self.family if demote else f"{self.particle} {self.family}".strip()
        return _fold(f"{fam} {self.given} {self.particle if demote else ''}".strip())


def _fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s.casefold())
    return "".join(c for c in s if not unicodedata.combining(c)).replace("’", "")


def _join_names(items: list[str], and_: str, delim: str, precedes_last: str) -> str:
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        d = delim if precedes_last == "always" else " "
        return f"{items[0]}{d.rstrip() + ' ' if d != ' ' else ' '}{and_} {items[1]}"
    head = delim.join(items[:-1])
    d = delim if precedes_last in ("always", "contextual") else " "
    return f"{head}{d}{and_} {items[-1]}"


def _format_names(names: list[_Name], fmt: Mapping[str, Any], demote: bool) -> str:
    n = len(names)
    et_al = n >= fmt["et_al_min"]
    shown = names[: fmt["et_al_use_first"]] if et_al else names
    order = fmt["order"]
    items = [nm.render(order == "all" or (order == "first" and i == 0), fmt["initials"], demote)
             for i, nm in enumerate(shown)]
    if et_al:
        return fmt["delim"].join(items) + fmt["et_al"]
    return _join_names(items, fmt["and"], fmt["delim"], fmt["precedes_last"])


# --------------------------------------------------------------------------
# Dates, numbers, pages
# --------------------------------------------------------------------------
_MONTHS = ["January", "February", "March", "April", "May", "June", "July",
           "August", "September", "October", "November", "December"]
_MONTH_NUM = {m.lower(): i + 1 for i, m in enumerate(_MONTHS)}
_MONTH_NUM.update({m[:3].lower(): i + 1 for i, m in enumerate(_MONTHS)})
_MONTH_NUM["sept"] = 9
_DATE_RE = re.compile(r"^\s*(-?\d{1,4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")


def _month(raw: str) -> int | None:
    raw = raw.strip().strip("{}").strip().rstrip(".").lower()
    if raw.isdigit():
        m = int(raw)
        return m if 1 <= m <= 12 else None
    return _MONTH_NUM.get(raw) or _MONTH_NUM.get(raw[:3])


def _ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


_RANGE_RE = re.compile(r"(\d+)\s*(?:-+|–|—)\s*(\d+)")
_DASH_RE = re.compile(r"\s*(?:-+|—)\s*")


def _range_chicago(a: str, b: str) -> str:
    x, y = int(a), int(b)
    if len(a) != len(b) or y <= x or x < 100 or x % 100 == 0:
        return f"{a}–{b}"
    # changed part only; at least two digits unless 101–109 etc.
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    tail = b[i:]
    if x % 100 >= 10 and len(tail) < 2:
        tail = b[-2:]
    if len(a) == 4 and len(tail) >= 3:   # four digits, three change: all digits
        tail = b
    return f"{a}–{tail}"


def format_pages(s: str, mode: str) -> str:
    if not s:
        return s
    if mode == "chicago":
        s = _RANGE_RE.sub(lambda m: _range_chicago(m.group(1), m.group(2)), s)
    else:
        s = _RANGE_RE.sub(lambda m: f"{m.group(1)}–{m.group(2)}", s)
    return _DASH_RE.sub("–", s)


# --------------------------------------------------------------------------
# Template compiler
# --------------------------------------------------------------------------
_TPL_TOKEN_RE = re.compile(r"\\([\[\]|])|(\{[?!]?[a-z_]+\})|([\[\]|])|([^\\\[\]|{]+|\{)")


def _parse_template(src: str):
    """Parse into nested lists: items are str literals, ("v", name),
    ("c", name) conditions, or ("g", [alternatives...])."""
    stack: list[list] = [[[]]]  # stack of alternative-lists
    for m in _TPL_TOKEN_RE.finditer(src):
        lit_esc, var, ctl, lit = m.groups()
        cur = stack[-1][-1]
        if lit_esc or lit:
            cur.append(lit_esc or lit)
        elif var:
            if var[1] == "?":
                cur.append(("c", var[2:-1]))
            elif var[1] == "!":
                cur.append(("n", var[2:-1]))
            else:
                cur.append(("v", var[1:-1]))
        elif ctl == "[":
            stack.append([[]])
        elif ctl == "|":
            if len(stack) == 1:
                raise ValueError(f"'|' outside a group in template {src!r}")
            stack[-1].append([])
        elif ctl == "]":
            alts = stack.pop()
            stack[-1][-1].append(("g", alts))
    if len(stack) != 1:
        raise ValueError(f"unbalanced '[' in template {src!r}")
    return stack[0][0]


def _compile_seq(items, strict: bool) -> Callable[[Mapping[str, str]], str | None]:
    parts = []
    for it in items:
        if isinstance(it, str):
            parts.append(it)
        elif it[0] == "v":
            parts.append(("v", it[1]))
        elif it[0] in ("c", "n"):
            parts.append((it[0], it[1]))
        else:
            alts = [_compile_seq(a, True) for a in it[1]]

            def group(v, alts=alts):
                for a in alts:
                    r = a(v)
                    if r is not None:
                        return r
                return ""
            parts.append(group)
    # merge adjacent literals
    merged: list = []
    for p in parts:
        if isinstance(p, str) and merged and isinstance(merged[-1], str):
            merged[-1] += p
        else:
            merged.append(p)
    parts = tuple(merged)

    def run(v: Mapping[str, str]) -> str | None:
        out = []
        for p in parts:
            if isinstance(p, str):
                out.append(p)
            elif isinstance(p, tuple):
                val = v.get(p[1], "")
                if p[0] == "n":
                    if val:
                        if strict:
                            return None
                    continue
                if not val:
                    if strict:
                        return None
                    continue
                if p[0] == "v":
                    out.append(val)
            else:
                out.append(p(v))
        return "".join(out)
    return run


def compile_template(src: str) -> Callable[[Mapping[str, str]], str]:
    run = _compile_seq(_parse_template(src), False)
    return lambda v: run(v) or ""


_QUOTE_PUNCT_RE = re.compile(r"”([.,])")
_DUP_PUNCT_RE = re.compile(r"([.?!])((?:</i>|”|’)*)\.")
_TAG_RE = re.compile(r"<[^>]+>")
_EMPTY_SENT_RE = re.compile(r"(?<=[.?!”>])\s+\.(?=\s|$)")


def _tidy(s: str, punct_in_quote: bool) -> str:
    if punct_in_quote and "”" in s:
        s = _QUOTE_PUNCT_RE.sub(r"\1”", s)
    s = _EMPTY_SENT_RE.sub("", s)
    s = _DUP_PUNCT_RE.sub(r"\1\2", s)
    s = s.replace(",,", ",").replace("  ", " ")
    return s


def html_to_text(s: str) -> str:
    """HTML produced by this module -> plain text (tokens are kept)."""
    return _html.unescape(_TAG_RE.sub("", s))


# --------------------------------------------------------------------------
# Styles
# --------------------------------------------------------------------------
_DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")


class _Style:
    def __init__(self, name: str) -> None:
        if name not in STYLES:
            raise ValueError(
                f"unknown citation style {name!r}; available: {', '.join(sorted(STYLES))}")
        mod = importlib.import_module(f"{__package__}.styles.{STYLES[name]}")
        self.name = name
        self.mod = mod
        self.templates = {k: compile_template(v) for k, v in mod.TEMPLATES.items()}
        self.title_case = frozenset(mod.TITLE_CASE)


_style_cache: dict[str, _Style] = {}


def _get_style(name: str) -> _Style:
    st = _style_cache.get(name)
    if st is None:
        st = _style_cache[name] = _Style(name)
    return st


_ENGLISH = ("en", "english", "american", "british", "usenglish", "ukenglish",
            "canadian", "australian", "newzealand")


# --------------------------------------------------------------------------
# Per-entry preparation
# --------------------------------------------------------------------------
class _Prepared:
    """Decoded, style-specific data of one entry (computed once)."""
    __slots__ = ("key", "tpl", "creators_names", "creators_role", "label_names",
                 "label_title", "year", "has_date", "has_accessed", "sort", "vars", "signature",
                 "html", "creators_html")


class Formatter:
    """Format citations and references of ``entries`` in one style."""

    style_names: ClassVar[tuple[str, ...]] = tuple(STYLES)

    def __init__(self, entries: Mapping[str, Any], style: str = DEFAULT_STYLE) -> None:
        self.entries = entries
        self.style = _get_style(style)
        self._prep: dict[str, _Prepared] = {}

    # ---------------------------------------------------------- fields
    def _field(self, entry, name: str) -> str:
        raw = entry.fields.get(name)
        if raw is None:
            return ""
        return decode_latex(str(raw))

    def _prepare(self, key: str) -> _Prepared:
        p = self._prep.get(key)
        if p is not None:
            return p
        st = self.style
        mod = st.mod
        entry = self.entries[key]
        f = entry.fields
        etype = entry.type.lower()
        tpl = mod.TYPE_MAP.get(etype, "misc")
        p = _Prepared()
        p.key = key
        p.tpl = tpl
        p.html = None
        demote = mod.DEMOTE_PARTICLE
        lang = str(f.get("langid") or f.get("language") or "").strip().lower()
        english = not lang or lang.startswith(_ENGLISH)

        def fld(name: str, *alts: str) -> str:
            for n in (name, *alts):
                v = f.get(n)
                if v is not None:
                    return decode_latex(str(v))
            return ""

        def tc(name: str, s: str) -> str:
            if english and name in st.title_case:
                s = title_case(s)
            return _esc(_plain(s))

        v: dict[str, str] = {}
        # ---- names
        authors = [_Name(x) for x in entry.persons.get("author", ())]
        editors = [_Name(x) for x in entry.persons.get("editor", ())]
        title_raw = fld("title")
        title_txt = tc("title", title_raw)
        tfmt = mod.TITLE_FORMAT.get(tpl, mod.TITLE_FORMAT_DEFAULT)
        if title_txt:
            if tfmt == "italic":
                title_html = f"<i>{title_txt}</i>"
            elif tfmt == "quote":
                title_html = f"“{title_txt}”"
            else:
                title_html = title_txt
        else:
            title_html = ""
        nf = mod.NAMES
        creators = ""
        p.label_title = ""
        if authors:
            p.creators_names, p.creators_role = authors, "author"
            creators = _esc(_format_names(authors, nf["bib"], demote))
            if editors:
                v["editor"] = _esc(_format_names(editors, nf["plain"], demote))
                v["eds"] = _esc(mod.EDS_TERM[len(editors) > 1])
        elif editors:
            p.creators_names, p.creators_role = editors, "editor"
            creators = _esc(_format_names(editors, nf["bib"], demote)) + _esc(
                mod.EDITOR_LABEL[len(editors) > 1])
        else:
            p.creators_names, p.creators_role = [], ""
            creators = title_html
            title_html = ""
            t = _html.unescape(title_txt)
            p.label_title = f"“{t}”" if tfmt == "quote" else t
        v["creators"] = creators
        v["title"] = title_html
        p.signature = (tuple(n.ident for n in p.creators_names) if p.creators_names
                       else ("title", p.label_title))
        # ---- dates
        year = month = day = None
        date = fld("date")
        year_txt = ""
        if date:
            m = _DATE_RE.match(_plain(date))
            if m:
                year = int(m.group(1))
                month = int(m.group(2)) if m.group(2) else None
                day = int(m.group(3)) if m.group(3) else None
            else:
                year_txt = _plain(date)
        else:
            y = _plain(fld("year"))
            m = re.search(r"\d{4}|\d+", y)
            if m:
                year = int(m.group(0))
            elif y:
                year_txt = y
            mo = f.get("month")
            if mo:
                month = _month(_plain(decode_latex(str(mo))))
            dd = f.get("day")
            if dd and str(dd).strip().isdigit():
                day = int(str(dd).strip())
        p.has_date = year is not None or bool(year_txt)
        p.year = str(year) if year is not None else year_txt
        v["year"] = _tok("Y", key)
        if p.has_date:
            v["has_date"] = "1"
        if month and 1 <= month <= 12:
            v["month"] = _MONTHS[month - 1]
            if day:
                v["monthday"] = f"{_MONTHS[month - 1]} {day}"
                if year is not None:
                    v["date_text"] = f"{_MONTHS[month - 1]} {day}, {year}"
            elif year is not None:
                v["date_text"] = f"{_MONTHS[month - 1]} {year}"
        # ---- containers and the rest
        journal = fld("journaltitle", "journal")
        if journal:
            v["journal"] = tc("journal", journal)
        booktitle = fld("booktitle")
        if booktitle:
            v["booktitle"] = tc("booktitle", booktitle)
        series = fld("series")
        if series:
            v["series"] = tc("series", series)
        for name, src in (("volume", "volume"), ("issue", "number"), ("place", "address")):
            val = fld(src)
            if val:
                v[name] = _esc(_plain(val))
        if not v.get("place"):
            val = fld("location")
            if val:
                v["place"] = _esc(_plain(val))
        if tpl == "report" or tpl == "thesis":
            v["number"] = v.pop("issue", "")
        elif tpl != "article" and v.get("issue"):
            v["series_number"] = v.pop("issue")
        pages = fld("pages")
        if pages:
            v["pages"] = _esc(format_pages(_plain(pages), mod.PAGE_RANGE))
        ed = _plain(fld("edition"))
        if ed:
            v["edition"] = _esc(f"{_ordinal(int(ed))} ed." if ed.isdigit() else ed[0].upper() + ed[1:])
        pub = fld("publisher", "institution", "school", "organization", "howpublished")
        if pub:
            v["publisher"] = _esc(_plain(pub))
        if v.get("place") and v.get("publisher"):
            v["pubplace"] = f"{v['place']}: {v['publisher']}"
        else:
            v["pubplace"] = v.get("publisher") or v.get("place", "")
        genre = _plain(fld("type"))
        if etype in ("phdthesis", "mastersthesis"):
            genre = mod.GENRES[etype]
        elif genre and genre.lower() in mod.GENRES:
            genre = mod.GENRES[genre.lower()]
        elif tpl == "thesis" and not genre:
            genre = mod.GENRES["thesis"]
        if genre:
            v["genre"] = _esc(genre[0].upper() + genre[1:])
        doi = _plain(str(f.get("doi", "") or "")).strip()
        if doi:
            doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", doi, flags=re.I)
            if _DOI_RE.match(doi):
                link = "https://doi.org/" + doi
                v["doi"] = v["access"] = f'<a href="{_esc(link)}">{_esc(link)}</a>'
            else:   # not a DOI (e.g. hostile text): shown as text, never a link
                v["doi"] = v["access"] = "doi:" + _esc(doi)
        url = str(f.get("url", "") or "").strip()
        if url:
            url = url.replace("\\_", "_").replace("\\%", "%").replace("\\#", "#").replace("\\&", "&")
            if re.match(r"https?://", url, re.I):
                v["url"] = f'<a href="{_esc(url)}">{_esc(url)}</a>'
            else:
                v["url"] = _esc(url)
            v.setdefault("access", v["url"])
        urldate = _plain(fld("urldate"))
        p.has_accessed = bool(urldate)
        if urldate:
            v["urldate"] = _esc(urldate)
            m = _DATE_RE.match(urldate)
            if m and m.group(2) and 1 <= int(m.group(2)) <= 12:
                mon = _MONTHS[int(m.group(2)) - 1]
                v["urldate_text"] = (f"{mon} {int(m.group(3))}, {m.group(1)}" if m.group(3)
                                     else f"{mon} {m.group(1)}")
            else:
                v["urldate_text"] = v["urldate"]
        p.vars = v
        # ---- in-text label data and sorting
        if p.creators_names:
            p.label_names = p.creators_names
            name_key = tuple(n.sort_key(demote) for n in p.creators_names)
        else:
            p.label_names = []
            name_key = (_fold(_plain(title_raw)),)
        p.sort = (name_key, (0, year or 0, month or 0, day or 0) if year is not None else (1, 0, 0, 0),
                  _fold(_plain(title_raw)))
        self._prep[key] = p
        return p

    # ---------------------------------------------------------- references
    def _entry_html(self, key: str) -> _Prepared:
        p = self._prepare(key)
        if p.html is None:
            st = self.style
            tpl = st.templates.get(p.tpl) or st.templates["misc"]
            html = _tidy(tpl(p.vars), st.mod.PUNCT_IN_QUOTE)
            p.html = html
            c = p.vars["creators"]
            p.creators_html = c if (c and html.startswith(c)) else ""
        return p

    def reference_html(self, key: str) -> str:
        """One entry as HTML (escaped; may contain tokens); no author substitution."""
        return self._entry_html(key).html

    def reference_text(self, key: str) -> str:
        """Plain text of :meth:`reference_html` (tokens kept)."""
        return html_to_text(self.reference_html(key))

    def sort_keys(self, keys: Iterable[str]) -> list[str]:
        """Known keys in the style's bibliography order (duplicates removed)."""
        known = {k for k in keys if k in self.entries}
        return sorted(known, key=lambda k: (self._prepare(k).sort, k))

    def reference_list(self, keys: Iterable[str]) -> list[tuple[str, str]]:
        sub = self.style.mod.SUBSEQUENT_AUTHOR
        out = []
        prev = None
        for k in self.sort_keys(keys):
            p = self._entry_html(k)
            html = p.html
            c = p.creators_html
            if sub and c and p.creators_role and c == prev:
                html = sub + ("." if c.endswith(".") else "") + html[len(c):]
            prev = c if p.creators_role else None
            out.append((k, html))
        return out

    # ---------------------------------------------------------- citations
    def _locator(self, p: _Prepared, item) -> str:
        loc = (item.locator or "").strip()
        if not loc:
            return ""
        mod = self.style.mod
        label = (item.label or "page").strip() or "page"
        if label == "page":
            loc = format_pages(loc, mod.PAGE_RANGE)
        else:
            loc = _DASH_RE.sub("–", loc)
        plural = bool(re.search(r"[–,&]| and ", loc))
        terms = mod.LOCATOR_TERMS.get(label)
        term = (terms[plural] if terms else label) if True else ""
        vol = p.vars.get("volume")
        if vol and p.tpl in mod.CITATION.get("volume_locator_templates", ()):
            vol = _html.unescape(vol)
            if label == "page":
                return f"{vol}:{loc}"
            sing = mod.LOCATOR_TERMS.get("volume", ("vol.", "vols."))[0]
            return f"{sing} {vol}, {term} {loc}" if term else f"{sing} {vol}, {loc}"
        return f"{term} {loc}" if term else loc

    def citation_pieces(self, citation) -> list[tuple]:
        """In-text rendering as pieces: ("text", s) literal text, ("md", s)
        Markdown (prefix/suffix), ("ref", key, s) text linking to ``key``,
        ("missing", key).  Text may contain tokens (see :meth:`resolver`)."""
        cfg = self.style.mod.CITATION
        pieces: list[tuple] = []
        items = list(citation.items)
        if not citation.bracketed:
            for i, it in enumerate(items):
                if i:
                    pieces.append(("text", cfg["delim"]))
                self._narrative(it, pieces, cfg)
            return _merge(pieces)
        pieces.append(("text", cfg["open"]))
        prev = None  # (signature, had_locator, had_suffix) of previous rendered item
        for i, it in enumerate(items):
            if it.key not in self.entries:
                # Like pandoc: keep the item's prefix, locator and suffix around the marker.
                if i:
                    pieces.append(("text", cfg["delim"]))
                if it.prefix:
                    pieces.append(("md", it.prefix))
                    pieces.append(("text", " "))
                pieces.append(("missing", it.key))
                if it.suffix:      # pandoc drops the locator of an unknown item, keeps the rest
                    pieces.append(("text", cfg["suffix_delim"]))
                    pieces.append(("md", it.suffix))
                prev = None
                continue
            p = self._prepare(it.key)
            loc = self._locator(p, it)
            collapse = (cfg.get("collapse") and prev is not None and not it.prefix
                        and it.mode != "SuppressAuthor" and not prev[2] and prev[0] == p.signature)
            if i:
                if collapse:
                    pieces.append(("text", cfg["collapse_after_locator"] if (prev[1] or loc)
                                   else cfg["collapse_delim"]))
                else:
                    pieces.append(("text", cfg["delim"]))
            if it.prefix:
                pieces.append(("md", it.prefix))
                pieces.append(("text", " "))
            y = _tok("Y", it.key)
            if it.mode == "SuppressAuthor" or collapse:
                pieces.append(("ref", it.key, y))
            elif it.mode == "AuthorInText":
                pieces.append(("ref", it.key, _tok("N", it.key)))
                pieces.append(("text", cfg["narrative_open"]))
                pieces.append(("ref", it.key, y))
            else:
                sep = cfg["author_year"] if (p.has_date or p.has_accessed) else cfg["author_nodate"]
                pieces.append(("ref", it.key, _tok("A", it.key) + sep + y))
            if loc:
                pieces.append(("text", cfg["locator_delim"] + loc))
            if it.suffix:
                pieces.append(("text", cfg["suffix_delim"]))
                pieces.append(("md", it.suffix))
            if it.mode == "AuthorInText":
                pieces.append(("text", cfg["narrative_close"]))
            prev = (p.signature, bool(loc), bool(it.suffix))
        pieces.append(("text", cfg["close"]))
        return _merge(pieces)

    def _narrative(self, it, pieces: list, cfg) -> None:
        if it.key not in self.entries:
            pieces.extend((("text", "("), ("missing", it.key), ("text", ")")))  # as pandoc
            return
        p = self._prepare(it.key)
        loc = self._locator(p, it)
        if it.prefix:
            pieces.append(("md", it.prefix))
            pieces.append(("text", " "))
        if it.mode != "SuppressAuthor":
            pieces.append(("ref", it.key, _tok("N", it.key)))
            pieces.append(("text", cfg["narrative_open"]))
        else:
            pieces.append(("text", cfg["open"]))
        pieces.append(("ref", it.key, _tok("Y", it.key)))
        if loc:
            pieces.append(("text", cfg["locator_delim"] + loc))
        if it.suffix:
            pieces.append(("text", cfg["suffix_delim"]))
            pieces.append(("md", it.suffix))
        pieces.append(("text", cfg["narrative_close"]))

    # ---------------------------------------------------------- resolution
    def _labels(self, keys: list[str]) -> dict[str, tuple[str, str]]:
        """Short author labels (parenthetical, narrative) for ``keys``
        (already in bibliography order), with given-name disambiguation."""
        mod = self.style.mod
        cn = mod.CITE_NAMES
        demote = mod.DEMOTE_PARTICLE
        # primary-name given-name disambiguation over the set
        by_family: dict[str, set] = {}
        for k in keys:
            p = self._prepare(k)
            if p.label_names and not p.label_names[0].literal:
                n0 = p.label_names[0]
                by_family.setdefault(n0.short(demote), set()).add(n0.ident)
        expand: dict[tuple, str] = {}
        if cn.get("givenname"):
            for fam, idents in by_family.items():
                if len(idents) < 2:
                    continue
                people = {}
                for k in keys:
                    p = self._prepare(k)
                    if p.label_names and p.label_names[0].ident in idents:
                        people[p.label_names[0].ident] = p.label_names[0]
                inits: dict[str, list] = {}
                for ident, nm in people.items():
                    inits.setdefault(nm.initials(". "), []).append(ident)
                for ini, ids in inits.items():
                    for ident in ids:
                        nm = people[ident]
                        if not nm.given:
                            continue
                        g = ini if len(ids) == 1 else nm.given
                        expand[ident] = f"{g} {nm.short(demote)}"
        out = {}
        for k in keys:
            out[k] = self._label(self._prepare(k), expand)
        return out

    def _label(self, p: _Prepared, expand: Mapping[tuple, str]) -> tuple[str, str]:
        cn = self.style.mod.CITE_NAMES
        demote = self.style.mod.DEMOTE_PARTICLE
        names = p.label_names
        if not names:
            return p.label_title, p.label_title
        shown = [expand.get(n.ident) or n.short(demote) for n in names]
        if len(names) >= cn["et_al_min"]:
            s = cn["delim"].join(shown[: cn["et_al_use_first"]]) + cn["et_al"]
            return s, s
        a = _join_names(shown, cn["and"], cn["delim"], cn["precedes_last"])
        n = _join_names(shown, cn["and_narrative"], cn["delim"], cn["precedes_last"])
        return a, n

    def resolver(self, cited_keys: Iterable[str]) -> Callable[..., str]:
        """Return ``resolve(s, html=True)`` replacing every token in ``s``.

        Year suffixes and given-name disambiguation are computed over exactly
        the known keys in ``cited_keys``, in bibliography order.  Values are
        HTML-escaped unless ``html=False`` (use that for plain text).  Tokens
        of keys outside the set resolve without suffix/disambiguation."""
        mod = self.style.mod
        keys = self.sort_keys(cited_keys)
        labels = self._labels(keys)
        groups: dict[tuple, list[str]] = {}
        for k in keys:
            p = self._prepare(k)
            groups.setdefault((labels[k][0], p.year), []).append(k)
        years: dict[str, str] = {}
        for (_, _y), ks in groups.items():
            for i, k in enumerate(ks):
                p = self._prepare(k)
                base = p.year if p.has_date else mod.NO_DATE
                if len(ks) > 1:
                    suf = _suffix(i)
                    base += (mod.ND_SUFFIX_SEP + suf) if not p.has_date else suf
                years[k] = base
        values: dict[tuple[str, str], str] = {}
        for k in keys:
            values[("Y", k)] = years[k]
            values[("A", k)], values[("N", k)] = labels[k]

        def value(kind: str, key: str) -> str:
            v = values.get((kind, key))
            if v is None:
                if key not in self.entries:
                    v = key
                else:
                    p = self._prepare(key)
                    if kind == "Y":
                        v = p.year if p.has_date else mod.NO_DATE
                    else:
                        a, n = self._label(p, {})
                        v = a if kind == "A" else n
                values[(kind, key)] = v
            return v

        def resolve(s: str, html: bool = True) -> str:
            if "\ue000" not in s:
                return s

            def sub(m: re.Match) -> str:
                v = value(m.group(1), m.group(2))
                dot = m.group(3)
                if dot and v.endswith("."):
                    dot = ""
                return (_esc(v) if html else v) + dot
            return _TOKEN_DOT_RE.sub(sub, s)
        return resolve


def _suffix(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(97 + r) + s
    return s


def _merge(pieces: list[tuple]) -> list[tuple]:
    out: list[tuple] = []
    for pc in pieces:
        if pc[0] == "text":
            if not pc[1]:
                continue
            if out and out[-1][0] == "text":
                out[-1] = ("text", out[-1][1] + pc[1])
                continue
        out.append(pc)
    return out
