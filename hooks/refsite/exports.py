"""Reference-manager exports: BibTeX, CSL-JSON, RIS, COinS, page metadata and "Cite this page".

Pure module (no MkDocs). BibTeX is written from the source entry as written (pybtex ``Entry``);
CSL-JSON, RIS and COinS from the item model's CSL-JSON item of each entry (``items.ItemModel``
with ``as_written=True``: titles in their own case), so that every format says what the
formatted references say.

Rules shared by every format:

* fields whose name starts with ``x-`` (any case) are never exported (the item model does not
  map them; the BibTeX writer leaves them out);
* only ``http``/``https`` URLs (and well-formed DOIs) ever reach a URL-typed output field
  (CSL ``URL``, RIS ``UR``, COinS ``rft_id``, page metadata ``DC.identifier``);
* organisations (BibTeX names in braces) are single-field names everywhere;
* every function returns plain strings/data: HTML escaping is the caller's job;
* no function raises on any input: an unexpected failure degrades to a minimal record.
"""

from __future__ import annotations

import calendar
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from urllib.parse import quote_plus, unquote, urlencode, urlsplit

from pybtex.database import Person

from .items import latex_inlines, person_name, stringify

__all__ = [
    "bibtex_entry",
    "bibtex_file",
    "cite_page_bibtex",
    "coins_title",
    "csl_json",
    "csl_json_item",
    "index_entry",
    "page_item",
    "page_meta_tags",
    "ris_file",
    "ris_record",
]

# --------------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------------


_WS_RE = re.compile(r"\s+")
# the delimiters of refsite's own tokens (``tokens``): never part of an exported value
_PRIVATE = frozenset("\ue000\ue001\ue002\ue003\ue004")


def _clean(s: str) -> str:
    """Collapse whitespace; drop control characters and lone surrogates."""
    if s.isprintable():     # no control, format, private-use, unassigned or odd space characters
        return _WS_RE.sub(" ", s).strip() if "  " in s else s.strip()
    out = []
    for ch in s:
        cat = unicodedata.category(ch)
        if ch in "\t\n\r\u2028\u2029\xa0" or cat == "Zs":
            out.append(" ")
        elif cat in ("Cc", "Cs", "Cn") or ch in _PRIVATE or ch == "\xad":
            continue
        else:
            out.append(ch)
    return _WS_RE.sub(" ", "".join(out)).strip()


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
    s = str(raw or "").strip()
    if "\\" in s:                 # 10.1000/a\_b: read as LaTeX, as every other field
        try:
            s = stringify(latex_inlines(s))
        except Exception:
            return ""
    s = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", s.strip(), flags=re.I)
    try:
        s = unquote(s)
    except Exception:
        return ""
    return s if _DOI_RE.fullmatch(s) else ""


def _pages(text: str) -> tuple[str, str, str]:
    """(pages "45-67", first, last) from a page range in plain text."""
    s = re.sub(r"\s*[-\u2010-\u2015\u2212]+\s*", "-", text)
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
# the item model's CSL-JSON item, as plain text fields (for RIS and COinS)
# --------------------------------------------------------------------------------------------------

# The markup of CSL-JSON rich text (what Pandoc's writer and citeproc-js use; items.render).
_MARKUP_RE = re.compile(r'</?(?:i|b|u|sup|sub)>|<span (?:style="[a-z-]+:[a-z-]+;"|class="nocase")>|</span>')
_NAME_ROLES = ("author", "editor", "translator", "container-author", "director")


def _plain(value: object) -> str:
    """A CSL-JSON value as plain text: its rich-text markup dropped (only tags that open and close
    as pairs; a lone "</span>" in a title is text), whitespace collapsed."""
    if value is None or isinstance(value, (dict, list)):
        return ""
    text = str(value)
    if "<" not in text:
        return _clean(text)
    pieces = _MARKUP_RE.split(text)
    tags = _MARKUP_RE.findall(text)
    keep = [True] * len(tags)
    opened: list[tuple[str, int]] = []
    for n, tag in enumerate(tags):
        name = re.match(r"</?(\w+)", tag).group(1)
        if not tag.startswith("</"):
            opened.append((name, n))
        elif opened and opened[-1][0] == name:
            keep[opened.pop()[1]] = keep[n] = False
    out = [pieces[0]]
    for n, tag in enumerate(tags):
        out += [tag if keep[n] else "", pieces[n + 1]]
    return _clean("".join(out))


def _is_others(name: Mapping) -> bool:
    """BibTeX's "and others" (et al.), which the item model keeps as the literal name "others"."""
    return set(name) == {"literal"} and str(name["literal"]).strip().lower() == "others"


def _name(name: object) -> dict | None:
    """A CSL name with plain-text parts; particles stay separate keys."""
    if not isinstance(name, Mapping):
        return None
    out = {k: _plain(name.get(k)) for k in ("family", "given", "dropping-particle",
                                             "non-dropping-particle", "suffix", "literal")}
    out = {k: v for k, v in out.items() if v}
    if "family" not in out and "literal" not in out:
        rest = " ".join(out.pop(k) for k in ("given", "dropping-particle", "non-dropping-particle", "suffix")
                        if k in out)
        return {"literal": rest} if rest else None
    return out


def _date_parts(value: object) -> tuple[tuple[int, int | None, int | None] | None, str]:
    """A CSL date → ((year, month, day) of its start, or None; literal text)."""
    if not isinstance(value, Mapping):
        return None, ""
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        nums = []
        for x in parts[0][:3]:
            try:
                nums.append(int(x))
            except (TypeError, ValueError):
                break
        if nums:
            y = nums[0]
            m = nums[1] if len(nums) > 1 and 1 <= nums[1] <= 12 else None
            d = nums[2] if m and len(nums) > 2 and 1 <= nums[2] <= calendar.monthrange(y or 1, m)[1] else None
            return (y, m, d), ""
    return None, _plain(value.get("literal") or value.get("raw"))


def _record(item: Mapping) -> dict:
    """The plain-text record RIS and COinS are written from."""
    def get(name: str) -> str:
        return _plain(item.get(name))

    r: dict = {"key": _plain(item.get("id")) or "entry", "type": str(item.get("type") or "") or "document"}
    for dst, src in (("title", "title"), ("container", "container-title"),
                     ("short_container", "container-title-short"), ("series", "collection-title"),
                     ("collection_number", "collection-number"), ("event", "event"),
                     ("volume", "volume"), ("issue", "issue"), ("number", "number"),
                     ("chapter", "chapter-number"), ("pagetotal", "number-of-pages"),
                     ("edition", "edition"), ("publisher", "publisher"), ("place", "publisher-place"),
                     ("genre", "genre"), ("isbn", "ISBN"), ("issn", "ISSN"), ("language", "language"),
                     ("abstract", "abstract"), ("note", "note")):
        r[dst] = get(src)
    for role, src in (("authors", "author"), ("editors", "editor"), ("translators", "translator")):
        names = item.get(src)
        r[role] = [n for n in map(_name, names if isinstance(names, list) else []) if n]
    r["date"], r["date_literal"] = _date_parts(item.get("issued"))
    r["accessed"] = _date_parts(item.get("accessed"))[0]
    r["pages"], r["spage"], r["epage"] = _pages(get("page"))
    r["doi"] = _doi(item.get("DOI"))
    r["url"] = _safe_url(item.get("URL"))
    r["keywords"] = [k for k in (x.strip() for x in re.split(r"[,;]", get("keyword"))) if k]
    return r


def _family(n: Mapping) -> str:
    """The family name with its particles ("van den Berg")."""
    return " ".join(x for x in (n.get("dropping-particle", ""), n.get("non-dropping-particle", ""),
                                n.get("family", "")) if x)


def index_entry(item: Mapping) -> tuple[list[str], str, str]:
    """What an index of works lists for an item: its names ("Family, Given"; organisations whole;
    the editors when it has no author, its publisher when it has neither; never "and others"), its
    year ("n.d." without one) and its title, as plain text."""
    r = _record(item)
    names = [_name_inverted(n) for n in (r["authors"] or r["editors"]) if not _is_others(n)]
    if not names and r["publisher"]:
        names = [r["publisher"]]
    year = re.search(r"\d{4}", r["date_literal"]) if not r["date"] else None
    return names, f"{r['date'][0]:04d}" if r["date"] else year.group(0) if year else "n.d.", r["title"]


def _name_inverted(n: dict) -> str:
    """"van Gogh, Vincent" / "Smith, John, Jr." / "World Bank"."""
    if "literal" in n:
        return n["literal"]
    fam = _family(n)
    if n.get("suffix"):
        return f"{fam}, {n.get('given', '')}, {n['suffix']}"
    return f"{fam}, {n['given']}" if n.get("given") else fam





# --------------------------------------------------------------------------------------------------
# dates
# --------------------------------------------------------------------------------------------------


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


def _iso(d: tuple[int, int | None, int | None], sep: str = "-") -> str:
    y, m, dd = d
    s = f"{y:04d}"
    if m:
        s += f"{sep}{m:02d}"
        if dd:
            s += f"{sep}{dd:02d}"
    return s





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


def _particle_in_family(name: dict) -> dict:
    """A name for the CSL-JSON file: particles join the family name ("van den Berg"), which every
    reader keeps (Zotero's CSL-JSON import drops the separate fields; citeproc-js and Pandoc split
    them again when they sort)."""
    if not isinstance(name, Mapping):
        return {}
    name = dict(name)
    family = _family(name)
    name.pop("dropping-particle", None)
    name.pop("non-dropping-particle", None)
    if family and name.get("family"):
        name["family"] = family
    return name


def csl_json_item(item: Mapping) -> dict:
    """The item model's CSL-JSON item as exported: an empty type becomes "document" (BibTeX @misc),
    only http(s) URLs and well-formed DOIs are kept, particles join family names and a date with
    nothing in it is left out."""
    out: dict = {}
    try:
        for name, value in item.items():
            if name == "type":
                value = value or "document"
            elif name == "URL":
                value = _safe_url(value)
            elif name == "DOI":
                value = _doi(value)
            elif name in _NAME_ROLES and isinstance(value, list):
                value = [_particle_in_family(n) for n in value]
            elif isinstance(value, Mapping) and "date-parts" in value and not value["date-parts"]:
                value = None
            elif isinstance(value, str):
                value = _utf8(value)
            if value not in (None, "", []):
                out[name] = value
    except Exception:
        return {"id": _utf8(str(item.get("id", ""))) if isinstance(item, Mapping) else "", "type": "document"}
    out.setdefault("type", "document")
    return out


def csl_item_text(item: Mapping) -> str:
    """One item as it reads inside the array (indented one level)."""
    return "  " + json.dumps(csl_json_item(item), ensure_ascii=False, indent=2).replace("\n", "\n  ")


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


def csl_json(items: Iterable[Mapping]) -> str:
    """A JSON array of the exported items in the order given (UTF-8 text, 2-space indent): the
    same text as ``json.dumps(items, ensure_ascii=False, indent=2)``, put together from per-item
    texts."""
    return csl_join(csl_item_text(item) for item in items)


# --------------------------------------------------------------------------------------------------
# RIS
# --------------------------------------------------------------------------------------------------


# CSL type -> RIS type, as Zotero's RIS translator reads them back (the judge here): a document
# (BibTeX @misc) is AGGR, which Zotero imports as a document (GEN would be a journal article).
_RIS_TYPES = {
    "article-journal": "JOUR", "article": "JOUR", "article-magazine": "MGZN",
    "article-newspaper": "NEWS", "book": "BOOK", "chapter": "CHAP", "entry": "ENCYC",
    "entry-encyclopedia": "ENCYC", "entry-dictionary": "DICT", "paper-conference": "CPAPER",
    "thesis": "THES", "report": "RPRT", "document": "AGGR", "webpage": "ELEC",
    "post-weblog": "BLOG", "post": "ELEC", "manuscript": "UNPB", "patent": "PAT",
    "periodical": "JFULL", "dataset": "DATA", "software": "COMP", "standard": "STAND",
    "personal_communication": "PCOMM", "graphic": "ART", "song": "SOUND",
    "motion_picture": "MPCT", "broadcast": "VIDEO", "legislation": "STAT", "bill": "BILL",
    "legal_case": "CASE", "treaty": "STAT", "map": "MAP", "pamphlet": "PAMP", "speech": "AGGR",
    "interview": "AGGR", "review": "JOUR", "review-book": "JOUR", "figure": "FIGURE",
}  # fmt: skip


def _ris_from_record(r: dict) -> str:
    ty = _RIS_TYPES.get(r["type"], "AGGR")
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


def ris_record(item: Mapping) -> str:
    """One RIS record ("TY  - …" … "ER  - " plus a blank line), LF line ends, from the item
    model's CSL-JSON item (BibTeX's "and others" is written as the author "others", as Zotero
    imports it from BibTeX)."""
    try:
        return _ris_from_record(_record(item))
    except Exception:
        return f"TY  - AGGR\nID  - {_plain(item.get('id')) if isinstance(item, Mapping) else ''}\nER  - \n\n"


def ris_file(items: Iterable[Mapping]) -> str:
    return ris_join(ris_record(item) for item in items)


def ris_pieces(records: Iterable[str]) -> Iterator[str]:
    """The .ris file made of ``ris_record`` texts, in pieces."""
    yield from records


def ris_join(records: Iterable[str]) -> str:
    return "".join(ris_pieces(records))


# --------------------------------------------------------------------------------------------------
# COinS (OpenURL 1.0 KEV ContextObject)
# --------------------------------------------------------------------------------------------------

_JOURNAL = {"article-journal", "article", "article-magazine", "article-newspaper", "review",
            "review-book"}  # fmt: skip
_BOOKITEM = {"chapter", "entry", "entry-encyclopedia", "entry-dictionary"}
_BOOKS = {"book", "pamphlet", "periodical"}


def _coins_from_record(r: dict) -> str:
    t = r["type"]
    pairs: list[tuple[str, str]] = [("ctx_ver", "Z39.88-2004")]
    title = r.get("title", "")
    if t in _JOURNAL:
        pairs.append(("rft_val_fmt", "info:ofi/fmt:kev:mtx:journal"))
        ids_at = len(pairs)
        pairs += [("rft.genre", "article"), ("rft.atitle", title), ("rft.jtitle", r.get("container", "")),
                  ("rft.stitle", r.get("short_container", ""))]  # fmt: skip
    else:
        pairs.append(("rft_val_fmt", "info:ofi/fmt:kev:mtx:book"))
        ids_at = len(pairs)
        if t in _BOOKITEM:
            pairs += [("rft.genre", "bookitem"), ("rft.atitle", title), ("rft.btitle", r.get("container", ""))]
        elif t == "paper-conference":
            pairs += [("rft.genre", "proceeding"), ("rft.atitle", title),
                      ("rft.btitle", r.get("container", ""))]  # fmt: skip
        elif t in _BOOKS:
            pairs += [("rft.genre", "book"), ("rft.btitle", title)]
        elif t == "report":
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
    # every other person as au ("Family, Given"), every organisation as aucorp (one field); "and
    # others" is no creator.
    for n, name in enumerate(x for x in r.get("authors", []) if not _is_others(x)):
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
    if t not in _JOURNAL:
        pairs += [("rft.pub", r.get("publisher", "")), ("rft.place", r.get("place", ""))]
    pairs += [("rft.isbn", r.get("isbn", "")), ("rft.issn", r.get("issn", ""))]
    pairs = [(k, _clean(str(v))) for k, v in pairs]
    return urlencode([(k, v) for k, v in pairs if v], quote_via=quote_plus)


def coins_title(item: Mapping) -> str:
    """The (un-escaped) ``title`` attribute of a ``<span class="Z3988">``, from the item model's
    CSL-JSON item."""
    try:
        return _coins_from_record(_record(item))
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


def _person(name: str) -> dict:
    """A person's name as written ("Ada Lovelace", "Lovelace, Ada") as a CSL name, read the way
    BibTeX reads a name (pybtex); a name pybtex cannot read stays one field."""
    try:
        name_dict = person_name(Person(name), {})
    except Exception:
        return {"literal": name}
    return name_dict or {"literal": name}


def page_item(meta: Mapping, key: str = "page") -> dict:
    """The CSL-JSON item of a page, for "Cite this page" in the site's style: a web page of the
    site with its authors (organisations, written in braces, as one-field names; when none is
    given, the site itself), title, date and URL. Never raises."""
    item: dict = {"id": key, "type": "webpage"}
    try:
        meta = meta or {}
        site = _meta_str(meta, "site_name")
        title = _meta_str(meta, "title")
        if title:
            item["title"] = title
        authors = [{"literal": name} if organisation else _person(name)
                   for name, organisation in _meta_people(meta)]
        if authors:
            item["author"] = authors
            if site:
                item["container-title"] = site
        elif site:
            item["author"] = [{"literal": site}]
        publisher = _meta_str(meta, "publisher")
        if publisher and publisher != site:
            item["publisher"] = publisher
        d = _meta_date(meta)
        if d:
            item["issued"] = {"date-parts": [[x for x in d if x]]}
        url = _safe_url(_meta_str(meta, "url"))
        if url:
            item["URL"] = url
        language = _meta_str(meta, "language")
        if language:
            item["language"] = language
    except Exception:
        pass
    return item


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


def cite_page_bibtex(meta: Mapping) -> str:
    """"Cite this page" as a BibTeX ``@online`` entry (plain text)."""
    try:
        meta = meta or {}
        authors = _meta_authors(meta)
        title = _meta_str(meta, "title")
        site = _meta_str(meta, "site_name")
        url = _safe_url(_meta_str(meta, "url"))
        d = _meta_date(meta)
        key = f"{_slug(url)}-{f'{d[0]:04d}' if d else 'nd'}"
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
        return f"@online{{{key}" + "".join(f",\n  {k} = {{{v}}}" for k, v in fields) + "\n}\n"
    except Exception:
        return "@online{page-nd\n}\n"
