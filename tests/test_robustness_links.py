"""Link integrity and determinism of the built flagship site."""
from __future__ import annotations

import gzip
import posixpath
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from conftest import build, copy_flagship

SKIP_SCHEMES = ("http:", "https:", "mailto:", "data:", "javascript:", "tel:")


def _ids(soup) -> set[str]:
    ids = {tag["id"] for tag in soup.find_all(id=True)}
    ids |= {tag["name"] for tag in soup.find_all("a", attrs={"name": True})}
    return ids


def test_every_internal_link_and_fragment_resolves(flagship_site):
    site = flagship_site.site
    pages = {}
    for path in site.rglob("*.html"):
        pages[path.relative_to(site).as_posix()] = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    ids = {name: _ids(soup) for name, soup in pages.items()}
    broken = []
    checked = 0
    for name, soup in sorted(pages.items()):
        if name == "404.html":        # Material's 404 page uses site-absolute URLs
            continue
        here = posixpath.dirname(name)
        for tag, attr in (("a", "href"), ("link", "href"), ("script", "src"), ("img", "src")):
            for el in soup.find_all(tag, attrs={attr: True}):
                href = el[attr].strip()
                if not href or href.lower().startswith(SKIP_SCHEMES) or href.startswith("//"):
                    continue
                parts = urlsplit(href)
                if parts.scheme:
                    broken.append(f"{name}: unexpected scheme {href}")
                    continue
                target = name if not parts.path else posixpath.normpath(posixpath.join(here, unquote(parts.path)))
                if parts.path.endswith("/") or (parts.path and (site / target).is_dir()):
                    target = posixpath.normpath(posixpath.join(target, "index.html"))
                if target.startswith(".."):
                    broken.append(f"{name}: {href} leaves the site")
                    continue
                checked += 1
                if not (site / target).is_file():
                    broken.append(f"{name}: {href} -> missing {target}")
                    continue
                fragment = unquote(parts.fragment)
                if fragment and target.endswith(".html") and fragment not in ids.get(target, set()):
                    broken.append(f"{name}: {href} -> no id '{fragment}' in {target}")
    assert checked > 500
    assert not broken, f"{len(broken)} broken links:\n" + "\n".join(broken[:60])


def test_backlinks_term_links_and_reference_links_are_present(flagship_site):
    """The walk above only proves what exists resolves; make sure the kinds we care about exist."""
    bib = flagship_site.soup("bibliography/")
    assert bib.select("div.refsite-backlinks a[href]")
    articles = [BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser").select_one("article")
                for p in (flagship_site.site / "summaries").rglob("index.html")]
    for selector in ("a.refsite-term[href]", "section.refsite-references a.refsite-ref__go[href]",
                     "span.refsite-cite a.refsite-cite__ref[href]"):
        assert any(a.select(selector) for a in articles), selector


# -- determinism -----------------------------------------------------------------------------------

COMPARED = (".html", ".bib", ".ris", ".json", ".xml")


@pytest.mark.slow
def test_two_builds_are_byte_identical(tmp_path, monkeypatch):
    # The sitemap's <lastmod> is the build date; pin it as reproducible builds do.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = build(copy_flagship(tmp_path / "one" / "work"))
    second = build(copy_flagship(tmp_path / "two" / "deeper" / "work"))
    a = {p.relative_to(first.site).as_posix(): p for p in first.site.rglob("*") if p.is_file()}
    b = {p.relative_to(second.site).as_posix(): p for p in second.site.rglob("*") if p.is_file()}
    assert sorted(a) == sorted(b)
    compared = [name for name in a if name.endswith(COMPARED)]
    assert any(n.endswith(".bib") for n in compared) and any(n.endswith(".ris") for n in compared)
    differ = [name for name in sorted(compared) if a[name].read_bytes() != b[name].read_bytes()]
    assert not differ, f"differ between two builds: {differ[:20]}"
    # sitemap.xml.gz: gzip embeds an mtime in its header; its content must still be identical.
    if "sitemap.xml.gz" in a:
        assert gzip.decompress(a["sitemap.xml.gz"].read_bytes()) == gzip.decompress(b["sitemap.xml.gz"].read_bytes())
    # No absolute path of the build folder leaks into the output.
    leaks = [name for name in compared if str(first.root).encode() in a[name].read_bytes()]
    assert not leaks, leaks[:10]
