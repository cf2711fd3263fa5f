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
    """A note style makes each citation of the text a footnote of the page (the footnotes
    extension's), numbered with the author's own notes in reading order, as Pandoc does."""
    built = _flagship(tmp_path, "chicago-notes-bibliography")
    article = built.article("summaries/decoupling/")
    refs = article.select("span.refsite-cite > sup > a.footnote-ref")
    items = {li["id"]: li for li in article.select("div.footnote > ol > li")}
    assert len(refs) > 3
    assert all(a["href"][1:] in items for a in refs)
    # every note of the page is in one list, numbered 1, 2, 3… in reading order
    numbers = [a.get_text() for a in article.select("a.footnote-ref")]
    assert numbers == [str(n) for n in range(1, len(items) + 1)]
    assert not article.select(".refsite-notes, sup.refsite-note-ref")
    # the citation's element keeps its id in the passage (the bibliography's backlinks land there)
    assert all(a.find_parent("span", class_="refsite-cite")["id"].startswith("cite-") for a in refs)
    texts = [items[a["href"][1:]].select_one("span.refsite-cite-note").get_text() for a in refs]
    # a first note is the full form; a later one for the same work is the short form
    first = next(t for t in texts if t.startswith("Lizhi Liu, “The Rise of Data Politics"))
    later = [t for t in texts if t.startswith("Liu, “The Rise of Data Politics,”")]
    assert "Studies in Comparative" in first and later
    # numbering starts again on every page
    other = built.article("").select("a.footnote-ref")
    assert other and other[0].get_text() == "1"
    label = built.soup("bibliography/").select_one("div.refsite-entry h3").get_text()
    assert len(label) < 80        # the short form, not the full note


_MIXED = """\
# Mixed

Text cites [@lee2018, 12] here.[^a] Then @doe1999 says so. Inline^[An inline note citing [@lee2018, 14].]
again [@lee2018, 15].

More [@doe1999] and[^b] end; as @doe2000 [4] shows.[^c]

[^a]: A note citing [@doe2000, 3] and @lee2018.
[^b]: Plain note, then [@smith2004a].
[^c]: [@lee2018, 15]. See also [@doe1999, 40; @smith2004a].
"""


def _pandoc_notes(markdown: str, bib: Path, style: str) -> tuple[str, list[str]]:
    """pandoc --citeproc's text of the page (each note as [n]) and the text of each note."""
    import json

    from oracle import norm, pandoc, stringify

    doc = json.loads(pandoc(markdown, bib, "json", style=style))
    notes: list[str] = []

    def text(node) -> str:
        if isinstance(node, list):
            return "".join(text(n) for n in node)
        if isinstance(node, dict) and node.get("t") == "Note":
            notes.append("")
            index = len(notes) - 1
            notes[index] = norm(" ".join(text(block) for block in node["c"]))
            return f"[{index + 1}]"
        if isinstance(node, dict) and node.get("t") in ("Para", "Plain", "Emph", "Strong", "Span",
                                                        "Cite", "Quoted", "Link"):
            content = node["c"]
            inner = content[-1] if node["t"] in ("Span", "Cite", "Link") else content
            if node["t"] == "Link":
                inner = content[1]
            if node["t"] == "Quoted":
                quote = "“”" if content[0]["t"] == "DoubleQuote" else "‘’"
                return quote[0] + text(content[1]) + quote[1]
            return text(inner)
        return stringify(node)

    body = [norm(text(block)) for block in doc["blocks"] if block.get("t") == "Para"]
    return " ".join(body), notes


def test_note_style_numbers_citations_with_the_authors_notes_as_pandoc_does(make_site):
    """A page mixing ``[^id]`` notes, inline notes and citations in and out of notes, in a note
    style: the same notes, in the same order, with the same text as pandoc --citeproc's."""
    from oracle import norm

    data = Path(__file__).resolve().parent / "data" / "oracle" / "works.bib"
    style = "chicago-notes-bibliography"
    built = make_site({"content/index.md": _MIXED, "bibliography/works.bib": data.read_text(encoding="utf-8")},
                      {"refsite": {"style": style}})
    article = built.article("")
    for back in article.select("a.footnote-backref"):
        back.decompose()
    for ref in article.select("sup > a.footnote-ref"):
        ref.parent.replace_with(f"[{ref.get_text()}]")
    ours_notes = [norm(li.get_text()) for li in article.select("div.footnote > ol > li")]
    ours_text = " ".join(norm(p.get_text()) for p in article.select("p")
                         if not p.find_parent(class_="footnote") and not p.find_parent("details")
                         and not p.find_parent(class_="refsite-references"))
    text, notes = _pandoc_notes(_MIXED, data, style)
    assert ours_text == text
    assert ours_notes == notes
    assert len(notes) == 9
    # the bibliography's backlinks land on the citations: in the passage, or in the author's note
    page = built.article("")
    backlinks = {a["href"].split("#")[1] for a in built.soup("bibliography/").select("a[href*='#cite-']")}
    assert len(backlinks) == len(page.select("span.refsite-cite[id^=cite-]")) == 11
    in_text = [i for i in backlinks if not page.find(id=i).find_parent(class_="footnote")]
    assert len(in_text) == 5 and all(page.find(id=i).select_one("sup > a.footnote-ref") for i in in_text)


def test_note_style_without_the_footnotes_extension_lists_the_notes_apart(make_site):
    from conftest import BASE_CONFIG

    extensions = [e for e in BASE_CONFIG["markdown_extensions"] if e != "footnotes"]
    built = _site_with_style(make_site, "chicago-notes-bibliography")
    assert built.article("").select("div.footnote li") and not built.article("").select(".refsite-notes")
    built = make_site({"content/index.md": "# Home\n\nAs argued [@lee2018, p. 12] here.\n",
                       "bibliography/refs.bib": "@book{lee2018, author = {Lee, Kai-Fu}, title = {AI Superpowers},"
                                                " year = {2018}}\n"},
                      {"refsite": {"style": "chicago-notes-bibliography"}, "markdown_extensions": extensions})
    article = built.article("")
    assert [li.get_text().strip() for li in article.select(".refsite-notes li")] == \
        ["Kai-Fu Lee, AI Superpowers (2018), 12. \u21a9"]
    assert article.select_one("span.refsite-cite sup.refsite-note-ref a")["href"] == "#refsite-note-1"


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
