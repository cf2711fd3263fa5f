"""Sorting: cs:sort keys (variables and macros) and a locale-independent Unicode fold."""
from __future__ import annotations

import functools
import re
import unicodedata

from .data import DATE_VARS, NAME_VARS
from .dates import sort_key as date_sort_key
from .numbers import first_int, is_numeric
from .richtext import parse_markup, plain

_STRIP = re.compile(r"[^\w\s]", re.UNICODE)


def fold(s: str) -> str:
    """Case- and accent-insensitive comparison form."""
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = _STRIP.sub("", s).casefold()
    return " ".join(s.split())


def _name_key(nm: dict, demote: str) -> str:
    if "literal" in nm:
        return nm["literal"]
    fam = nm.get("family", "")
    ndp = nm.get("non-dropping-particle", "")
    if ndp and demote == "never":
        fam = f"{ndp} {fam}"
        parts = [fam, nm.get("given", ""), nm.get("dropping-particle", "")]
    else:
        parts = [fam, nm.get("dropping-particle", ""), ndp, nm.get("given", "")]
    parts.append(nm.get("suffix", ""))
    return " ".join(p for p in parts if p)


def _variable_value(proc, item, var):
    if var == "citation-number":
        return proc.citation_numbers.get(item.get("id"))
    v = item.get(var)
    if var == "citation-label" and not v:
        from .evaluate import trigraph
        v = trigraph(item)
    if v is None or v == "":
        return None
    if var in NAME_VARS:
        demote = proc.style.opts.get("demote-non-dropping-particle", "display-and-sort")
        return "  ".join(_name_key(n, demote) for n in v) if v else None
    if var in DATE_VARS:
        return date_sort_key(v)
    if isinstance(v, str) and is_numeric(v) and var in ("volume", "issue", "number", "edition",
                                                       "chapter-number", "page", "number-of-pages",
                                                       "number-of-volumes", "collection-number",
                                                       "page-first", "locator"):
        return first_int(v)
    return plain(parse_markup(str(v)))


def _macro_value(proc, item, key, mode):
    from .evaluate import Ctx
    ctx = Ctx(proc, item, mode, sort_names=(key.names_min, key.names_use_first, key.names_use_last))
    st = proc.disamb_for(item.get("id"))  # sort keys never include the year-suffix they decide
    ctx.disamb = type(st)(st.add_names, st.givens, st.cond, "")
    macro = proc.style.macros.get(key.macro)
    if macro is None:
        return None
    text = plain(ctx.render_children(macro)).strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    return text


class _LazyKeys:
    """An item's sort values, each computed the first time a comparison needs it: most items
    differ on the first key, so later keys (rendered macros) are rarely needed."""
    __slots__ = ("proc", "item", "keys", "mode", "values")
    _UNSET = object()

    def __init__(self, proc, item, keys, mode):
        self.proc, self.item, self.keys, self.mode = proc, item, keys, mode
        self.values = [self._UNSET] * len(keys)

    def __getitem__(self, k):
        v = self.values[k]
        if v is self._UNSET:
            v = self.values[k] = _key_value(self.proc, self.item, self.keys[k], self.mode)
        return v

    def __len__(self):
        return len(self.keys)


def _key_value(proc, item, key, mode):
    if key.variable:
        v = _variable_value(proc, item, key.variable)
    elif key.macro:
        v = _macro_value(proc, item, key, mode)
    else:
        v = None
    return (fold(v), v) if isinstance(v, str) else v


def item_keys(proc, item, keys, mode="sort", cache=None):
    """The item's sort values for ``keys`` (computed lazily, see ``_LazyKeys``)."""
    if cache is not None:
        hit = cache.get((mode, item.get("id")))
        if hit is not None:
            return hit
    out = _LazyKeys(proc, item, keys, mode)
    if cache is not None:
        cache[(mode, item.get("id"))] = out
    return out


def _cmp_values(a, b) -> int:
    if isinstance(a, int) and isinstance(b, int):
        return (a > b) - (a < b)
    if isinstance(a, int):
        a = (str(a), str(a))
    if isinstance(b, int):
        b = (str(b), str(b))
    return (a > b) - (a < b)


def sort_entries(entries: list, keys) -> list:
    """Stable sort of (sort_values, payload) pairs; empty values last in either direction."""
    def cmp(x, y):
        for k, key in enumerate(keys):
            a, b = x[0][k], y[0][k]
            if a is None and b is None:
                continue
            if a is None:
                return 1
            if b is None:
                return -1
            c = _cmp_values(a, b)
            if c:
                return -c if key.descending else c
        return 0
    return sorted(entries, key=functools.cmp_to_key(cmp))
