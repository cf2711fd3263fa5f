"""Numbers: is-numeric rules, ordinals, roman numerals, page-range formats."""
from __future__ import annotations

import re

_NUM_RE = re.compile(r"^\s*[A-Za-z]{0,3}\d+[A-Za-z]{0,3}(?:\s*(?:[-\u2013,&]|and)\s*[A-Za-z]{0,3}\d+[A-Za-z]{0,3})*\s*$")
_SPLIT_RE = re.compile(r"(\s*(?:--|[-\u2013,&])\s*|\s+and\s+)")


def is_numeric(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return bool(value) and bool(_NUM_RE.match(str(value)))


def first_int(value) -> int | None:
    m = re.search(r"\d+", str(value))
    return int(m.group()) if m else None


_TOKEN_SEP = re.compile(r"\s*(?:,\s*(?:and\b|et\b|&)?|&|\band\b|\bet\b|--|[-\u2013])\s*")
_NUMLIKE = re.compile(r"[A-Za-z]{0,3}\d+[A-Za-z]{0,3}|[ivxlcdm]+|[IVXLCDM]+")


def is_plural(value) -> bool:
    """Contextual plural: more than one number (``12-14``, ``1, 3``, ``2 & 3``, ``i-ix``)."""
    s = str(value).replace("\\-", "\u00ad")
    tokens = [t for t in _TOKEN_SEP.split(s.strip()) if t]
    return len(tokens) > 1 and all(_NUMLIKE.fullmatch(t) for t in tokens)


def roman(n: int) -> str:
    if n <= 0 or n >= 4000:
        return str(n)
    vals = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
            (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    out = []
    for v, s in vals:
        while n >= v:
            out.append(s)
            n -= v
    return "".join(out)


def split_numbers(value: str) -> list[str]:
    """Split a numeric value into numbers and separators (separators at odd indices)."""
    return _SPLIT_RE.split(str(value).strip())


def normalize_separator(sep: str, dash: str = "\u2013") -> str:
    s = sep.strip()
    if s in ("-", "\u2013", "--"):
        return dash
    if s == ",":
        return ", "
    if s == "&":
        return " & "
    if s == "and":
        return " and "
    return sep


# ---------------------------------------------------------------------------------------------
# Page ranges
_RANGE_RE = re.compile(r"^\s*(\d*[A-Za-z]+)?(\d+)\s*(?:--|-|\u2013)\s*(\d*[A-Za-z]+)?(\d+)\s*$")
_ROMAN_RANGE = re.compile(r"^\s*([ivxlcdm]+|[IVXLCDM]+)\s*(?:--|-|\u2013)\s*([ivxlcdm]+|[IVXLCDM]+)\s*$")


def _minimal(a: str, b: str, min_digits: int) -> str:
    if len(a) != len(b):
        return b
    k = 0
    while k < len(a) and a[k] == b[k]:
        k += 1
    keep = max(len(b) - k, min_digits)
    return b[-keep:] if keep < len(b) else b


def _chicago(a: str, b: str, fifteen: bool) -> str:
    ia = int(a)
    if ia < 100 or ia % 100 == 0 or len(a) != len(b):
        return b
    if ia % 100 < 10:
        return _minimal(a, b, 1)
    if fifteen and len(a) == 4:
        changed = _minimal(a, b, 1)
        if len(changed) >= 3:
            return b
    return _minimal(a, b, 2)


def format_range(first: str, last: str, fmt: str | None) -> str:
    if len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    if not fmt or fmt == "expanded" or int(last) <= int(first):
        return last
    if fmt == "minimal":
        return _minimal(first, last, 1)
    if fmt == "minimal-two":
        return _minimal(first, last, 2)
    if fmt in ("chicago", "chicago-15"):
        return _chicago(first, last, True)
    if fmt == "chicago-16":
        return _chicago(first, last, False)
    return last


def _one_range(part: str, fmt: str | None, delimiter: str) -> str:
    m = _RANGE_RE.match(part)
    if m:
        p1, a, p2, b = m.groups()
        if (p1 or "") != (p2 or ""):
            return re.sub(r"\s*(?:--|-|\u2013)\s*", "-", part.strip())
        p1 = p1 or ""
        if not fmt:
            return f"{p1}{a}{delimiter}{p1}{b}"
        second = format_range(a, b, fmt)
        if fmt == "expanded":
            return f"{p1}{a}{delimiter}{p1}{second}"
        return f"{p1}{a}{delimiter}{second}"
    m = _ROMAN_RANGE.match(part)
    if m:
        return f"{m.group(1)}{delimiter}{m.group(2)}"
    return part


def page_range(value: str, fmt: str | None, delimiter: str = "\u2013") -> str:
    """Format each range in a page value (``321-28, 40-2``) with the page-range-format."""
    value = str(value)
    if "\\-" in value:
        return value.replace("\\-", "-")
    out = []
    for k, part in enumerate(re.split(r"(\s*[,&]\s*)", value)):
        out.append(part if k % 2 else _one_range(part, fmt, delimiter))
    return "".join(out)
