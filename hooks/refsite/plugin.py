"""The MkDocs plugin (entry point ``refsite``): wires MkDocs' events to the build (``site.Site``).

One instance lives for the whole MkDocs process: ``mkdocs serve`` keeps it across rebuilds, so the
caches that should outlive a rebuild (the parsed bibliography, its items, the compiled styles) are
an attribute of the plugin; everything that belongs to one build is a fresh ``Site`` made in ``on_config``.

Event by event:

* ``on_config``: settings checked, the Markdown extension added, the assets declared.
* ``on_files``: the generated pages, assets and site-wide export files become MkDocs ``File``s.
* ``on_page_markdown`` / ``on_page_content``: each page is rendered by the Markdown extension
  (citations, terms, reference list); the "Cite this page" box is appended.
* ``on_env``: the last touch of page content. Year suffixes and other site-wide decisions are
  resolved, the bibliography and term pages are filled in, and every export file gets its text;
  MkDocs then writes everything.
* ``on_post_page``: only ``<head>`` tags (page metadata, ``<link rel="alternate">``).
"""
from __future__ import annotations

import functools
import logging
import os
import re
from importlib import resources

from mkdocs.config import base
from mkdocs.config.base import ValidationError
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, InclusionLevel
from mkdocs.utils import get_relative_url

from .config import CHECKS, SettingsError, parse_settings
from .site import Caches, PageInfo, Site

log = logging.getLogger("mkdocs.plugins.refsite")
ASSETS = ("refsite/refsite.css", "refsite/refsite.js", "refsite/refsite-bibliography.js")


def _setting_problem(name: str, value) -> str | None:
    check, expected = CHECKS[name]
    if value is not None and not check(value):
        return f"expected {expected}, got {value!r}"
    return None


class _Setting(base.BaseConfigOption):
    """One setting of ``config.CHECKS``; ``None`` when the user did not give it."""

    def __init__(self, name: str):
        super().__init__()
        self.name = name
        self.default = None

    def run_validation(self, value):
        problem = _setting_problem(self.name, value)
        if problem:
            raise ValidationError(problem)
        return value


# One option per row of the settings table (config.CHECKS).
RefsiteConfig = type("RefsiteConfig", (base.Config,), {name: _Setting(name) for name in CHECKS})


class RefsitePlugin(BasePlugin[RefsiteConfig]):
    def __init__(self):
        self.command: str | None = None
        self.caches = Caches()                    # kept across `mkdocs serve` rebuilds
        self.site: Site | None = None
        self.glossary_index_page = None           # the navigation item a term page shows as current
        self._activated = None                    # the item made active for the page being built
        self.nav_order: list[str] = []
        self.page_export_base: dict[str, str] = {}   # src -> base name of its export files

    # -- configuration ------------------------------------------------------------------------
    def load_config(self, options, config_file_path=None):
        """Every wrong or unknown setting is an error naming it, all in one run (MkDocs stops at
        the first wrong option and only warns about unknown ones)."""
        errors, warnings = super().load_config(options, config_file_path)
        if not errors and not warnings:
            return errors, warnings
        errors = [(name, ValidationError(problem)) for name in CHECKS
                  if name in options and (problem := _setting_problem(name, options[name]))]
        errors += [(key, ValidationError(f"unknown setting (known: {', '.join(sorted(CHECKS))})"))
                   for key in options if key not in CHECKS]
        return errors, [w for w in warnings if "Unrecognised configuration name" not in str(w[1])]

    def on_startup(self, *, command, dirty):
        self.command = command

    def on_config(self, config):
        if config.extra and "refsite" in config.extra:
            raise PluginError("extra.refsite: refsite's settings now go under the plugin: "
                              "`plugins: - refsite: {...}` (same names)")
        raw = {name: value for name, value in self.config.items() if value is not None}
        try:
            settings = parse_settings(raw)
        except SettingsError as error:
            raise PluginError(str(error)) from None
        config_path = config.config_file_path or "mkdocs.yml"
        config_dir = os.path.dirname(os.path.abspath(config_path))
        citation = (config.extra or {}).get("citation") or {}
        self.site = Site(self.caches)
        site = {"site_name": config.site_name, "site_url": config.site_url or "",
                "authors": citation.get("authors") or ([config.site_author] if config.site_author else []),
                "date": citation.get("date", ""), "publisher": citation.get("publisher", ""),
                "language": config.theme.get("language", "en") if config.theme else "en"}
        try:
            self.site.configure(settings, config_dir=config_dir, docs_dir=config.docs_dir,
                                config_path=os.path.relpath(config_path, config_dir), site=site)
        except SettingsError as error:
            raise PluginError(str(error)) from None
        config.markdown_extensions.append(self.site.extension)
        for asset in ASSETS:
            target = config.extra_css if asset.endswith(".css") else config.extra_javascript
            if asset not in target:
                target.append(asset)
        if settings.cite_page and not config.site_url:
            log.info("refsite: site_url is not set, so 'Cite this page' and the pages' metadata carry no URL")
        note = _search_separator_note(config)
        if note:
            log.info(note)
        self._flush_problems()
        return config

    def _flush_problems(self):
        for problem in self.site.diagnostics.take():
            log.warning(str(problem))

    # -- files --------------------------------------------------------------------------------
    def on_files(self, files, config):
        site = self.site
        if site.glossary_path:
            docs = os.path.abspath(config.docs_dir)
            if site.glossary_path.startswith(docs + os.sep):
                src = os.path.relpath(site.glossary_path, docs).replace(os.sep, "/")
                existing = files.get_file_from_path(src)
                if existing is not None:
                    files.remove(existing)      # the YAML source is not published
        for src, (content, in_nav) in site.generated_pages().items():
            existing = files.get_file_from_path(src)
            if existing is not None:
                log.warning(f"{src}: replaced by the generated page of the same name (plugins.refsite)")
                files.remove(existing)
            files.append(File.generated(config, src, content=content,
                                        inclusion=InclusionLevel.INCLUDED if in_nav else InclusionLevel.NOT_IN_NAV))
        # Site-wide exports exist now so that links to them validate; their text is made (from
        # what on_env decided) when MkDocs writes them.
        for label, src in site.export_srcs().items():
            files.append(_MadeFile.made(config, src, functools.partial(site.export_file, label)))
        assets = resources.files("refsite") / "assets"
        for asset in ASSETS:
            text = (assets / asset.rsplit("/", 1)[-1]).read_text(encoding="utf-8")
            files.append(File.generated(config, asset, content=text))
        self._flush_problems()
        return files

    def on_nav(self, nav, config, files):
        self.nav_order = [page.file.src_uri for page in nav.pages]
        return nav

    # -- pages --------------------------------------------------------------------------------
    def on_page_markdown(self, markdown, page, config, files):
        file = page.file
        if file.generated_by is None and file.abs_src_path:
            display = os.path.relpath(file.abs_src_path, os.path.dirname(os.path.abspath(config.config_file_path)))
            try:
                full = file.content_string
            except (OSError, UnicodeDecodeError):
                full = markdown
            pos = full.find(markdown[:200]) if markdown else -1
            offset = full.count("\n", 0, pos) if pos > 0 else 0
            front = full[:pos] if pos > 0 else full if not markdown.strip() else ""
        else:
            display, offset, front = file.src_uri, 0, ""
        self.site.start_page(file.src_uri, display, markdown, offset, page.meta or {}, front)
        return markdown

    def on_page_content(self, html, page, config, files):
        self._flush_problems()
        site = self.site
        if site.settings.cite_page and not site.is_generated(page.file.src_uri) and page.meta.get("cite", True):
            html += site.cite_box_html(self._meta(page, config), page.file.src_uri)
        return html

    def _meta(self, page, config):
        url = (config.site_url or "").rstrip("/") + "/" + page.url if config.site_url else ""
        return self.site.page_meta(_heading(page), url, page.meta or {})

    # -- after all pages are rendered: the last touch of their content -------------------------
    def on_env(self, env, config, files):
        site = self.site
        pages = [file.page for file in files.documentation_pages()
                 if file.page is not None and file.page.content is not None]
        infos = [PageInfo(p.file.src_uri, p.url, p.title or p.file.src_uri, p.content, p.meta or {})
                 for p in pages]
        site.finalize(infos, self.nav_order)
        for page, info in zip(pages, infos):
            page.content = site.final_content(info)
            info.content = None         # the page as rendered is not needed any more
            _resolve_toc(site, page.toc)
            if page.title and "\ue000" in page.title:    # a first heading that cites
                page.title = site.heading_text(page.title)
            if info.src == site.bibliography_src and page.present_anchor_ids is not None:
                # The entries were filled in after MkDocs collected the page's ids.
                page.present_anchor_ids |= site.bibliography_anchor_ids()
        self.page_export_base = {}
        for page in pages:
            src = page.file.src_uri
            if not site.is_generated(src) and site.page_export_keys(src):
                base = self.page_export_base[src] = _page_export_base(page)
                for ext in (".bib", ".json"):
                    files.append(_MadeFile.made(config, base + ext, functools.partial(site.page_export, src, ext)))
        self.glossary_index_page = _link_term_pages(site, files, self.nav_order)
        self._flush_problems()
        return env

    def on_page_context(self, context, page, config, nav):
        """A term page is not in the navigation (hundreds of terms would be rendered into every
        page's sidebar); while it renders, the glossary index's navigation item is active, so
        Material marks the Glossary tab and sidebar entry as where the reader is. ``on_post_page``
        makes it inactive again, as MkDocs does with the page itself after rendering it."""
        index = self.glossary_index_page
        if (index is not None and not index.active
                and (page.meta or {}).get("refsite_generated") == "term"):
            index.active = True
            self._activated = index
        return context

    def on_post_page(self, output, page, config):
        """``<head>`` tags only: page metadata and the export files as alternates."""
        if self._activated is not None:        # the shared navigation as it was (on_page_context)
            self._activated.active = False
            self._activated = None
        site = self.site
        src = page.file.src_uri
        alternates = []
        if src == site.bibliography_src:
            for label, mime in (("BibTeX", "application/x-bibtex"),
                                ("CSL-JSON", "application/vnd.citationstyles.csl+json"),
                                ("RIS", "application/x-research-info-systems")):
                alternates.append((mime, get_relative_url(site.export_srcs()[label], page.url), label))
        elif src in self.page_export_base:
            # Authored pages only, like the page metadata and the cite box: a generated page (term,
            # index) is not a work one cites, and its works are in the bibliography's files.
            name = get_relative_url(self.page_export_base[src], page.url)
            alternates.append(("application/x-bibtex", name + ".bib", "Works cited on this page (BibTeX)"))
            alternates.append(("application/vnd.citationstyles.csl+json", name + ".json",
                               "Works cited on this page (CSL-JSON)"))
        meta = self._meta(page, config) if not site.is_generated(src) else None
        head = site.head_html(meta or {}, alternates)
        if head:
            output = output.replace("</head>", head + "\n</head>", 1)
        return output

    def on_post_build(self, config):
        self._flush_problems()

    def on_serve(self, server, config, builder):
        if self.site.glossary_path:
            server.watch(self.site.glossary_path)
        for path in self.site.bibliography.files:
            server.watch(path)
        return server


class _MadeFile(File):
    """A generated file whose text is made when it is asked for, i.e. when MkDocs writes it
    (``copy_file``) or another plugin reads it: the export files of a large site (tens of MB) are
    not all held from ``on_env`` until MkDocs copies the files. MkDocs still writes every one."""

    @classmethod
    def made(cls, config, src_uri: str, make):
        file = cls.generated(config, src_uri, content="")
        file._make = make
        return file

    def _made(self) -> str | None:
        make = getattr(self, "_make", None)
        return make() if make is not None else None

    @property
    def content_string(self) -> str:
        made = self._made()
        return made if made is not None else File.content_string.fget(self)

    @content_string.setter
    def content_string(self, value: str):
        self._make = None
        File.content_string.fset(self, value)

    @property
    def content_bytes(self) -> bytes:
        made = self._made()
        return made.encode("utf-8") if made is not None else File.content_bytes.fget(self)

    @content_bytes.setter
    def content_bytes(self, value: bytes):
        self._make = None
        File.content_bytes.fset(self, value)

    def copy_file(self, dirty: bool = False) -> None:
        made = self._made()
        if made is None:
            return super().copy_file(dirty)
        self._content = made
        try:
            super().copy_file(dirty)
        finally:
            self._content = ""


def _search_separator_note(config) -> str | None:
    """What to tell an author whose search plugin ends words only at spaces and hyphens (Material's
    and MkDocs' default): a citation "(Ding 2018)" is then the word "(ding", which "Ding" does not
    find. A note, not a warning: the site is correct, its search is weaker."""
    for name, plugin in config.plugins.items():
        if name.rsplit("/", 1)[-1] != "search":
            continue
        separator = (getattr(plugin, "config", None) or {}).get("separator") or r"[\s\-]+"
        try:
            if "Ding" in re.split(separator, "(Ding, 2018)"):
                return None
        except re.error:            # a JavaScript-only expression: the author knows best
            return None
        return ("refsite: the search plugin's separator ends words only at spaces and hyphens, so "
                "searching a surname misses passages that cite it as '(Name 2018)'; set "
                "plugins.search.separator (README, 'Search')")
    return None


def _link_term_pages(site, files, nav_order):
    """Term pages not in the navigation get the neighbouring terms (A–Z) as previous and next page
    (Material's footer, ``<link rel=prev/next>``); the first term's previous page is the glossary
    index. Returns the index page (None without a glossary)."""
    if site.glossary is None:
        return None
    index = files.get_file_from_path(site.glossary_index_src)
    terms = [files.get_file_from_path(site.term_src(term)) for term in site.glossary.terms]
    chain = [index.page if index is not None else None]
    chain += [f.page for f in terms if f is not None and f.page is not None and f.src_uri not in nav_order]
    for before, page, after in zip(chain, chain[1:], [*chain[2:], None]):
        page.previous_page, page.next_page = before, after
    return chain[0]


def _heading(page) -> str:
    """What a reader would call the page: the title its front matter gives, else its first-level
    heading, else its title ("Home" in the navigation is not the home page's title)."""
    if (page.meta or {}).get("title"):
        return page.title or ""
    items = list(page.toc or ())
    if items and items[0].level == 1 and items[0].title:
        return items[0].title
    return page.title or ""


def _resolve_toc(site, items):
    """Year suffixes and name disambiguation in TOC titles of headings that cite."""
    for item in items or ():
        if "\ue000" in item.title:
            item.title = site.heading_text(item.title)
        _resolve_toc(site, item.children)


def _page_export_base(page) -> str:
    """Per-page export files sit at the site root ('references-<page>'): Material treats every
    <link rel=alternate> as a language version and fetches 'sitemap.xml' beside it."""
    stem = os.path.splitext(page.file.src_uri)[0]
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in stem).strip("-") or "index"
    return "references-" + stem
