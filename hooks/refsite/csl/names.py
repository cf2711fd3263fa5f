"""cs:names and cs:name: name lists, et-al, labels, substitution, initials, particles, order."""
from __future__ import annotations

import re

from .fmt import decorate, join
from .richtext import F, FMT_KIND, parse_markup, plain

_ROMANESQUE = re.compile(r"^[\s\u0000-\u036f\u0370-\u03ff\u0400-\u052f\u1e00-\u1fff'\u2019\-.,\"]*$")


def is_romanesque(nm: dict) -> bool:
    return bool(_ROMANESQUE.match(nm.get("family", "") + nm.get("given", "")))


def _opts(node, name_node, ctx) -> dict:
    o = dict(ctx.name_opts)
    if "name-form" in o:
        o.setdefault("form", o["name-form"])
    if "name-delimiter" in o:
        o["delimiter"] = o["name-delimiter"]
    else:
        o.pop("delimiter", None)
    if name_node is not None:
        o.update(name_node.a)
    o.setdefault("delimiter", ", ")
    return o


# ---------------------------------------------------------------------------------------------
# Initials
def initialize(given: str, init_with: str | None, initialize: bool = True, hyphen: bool = True) -> str:
    """Initials of a given name (``John Aloysius`` -> ``J. A.``; ``Jean-Paul`` -> ``J.-P.``).

    Tokens written with a period are kept as initials; lowercase words (particles) stay whole;
    with ``initialize=False`` only single letters and period-marked tokens become initials."""
    if init_with is None:
        return given
    res, prev_full = "", False
    for hy, w, dot in re.findall(r"(-?)[\s\u00a0]*([^\s.\-\u00a0]+)(\.?)", given):
        if hy and w[0].islower() and initialize:
            continue
        if w[0].islower() and not dot:
            piece, full = w, True
        elif dot or len(w) == 1:
            piece, full = w + init_with, False
        elif initialize:
            two = w[:2] if len(w) > 2 and w[:2].isupper() and w[2].islower() else w[0]
            piece, full = two[0] + two[1:].lower() + init_with, False
        else:
            piece, full = w, True
        if res:
            if hy:
                res = res.rstrip() + ("-" if hyphen or full else "")
            elif (full or prev_full) and not res.endswith(" "):
                res += " "
        res += piece
        prev_full = full
    return res.strip()


# ---------------------------------------------------------------------------------------------
def _np(name_parts, which, text, ctx, case=True):
    """A name piece with the formatting (and text-case) of cs:name-part ``which``."""
    parts = parse_markup(text.replace("'", "\u2019")) if text else []
    node = name_parts.get(which)
    if node is None or not parts:
        return parts
    if not case and node.text_case:
        for k, v in node.fmt:
            kind = FMT_KIND.get((k, v))
            if kind:
                parts = [F(kind, parts)]
        return parts
    return decorate(node, parts, ctx.lang, affixes=False)


def _affix(name_parts, which, parts):
    node = name_parts.get(which)
    if node is None or not parts:
        return parts
    return ([node.prefix] if node.prefix else []) + parts + ([node.suffix] if node.suffix else [])


def _seq(pieces):
    """Join (text, parts) pieces with spaces, except after an apostrophe or hyphen."""
    out, prev = [], ""
    for text, parts in pieces:
        if not text:
            continue
        if out:
            if not (prev[-1] in "'\u2019-\u00a0 "):
                out.append(" ")
        out.extend(parts)
        prev = text
    return out


def is_inverted(nm: dict, idx: int, o: dict, ctx) -> bool:
    if "literal" in nm or not nm.get("family") or not is_romanesque(nm):
        return False
    if o.get("form", "long") == "short":
        return False
    nas = o.get("name-as-sort-order")
    if ctx.sorting and ctx.sort_names is not None:
        nas = "all"
    return nas == "all" or (nas == "first" and idx == 0)


def render_person(nm: dict, idx: int, o: dict, level: int, ctx, name_parts, inverted_ok=True) -> list:
    """One name as output parts. ``level``: disambiguation (1 initials, 2 full given)."""
    def P(which, text, case=True):
        parts = _np(name_parts, which, text, ctx, case)
        if text and text[:1].islower() and which == "family" and text != nm.get("family"):
            parts = [F("nocase", parts)]
        elif text and not case:
            parts = [F("nocase", parts)]
        return text, parts
    if "literal" in nm:
        return _affix(name_parts, "family", _np(name_parts, "family", nm["literal"], ctx))
    family, given = nm.get("family", "").strip(), nm.get("given", "").strip()
    if not family:
        return _affix(name_parts, "given", _np(name_parts, "given", given, ctx))
    form, init_with = o.get("form", "long"), o.get("initialize-with")
    if form == "short" and level >= 1:
        form = "long"
    if level >= 2:
        init_with = None
    dp, ndp = nm.get("dropping-particle", ""), nm.get("non-dropping-particle", "")
    suffix = nm.get("suffix", "")
    if not is_romanesque(nm):
        fam = _affix(name_parts, "family", _np(name_parts, "family", family, ctx))
        if form == "short":
            return fam
        return fam + _affix(name_parts, "given", _np(name_parts, "given", given, ctx))
    if form == "short":
        return _affix(name_parts, "family", _seq([P("family", ndp), P("family", family)]))
    if init_with is not None and given:
        given = initialize(re.sub(r"<[^>]+>", "", given), init_with,
                           o.get("initialize", "true") != "false",
                           ctx.style.opts.get("initialize-with-hyphen", "true") != "false")
    if not (inverted_ok and is_inverted(nm, idx, o, ctx)):
        g = _affix(name_parts, "given", _np(name_parts, "given", given, ctx))
        fam = _seq([P("given", dp, False), P("family", ndp), P("family", family)])
        if suffix:
            fam += [", " if nm.get("comma-suffix") else " ", suffix.replace("'", "\u2019")]
        fam = _affix(name_parts, "family", fam)
        sep = [" "] if g and fam and not plain(g)[-1:].isspace() else []
        return g + sep + fam
    sort_sep = o.get("sort-separator", ", ")
    demote = ctx.style.opts.get("demote-non-dropping-particle", "display-and-sort")
    if demote == "display-and-sort":
        fam = _seq([P("family", family)])
        g = _seq([P("given", given), P("given", dp, False), P("family", ndp)])
    else:
        fam = _seq([P("family", ndp), P("family", family)])
        g = _seq([P("given", given), P("given", dp, False)])
    out = _affix(name_parts, "family", fam)
    if g:
        out += [sort_sep] + _affix(name_parts, "given", g)
    if suffix:
        out += [sort_sep, suffix.replace("'", "\u2019")]
    return out


def _and_term(o, ctx):
    a = o.get("and")
    if a == "text":
        return ctx.locale.term("and") or "and"
    if a == "symbol":
        return "&"
    return None


def _etal_limits(o, ctx):
    """(et-al-min, et-al-use-first, et-al-use-last) for this rendering."""
    emin, efirst = _int(o.get("et-al-min")), _int(o.get("et-al-use-first"))
    if ctx.mode == "citation" and ctx.cite.position >= 1:
        emin = _int(o.get("et-al-subsequent-min")) or emin
        efirst = _int(o.get("et-al-subsequent-use-first")) or efirst
    use_last = o.get("et-al-use-last") == "true"
    if ctx.sorting and ctx.sort_names is not None:
        smin, sfirst, slast = ctx.sort_names
        emin = smin if smin is not None else emin
        efirst = sfirst if sfirst is not None else efirst
        use_last = slast if slast is not None else use_last
    return emin, efirst, use_last


def _render_shown(var, names, o, ctx, name_parts):
    """Each shown name, wrapped as a person node, at its disambiguation level."""
    globals_ = ctx.global_givens or {}
    out = []
    for i, nm in enumerate(names):
        level = ctx.disamb.givens.get((var, i), 0)
        if i == 0 or ctx.proc.global_rule_all:
            level = max(level, globals_.get(person_key(nm), 0))
        out.append([F("person", render_person(nm, i, o, level, ctx, name_parts))])
    return out


def _names_list(var, names, o, ctx, etal_node, name_parts):
    """Render one variable's names (et-al truncation, delimiters, and): (count, parts)."""
    names = list(names)
    force_etal = len(names) > 1 and names[-1].get("literal", "").lower() == "others"
    if force_etal:
        names.pop()
    n = len(names)
    emin, efirst, use_last = _etal_limits(o, ctx)
    shown = n
    if emin and efirst is not None and n >= emin:
        shown = min(n, max(efirst, 0) + ctx.disamb.add_names)
    truncated = shown < n or force_etal
    if o.get("form") == "count":
        return shown, []
    rendered = _render_shown(var, names[:shown], o, ctx, name_parts)
    if not rendered:
        return 0, []
    last = None
    if truncated and use_last and 1 <= shown < n - 1:
        last = render_person(names[-1], n - 1, o, 0, ctx, name_parts)
    if ctx.sorting:
        return shown, join(rendered + ([last] if last else []), "  ")
    inv = [is_inverted(nm, i, o, ctx) for i, nm in enumerate(names[:shown])]
    delim = o.get("delimiter", ", ")
    if last:
        return shown, [F("namelist", join(rendered, delim) + [delim, "\u2026 "] + last)]
    if truncated:
        etal = _et_al(o, ctx, etal_node, len(rendered), inv[-1])
        return shown, [F("namelist", join(rendered, delim) + etal)]
    return shown, [F("namelist", _join_with_and(rendered, inv, o, ctx))]


def _et_al(o, ctx, etal_node, count, last_inverted) -> list:
    """The et-al term with the delimiter or space before it."""
    term = (etal_node.a.get("term") if etal_node is not None else None) or "et-al"
    et = ctx.locale.term(term) or ""
    if not et:
        return []
    etp = parse_markup(et)
    if etal_node is not None:
        etp = decorate(etal_node, etp, ctx.lang)
    dpe = o.get("delimiter-precedes-et-al", "contextual")
    use_delim = dpe == "always" or (dpe == "contextual" and count >= 2) or \
        (dpe == "after-inverted-name" and last_inverted)
    sep = o.get("delimiter", ", ") if use_delim else ("" if _cjk(et[:1]) else " ")
    return [sep] + etp


def _join_with_and(rendered, inv, o, ctx) -> list:
    """Names joined by the delimiter, the last one by "and" where the style asks."""
    if len(rendered) == 1:
        return rendered[0]
    delim = o.get("delimiter", ", ")
    out = join(rendered[:-1], delim)
    and_t = _and_term(o, ctx)
    if and_t is None:
        return out + [delim] + rendered[-1]
    dpl = o.get("delimiter-precedes-last", "contextual")
    use_delim = dpl == "always" or (dpl == "contextual" and len(rendered) >= 3) or \
        (dpl == "after-inverted-name" and inv[-2])
    if and_t[-1:].isspace():  # a term that carries its own spacing (Hebrew "ו")
        return out + ([delim] if use_delim else []) + [and_t] + rendered[-1]
    return out + [delim if use_delim else " ", and_t, " "] + rendered[-1]


def _cjk(ch: str) -> bool:
    return bool(ch) and ("\u2e80" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af")


def person_key(nm: dict):
    given = re.sub(r"[\s.]", "", nm.get("given", ""))
    return (nm.get("family", ""), given, nm.get("literal", ""), nm.get("non-dropping-particle", ""))


def _int(v):
    try:
        return int(v) if v is not None else None
    except ValueError:
        return None


def _children(node):
    name = etal = label = subst = None
    label_after = False
    for c in node.children:
        if c.tag == "name":
            name = c
        elif c.tag == "et-al":
            etal = c
        elif c.tag == "label":
            label = c
            label_after = name is not None
        elif c.tag == "substitute":
            subst = c
    return name, etal, label, subst, label_after


def _label(label, var, count, ctx):
    if label is None:
        return []
    p = label.a.get("plural", "contextual")
    plural = p == "always" or (p == "contextual" and count > 1)
    t = ctx.locale.term(var, label.a.get("form", "long"), plural)
    if not t:
        return []
    if label.strip_periods:
        t = t.replace(".", "")
    return decorate(label, parse_markup(t), ctx.lang)


def _render_vars(node, ctx, name, etal, label, label_after, values):
    o = _opts(node, name, ctx)
    name_parts = {c.a.get("name"): c for c in name.children} if name is not None else {}
    outs, total = [], 0
    for var, lst in values:
        count, out = _names_list(var, lst, o, ctx, etal, name_parts)
        total += count
        if o.get("form") == "count" or not out:
            continue
        if name is not None:
            out = decorate(name, out, ctx.lang)
        lab = _label(label, var, len(lst), ctx) if not ctx.sorting else []
        out = out + lab if label_after else lab + out
        outs.append(out)
    if o.get("form") == "count":
        return [str(total)] if total else []
    delim = node.a.get("delimiter", ctx.name_opts.get("names-delimiter", ""))
    return join(outs, delim)


def _values(node, ctx):
    values = [(v, ctx.var(v)) for v in node.vars]
    values = [(v, x) for v, x in values if isinstance(x, list) and x]
    names_of = dict(values)
    if "editor" in names_of and "translator" in names_of and \
            names_of["editor"] == names_of["translator"] and ctx.locale.term("editortranslator"):
        values = [(("editortranslator" if v == "editor" else v), x) for v, x in values if v != "translator"]
    return values


def render_names(node, ctx, inherit=None):
    """Render a cs:names element (with substitution and suppress-author)."""
    name, etal, label, subst, label_after = _children(node)
    if inherit is None and ctx.substituting and ctx.substitute_names is not None:
        inherit = ctx.substitute_names      # a cs:names inside a cs:choose of a cs:substitute
    if inherit is not None and name is None and etal is None and label is None:
        name, etal, label, label_after = inherit
    ctx.called += 1
    values = _values(node, ctx)
    out = []
    if values:
        out = _render_vars(node, ctx, name, etal, label, label_after, values)
        if ctx.sorting and ctx.sort_names is None and out:
            pass
    elif subst is not None:
        for child in subst.children:
            saved = (ctx.called, ctx.found)
            ctx.substituting += 1
            if child.tag == "names":
                out = render_names(child, ctx, (name, etal, label, label_after))
            else:
                saved_names, ctx.substitute_names = ctx.substitute_names, (name, etal, label, label_after)
                out = ctx.render(child)
                ctx.substitute_names = saved_names
            ctx.substituting -= 1
            ctx.called, ctx.found = saved
            if out:
                # what the substitute rendered is suppressed for the rest of the entry: the
                # variables it printed (recorded as they render), not every variable it mentions
                if child.tag == "names":
                    ctx.suppressed.update(_vars_of(child, ctx))
                break
        if out:
            ctx.found += 1
            out = decorate(node, out, ctx.lang) if inherit is None else out
            return _finish(ctx, out, inherit)
        return []
    if not out:
        return []
    ctx.found += 1
    if ctx.substituting:
        ctx.suppressed.update(v for v, _ in values)
    out = decorate(node, out, ctx.lang)
    return _finish(ctx, out, inherit)


def _finish(ctx, out, inherit):
    if inherit is not None:
        return out
    if ctx.names_done:
        return out
    ctx.names_done = True
    if ctx.suppress_author:
        return []
    return [F("names", out)]


def _vars_of(node, ctx, seen=None):
    seen = seen if seen is not None else set()
    vs = set(node.vars)
    m = node.a.get("macro")
    if m and m not in seen and node.tag == "text":
        seen.add(m)
        mac = ctx.style.macros.get(m)
        if mac is not None:
            vs |= _vars_of(mac, ctx, seen)
    for c in node.children:
        vs |= _vars_of(c, ctx, seen)
    return vs
