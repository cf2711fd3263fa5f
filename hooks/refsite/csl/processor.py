"""The processor: registered items, site-wide citations, rendered citations and bibliography."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import collapse as col
from .data import normalize_item
from .disambiguate import Disambiguator
from .evaluate import NO_CITE, Cite, Ctx, Disamb, prepare
from .fmt import decorate, join
from .locale import LocaleFiles, build_locale
from .positions import compute_positions
from .richtext import F, is_empty, parse_markup, plain, render_both
from .sorting import item_keys, sort_entries
from .style import Style


@dataclass
class CiteItem:
    """One cite inside a citation."""
    id: str
    locator: str = ""
    label: str = ""
    prefix: str = ""
    suffix: str = ""
    suppress_author: bool = False
    author_only: bool = False


@dataclass
class Citation:
    """A citation: its cites in order, and for note styles the note it sits in."""
    items: list = field(default_factory=list)
    note_index: int | None = None
    id: str | None = None


@dataclass(frozen=True)
class Rendered:
    """A rendering as HTML (the CSL test-suite markup) and as plain text."""
    html: str
    text: str


class Processor:
    """Renders citations and bibliographies of one style for a fixed set of items."""

    def __init__(self, style: Style, items, locale: str | None = None,
                 locale_files: LocaleFiles | None = None):
        self.style = style
        prepare(style)
        self.warnings: list[str] = []
        lang = locale or style.default_locale or "en-US"
        self.locale = build_locale(lang, list(style.locales), locale_files)
        if isinstance(items, dict):
            items = [dict(v, id=v.get("id", k)) for k, v in items.items()]
        self.items = {}
        self.input_order = []
        for raw in items:
            iid = raw.get("id")
            if iid is None:
                self.warn(f"item without id skipped: {raw!r:.60}")
                continue
            iid = str(iid)
            self.items[iid] = normalize_item(dict(raw, id=iid), self.warnings)
            self.input_order.append(iid)
        self._numbers: dict | None = None
        self._bib_order: list | None = None
        self._order_ids: list = list(self.input_order)
        self.global_givens: dict = {}
        self.global_rule_all = True
        self.date_specs: dict = {}
        self.disamb: dict = {}
        self.cited: list = []
        self.page_delim = self.locale.term("page-range-delimiter") or "\u2013"
        self.uses_disamb_cond = "disambiguate" in _condition_keys(style)
        self._cite_rows: list = []
        self._citations: list = []
        self.sort_cache: dict = {}
        self._render_cache: dict = {}
        self._nameless: bool | None = None
        self._cite_keys: dict = {}  # citation sort keys by item, for one process_citations

    def warn(self, msg: str):
        self.warnings.append(msg)

    def disamb_for(self, iid) -> Disamb:
        return self.disamb.get(iid) or Disamb()

    # -----------------------------------------------------------------------------------------
    @property
    def style_class(self) -> str:
        return self.style.cls

    @property
    def is_numeric(self) -> bool:
        return self.style.is_numeric

    @property
    def bibliography_options(self) -> dict:
        """The bibliography's layout options (hanging-indent, second-field-align,
        entry-spacing, line-spacing), for the page's CSS classes."""
        bib = self.style.bibliography
        keys = ("hanging-indent", "second-field-align", "entry-spacing", "line-spacing")
        return {k: bib.opts[k] for k in keys if bib is not None and k in bib.opts}

    @property
    def citation_numbers(self) -> dict:
        if self._numbers is None:
            self._numbers_for(self._order_ids)
        return self._numbers

    @property
    def bib_order(self) -> list:
        if self._bib_order is None:
            self._numbers_for(self._order_ids)
        return self._bib_order

    def _numbers_for(self, ids):
        """Citation numbers and bibliography order (sorted when the style sorts)."""
        self._numbers = {iid: n + 1 for n, iid in enumerate(ids)}
        order = list(ids)
        bib = self.style.bibliography
        if bib is not None and bib.sort:
            order = self.sort_bibliography(ids)
            self._numbers = {iid: n + 1 for n, iid in enumerate(order)}
        self._bib_order = order

    def sort_bibliography(self, ids) -> list:
        """``ids`` in bibliography sort order."""
        bib = self.style.bibliography
        if bib is None or not bib.sort:
            pos = {iid: n for n, iid in enumerate(self._order_ids)}
            return sorted(ids, key=lambda i: pos.get(i, 1 << 30))
        entries = [(item_keys(self, self.items[i], bib.sort, "sort-bib", self._key_cache()), i)
                   for i in ids]
        return [i for _, i in sort_entries(entries, bib.sort)]

    def _key_cache(self):
        """Bibliography sort keys are cached unless they depend on citation numbers."""
        if self.style.sort_uses_number:
            return None
        return self.sort_cache

    def process_citations(self, citations: list, groups: list | None = None) -> list[Rendered]:
        """Decide numbers, positions, disambiguation over all ``citations``; render each.
        ``groups`` (one value per citation, e.g. the page it is on): positions (ibid., subsequent)
        are decided within each group, as if each group were a document of its own."""
        citations = [self._clean(c) for c in citations]
        cited = []
        seen = set()
        for c in citations:
            for ci in c.items:
                if ci.id not in seen:
                    seen.add(ci.id)
                    cited.append(ci.id)
        self.cited = cited
        self._order_ids = cited if cited else list(self.input_order)
        self._render_cache.clear()
        self._cite_keys.clear()
        self.sort_cache.clear()
        self._numbers = self._bib_order = None
        dist = int(self.style.citation.opts.get("near-note-distance", "5") or 5)
        if groups is None:
            rows = compute_positions(citations, dist)
        else:
            rows = [None] * len(citations)
            members: dict = {}
            for i, group in enumerate(groups):
                members.setdefault(group, []).append(i)
            for indexes in members.values():
                for i, row in zip(indexes, compute_positions([citations[i] for i in indexes], dist)):
                    rows[i] = row
        Disambiguator(self).run(cited)
        self._citations, self._cite_rows = citations, rows
        return [self.render_citation(c, r) for c, r in zip(citations, rows)]

    @property
    def positions(self) -> list:
        """The position of each citation of the last ``process_citations`` (first, subsequent,
        ibid., near-note), in the order given."""
        return self._cite_rows

    def _clean(self, c: Citation) -> Citation:
        items = []
        for ci in c.items:
            if isinstance(ci, dict):
                ci = CiteItem(**{k.replace("-", "_"): v for k, v in ci.items()
                                 if k.replace("-", "_") in CiteItem.__dataclass_fields__})
            ci.id = str(ci.id)
            if ci.id not in self.items:
                self.warn(f"unknown item id {ci.id!r}")
                continue
            if ci.label and self.locale.term(ci.label) is None and ci.label != "sub verbo":
                self.warn(f"unknown locator label {ci.label!r}")
            ci.locator = str(ci.locator or "").strip()
            if ci.locator and not ci.label:
                ci.label, ci.locator = self._embedded_label(ci.locator)
            items.append(ci)
        return Citation(items, c.note_index, c.id)

    LOCATOR_TERMS = ("act", "appendix", "article-locator", "book", "canon", "chapter", "column",
                     "elocation", "equation", "figure", "folio", "issue", "line", "note", "opus",
                     "page", "paragraph", "part", "rule", "scene", "section", "sub-verbo",
                     "supplement", "table", "timestamp", "title-locator", "verse", "volume")

    def _embedded_label(self, locator: str) -> tuple[str, str]:
        """A locator that starts with a label term (``vol. 3``) gives that label."""
        m = re.match(r"^([^\W\d][\w.]*\.?)\s+(?=\S)", locator)
        if m:
            word = m.group(1).lower()
            for name in self.LOCATOR_TERMS:
                for form in ("short", "long", "symbol"):
                    for plural in (False, True):
                        t = self.locale.term(name, form, plural)
                        if t and t.lower() == word:
                            return name, locator[m.end():]
        return "", locator

    # -----------------------------------------------------------------------------------------
    def render_item(self, iid: str, cite: Cite, suppress_author=False) -> list:
        """An item rendered with the citation layout (cached; callers must not mutate it)."""
        st = self.disamb_for(iid)
        key = (iid, cite.locator, cite.label, cite.position, cite.near_note, cite.first_note,
               suppress_author, st.add_names, tuple(sorted(st.givens.items())), st.cond,
               st.year_suffix)
        hit = self._render_cache.get(key)
        if hit is None:
            ctx = Ctx(self, self.items[iid], "citation", cite, st, suppress_author=suppress_author)
            layout = self.style.citation.layout
            hit = self._render_cache[key] = ctx.render_children(layout) if layout is not None else []
        return hit

    def render_cite_parts(self, ci: CiteItem, cite: Cite, suppress_author=False) -> list:
        parts = self.render_item(ci.id, cite, suppress_author or ci.suppress_author)
        if ci.author_only:
            n = col._find(parts, "names")
            parts = [n] if n is not None else []
        return parts

    def _affixed(self, ci, parts):
        if is_empty(parts):
            return parts
        pre = parse_markup(ci.prefix, quotes=False) if ci.prefix else []
        suf = parse_markup(ci.suffix, quotes=False) if ci.suffix else []
        return pre + parts + suf

    def _sorted(self, cit, row):
        """Cites in the style's citation order; as in Pandoc, a prefix starts and a suffix ends
        a run that is sorted on its own (so that "see A; also B" keep their words)."""
        pairs = list(zip(cit.items, row))
        keys = self.style.citation.sort
        if not keys or len(pairs) < 2:
            return pairs
        runs = [[pairs[0]]]
        for pair in pairs[1:]:
            if runs[-1][-1][0].suffix or pair[0].prefix:
                runs.append([pair])
            else:
                runs[-1].append(pair)
        out = []
        for run in runs:
            entries = [(item_keys(self, self.items[ci.id], keys, "sort", self._cite_keys), (ci, c))
                       for ci, c in run]
            out.extend(p for _, p in sort_entries(entries, keys))
        return out

    def render_citation(self, cit: Citation, row) -> Rendered:
        layout = self.style.citation.layout
        if layout is None or not cit.items:
            return Rendered("", "")
        pairs = self._sorted(cit, row)
        opts = self.style.citation.opts
        delim = layout.delim
        collapse_mode = opts.get("collapse")
        pieces = []
        for n, (ci, cite) in enumerate(pairs):
            parts = self.render_cite_parts(ci, cite)
            if (n == 0 and self.style.is_note) or ci.prefix:
                parts = _capitalize_leading_term(parts, ci.prefix)
            if is_empty(parts) and not ci.suppress_author:
                parts = ["[CSL STYLE ERROR: reference with no printed form.]"]
            number = self.citation_numbers.get(ci.id) if collapse_mode == "citation-number" else None
            p = col.Piece(ci.id, self._affixed(ci, parts), number,
                          not (ci.locator or ci.prefix or ci.suffix))
            pieces.append(p)
        group_delim = opts.get("cite-group-delimiter", ", " if collapse_mode else None)
        if collapse_mode == "citation-number":
            body = col.collapse_numbers(pieces, delim, opts.get("after-collapse-delimiter", delim))
        elif collapse_mode in ("year", "year-suffix", "year-suffix-ranged") or group_delim is not None:
            body = self._collapse_years(pairs, pieces, collapse_mode, delim, group_delim or ", ")
        else:
            body = self._join_cites(pieces, pairs, delim)
        return self.finish(decorate(layout, body, self.locale.lang.lower(), affixes_inside=True))

    @staticmethod
    def _join_cites(pieces, pairs, delim):
        """Join cites; a prefix that starts with punctuation replaces the delimiter."""
        out = []
        for (ci, _), p in zip(pairs, pieces):
            if is_empty(p.parts):
                continue
            if out:
                pre = (ci.prefix or "").lstrip()
                if not (pre[:1] in (".", ",", ";", ":") and pre):
                    ends = plain(out).rstrip()[-1:]
                    out.append(delim[1:] if ends and ends in ",;:" and delim[:1] in ",;:"
                               else delim)
            out.extend(p.parts)
        return out

    def _collapse_years(self, pairs, pieces, mode, delim, group_delim):
        opts = self.style.citation.opts
        by_piece = {id(p): pair for pair, p in zip(pairs, pieces)}
        if self._nameless is None:
            self._nameless = "names" not in _tags(self.style.citation.layout, self.style.macros)
        nameless = self._nameless
        for (ci, _), p in zip(pairs, pieces):
            # a layout without names groups all its cites (by the same, absent, author)
            p.author = "\x00" if nameless else \
                col.author_of(p.parts) if not ci.suppress_author else ""
        groups = col.group_by_author(pieces, move=bool(self.style.citation.sort))
        for g in groups:
            if len(g) < 2:
                continue
            for p in g:
                ci, cite = by_piece[id(p)]
                rest = self.render_cite_parts(ci, cite, suppress_author=True)
                p.ys = col.year_suffix_node(rest)
                p.year = plain(col.without_ys(rest))
                p.rest = self._affixed(ci, rest)
        return col.collapse_years(groups, mode if mode in ("year", "year-suffix", "year-suffix-ranged")
                                  else None, delim, group_delim,
                                  opts.get("after-collapse-delimiter", delim),
                                  opts.get("year-suffix-delimiter",
                                           opts.get("cite-group-delimiter", delim)))

    def finish(self, parts) -> Rendered:
        loc = self.locale
        return Rendered(*render_both(parts, loc.quotes, loc.punctuation_in_quote))

    # -----------------------------------------------------------------------------------------
    def bibliography(self, ids=None) -> list[tuple[str, Rendered]]:
        """Entries for ``ids`` (default: every cited item, or all items) in bibliography order."""
        bib = self.style.bibliography
        if bib is None or bib.layout is None:
            return []
        wanted = set(ids) if ids is not None else set(self.cited or self.input_order)
        order = [i for i in self.bib_order if i in wanted]
        order += [i for i in self.input_order if i in wanted and i not in set(order)]
        out, prev_names = [], None
        for iid in order:
            parts, names_node = self.render_entry(iid, bib.opts.get("second-field-align"))
            if is_empty(parts):
                self.warn(f"{iid}: bibliography entry renders empty")
                continue
            parts, prev_names = self._substitute_author(parts, names_node, prev_names)
            out.append((iid, self.finish(parts)))
        return out

    def render_entry(self, iid, align=None):
        """An entry's output tree (split in margin/inline divs for second-field-align)."""
        bib = self.style.bibliography
        layout = bib.layout
        cited = self.disamb_for(iid)
        # name disambiguation (added names, given names) is for citations; an entry keeps its
        # year suffix and the disambiguate condition
        ctx = Ctx(self, self.items[iid], "bibliography", NO_CITE,
                  Disamb(cond=cited.cond, year_suffix=cited.year_suffix))
        outs = [ctx.render(c) for c in layout.children]
        body = join(outs, "")
        names_node = col._find(body, "names")
        if align in ("flush", "margin"):
            k = next((n for n, o in enumerate(outs) if not is_empty(o)), None)
            if k is not None:
                left = ([layout.prefix] if layout.prefix else []) + outs[k]
                right = join(outs[k + 1:], "") + ([layout.suffix] if layout.suffix else [])
                return [F("div", left, "left-margin"), F("div", right, "right-inline")], names_node
        if layout.suffix and _last_div(body) is not None:
            # the layout's suffix goes inside a closing display div (as citeproc-js)
            body = _copy(body)
            _last_div(body).children.append(layout.suffix)
            out = decorate(layout, body, ctx.lang, affixes=False)
            return ([layout.prefix] if layout.prefix else []) + out, names_node
        return decorate(layout, body, ctx.lang), names_node

    def _substitute_author(self, parts, names_node, prev):
        """subsequent-author-substitute: replace names equal to the previous entry's."""
        if names_node is None:
            return parts, None
        lists = col.find_all(names_node.children, "namelist") or [names_node]
        persons = [p for nl in lists for p in col.find_all(nl.children, "person")] or lists
        texts = [plain(p.children) for p in persons]
        key = (plain([nl for nl in lists]), texts)
        sub = self.style.bibliography.opts.get("subsequent-author-substitute")
        if sub is None or prev is None:
            return parts, key
        rule = self.style.bibliography.opts.get("subsequent-author-substitute-rule", "complete-all")
        if rule in ("complete-all", "complete-each"):
            if key[0] != prev[0]:
                return parts, key
            if rule == "complete-all":
                lists[0].children[:] = [sub] if sub else []
                for nl in lists[1:]:
                    nl.children[:] = []
                return parts, key
            for p in persons:
                p.children[:] = [sub] if sub else []
            return parts, key
        for n, (p, t) in enumerate(zip(persons, texts)):
            if n >= len(prev[1]) or prev[1][n] != t or (rule == "partial-first" and n > 0):
                break
            p.children[:] = [sub] if sub else []
        return parts, key


def _first_leaf(parts, inside_term=False):
    for p in parts:
        if isinstance(p, str):
            if p:
                return p, inside_term, parts
        else:
            r = _first_leaf(p.children, inside_term or p.kind == "term")
            if r is not None:
                return r
    return None


def _last_div(parts):
    """The display div that closes ``parts``, if any."""
    while parts:
        last = parts[-1]
        if isinstance(last, str):
            return None
        if last.kind == "div":
            return last
        parts = last.children
    return None


def _copy(parts):
    return [p if isinstance(p, str) else F(p.kind, _copy(p.children), p.arg) for p in parts]


def _capitalize_leading_term(body, prefix):
    """A term opening a citation (``ibid.``) starts with a capital, also after a cite prefix
    that ends a sentence.  Returns a new tree when it changes anything."""
    if prefix:
        pre = prefix.rstrip().rstrip("\u201d\u2019\"'")
        if not pre.endswith((".", "!", "?")) or len(pre.split()) < 2:
            return body
    found = _first_leaf(body)
    if found is None or not found[1] or not found[0][:1].islower():
        return body
    body = _copy(body)
    text, _, lst = _first_leaf(body)
    for k, x in enumerate(lst):
        if x is text:
            lst[k] = text[:1].upper() + text[1:]
            break
    return body


def _tags(node, macros) -> set:
    """Element names reachable from ``node`` (through macros)."""
    found, seen, stack = set(), set(), [node] if node is not None else []
    while stack:
        n = stack.pop()
        found.add(n.tag)
        m = n.a.get("macro") if n.tag == "text" else None
        if m and m not in seen and m in macros:
            seen.add(m)
            stack.append(macros[m])
        stack.extend(n.children)
    return found


def _condition_keys(style: Style) -> set:
    """The condition attributes (type, variable, position, disambiguate, ...) a style tests."""
    found = set()
    stack = list(style.macros.values()) + [c.layout for c in (style.citation, style.bibliography)
                                           if c is not None and c.layout is not None]
    while stack:
        node = stack.pop()
        found.update(k for k, _ in node.conds)
        stack.extend(node.children)
    return found
