"""The navigation cache (refsite/navcache.py) must not change a single byte of Material's output.

Each case builds the same site twice, with the cache and with it switched off, and compares every
file of the two builds; it also checks that the cache was used (hits), so the comparison cannot pass
because the cache silently stayed out of the way.
"""
from __future__ import annotations

import pytest

import refsite.navcache as navcache
from conftest import build, copy_flagship, write_site

BIB = """
@book{lee2018, author = {Lee, Kai-Fu}, title = {AI Superpowers}, publisher = {Houghton Mifflin Harcourt},
  address = {Boston}, year = {2018}}
@article{ding2018, author = {Ding, Jeffrey}, title = {Deciphering China's AI Dream}, journal = {FHI Report},
  year = {2018}}
"""
GLOSSARY = """
- term: social credit
  definition: A set of rating systems [@ding2018].
- term: platform
  definition: An intermediary between users.
"""


def _files():
    files = {"bibliography/refs.bib": BIB, "content/glossary.yml": GLOSSARY,
             "content/index.md": "# Home\n\nThe platform and social credit [@lee2018].\n"}
    for section in ("alpha", "beta", "gamma"):
        files[f"content/{section}/index.md"] = f"# {section.title()}\n\nSection index, see @ding2018.\n"
        for n in range(4):
            files[f"content/{section}/page-{n}.md"] = (
                f"# {section} {n}\n\n## Part\n\nText about a platform [@lee2018, p. {n + 1}].\n")
        files[f"content/{section}/deep/leaf.md"] = f"# {section} leaf\n\nA leaf [-@ding2018].\n"
    files["content/orphan/note.md"] = "# Orphan\n\nNot in the navigation; cites @lee2018.\n"
    files["content/stray.md"] = "# Stray\n\nAlso not in the navigation.\n"
    return files


def _nav():
    nav = [{"Home": "index.md"}]
    for section in ("alpha", "beta", "gamma"):
        nav.append({section.title(): [f"{section}/index.md"]
                    + [f"{section}/page-{n}.md" for n in range(4)]
                    + [{"Deeper": [f"{section}/deep/leaf.md"]}]})
    nav.append({"External": "https://example.com/"})
    nav.append({"Bibliography": "bibliography.md"})
    nav.append({"Glossary": "glossary/index.md"})
    return nav


def _flat_nav():
    """Sections of pages that share one folder (so their pages share a base), a page listed twice."""
    return [{"Home": "index.md"},
            {"One": ["stray.md", "alpha/page-0.md", "alpha/page-1.md"]},
            {"Two": ["alpha/page-2.md", "alpha/page-3.md", {"Again": ["alpha/page-0.md"]}]},
            {"Rest": ["alpha/index.md", "beta/index.md", "gamma/index.md"]},
            {"Bibliography": "bibliography.md"}, {"Glossary": "glossary/index.md"}]


CASES = {
    "plain": {},
    "tabs-sections-indexes": {"theme": {"features": ["navigation.tabs", "navigation.sections",
                                                       "navigation.indexes", "navigation.instant"]}},
    "prune-integrate": {"theme": {"features": ["navigation.prune", "toc.integrate"]}},
    "expand-flat-urls": {"theme": {"features": ["navigation.expand"]}, "use_directory_urls": False},
    "shared-folder-tabs-sections": {"nav": "flat", "use_directory_urls": False,
                                    "theme": {"features": ["navigation.tabs", "navigation.sections"]}},
    "shared-folder-plain": {"nav": "flat", "use_directory_urls": False},
}


def _snapshot(site):
    return {path.relative_to(site).as_posix(): path.read_bytes()
            for path in sorted(site.rglob("*")) if path.is_file()}


@pytest.mark.parametrize("case", sorted(CASES))
def test_cached_navigation_is_byte_identical(tmp_path, monkeypatch, case):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    case_config = dict(CASES[case])
    nav = _flat_nav() if case_config.pop("nav", None) == "flat" else _nav()
    config = {"nav": nav, "not_in_nav": "/orphan/*\n/stray.md\n", **case_config,
              "extra": {"refsite": {"bibliography": ["bibliography/*.bib"], "glossary": "content/glossary.yml"}}}
    caches = []
    install = navcache.NavCache.install

    def recording(self, env):
        caches.append(self)
        return install(self, env)

    monkeypatch.setattr(navcache.NavCache, "install", recording)
    cached = build(write_site(tmp_path / "cached", _files(), config))
    assert len(caches) == 1 and caches[0].hits > 0, "the navigation cache was not used"
    assert caches[0].misses > 0

    monkeypatch.setattr(navcache.NavCache, "install", lambda self, env: False)
    plain = build(write_site(tmp_path / "plain", _files(), config))
    a, b = _snapshot(cached.site), _snapshot(plain.site)
    assert a.keys() == b.keys()
    different = [name for name in a if a[name] != b[name]]
    assert not different, f"cached navigation changed {different[:5]}"
    # The site really has what the cache must get right: term pages outside the navigation, a page
    # whose folder holds other pages, an external link.
    assert any(name.startswith("glossary/platform") for name in a)
    assert "orphan/note/index.html" in a or "orphan/note.html" in a


def test_flagship_cached_navigation_is_byte_identical(tmp_path, monkeypatch):
    """The shipped site (tabs, sections, term pages outside the navigation) with and without."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    caches = []
    install = navcache.NavCache.install
    monkeypatch.setattr(navcache.NavCache, "install", lambda self, env: caches.append(self) or install(self, env))
    cached = build(copy_flagship(tmp_path / "cached"))
    assert caches and caches[0].hits > 100
    monkeypatch.setattr(navcache.NavCache, "install", lambda self, env: False)
    plain = build(copy_flagship(tmp_path / "plain"))
    a, b = _snapshot(cached.site), _snapshot(plain.site)
    assert a.keys() == b.keys()
    assert [name for name in a if a[name] != b[name]] == []


def test_theme_without_the_line_is_left_alone(tmp_path):
    """A theme override whose nav.html lacks Material's top-level render line is not patched."""
    from jinja2 import DictLoader, Environment

    env = Environment(loader=DictLoader({"partials/nav.html": "<nav>{{ nav }}</nav>",
                                         "partials/nav-item.html": "{% macro render(x) %}{% endmacro %}"}))
    assert navcache.NavCache().install(env) is False
    assert env.get_template("partials/nav.html").render(nav="x") == "<nav>x</nav>"


@pytest.mark.parametrize("url, item_urls, expected", [
    ("glossary/term/", ["", "alpha/", "alpha/page/"], ("up", "glossary")),
    ("alpha/", ["alpha/page/"], ("at", "alpha")),            # the item links below the page's folder
    ("alpha/", ["beta/page/"], ("up",)),
    ("", ["alpha/"], ("at",)),                                 # the site root is never shared upwards
    ("alpha/page.html", ["alpha/other.html"], ("at", "alpha")),  # flat URLs: the folder is 'alpha'
    ("alpha/page.html", ["beta/x.html"], ("up",)),
])
def test_base_key(url, item_urls, expected):
    class Item:
        def __init__(self, urls):
            self.children = [type("Page", (), {"url": u, "file": None, "children": None})() for u in urls]
    item = Item(item_urls)
    cache = navcache.NavCache()
    assert cache.base_key(item, url) == expected
