"""Issue 15, items 1, 6, 7 and 9, judged in Chromium on the flagship: Material's own search box finds
the passages citing an author by the surname and names with or without accents, and lists a term's
page first; term pages show the Glossary tab as current and lead to the neighbouring terms; backlink
labels name the heading the citing passage sits under; every glossary term is used in a summary."""
from __future__ import annotations

import logging
import re
from urllib.parse import urljoin, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

from refsite import searchwords

from conftest import ROOT

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
DEVICES = {"desktop": DESKTOP, "phone": PHONE}


@pytest.fixture(params=list(DEVICES))
def device(request, browser):
    context = browser.new_context(**DEVICES[request.param])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    page.device = request.param
    yield page
    context.close()


# -- helpers ---------------------------------------------------------------------------------------

def _path(href: str) -> str:
    """'http://host/summaries/x/?h=ding#sec' -> 'summaries/x/#sec' (the place a result leads to)."""
    parts = urlsplit(href)
    return parts.path.lstrip("/") + ("#" + parts.fragment if parts.fragment else "")


def search(page, base_url: str, query: str) -> list[str]:
    """Types ``query`` into Material's search box as a reader does and returns the places its
    results lead to, in the order shown (every section of every result, also the collapsed ones)."""
    if not page.url.startswith(base_url):
        page.goto(base_url)
        page.wait_for_load_state("load")
    box = page.locator("input.md-search__input")
    if not box.is_visible():
        page.locator('label.md-header__button[for="__search"], label.md-search__icon[for="__search"]') \
            .locator("visible=true").first.click()
    box.wait_for(state="visible")
    box.fill("")
    box.press_sequentially(query, delay=30)
    meta = page.locator(".md-search-result__meta")
    page.wait_for_function(
        "q => document.querySelector('.md-search-result__meta') && "
        "!/Initializing|Type to start/i.test(document.querySelector('.md-search-result__meta').textContent) && "
        "document.querySelector('input.md-search__input').value === q", arg=query)
    page.wait_for_timeout(300)        # results render after the count
    count = re.search(r"(\d+)", meta.inner_text())
    hrefs = page.eval_on_selector_all(".md-search-result__list a.md-search-result__link",
                                      "links => links.map(a => a.href)")
    assert count is None or hrefs, f"{query!r}: {meta.inner_text()} but no result links"
    return [_path(h) for h in hrefs]


def _section_of(soup: BeautifulSoup, element_id: str) -> str:
    """The search section an element is in: the id of the nearest heading before it ('' for the
    page's first section, which Material lists under the page's own address)."""
    target = soup.find(id=element_id)
    assert target is not None, element_id
    heading = target.find_previous(re.compile(r"^h[1-6]$"), id=True)
    return "" if heading is None or heading.name == "h1" else heading["id"]


def _heading_text(heading) -> str:
    for link in heading.select(".headerlink"):
        link.extract()
    return " ".join(heading.get_text().split())


# -- 1. search ---------------------------------------------------------------------------------------

@pytest.mark.browser
@pytest.mark.parametrize("surname", ["Ding", "Creemers", "Kokas"])
def test_search_by_surname_finds_every_passage_citing_the_author(served_flagship, device, surname):
    site = served_flagship.site
    bib = BeautifulSoup((site / "bibliography/index.html").read_text(encoding="utf-8"), "html.parser")
    expected = set()
    for entry in bib.select("div.refsite-entry"):
        if surname not in searchwords.words(entry.select_one(".csl-entry").get_text(" ")):
            continue
        expected.add("bibliography/#" + entry.select_one("h3")["id"])
        for link in entry.select(".refsite-backlinks a"):
            target = urlsplit(urljoin("http://x/bibliography/", link["href"]))
            page_path = target.path.lstrip("/")
            soup = BeautifulSoup((site / page_path / "index.html").read_text(encoding="utf-8"), "html.parser")
            section = _section_of(soup, target.fragment)
            expected.add(page_path + ("#" + section if section else ""))
    assert len(expected) >= 3, expected          # the entry and at least two citing passages
    found = set(search(device, served_flagship.url, surname))
    assert expected <= found, f"{surname}: not found {sorted(expected - found)}; found {sorted(found)}"
    assert device.js_errors == []


@pytest.mark.browser
def test_search_ignores_accents(served_flagship, device):
    with_accent = search(device, served_flagship.url, "Arsène")
    without = search(device, served_flagship.url, "Arsene")
    assert "bibliography/#ref-arsene2015" in with_accent
    assert set(without) == set(with_accent) and len(without) >= 5
    duchatel = search(device, served_flagship.url, "Duchatel")
    assert set(duchatel) == set(search(device, served_flagship.url, "Duchâtel")) and duchatel
    assert device.js_errors == []


@pytest.mark.browser
def test_search_words_are_neither_shown_nor_announced_nor_copied(served_flagship, page):
    page.goto(served_flagship.url)
    page.wait_for_load_state("load")
    hidden = page.locator(".refsite-search")
    assert hidden.count() >= 1 and "Arsene" in hidden.first.text_content()
    assert not hidden.first.is_visible()
    article = page.locator("article")
    assert "Arsène" in article.inner_text() and "Arsene" not in article.inner_text()
    tree = page.locator("body").aria_snapshot()
    assert "Arsène" in tree and "Arsene" not in tree
    # On the bibliography page the words sit outside the reference that "Copy reference" copies.
    page.goto(served_flagship.url + "bibliography/")
    page.wait_for_load_state("load")
    entry = page.locator('.refsite-entry[data-key="arsene2015"]')
    assert entry.locator(".refsite-search").count() == 1
    assert entry.locator(".csl-entry .refsite-search").count() == 0


@pytest.mark.browser
@pytest.mark.parametrize("term", ["data localization", "big data", "decoupling", "techno-nationalism",
                                  "cross-border data flows", "Great Firewall", "996.ICU"])
def test_a_term_name_lists_its_term_page_first(served_flagship, device, term):
    index = yaml.safe_load((ROOT / "content" / "glossary.yml").read_text(encoding="utf-8"))
    assert any(entry["term"] == term for entry in index)
    soup = BeautifulSoup((served_flagship.site / "glossary/index.html").read_text(encoding="utf-8"), "html.parser")
    link = soup.find("a", string=term)
    results = search(device, served_flagship.url, term)
    assert results[0] == "glossary/" + link["href"], results[:5]


def test_a_default_search_separator_is_pointed_out(make_site, caplog):
    files = {"content/index.md": "# Home\n\nAs argued [@ding2018].\n",
             "bibliography/refs.bib": "@book{ding2018, author = {Ding, Jeffrey}, title = {Deciphering}, year = {2018}}\n"}
    caplog.set_level(logging.INFO, logger="mkdocs")
    make_site(files)
    assert any("search plugin's separator" in r.getMessage() for r in caplog.records)
    caplog.clear()
    make_site(files, {"plugins": [{"search": {"separator": r"[\s\-,:;()\[\]]+"}}]})
    assert not any("search plugin's separator" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("style", ["ieee", "chicago-notes-bibliography", "apa"])
def test_a_passage_is_found_by_every_cited_authors_name_in_any_style(make_site, style):
    """Whatever the style shows in the passage ("[1]", a note number, "Ding et al."), the search
    index holds every author's name in the passage's own section, and the page does not show it."""
    import json
    built = make_site({
        "content/index.md": "# Home\n\n## Passage\n\nAs argued [@ding2018].\n\n## Later\n\nOther text.\n",
        "bibliography/refs.bib": "@book{ding2018, author = {Ding, Jeffrey and Creemers, Rogier and "
                                 "M\\\"uller, Hans}, title = {Deciphering}, year = {2018}}\n"},
        {"refsite": {"style": style}, "plugins": [{"search": {"separator": r"[\s\-,:;()\[\]]+"}}]})
    index = json.loads((built.site / "search/search_index.json").read_text(encoding="utf-8"))
    passage = next(d for d in index["docs"] if d["location"].endswith("#passage"))
    for name in ("Ding", "Creemers", "Müller", "Muller"):
        assert name in passage["text"].split() or name in re.split(r"\W+", passage["text"]), (name, passage)
    soup = built.soup("")
    paragraph = soup.select_one("#passage").find_next("p")
    assert "Creemers" not in paragraph.get_text() and not paragraph.select(".refsite-search")
    hidden = soup.select(".refsite-search")
    assert hidden and all(h.has_attr("hidden") for h in hidden)
    assert "Creemers" in hidden[0].get_text()


def test_accent_folding_and_missing_words():
    assert searchwords.fold("Arsène") == "Arsene"
    assert searchwords.fold("Müller") == "Muller"
    assert searchwords.fold("Łódź Straße Ørsted") == "Lodz Strasse Orsted"
    assert searchwords.fold("中国 한국어 がっこう") == "中国 한국어 がっこう"     # other scripts untouched
    assert searchwords.missing_words("(Ding 2018) and Müller", ["Ding", "Creemers", "Müller"]) == \
        ["Muller", "Creemers"]
    assert searchwords.hidden_html([]) == ""
    assert searchwords.hidden_html(["A<b"]) == '<span class="refsite-search" hidden>A&lt;b</span>'
    item = {"author": [{"family": "Berg", "non-dropping-particle": "van den"}, {"literal": "others"}],
            "editor": [{"family": "Broeders"}]}
    assert searchwords.csl_names(item) == ["van den Berg"]
    assert searchwords.csl_names({"editor": [{"family": "Broeders"}]}) == ["Broeders"]


# -- 6. term pages ---------------------------------------------------------------------------------

def _terms_in_index_order(site) -> list[tuple[str, str]]:
    soup = BeautifulSoup((site / "glossary/index.html").read_text(encoding="utf-8"), "html.parser")
    return [(a.get_text(), "glossary/" + a["href"]) for a in soup.select("article dl dt a")]


@pytest.mark.browser
def test_term_pages_show_the_glossary_as_current_and_lead_to_neighbouring_terms(served_flagship, device):
    terms = _terms_in_index_order(served_flagship.site)
    assert len(terms) > 50
    position = [name for name, _ in terms].index("big data")
    device.goto(served_flagship.url + terms[position][1])
    device.wait_for_load_state("load")
    if device.device == "desktop":
        active = device.locator(".md-tabs__item--active")
        assert active.count() == 1 and active.inner_text().strip() == "Glossary"
        assert active.is_visible()
    else:
        device.locator('label.md-header__button[for="__drawer"]').click()
        current = device.locator(".md-nav--primary .md-nav__item--active > .md-nav__link")
        current.first.wait_for(state="visible")
        assert current.first.inner_text().strip() == "Glossary"
        device.reload()
        device.wait_for_load_state("load")
    # No term page is rendered into the navigation.
    nav_links = device.eval_on_selector_all(".md-sidebar--primary a", "links => links.map(a => a.href)")
    assert not [h for h in nav_links if re.search(r"/glossary/[^/]+/$", h)]
    # The footer leads to the neighbouring terms (Material's instant navigation keeps the tab).
    prev = device.locator("a.md-footer__link--prev")
    nxt = device.locator("a.md-footer__link--next")
    assert prev.get_attribute("aria-label") == "Previous: " + terms[position - 1][0]
    assert nxt.get_attribute("aria-label") == "Next: " + terms[position + 1][0]
    nxt.click()
    # (navigation.tracking may add the fragment of the section in view)
    device.wait_for_url(lambda url: urlsplit(url).path == "/" + terms[position + 1][1])
    device.wait_for_function("t => document.querySelector('article h1') && "
                             "document.querySelector('article h1').textContent.includes(t)",
                             arg=terms[position + 1][0])
    if device.device == "desktop":
        assert device.locator(".md-tabs__item--active").inner_text().strip() == "Glossary"
    # The first term leads back to the glossary index; "All terms" does too.
    device.goto(served_flagship.url + terms[0][1])
    device.wait_for_load_state("load")
    assert device.locator("a.md-footer__link--prev").get_attribute("aria-label") == "Previous: Glossary"
    back = device.locator("article a", has_text="All terms")
    assert back.evaluate("a => a.href") == served_flagship.url + "glossary/"
    assert device.js_errors == []


def test_only_term_pages_borrow_the_glossary_item(flagship_site):
    """The navigation is shared by every page: the glossary index's item is active on term pages
    and the index only (MkDocs renders pages in turn; each page's own item is active as usual)."""
    site = flagship_site.site
    for path in sorted(site.rglob("index.html")):
        rel = path.relative_to(site).parent.as_posix()
        if rel == "404" or rel.startswith("assets"):
            continue
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        tabs = [t.get_text(strip=True) for t in soup.select(".md-tabs__item--active")]
        expected = {"glossary": "Glossary", "bibliography": "Bibliography", "summaries": "Summaries"}.get(
            rel.split("/")[0], "Home")
        assert tabs == [expected], (rel, tabs)


# -- 7. backlink labels -------------------------------------------------------------------------

@pytest.mark.browser
def test_backlink_labels_name_the_heading_of_the_citing_passage(served_flagship, page):
    base = served_flagship.url
    labels = []
    for source in ["bibliography/"] + [href for _, href in _terms_in_index_order(served_flagship.site)][:40]:
        page.goto(base + source)
        page.wait_for_load_state("load")
        labels += page.eval_on_selector_all(
            ".refsite-backlinks a, ul.refsite-appears a", "links => links.map(a => [a.href, a.textContent])")
    assert len(labels) > 100
    checked = 0
    cache: dict[str, BeautifulSoup] = {}
    for href, label in labels:
        parts = urlsplit(href)
        path = parts.path.lstrip("/")
        if path not in cache:
            page.goto(base + path)
            page.wait_for_load_state("load")
            cache[path] = BeautifulSoup(page.content(), "html.parser")
        soup = cache[path]
        page_title, _, heading = label.partition(" › ")
        target = soup.find(id=parts.fragment) if parts.fragment else None
        assert target is not None, href
        before = target if re.fullmatch(r"h[1-6]", target.name) else target.find_previous(re.compile(r"^h[1-6]$"))
        if heading:
            assert before is not None and _heading_text(before) == heading, (label, before)
        else:        # no section named: the passage is under the page's own title (or no heading)
            assert before is None or before.name == "h1" or _heading_text(before) == page_title, (label, before)
        checked += 1
    assert checked == len(labels)
    joined = "\n".join(label for _, label in labels)
    assert "crossborder" not in joined and "996ICU" not in joined


# -- 9. glossary terms are used ------------------------------------------------------------------

@pytest.mark.browser
def test_every_glossary_term_appears_in_the_summaries(served_flagship, page):
    terms = _terms_in_index_order(served_flagship.site)
    names = {name for name, _ in terms}
    assert not names & {"dual circulation", "social credit system", "Taobao villages", "BAT companies"}
    assert "technological determinism" in names
    unused = []
    for name, href in terms:
        page.goto(served_flagship.url + href)
        page.wait_for_load_state("domcontentloaded")
        places = page.eval_on_selector_all("ul.refsite-appears a", "links => links.map(a => a.href)")
        if not places:
            unused.append(name)
    assert unused == []
    page.goto(served_flagship.url + "glossary/technological-determinism/")
    places = page.eval_on_selector_all("ul.refsite-appears a", "links => links.map(a => a.href)")
    assert any("/summaries/introduction/" in h for h in places)
