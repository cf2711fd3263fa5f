"""Style compilation: CSL XML -> immutable :class:`Node` trees, macros, name options, sort keys.

Parsing happens once per style file; evaluation (``evaluate.py``) only reads these objects.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from types import MappingProxyType

from .xmlutil import local

FORMAT_ATTRS = ("font-style", "font-variant", "font-weight", "text-decoration", "vertical-align")

#: attributes inheritable from style/citation/bibliography down to cs:names and cs:name
NAME_OPTIONS = (
    "and", "delimiter-precedes-et-al", "delimiter-precedes-last", "et-al-min", "et-al-use-first",
    "et-al-subsequent-min", "et-al-subsequent-use-first", "et-al-use-last", "initialize",
    "initialize-with", "name-as-sort-order", "sort-separator", "name-form", "name-delimiter",
    "names-delimiter", "demote-non-dropping-particle", "initialize-with-hyphen",
)

_EMPTY = MappingProxyType({})


class Node:
    """One compiled rendering element (read-only after compilation)."""
    __slots__ = ("tag", "a", "children", "fmt", "prefix", "suffix", "delim", "quotes",
                 "text_case", "strip_periods", "display", "conds", "match", "vars", "bare", "test",
                 "fn", "ref")

    def __init__(self, el: ET.Element):
        a = dict(el.attrib)
        self.tag = local(el.tag)
        self.a = MappingProxyType(a) if a else _EMPTY
        self.children = tuple(compile_node(c) for c in el if local(c.tag))
        self.fmt = tuple((k, a[k]) for k in FORMAT_ATTRS if k in a)
        self.prefix = a.get("prefix", "")
        self.suffix = a.get("suffix", "")
        self.delim = a.get("delimiter", "")
        self.quotes = a.get("quotes") == "true"
        self.text_case = a.get("text-case")
        self.strip_periods = a.get("strip-periods") == "true"
        self.display = a.get("display")
        self.conds = ()
        self.match = a.get("match", "all")
        self.vars = tuple(a.get("variable", "").split())
        self.bare = not (self.fmt or self.prefix or self.suffix or self.quotes or self.text_case
                         or self.display)
        self.test = None  # compiled condition, set by evaluate on first use
        self.fn = None    # the node's render function, set by evaluate.prepare
        self.ref = None   # a text node's macro
        if self.tag in ("if", "else-if"):
            self.conds = tuple((k, tuple(v.split())) for k, v in a.items()
                               if k in ("type", "variable", "is-numeric", "is-uncertain-date",
                                        "locator", "position", "disambiguate"))

    def __repr__(self):
        return f"<Node {self.tag} {dict(self.a)}>"


def compile_node(el: ET.Element) -> Node:
    return Node(el)


@dataclass(frozen=True)
class SortKey:
    variable: str | None
    macro: str | None
    descending: bool
    names_min: int | None
    names_use_first: int | None
    names_use_last: bool | None


@dataclass(frozen=True)
class Context:
    """cs:citation or cs:bibliography: layout, sort keys and options."""
    layout: Node | None
    sort: tuple = ()
    opts: MappingProxyType = field(default_factory=lambda: _EMPTY)
    name_opts: MappingProxyType = field(default_factory=lambda: _EMPTY)


@dataclass(frozen=True)
class Style:
    """A compiled independent style."""
    path: str
    cls: str
    default_locale: str | None
    opts: MappingProxyType
    macros: MappingProxyType
    citation: Context
    bibliography: Context | None
    locales: tuple
    title: str
    style_id: str
    uses_year_suffix: bool
    page_range_format: str | None
    is_numeric: bool = False          # citations render a citation number
    sort_uses_number: bool = False    # the bibliography sort depends on citation numbers

    @property
    def is_note(self) -> bool:
        return self.cls == "note"



def _calls(node: Node | None, macros, var: str, seen: set) -> bool:
    if node is None:
        return False
    if var in node.vars:
        return True
    m = node.a.get("macro")
    if m and m not in seen and node.tag == "text":
        seen.add(m)
        if _calls(macros.get(m), macros, var, seen):
            return True
    return any(_calls(c, macros, var, seen) for c in node.children)


def _sort_calls(bib, macros, var) -> bool:
    if bib is None:
        return False
    return any(k.variable == var or (k.macro and _calls(macros.get(k.macro), macros, var, set()))
               for k in bib.sort)


def _sort_keys(el: ET.Element | None) -> tuple:
    if el is None:
        return ()
    keys = []
    for k in el:
        if local(k.tag) != "key":
            continue
        def iv(name):
            v = k.get(name)
            return int(v) if v and v.isdigit() else None
        ul = k.get("names-use-last")
        keys.append(SortKey(k.get("variable"), k.get("macro"), k.get("sort") == "descending",
                            iv("names-min"), iv("names-use-first"),
                            None if ul is None else ul == "true"))
    return tuple(keys)


def _context(el: ET.Element | None, style_opts: dict) -> Context | None:
    if el is None:
        return None
    layout = sort = None
    for c in el:
        t = local(c.tag)
        if t == "layout":
            layout = Node(c)
        elif t == "sort":
            sort = c
    opts = dict(el.attrib)
    name_opts = {k: v for k, v in style_opts.items() if k in NAME_OPTIONS}
    name_opts.update({k: v for k, v in opts.items() if k in NAME_OPTIONS})
    return Context(layout, _sort_keys(sort), MappingProxyType(opts), MappingProxyType(name_opts))


def compile_style(root: ET.Element, path: str = "<string>") -> Style:
    """Compile a parsed ``<style>`` element."""
    opts = dict(root.attrib)
    macros, locales = {}, []
    citation = bibliography = None
    title = style_id = ""
    for c in root:
        t = local(c.tag)
        if t == "macro":
            macros[c.get("name")] = Node(c)
        elif t == "locale":
            locales.append(c)
        elif t == "citation":
            citation = c
        elif t == "bibliography":
            bibliography = c
        elif t == "info":
            for i in c:
                if local(i.tag) == "title":
                    title = i.text or ""
                elif local(i.tag) == "id":
                    style_id = i.text or ""
    macros = MappingProxyType(macros)
    cit = _context(citation, opts) or Context(None)
    bib = _context(bibliography, opts)
    uses_ys = _calls(cit.layout, macros, "year-suffix", set()) or \
        (bib is not None and _calls(bib.layout, macros, "year-suffix", set()))
    return Style(path, opts.get("class", "in-text"), opts.get("default-locale"),
                 MappingProxyType(opts), macros, cit, bib, tuple(locales), title, style_id,
                 uses_ys, opts.get("page-range-format"),
                 _calls(cit.layout, macros, "citation-number", set()),
                 _sort_calls(bib, macros, "citation-number"))
