"""The bibliography one can use at thousands of works (issue 15, item 5), in Chromium: the A–Z bar,
the filter box (instant at 4,000 works, accent-insensitive, keyboard, live region, after Material's
instant navigation), the list of incomplete works, the most-cited table, a phone viewport.

Two sites: the flagship (served with its site_url, so instant navigation works), and a generated
site with 4,000 works (``large_bib``: a few pages cite 300 of them, ``nocite`` lists the rest) whose
words are known, so that what the filter must show is computed here from the source.
"""
from __future__ import annotations

import json
import random
import re
import time
import unicodedata

import pytest

from conftest import build, serve_dir_on, free_port, write_site, Served, watch_errors
from test_robustness_a11y import _violations, axe_script  # noqa: F401  (axe_script is a fixture)


N_WORKS = 4000
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}


# -- the large site ------------------------------------------------------------------------------

ONSETS = ["b", "br", "c", "ch", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "qu", "r", "s", "sh",
          "t", "th", "v", "w", "y", "z"]                     # no "x": X has no works
VOWELS = ["a", "e", "i", "o", "u", "ai", "ou"]
CODAS = ["n", "r", "l", "s", "m", "t", "nd", "rk", "ng"]
TITLE_WORDS = ("platform network policy market state data infrastructure standard regulation "
               "governance archive protocol interface territory border sovereignty labour city "
               "province ministry agency court capital finance trade").split()
JOURNALS = ["Journal of Platform Studies", "Policy Review", "Information and Society",
            "Review of Digital Governance", "Annals of Network Research"]
# Names the filter is checked with: accented, particles, a non-Latin-1 letter.
SPECIAL = [("Müller", "Jürgen", 24), ("Arsène", "Séverine", 7), ("van der Berg", "Anneke", 5),
           ("Łukaszewicz", "Ewa", 4), ("Ørsted", "Ida", 3)]


def _family(rng: random.Random) -> str:
    return "".join([rng.choice(ONSETS), rng.choice(VOWELS), rng.choice(CODAS),
                    rng.choice(VOWELS), rng.choice(CODAS)]).capitalize()


def fold(text: str) -> str:
    """The script's fold, for what the source says must match."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    for a, b in (("ß", "ss"), ("ø", "o"), ("ł", "l"), ("đ", "d"), ("æ", "ae"), ("œ", "oe")):
        text = text.replace(a, b)
    return " " + " ".join(re.sub(r"[^\w]+|_", " ", re.sub(r"['‘’ʼ`]", "", text)).split()) + " "


def large_works(n: int = N_WORKS, seed: int = 15) -> list[dict]:
    """``n`` works: key, author (family, given) or organisation or none, title, year, incomplete."""
    rng = random.Random(seed)
    families = sorted({_family(rng) for _ in range(900)})
    works = []
    specials = [s for s in SPECIAL for _ in range(s[2])]
    for i in range(n):
        year = 1950 + rng.randrange(75)
        title = " ".join(rng.choice(TITLE_WORDS) for _ in range(rng.randrange(3, 8))).capitalize()
        if i < len(specials):
            family, given, _ = specials[i]
            author = [(family, given)]
        elif i % 97 == 0:
            author = "organisation"
        elif i % 89 == 0:
            author = None                      # filed under its title
        else:
            author = [(rng.choice(families), rng.choice(["Ana", "Bo", "Chen", "Dara", "Eli"]))
                      for _ in range(rng.choice([1, 1, 1, 2, 3]))]
        works.append({"key": f"w{i:04d}", "author": author, "title": title, "year": str(year),
                      "journal": rng.choice(JOURNALS), "volume": str(rng.randrange(1, 60)),
                      "incomplete": i % 211 == 5})
    return works


def _bibtex(work: dict) -> str:
    fields = [f"  title = {{{work['title']}}}", f"  journal = {{{work['journal']}}}",
              f"  volume = {{{work['volume']}}}", f"  year = {{{work['year']}}}"]
    if work["author"] == "organisation":
        fields.insert(0, "  author = {{Institute for Network Policy}}")
    elif work["author"]:
        fields.insert(0, "  author = {" + " and ".join(f"{f}, {g}" for f, g in work["author"]) + "}")
    if work["incomplete"]:
        fields.append("  x-verified = {no}")
    return "@article{" + work["key"] + ",\n" + ",\n".join(fields) + "\n}\n"


def write_large_site(root, works: list[dict], site_url: str):
    cited = [w["key"] for w in works[::13]][:300]
    pages = {}
    for p in range(5):
        chunk = cited[p::5]
        body = "\n\n".join(f"Passage {i} on platforms [@{k}; @{cited[(i * 7) % len(cited)]}]."
                           for i, k in enumerate(chunk))
        pages[f"content/page{p}.md"] = f"# Page {p}\n\n{body}\n"
    pages["content/index.md"] = "# Large\n\nA site with many works.\n"
    pages["bibliography/refs.bib"] = "\n".join(_bibtex(w) for w in works)
    nav = [{"Home": "index.md"}] + [f"page{p}.md" for p in range(5)] + [{"Bibliography": "bibliography.md"}]
    return write_site(root, pages, {"site_url": site_url, "nav": nav, "refsite": {"nocite": True}})


def _serve_built(tmp_path_factory, name, make):
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    root = make(tmp_path_factory.mktemp(name) / name, url)
    t0 = time.perf_counter()
    built = build(root)
    seconds = time.perf_counter() - t0
    server = serve_dir_on(built.site, port)
    return built, server, Served(url, built.site), seconds


@pytest.fixture(scope="module")
def large_bib(tmp_path_factory):
    works = large_works()
    built, server, served, seconds = _serve_built(
        tmp_path_factory, "large_bib", lambda root, url: write_large_site(root, works, url))
    size = built.path("bibliography/").stat().st_size
    print(f"\nlarge site: {len(works)} works, built in {seconds:.1f} s; bibliography page {size / 1e6:.1f} MB")
    yield served, works
    server.shutdown()
    server.server_close()


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield watch_errors(context.new_page())
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    yield watch_errors(context.new_page())
    context.close()


@pytest.fixture
def large_page(large_bib, desktop):
    """The large site's bibliography open on a desktop screen: (page, works)."""
    served, works = large_bib
    open_bibliography(desktop, served)
    return desktop, works


def assert_landed(page, element_id: str, slack: float = 120):
    """The element with ``element_id`` sits just below Material's header, not under it."""
    header = page.evaluate("document.querySelector('.md-header').getBoundingClientRect().bottom")
    top = page.evaluate("id => document.getElementById(id).getBoundingClientRect().top", element_id)
    assert header <= top <= header + slack, f"#{element_id} at {top}px (the header ends at {header}px)"


def open_bibliography(page, served):
    page.goto(served.url + "bibliography/")
    page.wait_for_load_state("load")
    page.locator("#refsite-filter").wait_for(state="visible")


def visible_keys(page) -> list[str]:
    return page.evaluate("""() => Array.from(document.querySelectorAll('#refsite-works .refsite-entry'))
        .filter(e => !e.hidden && !e.closest('[hidden]')).map(e => e.dataset.key)""")


def type_query(page, text: str) -> dict:
    """Type ``text`` into the filter (clearing it first) as keystrokes; the time from the last key
    until the list is filtered, measured in the page, and the script's own time for the last key."""
    box = page.locator("#refsite-filter")
    box.focus()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text[:-1]) if len(text) > 1 else None
    took = page.evaluate("""last => new Promise(resolve => {
        const input = document.getElementById('refsite-filter');
        const t0 = performance.now();
        input.value += last;
        input.dispatchEvent(new InputEvent('input', {bubbles: true, data: last, inputType: 'insertText'}));
        const scripted = performance.now() - t0;
        requestAnimationFrame(() => setTimeout(() => resolve({scripted, painted: performance.now() - t0,
            own: parseFloat(document.getElementById('refsite-works').dataset.filterMs)}), 0));
    })""", text[-1])
    return took


def expected_keys(works, query: str) -> set[str]:
    """Works with a word starting with each word of ``query`` among the words of their author
    names, title, journal, volume and year (what the entry shows, apart from punctuation)."""
    words = fold(query).split()
    out = set()
    for w in works:
        if w["author"] == "organisation":
            names = "Institute for Network Policy"
        elif w["author"]:
            names = " ".join(f"{f} {g}" for f, g in w["author"])
        else:
            names = ""
        text = fold(" ".join([names, w["title"], w["journal"], w["volume"], w["year"]]))
        if all(" " + word in text for word in words):
            out.add(w["key"])
    return out


# -- the filter at 4,000 works ---------------------------------------------------------------------

@pytest.mark.browser
def test_filter_is_instant_at_4000_works_and_folds_accents(large_page):
    page, works = large_page
    assert page.locator("#refsite-works .refsite-entry").count() == N_WORKS
    status = page.locator("#refsite-filter-status")
    assert status.get_attribute("role") == "status"
    assert status.text_content() == "4,000 works"
    timings = {}
    for query in ("muller", "MÜLLER", "Müller", "arsene", "lukaszewicz", "orsted", "berg anneke",
                  "platform", "platform 1987", "1987", "z"):
        timings[query] = type_query(page, query)
        got = set(visible_keys(page))
        want = expected_keys(works, query)
        assert want, query
        assert got == want, f"{query!r}: {len(got)} shown, {len(want)} expected; extra " \
                            f"{sorted(got - want)[:5]}, missing {sorted(want - got)[:5]}"
        # the live region says it once typing pauses
        n = f"{len(want):,}"
        page.wait_for_function(
            "n => document.getElementById('refsite-filter-status').textContent.startsWith(n + ' of 4,000')", arg=n)
    assert set(visible_keys(page)) and len(expected_keys(works, "muller")) == 24
    print("\nfilter at 4,000 works (ms: script's own / input handler / until the next frame):")
    for query, t in timings.items():
        print(f"  {query!r:16} {t['own']:7.1f} {t['scripted']:7.1f} {t['painted']:7.1f}")
    # letters without a match are hidden, and so are their jumps
    type_query(page, "arsene")
    assert page.locator(".refsite-works__group:not([hidden])").count() == 1
    assert page.locator(".refsite-az a[href]").count() == 1
    assert page.locator(".refsite-az a[aria-disabled='true']").count() > 20
    # nothing matches: said so, and Escape brings every work back
    type_query(page, "qqqzzz")
    assert visible_keys(page) == []
    assert page.locator(".refsite-works__none").is_visible()
    page.wait_for_function("() => document.getElementById('refsite-filter-status').textContent"
                           ".startsWith('No work matches')")
    page.keyboard.press("Escape")
    assert page.input_value("#refsite-filter") == ""
    assert len(visible_keys(page)) == N_WORKS
    assert not page.locator(".refsite-works__none").is_visible()
    page.wait_for_function("() => document.getElementById('refsite-filter-status').textContent === '4,000 works'")
    assert page.js_errors == []


@pytest.mark.browser
def test_az_bar_jumps_land_on_their_letter(large_page):
    page, works = large_page
    bar = page.locator("nav.refsite-az")
    letters = [t.strip() for t in bar.locator("li").all_text_contents()]
    assert letters[:26] == list("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    filed = {}
    for w in works:
        name = ("Institute" if w["author"] == "organisation" else w["author"][0][0] if w["author"]
                else w["title"])
        filed[w["key"]] = re.sub(r"^(van der) ", "", name)     # Chicago sorts "van der Berg" under B
    present = {name[0].upper() for name in filed.values()}
    assert letters[26:] == ["Ø", "Ł"]          # letters NFKD keeps: after Z, in code point order, as CSL sorts
    # letters with no works (no name starts with a vowel or X): shown, not links, not in the tab order
    off = bar.locator(".refsite-az__off")
    assert off.all_text_contents() == sorted(set("ABCDEFGHIJKLMNOPQRSTUVWXYZ") - present)
    assert "X" in off.all_text_contents() and "M" not in off.all_text_contents()
    for i in range(off.count()):
        assert off.nth(i).get_attribute("aria-disabled") == "true" and off.nth(i).get_attribute("href") is None
    # the groups follow the bar, each holding the works filed under its letter
    groups = page.evaluate("""() => Array.from(document.querySelectorAll('.refsite-works__group')).map(g =>
        [g.dataset.letter, Array.from(g.querySelectorAll('.refsite-entry')).map(e => e.dataset.key)])""")
    assert [g[0] for g in groups] == [l for l in letters if l not in off.all_text_contents()]
    assert sum(len(keys) for _, keys in groups) == N_WORKS
    for letter, keys in groups:
        for key in keys:
            assert fold(filed[key]).strip()[0] == fold(letter).strip(), (letter, key, filed[key])
    for letter in ("M", "B", "Z", "Ł", "C", "Q"):
        bar.get_by_role("link", name=letter, exact=True).click()
        page.wait_for_function("id => decodeURIComponent(location.hash) === '#' + id", arg=f"works-{letter.lower()}")
        page.wait_for_timeout(150)
        assert_landed(page, f"works-{letter.lower()}")
        first = page.locator(f"[id='works-{letter.lower()}'] + .refsite-entry .refsite-entry__label")
        assert first.is_visible()
        page.evaluate("window.scrollTo(0, document.getElementById('works').offsetTop - 60)")
    # arriving from elsewhere (a citation's link) at a work far down the list lands on it too
    base = page.url.split("#")[0]
    page.goto("about:blank")
    page.goto(base + "#ref-w3500")
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    assert_landed(page, "ref-w3500")
    assert page.js_errors == []


@pytest.mark.browser
def test_keyboard_alone_reaches_the_bar_and_the_filter(large_page):
    page, works = large_page
    page.evaluate("document.getElementById('works').scrollIntoView()")
    page.locator(".refsite-az a").first.focus()
    seen = []
    for _ in range(40):
        seen.append(page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()"))
        if seen[-1] == "refsite-filter":
            break
        page.keyboard.press("Tab")
    assert seen[-1] == "refsite-filter", seen
    assert "X" not in seen and seen[:3] == ["A", "B", "C"]
    page.keyboard.type("muller")
    page.wait_for_function("() => document.querySelectorAll('#refsite-works .refsite-entry:not([hidden])').length === 24")
    # Enter goes to the first match; Tab goes on through its links
    page.keyboard.press("Enter")
    focused = page.evaluate("[document.activeElement.classList.contains('refsite-entry__label'),"
                            " document.activeElement.closest('.refsite-entry').dataset.key]")
    assert focused[0] and focused[1] in expected_keys(works, "muller")
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('.refsite-entry')")
    # back in the box, Escape clears it
    page.locator("#refsite-filter").focus()
    page.keyboard.press("Escape")
    assert len(visible_keys(page)) == N_WORKS
    # with a filter on, Tab skips the letters with no match
    type_query(page, "arsene")
    page.locator(".refsite-az a[href]").first.focus()
    assert page.evaluate("document.activeElement.textContent") == "A"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "refsite-filter"
    # a link to an entry the filter hides (here in the year index) clears the filter and lands
    index, href = page.evaluate("""() => {
        const links = Array.from(document.querySelectorAll('.refsite-years a'));
        const i = links.findIndex(a => document.getElementById(decodeURIComponent(a.hash.slice(1))).closest('[hidden]'));
        return [i, i < 0 ? null : links[i].hash];
    }""")
    assert href
    page.locator(".refsite-years a").nth(index).click()
    page.wait_for_url(re.compile(re.escape(href) + "$"))
    assert len(visible_keys(page)) == N_WORKS
    page.wait_for_timeout(150)
    assert_landed(page, href[1:])
    assert page.js_errors == []


@pytest.mark.browser
def test_phone_viewport_is_usable(large_bib, phone):
    served, works = large_bib
    page = phone
    open_bibliography(page, served)
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    box = page.locator("#refsite-filter").bounding_box()
    assert box["width"] >= 0.6 * width and box["height"] >= 32
    for link in page.locator(".refsite-az a").all()[:5]:
        b = link.bounding_box()
        assert b["width"] >= 24 and b["height"] >= 24          # WCAG 2.5.8 target size
    page.locator("#refsite-filter").tap()
    page.keyboard.type("arsene")
    page.wait_for_function("() => document.querySelectorAll('#refsite-works .refsite-entry:not([hidden])').length === 7")
    page.locator("#refsite-filter").fill("")
    page.locator(".refsite-az a", has_text="M").first.tap()
    page.wait_for_url(re.compile("#works-m$"))
    page.wait_for_timeout(150)
    assert_landed(page, "works-m")
    # the most-cited table fits the screen, one block per work
    table = page.locator("table.refsite-top")
    table.scroll_into_view_if_needed()
    assert table.bounding_box()["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.js_errors == []


# -- the flagship ----------------------------------------------------------------------------------

@pytest.mark.browser
def test_incomplete_works_are_a_list_the_summary_leads_to(served_flagship, desktop):
    page = desktop
    open_bibliography(page, served_flagship)
    link = page.locator("p.refsite-summary a")
    n = int(re.match(r"(\d+) marked as incomplete", link.text_content()).group(1))
    marked = page.locator("#refsite-works .refsite-entry:has(.refsite-incomplete)")
    assert marked.count() == n > 0
    link.click()
    # (the flagship's navigation.tracking rewrites the address as the reader scrolls: the place counts)
    page.wait_for_function("() => Math.abs(document.getElementById('incomplete-works').getBoundingClientRect().top - 72) < 30")
    items = page.locator("#incomplete-works ~ ul.refsite-incomplete-list > li > a")
    assert items.count() == n
    hrefs = items.evaluate_all("links => links.map(a => a.hash)")      # (Material makes hrefs absolute)
    keys = marked.evaluate_all("es => es.map(e => '#ref-' + e.dataset.key)")
    assert sorted(hrefs) == sorted(keys)
    items.nth(2).click()
    page.wait_for_function("id => { const r = document.getElementById(id).getBoundingClientRect();"
                           " return r.top > 40 && r.top < 160; }", arg=hrefs[2][1:])
    assert page.locator(hrefs[2]).is_visible()
    assert page.js_errors == []


@pytest.mark.browser
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_most_cited_work_column_stays_short(served_flagship, browser, device):
    context = browser.new_context(**(PHONE if device == "phone" else {"viewport": {"width": 1280, "height": 900}}))
    try:
        page = watch_errors(context.new_page())
        open_bibliography(page, served_flagship)
        rows = page.evaluate("""() => Array.from(document.querySelectorAll('table.refsite-top tbody tr')).map(tr => {
            const cell = tr.querySelector('td.refsite-top__work');
            const line = parseFloat(getComputedStyle(cell).lineHeight);
            const label = cell.querySelector('a'), title = cell.querySelector('.refsite-top__title');
            return {label: label.textContent, labelLines: label.getClientRects().length,
                    titleLines: title ? Math.round(title.getBoundingClientRect().height /
                                        parseFloat(getComputedStyle(title).lineHeight)) : 0,
                    title: title ? title.textContent : '', right: tr.getBoundingClientRect().right};
        })""")
        assert len(rows) == 10
        for row in rows:
            assert row["labelLines"] + row["titleLines"] <= 3, row
            assert row["title"] or len(row["label"]) > 25, row      # a label that is the title
            assert row["right"] <= page.evaluate("window.innerWidth"), row
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert page.js_errors == []
    finally:
        context.close()


@pytest.mark.browser
def test_filter_works_after_instant_navigation(served_flagship, desktop):
    page = desktop
    page.goto(served_flagship.url)
    page.wait_for_load_state("load")
    page.evaluate("window.__notReloaded = true")
    page.locator(".md-tabs a, .md-nav a").filter(has_text=re.compile(r"^\s*Bibliography\s*$")).first.click()
    page.wait_for_url(re.compile("bibliography/$"))
    page.locator("#refsite-filter").wait_for(state="visible")
    assert page.evaluate("window.__notReloaded === true"), "the page was reloaded, not swapped"
    page.locator("#refsite-filter").fill("arsene")
    page.wait_for_function("() => document.querySelectorAll('#refsite-works .refsite-entry:not([hidden])').length > 0")
    shown = page.evaluate("""() => Array.from(document.querySelectorAll('#refsite-works .refsite-entry'))
        .filter(e => !e.hidden).map(e => e.querySelector('.csl-entry').textContent)""")
    assert shown and all("Arsène" in text for text in shown)
    # away and back again, still without a reload: a fresh page, a working filter
    page.go_back()
    page.wait_for_url(served_flagship.url)
    page.locator(".md-tabs a, .md-nav a").filter(has_text=re.compile(r"^\s*Bibliography\s*$")).first.click()
    page.locator("#refsite-filter").wait_for(state="visible")
    page.locator("#refsite-filter").fill("Ding 2018")
    page.wait_for_function("() => document.querySelectorAll('#refsite-works .refsite-entry:not([hidden])').length < 5")
    shown = page.evaluate("""() => Array.from(document.querySelectorAll('#refsite-works .refsite-entry'))
        .filter(e => !e.hidden).map(e => e.querySelector('.refsite-entry__label').textContent)""")
    assert shown and all(label.startswith("Ding") and "2018" in label for label in shown)
    assert page.evaluate("window.__notReloaded === true")
    assert page.js_errors == []


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_axe_violations_while_filtering(served_flagship, browser, axe_script, scheme):  # noqa: F811
    context = browser.new_context(color_scheme=scheme)
    try:
        page = context.new_page()
        open_bibliography(page, served_flagship)
        page.locator("#refsite-filter").fill("arsene")
        page.wait_for_timeout(500)
        found = [f"{v['impact']} {v['id']}: {n['target']} {n['summary']}"
                 for v in _violations(page, axe_script) for n in v["nodes"]]
        assert not found, "\n".join(found)
    finally:
        context.close()


def test_entries_stay_in_search_and_the_finder_stays_out(served_flagship):
    index = json.loads((served_flagship.site / "search" / "search_index.json").read_text(encoding="utf-8"))
    docs = [d for d in index["docs"] if d["location"].startswith("bibliography/")]
    locations = {d["location"] for d in docs}
    html = (served_flagship.site / "bibliography" / "index.html").read_text(encoding="utf-8")
    keys = re.findall(r'<div class="refsite-entry" data-key="([^"]+)"', html)
    assert len(keys) > 50
    for key in keys:
        assert f"bibliography/#ref-{key}" in locations, key
    assert not any("#works-" in loc or "incomplete-works" in loc for loc in locations)
    text = " ".join(d["text"] for d in docs)
    assert "Filter the works" not in text and "Author, title or year" not in text


# -- without a browser: the page's structure ------------------------------------------------------

BIB = """@book{lee2018, author = {Lee, Kai-Fu}, title = {AI Superpowers}, publisher = {HMH}, year = {2018}}
@article{ozel2020, author = {\\"Ozel, Ay\\c{s}e}, title = {Ports}, journal = {J}, year = {2020}}
@article{abe2019, author = {Abe, Ken}, title = {Ships}, journal = {J}, year = {2019}, x-verified = {no}}
@misc{anon2021, title = {Untitled Report}, year = {2021}}
"""
PAGE = "# Home\n\nSee [@lee2018; @ozel2020; @abe2019; @anon2021].\n"


def test_works_are_grouped_by_the_letter_the_style_files_them_under(make_site):
    built = make_site({"content/index.md": PAGE, "bibliography/refs.bib": BIB})
    soup = built.soup("bibliography/")
    groups = [(g["data-letter"], [e["data-key"] for e in g.select("div.refsite-entry")])
              for g in soup.select("div.refsite-works__group")]
    # Öz sorts with O; a work without author under its title (Chicago puts the title first)
    assert groups == [("A", ["abe2019"]), ("L", ["lee2018"]), ("O", ["ozel2020"]), ("U", ["anon2021"])]
    for letter, _ in groups:
        heading = soup.find(id=f"works-{letter.lower()}")
        assert heading.name == "h3" and heading.has_attr("data-search-exclude")
    bar = soup.select_one("section.refsite-finder nav.refsite-az")
    links = {a.get_text(): a["href"] for a in bar.select("a")}
    assert links == {"A": "#works-a", "L": "#works-l", "O": "#works-o", "U": "#works-u"}
    off = [s.get_text() for s in bar.select("span.refsite-az__off[aria-disabled='true'][role='link']")]
    assert len(off) == 22 and "B" in off and "Z" in off
    # the filter box is there for the script to reveal (nothing to type in without it)
    box = soup.select_one("div.refsite-filter[hidden][role='search']")
    assert box.select_one("label[for='refsite-filter']").get_text() == "Filter the works"
    assert box.select_one("input#refsite-filter")["aria-controls"] == "refsite-works"
    assert box.select_one("#refsite-filter-status[role='status']").get_text() == "4 works"
    # the incomplete work, listed where the summary's link leads
    assert soup.select_one("p.refsite-summary a")["href"] == "#incomplete-works"
    assert [a["href"] for a in soup.select("#incomplete-works ~ ul.refsite-incomplete-list a")] == ["#ref-abe2019"]
    assert "refsite/refsite-bibliography.js" in built.read("bibliography/")


def test_a_numeric_style_jumps_to_the_author_index(make_site):
    built = make_site({"content/index.md": PAGE, "bibliography/refs.bib": BIB}, {"refsite": {"style": "ieee"}})
    soup = built.soup("bibliography/")
    assert soup.select("div.refsite-works__group") == []        # in order of citation: not by letter
    assert [e["data-key"] for e in soup.select("#refsite-works div.refsite-entry")] == \
        ["lee2018", "ozel2020", "abe2019", "anon2021"]
    bar = soup.select_one("nav.refsite-az")
    assert "author index" in bar["aria-label"]
    ids = {t["id"] for t in soup.find_all(id=True)}
    hrefs = [a["href"] for a in bar.select("a")]
    assert hrefs and all(h.startswith("#authors-") and h[1:] in ids for h in hrefs)
    assert [a.get_text() for a in bar.select("a")] == ["A", "L", "O"]          # Özel with O, as the index files her
