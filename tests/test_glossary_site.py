"""Glossary on real site builds: YAML terms, generated pages, auto-linking, hover cards, "Appears in".

Scenario ``glossary_traps`` puts glossary words everywhere they must not be linked (code, fences,
links, URLs, headings, image alt, citations, escapes, an opted-out page) *before* their first real
use, so a wrongly linked trap also shows up as a missing link where the first real use is.
Scenario ``glossary_bad`` holds one of each YAML problem at a known line.
"""
from __future__ import annotations

import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from conftest import BASE_CONFIG, SCENARIOS, _merge, build, site_config, free_port, serve_dir_on

REFS_BIB = (SCENARIOS / "glossary_traps" / "bibliography" / "refs.bib").read_text(encoding="utf-8")
MD_EXTENSIONS = [{"toc": {"permalink": True}}, "admonition", "attr_list", "md_in_html", "footnotes",
                 "tables", "def_list", "pymdownx.superfences", "pymdownx.details"]
GLOSSARY_CONFIG = {"markdown_extensions": MD_EXTENSIONS,
                   "refsite": {"glossary": "content/glossary.yml"}}
TERMS = {  # slug -> (term, short definition shown in the index and the hover card)
    "algorithm": ("algorithm", "A finite sequence of instructions that turns an input into an output."),
    "cross-border-data-flow": ("Cross-border data flow",
                               "The movement of data across national borders, for example between cloud regions."),
    "data": ("data", "Recorded facts, numbers or signals that can be processed."),
    "data-localization": ("Data localization", "Keeping data inside national borders."),
    "it": ("IT", "Information technology, the industry of computers and networks."),
    "policy": ("policy", "A plan of action adopted by a government or an organization."),
    "quantum-sovereignty": ("Quantum sovereignty", "A term that no page uses; its term page says so."),
    "zhongguancun": ("Zhongguancun", "A technology district in Beijing, sometimes called China's Silicon Valley."),
}
CONTENT_PAGES = ("", "traps/", "variants/", "optout/", "notes/deep/")
TRAPS = ("trap-code", "trap-link", "trap-url", "trap-cite", "trap-escape", "trap-escape-attr", "trap-attr")
# first-occurrence mode: slug -> [("Page › Section", occurrences)] in nav order
APPEARS_FIRST = {
    "algorithm": [("Traps › Real uses", 2), ("Variants › Words", 1), ("Variants › More words", 2)],
    "cross-border-data-flow": [("Variants › Words", 2)],
    "data": [("Variants › Words", 1)],
    "data-localization": [("Traps › Real uses", 2), ("Variants › Words", 2), ("Deep note › Policy section", 1)],
    "it": [("Variants › Words", 1)],
    "policy": [("Variants › Words", 1), ("Deep note › Policy section", 1)],
    "quantum-sovereignty": [],
    "zhongguancun": [("Traps › Real uses", 1)],
}


def _build_scenario(root: Path, name: str, config: dict | None = None, expect=()):
    shutil.copytree(SCENARIOS / name, root)
    merged = site_config(_merge(BASE_CONFIG, GLOSSARY_CONFIG), config)
    (root / "mkdocs.yml").write_text(yaml.safe_dump(merged, allow_unicode=True, sort_keys=False),
                                     encoding="utf-8")
    return build(root, expect=expect, strict=not expect)


@pytest.fixture(scope="module")
def first_site(tmp_path_factory):
    return _build_scenario(tmp_path_factory.mktemp("gfirst") / "site", "glossary_traps")


@pytest.fixture(scope="module")
def all_site(tmp_path_factory):
    return _build_scenario(tmp_path_factory.mktemp("gall") / "site", "glossary_traps",
                           {"refsite": {"link_terms": "all"}})


# -- helpers -----------------------------------------------------------------------------------

def terms_in(el):
    """[(link text, slug)] of the glossary links inside ``el``."""
    return [(a.get_text(), a["data-term-slug"]) for a in el.select("a.refsite-term")]


def resolve(site, page: str, href: str):
    """(page path relative to the site, fragment) for a relative ``href`` on ``page``; checks the file."""
    parts = urlsplit(href)
    assert not parts.scheme and not parts.netloc and not href.startswith("/"), href
    target = posixpath.normpath(posixpath.join("/" + page, unquote(parts.path))).lstrip("/")
    if parts.path.endswith("/") and target:
        target += "/"
    if target == ".":
        target = ""
    assert site.path(target).is_file(), f"{href} on {page or 'home'} -> missing {target}"
    return target, unquote(parts.fragment)


def assert_resolves(site, page: str, href: str):
    target, fragment = resolve(site, page, href)
    if fragment:
        assert site.soup(target).find(id=fragment) is not None, f"{href} on {page}: no #{fragment}"
    return target, fragment


def appears(site, slug):
    """[(href, "Page › Section", count)] of a term page's "Appears in" list."""
    article = site.article(f"glossary/{slug}/")
    heading = article.find("h2", id="appears-in")
    assert heading is not None, slug
    box = heading.find_next_sibling(class_="refsite-appears")
    rows = []
    for li in box.select("li"):
        a = li.find("a")
        count = li.select_one(".refsite-appears__count")
        n = int(re.search(r"\d+", count.get_text()).group()) if count else 1
        rows.append((a["href"], " ".join(a.get_text().split()), n))
    return rows


# -- 1. linking: traps, variants, first occurrence, opt-out, escape --------------------------------

def test_traps_are_never_linked(first_site):
    article = first_site.article("traps/")
    for trap in TRAPS:
        el = article.find(id=trap)
        assert el is not None, trap
        assert terms_in(el) == [], f"#{trap} got glossary links: {terms_in(el)}"
    # headings, code, fenced blocks, the escaped block and attribute text are left alone
    for el in article.select("h1, h2, code, pre, div.refsite-noterm"):
        assert el.select("a.refsite-term") == [], str(el)[:200]
    img = article.find(id="trap-img")
    assert img.name == "img" and img["alt"] == "Data localization algorithm in Zhongguancun"
    assert img["title"] == "An algorithm in Zhongguancun"
    attr = article.find(id="trap-attr")  # an attribute list naming terms is applied, not linked into
    assert attr["title"] == "data localization algorithm"
    assert attr.get_text() == "A paragraph whose attribute list names a term."
    # the link's own text is intact and still points to its target
    link = article.find(id="trap-link").find("a")
    assert link.get_text() == "about data localization and algorithms" and link["href"] == "../variants/"
    assert "https://example.org/zhongguancun/algorithm/data" in article.find(id="trap-url").get_text()
    # the citation's prefix stays inside the citation, unlinked
    cite = article.find(id="trap-cite").select_one("span.refsite-cite")
    assert "see the data localization algorithm of Zhongguancun" in cite.get_text()
    # the escapes: raw span, and the attr_list forms *...*{.refsite-noterm} / **...**{.refsite-noterm}
    escaped = article.find(id="trap-escape-attr")
    assert [e.name for e in escaped.select(".refsite-noterm")] == ["em", "strong"]
    assert "{" not in escaped.get_text(), "attr_list syntax left in the page"


def test_first_real_use_is_the_one_linked(first_site):
    article = first_site.article("traps/")
    assert terms_in(article.find(id="real-first")) == [
        ("DATA LOCALISATION", "data-localization"), ("algorithms", "algorithm"), ("Zhongguancun", "zhongguancun")]
    assert terms_in(article.find(id="real-second")) == []  # first-occurrence rule
    assert len(article.select("a.refsite-term")) == 3
    links = article.select("a.refsite-term")
    for a in links:
        slug = a["data-term-slug"]
        assert a["href"] == f"../glossary/{slug}/"
        assert a["id"].startswith(f"term-{slug}-")
        assert a["data-term"] == TERMS[slug][0]
        assert a["data-refsite-short"] == TERMS[slug][1]
        assert not a.has_attr("title")
    assert len({a["id"] for a in links}) == len(links)


def test_variants_first_mode(first_site):
    article = first_site.article("variants/")
    expected = {
        "v-plural": [("algorithms", "algorithm")],
        "v-ies": [("policies", "policy")],
        "v-alias": [("Data Residency", "data-localization")],          # alias, any case
        "v-longest": [("data", "data")],                              # data localization already linked
        "v-alias2": [("Transborder data flows", "cross-border-data-flow")],  # plural alias; not "data"
        "v-acronym": [("IT", "it")],                                  # "It"/"it" are not the acronym
        "v-hyphen": [],                                               # data-driven is one word
        "v-case": [],                                                 # algorithm already linked
    }
    for pid, links in expected.items():
        assert terms_in(article.find(id=pid)) == links, pid


def test_variants_all_mode(all_site):
    article = all_site.article("variants/")
    expected = {
        "v-plural": [("algorithms", "algorithm")],
        "v-ies": [("policies", "policy")],
        "v-alias": [("Data Residency", "data-localization")],
        "v-longest": [("data localization", "data-localization"), ("data", "data")],  # longest wins
        "v-alias2": [("Transborder data flows", "cross-border-data-flow"),
                     ("cross-border data flows", "cross-border-data-flow")],
        "v-acronym": [("IT", "it")],
        "v-hyphen": [],
        "v-case": [("ALGORITHM", "algorithm"), ("Algorithm", "algorithm")],
    }
    for pid, links in expected.items():
        assert terms_in(article.find(id=pid)) == links, pid
    traps = all_site.article("traps/")
    for trap in TRAPS:
        assert terms_in(traps.find(id=trap)) == [], trap
    assert terms_in(traps.find(id="real-second")) == [("data localization", "data-localization"),
                                                       ("algorithm", "algorithm")]
    ids = [a["id"] for a in article.select("a.refsite-term")]
    assert len(ids) == len(set(ids))


def test_opted_out_page_links_nothing(first_site):
    article = first_site.article("optout/")
    assert "data localization" in article.get_text()
    assert article.select("a.refsite-term") == []


# -- 2. generated pages ------------------------------------------------------------------------------

def test_glossary_index(first_site):
    site = first_site
    article = site.article("glossary/")
    jumps = article.select("nav.refsite-letters a")
    assert [a.get_text() for a in jumps] == ["A", "C", "D", "I", "P", "Q", "Z"]
    for a in jumps:
        target = article.find(id=a["href"].lstrip("#"))
        assert target is not None and target.get_text(strip=True) == a.get_text(), a["href"]
    listed = [(dt.get_text(strip=True), dt.find("a")["href"],
               " ".join(dt.find_next_sibling("dd").get_text().split())) for dt in article.select("dt")]
    assert listed == [(TERMS[s][0], f"{s}/", TERMS[s][1]) for s in sorted(TERMS, key=lambda s: TERMS[s][0].casefold())]
    # every term sits under its letter
    for dt in article.select("dt"):
        letter = dt.find_previous("h2", class_="refsite-letter").get_text(strip=True)
        assert dt.get_text(strip=True)[0].upper() == letter
        assert_resolves(site, "glossary/", dt.find("a")["href"])
    assert article.select("a.refsite-term") == []  # the index links no terms in its text


def test_term_page_definition_aliases_see_also_references(first_site):
    site = first_site
    article = site.article("glossary/data-localization/")
    assert article.find("h1").get_text(strip=True).rstrip("¶") == "Data localization"
    definition = article.find("h1").find_next_sibling("p")
    assert "Rules that require data to be stored" in definition.get_text()
    cite = definition.select_one("span.refsite-cite")
    assert cite is not None and " ".join(cite.get_text().split()) == "(Liu 2021, 56)"
    assert_resolves(site, "glossary/data-localization/", cite.find("a")["href"])
    refs = article.select(".refsite-references .refsite-ref")
    assert [r["data-key"] for r in refs] == ["liu2021"]
    assert article.find("h2", class_="refsite-references-title").get_text(strip=True).rstrip("¶") == "References"
    also = [p for p in article.find_all("p") if p.get_text().startswith("Also:")]
    assert len(also) == 1 and also[0].get_text() == "Also: data localisation, data residency"
    see = article.find("h2", id="see-also").find_next_sibling("ul").select("a")
    assert [a.get_text() for a in see] == ["Cross-border data flow", "data"]
    for a in see:
        assert assert_resolves(site, "glossary/data-localization/", a["href"])[0] in (
            "glossary/cross-border-data-flow/", "glossary/data/")
    # see_also given as an alias resolves to the term
    see = site.article("glossary/cross-border-data-flow/").find("h2", id="see-also").find_next_sibling("ul")
    assert [(a.get_text(), a["href"]) for a in see.select("a")] == [("Data localization", "../data-localization/")]
    # back to the index
    back = [a for a in article.select("a") if "All terms" in a.get_text()]
    assert back and assert_resolves(site, "glossary/data-localization/", back[0]["href"])[0] == "glossary/"


@pytest.mark.parametrize("mode", ["first", "all"])
def test_appears_in(mode, first_site, all_site):
    site = first_site if mode == "first" else all_site
    for slug, expected in APPEARS_FIRST.items():
        rows = appears(site, slug)
        assert [(where, n) for _, where, n in rows] == expected, slug
        seen_pages = set()
        for href, where, _ in rows:
            target, fragment = assert_resolves(site, f"glossary/{slug}/", href)
            assert target in ("traps/", "variants/", "notes/deep/"), (slug, href)
            assert fragment, (slug, href)
            el = site.soup(target).find(id=fragment)
            if target not in seen_pages or mode == "all":
                # the first row of a page (every row, in "all" mode) goes to the linked occurrence
                assert fragment.startswith(f"term-{slug}-") and el.name == "a", (slug, href)
                assert el["data-term-slug"] == slug
            else:
                assert el.name in ("h2", "a"), (slug, href)  # later sections: their heading
            seen_pages.add(target)
        if not expected:
            assert site.article(f"glossary/{slug}/").select_one(".refsite-appears--none") is not None


def test_term_pages_are_not_in_nav_but_reachable(first_site):
    site = first_site
    for page in (*CONTENT_PAGES, "glossary/", "glossary/algorithm/", "bibliography/"):
        for nav in site.soup(page).select("nav.md-nav"):
            for a in nav.select("a[href]"):
                href = a["href"]
                if href.startswith("#") or urlsplit(href).scheme:
                    continue
                target = resolve(site, page, href)[0]
                assert not re.fullmatch(r"glossary/[^/]+/", target), f"term page in nav on {page}: {href}"
    home_nav = [resolve(site, "", a["href"])[0] for a in site.soup("").select("nav.md-nav--primary a[href]")
                if not a["href"].startswith("#")]
    assert "glossary/" in home_nav
    index_links = {resolve(site, "glossary/", a["href"])[0] for a in site.article("glossary/").select("dt a")}
    assert index_links == {f"glossary/{slug}/" for slug in TERMS}


def test_glossary_yml_is_not_published(first_site):
    assert not any(p.name == "glossary.yml" for p in first_site.site.rglob("*"))
    assert (first_site.site / "diagram.png").is_file()  # other files of content/ are copied


# -- 3. YAML problems --------------------------------------------------------------------------------

BAD = [
    (4, "see_also 'Nowhere land' names no term in the glossary"),
    (6, "entry has no 'term'"),
    (8, "entry has no 'definition' (term 'Orphan')"),
    (10, "duplicate term 'data LOCALIZATION' (first defined at line 1)"),
    (15, "duplicate alias 'Data Residency' (first defined at line 3, as an alias of 'Data localization')"),
    (19, "duplicate alias 'platform' (first defined at line 13)"),
    (21, "duplicate term 'data residency' (first defined at line 3, as an alias of 'Data localization')"),
    (24, "duplicate term 'Platform' (first defined at line 13)"),
]


def _strict_build(root: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f",
                           str(root / "mkdocs.yml"), "--site-dir", str(root / "strict-site")],
                          cwd=root, env=env, capture_output=True, text=True, timeout=300)


def test_every_yaml_problem_reported_at_its_line(tmp_path):
    messages = [f"content/glossary.yml:{line}: {msg}" for line, msg in BAD]
    built = _build_scenario(tmp_path / "bad", "glossary_bad", expect=tuple(f"^{re.escape(m)}$" for m in messages))
    assert sorted(built.warnings) == sorted(messages)
    # the valid entries are kept; the first of duplicates wins
    assert sorted(p.name for p in (built.site / "glossary").iterdir() if p.is_dir()) == [
        "cloud", "data-localization", "platform"]
    assert [a.get_text() for a in built.article("").select("a.refsite-term")] == [
        "platform", "data localization", "cloud"]
    result = _strict_build(built.root)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    for message in messages:
        assert message in output, f"missing from the strict build: {message}\n{output}"


def test_malformed_yaml_reported_and_strict_build_fails(tmp_path):
    root = tmp_path / "malformed"
    shutil.copytree(SCENARIOS / "glossary_bad", root)
    (root / "content" / "glossary.yml").write_text(
        "- term: Platform\n  definition: A digital intermediary.\n\n"
        "- term: Cloud\n  definition: Remote computing.\n  aliases: [unclosed, list\n\n"
        "- term: Edge\n  definition: Near the user.\n", encoding="utf-8")
    merged = site_config(BASE_CONFIG, GLOSSARY_CONFIG)
    (root / "mkdocs.yml").write_text(yaml.safe_dump(merged, sort_keys=False), encoding="utf-8")
    built = build(root, expect=(r"^content/glossary\.yml:8: invalid YAML: .*started at line 6\b",), strict=False)
    assert len(built.warnings) == 1
    result = _strict_build(root)
    assert result.returncode != 0
    assert "content/glossary.yml:8: invalid YAML" in result.stdout + result.stderr


# -- 4. search -----------------------------------------------------------------------------------

def test_search_index_boosts_term_pages(first_site):
    index = json.loads((first_site.site / "search" / "search_index.json").read_text(encoding="utf-8"))
    docs = {d["location"]: d for d in index["docs"]}
    for slug, (term, _short) in TERMS.items():
        doc = docs[f"glossary/{slug}/"]
        assert doc["title"] == term
        assert doc.get("boost") == 8, doc
    assert "data residency" in docs["glossary/data-localization/"]["text"]
    assert "transborder data flow" in docs["glossary/cross-border-data-flow/"]["text"]
    assert all("boost" not in d for loc, d in docs.items() if not loc.startswith("glossary/") or loc.startswith("glossary/#"))


# -- 5. browser ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def served_traps(tmp_path_factory):
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    built = _build_scenario(tmp_path_factory.mktemp("gserved") / "site", "glossary_traps", {"site_url": url})
    server = serve_dir_on(built.site, port)
    yield url, built
    server.shutdown()
    server.server_close()


@pytest.mark.browser
@pytest.mark.parametrize("alias, slug", [("data residency", "data-localization"),
                                         ("transborder data flow", "cross-border-data-flow")])
def test_search_alias_finds_term_page_first(served_traps, page, alias, slug):
    url, _ = served_traps
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.keyboard.press("/")
    page.locator("input.md-search__input").type(alias, delay=30)
    results = page.locator(".md-search-result__item")
    results.first.wait_for(timeout=15000)
    first = results.first.locator("a").first.evaluate("a => a.href")
    assert first == url + f"glossary/{slug}/", f"first result for {alias!r}: {first}"
    assert page.js_errors == []


def _card_state(page):
    return page.evaluate("""() => {
        const c = document.getElementById('refsite-card');
        if (!c) return null;
        const more = c.querySelector('a.refsite-card__more');
        return {hidden: c.hidden || getComputedStyle(c).display === 'none', text: c.textContent,
                href: more ? more.href : null};
    }""")


@pytest.mark.browser
def test_hover_focus_escape_and_instant_navigation(served_traps, page):
    url, _ = served_traps
    page.goto(url + "traps/")
    page.wait_for_load_state("networkidle")
    term = page.locator("#real-first a.refsite-term[data-term-slug='algorithm']")
    term.hover()
    page.wait_for_function("() => { const c = document.getElementById('refsite-card'); return c && !c.hidden; }")
    state = _card_state(page)
    assert TERMS["algorithm"][1] in state["text"]
    assert state["href"] == url + "glossary/algorithm/"
    assert page.locator("#refsite-card").is_visible()
    page.keyboard.press("Escape")
    assert _card_state(page)["hidden"]

    # keyboard: focus arrives with Tab (from the previous focusable element); the next Tab goes
    # through the card's link, and the one after it to the next term
    page.mouse.move(0, 0)
    other = page.locator("#real-first a.refsite-term[data-term-slug='zhongguancun']")
    other.focus()
    page.keyboard.press("Shift+Tab")  # back to the algorithm link
    assert page.evaluate("document.activeElement.dataset.termSlug") == "algorithm"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.matches('#refsite-card a.refsite-card__more')")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.termSlug") == "zhongguancun"
    page.wait_for_function("() => !document.getElementById('refsite-card').hidden")
    state = _card_state(page)
    assert TERMS["zhongguancun"][1] in state["text"] and state["href"] == url + "glossary/zhongguancun/"
    assert other.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Escape")
    assert _card_state(page)["hidden"]

    # instant navigation: the window survives, and hover cards work on the new page
    page.evaluate("window.__glossaryMarker = 7")
    page.locator("nav.md-nav--primary a").filter(has_text=re.compile(r"^\s*Variants\s*$")).first.click()
    page.wait_for_url(re.compile(r"/variants/$"))
    page.locator("article h1").filter(has_text="Variants").wait_for()
    assert page.evaluate("window.__glossaryMarker") == 7, "navigation reloaded the page"
    assert _card_state(page) is None or _card_state(page)["hidden"]
    policy = page.locator("#v-ies a.refsite-term")
    policy.hover()
    page.wait_for_function("() => { const c = document.getElementById('refsite-card'); return c && !c.hidden; }")
    state = _card_state(page)
    assert TERMS["policy"][1] in state["text"] and state["href"] == url + "glossary/policy/"
    # the card's link leads to the term page
    page.locator("#refsite-card a.refsite-card__more").click()
    page.wait_for_url(url + "glossary/policy/")
    page.locator("article h1").filter(has_text="policy").wait_for()
    assert page.js_errors == []


# -- names that collide with the generated pages or sort oddly ---------------------------------------

def test_awkward_term_names(make_site):
    glossary = """\
- term: Index
  definition: A list of things.
- term: .NET
  definition: A software framework.
- term: Économie numérique
  definition: The digital economy.
- term: 5G
  definition: A mobile network standard.
- term: economy
  definition: Production and trade.
- term: Zone
  definition: An area.
"""
    site = make_site({"content/index.md": "# Home\n\nThe Index, .NET, 5G networks, the économie numérique, the economy.\n",
                      "content/glossary.yml": glossary, "bibliography/refs.bib": REFS_BIB},
                     GLOSSARY_CONFIG)
    article = site.article("glossary/")
    assert article.find("h1").get_text(strip=True).rstrip("¶") == "Glossary"  # not the "Index" term page
    assert [a.get_text() for a in article.select("nav.refsite-letters a")] == ["0–9", "E", "I", "N", "Z"]
    assert [dt.get_text(strip=True) for dt in article.select("dt")] == [
        "5G", "Économie numérique", "economy", "Index", ".NET", "Zone"]
    for dt in article.select("dt"):
        assert_resolves(site, "glossary/", dt.find("a")["href"])
    links = {a.get_text(): a["href"] for a in site.article("").select("a.refsite-term")}
    assert links == {"Index": "glossary/index-2/", ".NET": "glossary/net/", "5G": "glossary/5g/",
                     "économie numérique": "glossary/economie-numerique/", "economy": "glossary/economy/"}
    assert site.article("glossary/index-2/").find("h1").get_text(strip=True).rstrip("¶") == "Index"
