"""Evaluation of rendering elements for one item: text, number, label, group, choose, macros.

Names and dates have their own modules.  :class:`Ctx` carries what one rendering needs: the
item, the cite (locator, position), the mode (citation, bibliography, sort) and the
disambiguation state.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import dates, names
from .data import DATE_VARS, NAME_VARS, NUMBER_VARS
from .fmt import decorate, join, strip_periods
from .numbers import first_int, is_numeric, is_plural, normalize_separator, page_range, roman, \
    split_numbers
from .richtext import F, parse_markup

LOCATOR_ALIASES = {"sub verbo": "sub-verbo", "sub-verbo": "sub-verbo"}


@dataclass
class Disamb:
    """Disambiguation state of one item/cite."""
    add_names: int = 0
    givens: dict = field(default_factory=dict)  # (var, index) -> 1 initials, 2 full given
    cond: bool = False
    year_suffix: str = ""


@dataclass
class Cite:
    """What a cite adds to an item when rendering a citation."""
    locator: str = ""
    label: str = ""
    position: int = 0  # 0 first, 1 subsequent, 2 ibid, 3 ibid-with-locator
    near_note: bool = False
    first_note: int | None = None


NO_CITE = Cite()


_RANGE_VARS = frozenset(("issue", "volume", "number", "chapter-number", "collection-number",
                         "number-of-volumes", "supplement-number", "part-number"))
_COMPUTED = frozenset(("locator", "first-reference-note-number", "citation-number", "year-suffix"))


class Ctx:
    """State of one rendering of one item."""
    __slots__ = ("proc", "style", "locale", "item", "mode", "cite", "name_opts", "suppressed",
                 "called", "found", "disamb", "sort_names", "suppress_author", "names_done",
                 "lang", "ys_done", "global_givens", "opts", "substituting", "substitute_names")

    def __init__(self, proc, item, mode, cite=NO_CITE, disamb=None, sort_names=None,
                 suppress_author=False):
        self.proc = proc
        self.style = proc.style
        self.locale = proc.locale
        self.item = item
        self.mode = mode
        self.cite = cite
        ctx_el = self.style.bibliography if mode == "bibliography" else self.style.citation
        if mode == "sort-bib":
            ctx_el = self.style.bibliography
        self.opts = ctx_el.opts if ctx_el else {}
        self.name_opts = ctx_el.name_opts if ctx_el else {}
        self.suppressed = set()
        self.called = self.found = 0
        self.disamb = disamb or Disamb()
        self.sort_names = sort_names
        self.suppress_author = suppress_author
        self.names_done = False
        self.lang = str(item.get("language", "") or proc.locale.lang).lower()  # for text-case
        self.ys_done = False
        self.substituting = 0
        self.substitute_names = None   # cs:name/et-al/label a cs:substitute's cs:names inherit
        self.global_givens = proc.global_givens if mode == "citation" else None

    @property
    def sorting(self) -> bool:
        return self.mode.startswith("sort")

    def var(self, name: str):
        if self.suppressed and name in self.suppressed:
            return None
        if name not in _COMPUTED:
            v = self.item.get(name)
            if v is None and name == "page-first":
                page = self.item.get("page")
                m = re.match(r"\s*([^\s,&\-\u2013]+)", str(page)) if page else None
                return m.group(1) if m else None
            return v
        if name == "locator":
            return self.cite.locator or None
        if name == "first-reference-note-number":
            return str(self.cite.first_note) if self.cite.first_note else None
        if name == "citation-number":
            n = self.proc.citation_numbers.get(self.item.get("id"))
            return str(n) if n else None
        return self.disamb.year_suffix or None  # year-suffix

    def render(self, node) -> list:
        return node.fn(node, self)

    def render_children(self, node, delim="") -> list:
        return join(self.child_outputs(node), delim)

    def child_outputs(self, node) -> list:
        """Outputs of a node's children; a cs:choose contributes its branch's children
        one by one (so an enclosing delimiter separates them)."""
        outs = []
        for c in node.children:
            if c.tag == "choose":
                branch = choose_branch(c, self)
                if branch is not None:
                    outs.extend(self.child_outputs(branch))
            else:
                outs.append(c.fn(c, self))
        return outs


# ---------------------------------------------------------------------------------------------
def r_layout(node, ctx):
    return ctx.render_children(node)


def _text_value(ctx, var: str, form: str | None):
    if form == "short":
        for alt in (var + "-short",):
            v = ctx.var(alt)
            if v:
                return v
    return ctx.var(var)


def _text_variable(node, ctx, var):
    if var == "year-suffix":  # an absent year-suffix does not empty a group
        ys = ctx.disamb.year_suffix
        if not ys:
            return []
        ctx.called += 1
        ctx.found += 1
        ctx.ys_done = True
        return [F("ys", [ys])]
    ctx.called += 1
    if var == "citation-label":
        ctx.called -= 1
        return _citation_label(node, ctx)
    val = _text_value(ctx, var, node.a.get("form"))
    if val is None or val == "" or isinstance(val, (list, dict)) or var in NAME_VARS:
        return []
    if var in DATE_VARS:
        return []
    ctx.found += 1
    if ctx.substituting:  # a substituted variable is rendered only once
        ctx.suppressed.add(var)
    val = str(val)
    if var == "page":
        val = page_range(val, ctx.style.page_range_format, ctx.proc.page_delim)
    elif var == "locator":
        if "&" in val:  # the locale's ampersand
            val = re.sub(r"\s*&\s*", " " + (ctx.locale.term("and", "symbol") or "&") + " ", val)
        if ctx.cite.label == "page":
            val = page_range(val, ctx.style.page_range_format, ctx.proc.page_delim)
        else:
            val = re.sub(r"(?<=\d)\s*-\s*(?=\d)", "\u2013", val)
    elif var in _RANGE_VARS and re.fullmatch(r"\d+\s*-\s*\d+", val):
        val = re.sub(r"\s*-\s*", "\u2013", val)
    if node.strip_periods:
        val = strip_periods(val)
    if var in ("URL", "DOI", "PMID", "PMCID", "ISBN", "ISSN"):
        return [val]
    return parse_markup(val)


def trigraph(item) -> str | None:
    """citeproc-js's default citation label: Doe65, RoNo78, DoRoSm90, DRSN26."""
    names = next((item.get(v) for v in ("author", "editor", "translator") if item.get(v)), None)
    d = item.get("issued")
    year = f"{d.parts[0][0] % 100:02d}" if d is not None and getattr(d, "parts", None) else ""
    if not names:
        return None
    fams = [n.get("family") or n.get("literal", "") for n in names]
    widths = {1: [4], 2: [2, 2], 3: [1, 1, 2]}.get(len(fams), [1, 1, 1, 1])
    return "".join(f[:w] for f, w in zip(fams, widths)) + year


def _citation_label(node, ctx):
    ctx.called += 1
    val = ctx.var("citation-label") or trigraph(ctx.item)
    if not val:
        return []
    ctx.found += 1
    out = [str(val)]
    ys = ctx.disamb.year_suffix
    if ys and not ctx.style.uses_year_suffix and not ctx.ys_done:
        ctx.ys_done = True
        out.append(F("ys", [ys]))
    return out


def r_text_variable(node, ctx):
    return decorate(node, _text_variable(node, ctx, node.a["variable"]), ctx.lang)


def r_text_macro(node, ctx):
    m = node.ref
    if m is None:
        ctx.proc.warn(f"unknown macro {node.a['macro']!r}")
        return []
    saved_c, saved_f = ctx.called, ctx.found
    ctx.called = ctx.found = 0
    parts = join(ctx.child_outputs(m), "")
    called, found = ctx.called, ctx.found
    if called and not found:  # a macro acts as an implicit group
        parts = []
    elif parts and not called:  # a macro of fixed text stands for a variable
        called = found = 1
    ctx.called, ctx.found = saved_c + called, saved_f + (found if parts else 0)
    return decorate(node, parts, ctx.lang) if parts else parts


def r_text_term(node, ctx):
    a = node.a
    t = ctx.locale.term(a["term"], a.get("form", "long"), a.get("plural") == "true")
    if not t:
        return []
    if node.strip_periods:
        t = strip_periods(t)
    return decorate(node, [F("term", parse_markup(t))], ctx.lang)


def r_text_value(node, ctx):
    return decorate(node, parse_markup(node.a["value"]), ctx.lang)


def r_text(node, ctx):
    return _text_fn(node)(node, ctx)


def _label_term(ctx, var):
    if var == "locator":
        lab = ctx.cite.label or "page"
        return LOCATOR_ALIASES.get(lab, lab)
    if var in ("number-of-pages", "page-first"):
        return "page"
    if var == "number-of-volumes":
        return "volume"
    return var


def label_plural(node, ctx, var, value) -> bool:
    p = node.a.get("plural", "contextual")
    if p == "always":
        return True
    if p == "never":
        return False
    if var in ("number-of-pages", "number-of-volumes"):
        n = first_int(value)
        return n is not None and n > 1 and is_numeric(value)
    if var == "locator":  # only the part before an embedded label counts
        value = re.split(r",\s*[^\W\d][\w]*\.", value)[0]
    return is_plural(value)


def r_label(node, ctx):
    var = node.a.get("variable", "")
    value = ctx.var(var)
    if not value or isinstance(value, (list, dict)) or var in DATE_VARS:
        return []
    plural = label_plural(node, ctx, var, str(value))
    t = ctx.locale.term(_label_term(ctx, var), node.a.get("form", "long"), plural)
    if not t:
        return []
    if node.strip_periods:
        t = strip_periods(t)
    return decorate(node, parse_markup(t), ctx.lang)


def format_number(ctx, value: str, form: str, gender: str) -> str:
    pieces = split_numbers(value)
    out = []
    for k, p in enumerate(pieces):
        if k % 2 == 1:
            out.append(normalize_separator(p))
        elif p.isdigit():
            n = int(p)
            if form == "ordinal":
                out.append(_ordinal(ctx, n, gender))
            elif form == "long-ordinal":
                out.append(ctx.locale.long_ordinal(n, gender) or _ordinal(ctx, n, gender))
            elif form == "roman":
                out.append(roman(n))
            else:
                out.append(p)  # numeric: as written (leading zeros kept)
        else:
            out.append(p)
    return "".join(out)


def _ordinal(ctx, n, gender):
    return f"{n}{ctx.locale.ordinal_suffix(n, gender)}"


def r_number(node, ctx):
    var = node.a.get("variable", "")
    ctx.called += 1
    value = ctx.var(var)
    if not value or isinstance(value, (list, dict)) or var in DATE_VARS:
        return []
    ctx.found += 1
    value = str(value)
    form = node.a.get("form", "numeric")
    if not is_numeric(value):
        parts = [value]
    else:
        gender = ctx.locale.gender(_label_term(ctx, var))
        if var == "page" and form == "numeric":
            text = page_range(value, ctx.style.page_range_format, ctx.proc.page_delim)
        else:
            text = format_number(ctx, value, form, gender)
        if node.strip_periods:
            text = strip_periods(text)
        parts = [text]
    return decorate(node, parts, ctx.lang)


def r_group(node, ctx):
    saved_c, saved_f = ctx.called, ctx.found
    ctx.called = ctx.found = 0
    parts = ctx.render_children(node, node.delim)
    called, found = ctx.called, ctx.found
    if called > 0 and found == 0:
        parts = []
    elif parts and not called:  # a group of fixed text keeps its parent group
        called = found = 1
    ctx.called = saved_c + called
    ctx.found = saved_f + (found if parts else 0)
    return decorate(node, parts, ctx.lang)


# ---------------------------------------------------------------------------------------------
def _test(ctx, key, val) -> bool:
    if key == "type":
        return ctx.item.get("type") == val
    if key == "variable":
        v = ctx.var(val)
        return v is not None and v != "" and v != []
    if key == "is-numeric":
        v = ctx.var(val)
        return v is not None and not isinstance(v, (list, dict)) and is_numeric(v)
    if key == "position":
        if ctx.mode != "citation":
            return False
        p = ctx.cite.position
        if val == "first":
            return p == 0
        if val == "subsequent":
            return p >= 1
        if val == "ibid":
            return p >= 2
        if val == "ibid-with-locator":
            return p == 3
        return val == "near-note" and p >= 1 and ctx.cite.near_note
    if key == "locator":
        lab = LOCATOR_ALIASES.get(ctx.cite.label or "page", ctx.cite.label or "page")
        return bool(ctx.cite.locator) and lab == LOCATOR_ALIASES.get(val, val)
    if key == "is-uncertain-date":
        d = ctx.item.get(val)
        return bool(d is not None and getattr(d, "circa", False))
    if key == "disambiguate":
        return ctx.disamb.cond == (val == "true")
    return False


def _group_test(key, vals, match):
    """A function testing one condition attribute (all its values) for ``match``."""
    if key == "type":
        types = frozenset(vals)
        if match == "all":
            return lambda ctx: len(types) == 1 and ctx.item.get("type") in types
        return lambda ctx: ctx.item.get("type") in types
    if key == "variable" and not _COMPUTED.intersection(vals) and "page-first" not in vals:
        return _variables_test(vals, match == "all")
    if match == "all":
        return lambda ctx: all(_test(ctx, key, v) for v in vals)
    return lambda ctx: any(_test(ctx, key, v) for v in vals)


def _variables_test(names, need_all):
    """A fast ``variable="a b"`` test on item variables (suppressed ones count as empty)."""
    def test(ctx):
        item, sup = ctx.item, ctx.suppressed
        for v in names:
            x = item.get(v)
            has = x is not None and x != "" and x != [] and not (sup and v in sup)
            if has != need_all:
                return has
        return need_all
    return test


def compile_condition(node):
    tests = [_group_test(k, vals, node.match) for k, vals in node.conds]
    match = node.match
    if len(tests) == 1:
        t = tests[0]
        return (lambda ctx: not t(ctx)) if match == "none" else t
    if match == "any":
        return lambda ctx: any(t(ctx) for t in tests)
    if match == "none":
        return lambda ctx: not any(t(ctx) for t in tests)
    return lambda ctx: all(t(ctx) for t in tests)


def condition(node, ctx) -> bool:
    t = node.test
    if t is None:
        t = node.test = compile_condition(node)
    return t(ctx)


def choose_branch(node, ctx):
    for branch in node.children:
        if branch.tag == "else" or condition(branch, ctx):
            return branch
    return None


def r_choose(node, ctx):
    branch = choose_branch(node, ctx)
    return ctx.render_children(branch) if branch is not None else []


def r_names(node, ctx):
    return names.render_names(node, ctx)


def r_date(node, ctx):
    return dates.render_date(node, ctx)


def r_ignore(node, ctx):
    return []


RENDER = {
    "layout": r_layout, "text": r_text, "label": r_label, "number": r_number, "group": r_group,
    "choose": r_choose, "names": r_names, "date": r_date,
}


def _text_fn(node):
    for key, fn in (("variable", r_text_variable), ("macro", r_text_macro), ("term", r_text_term),
                    ("value", r_text_value)):
        if key in node.a:
            return fn
    return r_ignore


def prepare(style):
    """Attach render functions (and macro references) to every node of a style, once."""
    roots = list(style.macros.values()) + [c.layout for c in (style.citation, style.bibliography)
                                           if c is not None and c.layout is not None]
    if all(r.fn is not None for r in roots):
        return
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node.fn is not None:
            continue
        if node.tag == "text":
            node.fn = _text_fn(node)
            if "macro" in node.a:
                node.ref = style.macros.get(node.a["macro"])
        else:
            node.fn = RENDER.get(node.tag, r_ignore)
        stack.extend(node.children)

__all__ = ["Ctx", "Cite", "Disamb", "RENDER", "condition", "NUMBER_VARS", "format_number"]
