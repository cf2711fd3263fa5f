"""use_directory_urls: false — every generated link (citations, backlinks, exports, terms) resolves."""
from __future__ import annotations

import posixpath
from urllib.parse import unquote, urlsplit

BIB = """\
@book{lee2018,
  author = {Lee, Kai-Fu},
  title = {AI Superpowers},
  publisher = {Houghton Mifflin Harcourt},
  year = {2018}
}
"""
GLOSSARY = """\
- term: big data
  definition: Very large data sets [@lee2018].
"""


def test_flat_urls_resolve(make_site):
    site = make_site(
        {"content/index.md": "# Home\n\nSee [@lee2018, p. 12] on big data.\n",
         "content/deep/page.md": "# Deep\n\n## Section\n\nAgain @lee2018 [p. 3].\n",
         "content/glossary.yml": GLOSSARY,
         "bibliography/refs.bib": BIB},
        {"use_directory_urls": False, "refsite": {"glossary": "content/glossary.yml"}})
    checked = 0
    for html in sorted(site.site.rglob("*.html")):
        rel = html.relative_to(site.site).as_posix()
        if rel.startswith(("404", "search")):
            continue
        soup = site.soup(rel)
        hrefs = [a["href"] for a in soup.select("article a[href]")]
        hrefs += [link["href"] for link in soup.select('head link[rel="alternate"]')]
        for href in hrefs:
            parts = urlsplit(href)
            if parts.scheme or href.startswith("#") and not parts.path:
                if parts.fragment and not parts.scheme:
                    assert soup.find(id=unquote(parts.fragment)), (rel, href)
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), unquote(parts.path)))
            path = site.site / target
            assert path.is_file(), (rel, href)
            if parts.fragment:
                assert site.soup(target).find(id=unquote(parts.fragment)), (rel, href)
            checked += 1
    assert checked > 15
    bib = site.soup("bibliography.html")
    backlinks = [a["href"] for a in bib.select("div.refsite-backlinks a")]
    assert backlinks == ["index.html#cite-1", "deep/page.html#cite-1", "glossary/big-data.html#cite-1"]
    page = site.soup("deep/page.html")
    alternates = {link["type"]: link["href"] for link in page.select('head link[rel="alternate"]')}
    assert alternates["application/x-bibtex"] == "../references-deep-page.bib"
    assert (site.site / "references-deep-page.bib").read_text(encoding="utf-8").startswith("@book{lee2018")
