"""MkDocs hooks for refsite: wiring only. All the work lives in the ``refsite`` package beside this file.

MkDocs puts this folder on sys.path only while loading the hook, so everything is imported here, at
the top level.
"""
from __future__ import annotations

import logging
import os
import posixpath

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, InclusionLevel

from refsite.config import SettingsError, parse_settings
from refsite.mdext import fragment_for
from refsite.navcache import NavCache
from refsite.site import RUN, PageInfo, Site

log = logging.getLogger("mkdocs.plugins.refsite")
SITE = Site()
ASSETS = ("refsite/refsite.css", "refsite/refsite.js")
_ASSET_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "refsite", "assets")
_state = {"nav_order": []}


def _flush_problems():
    for problem in SITE.diagnostics.take():
        log.warning(str(problem))


def on_startup(command, dirty):
    RUN["command"] = command


def on_config(config):
    try:
        settings = parse_settings((config.extra or {}).get("refsite"), Site.style_names())
    except SettingsError as error:
        raise PluginError(str(error)) from None
    config_path = config.config_file_path or "mkdocs.yml"
    config_dir = os.path.dirname(os.path.abspath(config_path))
    citation = (config.extra or {}).get("citation") or {}
    SITE.configure(settings, config_dir=config_dir, docs_dir=config.docs_dir,
                   config_path=os.path.relpath(config_path, config_dir),
                   site={"site_name": config.site_name, "site_url": config.site_url or "",
                         "authors": citation.get("authors") or ([config.site_author] if config.site_author else []),
                         "date": citation.get("date", ""), "publisher": citation.get("publisher", ""),
                         "language": config.theme.get("language", "en") if config.theme else "en"})
    config.markdown_extensions.append(SITE.extension)
    for asset in ASSETS:
        target = config.extra_css if asset.endswith(".css") else config.extra_javascript
        if asset not in target:
            target.append(asset)
    _flush_problems()
    return config


def on_files(files, config):
    glossary_src = None
    if getattr(SITE, "glossary_path", None):
        docs = os.path.abspath(config.docs_dir)
        if SITE.glossary_path.startswith(docs + os.sep):
            glossary_src = os.path.relpath(SITE.glossary_path, docs).replace(os.sep, "/")
    for file in list(files):
        if glossary_src and file.src_uri == glossary_src:
            files.remove(file)
    for src, (content, in_nav) in SITE.generated_pages().items():
        existing = files.get_file_from_path(src)
        if existing is not None:
            log.warning(f"{src}: replaced by the generated page of the same name (extra.refsite)")
            files.remove(existing)
        file = File.generated(config, src, content=content,
                              inclusion=InclusionLevel.INCLUDED if in_nav else InclusionLevel.NOT_IN_NAV)
        files.append(file)
    for src in SITE.export_srcs().values():
        files.append(File.generated(config, src, content=""))
    for asset in ASSETS:
        with open(os.path.join(_ASSET_DIR, os.path.basename(asset)), encoding="utf-8") as handle:
            files.append(File.generated(config, asset, content=handle.read()))
    _flush_problems()
    return files


def on_nav(nav, config, files):
    _state["nav_order"] = [page.file.src_uri for page in nav.pages]
    return nav


def on_page_markdown(markdown, page, config, files):
    file = page.file
    if file.generated_by is None and file.abs_src_path:
        display = os.path.relpath(file.abs_src_path, os.path.dirname(os.path.abspath(config.config_file_path)))
        try:
            full = file.content_string
        except (OSError, UnicodeDecodeError):
            full = markdown
        pos = full.find(markdown[:200]) if markdown else -1
        offset = full.count("\n", 0, pos) if pos > 0 else 0
    else:
        display, offset = file.src_uri, 0
    SITE.start_page(file.src_uri, display, markdown, offset, page.meta or {})
    return markdown


def on_page_content(html, page, config, files):
    _flush_problems()
    if SITE.settings.cite_page and not SITE.is_generated(page.file.src_uri) and page.meta.get("cite", True):
        html += SITE.cite_box_html(_meta(page, config))
    return html


def _meta(page, config):
    url = (config.site_url or "").rstrip("/") + "/" + page.url if config.site_url else page.url
    return SITE.page_meta(page.title or "", url, page.meta or {})


def on_env(env, config, files):
    infos = []
    for file in files.documentation_pages():
        page = file.page
        if page is None or page.content is None:
            continue
        infos.append(PageInfo(file.src_uri, page.url, page.title or file.src_uri, page.content, page.meta or {}))
    SITE.finalize(infos, _state["nav_order"])
    bib_src = SITE.bibliography_src
    by_src = {info.src: info for info in infos}
    # The bibliography reads other pages' headings: fill it while every page is still as rendered.
    order = sorted(files.documentation_pages(), key=lambda f: f.src_uri != bib_src)
    for file in order:
        info = by_src.get(file.src_uri)
        if file.page is not None and info is not None:
            # One page at a time, dropping the unresolved copy: peak memory stays one page above.
            file.page.content = SITE.final_content(info)
            info.content = None
            _resolve_toc(file.page.toc)
            if file.src_uri == bib_src and file.page.present_anchor_ids is not None:
                # Entries are filled in here, after MkDocs collected the page's ids: add them, both
                # as ids and as the (percent-encoded) fragments that citation links use.
                file.page.present_anchor_ids |= {"ref-" + k for k in SITE._shown}
                file.page.present_anchor_ids |= {fragment_for(k) for k in SITE._shown}
    # Material renders the whole navigation on every page; render each item once per (item, base
    # folder) where its HTML cannot differ (refsite/navcache.py).
    NavCache().install(env)
    # What is left to write needs only the export texts; outside `mkdocs serve` (which reuses the
    # parsed bibliography for the next rebuild) the parsed entries are let go now.
    SITE.seal(release=RUN["command"] != "serve")
    _flush_problems()
    return env


def _resolve_toc(items):
    """Year suffixes and name disambiguation in TOC titles of headings that cite."""
    for item in items or ():
        if "\ue000" in item.title:
            item.title = SITE.resolve(item.title)
        _resolve_toc(item.children)


def on_post_page(output, page, config):
    src = page.file.src_uri
    alternates = []
    exports = SITE.export_srcs()
    here = page.url if page.url.endswith("/") or not page.url else posixpath.dirname(page.url) + "/"
    if src == SITE.bibliography_src:
        for label, mime in (("BibTeX", "application/x-bibtex"),
                            ("CSL-JSON", "application/vnd.citationstyles.csl+json"),
                            ("RIS", "application/x-research-info-systems")):
            target = exports[label]
            alternates.append((mime, posixpath.relpath(target, here.rstrip("/") or "."), label))
    elif not SITE.is_generated(src):
        # Authored pages only, like the Highwire tags and the cite box: a generated page (term, index)
        # is not a work one cites, and its works are in the bibliography's files.
        data = SITE.page_exports(src)
        if data:
            base = _page_export_base(page)
            for ext, text in data.items():            # written now, not held to the end of the build
                _write(config, base + ext, (text,))
            name = posixpath.relpath(base, here.rstrip("/") or ".")
            alternates.append(("application/x-bibtex", name + ".bib", "Works cited on this page (BibTeX)"))
            alternates.append(("application/vnd.citationstyles.csl+json", name + ".json",
                               "Works cited on this page (CSL-JSON)"))
    output = SITE.fill_reference_list(src, output)
    meta = _meta(page, config) if not SITE.is_generated(src) else None
    head = SITE.head_html(meta or {}, alternates)
    if head:
        output = output.replace("</head>", head + "\n</head>", 1)
    if src == SITE.bibliography_src and SITE.has_deferred():
        SITE.defer_page(page.file.abs_dest_path, output)   # written whole in on_post_build
    return output


def _page_export_base(page):
    """Per-page export files sit at the site root ('references-<page>'): Material treats every
    <link rel=alternate> as a language version and fetches 'sitemap.xml' beside it."""
    stem = posixpath.splitext(page.file.src_uri)[0]
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in stem).strip("-") or "index"
    return "references-" + stem


def _write(config, dest_uri, pieces):
    """Write a file of the site from text pieces (UTF-8, as written)."""
    path = os.path.join(config.site_dir, *dest_uri.split("/"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.writelines(pieces)


@event_priority(50)   # before the search plugin builds its index: what is written here is let go first
def on_post_build(config):
    SITE.write_deferred()
    # The site-wide export files are registered (empty) in on_files so that links to them validate;
    # their text is made and written here, so it is not held in memory while the pages are built.
    for src, pieces in SITE.export_pieces().items():
        _write(config, src, pieces)
    SITE.release_exports()
    _flush_problems()


def on_serve(server, config, builder):
    if getattr(SITE, "glossary_path", None):
        server.watch(SITE.glossary_path)
    for path in SITE.bibliography.files:
        server.watch(path)
    return server
