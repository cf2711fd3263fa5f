"""The flagship in other official styles: author-date (APA, MLA), numeric (IEEE) and notes
(Chicago notes and bibliography). Each builds strictly; numbers follow reading order and agree
between the text, each page's list and the bibliography; notes are footnotes of their page."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import build, flagship_in_style

NAV = ["", "summaries/introduction/", "summaries/china-era-of-algorithms/", "summaries/tech-globalized/",
       "summaries/friction-geopolitics/", "summaries/decoupling/", "summaries/conclusion/"]


def _flagship(tmp: Path, style: str):
    return build(flagship_in_style(tmp / style, style))


@pytest.mark.parametrize("style, first_cite", [
    ("apa", re.compile(r"^\(\w.*, \d{4}")),
    ("modern-language-association", re.compile(r"^\(\w")),
])
def test_author_date_styles_build(tmp_path, style, first_cite):
    built = _flagship(tmp_path, style)
    cites = [c.get_text() for c in built.article("").select("span.refsite-cite")]
    assert cites and first_cite.match(cites[0]), cites[:3]


def test_numeric_style_numbers_works_in_reading_order(tmp_path):
    built = _flagship(tmp_path, "ieee")
    seen: list[str] = []
    for page in NAV:
        article = built.article(page)
        for cite in article.select("span.refsite-cite a.refsite-cite__ref[data-key]"):
            if not re.search(r"\d", cite.get_text()):
                continue                    # the names of an in-text citation ("Li et al. [21]")
            if cite["data-key"] not in seen:
                seen.append(cite["data-key"])
                # a new work gets the next number: the first cite of the n-th work shows [n]
                assert re.search(rf"\b{len(seen)}\b", cite.get_text()), (page, cite.get_text(), len(seen))
        for entry in article.select(".refsite-references .refsite-ref"):
            number = int(re.match(r"\s*\[(\d+)\]", entry.get_text()).group(1))
            assert seen.index(entry["data-key"]) + 1 == number
    bibliography = built.soup("bibliography/").select("div.refsite-entry")
    numbers = [int(e.h3.get_text().strip("[]")) for e in bibliography]
    assert numbers[: len(seen)] == list(range(1, len(seen) + 1))
    assert [e["data-key"] for e in bibliography][: len(seen)] == seen


def test_note_style_puts_citations_in_page_footnotes(tmp_path):
    built = _flagship(tmp_path, "chicago-notes-bibliography")
    article = built.article("summaries/decoupling/")
    refs = article.select("span.refsite-cite sup.refsite-note-ref a")
    notes = article.select(".refsite-notes li")
    assert len(refs) == len(notes) > 3
    assert [a["href"] for a in refs] == [f"#{li['id']}" for li in notes]
    texts = [li.get_text() for li in notes]
    # a first note is the full form; a later one for the same work is the short form
    first = next(t for t in texts if t.startswith("Lizhi Liu, “The Rise of Data Politics"))
    later = [t for t in texts if t.startswith("Liu, “The Rise of Data Politics,”")]
    assert "Studies in Comparative" in first and later
    # numbering starts again on every page
    other = built.article("").select(".refsite-notes li")
    assert other and other[0]["id"] == "refsite-note-1"
    label = built.soup("bibliography/").select_one("div.refsite-entry h3").get_text()
    assert len(label) < 80        # the short form, not the full note


@pytest.mark.browser
def test_readers_copy_a_reference_in_the_offered_styles(served_flagship, browser):
    """The flagship offers Chicago, APA and MLA: on the bibliography page and in a citation's card."""
    from conftest import watch_errors

    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = watch_errors(context.new_page())
    try:
        page.goto(served_flagship.url + "bibliography/")
        page.wait_for_load_state("networkidle")
        entry = page.locator('div.refsite-entry[data-key="lee2018"]')
        apa = entry.locator("button.refsite-copy", has_text="Copy as APA")
        expected = apa.get_attribute("data-copy")
        assert expected.startswith("Lee, K.-F. (2018).")
        assert entry.locator("button.refsite-copy", has_text="Copy as MLA").get_attribute(
            "data-copy").startswith("Lee, Kai-Fu. ")
        apa.click()
        page.wait_for_function("e => navigator.clipboard.readText().then(t => t === e)", arg=expected,
                               timeout=5000)
        page.goto(served_flagship.url)
        page.wait_for_load_state("networkidle")
        page.locator("a.refsite-cite__ref[data-key=lee2018]").first.hover()
        card = page.locator("#refsite-card")
        card.wait_for(state="visible", timeout=5000)
        labels = card.locator("button.refsite-copy").all_inner_texts()
        assert labels == ["Copy as Chicago", "Copy as APA", "Copy as MLA"]
        page.evaluate("navigator.clipboard.writeText('')")
        card.locator("button.refsite-copy", has_text="Copy as APA").click()
        page.wait_for_function("e => navigator.clipboard.readText().then(t => t === e)", arg=expected,
                               timeout=5000)
        assert page.js_errors == []
    finally:
        context.close()


def _site_with_style(make_site, style: str, files: dict | None = None, expect=()):
    bib = ("@book{lee2018,\n  author = {Lee, Kai-Fu},\n  title = {AI Superpowers},\n"
           "  publisher = {Houghton Mifflin Harcourt},\n  year = {2018}\n}\n")
    return make_site({"content/index.md": "# Home\n\nAs argued [@lee2018, p. 12].\n",
                      "bibliography/refs.bib": bib, **(files or {})}, {"refsite": {"style": style}}, expect=expect)


def test_style_may_be_a_csl_file_of_the_site(make_site):
    from refsite.csl import StyleCache

    own = Path(StyleCache().resolve("apa")).read_text(encoding="utf-8")     # any .csl file of the author's
    built = _site_with_style(make_site, "styles/house.csl", {"styles/house.csl": own})
    assert [c.get_text() for c in built.article("").select("span.refsite-cite")] == ["(Lee, 2018, p. 12)"]


def test_dependent_style_resolves_to_its_parent(make_site):
    built = _site_with_style(make_site, "accounting-forum")        # a journal that uses APA
    assert [c.get_text() for c in built.article("").select("span.refsite-cite")] == ["(Lee, 2018, p. 12)"]


def test_malformed_csl_file_is_a_path_line_problem_and_the_default_style_is_used(make_site):
    broken = '<?xml version="1.0"?>\n<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0">\n  <info>\n</style>\n'
    built = _site_with_style(make_site, "styles/broken.csl", {"styles/broken.csl": broken},
                             expect=(r"^styles/broken\.csl:4: mismatched tag.*plugins\.refsite\.style",))
    assert [c.get_text() for c in built.article("").select("span.refsite-cite")] == ["(Lee 2018, 12)"]


@pytest.mark.parametrize("style", ["chicago-author-date", "apa", "modern-language-association", "ieee",
                                   "chicago-notes-bibliography"])
def test_cite_this_page_is_a_reference_in_the_style_as_pandoc_formats_it(tmp_path, style):
    """"Cite this page" is the page as a web page reference in the site's style: the same text as
    pandoc --citeproc makes of the page's CSL item with the same .csl file."""
    import json

    from oracle import norm, pandoc

    from refsite import csl, exports
    from refsite.citing import Citing

    meta = {"title": "Decoupling and its limits", "authors": ["{The refsite project}", "Ada Lovelace"],
            "date": "2026-11-29", "url": "https://example.org/summaries/decoupling/",
            "site_name": "China, Big Data and Algorithms", "language": "en-US", "publisher": "refsite"}
    item = exports.page_item(meta, "page")
    ours = Citing(csl.StyleCache().get(style), {}).standalone({"page": item})["page"].text
    data = tmp_path / "page.json"
    data.write_text(json.dumps([item]), encoding="utf-8")
    theirs = pandoc("---\nnocite: '@page'\n---\n", data, "plain", style=style)
    assert norm(re.sub(r"^\[1\]\s*", "", ours)) == norm(re.sub(r"^\[1\]\s*", "", theirs))
