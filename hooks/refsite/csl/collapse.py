"""Cite grouping and collapsing inside one citation (citation-number, year, year-suffix(-ranged))."""
from __future__ import annotations

from dataclasses import dataclass, field

from .richtext import F, plain


@dataclass
class Piece:
    """One rendered cite inside a citation."""
    iid: str
    parts: list
    number: int | None = None
    plain_cite: bool = True  # no locator/prefix/suffix
    author: str = ""
    rest: list = field(default_factory=list)  # rendering with author suppressed
    year: str = ""
    ys: list | None = None


def _find(parts, kind):
    for p in parts:
        if isinstance(p, F):
            if p.kind == kind:
                return p
            r = _find(p.children, kind)
            if r is not None:
                return r
    return None


def find_all(parts, kind, out=None) -> list:
    """All nodes of ``kind`` (not nested in one another), in order."""
    out = [] if out is None else out
    for p in parts:
        if isinstance(p, F):
            if p.kind == kind:
                out.append(p)
            else:
                find_all(p.children, kind, out)
    return out


def author_of(parts) -> str:
    n = _find(parts, "names")
    return plain(n.children) if n is not None else ""


def year_suffix_node(parts):
    return _find(parts, "ys")


def _without_ys(parts):
    out = []
    for p in parts:
        if isinstance(p, F):
            if p.kind == "ys":
                continue
            out.append(F(p.kind, _without_ys(p.children), p.arg))
        else:
            out.append(p)
    return out


def group_by_author(pieces: list[Piece], move: bool = False) -> list[list[Piece]]:
    """Groups of cites with the same rendered author: adjacent ones, or with ``move`` (sorted
    citations) later ones moved up to the first."""
    groups, index = [], {}
    for p in pieces:
        if p.author and move and p.author in index:
            groups[index[p.author]].append(p)
        elif p.author and groups and groups[-1][0].author == p.author:
            groups[-1].append(p)
        else:
            if p.author:
                index[p.author] = len(groups)
            groups.append([p])
    return groups


def _join(chunks, delim):
    out = []
    for k, c in enumerate(chunks):
        if k and delim:
            out.append(delim)
        out.extend(c)
    return out


def collapse_numbers(pieces: list[Piece], delim: str, after_delim: str) -> list:
    runs = []
    for p in pieces:
        if runs and p.number is not None and p.plain_cite and runs[-1][-1].plain_cite and \
                runs[-1][-1].number is not None and p.number == runs[-1][-1].number + 1:
            runs[-1].append(p)
        else:
            runs.append([p])
    out, prev_collapsed = [], False
    for k, run in enumerate(runs):
        if k:
            out.append(after_delim if prev_collapsed else delim)
        if len(run) >= 3:
            out.extend(run[0].parts + ["\u2013"] + run[-1].parts)
            prev_collapsed = True
        else:
            out.extend(_join([r.parts for r in run], delim))
            prev_collapsed = False
    return out


def collapse_years(groups, mode, delim, group_delim, after_delim, ys_delim) -> list:
    out = []
    prev_collapsed = False
    for k, g in enumerate(groups):
        if k:
            out.append(after_delim if prev_collapsed else delim)
        if len(g) == 1 or not mode:
            out.extend(_join([p.parts for p in g], group_delim if len(g) > 1 else delim))
            prev_collapsed = len(g) > 1
            continue
        out.extend(_group(g, mode, group_delim, ys_delim, after_delim))
        prev_collapsed = True
    return out


def _group(g, mode, group_delim, ys_delim, after_delim):
    chunks = [g[0].parts]
    seps = []
    prev = g[0]
    run_letters = []
    in_run = False
    for p in g[1:]:
        same_year = mode in ("year-suffix", "year-suffix-ranged") and p.ys is not None and \
            prev.ys is not None and p.year == prev.year and p.plain_cite and prev.plain_cite
        if same_year:
            chunks.append([p.ys])
            seps.append(ys_delim)
            in_run = True
        elif p.rest:
            chunks.append(p.rest)
            plain_pair = prev.plain_cite and p.plain_cite
            seps.append(group_delim if plain_pair and not in_run else after_delim)
            in_run = False
        else:
            continue
        prev = p
    if mode == "year-suffix-ranged":
        chunks, seps = _range_suffixes(g, chunks, seps, ys_delim)
    out = list(chunks[0])
    for s, c in zip(seps, chunks[1:]):
        out.append(s)
        out.extend(c)
    del run_letters
    return out


def _range_suffixes(g, chunks, seps, ys_delim):
    """Replace runs of 3+ consecutive suffix letters joined by ys_delim with first–last."""
    new_chunks, new_seps = [chunks[0]], []
    k = 1
    while k < len(chunks):
        j = k
        while j < len(chunks) and seps[j - 1] == ys_delim and _letter(g[j]) is not None and \
                _letter(g[j - 1]) is not None and ord(_letter(g[j])) == ord(_letter(g[j - 1])) + 1:
            j += 1
        if j - k >= 2:
            new_chunks[-1] = list(new_chunks[-1]) + ["\u2013"] + chunks[j - 1]
            k = j
            continue
        new_seps.append(seps[k - 1])
        new_chunks.append(chunks[k])
        k += 1
    return new_chunks, new_seps


def _letter(p):
    if p.ys is None:
        return None
    t = plain([p.ys])
    return t[-1] if len(t) == 1 else None


def without_ys(parts):
    return _without_ys(parts)
