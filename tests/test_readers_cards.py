"""Readers on every device (issue 15, items 2, 3, 4 and 8), in Chromium on the flagship, on a desktop
and on a touch phone:

- cards: a first tap shows the card (the full reference and a named link to the entry), a second tap
  or the card's link follows it, a tap elsewhere closes it; the keyboard reaches the card's links
  with Tab and Escape gives the focus back; the card is a non-modal dialog; links have distinct
  names and look like links; all of it after Material's instant navigation;
- backlinks land on a marked citation, clear of the sticky header;
- print: no buttons or arrows, the references' URLs and DOIs printed in full;
- the "incomplete reference" badge and the chart's labels at 12 px or more, apart from the text
  around them, readable in both colour schemes.
"""
from __future__ import annotations

import collections
import re

import pytest
import yaml

from conftest import watch_errors
from test_citations_site import _luminance, _rgba
from test_robustness_a11y import _tab_to, _violations, axe_script  # noqa: F401  (axe_script is a fixture)

pytestmark = pytest.mark.browser

DEVICES = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True,
              "device_scale_factor": 3},
}
SUMMARY = "summaries/china-era-of-algorithms/"
SUMMARIES = ["", "summaries/introduction/", SUMMARY, "summaries/tech-globalized/",
             "summaries/friction-geopolitics/", "summaries/decoupling/", "summaries/conclusion/"]
CARD_OPEN = "() => { const c = document.getElementById('refsite-card'); return !!c && !c.hidden; }"
CARD_SHUT = "() => { const c = document.getElementById('refsite-card'); return !c || c.hidden; }"


@pytest.fixture
def open_page(browser):
    """open_page(device, scheme="light") -> a page in a fresh context (JS errors in .js_errors)."""
    contexts = []

    def _open(device: str, scheme: str = "light"):
        context = browser.new_context(color_scheme=scheme, **DEVICES[device])
        contexts.append(context)
        return watch_errors(context.new_page())

    yield _open
    for context in contexts:
        context.close()


def _goto(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")


def _words(text: str) -> str:
    return " ".join(text.split())


# -- colours ----------------------------------------------------------------------------------------

def _over(top, bottom):
    """``top`` (rgba) composited over the opaque ``bottom``."""
    alpha = top[3]
    return tuple(alpha * t + (1 - alpha) * b for t, b in zip(top[:3], bottom[:3])) + (1.0,)


def _contrast(a, b) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _page_background(page):
    return _rgba(page.evaluate("getComputedStyle(document.body).backgroundColor"))


# -- 2. cards on every device --------------------------------------------------------------------

def test_touch_first_tap_shows_the_card_second_tap_follows(served_flagship, open_page):
    page = open_page("phone")
    url = served_flagship.url + SUMMARY
    _goto(page, url)
    page.evaluate("window.__kept = 'same window'")
    cite = page.locator("a.refsite-cite__ref[data-key=lee2018]").first
    card = page.locator("#refsite-card")
    again = re.compile(re.escape(url) + "(#.*)?$")      # Material's navigation.tracking adds a fragment

    cite.tap()
    page.wait_for_function(CARD_OPEN)
    assert again.match(page.url), "the first tap followed the link"
    assert card.get_attribute("role") == "dialog" and card.get_attribute("aria-modal") == "false"
    assert card.get_attribute("aria-label") == "Reference: Lee 2018"
    assert cite.get_attribute("aria-expanded") == "true"
    reference = page.locator(".refsite-references [data-key=lee2018] .refsite-ref__text").inner_text()
    assert "AI Superpowers" in reference and _words(reference) in _words(card.inner_text())
    more = card.get_by_role("link", name="Lee 2018 in the bibliography", exact=True)
    assert more.count() == 1
    assert more.get_attribute("href") == cite.get_attribute("href")
    # the card fits the screen, and its controls are big enough to tap (WCAG 2.5.8: 24 px)
    box = card.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    for control in card.locator("a, button").all():
        assert control.bounding_box()["height"] >= 24, control.inner_text()

    # a tap elsewhere closes it and goes nowhere
    page.locator("article h1").tap()
    page.wait_for_function(CARD_SHUT)
    assert again.match(page.url) and cite.get_attribute("aria-expanded") == "false"

    # first tap: the card; second tap on the same citation: its entry (by instant navigation)
    cite.tap()
    page.wait_for_function(CARD_OPEN)
    cite.tap()
    page.wait_for_url(served_flagship.url + "bibliography/#ref-lee2018")
    assert page.evaluate("window.__kept") == "same window", "the page was reloaded"
    page.wait_for_function(CARD_SHUT)

    # after instant navigation back: a first tap still shows the card, and its link follows
    page.go_back()
    page.wait_for_url(again)
    cite = page.locator("a.refsite-cite__ref[data-key=lee2018]").first
    cite.tap()
    page.wait_for_function(CARD_OPEN)
    assert again.match(page.url)
    page.locator("#refsite-card a.refsite-card__more").tap()
    page.wait_for_url(served_flagship.url + "bibliography/#ref-lee2018")

    # glossary terms share the behaviour
    page.go_back()
    page.wait_for_url(again)
    term = page.locator("a.refsite-term[data-term-slug]").first
    slug, name = term.get_attribute("data-term-slug"), term.get_attribute("data-term")
    term.tap()
    page.wait_for_function(CARD_OPEN)
    assert again.match(page.url)
    assert card.get_attribute("aria-label") == f"Glossary: {name}"
    assert card.get_by_role("link", name=f"{name} in the glossary", exact=True).count() == 1
    term.tap()
    page.wait_for_url(served_flagship.url + f"glossary/{slug}/")
    assert page.evaluate("window.__kept") == "same window"
    assert page.js_errors == []


def test_desktop_click_follows_the_citation_at_once(served_flagship, open_page):
    """With a mouse the card shows on hover; a click is a plain link."""
    page = open_page("desktop")
    _goto(page, served_flagship.url + SUMMARY)
    cite = page.locator("a.refsite-cite__ref[data-key=lee2018]").first
    cite.hover()
    page.wait_for_function(CARD_OPEN)
    assert cite.get_attribute("aria-expanded") == "true"
    cite.click()
    page.wait_for_url(served_flagship.url + "bibliography/#ref-lee2018")
    assert page.js_errors == []


NEXT_AFTER = """owner => {
    const all = [...document.querySelectorAll('a[href], button, summary, input, select, textarea, [tabindex]')];
    return all.find(e => (owner.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING)
        && !e.closest('#refsite-card') && e.tabIndex >= 0 && e.getClientRects().length) || null;
}"""


@pytest.mark.parametrize("device", ["desktop", "phone"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_keyboard_reaches_the_cards_links_and_escape_returns(served_flagship, open_page, device, scheme):
    page = open_page(device, scheme)
    _goto(page, served_flagship.url + SUMMARY)
    assert _tab_to(page, "a.refsite-cite__ref"), "Tab never reached a citation"
    owner = page.evaluate_handle("document.activeElement")
    key = owner.get_attribute("data-key")
    card = page.locator("#refsite-card")
    page.wait_for_function(CARD_OPEN)
    assert owner.get_attribute("aria-expanded") == "true"
    assert owner.get_attribute("aria-controls") == "refsite-card"
    label = page.locator(f'.refsite-references [data-key="{key}"]').get_attribute("data-label")
    assert card.get_attribute("aria-label") == f"Reference: {label}"
    controls = card.locator("a[href], button")
    count = controls.count()
    assert count >= 2, "the card should hold the entry link and the copy buttons"
    expected_next = page.evaluate_handle(NEXT_AFTER, owner)

    # Tab walks through every link and button of the card, in order ...
    for i in range(count):
        page.keyboard.press("Tab")
        assert controls.nth(i).evaluate("e => e === document.activeElement"), f"Tab {i + 1}"
        if i == 0:
            assert page.evaluate("document.activeElement.closest('#refsite-card') !== null")
    # ... and then on to what follows the citation in the text, the card closed
    page.keyboard.press("Tab")
    assert page.evaluate("e => e === document.activeElement", expected_next)
    assert owner.get_attribute("aria-expanded") == "false"

    # Shift+Tab comes back to the citation; into the card again, and Escape gives the focus back
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("e => e === document.activeElement", owner)
    page.wait_for_function(CARD_OPEN)
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("e => e === document.activeElement", owner), "Shift+Tab out of the card"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#refsite-card') !== null")
    owner.hover()                       # the pointer passing over the citation keeps the card as it is
    assert page.evaluate("document.activeElement.closest('#refsite-card') !== null"), "focus lost"
    page.keyboard.press("Escape")
    page.wait_for_function(CARD_SHUT)
    assert page.evaluate("e => e === document.activeElement", owner)
    assert owner.get_attribute("aria-expanded") == "false"
    page.wait_for_timeout(300)
    assert page.evaluate(CARD_SHUT), "giving the focus back opened the card again"

    # the card's links look like links: underlined, in the link colour, readable on the card
    owner.evaluate("e => { e.blur(); e.focus(); }")
    page.wait_for_function(CARD_OPEN)
    style = card.locator("a.refsite-card__more").evaluate("""a => { const s = getComputedStyle(a);
        return {line: s.textDecorationLine, color: s.color, size: parseFloat(s.fontSize),
                text: getComputedStyle(a.closest('#refsite-card')).color,
                bg: getComputedStyle(a.closest('#refsite-card')).backgroundColor}; }""")
    assert "underline" in style["line"]
    assert style["color"] != style["text"], "the link has the text's colour"
    background = _over(_rgba(style["bg"]), _page_background(page))
    assert _contrast(_over(_rgba(style["color"]), background), background) >= 4.5
    assert style["size"] >= 12
    assert page.js_errors == []


@pytest.mark.parametrize("url", SUMMARIES)
def test_links_have_distinct_names(served_flagship, open_page, url):
    """Two links with the same accessible name lead to the same place (each "↗" names its work),
    and every card's link names its work or term."""
    page = open_page("desktop")
    _goto(page, served_flagship.url + url)
    by_name = collections.defaultdict(set)

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                match = re.fullmatch(r'link "((?:[^"\\]|\\.)*)"(?: \[.*\])?', str(key))
                if match and isinstance(value, list):
                    urls = [v["/url"] for v in value if isinstance(v, dict) and "/url" in v]
                    name = match.group(1).replace('\\"', '"')
                    if urls and not name == "¶":    # Material's permalinks: the theme's, named by toc
                        by_name[name].add(urls[0])
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(yaml.safe_load(page.locator("article").aria_snapshot()))
    assert by_name, "no links found"
    clashes = {name: sorted(urls) for name, urls in by_name.items() if len(urls) > 1}
    assert not clashes, clashes
    arrows = page.locator("a.refsite-ref__go")
    names = [a.get_attribute("aria-label") for a in arrows.all()]
    assert len(set(names)) == len(names) == page.locator(".refsite-references .refsite-ref").count()
    assert all(n.endswith(" in the bibliography") for n in names)
    # each card's link is named after its own work
    seen = set()
    for cite in page.locator("a.refsite-cite__ref").all()[:6]:
        cite.scroll_into_view_if_needed()
        cite.hover()
        page.wait_for_function(CARD_OPEN)
        key = cite.get_attribute("data-key")
        label = page.locator(f'.refsite-references [data-key="{key}"]').get_attribute("data-label")
        more = page.locator("#refsite-card").get_by_role("link", name=f"{label} in the bibliography", exact=True)
        assert more.count() == 1, label
        seen.add(label)
        page.mouse.move(0, 0)
        page.wait_for_function(CARD_SHUT)
    assert page.js_errors == []


@pytest.mark.parametrize(("device", "scheme"), [("desktop", "light"), ("phone", "dark")])
def test_no_serious_axe_violation_with_a_card_open(served_flagship, open_page, axe_script, device, scheme):  # noqa: F811
    page = open_page(device, scheme)
    found = []
    for url, selector in ((SUMMARY, "a.refsite-cite__ref[data-key=lee2018]"),
                          (SUMMARY, "a.refsite-term[data-term-slug]"), ("bibliography/", None)):
        _goto(page, served_flagship.url + url)
        if selector:
            page.locator(selector).first.focus()
            page.wait_for_function(CARD_OPEN)
        for v in _violations(page, axe_script):
            found += [f"[{device}/{scheme}] /{url} {v['id']} ({v['help']}): {n['target']} {n['summary']}"
                      for n in v["nodes"]]
    assert not found, "\n".join(found)


# -- 3. backlink targets ----------------------------------------------------------------------------

MARK = """id => {
    const el = document.getElementById(id), r = el.getBoundingClientRect(), s = getComputedStyle(el);
    const header = document.querySelector('.md-header').getBoundingClientRect();
    const other = [...document.querySelectorAll('.refsite-cite, a.refsite-term')]
        .find(c => c !== el && !c.contains(el) && !el.contains(c));
    return {top: r.top, bottom: r.bottom, header: header.bottom, height: innerHeight,
            marked: el.matches(':target, .refsite-target'), outline: s.outlineStyle,
            outlineWidth: parseFloat(s.outlineWidth), outlineColor: s.outlineColor, bg: s.backgroundColor,
            otherOutline: other ? getComputedStyle(other).outlineStyle : 'none',
            otherBg: other ? getComputedStyle(other).backgroundColor : ''};
}"""


def _assert_marked(page, cite_id, where):
    state = page.evaluate(MARK, cite_id)
    assert state["marked"], f"{where}: {cite_id} is not marked"
    assert state["outline"] == "solid" and state["outlineWidth"] >= 2, (where, state)
    assert state["otherOutline"] == "none" and state["bg"] != state["otherBg"], (where, state)
    background = _page_background(page)
    assert _contrast(_rgba(state["outlineColor"]), background) >= 3, (where, state)   # WCAG 1.4.11
    # in view, below the sticky header (with the lines before it in view when the page is long enough)
    assert state["header"] + 8 <= state["top"] and state["bottom"] <= state["height"], (where, state)


@pytest.mark.parametrize("device", ["desktop", "phone"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_backlinks_land_on_a_marked_citation_clear_of_the_header(served_flagship, open_page, device, scheme):
    page = open_page(device, scheme)
    base = served_flagship.url
    _goto(page, base + "bibliography/")
    hrefs = page.locator(".refsite-backlinks a[href*='#cite-']").evaluate_all("as => as.map(a => a.href)")
    assert len(hrefs) > 20
    # pages of both kinds, far down the list (the bibliography is scrolled just before the click)
    picks = [h for h in hrefs if "/summaries/" in h][5::40][:2] + [h for h in hrefs if "/glossary/" in h][:1]
    picks = [("bibliography/", h) for h in picks]
    # a term page's "appears in" links land on the term in the passage
    _goto(page, base + "glossary/big-data/")
    terms = page.locator("article a[href*='#term-big-data-']").evaluate_all("as => as.map(a => a.href)")
    assert terms
    picks.append(("glossary/big-data/", terms[-1]))
    for start, href in picks:
        _goto(page, base + start)
        page.evaluate("window.__kept = 1")
        link = page.locator(f"article a[href='{href}']").first
        (link.tap if device == "phone" else link.click)()
        page.wait_for_url(href.split("#")[0] + "**")
        page.wait_for_timeout(600)          # Material's own scrolling, then the script's
        assert page.evaluate("window.__kept") == 1, "not instant navigation"
        _assert_marked(page, href.split("#")[1], f"{href} by instant navigation")
        # the same passage loaded directly
        _goto(page, "about:blank")
        _goto(page, href)
        page.wait_for_timeout(300)
        _assert_marked(page, href.split("#")[1], f"{href} loaded")
    assert page.js_errors == []


# -- 4. print -----------------------------------------------------------------------------------------

CONTROLS = """() => [...document.querySelectorAll('button, .md-button, [role=button], a, summary')]
    .filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden'
                 && (e.matches('button, .md-button, [role=button]')
                     || /^[\\u2190-\\u21ff\\u2794-\\u27bf]$/.test((e.textContent || '').trim())
                     || (e.matches('summary') && getComputedStyle(e, '::after').display !== 'none'
                         && getComputedStyle(e, '::after').webkitMaskImage !== 'none')))
    .map(e => e.outerHTML.slice(0, 120))"""

PRINTED_URLS = """() => {
    const right = document.querySelector('article').getBoundingClientRect().right + 1;
    return [...document.querySelectorAll('.refsite-ref__text a[href], .refsite-entry .csl-entry a[href]')]
        .map(a => ({href: a.getAttribute('href'), text: a.innerText.replace(/\\s+/g, ''), shown: a.getClientRects().length > 0,
                    inside: [...a.getClientRects()].every(r => r.right <= right)}));
}"""


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_print_has_no_buttons_or_arrows_and_prints_urls(served_flagship, open_page, device):
    page = open_page(device)
    for url in ["", SUMMARY, "bibliography/", "glossary/big-data/"]:
        _goto(page, served_flagship.url + url)
        page.emulate_media(media="screen")
        on_screen = page.evaluate(CONTROLS)
        page.emulate_media(media="print")
        printed = page.evaluate(CONTROLS)
        assert not printed, f"/{url} prints {len(printed)} controls: {printed[:5]}"
        links = page.evaluate(PRINTED_URLS)
        if url in (SUMMARY, "bibliography/"):
            assert on_screen, f"/{url}: no controls on screen either: the test would prove nothing"
            assert any("doi.org/" in link["href"] for link in links), url
        for link in links:
            assert link["shown"] and link["text"] == link["href"], (url, link)
            assert link["inside"], f"/{url}: {link['href']} runs off the page"
        if url == SUMMARY:      # "Cite this page" prints its citation, not its buttons
            assert page.locator(".refsite-citebox__text").is_visible()
    assert page.js_errors == []


# -- 8. readable sizes -----------------------------------------------------------------------------------

BADGES = """() => [...document.querySelectorAll('.refsite-incomplete__badge')].filter(b => b.getClientRects().length)
    .map(b => { const s = getComputedStyle(b), prev = b.previousSibling, prevEl = b.previousElementSibling;
        let gap = null;
        if (prevEl) { const a = [...prevEl.getClientRects()].pop(), r = b.getClientRects()[0];
                      if (Math.abs(a.bottom - r.bottom) < 4) gap = r.left - a.right; }
        return {size: parseFloat(s.fontSize), color: s.color, bg: s.backgroundColor, gap,
                spaced: !prev || /\\s$/.test(prev.textContent), next: (b.nextSibling || {}).textContent || ''}; })"""

CHART = """() => { const svg = document.querySelector('svg.refsite-chart'), frame = svg.closest('.refsite-chart__frame');
    const scale = svg.getScreenCTM().a;
    return {texts: [...svg.querySelectorAll('text')].map(t => ({size: parseFloat(getComputedStyle(t).fontSize) * scale,
                                                              fill: getComputedStyle(t).fill})),
            scrolls: frame.scrollWidth > frame.clientWidth, focusable: frame.tabIndex >= 0,
            pageOverflow: document.documentElement.scrollWidth > document.documentElement.clientWidth}; }"""


@pytest.mark.parametrize("device", ["desktop", "phone"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_badges_and_chart_labels_are_readable(served_flagship, open_page, device, scheme):
    page = open_page(device, scheme)
    checked = 0
    for url in [SUMMARY, "summaries/tech-globalized/", "bibliography/"]:
        _goto(page, served_flagship.url + url)
        background = _page_background(page)
        for badge in page.evaluate(BADGES):
            checked += 1
            assert badge["size"] >= 12, (url, badge)
            fill = _over(_rgba(badge["bg"]), background)
            assert _contrast(_rgba(badge["color"]), fill) >= 4.5, (url, badge)
            assert badge["spaced"], f"/{url}: the badge touches the text before it"
            if badge["gap"] is not None:
                assert badge["gap"] >= 6, (url, badge)
        if url == "bibliography/":
            chart = page.evaluate(CHART)
            assert chart["texts"], "no chart labels"
            for text in chart["texts"]:
                assert text["size"] >= 12, text
                assert _contrast(_rgba(text["fill"]), background) >= 4.5, text
            assert not chart["pageOverflow"], "the chart widens the page"
            assert chart["focusable"]
            if device == "phone":
                assert chart["scrolls"], "on a phone the full-size chart scrolls in its frame"
    assert checked >= 3, "the flagship has incomplete references on these pages"
    assert page.js_errors == []
