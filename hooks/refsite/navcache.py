"""Render each item of Material's navigation once per build where its HTML cannot differ.

Material renders the whole navigation tree on every page: with 400 pages in the navigation and 500
term pages that is ~400,000 renders of its ``nav-item.html`` macro, most of a site's build time.
The HTML of one item (and everything under it) depends on the page only through

* whether the item (or something under it) is the current page: MkDocs marks the page and its
  ancestors ``active`` while the page renders; an active item is always rendered afresh;
* the relative URLs of its links, computed from the page's URL as MkDocs' ``get_relative_url``
  does: from the page's directory parts. For a page whose directory holds no navigation URL, every
  link is ``../`` + the link from the parent directory, so pages that share a parent directory share
  the HTML (all term pages, all pages of one section);
* for a nested item, whether its parent is active (``navigation.sections`` under tabs): only the
  children of an active parent are cached (those of an inactive one are inside its cached HTML).

So the cache key is (item path, level, base), with base the page's parent directory
when none of the item's URLs lies under the page's own directory, else the directory itself. On the
active path the item is rendered afresh and its inactive children come from the cache, so a page in a
25-page section renders its own entry and its table of contents, not its 24 siblings again. The output
is byte-identical to Material's (tested against uncached builds). Installed by patching the line that
renders a top-level item in the active ``partials/nav.html`` and the line that renders a child in
``partials/nav-item.html`` (Material's or a theme override); where a line is not found, that template
renders as before.
"""
from __future__ import annotations

from jinja2 import ChoiceLoader, DictLoader, TemplateNotFound

# (template, Material's line, the line that replaces it)
PATCHES = (
    ("partials/nav.html", "{{ item.render(nav_item, path, 1) }}",
     "{{ refsite_nav_item(item.render, nav_item, path, 1, none, page) }}"),
    ("partials/nav-item.html", '{{ render(item, path ~ "_" ~ loop.index, level + 1, nav_item) }}',
     '{{ refsite_nav_item(render, item, path ~ "_" ~ loop.index, level + 1, nav_item, page) }}'),
)
GLOBAL = "refsite_nav_item"


def _parts(url: str) -> tuple[str, ...]:
    """Directory parts of a page URL, as mkdocs.utils.get_relative_url reads its ``other``."""
    dirname, _, basename = url.rpartition("/")
    if "." in basename:
        url = dirname
    return tuple(part for part in url.split("/") if part and part != ".")


class NavCache:
    def __init__(self):
        self._cache: dict = {}
        self._parts: dict[str, tuple[str, ...]] = {}
        self._subtrees: dict[int, tuple[frozenset, set]] = {}
        self.hits = 0
        self.misses = 0

    def _subtree(self, item) -> tuple[frozenset, set]:
        """(source files, every leading run of URL parts) of the item and everything under it."""
        found = self._subtrees.get(id(item))
        if found is None:
            files, urls = set(), set()
            stack = [item]
            while stack:
                node = stack.pop()
                url = getattr(node, "url", None)
                if isinstance(url, str) and "://" not in url and not url.startswith(("/", "#")):
                    parts = tuple(part for part in url.split("/") if part and part != ".")
                    urls.update(parts[:n] for n in range(1, len(parts) + 1))
                file = getattr(node, "file", None)
                if file is not None:
                    files.add(getattr(file, "src_uri", None))
                stack.extend(getattr(node, "children", None) or ())
            found = self._subtrees[id(item)] = (frozenset(files), urls)
        return found

    def install(self, env) -> bool:
        """Patch the templates; True if at least one was patched."""
        patched = {}
        for name, line, replacement in PATCHES:
            try:
                source, _, _ = env.loader.get_source(env, name)
            except TemplateNotFound:
                continue
            if source.count(line) == 1:
                patched[name] = source.replace(line, replacement)
        if not patched:
            return False
        env.loader = ChoiceLoader([DictLoader(patched), env.loader])
        env.globals[GLOBAL] = self.render_item
        return True

    def base_key(self, item, url: str) -> tuple:
        """Where the item's relative links are computed from, for a page at ``url``."""
        parts = self._parts.get(url)
        if parts is None:
            parts = self._parts[url] = _parts(url)
        if parts and parts not in self._subtree(item)[1]:   # no URL of the item under the folder
            return ("up",) + parts[:-1]
        return ("at",) + parts

    def render_item(self, render, nav_item, path, level, parent, page):
        """``render(nav_item, path, level[, parent])`` (Material's macro), from the cache if it can.

        Only items whose parent is active (or top-level items) are kept: the children of an inactive
        item are rendered once, inside its own cached HTML, and never asked for again."""
        args = (nav_item, path, level) if parent is None else (nav_item, path, level, parent)
        url = getattr(page, "url", None)
        if (not isinstance(url, str) or getattr(nav_item, "active", True)
                or (parent is not None and not getattr(parent, "active", False))
                or getattr(nav_item, "pages", None)       # Material checks `page in nav_item.pages`
                or getattr(getattr(page, "file", None), "src_uri", None) in self._subtree(nav_item)[0]):
            return render(*args)
        key = (path, level, self.base_key(nav_item, url))
        html = self._cache.get(key)
        if html is None:
            self.misses += 1
            html = self._cache[key] = render(*args)
        else:
            self.hits += 1
        return html
