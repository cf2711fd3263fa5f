"""Render each top-level item of Material's navigation once per build where its HTML cannot differ.

Material renders the whole navigation tree on every page: with 400 pages in the navigation and 500
term pages that is ~400,000 renders of its ``nav-item.html`` macro, most of a site's build time.
The HTML of one top-level item depends on the page only through

* whether the item (or something under it) is the current page: MkDocs marks the page and its
  ancestors ``active`` while the page renders; an active item is always rendered afresh;
* the relative URLs of its links, computed from the page's URL as MkDocs' ``get_relative_url``
  does: from the page's directory parts. For a page whose directory holds no navigation URL, every
  link is ``../`` + the link from the parent directory, so pages that share a parent directory share
  the HTML (all term pages, all pages of one section).

So the cache key is (item path, base), with base the page's parent directory when none of the item's
URLs lies under the page's own directory, else the directory itself. The output is byte-identical to
Material's (tested against an uncached build). Installed by patching the one line of the active
``partials/nav.html`` (Material's or a theme override) that renders a top-level item; if that line
is not found the navigation is rendered as before.
"""
from __future__ import annotations

from jinja2 import ChoiceLoader, DictLoader, TemplateNotFound

TEMPLATE = "partials/nav.html"
MARKER = "{{ item.render(nav_item, path, 1) }}"
GLOBAL = "refsite_nav_item"


def _parts(url: str) -> tuple[str, ...]:
    """Directory parts of a page URL, as mkdocs.utils.get_relative_url reads its ``other``."""
    dirname, _, basename = url.rpartition("/")
    if "." in basename:
        url = dirname
    return tuple(part for part in url.split("/") if part and part != ".")


class NavCache:
    def __init__(self, nav_items):
        self._cache: dict = {}
        self._keys: dict[tuple, tuple] = {}
        self._files: dict[int, frozenset] = {}
        self._urls: dict[int, list[tuple[str, ...]]] = {}
        for item in nav_items or ():
            urls: list[tuple[str, ...]] = []
            self._files[id(item)] = frozenset(self._walk(item, urls))
            self._urls[id(item)] = urls
        self.hits = 0
        self.misses = 0

    def _walk(self, item, urls):
        url = getattr(item, "url", None)
        if isinstance(url, str) and "://" not in url and not url.startswith(("/", "#")):
            urls.append(tuple(part for part in url.split("/") if part and part != "."))
        file = getattr(item, "file", None)
        if file is not None:
            yield getattr(file, "src_uri", None)
        for child in getattr(item, "children", None) or ():
            yield from self._walk(child, urls)

    def install(self, env) -> bool:
        try:
            source, _, _ = env.loader.get_source(env, TEMPLATE)
        except TemplateNotFound:
            return False
        if source.count(MARKER) != 1:
            return False
        patched = source.replace(MARKER, "{{ %s(item, nav_item, path, page) }}" % GLOBAL)
        env.loader = ChoiceLoader([DictLoader({TEMPLATE: patched}), env.loader])
        env.globals[GLOBAL] = self.render_item
        return True

    def base_key(self, item, url: str) -> tuple:
        """Where the item's relative links are computed from, for a page at ``url``."""
        key = self._keys.get((id(item), url))
        if key is None:
            parts = _parts(url)
            size = len(parts)
            if parts and not any(other[:size] == parts for other in self._urls[id(item)]):
                key = ("up",) + parts[:-1]
            else:
                key = ("at",) + parts
            self._keys[(id(item), url)] = key
        return key

    def render_item(self, module, nav_item, path, page):
        files = self._files.get(id(nav_item))
        file = getattr(page, "file", None)
        if (page is None or files is None or getattr(nav_item, "active", True)
                or getattr(file, "src_uri", None) in files or not isinstance(getattr(page, "url", None), str)):
            return module.render(nav_item, path, 1)
        key = (path, self.base_key(nav_item, page.url))
        html = self._cache.get(key)
        if html is None:
            self.misses += 1
            html = self._cache[key] = module.render(nav_item, path, 1)
        else:
            self.hits += 1
        return html
