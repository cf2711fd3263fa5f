"""Citations in built sites: full Pandoc syntax, author-date rendering like citeproc, links to the
bibliography, per-page reference lists, problems with path:line, and hover cards in Chromium.

Scenarios live in tests/scenarios/citations_*/. The oracle for rendered text is
``pandoc --citeproc`` run here (tests/oracle.py), on the same Markdown, BibTeX and CSL style:

* ``-t plain`` for whole paragraphs of the ``citations_forms`` page;
* ``-t json`` for every citation of a page: citeproc stores the rendered text of each citation in
  its ``Cite`` node, so citations inside lists, tables, admonitions (plain indented paragraphs
  for pandoc), footnotes, headings and definition lists are compared one by one.

ACCEPTED DIFFERENCES (asserted as they are):

* Citation numbering/order: pandoc's JSON puts a footnote's citations where the footnote is
  referenced; our ``cite-N`` ids follow the HTML, where footnotes come last. Citations of a page
  are therefore compared as multisets, paragraphs in order.
* A citation inside an image's alt text is text only: it has no ``span.refsite-cite`` and no
  ``cite-N`` id (pandoc counts it as a citation).
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from conftest import SCENARIOS, free_port, serve_dir_on
from oracle import norm, pandoc, pandoc_citations



# -- helpers ---------------------------------------------------------------------------------------

def page_md(scenario: str, page: str) -> str:
    return (SCENARIOS / scenario / "content" / page).read_text(encoding="utf-8")


def bib_of(scenario: str) -> Path:
    return SCENARIOS / scenario / "bibliography" / "refs.bib"


def pandoc_reference_order(markdown: str, bib: Path) -> list[str]:
    return re.findall(r'id="ref-([^"]+)"', pandoc(markdown, bib, "html"))


def our_citations(article) -> list[str]:
    return [norm(span.get_text()) for span in article.select("span.refsite-cite")]


def body_paragraphs(article) -> list[str]:
    return [norm(p.get_text()) for p in article.find_all("p", recursive=False)]


def assert_no_tokens(html: str):
    """No unresolved formatter token or Markdown placeholder anywhere in the output."""
    for char in ("\ue000", "\ue001", "\x02", "\x03"):
        assert char not in html, f"unresolved marker {char!r} in the page"


def bibliography_ids(site) -> list[str]:
    soup = site.soup("bibliography/")
    return [el["id"][4:] for el in soup.select("[id^='ref-']")]


def resolve_href(site, page_url: str, href: str) -> tuple[Path, str]:
    """File and fragment a relative href on ``page_url`` points to."""
    target = urljoin("http://x/" + page_url, href)
    parts = urlsplit(target)
    path = unquote(parts.path).lstrip("/")
    return site.path(path), unquote(parts.fragment)


# -- 1. syntax and contexts ------------------------------------------------------------------------

def test_forms_paragraphs_read_exactly_like_pandoc(scenario):
    site = scenario("citations_forms")
    article = site.article("forms/")
    assert_no_tokens(site.read("forms/"))
    ours = body_paragraphs(article)
    plain = pandoc(page_md("citations_forms", "forms.md"), bib_of("citations_forms"), "plain")
    theirs = [norm(p) for p in re.split(r"\n\s*\n", plain.strip())][1:1 + len(ours)]
    assert ours == theirs
    # Spot checks of the examples, so a pandoc change cannot hide a regression.
    assert "Lee (2018) argues that data is the new oil." in ours
    assert "Lee (2018, 33) argues it again." in ours
    assert "Only the year (2018)." in ours
    assert "A group (see Doe 1999, 3; Smith and Brown 2004)." in ours


def test_forms_every_citation_like_pandoc(scenario):
    site = scenario("citations_forms")
    ours = our_citations(site.article("forms/"))
    theirs = pandoc_citations(page_md("citations_forms", "forms.md"), bib_of("citations_forms"))
    assert ours == theirs


def test_forms_structure(scenario):
    site = scenario("citations_forms")
    article = site.article("forms/")
    spans = article.select("span.refsite-cite")
    assert [s["data-cites"] for s in spans] == [
        "lee2018", "lee2018", "lee2018", "doe99 smith04", "doe99 smith04",
        "ns:zhang.2019/ai", "ns:zhang.2019/ai", "müller2020", "müller2020",
        "Foo_bar.baz.", "Foo_bar.baz.", "lee2018", "lee2018 doe99"]
    assert [s["id"] for s in spans] == [f"cite-{n}" for n in range(1, len(spans) + 1)]
    # Narrative: author and year both link; suppress-author: only the year.
    narrative = spans[0].select("a.refsite-cite__ref")
    assert [a.get_text() for a in narrative] == ["Lee", "2018"]
    assert [a.get_text() for a in spans[2].select("a.refsite-cite__ref")] == ["2018"]
    # The prefix is Markdown: *see* is emphasis (CSL rich text), outside the link.
    affix = spans[3].select_one("i")
    assert affix is not None and affix.get_text() == "see"
    assert affix.find_parent("a") is None
    # Keys with ':' '.' '/' , Unicode and braces are whole keys.
    assert spans[5].select_one("a")["data-key"] == "ns:zhang.2019/ai"
    assert spans[7].select_one("a")["data-key"] == "müller2020"
    assert spans[9].select_one("a")["data-key"] == "Foo_bar.baz."
    assert not article.select(".refsite-missing")


def test_citations_in_block_contexts(scenario):
    site = scenario("citations_contexts")
    html = site.read("")
    assert_no_tokens(html)
    article = site.article("")

    def cites_in(selector):
        found = [span for el in article.select(selector) for span in el.select("span.refsite-cite")]
        assert found, f"no citation rendered inside {selector}"
        return [norm(s.get_text()) for s in found]

    assert cites_in("ul > li") == ["(Doe 1999)", "Smith and Brown (2004)"]
    assert cites_in("ol > li:not([id^='fn'])") == ["Smith and Brown (2004)"]
    assert cites_in("table td") == ["(Lee 2018, 12)", "Doe (1999, 5)"]
    assert cites_in("div.admonition.note") == ["(see Smith and Brown 2004, 46)"]
    assert cites_in("div.footnote li[id='fn:1']") == ["(Zhang 2019, 9)"]
    assert cites_in("dl > dd") == ["(2020)"]
    assert cites_in("blockquote") == ["Lee (2018)"]
    assert cites_in("h2:not(.refsite-references-title)") == ["(Lee 2018, 4)"]
    # Same text as citeproc, citation by citation (pandoc has no admonitions: its input is the
    # same file, where the admonition body is an indented paragraph - still one citation).
    theirs = pandoc_citations(page_md("citations_contexts", "index.md"), bib_of("citations_contexts"))
    assert sorted(our_citations(article)) == sorted(theirs)


def test_heading_with_citation_keeps_sane_anchor_and_toc(scenario):
    site = scenario("citations_contexts")
    soup = site.soup("")
    heading = soup.select_one("article h2:not(.refsite-references-title)")
    assert heading["id"] == "growth-of-platforms-lee-2018-4"
    assert norm(heading.get_text()) .startswith("Growth of platforms (Lee 2018, 4)")
    toc = soup.select("nav.md-nav--secondary a.md-nav__link")
    entries = [(a["href"], norm(a.get_text())) for a in toc]
    assert ("#growth-of-platforms-lee-2018-4", "Growth of platforms (Lee 2018, 4)") in entries
    assert ("#references", "References") in entries
    # Every TOC link points at an id of the page.
    ids = {el["id"] for el in soup.select("[id]")}
    assert all(href[1:] in ids for href, _ in entries)


def test_code_email_and_escape_are_untouched(scenario):
    site = scenario("citations_code")
    article = site.article("")
    codes = [c.get_text() for c in article.select("code")
             if not c.find_parent("details", class_="refsite-citebox")]
    assert codes[0] == "@lee2018 and [@doe99]"
    assert "@lee2018\ndef f():" in codes[1] and '"[@doe99]"' in codes[1]
    assert codes[2] == "@smith04 and [@smith04, p. 3]\n"
    for code in article.select("code, pre"):
        assert not code.select(".refsite-cite, .refsite-missing, a")
    paragraphs = body_paragraphs(article)
    assert "Write to jane@example.com for a copy." in paragraphs
    assert "An escaped @lee2018 is not a citation." in paragraphs
    assert not article.select("a[href^='mailto:'] .refsite-cite")
    assert our_citations(article) == ["(Doe 1999)"]
    assert [d["data-key"] for d in article.select("div.refsite-ref")] == ["doe99"]
    theirs = pandoc_citations(page_md("citations_code", "index.md"), bib_of("citations_code"))
    assert theirs == ["(Doe 1999)"]


def test_citations_in_links_images_and_headings(scenario):
    site = scenario("citations_links")
    article = site.article("")
    assert_no_tokens(site.read(""))
    # A citation inside a link's text keeps its text, without nested links.
    assert not article.select("a a")
    in_link = [s for s in article.select("span.refsite-cite") if s.find_parent("a")]
    assert [norm(s.get_text()) for s in in_link] == ["Wu (2010)", "Chen (2004a)"]
    # Image alt text holds the rendered citation as text (like pandoc).
    assert article.select_one("img")["alt"] == "alt with Wu (2010)"
    # Same text as citeproc; pandoc also counts the one in the alt text.
    theirs = pandoc_citations(page_md("citations_links", "index.md"), bib_of("citations_links"))
    ours = our_citations(article)
    assert sorted(ours + ["Wu (2010)"]) == sorted(theirs)
    # cite-1..N in document order, no gaps, and every backlink of the bibliography page to this
    # page lands on one of them.
    spans = article.select("span.refsite-cite")
    assert [s["id"] for s in spans] == [f"cite-{n}" for n in range(1, len(spans) + 1)]
    bib = site.soup("bibliography/")
    backlinks = [a["href"] for a in bib.select("a[href*='#cite-']")]
    assert len(backlinks) == len(spans)
    ids = {s["id"] for s in spans}
    for href in backlinks:
        target, fragment = resolve_href(site, "bibliography/", href)
        assert target == site.path("") and fragment in ids, href


def test_heading_ids_with_citations_explicit_unique_and_suffixed(scenario):
    site = scenario("citations_links")
    soup = site.soup("")
    headings = soup.select("article h2:not(.refsite-references-title)")
    assert [h["id"] for h in headings] == ["custom-id", "same-chen-2004", "same-chen-2004_1"]
    # The heading and the TOC show the year suffix (ids are built from the label without it).
    assert [norm(h.get_text()).rstrip("¶ ") for h in headings] == [
        "Alpha (Chen 2004a)", "Same (Chen 2004b)", "Same (Chen 2004b)"]
    toc = [(a["href"], norm(a.get_text()))
           for a in soup.select_one("nav.md-nav--secondary").select("a.md-nav__link")]
    assert toc == [("#custom-id", "Alpha (Chen 2004a)"), ("#same-chen-2004", "Same (Chen 2004b)"),
                   ("#same-chen-2004_1", "Same (Chen 2004b)"), ("#references", "References")]


# -- 2. links and per-page reference lists --------------------------------------------------------

@pytest.mark.parametrize("name, pages", [
    ("citations_reflists", ["first/", "second/"]),
    ("citations_forms", ["forms/"]),
    ("citations_contexts", [""]),
    ("citations_links", [""]),
])
def test_every_citation_links_to_an_existing_bibliography_entry(scenario, name, pages):
    site = scenario(name)
    entries = set(bibliography_ids(site))
    bib_file = site.path("bibliography/")
    for url in pages:
        article = site.article(url)
        links = article.select("span.refsite-cite a.refsite-cite__ref")
        assert links
        # Every cited item is a link, except inside another link's text (no nested links).
        for ref in article.select("span.refsite-cite .refsite-cite__ref"):
            assert ref.name == "a" or ref.find_parent("a") is not None, ref
        for link in links:
            target, fragment = resolve_href(site, url, link["href"])
            assert target == bib_file, link
            assert fragment == f"ref-{link['data-key']}"
            assert link["data-key"] in entries
        for go in article.select("section.refsite-references a.refsite-ref__go"):
            key = go.find_parent("div", class_="refsite-ref")["data-key"]
            target, fragment = resolve_href(site, url, go["href"])
            assert (target, fragment) == (bib_file, f"ref-{key}")
    # The ids the links target are unique on the bibliography page.
    ids = bibliography_ids(site)
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("url, source", [("first/", "first.md"), ("second/", "second.md")])
def test_page_reference_list_is_exactly_the_works_cited_there(scenario, url, source):
    site = scenario("citations_reflists")
    article = site.article(url)
    cited = {a["data-key"] for a in article.select("span.refsite-cite a.refsite-cite__ref")}
    listed = [d["data-key"] for d in article.select("section.refsite-references > div.refsite-ref")]
    assert set(listed) == cited and len(listed) == len(cited)
    # Order: the style's bibliography order, i.e. the order of the global bibliography and of
    # citeproc's reference list for the same page.
    global_order = [k for k in bibliography_ids(site) if k in cited]
    assert listed == global_order
    assert listed == pandoc_reference_order(page_md("citations_reflists", source),
                                            bib_of("citations_reflists"))
    # The list is the end of the page: heading, list, then only the "Cite this page" box.
    title = article.select_one("h2.refsite-references-title")
    assert norm(title.get_text()).startswith("References")
    siblings = [el for el in title.find_next_siblings() if el.name]
    assert siblings[0].name == "section" and "refsite-references" in siblings[0]["class"]
    assert all("refsite-citebox" in el.get("class", []) for el in siblings[1:])


def test_reference_list_is_on_the_page_but_not_in_the_search_index(scenario):
    """The list is written into the page after Material's search has indexed it (the works are
    searchable on the bibliography page): the page shows every entry, the index has none."""
    site = scenario("citations_reflists")
    article = site.article("first/")
    container = article.select_one("section.refsite-references")
    assert container.has_attr("data-search-exclude")
    entries = container.select("div.refsite-ref")
    assert entries and all(e.select_one(".refsite-ref__text").get_text(strip=True) for e in entries)
    assert all(e.select_one("a.refsite-ref__go")["href"].startswith("../bibliography/#") for e in entries)
    docs = json.loads((site.site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    section = next(d for d in docs if d["location"] == "first/#references")
    assert section["text"] == ""
    title_text = norm(entries[0].select_one(".refsite-ref__text").get_text())
    assert any(title_text[:40] in d["text"] for d in docs if d["location"].startswith("bibliography/"))


def test_pages_without_citations_have_no_reference_list(scenario):
    site = scenario("citations_reflists")
    home = site.article("")
    assert home.select_one("h2.refsite-references-title") is None
    assert home.select_one("section.refsite-references") is None
    # The bibliography lists the works cited anywhere, once each.
    assert sorted(bibliography_ids(site)) == sorted(
        ["smith04", "lee2018", "doe99", "müller2020", "ns:zhang.2019/ai", "Foo_bar.baz."])


# -- 3. unknown keys -------------------------------------------------------------------------------

MISSING_WARNINGS = (
    "content/index.md:3: unknown citation key 'nokey'",
    "content/front.md:14: unknown citation key 'nokey'",
    "content/front.md:16: unknown citation key 'nokey'",
)


def test_unknown_key_warnings_name_path_and_line(scenario):
    site = scenario("citations_missing", expect=tuple("^" + re.escape(w) + "$" for w in MISSING_WARNINGS))
    assert sorted(site.warnings) == sorted(MISSING_WARNINGS)


def test_unknown_key_is_visible_and_its_group_does_not_vanish(scenario):
    site = scenario("citations_missing", expect=tuple("^" + re.escape(w) + "$" for w in MISSING_WARNINGS))
    home = site.article("")
    marks = home.select("strong.refsite-missing")
    assert [m.get_text() for m in marks] == ["nokey?"]
    assert norm(home.select_one("span.refsite-cite").get_text()) == "(nokey?)"
    front = site.article("front/")
    group, narrative = front.select("span.refsite-cite")
    assert group["data-cites"] == "nokey lee2018"
    assert group.select_one("strong.refsite-missing").get_text() == "nokey?"
    assert "Lee 2018" in norm(group.get_text())
    assert group.select_one("a.refsite-cite__ref[data-key=lee2018]") is not None
    assert norm(narrative.get_text()) == "(nokey?)"  # as pandoc
    # Decoys stay as written, the known work is still listed.
    assert "Decoys: @nokey in code, mail nokey@example.org, escaped @nokey." in body_paragraphs(front)
    assert [d["data-key"] for d in front.select("div.refsite-ref")] == ["lee2018"]


def test_unknown_key_group_keeps_prefix_and_locator_like_pandoc(scenario):
    site = scenario("citations_missing", expect=tuple("^" + re.escape(w) + "$" for w in MISSING_WARNINGS))
    ours = our_citations(site.article("front/"))
    theirs = pandoc_citations(page_md("citations_missing", "front.md"), bib_of("citations_missing"))
    assert ours == theirs  # pandoc: "(see nokey?, p. 3; Lee 2018)", "nokey?"


# -- 4. year suffixes and APA ----------------------------------------------------------------------

def test_year_suffixes_follow_bibliography_order_across_pages(scenario):
    site = scenario("citations_suffixes")
    one, two = site.article("one/"), site.article("two/")
    # chen2004b ("Alpha Patterns") sorts before chen2004a ("Zeta Patterns"): it gets 2004a.
    assert our_citations(one) == ["(Chen 2004a)"]
    assert our_citations(two) == ["(Chen 2004b, 5)", "Wu (2010)"]
    refs_one = [norm(d.get_text()) for d in one.select("div.refsite-ref .refsite-ref__text")]
    refs_two = [norm(d.get_text()) for d in two.select("div.refsite-ref .refsite-ref__text")]
    # Chicago 18th author-date: no place of publication.
    assert refs_one == ["Chen, Li. 2004a. Alpha Patterns. Example Press."]
    assert refs_two[0] == "Chen, Li. 2004b. Zeta Patterns. Example Press."
    # wu2010b (same author, same year) is never cited: wu2010a keeps a plain year.
    assert refs_two[1] == "Wu, Mei. 2010. Cited Work. Example Press."
    assert bibliography_ids(site) == ["chen2004b", "chen2004a", "wu2010a"]
    bib = norm(site.article("bibliography/").get_text())
    assert "2004a" in bib and "2004b" in bib and "2010a" not in bib and "2010b" not in bib


def test_year_suffixes_match_pandoc_over_the_cited_set(scenario):
    site = scenario("citations_suffixes")
    ours = our_citations(site.article("one/")) + our_citations(site.article("two/"))
    whole = page_md("citations_suffixes", "one.md") + "\n\n" + page_md("citations_suffixes", "two.md")
    assert ours == pandoc_citations(whole, bib_of("citations_suffixes"))


def test_apa_style(scenario):
    # A non-empty config makes the fixture merge the scenario's mkdocs.yml over BASE_CONFIG
    # (without one, a scenario's own mkdocs.yml is used as it is).
    site = scenario("citations_apa", config={"site_name": "APA scenario"})
    article = site.article("")
    assert our_citations(article) == ["(Lee, 2018, p. 12)", "Lee (2018, p. 12)",
                                      "(Lee, 2018; Smith & Brown, 2004)"]
    refs = [norm(d.get_text()) for d in article.select("div.refsite-ref .refsite-ref__text")]
    assert refs[0].startswith("Lee, K.-F. (2018).")


# -- 5. browser ------------------------------------------------------------------------------------

@pytest.fixture
def served_browser_scenario(scenario):
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    site = scenario("citations_browser", config={"site_url": url})
    server = serve_dir_on(site.site, port)
    yield url, site
    server.shutdown()
    server.server_close()


def _card(page):
    return page.locator("#refsite-card")


def _wait_ready(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")


@pytest.mark.browser
def test_hover_and_keyboard_show_the_card_and_escape_hides_it(served_browser_scenario, page):
    url, _ = served_browser_scenario
    _wait_ready(page, url)
    link = page.locator("span.refsite-cite a.refsite-cite__ref[data-key=lee2018]").first
    link.hover()
    card = _card(page)
    card.wait_for(state="visible", timeout=5000)
    assert card.get_attribute("role") == "dialog"       # it holds links and buttons: not a tooltip
    assert "AI Superpowers" in card.inner_text()
    assert "Houghton Mifflin Harcourt" in card.inner_text()
    assert link.get_attribute("aria-expanded") == "true"
    assert link.get_attribute("aria-controls") == "refsite-card"
    page.keyboard.press("Escape")
    card.wait_for(state="hidden", timeout=5000)
    # Keyboard: Tab until a citation link has the focus.
    page.mouse.move(1, 1)
    page.locator("body").focus()
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("!!(document.activeElement && document.activeElement.matches("
                         "'a.refsite-cite__ref'))"):
            break
    else:
        pytest.fail("Tab never reached a citation link")
    card.wait_for(state="visible", timeout=5000)
    key = page.evaluate("document.activeElement.getAttribute('data-key')")
    expected = {"lee2018": "AI Superpowers", "smith04": "An Article on Stuff"}[key]
    assert expected in card.inner_text()
    page.keyboard.press("Escape")
    card.wait_for(state="hidden", timeout=5000)
    # Programmatic focus works too.
    page.locator("a.refsite-cite__ref[data-key=smith04]").first.focus()
    card.wait_for(state="visible", timeout=5000)
    assert "An Article on Stuff" in card.inner_text()
    assert page.js_errors == []


@pytest.mark.browser
def test_escape_inside_the_card_returns_focus_and_keeps_it_closed(served_browser_scenario, page):
    url, _ = served_browser_scenario
    _wait_ready(page, url)
    link = page.locator("a.refsite-cite__ref[data-key=lee2018]").first
    link.focus()
    card = _card(page)
    card.wait_for(state="visible", timeout=5000)
    page.locator("#refsite-card a.refsite-card__more").focus()
    page.wait_for_timeout(400)  # longer than the hide delay: moving into the card keeps it open
    assert card.is_visible()
    page.keyboard.press("Escape")
    card.wait_for(state="hidden", timeout=5000)
    assert page.evaluate("document.activeElement.matches('a.refsite-cite__ref[data-key=lee2018]')")
    page.wait_for_timeout(400)
    assert not card.is_visible(), "giving the focus back re-opened the card"
    assert page.js_errors == []


@pytest.mark.browser
def test_card_works_after_instant_navigation(served_browser_scenario, page):
    url, _ = served_browser_scenario
    _wait_ready(page, url)
    page.locator("a.refsite-cite__ref[data-key=lee2018]").first.hover()
    _card(page).wait_for(state="visible", timeout=5000)
    page.mouse.move(1, 1)
    page.evaluate("window.__marker = 'kept'")
    page.locator("nav.md-nav--primary a.md-nav__link").filter(has_text="Second page").first.click()
    page.wait_for_url(re.compile(r"second/$"))
    page.locator("article h1").filter(has_text="Second page").wait_for()
    assert page.evaluate("window.__marker") == "kept", "the page was fully reloaded"
    # The card of the old page is gone, and the new page's citation shows its own reference.
    assert not _card(page).is_visible()
    page.locator("a.refsite-cite__ref[data-key=doe99]").first.hover()
    card = _card(page)
    card.wait_for(state="visible", timeout=5000)
    assert "A Book about Things" in card.inner_text()
    assert "AI Superpowers" not in card.inner_text()
    assert page.evaluate("document.querySelectorAll('#refsite-card').length") == 1
    assert page.js_errors == []


def _card_colours(page):
    return page.evaluate("""() => {
        const style = getComputedStyle(document.getElementById('refsite-card'));
        return [style.backgroundColor, style.color];
    }""")


def _rgba(css: str) -> tuple[float, float, float, float]:
    values = [float(v) for v in re.findall(r"[\d.]+", css)]
    return (*values[:3], values[3] if len(values) > 3 else 1.0)


def _luminance(rgb) -> float:
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = rgb[:3]
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast(bg: str, fg: str) -> float:
    """WCAG contrast of text colour ``fg`` (alpha blended over ``bg``) on ``bg``."""
    back = _rgba(bg)
    front = _rgba(fg)
    alpha = front[3]
    blended = [alpha * f + (1 - alpha) * b for f, b in zip(front[:3], back[:3])]
    la, lb = sorted((_luminance(back), _luminance(blended)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.browser
def test_card_follows_dark_mode(served_browser_scenario, browser):
    """The scenario's palette follows the media: one fresh context per colour scheme (Material
    keeps the palette it picked in localStorage, so one context would stay light)."""
    url, _ = served_browser_scenario
    colours, errors = {}, []
    for scheme, expected in (("light", "default"), ("dark", "slate")):
        context = browser.new_context(color_scheme=scheme)
        try:
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            _wait_ready(page, url)
            page.wait_for_function(
                f"document.body.getAttribute('data-md-color-scheme') === '{expected}'", timeout=5000)
            page.locator("a.refsite-cite__ref[data-key=lee2018]").first.hover()
            _card(page).wait_for(state="visible", timeout=5000)
            assert "AI Superpowers" in _card(page).inner_text()
            colours[scheme] = _card_colours(page)
        finally:
            context.close()
    (light_bg, light_fg), (dark_bg, dark_fg) = colours["light"], colours["dark"]
    assert dark_bg != light_bg
    assert _luminance(_rgba(dark_bg)) < _luminance(_rgba(light_bg))
    for bg, fg in ((light_bg, light_fg), (dark_bg, dark_fg)):
        assert fg != bg
        assert bg != "rgba(0, 0, 0, 0)", "transparent card background"
        assert _contrast(bg, fg) >= 4.5, (bg, fg)
    print("card colours (background, text):", colours)
    assert errors == []


@pytest.mark.parametrize("style, title", [
    ("chicago-author-date", "Platforms after Lee (2018)"),
    ("chicago-notes-bibliography", "Platforms after Kai-Fu Lee"),     # in-text names; never the note
])
def test_a_first_heading_that_cites_titles_the_page_without_tokens(make_site, style, title):
    """The page's title (navigation, header, <title>), its metadata and "Cite this page" come from
    a first heading that cites: the citation reads as in the text, and no token is left behind."""
    site = make_site({
        "content/index.md": "# Home\n\nSee [the platforms page](platforms.md).\n",
        "content/platforms.md": "# Platforms after @lee2018\n\nText [@lee2018, p. 3].\n",
        "bibliography/refs.bib": "@book{lee2018, author = {Lee, Kai-Fu}, title = {AI Superpowers},\n"
                                 "  year = {2018}, publisher = {Houghton Mifflin Harcourt}}\n",
    }, {"refsite": {"style": style}})
    for page in ("", "platforms/"):
        assert_no_tokens(site.read(page))
    soup = site.soup("platforms/")
    assert norm(soup.title.get_text()) == f"{title} - Scenario"
    assert norm(soup.select_one(".md-header__topic + .md-header__topic .md-ellipsis, "
                                ".md-header__title [data-md-component=header-topic] + "
                                "[data-md-component=header-topic] .md-ellipsis").get_text()) == title
    nav = [norm(a.get_text()) for a in site.soup("").select("nav.md-nav--primary a.md-nav__link")]
    assert title in nav
    assert soup.select_one('meta[name="DC.title"]')["content"] == title
    box = norm(soup.select_one(".refsite-citebox__text").get_text())
    assert "Lee" in box and "C:" not in box
