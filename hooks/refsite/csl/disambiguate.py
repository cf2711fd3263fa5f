"""Disambiguation over all cites: add-names, add-givenname (all rules), disambiguate condition,
year-suffix letters (in bibliography order)."""
from __future__ import annotations

from collections import Counter

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
        self._keys: dict = {}
        self._levels: dict = {}
        self.subsequent_forms = _has_subsequent_forms(proc.style)

    def key(self, iid) -> str:
        """The item's citation as rendered for comparison (cached per disambiguation state)."""
        proc = self.proc
        st = proc.disamb[iid]
        ck = (iid, st.add_names, tuple(sorted(st.givens.items())), st.cond, st.year_suffix)
        hit = self._keys.get(ck)
        if hit is None:
            forms = [Cite()] + ([Cite(position=1)] if self.subsequent_forms else [])
            hit = self._keys[ck] = tuple(plain(proc.render_item(iid, c)) for c in forms)
        return hit

    def groups(self, ids) -> list[list]:
        """Sets of items whose first (or subsequent) cites render alike."""
        parent = {i: i for i in ids}

        def find(x):
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x
        for form in range(2 if self.subsequent_forms else 1):
            first = {}
            for i in ids:
                k = self.key(i)[form]
                if k in first:
                    parent[find(i)] = find(first[k])
                else:
                    first[k] = i
        comps = {}
        for i in ids:
            comps.setdefault(find(i), []).append(i)
        return [g for g in comps.values() if len(g) > 1]

    def run(self, ids: list):
        """Decide every item's disambiguation state over all its cites."""
        proc = self.proc
        for i in ids:
            proc.disamb[i] = Disamb()
        if not (self.add_names or self.add_given or self.add_ys or proc.uses_disamb_cond):
            return
        self._setup_names()
        if self.add_given and self.rule != "by-cite":
            self._global_names(ids)
        groups = self.groups(ids)
        if self.add_names or (self.add_given and self.rule == "by-cite"):
            groups = [sub for g in groups for sub in self._names_and_givens(g)]
        if groups and proc.uses_disamb_cond:
            for g in groups:
                for i in g:
                    proc.disamb[i].cond = True
            groups = [sub for g in groups for sub in self.groups(g)]
        if self.add_ys and groups:
            self._year_suffixes(groups)

    # -----------------------------------------------------------------------------------------
    def _setup_names(self):
        name_node, names_node = _first_name_node(self.proc.style)
        self.names_node = names_node
        ctx = Ctx(self.proc, {}, "citation")
        self.name_ctx = ctx
        o = _opts(names_node, name_node, ctx) if names_node is not None else {}
        self.name_opts = {k: v for k, v in o.items() if k != "name-as-sort-order"}
        self.name_vars = _citation_name_vars(self.proc.style) or ("author",)

    def _clashes(self, group, keys=None) -> dict:
        keys = keys or {i: self.key(i) for i in group}
        out = {i: 0 for i in group}
        for form in range(2 if self.subsequent_forms else 1):
            counts = Counter(k[form] for k in keys.values())
            for i in group:
                out[i] += counts[keys[i][form]] - 1
        return out

    def _names_and_givens(self, g):
        """add-names and by-cite add-givenname for one ambiguous group; keep per member the
        state with the fewest clashes."""
        proc = self.proc
        maxn = max((len(v) for i in g for var, v in proc.items[i].items()
                    if var in NAME_VARS and isinstance(v, list)), default=0)
        clash = self._clashes(g)
        best = {i: (clash[i], copy_state(proc.disamb[i])) for i in g}
        for n in range(0, (maxn if self.add_names else 0) + 1):
            for i in g:
                if clash[i] and self.add_names:
                    proc.disamb[i].add_names = n
            if self.add_given and self.rule == "by-cite":
                self._expand_givens(g)
            clash = self._clashes(g)
            for i in g:
                if clash[i] < best[i][0]:
                    best[i] = (clash[i], copy_state(proc.disamb[i]))
            if not any(clash.values()):
                break
        for i in g:
            proc.disamb[i] = best[i][1]
        return self.groups(g)

    def _slot_names(self, iid):
        item = self.proc.items[iid]
        out = []
        for var in self.name_vars:
            for k, nm in enumerate(item.get(var) or []):
                out.append(((var, k), nm))
        return out

    def _render_level(self, nm, level) -> str:
        """A name as the citation's first name would show it at a given-name level (cached: the
        same persons are asked for again and again)."""
        key = (person_key(nm), tuple(sorted((k, v) for k, v in nm.items() if isinstance(v, str))), level)
        hit = self._levels.get(key)
        if hit is None:
            hit = self._levels[key] = plain(render_person(nm, 0, self.name_opts, level, self.name_ctx, {}))
        return hit

    def _expand_givens(self, g):
        """Raise given-name levels slot by slot where different persons render alike."""
        keys = {i: self.key(i) for i in g}
        slots = {i: dict(self._slot_names(i)) for i in g}
        order = []
        for i in g:
            for slot in slots[i]:
                if slot not in order:
                    order.append(slot)
        for slot in order:
            changed = False
            for form in range(len(next(iter(keys.values())))):
                buckets = {}
                for i in g:
                    buckets.setdefault(keys[i][form], []).append(i)
                for bucket in buckets.values():
                    if len(bucket) > 1:
                        changed |= self._expand_slot(bucket, slot, slots)
            if changed:
                keys = {i: self.key(i) for i in g}
                if not any(self._clashes(g, keys).values()):
                    return

    def _expand_slot(self, bucket, slot, slots) -> bool:
        proc = self.proc
        by_render = {}
        for i in bucket:
            nm = slots[i].get(slot)
            if nm is not None:
                level = proc.disamb[i].givens.get(slot, 0)
                by_render.setdefault(self._render_level(nm, level), []).append(i)
        changed = False
        for members in by_render.values():
            persons = {person_key(slots[i][slot]): slots[i][slot] for i in members}
            if len(persons) < 2:
                continue
            for level in (1, 2):
                if len({self._render_level(nm, level) for nm in persons.values()}) == len(persons):
                    break
            for i in members:
                st = proc.disamb[i]
                st.givens[slot] = max(st.givens.get(slot, 0), level)
            changed = True
        return changed

    def _global_names(self, ids):
        """all-names / primary-name rules: expand every name that shares its rendering with a
        different person, to initials and (unless *-with-initials) to the full given name."""
        proc = self.proc
        if self.names_node is None:
            return
        persons = {}
        primary = self.rule.startswith("primary")
        for i in ids:
            item = proc.items[i]
            # the names a cite shows: the first of the layout's name variables the item has
            # (cs:substitute), not every name variable of the item
            var = next((v for v in self.name_vars if item.get(v)), None)
            for k, nm in enumerate(item.get(var) or [] if var else []):
                if not (primary and k > 0):
                    persons[person_key(nm)] = nm
        max_level = 1 if self.rule.endswith("with-initials") else 2
        by = {}
        for pk, nm in persons.items():
            by.setdefault(self._render_level(nm, 0), []).append(pk)
        levels = {}
        for group in by.values():
            if len(group) < 2:
                continue
            for pk in group:
                mine = [self._render_level(persons[pk], lv) for lv in range(max_level + 1)]
                for lv in range(1, max_level + 1):
                    if all(self._render_level(persons[o], lv) != mine[lv] for o in group if o != pk):
                        levels[pk] = lv
                        break
                else:
                    if max_level == 2:
                        levels[pk] = 2
        proc.global_givens.clear()
        proc.global_givens.update(levels)
        proc.global_rule_all = not primary
        self._keys.clear()

    def _year_suffixes(self, groups):
        proc = self.proc
        for g in groups:
            ordered = proc.sort_bibliography(g) if not proc.style.sort_uses_number else \
                [i for i in proc.bib_order if i in set(g)]
            for n, i in enumerate(ordered):
                proc.disamb[i].year_suffix = suffix_letters(n)


def _citation_name_vars(style) -> tuple:
    """Every name variable a cs:names of the citation layout may render (macros and substitutes
    included), in order: global name disambiguation looks at all of them, not only the first
    cs:names (Chicago's layout opens with one for interviewers)."""
    found: list = []
    seen: set = set()

    def walk(node):
        if node is None:
            return
        if node.tag == "names":
            for var in node.vars:
                if var not in found:
                    found.append(var)
        m = node.a.get("macro") if node.tag == "text" else None
        if m and m not in seen:
            seen.add(m)
            walk(style.macros.get(m))
        for c in node.children:
            walk(c)
    walk(style.citation.layout)
    return tuple(found)


def _has_subsequent_forms(style) -> bool:
    """Whether a cite may render differently after its first citation."""
    o = style.citation.opts
    if "et-al-subsequent-min" in o or "et-al-subsequent-use-first" in o:
        return True
    found = []

    def walk(node, seen):
        if node is None or found:
            return
        if any(k == "position" for k, _ in node.conds):
            found.append(True)
            return
        m = node.a.get("macro") if node.tag == "text" else None
        if m and m not in seen:
            seen.add(m)
            walk(style.macros.get(m), seen)
        for c in node.children:
            walk(c, seen)
    walk(style.citation.layout, set())
    return bool(found)


def copy_state(d: Disamb) -> Disamb:
    return Disamb(d.add_names, dict(d.givens), d.cond, d.year_suffix)


def suffix_letters(n: int) -> str:
    if n < 26:
        return chr(ord("a") + n)
    return suffix_letters(n // 26 - 1) + chr(ord("a") + n % 26)
