"""Quarto cross-references (issue 16, item 2): ``@fig-…``, ``@tbl-…``, ``@sec-…`` (and ``eq-``,
``lst-``) keys that are not bibliography keys link to the element with that id, on any page, with
Quarto's labels; figures and tables with such ids get Quarto's numbered captions, per page."""
from __future__ import annotations

import posixpath

import pytest

from oracle import norm

BIB = """@book{fes,
  author = {Kuhn, Max and Johnson, Kjell},
  title = {Feature Engineering and Selection},
  publisher = {CRC Press},
  year = {2020}
}
@misc{sec-2020,
  author = {Sec, Ann},
  title = {A Work Whose Key Looks Like a Section},
  year = {2020}
}
"""

DATA = """# Data

See @fig-map, [@tbl-counts], [-@fig-map], [Fig @fig-map; @fig-trend], @Fig-trend,
@sec-methods, [Part @sec-methods], @tbl-before, @eq-growth and @lst-query.

![A map of the places](map.png){#fig-map}

![Trend over time](trend.png){#fig-trend width="50%"}

| Place | Count |
|-------|-------|
| A     | 1     |

: Counts by place {#tbl-counts}

Table: Written before its table {#tbl-before}

| x | y |
|---|---|
| 1 | 2 |

| no | caption |
|----|---------|
| 3  | 4       |

## Methods {#sec-methods}

A word with a definition list after it:

Term
:   Its definition (not a table caption).

<div id="eq-growth">growth = rate × time</div>

<pre id="lst-query"><code>SELECT 1;</code></pre>

<figure id="fig-raw"><img src="map.png" alt="">
<figcaption>A figure in raw HTML</figcaption></figure>

Raw: @fig-raw.

Mixed: [@fig-map; @fes, 12]. A work whose key looks like a reference: @sec-2020.
"""

OTHER = """# Other

Back to @fig-trend, @tbl-counts and @sec-methods; this page's own @fig-local.

![Local figure](map.png){#fig-local}

## Elsewhere

Nothing to see: @fig-nowhere.

## Compared with @fig-local

Bare -@fig-local reads as in Quarto (a dash, then the reference).
"""


@pytest.fixture(scope="module")
def xref_site(tmp_path_factory):
    from conftest import build, write_site

    root = write_site(tmp_path_factory.mktemp("xrefs"), {
        "content/index.md": "# Home\n\nStart with @sec-methods.\n",
        "content/chapters/data.md": DATA,
        "content/chapters/other.md": OTHER,
        "content/chapters/map.png": b"\x89PNG\r\n",
        "content/chapters/trend.png": b"\x89PNG\r\n",
        "bibliography/refs.bib": BIB,
    }, {"nav": ["index.md", "chapters/data.md", "chapters/other.md"]})
    return build(root, strict=False, expect=(
        r"^content/chapters/other\.md:9: unknown cross-reference '@fig-nowhere': no element of the site has "
        r"the id 'fig-nowhere' \(a figure is !\[Caption\]\(file\.png\)\{#fig-x\} or ::: \{#fig-x\}\)$",))


def _refs(article) -> list[tuple[str, str]]:
    return [(norm(a.get_text()), a["href"]) for a in article.select("a.refsite-xref")]


def test_references_read_as_quarto_writes_them(xref_site):
    article = xref_site.article("chapters/data/")
    assert _refs(article)[:10] == [
        ("Figure 1", "#fig-map"), ("Table 1", "#tbl-counts"), ("1", "#fig-map"),
        ("Fig 1", "#fig-map"), ("Figure 2", "#fig-trend"), ("Figure 2", "#fig-trend"),
        ("Methods", "#sec-methods"), ("Part Methods", "#sec-methods"), ("Table 2", "#tbl-before"),
        ("Equation 1", "#eq-growth")]
    first = norm(article.select_one("p").get_text())
    assert first == ("See Figure 1, Table 1, 1, Fig 1, Figure 2, Figure 2, Methods, Part Methods, Table 2, "
                     "Equation 1 and Listing 1.")
    # the name and the number do not break apart
    assert article.select_one("a.refsite-xref").get_text() == "Figure\u00a01"


def test_figures_and_tables_get_numbered_captions(xref_site):
    article = xref_site.article("chapters/data/")
    figures = article.select("figure.refsite-figure")
    assert [(f["id"], norm(f.figcaption.get_text())) for f in figures] == [
        ("fig-map", "Figure 1: A map of the places"), ("fig-trend", "Figure 2: Trend over time")]
    assert figures[1].img["width"] == "50%" and figures[1].img["alt"] == "Trend over time"
    raw = article.select_one("figure#fig-raw")
    assert norm(raw.figcaption.get_text()) == "Figure 3: A figure in raw HTML"
    assert ("Figure 3", "#fig-raw") in _refs(article)
    tables = article.select("table")
    assert [(t.get("id"), norm(t.caption.get_text()) if t.caption else None) for t in tables] == [
        ("tbl-counts", "Table 1: Counts by place"), ("tbl-before", "Table 2: Written before its table"),
        (None, None)]
    assert [norm(dd.get_text()) for dd in article.select("dd")] == ["Its definition (not a table caption)."]
    assert "Counts by place {#" not in article.get_text() and "Table:" not in article.get_text()


def test_references_reach_other_pages(xref_site):
    other = xref_site.article("chapters/other/")
    assert _refs(other) == [("Figure 2", "../data/#fig-trend"), ("Table 1", "../data/#tbl-counts"),
                            ("Methods", "../data/#sec-methods"), ("Figure 1", "#fig-local"),
                            ("Figure 1", "#fig-local"), ("Figure 1", "#fig-local")]
    assert norm(other.select_one("figure figcaption").get_text()) == "Figure 1: Local figure"   # per page
    assert _refs(xref_site.article("")) == [("Methods", "chapters/data/#sec-methods")]
    # every link lands on an element with that id
    for page in ("", "chapters/data/", "chapters/other/"):
        for _label, href in _refs(xref_site.article(page)):
            path, _, fragment = href.partition("#")
            target = posixpath.normpath(posixpath.join(page, path)) if path else page
            target = "" if target == "." else target
            assert xref_site.soup(target).find(id=fragment) is not None, (page, href)


def test_headings_that_refer(xref_site):
    heading = xref_site.article("chapters/other/").select("h2")[-1]
    assert heading["id"] == "compared-with"        # not made from the unresolved reference
    assert norm(heading.get_text()) == "Compared with Figure 1"
    toc = [norm(a.get_text()) for a in xref_site.soup("chapters/other/").select("nav.md-nav--secondary a")]
    assert "Compared with Figure 1" in toc
    last = xref_site.article("chapters/other/").find_all("p", recursive=False)[-1]
    assert norm(last.get_text()) == "Bare -Figure 1 reads as in Quarto (a dash, then the reference)."


def test_unknown_reference_is_marked_as_quarto_marks_it(xref_site):
    other = xref_site.article("chapters/other/")
    missing = other.select_one("strong.refsite-missing.refsite-xref--missing")
    assert missing.get_text() == "?@fig-nowhere"
    assert not any("unknown citation key" in w for w in xref_site.warnings)


def test_works_stay_citations(xref_site):
    article = xref_site.article("chapters/data/")
    mixed = article.select("span.refsite-xref-group")[-1]
    assert norm(mixed.get_text()) == "Figure 1 (Kuhn and Johnson 2020, 12)"
    assert mixed.select_one("span.refsite-cite")["data-cites"] == "fes"
    keys = [span["data-cites"] for span in article.select("span.refsite-cite")]
    assert keys == ["fes", "sec-2020"]
    listed = [div["data-key"] for div in article.select("section.refsite-references .refsite-ref")]
    assert sorted(listed) == ["fes", "sec-2020"]


def test_an_id_used_twice_is_reported(make_site):
    built = make_site({
        "content/index.md": "# A\n\n![One](x.png){#fig-same}\n\nSee @fig-same.\n",
        "content/b.md": "# B\n\nText.\n\n![Two](x.png){#fig-same}\n",
        "content/x.png": b"\x89PNG\r\n",
        "bibliography/refs.bib": BIB,
    }, {"nav": ["index.md", "b.md"]}, expect=(
        r"^content/b\.md:5: cross-reference id 'fig-same' is already used at content/index\.md:3 "
        r"\(references go to the first one\)$",))
    assert [a["href"] for a in built.article("").select("a.refsite-xref")] == ["#fig-same"]


def test_a_table_caption_with_no_table_is_reported(make_site):
    built = make_site({"content/index.md": "# A\n\nText.\n\nTable: Lost caption {#tbl-lost}\n\n"
                                           "Table: a paragraph of prose, as in Pandoc.\n",
                       "bibliography/refs.bib": BIB},
                      expect=(r"^content/index\.md:5: table caption 'Table: …' is not next to a table",))
    lost = built.article("").select_one("p.refsite-missing")
    assert lost.get_text() == "Table: Lost caption"
    assert built.article("").find_all("p", recursive=False)[-1].get_text() == "Table: a paragraph of prose, as in Pandoc."


def test_quarto_equations_with_arithmatex(make_site):
    """``$$ … $$ {#eq-x}`` with pymdownx.arithmatex (generic output, as Material recommends): the
    equation gets the id and Quarto's number at the right, references read "Equation N"."""
    from conftest import BASE_CONFIG

    built = make_site({"content/index.md": "# Eq\n\nBlack-Scholes (@eq-bs) and [-@eq-sum].\n\n"
                                           "$$\nE = mc^2\n$$ {#eq-bs}\n\n$$ a + b $$ {#eq-sum}\n\nPlain $$x$$ math.\n",
                       "bibliography/refs.bib": BIB},
                      {"markdown_extensions": [*BASE_CONFIG["markdown_extensions"],
                                               {"pymdownx.arithmatex": {"generic": True}}]})
    article = built.article("")
    assert _refs(article) == [("Equation 1", "#eq-bs"), ("2", "#eq-sum")]
    equations = article.select("div.arithmatex")
    assert [(e.get("id"), e.get_text().strip()) for e in equations] == [
        ("eq-bs", "\\[\nE = mc^2 \\qquad(1)\\]"), ("eq-sum", "\\[ a + b \\qquad(2)\\]")]
    assert "{#eq" not in article.get_text()


def test_quarto_code_listings(make_site):
    """A code block ``{#lst-x .sql lst-cap="…"}`` (pymdownx.superfences) gets "Listing 1: …" above it."""
    built = make_site({"content/index.md": "# Code\n\nWe query the customers (@lst-customers).\n\n"
                                           '```{#lst-customers .sql lst-cap="Customers Query"}\n'
                                           "SELECT * FROM Customers\n```\n",
                       "bibliography/refs.bib": BIB})
    article = built.article("")
    assert _refs(article) == [("Listing 1", "#lst-customers")]
    code = article.select_one("#lst-customers")
    caption = code.find_previous_sibling("p")
    assert "refsite-caption" in caption["class"] and caption.get_text() == "Listing 1: Customers Query"
    assert "SELECT * FROM Customers" in code.get_text()


def test_fenced_div_figures_and_tables(make_site):
    """Quarto's ``::: {#fig-x}`` and ``::: {#tbl-x}`` divs: the last paragraph is the caption."""
    built = make_site({"content/index.md": "# Divs\n\nSee @fig-panel and @tbl-div.\n\n"
                                           "::: {#fig-panel}\n![](x.png)\n\nTwo panels side by side\n:::\n\n"
                                           "::: {#tbl-div}\n| a | b |\n|---|---|\n| 1 | 2 |\n\nA table in a div\n:::\n",
                       "content/x.png": b"\x89PNG\r\n", "bibliography/refs.bib": BIB})
    article = built.article("")
    assert _refs(article) == [("Figure 1", "#fig-panel"), ("Table 1", "#tbl-div")]
    figure = article.select_one("figure#fig-panel")
    assert figure.img is not None and norm(figure.figcaption.get_text()) == "Figure 1: Two panels side by side"
    table = article.select_one("div#tbl-div > table")
    assert norm(table.caption.get_text()) == "Table 1: A table in a div"
    assert "A table in a div" not in norm(article.select_one("div#tbl-div").get_text()).replace(
        "Table 1: A table in a div", "")


@pytest.mark.browser
def test_readers_follow_a_reference_to_another_page_and_read_an_inline_note(tmp_path, browser):
    """In Chromium, with Material's instant navigation and footnote tooltips: a cross-reference to
    another page lands on its figure; an inline note shows in Material's footnote tooltip."""
    from conftest import build, free_port, serve_dir_on, watch_errors, write_site

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    root = write_site(tmp_path / "site", {
        "content/index.md": "# Home\n\nSee @fig-trend for the trend.^[A note citing @fes.]\n",
        "content/data.md": "# Data\n\n" + "Filler paragraph.\n\n" * 60 + "![Trend over time](trend.png){#fig-trend}\n",
        "content/trend.png": b"\x89PNG\r\n",
        "bibliography/refs.bib": BIB,
    }, {"site_url": url, "nav": ["index.md", "data.md"],
        "theme": {"features": ["navigation.instant", "content.tooltips", "content.footnote.tooltips"]}})
    built = build(root)
    server = serve_dir_on(built.site, port)
    context = browser.new_context()
    page = watch_errors(context.new_page())
    try:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        page.locator("a.footnote-ref").hover()
        tooltip = page.locator(".md-tooltip2--active, .md-tooltip--active").first
        tooltip.wait_for(state="visible", timeout=5000)
        assert "A note citing Kuhn and Johnson (2020)" in " ".join(tooltip.inner_text().split())
        page.locator("a.refsite-xref").click()
        page.wait_for_function("() => location.pathname.endsWith('/data/') && location.hash === '#fig-trend'",
                               timeout=5000)
        figure = page.locator("figure#fig-trend")
        figure.wait_for(state="visible", timeout=5000)
        page.wait_for_function("""() => { const r = document.getElementById('fig-trend').getBoundingClientRect();
                                          return r.top < window.innerHeight && r.bottom > 0; }""", timeout=5000)
        assert figure.locator("figcaption").inner_text() == "Figure 1: Trend over time"
        assert page.js_errors == []
    finally:
        context.close()
        server.shutdown()
        server.server_close()
