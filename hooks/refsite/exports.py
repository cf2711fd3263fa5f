"""Reference-manager exports: BibTeX, CSL-JSON, RIS, COinS, page metadata and "Cite this page".

Pure module (no MkDocs).  Input entries are ``pybtex.database.Entry`` objects keyed by citation key.

Rules shared by every format:

* fields whose name starts with ``x-`` (any case) are never exported;
* LaTeX is turned into Unicode with latexcodec / pybtex's LaTeX parser, case-protection braces are
  dropped, and corporate names written ``{{World Bank}}`` become literal names;
* only ``http``/``https`` URLs (and well-formed DOIs) ever reach a URL-typed output field
  (CSL ``URL``, RIS ``UR``, COinS ``rft_id``, page metadata ``DC.identifier``);
* every function returns plain strings/data: HTML escaping is the caller's job;
* no function raises on any pybtex ``Entry``: an unexpected failure degrades to a minimal record.
"""

from __future__ import annotations

import calendar
import functools
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from urllib.parse import quote_plus, unquote, urlencode, urlsplit

from pybtex.bibtex.utils import split_name_list
from pybtex.database import Person

from .items import latex_inlines, stringify
from .latex import ulatex

__all__ = [
    "bibtex_entry",
    "bibtex_file",
    "cite_page",
    "coins_title",
    "csl_json",
    "csl_json_item",
    "page_meta_tags",
    "ris_file",
    "ris_record",
]

# --------------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------------

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH_NAMES = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip

_LOGOS = {
    "TeX": "TeX", "LaTeX": "LaTeX", "LaTeXe": "LaTeX2e", "BibTeX": "BibTeX", "XeTeX": "XeTeX",
    "XeLaTeX": "XeLaTeX", "LuaTeX": "LuaTeX", "LuaLaTeX": "LuaLaTeX", "ConTeXt": "ConTeXt",
    "AmS": "AmS", "AMS": "AMS", "MF": "METAFONT", "MP": "MetaPost", "METAFONT": "METAFONT",
    "METAPOST": "MetaPost", "eTeX": "e-TeX", "pdfTeX": "pdfTeX", "pdfLaTeX": "pdfLaTeX",
    "BibLaTeX": "BibLaTeX", "biblatex": "biblatex", "LyX": "LyX", "SliTeX": "SliTeX",
}  # fmt: skip
_LOGO_RE = re.compile(r"\\(" + "|".join(sorted(_LOGOS, key=len, reverse=True)) + r")(?![A-Za-z])\s?")
_HREF_RE = re.compile(r"\\href\s*\{[^{}]*\}")
_CMD_RE = re.compile(r"\\[A-Za-z@]+\*?\s*")
_CTRL_SYM_RE = re.compile(r"\\(.)", re.S)
_CTRL_SYMS = {"\\": " ", " ": " ", "\n": " ", ",": "\u2009", ";": " ", ":": " ", "!": "", "/": "", "-": "",
              "@": "", "&": "&", "%": "%", "$": "$", "#": "#", "_": "_"}  # fmt: skip
_BARE_PERCENT_RE = re.compile(r"(?<!\\)%")
_BARE_DOLLAR_RE = re.compile(r"(?<!\\)\$")
_WS_RE = re.compile(r"\s+")
_LBRACE_ESC, _RBRACE_ESC = "\ue000", "\ue001"
# text-mode symbol commands latexcodec does not decode: kept as placeholders until braces are gone
_SYMBOLS = {"textbraceleft": "\ue000", "textbraceright": "\ue001", "textbackslash": "\ue002",
            "textasciicircum": "\ue003", "textasciitilde": "\ue004"}  # fmt: skip
_PLACEHOLDERS = {"\ue000": "{", "\ue001": "}", "\ue002": "\\", "\ue003": "^", "\ue004": "~"}
_SYMBOL_RE = re.compile(r"\\(" + "|".join(_SYMBOLS) + r")(?:\{\}|\s+|(?![A-Za-z]))")


def _clean(s: str) -> str:
    """Collapse whitespace; drop control characters and lone surrogates."""
    if s.isprintable():     # no control, format, private-use, unassigned or odd space characters
        return _WS_RE.sub(" ", s).strip() if "  " in s else s.strip()
    out = []
    for ch in s:
        cat = unicodedata.category(ch)
        if ch in "\t\n\r\u2028\u2029\xa0" or cat == "Zs":
            out.append(" ")
        elif cat in ("Cc", "Cs", "Cn") or ch in _PLACEHOLDERS or ch == "\xad":
            continue
        else:
            out.append(ch)
    return _WS_RE.sub(" ", "".join(out)).strip()


def _strip_braces(s: str) -> str:
    """Drop grouping/case-protection braces (what pybtex's LaTeXParser + text rendering does)."""
    return s.replace("{", "").replace("}", "")


def tex_to_text(value: object) -> str:
    """LaTeX field value → plain Unicode text, read as the item model (and Pandoc) reads it:
    accents and quotes decoded (`{China}' → “China”), protection braces removed."""
    try:
        s = str(value or "")
    except Exception:
        return ""
    if not s:
        return ""
    return _tex_to_text(s)


@functools.lru_cache(maxsize=65536)
def _tex_to_text(s: str) -> str:
    if not _LATEX_SPECIAL_RE.search(s) and "'" not in s and "`" not in s:
        return _clean(s)
    try:
        return _clean(stringify(latex_inlines(s)))
    except Exception:       # the reader never should; the older decoder is the fallback
        return _latex_fallback(s)


# Anything latexcodec or the steps below would change; a field without any is only cleaned.
_LATEX_SPECIAL_RE = re.compile(r"[\\{}$~%\ue000-\ue004]|--|``|''|!`|\?`")


def _latex_fallback(s: str) -> str:
    s = "".join(c for c in s if c not in _PLACEHOLDERS)
    # literal braces etc. survive as placeholders; a bare % is a percent sign, not a TeX comment
    s = s.replace("\\{", _LBRACE_ESC).replace("\\}", _RBRACE_ESC)
    s = _SYMBOL_RE.sub(lambda m: _SYMBOLS[m.group(1)], s)
    s = _BARE_PERCENT_RE.sub(r"\\%", s)
    s = _HREF_RE.sub("", s)
    s = _LOGO_RE.sub(lambda m: _LOGOS[m.group(1)], s)
    try:
        s = ulatex(s)
    except Exception:
        pass
    s = _BARE_DOLLAR_RE.sub("", s)
    s = _CMD_RE.sub("", s)  # unknown control words (\emph, \textsc, \mkbibquote …): keep their argument
    s = _CTRL_SYM_RE.sub(lambda m: _CTRL_SYMS.get(m.group(1), m.group(1)), s)
    s = _strip_braces(s)
    s = "".join(_PLACEHOLDERS.get(c, c) for c in s)
    return _clean(s)


def _join_title(title: str, sub: str) -> str:
    if title and sub:
        return f"{title}{'' if title[-1] in ':?!.' else ':'} {sub}"
    return title or sub


def _is_x(name: object) -> bool:
    return str(name).strip().lower().startswith("x-")


def _safe_url(raw: object) -> str:
    """The value as an http(s) URL, or "" when it is anything else (javascript:, data:, relative…)."""
    s = str(raw or "").strip()
    m = re.fullmatch(r"\\(?:url|href|nolinkurl)\s*\{(.*)\}(?:\s*\{.*\})?", s, re.S)
    if m:
        s = m.group(1)
    s = s.strip().strip("{}").strip()
    s = re.sub(r"\\([%_#&~$])", r"\1", s).replace("\\textasciitilde{}", "~").replace("\\textasciitilde", "~")
    if not s or any(unicodedata.category(c) in ("Cc", "Cs", "Zs", "Zl", "Zp") for c in s):
        return ""
    if any(c in s for c in '"<>\\`{}|^'):
        return ""
    try:
        parts = urlsplit(s)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    return s


_DOI_RE = re.compile(r"10\.\d{4,9}/[^\s\"<>]+")


def _doi(raw: object) -> str:
    s = tex_to_text(raw) if "\\" in str(raw or "") else str(raw or "").strip()
    s = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", s.strip(), flags=re.I)
    try:
        s = unquote(s)
    except Exception:
        return ""
    return s if _DOI_RE.fullmatch(s) else ""


def _pages(raw: object) -> tuple[str, str, str]:
    """(pages "45-67", first, last) from a BibTeX pages value."""
    s = tex_to_text(str(raw or "").replace("--", "-"))
    s = re.sub(r"\s*[-\u2010-\u2015\u2212]+\s*", "-", s)
    if not s:
        return "", "", ""
    first, sep, last = s.partition("-")
    if "," in first:  # "1, 5-7": keep the whole list in pages, first page only
        first = first.split(",")[0].strip()
        last = ""
    return s, first.strip(), last.strip() if sep else ""


def _bibtex_text(s: str) -> str:
    """Plain text → BibTeX/LaTeX-safe value (balanced braces, specials escaped)."""
    rep = {
        "\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}",
        "%": r"\%", "&": r"\&", "$": r"\$", "#": r"\#", "_": r"\_",
        "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
    }  # fmt: skip
    text = _clean(s)
    if _balanced(text):     # \{ \} keep BibTeX's braces balanced and read back as braces
        rep.update({"{": r"\{", "}": r"\}"})
    return "".join(rep.get(c, c) for c in text)


def _balanced(text: str) -> bool:
    depth = 0
    for c in text:
        depth += c == "{"
        depth -= c == "}"
        if depth < 0:
            return False
    return depth == 0


# --------------------------------------------------------------------------------------------------
# entry access (x- filtered, crossref aware)
# --------------------------------------------------------------------------------------------------

_NO_INHERIT = {
    "title", "subtitle", "titleaddon", "shorttitle", "crossref", "xref", "ids", "key", "label",
    "doi", "url", "urldate", "eprint", "pages", "note", "abstract", "keywords", "file", "chapter",
    "shorthand", "entryset", "related", "annotation",
}  # fmt: skip
_CONTAINED = {"incollection", "inproceedings", "inbook", "bookinbook", "inreference", "suppbook",
              "suppcollection", "suppperiodical"}  # fmt: skip


class _View:
    def __init__(self, key: str, entry, entries: Mapping | None = None):
        self.key = str(key)
        self.entry = entry
        self.type = str(getattr(entry, "type", "misc") or "misc").lower()
        self.fields = self._own_fields(entry)
        self.parent = None
        xref = self.fields.get("crossref", "").strip()
        if xref and entries:
            try:
                parent = entries.get(xref)
                if parent is None:
                    low = xref.lower()
                    parent = next((v for k, v in entries.items() if str(k).lower() == low), None)
            except Exception:
                parent = None
            if parent is not None and parent is not entry:
                self.parent = parent
                self.parent_fields = self._own_fields(parent)

    @staticmethod
    def _own_fields(entry) -> dict[str, str]:
        out: dict[str, str] = {}
        try:
            for name, value in getattr(entry, "fields", {}).items():
                if _is_x(name):
                    continue
                try:
                    out[str(name).lower()] = str(value)
                except Exception:
                    continue
        except Exception:
            pass
        return out

    def raw(self, *names: str) -> str:
        for name in names:
            v = self.fields.get(name, "")
            if v.strip():
                return v
        if self.parent is not None:
            for name in names:
                if name in _NO_INHERIT:
                    continue
                v = self.parent_fields.get(name, "")
                if v.strip():
                    return v
            if self.type in _CONTAINED and ("booktitle" in names or "maintitle" in names):
                v = self.parent_fields.get("title", "")
                if v.strip():
                    return v
        return ""

    def text(self, *names: str) -> str:
        return tex_to_text(self.raw(*names))

    def persons(self, role: str) -> list:
        def from_entry(entry, fields) -> list | None:
            try:
                persons = getattr(entry, "persons", {})
                for name, plist in persons.items():
                    if str(name).lower() == role:
                        return list(plist)
            except Exception:
                pass
            value = fields.get(role, "")
            if value.strip():
                out = []
                try:
                    for part in split_name_list(value):
                        try:
                            out.append(Person(part))
                        except Exception:
                            out.append(Person(last=part))  # keep the name somehow
                except Exception:
                    return []
                return out
            return None

        got = from_entry(self.entry, self.fields)
        if got is None and self.parent is not None and role == "editor":
            got = from_entry(self.parent, self.parent_fields)
        return got or []


def _name_parts(person) -> dict | None:
    """A pybtex Person → CSL-style name dict; None for "others"."""
    try:
        first = list(person.first_names) + list(person.middle_names)
        von = list(person.prelast_names)
        last = list(person.last_names)
        jr = list(person.lineage_names)
    except Exception:
        return None
    if not first and not von and not jr and len(last) == 1:
        raw = last[0].strip()
        if raw.lower() == "others":
            return None
        if raw.startswith("{") and raw.endswith("}") and _one_group(raw):
            literal = tex_to_text(raw)
            return {"literal": literal} if literal else None
    family = tex_to_text(" ".join(last))
    given = tex_to_text(" ".join(first))
    particle = tex_to_text(" ".join(von))
    suffix = tex_to_text(" ".join(jr))
    if not family:
        literal = " ".join(p for p in (given, particle, suffix) if p)
        return {"literal": literal} if literal else None
    name = {"family": family}
    if given:
        name["given"] = given
    if particle:
        name["non-dropping-particle"] = particle
    if suffix:
        name["suffix"] = suffix
    return name


def _one_group(raw: str) -> bool:
    """True when the whole string is a single brace group: "{World Bank}" but not "{A} {B}"."""
    depth = 0
    for i, c in enumerate(raw):
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0 and i != len(raw) - 1:
                return False
    return depth == 0


def _names(view: _View, role: str) -> list[dict]:
    out = []
    for p in view.persons(role):
        n = _name_parts(p)
        if n:
            out.append(n)
    return out


def _name_inverted(n: dict) -> str:
    """"van Gogh, Vincent" / "Smith, John, Jr." / "World Bank"."""
    if "literal" in n:
        return n["literal"]
    fam = " ".join(x for x in (n.get("non-dropping-particle", ""), n["family"]) if x)
    if n.get("suffix"):
        return f"{fam}, {n.get('given', '')}, {n['suffix']}"
    return f"{fam}, {n['given']}" if n.get("given") else fam


def _name_display(n: dict) -> str:
    if "literal" in n:
        return n["literal"]
    s = " ".join(x for x in (n.get("given", ""), n.get("non-dropping-particle", ""), n["family"]) if x)
    return f"{s}, {n['suffix']}" if n.get("suffix") else s


# --------------------------------------------------------------------------------------------------
# dates
# --------------------------------------------------------------------------------------------------


def _month(raw: str) -> int | None:
    s = tex_to_text(raw).strip().strip(".").lower()
    if s.isdigit():
        m = int(s)
        return m if 1 <= m <= 12 else None
    return _MONTHS.get(s[:3]) if s else None


def _date_from_iso(s: str) -> tuple[int, int | None, int | None] | None:
    m = re.match(r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", s)
    if not m:
        return None
    y = int(m.group(1))
    mo = int(m.group(2)) if m.group(2) else None
    d = int(m.group(3)) if m.group(3) else None
    if mo is not None and not 1 <= mo <= 12:
        mo, d = None, None
    if d is not None and not 1 <= d <= calendar.monthrange(y, mo or 1)[1]:
        d = None
    return y, mo, d


def _date(view: _View) -> tuple[tuple[int, int | None, int | None] | None, str]:
    """((year, month, day) or None, literal text when the date is not machine-readable)."""
    date = view.text("date")
    if date:
        got = _date_from_iso(date.split("/")[0])
        if got:
            return got, ""
    year_txt = view.text("year")
    m = re.search(r"(?<!\d)(\d{4})(?!\d)", year_txt)
    if m:
        y = int(m.group(1))
        mo = _month(view.raw("month")) if view.raw("month") else None
        d = None
        if mo:
            day = view.text("day")
            if day.isdigit() and 1 <= int(day) <= 31:
                d = int(day)
        return (y, mo, d), ""
    return None, year_txt or date


def _iso(d: tuple[int, int | None, int | None], sep: str = "-") -> str:
    y, m, dd = d
    s = f"{y:04d}"
    if m:
        s += f"{sep}{m:02d}"
        if dd:
            s += f"{sep}{dd:02d}"
    return s


# --------------------------------------------------------------------------------------------------
# normalised record shared by CSL / RIS / COinS
# --------------------------------------------------------------------------------------------------

_CSL_TYPES = {
    "article": "article-journal", "book": "book", "mvbook": "book", "bookinbook": "chapter",
    "booklet": "pamphlet", "collection": "book", "mvcollection": "book", "proceedings": "book",
    "mvproceedings": "book", "reference": "book", "mvreference": "book", "inbook": "chapter",
    "incollection": "chapter", "suppbook": "chapter", "suppcollection": "chapter",
    "inreference": "entry-encyclopedia", "inproceedings": "paper-conference",
    "conference": "paper-conference", "manual": "book", "mastersthesis": "thesis",
    "phdthesis": "thesis", "thesis": "thesis", "techreport": "report", "report": "report",
    "misc": "document", "online": "webpage", "electronic": "webpage", "www": "webpage",
    "unpublished": "manuscript", "patent": "patent", "periodical": "periodical",
    "suppperiodical": "article-journal", "dataset": "dataset", "software": "software",
    "standard": "standard", "letter": "personal_communication", "review": "review",
    "artwork": "graphic", "image": "graphic", "audio": "song", "music": "song",
    "video": "motion_picture", "movie": "motion_picture", "performance": "performance",
    "legislation": "legislation", "jurisdiction": "legal_case", "legal": "legal_case",
}  # fmt: skip

_RIS_TYPES = {
    "article": "JOUR", "book": "BOOK", "mvbook": "BOOK", "collection": "EDBOOK",
    "mvcollection": "EDBOOK", "reference": "BOOK", "mvreference": "BOOK", "manual": "BOOK",
    "booklet": "PAMP", "bookinbook": "CHAP", "inbook": "CHAP", "incollection": "CHAP",
    "suppbook": "CHAP", "suppcollection": "CHAP", "inreference": "ENCYC",
    "inproceedings": "CPAPER", "conference": "CPAPER", "proceedings": "CONF",
    "mvproceedings": "CONF", "mastersthesis": "THES", "phdthesis": "THES", "thesis": "THES",
    # @misc: Zotero (the judge here) reads GEN as a journal article; AGGR is one of the RIS types
    # its RIS translator imports as a document, which is what it makes of @misc from BibTeX.
    "techreport": "RPRT", "report": "RPRT", "misc": "AGGR", "online": "ELEC", "electronic": "ELEC",
    "www": "ELEC", "unpublished": "UNPB", "patent": "PAT", "periodical": "JFULL",
    "suppperiodical": "JOUR", "dataset": "DATA", "software": "COMP", "standard": "STAND",
    "letter": "PCOMM", "artwork": "ART", "image": "FIGURE", "audio": "SOUND", "music": "MUSIC",
    "video": "VIDEO", "movie": "MPCT", "legislation": "STAT", "jurisdiction": "CASE",
    "legal": "CASE",
}  # fmt: skip

_GENRES = {
    "phdthesis": "PhD thesis", "mastersthesis": "Master's thesis", "mathesis": "Master's thesis",
    "candthesis": "Candidate thesis", "techreport": "Technical report", "resreport": "Research report",
    "software": "Software", "datacd": "Data CD", "audiocd": "Audio CD", "patent": "Patent",
}  # fmt: skip


_LANGIDS = {
    "english": "en", "american": "en-US", "USenglish": "en-US", "british": "en-GB", "UKenglish": "en-GB",
    "canadian": "en-CA", "australian": "en-AU", "newzealand": "en-NZ", "german": "de", "ngerman": "de",
    "austrian": "de-AT", "naustrian": "de-AT", "swissgerman": "de-CH", "nswissgerman": "de-CH",
    "french": "fr", "italian": "it", "spanish": "es", "portuguese": "pt", "brazilian": "pt-BR",
    "dutch": "nl", "danish": "da", "swedish": "sv", "norwegian": "nb", "norsk": "nb", "nynorsk": "nn",
    "finnish": "fi", "polish": "pl", "czech": "cs", "slovak": "sk", "russian": "ru", "ukrainian": "uk",
    "greek": "el", "latin": "la", "turkish": "tr", "hungarian": "hu", "magyar": "hu", "catalan": "ca",
    "croatian": "hr", "slovene": "sl", "slovenian": "sl", "serbian": "sr", "bulgarian": "bg",
    "romanian": "ro", "hebrew": "he", "arabic": "ar", "chinese": "zh", "japanese": "ja", "korean": "ko",
    "estonian": "et", "latvian": "lv", "lithuanian": "lt", "icelandic": "is", "irish": "ga",
}  # fmt: skip
_LANGIDS_LOWER = {k.lower(): v for k, v in _LANGIDS.items()}


def _language(raw: str) -> str:
    """biblatex langid/language ("english", "ngerman") → BCP 47 where known, else the text."""
    return _LANGIDS_LOWER.get(raw.strip().lower(), raw.strip())


def _article_kind(v: _View) -> str:
    sub = v.text("entrysubtype").lower()
    if sub in ("newspaper", "magazine"):
        return sub
    return "journal"


def _norm(key: str, entry, entries: Mapping | None = None) -> dict:
    v = _View(key, entry, entries)
    t = v.type
    r: dict = {"key": v.key, "btype": t}
    r["title"] = _join_title(v.text("title"), v.text("subtitle"))
    if t == "article" or t == "suppperiodical":
        r["container"] = _join_title(v.text("journaltitle", "journal"), v.text("journalsubtitle"))
        r["short_container"] = v.text("shortjournal")
    elif t in _CONTAINED:
        r["container"] = _join_title(v.text("booktitle"), v.text("booksubtitle"))
    else:
        r["container"] = ""
        r["short_container"] = ""
    if t in ("online", "electronic", "www", "misc") and not r["container"]:
        r["container"] = v.text("organization") if t != "misc" else ""
    r["authors"] = _names(v, "author")
    r["editors"] = _names(v, "editor")
    r["translators"] = _names(v, "translator")
    r["date"], r["date_literal"] = _date(v)
    url_date = v.text("urldate")
    r["accessed"] = _date_from_iso(url_date) if url_date else None
    r["volume"] = v.text("volume")
    number = v.text("number")
    issue = v.text("issue")
    r["issue"] = r["number"] = r["collection_number"] = ""
    if t in ("article", "periodical", "suppperiodical"):
        r["issue"] = number or issue
    elif t in ("techreport", "report", "patent", "standard"):
        r["number"] = number
    elif v.raw("series"):
        r["collection_number"] = number
    else:
        r["number"] = number
    r["pages"], r["spage"], r["epage"] = _pages(v.raw("pages"))
    if t in ("mastersthesis", "phdthesis", "thesis"):
        pub = v.text("school", "institution", "publisher")
    elif t in ("techreport", "report"):
        pub = v.text("institution", "publisher")
    elif t == "manual":
        pub = v.text("organization", "publisher")
    elif t in ("inproceedings", "conference", "proceedings", "mvproceedings"):
        pub = v.text("publisher", "organization")
    else:
        pub = v.text("publisher")
    r["publisher"] = pub
    r["place"] = v.text("location", "address")
    r["doi"] = _doi(v.raw("doi"))
    r["url"] = _safe_url(v.raw("url"))
    r["isbn"] = v.text("isbn")
    r["issn"] = v.text("issn")
    r["note"] = v.text("note")
    r["abstract"] = v.text("abstract")
    r["edition"] = v.text("edition")
    r["series"] = v.text("series")
    r["language"] = _language(v.text("langid", "language"))
    r["chapter"] = v.text("chapter")
    r["event"] = v.text("eventtitle")
    r["pagetotal"] = v.text("pagetotal")
    r["keywords"] = [k for k in (x.strip() for x in re.split(r"[,;]", v.text("keywords"))) if k]
    genre = v.text("type")
    if genre.lower() in _GENRES:
        genre = _GENRES[genre.lower()]
    if not genre and t in _GENRES:
        genre = _GENRES[t]
    r["genre"] = genre
    r["article_kind"] = _article_kind(v) if t == "article" else ""
    return r


def _minimal_norm(key, entry) -> dict:
    title = ""
    try:
        title = tex_to_text(entry.fields.get("title", ""))
    except Exception:
        pass
    return {"key": str(key), "btype": str(getattr(entry, "type", "misc") or "misc").lower(),
            "title": title}  # fmt: skip


def _safe_norm(key, entry, entries=None) -> dict:
    """The normalised record of an entry; never raises (a broken entry gives a minimal record)."""
    try:
        return _norm(key, entry, entries)
    except Exception:
        return _minimal_norm(key, entry)


# --------------------------------------------------------------------------------------------------
# BibTeX
# --------------------------------------------------------------------------------------------------

_FIELD_NAME_RE = re.compile(r"[A-Za-z@!$&*+\-./:;<>?\[\\\]^_`|~\x7f][A-Za-z0-9@!$&*+\-./:;<>?\[\\\]^_`|~\x7f]*")
_TYPE_RE = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*")


def _balance(s: str) -> str:
    """Make braces balanced (drop stray "}", close open "{") so the value is writable as {…}.

    Lone surrogates and NULs (which no file can hold) are dropped too."""
    s = _utf8(s).replace("\x00", "")
    out, depth = [], 0
    for c in s:
        if c == "{":
            depth += 1
        elif c == "}":
            if depth == 0:
                continue
            depth -= 1
        out.append(c)
    return "".join(out) + "}" * depth


def _utf8(s: str) -> str:
    return s.encode("utf-8", "ignore").decode("utf-8")


def _bibtex_key(key: str) -> str:
    k = re.sub(r"[\s,{}()\"#%'=\\]", "_", _utf8(str(key)).replace("\x00", ""))
    return k or "entry"


def _person_bibtex(p) -> str:
    def j(parts) -> str:
        return " ".join(str(x) for x in parts if str(x))

    first = j(list(p.first_names) + list(p.middle_names))
    von_last = j(list(p.prelast_names) + list(p.last_names))
    jr = j(p.lineage_names)
    if not von_last:
        return first or jr
    if jr:
        return f"{von_last}, {jr}, {first}" if first else f"{von_last}, {jr},"
    return f"{von_last}, {first}" if first else von_last


def bibtex_entry(key, entry) -> str:
    """The entry as written (persons first, then fields in source order), minus ``x-`` fields."""
    return _bibtex_entry(key, entry)


# BibTeX's month macros, from the names pybtex expands them to (and the numbers biber accepts).
_MONTH_MACROS = {name.lower(): abbr for abbr, name in zip(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
    ("January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December"))}


def _bibtex_entry(key, entry) -> str:
    try:
        etype = str(getattr(entry, "original_type", "") or getattr(entry, "type", "") or "misc")
        if not _TYPE_RE.fullmatch(etype):
            etype = "misc"
        lines = [f"@{etype}{{{_bibtex_key(key)}"]
        seen: set[str] = set()
        try:
            persons = list(entry.persons.items())
        except Exception:
            persons = []
        for role, plist in persons:
            role = str(role)
            if _is_x(role) or not _FIELD_NAME_RE.fullmatch(role) or role.lower() in seen:
                continue
            try:
                names = " and ".join(_person_bibtex(p) for p in plist)
            except Exception:
                continue
            if names.strip():
                seen.add(role.lower())
                lines.append(f"  {role} = {{{_balance(names)}}}")
        try:
            fields = list(entry.fields.items())
        except Exception:
            fields = []
        for name, value in fields:
            name = str(name)
            if _is_x(name) or not _FIELD_NAME_RE.fullmatch(name) or name.lower() in seen:
                continue
            seen.add(name.lower())
            try:
                val = str(value)
            except Exception:
                continue
            month = _MONTH_MACROS.get(val.strip().lower()) if name.lower() == "month" else None
            if month:           # pybtex expanded the macro (aug -> August): write the macro again
                lines.append(f"  {name} = {month}")
                continue
            lines.append(f"  {name} = {{{_balance(val)}}}")
        return ",\n".join(lines) + "\n}\n"
    except Exception:
        return f"@misc{{{_bibtex_key(key)}\n}}\n"


def bibtex_file(entries: Mapping) -> str:
    """All entries, in the order given, separated by blank lines."""
    return bibtex_join(bibtex_entry(k, e) for k, e in _items(entries))


def bibtex_pieces(entry_texts: Iterable[str]) -> Iterator[str]:
    """The .bib file made of ``bibtex_entry`` texts, in pieces (to write it without joining it)."""
    for i, text in enumerate(entry_texts):
        yield ("\n" if i else "") + text


def bibtex_join(entry_texts: Iterable[str]) -> str:
    return "".join(bibtex_pieces(entry_texts))


def _items(entries) -> Iterable:
    try:
        return list(entries.items())
    except Exception:
        return []


# --------------------------------------------------------------------------------------------------
# CSL-JSON
# --------------------------------------------------------------------------------------------------


def _csl_type(r: dict) -> str:
    t = r["btype"]
    if t == "article" and r.get("article_kind") in ("newspaper", "magazine"):
        return f"article-{r['article_kind']}"
    return _CSL_TYPES.get(t, "document")


def _particle_in_family(name: dict) -> dict:
    """A name for the CSL-JSON file: a non-dropping particle joins the family name ("van den
    Berg"), which every reader keeps (Zotero's CSL-JSON import drops the separate field) and CSL
    processors split again when they sort."""
    name = dict(name)
    particle = name.pop("non-dropping-particle", "")
    if particle and name.get("family"):
        name["family"] = f"{particle} {name['family']}"
    return name


def _csl_from_norm(r: dict) -> dict:
    item: dict = {"id": _utf8(r["key"]), "type": _csl_type(r)}
    if r.get("title"):
        item["title"] = r["title"]
    for role, csl in (("authors", "author"), ("editors", "editor"), ("translators", "translator")):
        if r.get(role):
            item[csl] = [_particle_in_family(n) for n in r[role]]
    if r.get("date"):
        item["issued"] = {"date-parts": [[x for x in r["date"] if x]]}
    elif r.get("date_literal"):
        item["issued"] = {"literal": r["date_literal"]}
    if r.get("accessed"):
        item["accessed"] = {"date-parts": [[x for x in r["accessed"] if x]]}
    simple = [
        ("container", "container-title"), ("short_container", "container-title-short"),
        ("series", "collection-title"), ("collection_number", "collection-number"),
        ("event", "event-title"), ("volume", "volume"), ("issue", "issue"), ("number", "number"),
        ("chapter", "chapter-number"), ("pages", "page"), ("pagetotal", "number-of-pages"),
        ("edition", "edition"), ("publisher", "publisher"), ("place", "publisher-place"),
        ("genre", "genre"), ("doi", "DOI"), ("url", "URL"), ("isbn", "ISBN"), ("issn", "ISSN"),
        ("language", "language"), ("abstract", "abstract"), ("note", "note"),
    ]  # fmt: skip
    for src, dst in simple:
        val = r.get(src)
        if val:
            item[dst] = val
    if r.get("keywords"):
        item["keyword"] = ", ".join(r["keywords"])
    return item


def csl_json_item(key, entry, entries: Mapping | None = None) -> dict:
    """One CSL-JSON item.  ``entries`` (optional) resolves ``crossref`` inheritance."""
    try:
        return _csl_from_norm(_safe_norm(key, entry, entries))
    except Exception:
        return {"id": str(key), "type": "document"}




def csl_item_text(key, entry, entries: Mapping | None = None) -> str:
    """One item as it reads inside the array (indented one level)."""
    return "  " + json.dumps(csl_json_item(key, entry, entries), ensure_ascii=False, indent=2).replace("\n", "\n  ")


def csl_pieces(item_texts: Iterable[str]) -> Iterator[str]:
    """The CSL-JSON array of items made by ``csl_item_text``, in pieces."""
    first = True
    for text in item_texts:
        # "</" never appears raw, so the text can also be inlined in a <script> element (an item
        # starts with "  {" and ends with "}", so no "</" spans two pieces)
        yield ("[\n" if first else ",\n") + text.replace("</", "<\\/")
        first = False
    yield "[]" if first else "\n]"


def csl_join(item_texts: Iterable[str]) -> str:
    return "".join(csl_pieces(item_texts))


def csl_json(entries: Mapping) -> str:
    """A JSON array of CSL items in the order given (UTF-8 text, 2-space indent): the same text as
    ``json.dumps(items, ensure_ascii=False, indent=2)``, put together from per-entry texts."""
    return csl_join(csl_item_text(k, e, entries) for k, e in _items(entries))


# --------------------------------------------------------------------------------------------------
# RIS
# --------------------------------------------------------------------------------------------------


def _ris_from_norm(r: dict) -> str:
    t = r["btype"]
    ty = _RIS_TYPES.get(t, "AGGR")
    if t == "article" and r.get("article_kind") == "newspaper":
        ty = "NEWS"
    elif t == "article" and r.get("article_kind") == "magazine":
        ty = "MGZN"
    lines: list[tuple[str, str]] = [("TY", ty), ("ID", r["key"])]
    for n in r.get("authors", []):
        lines.append(("AU", _name_inverted(n)))
    ed_tag = "A2" if ty in ("CHAP", "CPAPER", "ENCYC") else "ED"
    for n in r.get("editors", []):
        lines.append((ed_tag, _name_inverted(n)))
    for n in r.get("translators", []):
        lines.append(("A4", _name_inverted(n)))
    lines.append(("TI", r.get("title", "")))
    lines.append(("T2", r.get("container", "")))
    lines.append(("J2", r.get("short_container", "")))
    lines.append(("T3", r.get("series", "")))
    if r.get("date"):
        lines.append(("PY", f"{r['date'][0]:04d}"))
        lines.append(("DA", _iso(r["date"], "/")))
    elif r.get("date_literal"):
        lines.append(("PY", r["date_literal"]))
    lines.append(("VL", r.get("volume", "")))
    lines.append(("IS", r.get("issue", "")))
    if ty not in ("RPRT", "AGGR"):   # a report's number is its SN (Zotero: report number); a
        # document has none (Zotero would keep M1 in Extra, and drops a @misc number from BibTeX)
        lines.append(("M1", r.get("number", "") or r.get("collection_number", "")))
    if r.get("spage"):
        lines.append(("SP", r["spage"]))
        lines.append(("EP", r.get("epage", "")))
    elif r.get("pages"):
        lines.append(("SP", r["pages"]))
    lines.append(("ET", r.get("edition", "")))
    lines.append(("PB", r.get("publisher", "")))
    lines.append(("CY", r.get("place", "")))
    lines.append(("M3", r.get("genre", "")))
    if ty == "RPRT":        # Zotero reads a report's SN as its number, so an ISBN cannot go there
        lines.append(("SN", r.get("number", "")))
    else:
        lines.append(("SN", r.get("isbn", "") or r.get("issn", "")))
    lines.append(("DO", r.get("doi", "")))
    lines.append(("UR", r.get("url", "")))
    if r.get("accessed"):
        lines.append(("Y2", _iso(r["accessed"], "/")))
    lines.append(("LA", r.get("language", "")))
    for kw in r.get("keywords", []):
        lines.append(("KW", kw))
    lines.append(("AB", r.get("abstract", "")))
    lines.append(("N1", r.get("note", "")))
    out = [f"{tag}  - {_clean(str(val))}" for tag, val in lines if _clean(str(val))]
    return "\n".join(out) + "\nER  - \n\n"


def ris_record(key, entry, entries: Mapping | None = None) -> str:
    """One RIS record ("TY  - …" … "ER  - " plus a blank line), LF line ends."""
    try:
        return _ris_from_norm(_safe_norm(key, entry, entries))
    except Exception:
        return f"TY  - GEN\nID  - {_clean(str(key))}\nER  - \n\n"


def ris_file(entries: Mapping) -> str:
    return ris_join(ris_record(k, e, entries) for k, e in _items(entries))


def ris_pieces(records: Iterable[str]) -> Iterator[str]:
    """The .ris file made of ``ris_record`` texts, in pieces."""
    yield from records


def ris_join(records: Iterable[str]) -> str:
    return "".join(ris_pieces(records))


# --------------------------------------------------------------------------------------------------
# COinS (OpenURL 1.0 KEV ContextObject)
# --------------------------------------------------------------------------------------------------

_BOOKITEM = {"incollection", "inbook", "bookinbook", "inreference", "suppbook", "suppcollection"}
_BOOKS = {"book", "mvbook", "collection", "mvcollection", "reference", "mvreference", "manual",
          "booklet", "proceedings", "mvproceedings", "periodical"}  # fmt: skip


def _coins_from_norm(r: dict) -> str:
    t = r["btype"]
    pairs: list[tuple[str, str]] = [("ctx_ver", "Z39.88-2004")]
    title = r.get("title", "")
    if t in ("article", "suppperiodical"):
        pairs.append(("rft_val_fmt", "info:ofi/fmt:kev:mtx:journal"))
        ids_at = len(pairs)
        pairs += [("rft.genre", "article"), ("rft.atitle", title), ("rft.jtitle", r.get("container", "")),
                  ("rft.stitle", r.get("short_container", ""))]  # fmt: skip
    else:
        pairs.append(("rft_val_fmt", "info:ofi/fmt:kev:mtx:book"))
        ids_at = len(pairs)
        if t in _BOOKITEM:
            pairs += [("rft.genre", "bookitem"), ("rft.atitle", title), ("rft.btitle", r.get("container", ""))]
        elif t in ("inproceedings", "conference"):
            pairs += [("rft.genre", "proceeding"), ("rft.atitle", title),
                      ("rft.btitle", r.get("container", ""))]  # fmt: skip
        elif t in ("proceedings", "mvproceedings"):
            pairs += [("rft.genre", "conference"), ("rft.btitle", title)]
        elif t in _BOOKS:
            pairs += [("rft.genre", "book"), ("rft.btitle", title)]
        elif t in ("techreport", "report"):
            pairs += [("rft.genre", "report"), ("rft.btitle", title)]
        else:       # Zotero's OpenURL reader takes a document's title from rft.title only
            pairs += [("rft.genre", "document"), ("rft.title", title)]
        pairs += [("rft.series", r.get("series", "")), ("rft.edition", r.get("edition", ""))]
    ids = []
    if r.get("doi"):
        ids.append(("rft_id", "info:doi/" + r["doi"]))
    if r.get("url"):
        ids.append(("rft_id", r["url"]))
    pairs[ids_at:ids_at] = ids
    # Each creator once, as Zotero's OpenURL reader expects: the first person as aulast/aufirst,
    # every other person as au ("Family, Given"), every organisation as aucorp (one field).
    for n, name in enumerate(r.get("authors", [])):
        if "literal" in name:
            pairs.append(("rft.aucorp", name["literal"]))
        elif n == 0:
            pairs.append(("rft.aulast", _name_inverted({k: v for k, v in name.items() if k not in ("given", "suffix")})))
            pairs.append(("rft.aufirst", name.get("given", "")))
            pairs.append(("rft.ausuffix", name.get("suffix", "")))
        else:
            pairs.append(("rft.au", _name_inverted(name)))
    if r.get("date"):
        pairs.append(("rft.date", _iso(r["date"])))
    elif r.get("date_literal"):
        pairs.append(("rft.date", r["date_literal"]))
    pairs += [
        ("rft.volume", r.get("volume", "")), ("rft.issue", r.get("issue", "")),
        ("rft.spage", r.get("spage", "")), ("rft.epage", r.get("epage", "")),
        ("rft.pages", r.get("pages", "")),
    ]  # fmt: skip
    if t not in ("article", "suppperiodical"):
        pairs += [("rft.pub", r.get("publisher", "")), ("rft.place", r.get("place", ""))]
    pairs += [("rft.isbn", r.get("isbn", "")), ("rft.issn", r.get("issn", ""))]
    pairs = [(k, _clean(str(v))) for k, v in pairs]
    return urlencode([(k, v) for k, v in pairs if v], quote_via=quote_plus)


def coins_title(key, entry, entries: Mapping | None = None) -> str:
    """The (un-escaped) ``title`` attribute of a ``<span class="Z3988">``."""
    try:
        return _coins_from_norm(_safe_norm(key, entry, entries))
    except Exception:
        return "ctx_ver=Z39.88-2004&rft_val_fmt=" + quote_plus("info:ofi/fmt:kev:mtx:book")


# --------------------------------------------------------------------------------------------------
# web pages: Dublin Core / Open Graph <meta> tags and "Cite this page"
# --------------------------------------------------------------------------------------------------


def _meta_people(meta: Mapping) -> list[tuple[str, bool]]:
    """The page's authors as (name, is an organisation): an organisation is written in braces,
    as in BibTeX (``{The refsite project}``)."""
    raw = meta.get("authors") or []
    if isinstance(raw, str):
        raw = [raw]
    out = []
    try:
        for a in raw:
            s = _clean(str(a or ""))
            organisation = s.startswith("{") and s.endswith("}")
            s = s.strip("{} ").strip() if organisation else s
            if s:
                out.append((s, organisation))
    except TypeError:
        pass
    return out


def _meta_authors(meta: Mapping) -> list[str]:
    return [name for name, _ in _meta_people(meta)]


def _meta_str(meta: Mapping, name: str) -> str:
    try:
        return _clean(str(meta.get(name) or ""))
    except Exception:
        return ""


def _meta_date(meta: Mapping) -> tuple[int, int | None, int | None] | None:
    s = _meta_str(meta, "date")
    return _date_from_iso(s) if re.match(r"\d{4}(?:-\d{1,2}){0,2}(?:$|[T ])", s) else None


def page_meta_tags(meta: Mapping) -> list[tuple[str, str, str]]:
    """``[(attribute, name, content), …]`` for a page's ``<meta>`` tags (empty ones omitted):
    Dublin Core and Open Graph, which Zotero's Embedded Metadata translator makes a web page of
    (title, creators, date, the site's name as website title, URL). An organisation (an author
    written in braces, ``{The refsite project}``) is written ``Name,``: Zotero keeps a name with an
    empty given part as one field instead of splitting it into first and last name."""
    try:
        meta = meta or {}
        out: list[tuple[str, str, str]] = []
        title = _meta_str(meta, "title")
        if title:
            out.append(("name", "DC.title", title))
        for name, organisation in _meta_people(meta):
            out.append(("name", "DC.creator", name + "," if organisation else name))
        d = _meta_date(meta)
        if d:
            out.append(("name", "DC.date", _iso(d)))
        publisher = _meta_str(meta, "publisher") or _meta_str(meta, "site_name")
        if publisher:
            out.append(("name", "DC.publisher", publisher))
        if _meta_str(meta, "language"):
            out.append(("name", "DC.language", _meta_str(meta, "language")))
        url = _safe_url(_meta_str(meta, "url"))
        if url:
            out.append(("name", "DC.identifier", url))
        if out:
            out.append(("name", "DC.type", "Text"))
        if _meta_str(meta, "site_name"):
            out.append(("property", "og:site_name", _meta_str(meta, "site_name")))
        if title:
            out.append(("property", "og:title", title))
        if url:
            out.append(("property", "og:url", url))
        return out
    except Exception:
        return []


def _and_list(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return ", ".join(names[:-1]) + ", and " + names[-1]


def _sentence(s: str) -> str:
    return s if not s or s[-1] in ".?!" else s + "."


def _slug(url: str) -> str:
    try:
        parts = urlsplit(url)
        segs = [re.sub(r"\.(?:html?|php|aspx?)$", "", unquote(x), flags=re.I) for x in parts.path.split("/") if x]
        if segs and segs[-1].lower() == "index":
            segs.pop()
        base = segs[-1] if segs else (parts.hostname or "")
    except Exception:
        base = ""
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii").lower()
    base = re.sub(r"[^a-z0-9]+", "-", base).strip("-")
    return base[:60].strip("-") or "page"


def cite_page(meta: Mapping) -> tuple[str, str]:
    """("Cite this page" text, Chicago author-date style; BibTeX ``@online`` entry).  Plain strings."""
    try:
        meta = meta or {}
        authors = _meta_authors(meta)
        title = _meta_str(meta, "title")
        site = _meta_str(meta, "site_name")
        url = _safe_url(_meta_str(meta, "url"))
        d = _meta_date(meta)
        year = f"{d[0]:04d}" if d else "n.d."
        parts = []
        lead = _and_list(authors) or site
        if lead:
            parts.append(_sentence(lead))
        parts.append(_sentence(year))
        if title:
            parts.append(f"\u201c{_sentence(title)}\u201d")
        if site and authors:
            parts.append(_sentence(site))
        if d and d[1]:
            when = f"{_MONTH_NAMES[d[1] - 1]} {d[2]}, {d[0]:04d}" if d[2] else f"{_MONTH_NAMES[d[1] - 1]} {d[0]:04d}"
            parts.append(_sentence(when))
        if url:
            parts.append(_sentence(url))
        text = " ".join(parts)

        key = f"{_slug(url)}-{year if d else 'nd'}"
        fields: list[tuple[str, str]] = []
        if authors:     # an organisation in braces, so that no reader splits it into names
            people = _meta_people(meta)
            fields.append(("author", " and ".join(
                "{" + _bibtex_text(name) + "}" if organisation or " and " in f" {name} " or "," in name
                else _bibtex_text(name) for name, organisation in people)))
        if title:
            fields.append(("title", "{" + _bibtex_text(title) + "}"))
        if site:
            fields.append(("organization", "{" + _bibtex_text(site) + "}"))
        publisher = _meta_str(meta, "publisher")
        if publisher and publisher != site:
            fields.append(("publisher", _bibtex_text(publisher)))
        if d:
            fields.append(("year", f"{d[0]:04d}"))
            fields.append(("date", _iso(d)))
        if url:
            fields.append(("url", _balance(url)))
        lang = _meta_str(meta, "language")
        if lang:
            fields.append(("langid", _bibtex_text(lang)))
        bib = f"@online{{{key}" + "".join(f",\n  {k} = {{{v}}}" for k, v in fields) + "\n}\n"
        return text, bib
    except Exception:
        return "", "@online{page-nd\n}\n"
