"""Unit tests of the CSL package's public API: style loading, processor, warnings."""
from __future__ import annotations

import pytest

from hooks.refsite.csl import (Citation, CiteItem, Processor, StyleCache, StyleNotFound,
                               StyleSyntaxError, load_style, style_from_string)

ITEMS = {
    "doe99": {"type": "book", "title": "The title", "publisher": "Press",
              "author": [{"family": "Doe", "given": "John"}], "issued": {"date-parts": [[1999]]}},
    "doe99b": {"type": "book", "title": "Another title", "publisher": "Press",
               "author": [{"family": "Doe", "given": "John"}], "issued": {"date-parts": [[1999]]}},
    "roe04": {"type": "article-journal", "title": "An article", "container-title": "Journal",
              "author": [{"family": "Roe", "given": "Jane"}], "issued": {"date-parts": [[2004, 3]]},
              "page": "33-35", "volume": "4"},
}


def test_official_style_by_name():
    style = load_style("chicago-author-date")
    assert style.cls == "in-text" and not style.is_numeric
    assert load_style("ieee").is_numeric
    assert load_style("chicago-notes-bibliography").is_note


def test_dependent_style_keeps_its_locale():
    style = load_style("abi-technik")
    assert style.default_locale == "de-DE"
    assert style.citation.layout is not None


def test_unknown_style_suggests_names():
    with pytest.raises(StyleNotFound) as err:
        load_style("chicago-autor-date")
    assert "chicago-author-date" in err.value.suggestions


def test_malformed_style_reports_path_and_line(tmp_path):
    bad = tmp_path / "bad.csl"
    bad.write_text("<style>\n<citation>\n</style>\n", encoding="utf-8")
    with pytest.raises(StyleSyntaxError) as err:
        load_style(str(bad))
    assert str(err.value).startswith(f"{bad}:3")


def test_cache_reuses_compiled_style(tmp_path):
    cache = StyleCache()
    assert cache.get("apa") is cache.get("apa")


def test_citations_and_bibliography_across_the_site():
    proc = Processor(load_style("chicago-author-date"), ITEMS)
    out = proc.process_citations([
        Citation([CiteItem("doe99", locator="12", label="page")]),
        Citation([CiteItem("roe04", prefix="see "), CiteItem("doe99b")]),
        Citation([CiteItem("doe99", suppress_author=True)]),
    ])
    # year suffixes follow the bibliography order (Another title < The title)
    assert out[0].text == "(Doe 1999b, 12)"
    assert out[1].text == "(see Roe 2004; Doe 1999a)"
    assert out[2].text == "(1999b)"
    entries = proc.bibliography()
    assert [i for i, _ in entries] == ["doe99b", "doe99", "roe04"]
    assert entries[0][1].html.startswith("Doe, John. 1999a. <i>Another Title</i>")
    assert [i for i, _ in proc.bibliography(ids=["roe04"])] == ["roe04"]


def test_numeric_style_numbers_in_citation_order():
    proc = Processor(load_style("ieee"), ITEMS)
    out = proc.process_citations([Citation([CiteItem("roe04")]), Citation([CiteItem("doe99")])])
    assert [r.text for r in out] == ["[1]", "[2]"]
    assert proc.bibliography()[0][1].text.startswith("[1] J. Roe")


def test_bad_input_is_a_warning_not_an_exception():
    items = dict(ITEMS, odd={"type": "book", "title": "Odd", "issued": {"date-parts": "soon"}})
    proc = Processor(load_style("apa"), items)
    out = proc.process_citations([Citation([CiteItem("odd", locator="3", label="bogus"),
                                            CiteItem("missing")])])
    assert out[0].text == "(Odd, n.d., 3)"
    assert any("invalid date" in w for w in proc.warnings)
    assert any("bogus" in w for w in proc.warnings)
    assert any("missing" in w for w in proc.warnings)


def test_rich_text_in_fields():
    style = style_from_string(
        '<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" class="in-text">'
        '<citation><layout><text variable="title" text-case="title"/></layout></citation></style>')
    proc = Processor(style, {"a": {"type": "book",
                                   "title": 'a <i>case</i> of <span class="nocase">iPod</span> use'}})
    out = proc.process_citations([Citation([CiteItem("a")])])
    assert out[0].html == "A <i>Case</i> of iPod Use"
    assert out[0].text == "A Case of iPod Use"


def test_values_of_the_wrong_shape_never_crash():
    odd = [None, "", 0, -3, 3.5, True, [], {}, [1, 2], {"a": 1}, "<i>unclosed", "a & b < c", "'quote",
           {"date-parts": [[2020, 13, 40]]}, {"date-parts": "soon"}, {"raw": "2020/2021"},
           [{"family": None}], [{"literal": 5}], ["Plain string"], [{"given": "Only"}]]
    keys = ["title", "author", "editor", "issued", "page", "volume", "type", "language", "note"]
    items = {f"i{n}": {k: odd[(n * 7 + j * 3) % len(odd)] for j, k in enumerate(keys)}
             for n in range(len(odd))}
    for name in ("apa", "chicago-notes-bibliography", "ieee"):
        proc = Processor(load_style(name), items)
        out = proc.process_citations([Citation([CiteItem(i, locator="x-y", prefix="'")], note_index=1)
                                      for i in items])
        assert len(out) == len(items)
        assert len(proc.bibliography()) <= len(items)
        assert proc.warnings


def test_processing_twice_gives_the_same_output():
    proc = Processor(load_style("apa"), ITEMS)
    cites = [Citation([CiteItem("doe99")]), Citation([CiteItem("doe99b"), CiteItem("roe04")])]
    first = proc.process_citations(cites), proc.bibliography()
    assert (proc.process_citations(cites), proc.bibliography()) == first
