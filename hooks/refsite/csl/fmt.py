"""Applying an element's formatting, affixes, quotes, text-case and display to its output."""
from __future__ import annotations

from .casing import apply_case
from .richtext import F, FMT_KIND


def join(outputs, delim: str) -> list:
    """Concatenate non-empty outputs with ``delim`` between them."""
    res = []
    first = True
    for o in outputs:
        if not o:
            continue
        if not first and delim:
            res.append(delim)
        res.extend(o)
        first = False
    return res


def strip_periods(s: str) -> str:
    return s.replace(".", "")


def decorate(node, parts: list, lang: str = "en", affixes: bool = True,
             affixes_inside: bool = False) -> list:
    """Wrap ``parts`` with the node's text-case, quotes, formatting, affixes and display."""
    if not parts:
        return []
    if node.bare:
        return parts
    if affixes_inside and (node.prefix or node.suffix):
        parts = ([node.prefix] if node.prefix else []) + parts + ([node.suffix] if node.suffix else [])
        affixes = False
    if node.text_case:
        apply_case(parts, node.text_case, lang)
    if node.quotes:
        parts = [F("q", parts)]
    for k, v in node.fmt:
        kind = FMT_KIND.get((k, v))
        if kind:
            parts = [F(kind, parts)]
    if affixes and (node.prefix or node.suffix):
        parts = ([node.prefix] if node.prefix else []) + parts + ([node.suffix] if node.suffix else [])
    if node.display:
        parts = [F("div", parts, node.display)]
    return parts
