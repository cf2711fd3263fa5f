"""Hostile fields: script-like text in BibTeX, glossary YAML and front matter is shown literally,
never runs, and only http(s) URLs become links."""
from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
SVG = '"><svg onload=alert(1)>'
JS_URL = "javascript:alert(1)"
DATA_URL = "data:text/html,<script>alert(1)</script>"
PAGE_TITLE = 'Quotes "double" and \'single\' & more'

BIB = f"""\
@article{{evil1,
  author = {{Smith, {SCRIPT} and Doe, {SVG}}},
  title = {{{IMG} Title {SVG}}},
  journal = {{{SCRIPT}}},
  note = {{Note {IMG} end}},
  year = {{2020}},
  url = {{{JS_URL}}},
  doi = {{{SVG}}}
}}
@misc{{evil2,
  author = {{Evil, Eve}},
  title = {{Data URL}},
  year = {{2021}},
  url = {{{DATA_URL}}},
  note = {{{JS_URL}}}
}}
@misc{{evil3,
  author = {{Vbs, Val}},
  title = {{Upper case scheme}},
  year = {{2019}},
  url = {{  JaVaScRiPt:alert(1)}}
}}
@misc{{safe1,
  author = {{Safe, Sam}},
  title = {{Good Link}},
  year = {{2022}},
  url = {{https://example.org/ok}}
}}
"""

GLOSSARY = f"""\
- term: "{SCRIPT}"
  definition: "Script term {IMG} with [click](javascript:alert(1)) and [d]({DATA_URL.replace('"', '')})."
  aliases: ['{SVG}']
- term: Evilterm
  definition: "Plain {SCRIPT} text [ok](https://example.org/ok) and <a href=\\"javascript:alert(1)\\">raw</a>."
  short: "{IMG}"
  aliases: ["{JS_URL}"]
- term: Data localization
  definition: 'Keeping data {SVG} at home [@evil1].'
  see_also: [Evilterm]
"""

CONTENT = f"""\
---
title: '{PAGE_TITLE.replace("'", "''")}'
---
# Hostile

Evil one [@evil1], evil two @evil2 says, upper [@evil3] and safe [@safe1].
The Evilterm is here, and so is data localization.
"""

FIELD_SCHEMES = ("javascript:", "data:", "vbscript:")


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    from conftest import build, write_site

    root = write_site(tmp_path_factory.mktemp("hostile") / "site",
                      {"content/index.md": CONTENT, "content/glossary.yml": GLOSSARY,
                       "bibliography/evil.bib": BIB},
                      {"refsite": {"glossary": "content/glossary.yml"}})
    # Script-like text is not a problem to report: the build must be clean.
    return build(root)


def _html_files(site: Path):
    return sorted(p for p in site.rglob("*.html"))


def test_no_active_content_from_fields(hostile_site):
    bad = []
    for path in _html_files(hostile_site.site):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        rel = path.relative_to(hostile_site.site)
        for script in soup.find_all("script"):
            if "alert(1)" in (script.string or ""):
                bad.append(f"{rel}: script element {script}")
        for tag in soup.find_all(True):
            for name, value in tag.attrs.items():
                if name.lower().startswith("on"):
                    bad.append(f"{rel}: <{tag.name} {name}={value!r}>")
            if tag.name in ("img", "svg") and ("onerror" in tag.attrs or "onload" in tag.attrs or tag.get("src") == "x"):
                bad.append(f"{rel}: {tag}")
        for tag in soup.find_all(["a", "area", "iframe", "form", "img", "embed", "object", "link"]):
            for attr in ("href", "src", "action", "data"):
                value = tag.get(attr)
                if value is None:
                    continue
                scheme = "".join(str(value).split()).lower()
                if scheme.startswith(FIELD_SCHEMES):
                    bad.append(f"{rel}: <{tag.name} {attr}={value!r}>")
    assert not bad, "\n".join(bad)


def test_only_http_urls_become_links(hostile_site):
    bib = hostile_site.soup("bibliography/")
    for key in ("evil1", "evil2", "evil3"):
        entry = bib.find("h3", id=f"ref-{key}").find_parent("div", class_="refsite-entry")
        reference = entry.select_one("div.csl-entry")
        assert reference.find("a") is None or all(
            a["href"].startswith(("http://", "https://")) for a in reference.find_all("a")), reference
    safe = bib.find("h3", id="ref-safe1").find_parent("div", class_="refsite-entry")
    assert safe.select_one("div.csl-entry a[href='https://example.org/ok']") is not None


def test_hostile_text_shows_literally(hostile_site):
    bib_text = hostile_site.article("bibliography/").get_text()
    assert SCRIPT in bib_text                       # author / journal
    assert IMG.lower() in bib_text.lower()          # title (its case may be changed by the style)
    evil1 = hostile_site.soup("bibliography/").find("h3", id="ref-evil1").find_parent("div", class_="refsite-entry")
    assert evil1.select_one("button.refsite-copy[data-copy-from=bibtex]") is not None
    assert "Note " + IMG in (hostile_site.site / "bibliography.bib").read_text(encoding="utf-8")  # what it copies
    index = hostile_site.article("glossary/").get_text()
    assert SCRIPT in index
    # every term page: its title and definition shown as text
    term_pages = [p for p in (hostile_site.site / "glossary").glob("*/index.html")]
    texts = {p.parent.name: BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser")
             .select_one("article.md-content__inner").get_text() for p in term_pages}
    assert any(SCRIPT in t and IMG in t and SVG in t for t in texts.values()), texts.keys()
    assert any("Plain " + SCRIPT + " text" in t for t in texts.values())
    page = hostile_site.soup("")
    assert page.title.get_text().startswith(PAGE_TITLE)
    meta = page.find("meta", attrs={"name": "DC.title"})
    assert meta is not None and meta["content"] == PAGE_TITLE
    # hover-card data for the term keeps the short text as text
    term_link = page.select_one("a.refsite-term[data-term='Evilterm']")
    assert term_link is not None and term_link["data-refsite-short"] == IMG


@pytest.mark.browser
def test_nothing_fires_in_the_browser(hostile_site, serve, page):
    served = serve(hostile_site.site)
    dialogs = []

    def on_dialog(dialog):
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    local_failures = []
    page.on("response", lambda r: local_failures.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.url.startswith(served.url) else None)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served.url.rstrip("/"))
    term_pages = sorted(p.parent.name for p in (hostile_site.site / "glossary").glob("*/index.html"))
    urls = ["", "bibliography/", "glossary/"] + [f"glossary/{slug}/" for slug in term_pages]
    card_texts = []
    for url in urls:
        page.goto(served.url + url)
        page.wait_for_load_state("load")
        links = page.locator("a.refsite-cite__ref, a.refsite-term[data-term-slug]")
        for i in range(links.count()):
            link = links.nth(i)
            if not link.is_visible():
                continue
            link.scroll_into_view_if_needed()
            link.hover()
            card = page.locator("#refsite-card")
            card.wait_for(state="visible", timeout=3000)
            card_texts.append(card.text_content())
            page.mouse.move(0, 0)
        summaries = page.locator("details.refsite-citebox > summary")
        for i in range(summaries.count()):
            summaries.nth(i).click()
        buttons = page.locator("button.refsite-copy[data-copy], button.refsite-copy[data-copy-from=entry]")
        for i in range(buttons.count()):
            button = buttons.nth(i)
            if not button.is_visible():
                continue
            expected = button.get_attribute("data-copy")
            if expected is None:        # "Copy reference": the entry's text as shown
                expected = " ".join(button.evaluate(
                    "b => b.closest('.refsite-entry').querySelector('.csl-entry').textContent").split())
            button.click()
            page.wait_for_function("b => b.textContent !== b.getAttribute('data-label') || true",
                                   arg=button.element_handle())
            page.wait_for_timeout(50)
            copied = page.evaluate("navigator.clipboard.readText()")
            assert copied == expected
        page.wait_for_timeout(200)
    # Failed local requests are listed by URL (their console errors say only "Failed to load resource").
    problems = ([f"dialog: {d}" for d in dialogs] + [f"js error: {e}" for e in page.js_errors]
                + [f"failed request: {f}" for f in local_failures])
    if not any(IMG in t for t in card_texts):
        problems.append("the term's hostile short text is not shown literally in its card")
    if not any(SCRIPT in t for t in card_texts):
        problems.append("the hostile author is not shown literally in a citation card")
    if page.evaluate("document.querySelectorAll('img[src=x], svg[onload]').length"):
        problems.append("hostile element in the live DOM")
    assert not problems, "\n".join(problems)
