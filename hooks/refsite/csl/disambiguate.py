"""Disambiguation over all cites: add-names, add-givenname (all rules), disambiguate condition,
year-suffix letters (in bibliography order)."""
from __future__ import annotations

from .data import NAME_VARS
from .evaluate import Cite, Ctx, Disamb
from .names import _opts, person_key, render_person
from .richtext import plain


def _first_name_node(style):
    """The cs:name element of the first cs:names in the citation layout (for global rules)."""
    seen = set()

    def walk(node):
        if node is None:
            return None
        if node.tag == "names":
            return next((c for c in node.children if c.tag == "name"), None), node
        m = node.a.get("macro") if node.tag == "text" else None
        if m and m not in seen:
            seen.add(m)
            r = walk(style.macros.get(m))
            if r:
                return r
        for c in node.children:
            r = walk(c)
            if r:
                return r
        return None
    return walk(style.citation.layout) or (None, None)


class Disambiguator:
    """Decides each item's :class:`Disamb` state for a processor's citations."""

    def __init__(self, proc):
        self.proc = proc
        o = proc.style.citation.opts
        self.add_names = o.get("disambiguate-add-names") == "true"
        self.add_given = o.get("disambiguate-add-givenname") == "true"
        self.rule = o.get("givenname-disambiguation-rule", "by-cite")
        self.add_ys = o.get("disambiguate-add-year-suffix") == "true"

    def key(self, iid) -> str:
        proc = self.proc
        ctx = Ctx(proc, proc.items[iid], "citation", Cite(), proc.disamb[iid])
        return plain(ctx.render_children(proc.style.citation.layout))

    def groups(self, ids) -> list[list]:
        by = {}
        for i in ids:
            by.setdefault(self.key(i), []).append(i)
        return [g for g in by.values() if len(g) > 1]

    def run(self, ids: list):
        proc = self.proc
        for i in ids:
            proc.disamb[i] = Disamb()
        if self.add_given and self.rule != "by-cite":
            self._global_names(ids)
        groups = self.groups(ids)
        if self.add_names:
            groups = self._add_names(groups)
        if self.add_given and self.rule == "by-cite":
            groups = self._by_cite(groups)
        if groups and proc.uses_disamb_cond:
            for g in groups:
                for i in g:
                    proc.disamb[i].cond = True
            groups = [sub for g in groups for sub in self.groups(g)]
        if self.add_ys and groups:
            self._year_suffixes(groups)

    # -----------------------------------------------------------------------------------------
    def _unique(self, iid, group) -> bool:
        k = self.key(iid)
        return all(self.key(j) != k for j in group if j != iid)

    def _add_names(self, groups):
        proc = self.proc
        for g in groups:
            maxn = max((len(v) for i in g for var, v in proc.items[i].items()
                        if var in NAME_VARS and isinstance(v, list)), default=0)
            for i in g:
                while not self._unique(i, g) and proc.disamb[i].add_names < maxn:
                    before = self.key(i)
                    proc.disamb[i].add_names += 1
                    if self.key(i) == before:
                        continue
        return [sub for g in groups for sub in self.groups(g)]

    def _slots(self, iid):
        item = self.proc.items[iid]
        for var in ("author", "editor", "translator", "composer", "director"):
            for k, _ in enumerate(item.get(var) or []):
                yield var, k

    def _by_cite(self, groups):
        proc = self.proc
        for g in groups:
            for i in g:
                if self._unique(i, g):
                    continue
                st = proc.disamb[i]
                done = False
                for slot in self._slots(i):
                    for level in (1, 2):
                        before = self.key(i)
                        old = st.givens.get(slot, 0)
                        st.givens[slot] = level
                        if self.key(i) == before:
                            st.givens[slot] = old
                            continue
                        if self._unique(i, g):
                            done = True
                            break
                    if done:
                        break
        return [sub for g in groups for sub in self.groups(g)]

    def _global_names(self, ids):
        proc = self.proc
        name_node, names_node = _first_name_node(proc.style)
        if names_node is None:
            return
        ctx = Ctx(proc, {}, "citation")
        o = _opts(names_node, name_node, ctx)
        o = {k: v for k, v in o.items() if k != "name-as-sort-order"}
        persons = {}
        primary = self.rule.startswith("primary")
        for i in ids:
            item = proc.items[i]
            for var in names_node.vars:
                for k, nm in enumerate(item.get(var) or []):
                    if primary and k > 0:
                        continue
                    persons[person_key(nm)] = nm
        max_level = 1 if self.rule.endswith("with-initials") else 2
        levels = {}
        for level in range(0, max_level):
            by = {}
            for pk, nm in persons.items():
                if levels.get(pk, 0) != level:
                    continue
                by.setdefault(plain(render_person(nm, 0, o, level, ctx, {})), []).append(pk)
            for group in by.values():
                if len(group) > 1:
                    for pk in group:
                        levels[pk] = level + 1
        proc.global_givens.clear()
        proc.global_givens.update(levels)
        proc.global_rule_all = not primary

    def _year_suffixes(self, groups):
        proc = self.proc
        order = {iid: n for n, iid in enumerate(proc.bib_order)}
        for g in groups:
            for n, i in enumerate(sorted(g, key=lambda x: order.get(x, 1 << 30))):
                proc.disamb[i].year_suffix = suffix_letters(n)


def suffix_letters(n: int) -> str:
    if n < 26:
        return chr(ord("a") + n)
    return suffix_letters(n // 26 - 1) + chr(ord("a") + n % 26)
