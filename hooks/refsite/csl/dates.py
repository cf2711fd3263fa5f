"""cs:date and cs:date-part: localized and custom forms, ranges, seasons, BC/AD, sort keys."""
from __future__ import annotations

from .fmt import decorate, join, strip_periods
from .richtext import F, parse_markup
from .xmlutil import local

_RANK = {"year": 0, "month": 1, "day": 2}
_AFFIX_KEYS = ("prefix", "suffix")


class PartSpec:
    """A cs:date-part as used for rendering (attributes already merged)."""
    __slots__ = ("name", "a", "fmt", "prefix", "suffix", "quotes", "text_case", "strip_periods",
                 "display", "tag", "bare")

    def __init__(self, attrs: dict):
        from .style import FORMAT_ATTRS
        self.tag = "date-part"
        self.a = attrs
        self.name = attrs.get("name", "")
        self.fmt = tuple((k, attrs[k]) for k in FORMAT_ATTRS if k in attrs)
        self.prefix = attrs.get("prefix", "")
        self.suffix = attrs.get("suffix", "")
        self.quotes = False
        self.text_case = attrs.get("text-case")
        self.strip_periods = attrs.get("strip-periods") == "true"
        self.display = None
        self.bare = False


def date_specs(node, ctx):
    """(part specs, delimiter) for a cs:date node, cached per processor."""
    key = id(node)
    cache = ctx.proc.date_specs
    if key in cache:
        return cache[key]
    form = node.a.get("form")
    wanted = {"year-month-day": ("year", "month", "day"), "year-month": ("year", "month"),
              "year": ("year",)}.get(node.a.get("date-parts", "year-month-day"), ("year", "month", "day"))
    if form:
        loc = ctx.locale.dates.get(form)
        overrides = {c.a.get("name"): c.a for c in node.children if c.tag == "date-part"}
        specs = []
        if loc is not None:
            for dp in loc:
                if local(dp.tag) != "date-part" or dp.get("name") not in wanted:
                    continue
                attrs = dict(dp.attrib)
                for k, v in overrides.get(dp.get("name"), {}).items():
                    if k not in _AFFIX_KEYS:
                        attrs[k] = v
                specs.append(PartSpec(attrs))
        delim = loc.get("delimiter", "") if loc is not None else ""
    else:
        specs = [PartSpec(dict(c.a)) for c in node.children if c.tag == "date-part"]
        delim = node.delim
    cache[key] = (specs, delim)
    return cache[key]


def _year(y: int, spec, ctx) -> str:
    form = spec.a.get("form", "long")
    if y < 0:
        return f"{-y}{ctx.locale.term('bc') or 'BC'}"
    if form == "short":
        return f"{y % 100:02d}"
    if 0 < y < 1000:
        return f"{y}{ctx.locale.term('ad') or 'AD'}"
    return str(y)


def _month(m: int, season, spec, ctx):
    form = spec.a.get("form", "long")
    if m == 0 and season:
        try:
            m = 12 + int(season)
        except (TypeError, ValueError):
            return str(season)
    if m == 0:
        return None
    if 13 <= m <= 24:
        s = (m - 13) % 4 + 1
        return ctx.locale.term(f"season-{s:02d}") or ""
    if not 1 <= m <= 12:
        return None
    if form == "numeric":
        return str(m)
    if form == "numeric-leading-zeros":
        return f"{m:02d}"
    t = ctx.locale.term(f"month-{m:02d}", "short" if form == "short" else "long")
    if t and spec.strip_periods:
        t = strip_periods(t)
    return t


def _day(d: int, m: int, spec, ctx):
    if d == 0:
        return None
    form = spec.a.get("form", "numeric")
    if form == "numeric-leading-zeros":
        return f"{d:02d}"
    if form == "ordinal" and (d == 1 or not ctx.locale.limit_day_ordinals):
        gender = ctx.locale.gender(f"month-{m:02d}") if 1 <= m <= 12 else ""
        return f"{d}{ctx.locale.ordinal_suffix(d, gender)}"
    return str(d)


def _render_part(spec, ymd, dv, ctx, with_ys):
    y, m, d = ymd
    name = spec.name
    if name == "year":
        text = _year(y, spec, ctx) if y else None
    elif name == "month":
        text = _month(m, dv.season if ymd is dv.parts[0] else None, spec, ctx)
    else:
        text = _day(d, m, spec, ctx) if 1 <= m <= 12 or m == 0 else None
    if not text:
        return []
    parts = parse_markup(text)
    if name == "year" and with_ys:
        parts.append(F("ys", [with_ys]))
    return decorate(spec, parts, ctx.lang, affixes=False)


def _render_seq(specs, ymd, dv, ctx, delim, ys, strip_first_prefix=False, strip_last_suffix=False):
    rendered = [(sp, _render_part(sp, ymd, dv, ctx, ys)) for sp in specs]
    rendered = [(sp, out) for sp, out in rendered if out]
    outs = []
    for k, (sp, out) in enumerate(rendered):
        pre = "" if strip_first_prefix and k == 0 else sp.prefix
        suf = "" if strip_last_suffix and k == len(rendered) - 1 else sp.suffix
        outs.append(([pre] if pre else []) + out + ([suf] if suf else []))
    return join(outs, delim)


def sort_key(dv, shown=("year", "month", "day")) -> str:
    def one(p):
        y, m, d = p
        m = m if "month" in shown else 0
        d = d if "day" in shown else 0
        return f"{y + 10000:05d}{m:02d}{d:02d}"
    if dv.literal and not dv.parts:
        return dv.literal
    s = one(dv.parts[0])
    if len(dv.parts) > 1:
        s += "/" + one(dv.parts[1])
    return s


def _year_suffix(ctx, var):
    ys = ctx.disamb.year_suffix
    if ys and not ctx.style.uses_year_suffix and not ctx.ys_done and var == "issued":
        ctx.ys_done = True
        return ys
    return None


def render_date(node, ctx):
    var = node.a.get("variable", "")
    ctx.called += 1
    dv = None if var in ctx.suppressed else ctx.item.get(var)
    if dv is None or not hasattr(dv, "parts"):
        return []
    out = _render_date(node, ctx, var, dv)
    if out:
        ctx.found += 1
        if ctx.substituting:   # a date a substitute printed is not printed again
            ctx.suppressed.add(var)
    return out


def _render_date(node, ctx, var, dv):
    if dv.literal and not dv.parts and not ctx.sorting:
        return decorate(node, parse_markup(dv.literal), ctx.lang)
    specs, delim = date_specs(node, ctx)
    shown = {s.name for s in specs}
    if ctx.sorting:
        return [sort_key(dv, shown)]
    ys = _year_suffix(ctx, var) if "year" in shown else None
    d1 = dv.parts[0]
    out = None
    if len(dv.parts) > 1:
        d2 = dv.parts[1]
        d2 = tuple(b if b else (a if k == 0 else 0) for k, (a, b) in enumerate(zip(d1, d2)))
        diff = next((n for n in ("year", "month", "day") if n in shown and
                     d1[_RANK[n]] != d2[_RANK[n]]), None)
        if diff is not None:
            out = _render_range(specs, d1, d2, dv, ctx, delim, diff, ys)
    if out is None:
        out = _render_seq(specs, d1, dv, ctx, delim, ys)
        if dv.open_range and out:
            rd = next((s.a.get("range-delimiter") for s in specs if s.name == "year"), None)
            out = out + [rd or "\u2013"]
    return decorate(node, out, ctx.lang)


def _render_range(specs, d1, d2, dv, ctx, delim, diff, ys):
    rank = _RANK[diff]
    idx = [k for k, s in enumerate(specs) if _RANK.get(s.name, 0) >= rank]
    i0, i1 = min(idx), max(idx)
    rd = next((s.a.get("range-delimiter") for s in specs if s.name == diff), None) or "\u2013"
    before = _render_seq(specs[:i0], d1, dv, ctx, delim, None)
    seg1 = _render_seq(specs[i0:i1 + 1], d1, dv, ctx, delim, None, strip_last_suffix=True)
    seg2 = _render_seq(specs[i0:i1 + 1], d2, dv, ctx, delim, ys if diff == "year" else None,
                       strip_first_prefix=True)
    after = _render_seq(specs[i1 + 1:], d1, dv, ctx, delim, ys if diff != "year" else None)
    mid = seg1 + [rd] + seg2
    return join([before, mid, after], delim)
