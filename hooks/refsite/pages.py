"""Markdown (and HTML fragments) of the generated pages: bibliography, glossary index, term pages.

Pure functions of their inputs, so they can be checked against golden files. All text that comes
from BibTeX or YAML is escaped here; only http(s) URLs ever become links.
"""
from __future__ import annotations

import posixpath
import unicodedata
from collections import defaultdict
from urllib.parse import quote

from markupsafe import Markup, escape

MD_ESCAPED = set("\\`*_{}[]()>#+-.!|")
PLACEHOLDER = "<!-- refsite:{} -->"


def md_escape(text: str) -> str:
    """Text as literal Markdown: entities for & and <, backslashes for Markdown's own characters."""
    out = []
    for ch in str(text):
        if ch == "&":
            out.append("&amp;")
        elif ch == "<":
            out.append("&lt;")
        elif ch in MD_ESCAPED:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def yaml_str(text: str) -> str:
    """A double-quoted YAML scalar holding HTML-escaped text: MkDocs and Material put page titles
    into the HTML unescaped, so a title from BibTeX or YAML must arrive escaped."""
    text = str(escape(str(text)))
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def rel(from_src: str, to_src: str) -> str:
    return posixpath.relpath(to_src, posixpath.dirname(from_src) or ".")


def first_letter(text: str) -> str:
    base = unicodedata.normalize("NFKD", text.strip())
    for ch in base:
        if ch.isalpha():
            return ch.upper() if ch.isascii() else ch.upper()
        if ch.isdigit():
            return "0–9"
    return "#"


# -- bibliography page ---------------------------------------------------------------------------

def bibliography_markdown(src: str, exports: dict[str, str], title: str = "Bibliography") -> str:
    """The bibliography page's skeleton; entries, indexes and chart are filled in after rendering."""
    links = " · ".join(f"[{label}]({rel(src, path)})" for label, path in exports.items())
    return f"""---
title: {yaml_str(title)}
refsite_generated: bibliography
---

# {md_escape(title)}

{PLACEHOLDER.format("summary")}

Download the whole bibliography: {links}. Each entry below can be copied as BibTeX or as a
formatted reference, downloaded as RIS or CSL-JSON, and saved with Zotero's browser connector.

## At a glance

{PLACEHOLDER.format("glance")}

{PLACEHOLDER.format("incomplete")}

## Works

{PLACEHOLDER.format("finder")}

{PLACEHOLDER.format("entries")}

## By author

{PLACEHOLDER.format("authors")}

## By year

{PLACEHOLDER.format("years")}
"""


def entry_html(*, key: str, anchor: str, label: str, reference: str, incomplete: bool,
               coins: str, bib_href: str, ris_href: str, csl_href: str, filename: str,
               backlinks: list[tuple[str, str, str]], copy_as=(), search_html: str = "") -> str:
    """One bibliography entry. ``reference`` is trusted HTML from the formatter; all else is text.
    Search skips the tools and the backlinks (``data-search-exclude`` on an element with no nested
    element of the same tag: Material's search parser ends the exclusion at the first closing tag
    of that name)."""
    parts = [f'<div class="refsite-entry" data-key="{escape(key)}">',
             f'<h3 class="refsite-entry__label" id="{escape(anchor)}">{escape(label)}</h3>',
             f'<div class="csl-entry">{Markup(reference)}</div>']
    if search_html:     # trusted HTML (searchwords.hidden_html): not in .csl-entry, which is copied
        parts.append(search_html)
    if incomplete:
        parts.append('<p class="refsite-incomplete"><span class="refsite-incomplete__badge">'
                     'Incomplete reference</span> Only some details of this work could be '
                     'verified; the missing ones are left out rather than guessed.</p>')
    # The COinS span (for Zotero) sits with the tools: metadata, not text, so search skips it too.
    # The script copies the entry's BibTeX record (cut out of the site-wide file) and its text as
    # shown; downloads save the entry's own record. Without the script the links open the files.
    tools = ['<div class="refsite-entry__tools" data-search-exclude>',
             f'<span class="Z3988" title="{escape(coins)}"></span>',
             '<button type="button" class="md-button refsite-copy" data-copy-from="bibtex">Copy BibTeX</button>',
             '<button type="button" class="md-button refsite-copy" data-copy-from="entry">Copy reference</button>']
    tools += [f'<button type="button" class="md-button refsite-copy" data-copy="{escape(text)}">'
              f'Copy as {escape(label)}</button>' for label, text in copy_as]
    for name, fmt, href, ext in (("BibTeX", "bibtex", bib_href, "bib"), ("RIS", "ris", ris_href, "ris"),
                                 ("CSL-JSON", "csl-json", csl_href, "json")):
        tools.append(f'<a class="md-button refsite-download" href="{escape(href)}" data-format="{fmt}" '
                     f'data-filename="{escape(filename)}.{ext}">{name}</a>')
    tools.append('</div>')
    parts.append("".join(tools))
    if backlinks:
        count = len(backlinks)
        inner = [f'<p class="refsite-backlinks__title">Cited in {count} place{"s" if count != 1 else ""}:</p><ol>']
        for href, where, snippet in backlinks:
            inner.append(f'<li><a href="{escape(href)}">{escape(where)}</a>'
                         + (f' <q class="refsite-snippet">{escape(snippet)}</q>' if snippet else "")
                         + "</li>")
        inner.append("</ol>")
        parts.append('<div class="refsite-backlinks" data-search-exclude>' + "".join(inner) + "</div>")
    parts.append("</div>")
    return "".join(parts)


def author_index_html(works_by_author: dict[str, list[tuple[str, str]]]) -> str:
    """A–Z list: author display name -> [(href, label)]."""
    letters: dict[str, list[str]] = defaultdict(list)
    for name in sorted(works_by_author, key=lambda n: (unicodedata.normalize("NFKD", n).casefold(), n)):
        letters[first_letter(name)].append(name)
    # Index pages are for browsing: search finds the works themselves (each entry is a section), so
    # the indexes stay out of the search index (they would only repeat every name and year).
    out = ['<nav class="refsite-letters" aria-label="Authors by letter">']
    out.append(" ".join(f'<a href="#authors-{escape(_slug_letter(l))}">{escape(l)}</a>' for l in letters))
    out.append("</nav>")
    for letter, names in letters.items():
        out.append(f'<h3 id="authors-{escape(_slug_letter(letter))}" class="refsite-letter">{escape(letter)}</h3>')
        out.append('<ul class="refsite-index">')
        for name in names:
            works = ", ".join(f'<a href="{escape(h)}">{escape(l)}</a>' for h, l in works_by_author[name])
            out.append(f"<li><span class=\"refsite-index__name\">{escape(name)}</span>: {works}</li>")
        out.append("</ul>")
    return ('<div class="refsite-author-index" data-search-exclude>'
            + "\n".join(out) + "</div>")


def _slug_letter(letter: str) -> str:
    return "0-9" if letter == "0–9" else ("other" if letter == "#" else quote(letter.lower()))


def year_index_html(works_by_year: dict[str, list[tuple[str, str]]]) -> str:
    def order(y):
        return (0, -int(y)) if y.isdigit() else (1, y)
    out = []
    for year in sorted(works_by_year, key=order):
        works = ", ".join(f'<a href="{escape(h)}">{escape(l)}</a>' for h, l in works_by_year[year])
        out.append(f"<dt>{escape(year)}</dt><dd>{works}</dd>")
    return ('<dl class="refsite-years" data-search-exclude>'
            + "\n".join(out) + "</dl>")


def year_chart_svg(counts: dict[str, int]) -> str:
    """Column chart of cited works per year, drawn at build time; colours follow the theme."""
    years = sorted((y for y in counts if y.isdigit()), key=int)
    if not years:
        return ""
    lo, hi = int(years[0]), int(years[-1])
    span = list(range(lo, hi + 1)) if hi - lo <= 60 else [int(y) for y in years]
    peak = max(counts.values())
    bar, gap, height, top, bottom = 22, 6, 120, 14, 22
    width = len(span) * (bar + gap) + 40
    total = sum(counts[y] for y in years)
    desc = "; ".join(f"{y}: {counts[y]}" for y in years)
    # The frame scrolls sideways when the chart is wider than the screen (its labels stay at 12 px):
    # focusable, so the keyboard scrolls it too.
    out = ['<p class="refsite-chart__caption" id="refsite-chart-years-c">Cited works per year of publication</p>',
           '<div class="refsite-chart__frame" role="group" tabindex="0" aria-labelledby="refsite-chart-years-c">',
           f'<svg class="refsite-chart" role="img" viewBox="0 0 {width} {height + top + bottom}" '
           f'width="{width}" height="{height + top + bottom}" aria-labelledby="refsite-chart-years-t refsite-chart-years-d">',
           f'<title id="refsite-chart-years-t">Cited works per year of publication ({total} works)</title>',
           f'<desc id="refsite-chart-years-d">{escape(desc)}</desc>']
    for i, year in enumerate(span):
        n = counts.get(str(year), 0)
        x = 30 + i * (bar + gap)
        h = 0 if not peak else round(n / peak * height)
        if n:
            out.append(f'<rect class="refsite-chart__bar" x="{x}" y="{top + height - h}" width="{bar}" height="{h}">'
                       f'<title>{year}: {n}</title></rect>')
            out.append(f'<text class="refsite-chart__value" x="{x + bar / 2}" y="{top + height - h - 3}" '
                       f'text-anchor="middle">{n}</text>')
        if len(span) <= 24 or year % 5 == 0 or year in (lo, hi):
            out.append(f'<text class="refsite-chart__axis" x="{x + bar / 2}" y="{top + height + 14}" '
                       f'text-anchor="middle">{"’" + str(year)[2:] if len(span) > 4 else year}</text>')
    out.append(f'<line class="refsite-chart__base" x1="26" x2="{width - 6}" y1="{top + height}" y2="{top + height}"/>')
    out.append("</svg></div>")
    return "".join(out)


def top_cited_html(rows: list[tuple[str, str, str, int, list[tuple[str, str]]]]) -> str:
    """rows: (href, label, title, count, [(page href, page title)]) for the most-cited works. The
    work is its short label with its title on a line of its own below (unless the label is the
    title), so the column stays narrow. The table's roles are explicit: on a phone the stylesheet
    shows each row as a block, which would otherwise cost it its table semantics."""
    if not rows:
        return ""
    peak = max(r[3] for r in rows)
    out = ['<table class="refsite-top" role="table"><caption>Most-cited works</caption>'
           '<thead role="rowgroup"><tr role="row"><th scope="col" role="columnheader" class="refsite-top__work">Work</th>'
           '<th scope="col" role="columnheader" class="refsite-top__count">Citations</th>'
           '<th scope="col" role="columnheader" class="refsite-top__where">Cited on</th></tr></thead><tbody role="rowgroup">']
    for href, label, title, count, pages in rows:
        width = max(4, round(count / peak * 100))
        bar = (f'<svg class="refsite-bar" width="100" height="10" aria-hidden="true" focusable="false">'
               f'<rect width="{width}" height="10"/></svg>')
        where = ", ".join(f'<a href="{escape(h)}">{escape(t)}</a>' for h, t in pages)
        shown_title = title if title and title.casefold() not in label.casefold() else ""
        title_html = f'<span class="refsite-top__title">{escape(shown_title)}</span>' if shown_title else ""
        out.append(f'<tr role="row"><td role="cell" class="refsite-top__work"><a href="{escape(href)}">{escape(label)}</a>'
                   f'{title_html}</td><td role="cell" class="refsite-top__count">{bar} {count}'
                   f'<span class="refsite-top__unit"> citation{"s" if count != 1 else ""}</span></td>'
                   f'<td role="cell" class="refsite-top__where"><span class="refsite-top__unit">Cited on </span>'
                   f'{where}</td></tr>')
    out.append("</tbody></table>")
    return "".join(out)


# -- finding a work among thousands: A–Z jumps, a filter box, the incomplete ones ------------------

AZ = tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def works_letter_slug(letter: str) -> str:
    """The id of a letter's group in the list of works ("works-a", "works-ł"): the letter itself,
    as browsers match a fragment against ids once percent-decoded."""
    return "works-" + ("0-9" if letter == "0–9" else "other" if letter == "#" else letter.lower())


def authors_letter_slug(letter: str) -> str:
    """The id of a letter in the author index ("authors-a")."""
    return "authors-" + _slug_letter(letter)


def jump_letters(present) -> list[str]:
    """The letters of an A–Z bar: digits first when present, A–Z always, then any other letter
    present (non-Latin scripts) in the order given, "#" (other) last."""
    present = list(dict.fromkeys(present))
    extra = [l for l in present if l not in AZ and l not in ("0–9", "#")]
    return ((["0–9"] if "0–9" in present else []) + list(AZ) + extra
            + (["#"] if "#" in present else []))


def works_finder_html(jumps: list[tuple[str, str | None]], total: int, label: str) -> str:
    """The A–Z bar (``jumps``: letter -> href, None for a letter with no works: shown, disabled)
    and the filter box, which the script reveals (without the script there is nothing to type in).
    The status line is the live region that says how many works match."""
    items = []
    for letter, href in jumps:
        name = f' aria-label="Other"' if letter == "#" else ""
        if href:
            items.append(f'<li><a href="{escape(href)}"{name}>{escape(letter)}</a></li>')
        else:
            items.append(f'<li><span class="refsite-az__off" role="link" aria-disabled="true"{name}>'
                         f'{escape(letter)}</span></li>')
    works = f"{total:,} work{'s' if total != 1 else ''}"
    return ('<section class="refsite-finder" aria-label="Find a work" data-search-exclude>'
            f'<nav class="refsite-az" aria-label="{escape(label)}"><ul>{"".join(items)}</ul></nav>'
            '<div class="refsite-filter" role="search" aria-label="Filter the works" hidden>'
            '<label class="refsite-filter__label" for="refsite-filter">Filter the works</label>'
            '<input class="refsite-filter__input" id="refsite-filter" type="search" autocomplete="off" '
            'spellcheck="false" placeholder="Author, title or year" aria-controls="refsite-works" '
            'aria-describedby="refsite-filter-status">'
            f'<p class="refsite-filter__status" id="refsite-filter-status" role="status">{works}</p>'
            '</div></section>')


def works_html(groups: list[tuple[str | None, list[str]]]) -> str:
    """The entries, in groups by letter (``(letter, [entry HTML])``; one group with letter None
    when the list is not in alphabetical order). A letter's heading is left out of search."""
    out = ['<div class="refsite-works" id="refsite-works">']
    for letter, entries in groups:
        if letter is None:
            out.extend(entries)
            continue
        out.append(f'<div class="refsite-works__group" data-letter="{escape(letter)}">'
                   f'<h3 class="refsite-letter" id="{escape(works_letter_slug(letter))}" data-search-exclude>'
                   f'{escape("Other" if letter == "#" else letter)}</h3>')
        out.extend(entries)
        out.append("</div>")
    out.append('<p class="refsite-works__none" data-search-exclude hidden>No work matches the filter.</p></div>')
    return "\n".join(out)


def incomplete_list_html(rows: list[tuple[str, str, str]]) -> str:
    """The works marked as incomplete (href, label, title) as a list of links to their entries."""
    if not rows:
        return ""
    items = "".join(f'<li><a href="{escape(h)}">{escape(label)}</a>'
                    + (f' <span class="refsite-incomplete-list__title">{escape(title)}</span>' if title else "")
                    + "</li>" for h, label, title in rows)
    return ('<h3 class="refsite-incomplete-list__heading" id="incomplete-works" data-search-exclude>'
            f'Marked as incomplete ({len(rows)})</h3>'
            '<p class="refsite-incomplete-list__intro">Only some details of these works could be verified; '
            'the missing ones are left out rather than guessed.</p>'
            f'<ul class="refsite-incomplete-list">{items}</ul>')


# -- glossary ----------------------------------------------------------------------------------

def glossary_index_markdown(index_src: str, terms, term_src, title: str = "Glossary") -> str:
    """A–Z index with letter jumps; each term with its short definition."""
    letters: dict[str, list] = defaultdict(list)
    for term in terms:
        letters[first_letter(term.term)].append(term)
    jumps = " · ".join(f'<a href="#letter-{_slug_letter(l)}">{escape(l)}</a>' for l in letters)
    out = [f"---\ntitle: {yaml_str(title)}\nrefsite_generated: glossary\n---\n",
           f"# {md_escape(title)}\n",
           f"{len(terms)} terms. Terms are linked where they first appear on a page; hover or focus a "
           "linked term to read its definition.\n",
           f'<nav class="refsite-letters" aria-label="Terms by letter">{jumps}</nav>\n']
    for letter, items in letters.items():
        out.append(f'<h2 id="letter-{_slug_letter(letter)}" class="refsite-letter">{escape(letter)}</h2>\n')
        for term in items:
            out.append(f"[{md_escape(term.term)}]({rel(index_src, term_src(term))})\n"
                       f":   {md_escape(term.short)}\n")
    return "\n".join(out)


def term_markdown(src: str, term, glossary, term_src, index_src: str) -> str:
    aliases = ", ".join(md_escape(a) for a in term.aliases)
    out = [f"---\ntitle: {yaml_str(term.term)}\nsearch:\n  boost: 8\nrefsite_generated: term\n"
           f"refsite_term: {yaml_str(term.slug)}\n---\n",
           f"# {md_escape(term.term)}\n",
           _safe_markdown(term.definition) + "\n"]
    if term.aliases:   # the term's own names are not linked on its page
        out.append(f'**Also:** <span class="refsite-noterm">{aliases}</span>\n')
    see = [glossary.lookup(name) for name in term.see_also]
    see = [t for t in see if t is not None]
    if see:
        out.append("## See also\n")
        out.extend(f"- [{md_escape(t.term)}]({rel(src, term_src(t))})" for t in see)
        out.append("")
    out.append("## Appears in\n")
    out.append(PLACEHOLDER.format("appears") + "\n")
    out.append(f"[← All terms]({rel(src, index_src)})\n")
    return "\n".join(out)


def _safe_markdown(text: str) -> str:
    """Glossary Markdown with raw HTML neutralised (shown as text, never run)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;")


def appears_html(rows: list[tuple[str, str, int]]) -> str:
    """rows: (href, 'Page › Section', count)."""
    if not rows:
        return '<p class="refsite-appears refsite-appears--none">This term is not used on any page yet.</p>'
    items = "".join(f'<li><a href="{escape(h)}">{escape(w)}</a>'
                    + (f' <span class="refsite-appears__count">({n}×)</span>' if n > 1 else "") + "</li>"
                    for h, w, n in rows)
    return f'<ul class="refsite-appears" data-search-exclude>{items}</ul>'
