"""CSL-JSON input: normalise items, names (particles) and dates; record warnings, never raise."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

NAME_VARS = frozenset(
    "author editor translator collection-editor composer container-author director "
    "editorial-director interviewer illustrator original-author recipient reviewed-author "
    "chair compiler contributor curator executive-producer guest host narrator organizer "
    "performer producer script-writer series-creator editortranslator".split())
DATE_VARS = frozenset("accessed available-date event-date issued original-date submitted".split())
NUMBER_VARS = frozenset(
    "chapter-number citation-number collection-number edition first-reference-note-number "
    "issue locator number number-of-pages number-of-volumes page page-first part-number "
    "printing-number section supplement-number volume citation-label".split())

_ALIASES = {"shortTitle": "title-short", "journalAbbreviation": "container-title-short",
            "container-title-short": "container-title-short"}


@dataclass(frozen=True)
class DateVal:
    """A parsed date: one or two (year, month, day) tuples (0 = missing; month 13-16 seasons)."""
    parts: tuple
    season: str | int | None = None
    circa: bool = False
    literal: str | None = None
    open_range: bool = False


def _nfc(s: str) -> str:
    """Composed Unicode (an NFD "Ö" would not initialize or sort as one letter)."""
    return s if s.isascii() else unicodedata.normalize("NFC", s)


def _int(v) -> int:
    try:
        return int(str(v).strip())
    except (TypeError, ValueError):
        return 0


_RAW_RE = re.compile(r"^\s*(-?\d{1,4})(?:[-/.](\d{1,2}))?(?:[-/.](\d{1,2}))?\s*$")
_MONTHS = {m: i + 1 for i, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split())}


def _parse_raw_one(s: str):
    m = _RAW_RE.match(s)
    if m:
        return (_int(m.group(1)), _int(m.group(2)), _int(m.group(3)))
    toks = re.findall(r"[A-Za-z]+|\d+", s)
    y = mo = d = 0
    for t in toks:
        if t.isdigit():
            if len(t) >= 3 or (y == 0 and d != 0):
                y = int(t)
            elif d == 0 and int(t) <= 31:
                d = int(t)
            else:
                y = int(t)
        elif t[:3].lower() in _MONTHS:
            mo = _MONTHS[t[:3].lower()]
    if y == 0:
        return None
    return (y, mo, d)


def parse_date(value, warnings: list | None = None, where: str = "") -> DateVal | None:
    """Parse a CSL-JSON date (dict with date-parts/raw/literal, or a string)."""
    if value is None or value == "" or value == {}:
        return None
    if isinstance(value, (str, int)):
        value = {"raw": str(value)}
    if not isinstance(value, dict):
        _warn(warnings, f"{where}: invalid date {value!r}")
        return None
    season = value.get("season")
    circa = bool(value.get("circa"))
    if value.get("literal"):
        return DateVal((), season, circa, str(value["literal"]))
    dps = value.get("date-parts")
    parts = []
    open_range = False
    if isinstance(dps, list) and dps:
        if len(dps) > 1 and isinstance(dps[1], list) and not any(_int(x) for x in dps[1]):
            open_range = True
        for dp in dps[:2]:
            if isinstance(dp, list) and dp:
                t = tuple((_int(x) for x in (list(dp) + [0, 0])[:3]))
                if t[0] != 0 or any(t[1:]):
                    parts.append(t)
    elif value.get("raw"):
        raw = str(value["raw"])
        for piece in re.split(r"\s*/\s*|\s+-\s+|(?<=\d)--?(?=\d{4})", raw)[:2]:
            p = _parse_raw_one(piece)
            if p:
                parts.append(p)
        if not parts:
            return DateVal((), season, circa, raw)
    if not parts:
        if season:
            return DateVal(((0, 0, 0),), season, circa)
        _warn(warnings, f"{where}: invalid date {value!r}")
        return None
    return DateVal(tuple(parts), season, circa, None, open_range)


def _warn(warnings, msg):
    if warnings is not None:
        warnings.append(msg)


_NDP_RE = re.compile(r"^((?:(?:['\u2019]?[a-z\u00e0-\u00ff][\w\u00e0-\u00ff.]*[ \u00a0])|(?:[a-z]+['\u2019\-]))+)(.+)$")
_DP_RE = re.compile(r"^(.+?)[ \u00a0]((?:[a-z\u00e0-\u00ff][\w\u00e0-\u00ff'\u2019]*[ \u00a0]?)+)$")


def normalize_name(n) -> dict:
    if isinstance(n, str):
        return {"literal": _nfc(n)}
    if not isinstance(n, dict):
        return {"literal": str(n)}
    n = {k: v for k, v in n.items() if v not in (None, "")}
    for k in ("family", "given", "literal", "suffix", "dropping-particle", "non-dropping-particle"):
        if k in n:
            n[k] = _nfc(str(n[k]))
    if "literal" in n:
        return n
    fam = n.get("family", "")
    if fam.startswith('"') and fam.endswith('"') and len(fam) > 1:
        n["family"] = fam[1:-1]
        return n
    if n.get("parse-names") in (False, "false"):
        return n
    if fam and "non-dropping-particle" not in n:
        m = _NDP_RE.match(fam)
        if m and not m.group(2)[:1].islower():
            part = m.group(1).rstrip()
            spaced = m.group(1) != part or m.group(2)[:1].isspace()
            n["non-dropping-particle"] = part + " " if part[-1] in "'\u2019" and spaced else part
            n["family"] = m.group(2).strip()
    given = n.get("given", "")
    if given and "dropping-particle" not in n and "," not in given:
        m = _DP_RE.match(given)
        if m:
            n["given"] = m.group(1)
            n["dropping-particle"] = m.group(2).strip()
    m = re.match(r"^(.*?),\s*(!?)\s*(\S.*)$", n.get("given", "")) if "suffix" not in n else None
    if m:
        n["given"], n["suffix"] = m.group(1), m.group(3)
        if m.group(2):
            n["comma-suffix"] = True
    return n


_NOTE_FIELD = re.compile(r"^\s*\{?:?([a-zA-Z][\w-]*):\s*(.+?)\}?\s*$")


def _note_fields(raw: dict) -> dict:
    """Variables given in the ``note`` field as ``key: value`` lines (citeproc-js convention)."""
    note = raw.get("note")
    if not isinstance(note, str) or ":" not in note:
        return raw
    extra = {}
    for line in note.split("\n"):
        m = _NOTE_FIELD.match(line)
        if not m:
            continue
        k, v = m.group(1), m.group(2)
        if k in raw or k in extra:
            continue
        if k in NAME_VARS:
            fam, _, given = v.partition("||")
            extra.setdefault(k, []).append({"family": fam.strip(), "given": given.strip()})
        elif k in DATE_VARS:
            extra[k] = {"raw": v}
        elif k in ("type", "language") or "-" in k or k.islower():
            extra[k] = v
    return {**extra, **raw} if extra else raw


def normalize_item(raw: dict, warnings: list | None = None) -> dict:
    """A copy of a CSL-JSON item with canonical keys, parsed names and dates; values of the
    wrong shape are dropped with a warning."""
    raw = _note_fields(raw)
    iid = raw.get("id")
    item = {}
    for k, v in raw.items():
        k = _ALIASES.get(k, k)
        if v is None or (v == "" and k != "type") or v == [] or k == "id":
            continue        # an empty type stays empty (Pandoc gives @misc no type): no type= test matches
        if k in NAME_VARS:
            if isinstance(v, list):
                item[k] = [normalize_name(x) for x in v]
            else:
                _warn(warnings, f"{iid}: {k}: names should be a list")
        elif k in DATE_VARS:
            d = parse_date(v, warnings, f"{iid}: {k}")
            if d is not None:
                item[k] = d
        elif isinstance(v, bool) or isinstance(v, (list, dict)):
            _warn(warnings, f"{iid}: {k}: unexpected value {v!r:.40}")
        elif isinstance(v, (int, float)):
            item[k] = str(v)
        else:
            item[k] = _nfc(str(v))
    if not isinstance(item.get("type"), str):
        item["type"] = "article"
    if iid is not None:
        item["id"] = iid
    return item
