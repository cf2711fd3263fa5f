"""One build: its state and the work the plugin's events ask for.

The plugin (``plugin.py``) makes a ``Site`` per build in ``on_config`` and hands it the caches that
outlive a ``mkdocs serve`` rebuild (``Caches``: the parsed bibliography, its CSL items and the
compiled styles, kept while the files are unchanged). Pages are rendered by the Markdown extension
(``mdext``), which leaves tokens (``tokens``) where the whole site decides; ``finalize`` renders
every citation with the CSL processor (``citing``) and ``final_content`` finishes every page in
``on_env``; ``export_file`` / ``page_export`` make the text of each export file when MkDocs writes it.
"""
from __future__ import annotations

import functools
import json
import os
import posixpath
import re
from dataclasses import dataclass, field

from markupsafe import escape
from mkdocs.utils import get_relative_url

from . import exports, pages
from .bibliography import Bibliography, BibliographyCache, expand_globs
from .config import STYLE_DEFAULT, Settings, SettingsError
from .diagnostics import Diagnostics
from . import csl, searchwords, tokens
from .citing import Citing, Written
from .crossref import Crossrefs
from .csl.locale import LocaleFiles
from .glossary import build_matcher, load_glossary, register_linker
from .items import ItemModel
from .mdext import PageContext, RefsiteExtension, anchor_for, fragment_for
from .registry import Registry
from .syntax import find_citations

EXPORT_NAMES = {"BibTeX": ".bib", "RIS": ".ris", "CSL-JSON": ".json"}


@dataclass
class PageInfo:
    """What ``finalize`` needs to know about a rendered page."""

    src: str
    url: str            # site-relative URL ("summaries/intro/")
    title: str
    content: str
    meta: dict = field(default_factory=dict)


@dataclass
class Caches:
    """What outlives a build (owned by the plugin, so `mkdocs serve` rebuilds reuse it)."""

    bibliography: BibliographyCache = field(default_factory=BibliographyCache)
    styles: csl.StyleCache = field(default_factory=csl.StyleCache)
    locales: LocaleFiles = field(default_factory=LocaleFiles)
    items: dict = field(default_factory=dict)       # "current"/"export" -> (Bibliography, ItemModel)


class Site:
    def __init__(self, caches: Caches | None = None):
        self.caches = caches if caches is not None else Caches()
        self.citing: Citing | None = None
        self.settings = Settings()
        self.diagnostics = Diagnostics()
        self.registry = Registry()
        self.crossrefs = Crossrefs()                          # Quarto cross-references and targets
        self.bibliography = Bibliography()
        self.glossary = None
        self.matcher = None
        self.extension = RefsiteExtension(self)
        self.config_path = "mkdocs.yml"
        self.glossary_path: str | None = None
        self._texts: dict[str, tuple[str, str, str]] = {}    # key -> (BibTeX, RIS, CSL-JSON item)
        self._shown: list[str] = []
        self.written: list[Written] = []                      # every citation, by serial
        self.page_citations: dict[str, list[int]] = {}        # page -> serials in document order
        self._rendered: dict = {}
        self._lists: dict[str, str] = {}
        self._provisional: Citing | None = None
        self.unlinked: set[int] = set()                       # serials of citations inside links
        self._page_metas: dict[str, dict] = {}                # src -> page metadata ("Cite this page")
        self._page_cites: dict | None = None                  # src -> Rendered, made in on_env
        self.search_sections: list[tuple[str, list[int]]] = []  # (text, citation serials)

    # -- configuration --------------------------------------------------------------------------
    def configure(self, settings: Settings, *, config_dir: str, docs_dir: str, config_path: str,
                  site: dict) -> None:
        self.settings = settings
        self.config_dir = config_dir
        self.docs_dir = docs_dir
        self.config_path = config_path
        self.site_meta = site
        self.diagnostics = Diagnostics()
        self.registry = Registry()
        self.extension = RefsiteExtension(self)
        patterns = settings.bibliography
        if patterns == Settings.bibliography and expand_globs(patterns, config_dir)[1]:
            patterns = ()           # the default folder is not there: a site with no bibliography
        self.bibliography, reused = self.caches.bibliography.load(patterns, config_dir)
        for problem in self.bibliography.problems:
            if problem.path == "mkdocs.yml":
                self.problem(self.config_path, self._config_line(problem.message), problem.message)
            else:
                self.problem(problem.path, problem.line, problem.message)
        items = self._items()
        self.citing = Citing(self._style(settings, settings.style), items, self.caches.locales)
        self.copy_as = []                   # (label, Citing) for readers' "Copy as"
        for label, ref in settings.copy_styles:
            style = self._style(settings, ref, "copy_styles")
            self.copy_as.append((label or style.title or ref, Citing(style, items, self.caches.locales)))
        self.glossary = None
        self.matcher = None
        if settings.glossary:
            path = os.path.join(config_dir, settings.glossary)
            shown = os.path.relpath(path, config_dir)
            if not os.path.isfile(path):
                self.problem(self.config_path, self._config_line(settings.glossary),
                             f"plugins.refsite.glossary: file '{settings.glossary}' not found")
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

    def _style(self, settings: Settings, ref: str, setting: str = "style"):
        """The compiled style ``ref`` (an official name or a .csl path relative to mkdocs.yml);
        an unknown name is a SettingsError, a broken file a problem (the default style is used)."""
        path = os.path.join(self.config_dir, ref) if ref.endswith(".csl") or "/" in ref or os.sep in ref else ref
        try:
            style = self.caches.styles.get(path)
        except csl.StyleNotFound as error:
            suggestions = ", ".join(error.suggestions)
            raise SettingsError(f"plugins.refsite.{setting}: unknown style {ref!r}"
                                + (f" (closest official styles: {suggestions})" if suggestions else "")) from None
        except csl.StyleSyntaxError as error:      # the style file's own place, then the setting's
            self.problem(os.path.relpath(error.path, self.config_dir), error.line,
                         f"{error.detail} (plugins.refsite.{setting}; the default style is used)")
            style = self.caches.styles.get(STYLE_DEFAULT)
        except csl.CslError as error:
            self.problem(self.config_path, self._config_line(ref), f"plugins.refsite.{setting}: {error}")
            style = self.caches.styles.get(STYLE_DEFAULT)
        locale = settings.locale or _csl_language(self.site_meta.get("language")) or style.default_locale
        return self.caches.styles.get(style.path, locale)

    def _items(self) -> dict:
        """key -> CSL-JSON item of every work (mapped once per parsed bibliography)."""
        cached = self.caches.items.get("current")
        if cached is None or cached[0] is not self.bibliography:
            cached = (self.bibliography, ItemModel(self.bibliography.raw, nocase=True))
            self.caches.items["current"] = cached
        model = cached[1]
        items = {}
        for key in self.bibliography.entries:
            item = model.item(key)
            items[key] = item.csl
            if item.problems:
                path, line = self.bibliography.locations.get(key, (self.config_path, None))
                for message in item.problems:
                    self.problem(path, line, message)
        return items

    @property
    def is_note_style(self) -> bool:
        return self.citing is not None and self.citing.is_note

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
    def start_page(self, src: str, display_path: str, markdown: str, line_offset: int, meta: dict,
                   front: str = "") -> None:
        """Called before a page's Markdown is rendered (on_page_markdown). ``front`` is the text
        before ``markdown`` in the file (its front matter), for the lines of its problems."""
        self.registry.reset_page(src)
        link = bool(meta.get("refsite_terms", True)) and not (meta.get("glossary") is False)
        context = PageContext(src=src, display_path=display_path, source=markdown,
                              line_offset=line_offset, link_terms=link)
        context.nocite = self._page_nocite(display_path, meta, front)
        self.registry.add_nocite(src, context.nocite)
        suppress = meta.get("suppress-bibliography", False)
        if not isinstance(suppress, bool):
            self.problem(display_path, _front_line(front, "suppress-bibliography"),
                         f"suppress-bibliography: expected true or false, got {suppress!r}")
        context.suppress_bibliography = suppress is True
        for name, setting in (("bibliography", "bibliography"), ("csl", "style"),
                              ("reference-section-title", "references_title")):
            if name in meta:        # Pandoc's per-document settings: one for the whole site here
                self.problem(display_path, _front_line(front, name + ":"),
                             f"front matter '{name}' is not read per page: the site has one, "
                             f"set plugins.refsite.{setting} in {self.config_path}")
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

    def _page_nocite(self, path: str, meta: dict, front: str) -> list[str]:
        """The works a page's front matter ``nocite`` lists (Pandoc: citations in a string or a
        list of strings; ``@*`` lists every work), known ones in the order written."""
        value = meta.get("nocite")
        if value is None:
            return []
        texts = value if isinstance(value, list) else [value]
        if not all(isinstance(t, str) for t in texts):
            self.problem(path, _front_line(front, "nocite"),
                         f"nocite: expected citations such as '@key, @other' (or '@*' for every work), got {value!r}")
            return []
        text = "\n".join(texts)
        keys = [item.key for citation in find_citations(text) for item in citation.items]
        if re.search(r"(?<![\w@\\])@\*", text):
            keys += list(self.bibliography.entries)
        elif not keys:
            self.problem(path, _front_line(front, "nocite"),
                         f"nocite: no citation in {value!r}; write '@key, @other' (or '@*' for every work)")
        known = []
        for key in dict.fromkeys(keys):
            if key in self.bibliography.entries:
                known.append(key)
            else:
                self.problem(path, _front_line(front, "@" + key), f"unknown citation key '{key}' (nocite)")
        return known

    def register_term_linker(self, md, ext, priority: float) -> None:
        """Link glossary terms on the page being rendered (unless the page opts out)."""
        page = ext.page
        if self.matcher is None or not page.link_terms:
            return
        register_linker(
            md, self.matcher, priority=priority, name="refsite_terms",
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

    # -- citations while pages render -------------------------------------------------------------
    def add_written(self, written: Written) -> int:
        """Record a citation as written; its serial goes in the page's token."""
        self.written.append(written)
        return len(self.written) - 1

    def set_page_citations(self, page: str, serials: list[int]) -> None:
        self.page_citations[page] = serials

    def provisional_text(self, text: str) -> str:
        """``text`` with each citation as it reads on its own (no site-wide decisions): the id of a
        heading that cites is made from it while the page renders."""
        if self._provisional is None:
            self._provisional = Citing(self.citing.style, self.citing.items, self.caches.locales)
        def value(kind, arg):
            if kind != "C" or not arg.isdigit() or int(arg) >= len(self.written):
                return ""
            rendered = self._provisional.render([self.written[int(arg)]])[0]
            return self._shown_text(rendered, self.written[int(arg)])
        return tokens.replace(text, value, value, html=False)

    # -- after all pages are rendered (on_env) --------------------------------------------------
    def finalize(self, infos: list[PageInfo], page_order: list[str]) -> None:
        """After all pages are rendered: every citation of the site rendered at once (in reading
        order: pages in navigation order, then the others), the shown works, the page lists.
        Then ``final_content`` gives each page's content."""
        rank = {page: i for i, page in enumerate(page_order)}
        by_page: dict[str, list[int]] = {}
        for i, w in enumerate(self.written):
            by_page.setdefault(w.page, []).append(i)
        order: list[int] = []
        for page in sorted(by_page, key=lambda p: (rank.get(p, len(rank)), p)):
            serials = self.page_citations.get(page, [])
            placed = set(serials)
            order.extend(serials + [i for i in by_page[page] if i not in placed])
        cited = self.registry.cited_keys()
        # Works listed by a page's ``nocite`` but cited nowhere take part after the cited ones,
        # in reading order, then (the nocite setting) every other work.
        by_citation = {c.key for w in self.written for c in w.cites}
        listed = [k for page in sorted(self.registry.nocite, key=lambda p: (rank.get(p, len(rank)), p))
                  for k in self.registry.nocite[page] if k not in by_citation]
        uncited = list(dict.fromkeys(listed)) + ([k for k in self.bibliography.entries if k not in cited]
                                                 if self.settings.nocite else [])
        rendered = self.citing.render([self.written[i] for i in order], uncited)
        self._rendered = dict(zip(order, rendered))
        self._report_processor_warnings()
        for path, line, message in self.crossrefs.problems():
            self.problem(path, line, message)
        # the works of the bibliography page, in the style's bibliography order
        shown = self.citing.order([k for k in self.bibliography.entries if k in cited] + uncited)
        self._shown = shown
        self._rank = {k: i for i, k in enumerate(shown)}       # shown is in the style's order
        keys = set(shown) | {k for keys in self.registry.page_keys.values() for k in keys}
        listed = [k for k in keys if k in self.bibliography.entries]
        self._entries = dict(self.citing.entries(listed))
        self._copy_texts: dict[str, list[tuple[str, str]]] = {k: [] for k in listed}
        for label, citing in self.copy_as:
            for key, entry in citing.entries(listed):
                self._copy_texts[key].append((label, entry.text))
        self._labels: dict[str, str] = {}
        self._by_src = {info.src: info for info in infos}
        self._page_order = page_order
        self._term_pages = None
        self._letter_ids: set[str] = set()      # the letters of the list of works (A–Z jumps)

    def final_content(self, info: PageInfo) -> str:
        """A page's finished content: generated pages filled in, tokens replaced."""
        content = info.content
        if info.src == self.bibliography_src:
            content = self._fill_bibliography(info, self._page_order)
        elif self.glossary is not None and info.meta.get("refsite_generated") == "term":
            content = self._fill_term(info, self._page_order)
        bib = self._by_src.get(self.bibliography_src)
        bib_url = bib.url if bib is not None else self.bibliography_src

        def link(key: str, html: str) -> str:
            href = self._href(info, bib_url, fragment_for(key))
            return (f'<a class="refsite-cite__ref" data-key="{escape(key)}" href="{escape(href)}">'
                    f"{html}</a>")

        def html_value(kind: str, arg: str) -> str:
            if kind == "C":
                unlinked = arg.isdigit() and int(arg) in self.unlinked
                return self._citation_html(info, arg, None if unlinked else link)
            if kind == "X":
                return self.crossrefs.html(arg, info.src, functools.partial(self._element_href, info), self.resolve)
            if kind == "L":
                return self._reference_list_html(info, bib_url)
            if kind == "N":
                return self._notes_html(info, link)
            if kind == "F":
                rendered = self._rendered.get(int(arg)) if arg.isdigit() else None
                return "" if rendered is None else self.citing.linked(rendered.note, link)
            if kind == "S":
                return self._search_html(arg)
            if kind == "P":
                rendered = self._page_cite(arg)
                return rendered.html if rendered else ""
            return ""
        return tokens.replace(content, html_value, self._text_value)

    def _page_cite(self, src: str):
        """A page as a reference in the site's style (all pages rendered at the first call)."""
        if self._page_cites is None:         # a title may cite: its tokens are decided by now
            items = {src: exports.page_item(dict(meta, title=self.heading_text(str(meta.get("title") or ""))), src)
                     for src, meta in self._page_metas.items()}
            self._page_cites = self.citing.standalone(items)
        return self._page_cites.get(src)

    def add_search_section(self, text: str, serials: list[int]) -> int:
        """A search section's text and the citations in it (``mdext._SearchWords``); its token's arg."""
        self.search_sections.append((text, list(serials)))
        return len(self.search_sections) - 1

    def _search_html(self, arg: str) -> str:
        """The hidden words that let search find a section by what readers type: accent-free
        spellings and the names of the works it cites that its text (as rendered) does not show."""
        if not arg.isdigit() or int(arg) >= len(self.search_sections):
            return ""
        text, serials = self.search_sections[int(arg)]
        # A note style shows a number in the passage; the note's names are in another section.
        shown = [text] + ([] if self.is_note_style else [self._text_value("C", str(s)) for s in serials])
        keys = dict.fromkeys(cite.key for serial in serials if serial < len(self.written)
                             for cite in self.written[serial].cites)
        return searchwords.hidden_html(searchwords.missing_words(" ".join(shown), self._creators(keys)))

    def _creators(self, keys) -> list[str]:
        items = self.citing.items
        return [name for key in keys if key in items for name in searchwords.csl_names(items[key])]

    def _element_href(self, info: PageInfo, page: str, ident: str) -> str:
        """A link from ``info`` to the element ``ident`` of the page whose source is ``page``."""
        target = self._by_src.get(page)
        url = target.url if target is not None else page
        path = self._href(info, url)
        if not path.endswith("/") and (url == "" or url.endswith("/")):
            path += "/"         # "../#fig-x", not "..#fig-x"
        return f"{path}#{ident}"

    def _text_value(self, kind: str, arg: str) -> str:
        if kind == "X":
            return self.crossrefs.text(arg, self.resolve)
        if kind in "CF" and arg.isdigit():
            rendered = self._rendered.get(int(arg))
            if rendered is None:
                return ""
            return rendered.note_text if kind == "F" else self._shown_text(rendered, self.written[int(arg)])
        if kind == "P":
            rendered = self._page_cite(arg)
            return rendered.text if rendered else ""
        return ""

    def _shown_text(self, rendered, written) -> str:
        """The plain text of what a citation shows where it stands."""
        if not self.citing.is_note:
            return rendered.text
        if written.in_note:             # inside an author's footnote: the note's form
            return rendered.inline_text
        if written.note is not None:    # a footnote of the page: the names of an in-text one
            return rendered.text
        return rendered.text or rendered.note_text      # not in the page's tree (alt text)

    def _citation_html(self, info: PageInfo, serial: str, link) -> str:
        rendered = self._rendered.get(int(serial)) if serial.isdigit() else None
        if rendered is None:
            return ""
        html = self.citing.linked(rendered.html, link)
        if not self.citing.is_note:
            return html
        written = self.written[int(serial)]
        if written.in_note:          # inside an author's footnote: the note's form, there
            return self.citing.linked(rendered.inline, link)
        if written.note is not None:     # a footnote of the page (its reference is in the page)
            return html
        number = self._note_number(info.src, int(serial))
        return (html + f'<sup class="refsite-note-ref" id="refsite-noteref-{number}">'
                f'<a href="#refsite-note-{number}">{number}</a></sup>')

    def _note_number(self, page: str, serial: int) -> int:
        serials = self.page_citations.get(page, [])
        return serials.index(serial) + 1 if serial in serials else len(serials) + 1

    def _notes_html(self, info: PageInfo, link) -> str:
        items = []
        for number, serial in enumerate(self.page_citations.get(info.src, []), 1):
            rendered = self._rendered.get(serial)
            if rendered is None:
                continue
            items.append(f'<li id="refsite-note-{number}">{self.citing.linked(rendered.note, link)} '
                         f'<a class="refsite-note-back" href="#refsite-noteref-{number}" '
                         f'aria-label="Back to note {number} in the text">\u21a9</a></li>')
        return "<ol>" + "".join(items) + "</ol>" if items else ""

    def _reference_list_html(self, info: PageInfo, bib_url: str) -> str:
        keys = [k for k in self.citing.order(self.registry.page_keys.get(info.src, []))]
        parts = []
        for key in keys:
            entry = self._entries.get(key)
            if entry is None:
                continue
            incomplete = self.is_incomplete(key)
            href = self._href(info, bib_url, fragment_for(key))
            copy = self._copy_texts.get(key)
            copy_attr = f' data-copy-as="{escape(json.dumps(copy, ensure_ascii=False))}"' if copy else ""
            # the work's label names its link to the bibliography (and the card's link, data-label)
            label = escape(self.label(key))
            parts.append(f'<div class="csl-entry refsite-ref{" refsite-ref--incomplete" if incomplete else ""}" '
                         f'data-key="{escape(key)}" data-label="{label}"{copy_attr}><span class="refsite-ref__text">{self.citing.linked(entry.html, None)}</span>'
                         + (' <span class="refsite-incomplete__badge">incomplete reference</span>' if incomplete else "")
                         + f' <a aria-label="{label} in the bibliography" class="refsite-ref__go" '
                         f'href="{escape(href)}">\u2197</a></div>')
        return "".join(parts)

    def label(self, key: str) -> str:
        """A work's short label ("Lee 2018", "[3]") for the bibliography's headings and indexes."""
        label = self._labels.get(key)
        if label is None:
            label = self._labels[key] = self.citing.label(key)
        return label

    def bibliography_anchor_ids(self) -> set[str]:
        """Ids of the bibliography's entries, as ids and as the fragments citation links use, and
        of its letters and list of incomplete works."""
        return ({anchor_for(k) for k in self._shown} | {fragment_for(k) for k in self._shown}
                | self._letter_ids | ({"incomplete-works"} if any(
                    self.is_incomplete(k) for k in self._shown) else set()))

    def resolve(self, text: str) -> str:
        """Plain text of ``text`` with its tokens replaced (TOC titles, headings, snippets)."""
        return tokens.replace(text, self._text_value, self._text_value, html=False)

    def heading_text(self, text: str) -> str:
        """Plain text of a heading used as a title (the page's title, its TOC entries, "Cite this
        page"): a citation reads as in the text; in note styles that is only the names of an
        in-text citation, never its note."""
        def value(kind: str, arg: str) -> str:
            if kind == "C" and self.is_note_style and arg.isdigit():
                rendered = self._rendered.get(int(arg))
                return rendered.text if rendered else ""
            return self._text_value(kind, arg)
        return " ".join(tokens.replace(text, value, value, html=False).split())

    @staticmethod
    def _href(from_info: PageInfo, to_url: str, fragment: str = "") -> str:
        """Relative URL between two site-relative URLs."""
        return get_relative_url(to_url or ".", from_info.url) + ("#" + fragment if fragment else "")

    def _report_processor_warnings(self) -> None:
        """The processor's warnings as problems: at the work's place in its .bib file when they
        name a work ("key: …"), else at the style file."""
        for warning in self.citing.warnings:
            key, _, rest = warning.partition(": ")
            if rest and key in self.bibliography.locations:
                path, line = self.bibliography.locations[key]
                self.problem(path, line, warning)
            else:
                self.problem(os.path.relpath(self.citing.style.path, self.config_dir)
                             if self.citing.style.path else self.config_path, None, f"CSL: {warning}")
        self.citing.warnings.clear()

    def _fill_bibliography(self, info: PageInfo, page_order) -> str:
        resolve = self.resolve
        shown = self._shown
        backlinks = self.registry.backlinks(page_order)
        rank = {page: i for i, page in enumerate(page_order)}
        listed_by: dict[str, list[PageInfo]] = {}       # key -> pages whose nocite lists it
        for page in sorted(self.registry.nocite, key=lambda p: (rank.get(p, len(rank)), p)):
            if page in self._by_src:
                for key in self.registry.nocite[page]:
                    listed_by.setdefault(key, []).append(self._by_src[page])
        html_parts: dict[str, str] = {}
        by_author: dict[str, list[tuple[str, str]]] = {}
        by_year: dict[str, list[tuple[str, str]]] = {}
        export_hrefs = {label: self._href(info, src) for label, src in self.export_srcs().items()}
        for key in shown:
            label = self.label(key)
            links = []
            for record in backlinks.get(key, []):
                target = self._by_src.get(record.page)
                if target is None:
                    continue
                heading = resolve(record.heading)
                where = target.title + (f" › {heading}" if heading and heading != target.title else "")
                links.append((self._href(info, target.url, record.cite_id), where, resolve(record.snippet)))
            for target in listed_by.get(key, ()):
                links.append((self._href(info, target.url), target.title, "listed without a citation (nocite)"))
            reference = self._entries.get(key)
            html_parts[key] = (pages.entry_html(
                key=key, anchor=anchor_for(key), label=label,
                reference=self.citing.linked(reference.html, None) if reference else escape(key),
                incomplete=self.is_incomplete(key),
                coins=exports.coins_title(self.export_item(key)), bib_href=export_hrefs["BibTeX"],
                ris_href=export_hrefs["RIS"], csl_href=export_hrefs["CSL-JSON"],
                filename=_safe_filename(key), backlinks=links, copy_as=self._copy_texts.get(key, []),
                search_html=searchwords.hidden_html(searchwords.missing_words(
                    f"{label} {reference.text if reference else key}", self._creators([key])))))
            href = "#" + fragment_for(key)
            names, year, _ = exports.index_entry(self.export_item(key))
            for name in names:
                by_author.setdefault(name, []).append((href, label))
            by_year.setdefault(year, []).append((href, label))
        counts = {year: len(works) for year, works in by_year.items()}
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
            top.append(("#" + fragment_for(key), self.label(key), self._title(key), count, seen_pages))
        incomplete = [("#" + fragment_for(k), self.label(k), self._title(k))
                      for k in shown if self.is_incomplete(k)]
        summary = (f'<p class="refsite-summary">{len(shown)} works'
                   + (f", {sum(len(v) for v in backlinks.values())} citations" if backlinks else "")
                   + (f', <a href="#incomplete-works">{len(incomplete)} marked as incomplete</a>'
                      if incomplete else "")
                   + ".</p>")
        glance = pages.year_chart_svg(counts) + pages.top_cited_html(top)
        groups, finder = self._works_groups(shown, html_parts, by_author)
        content = info.content
        for name, value in (("summary", summary), ("glance", glance or "<p>No works cited yet.</p>"),
                            ("incomplete", pages.incomplete_list_html(incomplete)),
                            ("finder", finder),
                            ("authors", pages.author_index_html(by_author)),
                            ("years", pages.year_index_html(by_year)),
                            ("entries", pages.works_html(groups) if shown else "<p>No works cited yet.</p>")):
            content = content.replace(pages.PLACEHOLDER.format(name), value, 1)
        return content

    def _title(self, key: str) -> str:
        """A work's title as written, for the most-cited table and the list of incomplete works."""
        return exports.index_entry(self.export_item(key))[2]

    def _works_groups(self, shown: list[str], html: dict[str, str], by_author) -> tuple[list, str]:
        """The entries in groups by the letter each is filed under (the first value the style sorts
        its bibliography by: the first author's name, or what stands in for it), and the A–Z bar
        that jumps to them. When the list is not alphabetical (a numeric style lists works in order
        of citation), one group, and the bar jumps to the author index instead."""
        heads = self.citing.sort_heads(shown) if shown else None
        runs: list[tuple[str, list[str]]] = []
        if heads is not None:
            for key in shown:
                letter = pages.first_letter(heads.get(key, ""))
                if runs and runs[-1][0] == letter:
                    runs[-1][1].append(html[key])
                else:
                    runs.append((letter, [html[key]]))
        self._letter_ids = set()
        if runs and len(runs) == len({letter for letter, _ in runs}):
            hrefs = {letter: "#" + pages.works_letter_slug(letter) for letter, _ in runs}
            label = "Works by first author, A to Z"
            self._letter_ids = {href[1:] for href in hrefs.values()}
            groups = runs
        else:
            hrefs = {pages.first_letter(name): "#" + pages.authors_letter_slug(pages.first_letter(name))
                     for name in by_author}
            label = "Authors, A to Z (the author index below)"
            groups = [(None, [html[key] for key in shown])]
        jumps = [(letter, hrefs.get(letter)) for letter in pages.jump_letters(hrefs)]
        finder = pages.works_finder_html(jumps, len(shown), label) if shown else ""
        return groups, finder

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
            heading = self.resolve(record.heading)
            where = target.title + (f" › {heading}" if heading and heading != target.title else "")
            k = (record.page, record.heading)
            if k not in rows:
                rows[k] = [self._href(info, target.url, record.anchor), where, 0]
            rows[k][2] += 1
        return info.content.replace(pages.PLACEHOLDER.format("appears"),
                                    pages.appears_html([tuple(r) for r in rows.values()]), 1)

    # -- exports and metadata -------------------------------------------------------------------
    def export_item(self, key: str) -> dict:
        """The work's CSL-JSON item for reference managers (titles as written)."""
        cached = self.caches.items.get("export")
        if cached is None or cached[0] is not self.bibliography:
            cached = (self.bibliography, ItemModel(self.bibliography.raw, as_written=True))
            self.caches.items["export"] = cached
        return cached[1].csl(key)

    def export_texts(self, key: str) -> tuple[str, str, str]:
        """(BibTeX entry, RIS record, CSL-JSON item text) of a work, made once per build."""
        texts = self._texts.get(key)
        if texts is None:
            bib = self.bibliography
            item = self.export_item(key)
            texts = self._texts[key] = (exports.bibtex_entry(key, bib.raw.get(key, bib.entries[key])),
                                        exports.ris_record(item), exports.csl_item_text(item))
        return texts

    def export_file(self, label: str) -> str:
        """A site-wide export file ("BibTeX", "RIS", "CSL-JSON") of the shown works, in the
        style's order."""
        if label == "BibTeX":
            return self._bibtex_with_parents(self._shown)
        if label == "RIS":
            return exports.ris_join(self.export_texts(k)[1] for k in self._shown)
        return exports.csl_join(self.export_texts(k)[2] for k in self._shown)

    def _bibtex_with_parents(self, keys: list[str]) -> str:
        """The entries as written, followed by the entries they inherit from (crossref, xdata)
        that are not among them, so that a reader of the file resolves the inheritance itself."""
        raw = self.bibliography.raw
        listed, parents = set(keys), []
        todo = list(keys)
        while todo:
            entry = raw.get(todo.pop(0))
            if entry is None:
                continue
            for name in ("crossref", "xdata"):
                for parent in str(entry.fields.get(name, "")).split(","):
                    parent = parent.strip()
                    if parent and parent in raw and parent not in listed:
                        listed.add(parent)
                        parents.append(parent)
                        todo.append(parent)
        texts = [self.export_texts(k)[0] for k in keys]
        texts += [exports.bibtex_entry(k, raw[k]) for k in parents]
        return exports.bibtex_join(texts)

    def page_export_keys(self, src: str) -> list[str]:
        """The works an authored page cites (known ones), in the style's order."""
        rank = self._rank
        return sorted({k for k in self.registry.page_keys.get(src, []) if k in rank}, key=rank.__getitem__)

    def page_export(self, src: str, ext: str) -> str:
        """The works a page cites as ".bib" or ".json" text."""
        keys = self.page_export_keys(src)
        if ext == ".bib":
            return self._bibtex_with_parents(keys)
        texts = [self.export_texts(k) for k in keys]
        return exports.csl_join(t[2] for t in texts)

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
            for attribute, name, value in exports.page_meta_tags(meta):
                out.append(f'<meta {attribute}="{escape(name)}" content="{escape(value)}">')
        for mime, href, title in alternates:
            out.append(f'<link rel="alternate" type="{escape(mime)}" href="{escape(href)}" title="{escape(title)}">')
        return "\n".join(out)

    def cite_box_html(self, meta: dict, src: str) -> str:
        """The "Cite this page" box: the page as a reference in the site's style (rendered with
        every page's in on_env, a token until then) and as BibTeX."""
        self._page_metas[src] = meta
        bibtex = exports.cite_page_bibtex(meta)
        text = tokens.page_token(src)
        return (
            '<details class="refsite-citebox" data-search-exclude><summary>Cite this page</summary>'
            f'<p class="refsite-citebox__text">{text}</p>'
            f'<pre class="refsite-citebox__bibtex"><code>{escape(bibtex)}</code></pre>'
            f'<p><button type="button" class="md-button refsite-copy" data-copy="{text}">Copy citation</button> '
            f'<button type="button" class="md-button refsite-copy" data-copy="{escape(bibtex)}">Copy BibTeX</button></p>'
            "</details>")


def _front_line(front: str, needle: str) -> int | None:
    """1-based line of ``needle`` in a page's front matter: a citation ``@key``, or the key
    ``name:`` at the start of a line."""
    if needle.startswith("@"):
        pos = front.find(needle)
    else:
        m = re.search("(?m)^" + re.escape(needle.rstrip(":")) + r"[ \t]*:", front)
        pos = m.start() if m else -1
    return front.count("\n", 0, pos) + 1 if pos >= 0 else None


def _csl_language(language: str | None) -> str | None:
    """A site language ("en", "pt-BR", "zh_TW") as a CSL locale tag; regional defaults come from
    the locale files' primary dialects."""
    if not language or not isinstance(language, str):
        return None
    return language.replace("_", "-")


def _safe_filename(key: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", key).strip("-.") or "entry"
    return safe[:80]
