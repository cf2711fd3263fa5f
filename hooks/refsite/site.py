"""The build: holds one build's state and does the work the MkDocs events ask for.

No MkDocs import here: the wiring module (``refsite_hooks.py``) passes plain values in and puts the
results where MkDocs wants them. State is reset by ``configure`` (called from ``on_config``), so it
survives ``mkdocs serve`` rebuilds correctly; the parsed bibliography and formatted entries are kept
while the .bib files are unchanged.
"""
from __future__ import annotations

import os
import posixpath
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field

import xml.etree.ElementTree as etree

from markupsafe import escape

from . import exports, pages
from .bibliography import Bibliography, BibliographyCache
from .config import Settings
from .diagnostics import Diagnostics
from .formatting import STYLES, Formatter
from .glossary import GlossaryLinker, build_matcher, load_glossary
from .mdext import PageContext, RefsiteExtension, anchor_for, fragment_for
from .registry import Registry

# what is left of a permalink ("&para;", "¶") after Markdown's placeholders are stripped
EXPORT_NAMES = {"BibTeX": ".bib", "RIS": ".ris", "CSL-JSON": ".json"}


@dataclass
class PageInfo:
    """What ``finalize`` needs to know about a rendered page."""

    src: str
    url: str            # site-relative URL ("summaries/intro/")
    title: str
    content: str
    meta: dict = field(default_factory=dict)


def _latex_text(value: str) -> str:
    return exports.tex_to_text(value)


# MkDocs re-executes the hook module at every `mkdocs serve` rebuild, but this package stays imported:
# caches live here so that an unchanged bibliography is neither re-parsed nor re-formatted.
_BIB_CACHE = BibliographyCache()
REFERENCES_SLOT = '<div class="refsite-references" data-search-exclude=""></div>'   # as mdext leaves it
_DEFER_RE = re.compile("\x02refsite:[0-9]+:[0-9a-f]+\x03")
_FORMATTERS: dict = {}
# The MkDocs command of this process ("build", "serve", or None when a build is run from Python).
# Kept here, not in the hook module: `mkdocs serve` re-imports the hook file for every rebuild but
# sends on_startup only once.
RUN = {"command": None}


class Site:
    def __init__(self):
        self._bib_cache = _BIB_CACHE
        self._formatter: Formatter | None = None
        self.settings = Settings()
        self.diagnostics = Diagnostics()
        self.registry = Registry()
        self.bibliography = Bibliography()
        self.glossary = None
        self.matcher = None
        self.extension = RefsiteExtension(self)
        self.config_path = "mkdocs.yml"
        self._deferred: dict[str, str] = {}
        self._deferred_pages: list[tuple[str, str]] = []
        self._defer_nonce = secrets.token_hex(6)
        self._texts: dict[str, tuple[str, str, str]] = {}    # key -> (BibTeX, RIS, CSL-JSON item)
        self._rank: dict[str, int] = {}
        self.reference_keys: dict[str, list[str]] = {}       # page -> keys of its reference list
        self._page_lists: dict[str, str] = {}                 # page -> its list's HTML, until written

    # -- configuration --------------------------------------------------------------------------
    @staticmethod
    def style_names() -> tuple[str, ...]:
        return tuple(STYLES)

    def configure(self, settings: Settings, *, config_dir: str, docs_dir: str, config_path: str,
                  site: dict) -> None:
        self.settings = settings
        self.config_dir = config_dir
        self.docs_dir = docs_dir
        self.config_path = config_path
        self.site_meta = site
        self.diagnostics = Diagnostics()
        self.registry = Registry()
        self.reference_keys = {}
        self._page_lists = {}
        self.extension = RefsiteExtension(self)
        self.bibliography, reused = self._bib_cache.load(settings.bibliography, config_dir)
        for problem in self.bibliography.problems:
            if problem.path == "mkdocs.yml":
                self.problem(self.config_path, self._config_line(problem.message), problem.message)
            else:
                self.problem(problem.path, problem.line, problem.message)
        key = (id(self.bibliography), settings.style)
        if key not in _FORMATTERS:
            _FORMATTERS.clear()      # keep only the current bibliography's formatter
            _FORMATTERS[key] = Formatter(self.bibliography.entries, settings.style)
        self._formatter = _FORMATTERS[key]
        self.glossary = None
        self.matcher = None
        if settings.glossary:
            path = os.path.join(config_dir, settings.glossary)
            shown = os.path.relpath(path, config_dir)
            if not os.path.isfile(path):
                self.problem(self.config_path, self._config_line(settings.glossary),
                             f"extra.refsite.glossary: file '{settings.glossary}' not found")
            else:
                self.glossary, problems = load_glossary(path, shown)
                self.diagnostics.extend(problems)
                self.glossary_path = os.path.abspath(path)
                if self.glossary.terms:
                    self.matcher = build_matcher(self.glossary)

    def _config_line(self, needle: str) -> int | None:
        try:
            with open(self.config_path, encoding="utf-8") as handle:
                text = handle.read()
        except OSError:
            return None
        m = re.search(r"'([^']+)'", needle)
        target = m.group(1) if m else needle
        pos = text.find(target)
        return text.count("\n", 0, pos) + 1 if pos >= 0 else None

    @property
    def formatter(self) -> Formatter:
        return self._formatter

    def problem(self, path, line, message):
        self.diagnostics.report(path, line, message)

    # -- files ----------------------------------------------------------------------------------
    @property
    def bibliography_src(self) -> str:
        return self.settings.bibliography_page

    def export_srcs(self) -> dict[str, str]:
        base = posixpath.splitext(self.bibliography_src)[0]
        return {label: base + ext for label, ext in EXPORT_NAMES.items()}

    def term_src(self, term) -> str:
        return f"{self.settings.glossary_dir}/{term.slug}.md"

    @property
    def glossary_index_src(self) -> str:
        return f"{self.settings.glossary_dir}/index.md"

    def generated_pages(self) -> dict[str, tuple[str, bool]]:
        """src_uri -> (Markdown, shown in nav)."""
        out = {self.bibliography_src: (pages.bibliography_markdown(self.bibliography_src, self.export_srcs()), True)}
        if self.glossary is not None:
            out[self.glossary_index_src] = (pages.glossary_index_markdown(
                self.glossary_index_src, self.glossary.terms, self.term_src), True)
            for term in self.glossary.terms:
                src = self.term_src(term)
                out[src] = (pages.term_markdown(src, term, self.glossary, self.term_src,
                                                self.glossary_index_src), False)
        return out

    def is_generated(self, src: str) -> bool:
        return src == self.bibliography_src or (
            self.glossary is not None and src.startswith(self.settings.glossary_dir + "/"))

    # -- pages ----------------------------------------------------------------------------------
    def start_page(self, src: str, display_path: str, markdown: str, line_offset: int, meta: dict) -> None:
        """Called before a page's Markdown is rendered (on_page_markdown)."""
        self.registry.reset_page(src)
        link = bool(meta.get("refsite_terms", True)) and not (meta.get("glossary") is False)
        context = PageContext(src=src, display_path=display_path, source=markdown,
                              line_offset=line_offset, link_terms=link)
        if meta.get("refsite_generated") == "term" and self.glossary is not None:
            term = self.glossary.by_slug.get(meta.get("refsite_term"))
            context.current_term = term
            context.untrusted = True
            if term is not None:
                context.display_path = os.path.relpath(self.glossary_path, self.config_dir)
                context.line_map = {"line": term.line}
        if meta.get("refsite_generated") in ("bibliography", "glossary"):
            context.link_terms = False
        self.extension.page = context

    def make_term_linker(self, md, ext):
        if self.matcher is None:
            return None
        page = ext.page
        if not page.link_terms:
            return None
        return GlossaryLinker(
            md, self.matcher,
            link_href=lambda term: page.href(self.term_src(term)),
            mode=self.settings.link_terms,
            on_link=ext.on_term_link,
            on_occurrence=ext.on_term_occurrence,
        )

    def is_incomplete(self, key) -> bool:
        entry = self.bibliography.raw.get(key) or self.bibliography.entries.get(key)
        if entry is None:
            return False
        value = entry.fields.get(self.settings.incomplete_field, "")
        return str(value).strip().lower() in ("no", "false", "incomplete", "0")

    # -- after all pages are rendered (on_env) --------------------------------------------------
    def shown_keys(self) -> list[str]:
        cited = self.registry.cited_keys()
        keys = list(self.bibliography.entries) if self.settings.nocite else \
            [k for k in self.bibliography.entries if k in cited]
        return self.formatter.sort_keys(keys)

    def finalize(self, infos: list[PageInfo], page_order: list[str]) -> None:
        """After all pages are rendered: fix the cited set, year suffixes and page order.
        Then ``final_content`` gives each page's content, one page at a time."""
        self._deferred = {}
        self._deferred_pages = []
        self._defer_nonce = secrets.token_hex(6)
        shown = self.shown_keys()
        self._resolve = self.formatter.resolver(set(shown) | self.registry.cited_keys())
        self._shown = shown
        self._by_src = {info.src: info for info in infos}
        self._page_order = page_order
        self._term_pages = None

    def final_content(self, info: PageInfo) -> str:
        """A page's content with tokens resolved and generated pages filled in."""
        content = info.content
        if info.src == self.bibliography_src:
            content = self._fill_bibliography(info, self._page_order)
        elif self.glossary is not None and info.meta.get("refsite_generated") == "term":
            content = self._fill_term(info, self._page_order)
        if "\ue000" in content:
            content = self._resolve(content)
        keys = self.reference_keys.get(info.src)
        if keys:
            self._page_lists[info.src] = _compact(self._reference_list_html(info, keys))
        return _compact(content)

    def _reference_list_html(self, info: PageInfo, keys: list[str]) -> str:
        bib = self._by_src.get(self.bibliography_src)
        bib_url = bib.url if bib is not None else self.bibliography_src
        parts = []
        for key, html in self.formatter.reference_list(keys):
            incomplete = self.is_incomplete(key)
            href = self._href(info, bib_url, fragment_for(key))
            parts.append(f'<div class="csl-entry refsite-ref{" refsite-ref--incomplete" if incomplete else ""}" '
                         f'data-key="{escape(key)}"><span class="refsite-ref__text">{html}</span>'
                         + ('<span class="refsite-incomplete__badge">incomplete reference</span>' if incomplete else "")
                         + f'<a aria-label="This work in the bibliography" class="refsite-ref__go" '
                         f'href="{escape(href)}">\u2197</a></div>')
        text = "".join(parts)
        return self._resolve(text) if "\ue000" in text else text

    def fill_reference_list(self, src: str, html: str) -> str:
        """The written page with its reference list in the slot the Markdown left for it."""
        items = self._page_lists.pop(src, None)
        if not items:
            return html
        before, slot, after = html.rpartition(REFERENCES_SLOT)
        if not slot:
            return html
        return before + REFERENCES_SLOT[:-len("</div>")] + items + "</div>" + after

    def resolve(self, text: str) -> str:
        """Resolve style tokens in HTML text (after ``finalize``)."""
        return self._resolve(text)

    def _href(self, from_info: PageInfo, to_url: str, fragment: str = "") -> str:
        """Relative URL between two site-relative URLs."""
        base = from_info.url if from_info.url.endswith("/") or not from_info.url else posixpath.dirname(from_info.url) + "/"
        target = to_url or "./"
        relative = posixpath.relpath("/" + target, "/" + base) if target else "."
        if target.endswith("/") and not relative.endswith("/"):
            relative += "/"
        if relative == "./" or relative == ".":
            relative = "./"
        return relative + ("#" + fragment if fragment else "")

    def _fill_bibliography(self, info: PageInfo, page_order) -> str:
        resolve = self._resolve
        shown = self._shown
        backlinks = self.registry.backlinks(page_order)
        html_parts = []
        refs = dict(self.formatter.reference_list(shown))
        by_author: dict[str, list[tuple[str, str]]] = {}
        by_year: dict[str, list[tuple[str, str]]] = {}
        label_of = {}
        export_hrefs = {label: self._href(info, src) for label, src in self.export_srcs().items()}
        for key in shown:
            entry = self.bibliography.entries[key]
            raw = self.bibliography.raw.get(key, entry)
            label = resolve(f"\ue000A:{key}\ue001 \ue000Y:{key}\ue001", html=False)
            label_of[key] = label
            links = []
            for record in backlinks.get(key, []):
                target = self._by_src.get(record.page)
                if target is None:
                    continue
                heading = resolve(record.heading, html=False)
                where = target.title + (f" › {heading}" if heading and heading != target.title else "")
                links.append((self._href(info, target.url, record.cite_id), where,
                              resolve(record.snippet, html=False)))
            html_parts.append(_latin1(pages.entry_html(
                key=key, anchor=anchor_for(key), label=label,
                reference=resolve(refs[key]), incomplete=self.is_incomplete(key),
                coins=exports.coins_title(key, entry), bibtex=exports.bibtex_entry(key, raw),
                plain=resolve(self.formatter.reference_text(key), html=False),
                ris_href=export_hrefs["RIS"], csl_href=export_hrefs["CSL-JSON"],
                filename=_safe_filename(key), backlinks=links, defer=self._defer)))
            href = "#" + fragment_for(key)
            for name in _author_names(entry):
                by_author.setdefault(name, []).append((href, label))
            by_year.setdefault(_year(entry), []).append((href, label))
        counts = {}
        for key in shown:
            counts[_year(self.bibliography.entries[key])] = counts.get(_year(self.bibliography.entries[key]), 0) + 1
        top = []
        ranked = sorted(((len(backlinks.get(k, [])), i, k) for i, k in enumerate(shown)),
                        key=lambda t: (-t[0], t[1]))
        for count, _, key in ranked[:10]:
            if not count:
                break
            seen_pages = []
            for record in backlinks[key]:
                target = self._by_src.get(record.page)
                if target and (self._href(info, target.url), target.title) not in seen_pages:
                    seen_pages.append((self._href(info, target.url), target.title))
            top.append(("#" + fragment_for(key), label_of[key], count, seen_pages))
        n_incomplete = sum(1 for k in shown if self.is_incomplete(k))
        summary = (f'<p class="refsite-summary">{len(shown)} works'
                   + (f", {sum(len(v) for v in backlinks.values())} citations" if backlinks else "")
                   + (f', <a href="#works">{n_incomplete} marked as incomplete</a>' if n_incomplete else "")
                   + ".</p>")
        glance = pages.year_chart_svg(counts) + pages.top_cited_html(top)
        content = _latin1(info.content)
        # The entries (most of the page) go in last, so the page is copied once at its full size.
        for name, value in (("summary", summary), ("glance", glance or "<p>No works cited yet.</p>"),
                            ("authors", pages.author_index_html(by_author, defer=self._defer)),
                            ("years", pages.year_index_html(by_year, defer=self._defer)),
                            ("entries", "\n".join(html_parts) or "<p>No works cited yet.</p>")):
            content = content.replace(pages.PLACEHOLDER.format(name), _latin1(value), 1)
        return content

    # Material's search parses every page's HTML in on_page_context, and the bibliography's tools and
    # backlinks (most of its bytes) are excluded from search anyway: they stand in as short markers
    # while the page is indexed and rendered, and go back in when the file is written at the end of
    # the build (``write_deferred``), piece by piece: the page is never held whole in memory.
    def _defer(self, html: str) -> str:
        marker = f"\x02refsite:{len(self._deferred)}:{self._defer_nonce}\x03"   # Latin-1: see _latin1
        self._deferred[marker] = _latin1(html)
        return marker

    def has_deferred(self) -> bool:
        return bool(self._deferred)

    def defer_page(self, path: str, html: str) -> None:
        """``html`` is the page as it will be written to ``path`` (by ``write_deferred``)."""
        self._deferred_pages.append((path, html))

    def write_deferred(self) -> None:
        """Write the held pages with their blocks put back; written as MkDocs writes a page."""
        deferred, self._deferred = self._deferred, {}
        held, self._deferred_pages = self._deferred_pages, []
        for path, html in held:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as handle:
                last = 0
                for m in _DEFER_RE.finditer(html):
                    handle.write(html[last:m.start()].encode("utf-8", "xmlcharrefreplace"))
                    handle.write(deferred.get(m.group(0), m.group(0)).encode("utf-8", "xmlcharrefreplace"))
                    last = m.end()
                handle.write(html[last:].encode("utf-8", "xmlcharrefreplace"))

    def _fill_term(self, info: PageInfo, page_order) -> str:
        slug = info.meta.get("refsite_term")
        if self._term_pages is None:      # computed once per build, not once per term page
            self._term_pages = self.registry.term_pages(page_order)
        occurrences = self._term_pages.get(slug, [])
        rows: dict[tuple[str, str], list] = {}
        for record in occurrences:
            target = self._by_src.get(record.page)
            if target is None or self.is_generated(record.page):
                continue
            heading = self._resolve(record.heading, html=False)
            where = target.title + (f" › {heading}" if heading and heading != target.title else "")
            k = (record.page, record.heading)
            if k not in rows:
                rows[k] = [self._href(info, target.url, record.anchor), where, 0]
            rows[k][2] += 1
        return info.content.replace(pages.PLACEHOLDER.format("appears"),
                                    pages.appears_html([tuple(r) for r in rows.values()]), 1)

    # -- exports and metadata -------------------------------------------------------------------
    def seal(self, release: bool) -> None:
        """After ``on_env``: the export text of every shown work (BibTeX, RIS, CSL-JSON), in the
        style's order; that is all the rest of the build needs from the bibliography. With
        ``release`` (a one-off build, not ``mkdocs serve``, which reuses them) the parsed entries,
        the formatter and the exporters' caches are let go: the largest pages are written after this,
        and a 4,000-entry bibliography holds ~20 MB."""
        shown = self._shown
        bib = self.bibliography
        entries = {k: bib.entries[k] for k in shown}
        self._texts = {k: (exports.bibtex_entry(k, bib.raw.get(k, entries[k])),
                           exports.ris_record(k, entries[k], entries),
                           exports.csl_item_text(k, entries[k], entries)) for k in shown}
        self._rank = {k: i for i, k in enumerate(shown)}     # shown is in the style's order
        if release:
            # Backlinks and term occurrences are in the pages now; per-page exports need the keys only.
            self.registry.citations.clear()
            self.registry.terms.clear()
            self._term_pages = None
            self._by_src = {}
            self.bibliography = Bibliography(files=bib.files, locations=bib.locations)
            self._formatter = None
            self._resolve = None
            _FORMATTERS.clear()
            self._bib_cache.clear()
            exports.clear_caches()

    def export_pieces(self) -> dict[str, Iterator[str]]:
        """Site-wide export files (src -> text in pieces): the same text as exports.bibtex_file,
        ris_file and csl_json of the shown works, never held whole."""
        texts = [self._texts[k] for k in self._shown]
        srcs = self.export_srcs()
        return {srcs["BibTeX"]: exports.bibtex_pieces(t[0] for t in texts),
                srcs["RIS"]: exports.ris_pieces(t[1] for t in texts),
                srcs["CSL-JSON"]: exports.csl_pieces(t[2] for t in texts)}

    def release_exports(self) -> None:
        self._texts = {}
        self._rank = {}

    def page_exports(self, src: str) -> dict[str, str] | None:
        rank = self._rank
        keys = sorted({k for k in self.registry.page_keys.get(src, []) if k in rank}, key=rank.__getitem__)
        if not keys:
            return None
        texts = [self._texts[k] for k in keys]
        return {".bib": exports.bibtex_join(t[0] for t in texts), ".json": exports.csl_join(t[2] for t in texts)}

    def page_meta(self, info_title: str, url: str, meta: dict) -> dict:
        site = self.site_meta
        authors = meta.get("authors") or meta.get("author") or site.get("authors") or []
        if isinstance(authors, str):
            authors = [authors]
        date = meta.get("date") or site.get("date") or ""
        return {"title": info_title, "authors": [str(a) for a in authors], "date": str(date),
                "url": url, "site_name": site.get("site_name", ""), "language": site.get("language", "en"),
                "publisher": site.get("publisher", "")}

    def head_html(self, meta: dict, alternates: list[tuple[str, str, str]]) -> str:
        out = []
        if self.settings.cite_page and meta:
            for name, value in exports.highwire_meta(meta):
                out.append(f'<meta name="{escape(name)}" content="{escape(value)}">')
        for mime, href, title in alternates:
            out.append(f'<link rel="alternate" type="{escape(mime)}" href="{escape(href)}" title="{escape(title)}">')
        return "\n".join(out)

    def cite_box_html(self, meta: dict) -> str:
        text, bibtex = exports.cite_page(meta)
        return (
            '<details class="refsite-citebox" data-search-exclude><summary>Cite this page</summary>'
            f'<p class="refsite-citebox__text">{escape(text)}</p>'
            f'<pre class="refsite-citebox__bibtex"><code>{escape(bibtex)}</code></pre>'
            f'<p><button type="button" class="md-button refsite-copy" data-copy="{escape(text)}">Copy citation</button> '
            f'<button type="button" class="md-button refsite-copy" data-copy="{escape(bibtex)}">Copy BibTeX</button></p>'
            "</details>")


def _compact(html: str) -> str:
    """A page MkDocs keeps in memory until the build ends: where it has only a few characters beyond
    Latin-1 (typographic quotes and dashes in English text), those become character references and
    the page takes one byte per character instead of two (PEP 393). Pages with more (e.g. Chinese
    text: the references would make the page over 5 % longer) stay as they are."""
    return _latin1(html, max_growth=0.05)


def _latin1(html: str, max_growth: float | None = None) -> str:
    """``html`` with every character beyond Latin-1 as a character reference (&#8220;): the same page
    for browsers and for search, and CPython then stores it at one byte per character instead of two
    (PEP 393). With ``max_growth``, only if the page gets at most that much longer."""
    if html.isascii():
        return html
    encoded = html.encode("latin-1", "xmlcharrefreplace")
    if max_growth is not None and len(encoded) > len(html) * (1 + max_growth):
        return html
    return encoded.decode("latin-1")


def _safe_filename(key: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", key).strip("-.") or "entry"
    return safe[:80]


def _year(entry) -> str:
    year = entry.fields.get("year", "")
    if not year:
        date = entry.fields.get("date", "")
        year = date[:4]
    year = _latex_text(year).strip()
    m = re.search(r"\d{4}", year)
    return m.group(0) if m else "n.d."


def _author_names(entry) -> list[str]:
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    names = []
    for person in persons:
        last = _latex_text(" ".join(person.prelast_names + person.last_names)).strip()
        last = last.strip("{}")
        first = _latex_text(" ".join(person.first_names + person.middle_names)).strip()
        names.append(f"{last}, {first}" if first else last)
    if not names:
        org = entry.fields.get("organization") or entry.fields.get("institution") or entry.fields.get("publisher")
        if org:
            names.append(_latex_text(org).strip("{} "))
    return names
