"""Authors bring their books (issue 16): README's "Add refsite to your MkDocs site" and "Coming from
Quarto, bookdown or Pandoc" tried as written, on sites of their own (not the flagship's config);
fenced divs judged by pandoc; bookdown and LaTeX leftovers reported once per page and kind; the
front matter Pandoc reads for citations (``nocite``, ``suppress-bibliography``); the defaults."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import ROOT, SCENARIOS, build, write_site

README = (ROOT / "README.md").read_text(encoding="utf-8")

BIB = """\
@book{fes,
  author    = {Kuhn, Max and Johnson, Kjell},
  title     = {Feature Engineering and Selection},
  publisher = {CRC Press},
  year      = {2020}
}

@article{wickham2014,
  author  = {Wickham, Hadley},
  title   = {Tidy Data},
  journal = {Journal of Statistical Software},
  volume  = {59},
  year    = {2014}
}

@book{xie2016,
  author    = {Xie, Yihui},
  title     = {{bookdown}: Authoring Books with {R} Markdown},
  publisher = {{Chapman and Hall/CRC}},
  year      = {2016}
}
"""


def at(path: str, line: int, message: str) -> str:
    """Regex for one warning: exactly ``path:line: `` then the literal ``message``."""
    return "^" + re.escape(f"{path}:{line}: ") + ".*" + re.escape(message)


def readme_section(title: str) -> str:
    start = README.index(f"## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end if end > 0 else None]


def yaml_blocks(section: str) -> list[str]:
    """The ```yaml blocks of a README section, as a reader copies them (list indentation removed)."""
    return [textwrap.dedent(m.group(2)) for m in
            re.finditer(r"(?m)^( *)```yaml\n(.*?)^\1```", section, re.S)]


def html_files(site) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in site.site.rglob("*.html"))


# -- "Add refsite to your MkDocs site", as written ---------------------------------------------------

def _readme_site(root, config_text: str, *, glossary: bool = False):
    files = {"mkdocs.yml": config_text, "references.bib": BIB,
             "docs/index.md": "# My book\n\nTidy data [@wickham2014, 3] and features, as @fes shows.\n"}
    if glossary:
        files["glossary.yml"] = ("- term: Tidy data\n"
                                 "  definition: Data with one variable per column [@wickham2014].\n")
        files["docs/index.md"] += "\nTidy data again, in a new paragraph.\n"
    write_site(root, files)
    return build(root)


def test_readme_add_refsite_builds_as_written(tmp_path):
    blocks = yaml_blocks(readme_section("Add refsite to your MkDocs site"))
    assert len(blocks) == 2, "the section shows a complete mkdocs.yml and the glossary setting"
    config = yaml.safe_load(blocks[0])
    assert config["plugins"][0] == "search" and "refsite" in config["plugins"][1]
    site = _readme_site(tmp_path / "plain", blocks[0])          # no warning at all (strict)
    page = site.soup("")
    cite = page.select_one(".refsite-cite a.refsite-cite__ref")
    assert cite is not None and cite["href"].startswith("bibliography/#ref-")
    assert "(Wickham 2014, 3)" in page.select_one(".refsite-cite").get_text()
    bib = site.soup("bibliography/")
    assert bib.select_one("#ref-fes") and bib.select_one("#ref-wickham2014")
    assert not (site.site / "glossary").exists(), "no glossary unless the site sets one"
    # "Cite this page": the site's own author and name, nothing of the flagship's
    box = page.select_one(".refsite-citebox__text").get_text()
    assert box == "Example, Ada. n.d. “My Book.” My Book. https://example.org/my-book/.", box
    assert 'name="DC.creator" content="Ada Example"' in site.read("")
    assert "refsite project" not in html_files(site)


def test_readme_optional_glossary(tmp_path):
    blocks = yaml_blocks(readme_section("Add refsite to your MkDocs site"))
    config = yaml.safe_load(blocks[0])
    config["plugins"] = yaml.safe_load(blocks[1])["plugins"]
    site = _readme_site(tmp_path / "glossary", yaml.safe_dump(config, sort_keys=False), glossary=True)
    assert (site.site / "glossary" / "tidy-data" / "index.html").exists()
    assert site.soup("").select_one("a.refsite-term")["href"].endswith("glossary/tidy-data/")
    assert not (site.site / "glossary.yml").exists()


@pytest.mark.parametrize("empty", ['glossary: ""', 'copy_styles: ""', 'bibliography: ""',
                                   'incomplete_field: ""', 'references_title: ""'])
def test_empty_setting_switches_it_off(tmp_path, empty):
    config = ("site_name: Empty\nplugins:\n  - search\n  - refsite:\n      " + empty + "\n")
    bib = BIB.replace("year      = {2020}", "year      = {2020},\n  x-verified = {no}")
    write_site(tmp_path, {"mkdocs.yml": config, "bibliography/refs.bib": bib,
                          "docs/index.md": "# Home\n\nText [@fes].\n" if "bibliography" not in empty
                          else "# Home\n\nNo citations.\n"})
    site = build(tmp_path)
    assert not (site.site / "glossary").exists()
    if "copy_styles" in empty:
        assert "Copy as" not in site.read("bibliography/")
    if "bibliography" in empty:
        assert "No works cited yet." in site.read("bibliography/")
    if "incomplete_field" in empty:
        assert "incomplete" not in site.soup("").select_one(".refsite-references").decode()
    if "references_title" in empty:
        page = site.soup("")
        assert page.select_one(".refsite-references .refsite-ref") and not page.select(".refsite-references-title")
    else:
        assert site.soup("").select(".refsite-references-title") or "bibliography" in empty


def test_site_without_settings_or_bibliography_folder(tmp_path):
    """A site that configures nothing has no glossary and may have no bibliography folder; without
    site_author, 'Cite this page' leads with the site's name."""
    write_site(tmp_path, {"mkdocs.yml": "site_name: Bare notes\nplugins:\n  - search\n  - refsite\n",
                          "docs/index.md": "# Notes\n\nNothing cited.\n"})
    site = build(tmp_path)
    assert not (site.site / "glossary").exists()
    assert site.soup("").select_one(".refsite-citebox__text").get_text().startswith("Bare notes. n.d.")


# -- "Coming from Quarto, bookdown or Pandoc": the scenario book --------------------------------------

@pytest.fixture(scope="module")
def book(tmp_path_factory):
    """tests/scenarios/quarto_book built with its own mkdocs.yml, under the test's strict rule."""
    root = tmp_path_factory.mktemp("quarto_book") / "book"
    shutil.copytree(SCENARIOS / "quarto_book", root)
    return build(root)


def test_book_builds_with_mkdocs_build_strict(tmp_path):
    """The command an author runs: ``mkdocs build --strict``, no warning (nor any other message
    above INFO)."""
    root = tmp_path / "book"
    shutil.copytree(SCENARIOS / "quarto_book", root)
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=root,
                            capture_output=True, text=True, timeout=300,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert not [line for line in output.splitlines() if line.strip() and not line.startswith("INFO")], output
    assert (root / "site" / "further-reading" / "index.html").exists()


def _titles(box) -> str:
    head = box.find(["p", "summary"], recursive=False)
    return head.get_text(" ", strip=True)


def test_book_callouts_as_quarto_shows_them(book):
    home = book.article("")
    note, simple = home.select("div.admonition.note.callout-note")
    assert _titles(note) == "Note" and "written with Quarto" in note.get_text()
    assert simple["data-icon"] == "false" and simple["data-appearance"] == "simple"
    tip = home.select_one("div.admonition.tip.callout-tip")
    assert _titles(tip) == "Reading order"
    assert not tip.find("h2"), "the callout's first heading is its title, not a heading of the page"
    assert "Reading order" not in [a.get_text(strip=True) for a in book.soup("").select(".md-nav__link")]
    intro = book.article("intro/")
    warning = intro.select_one("div.admonition.warning.callout-warning")
    assert _titles(warning) == "Data leakage"
    assert "(see Kuhn and Johnson 2020, chap. 3; also Hastie et al. 2009)" in warning.get_text()
    important = intro.select_one("details.danger.callout-important")
    assert important is not None and not important.has_attr("open")
    assert _titles(important) == "Why resampling matters"
    caution = intro.select_one("details.warning.callout-caution")
    assert caution.has_attr("open") and _titles(caution) == "Software versions"
    assert intro.select_one("div.arithmatex"), "math is rendered by arithmatex, not reported"
    assert intro.select_one("pre code").get_text() == "fit <- lm(y ~ x, data = train)\n", "a chunk is code"


def _divs(soup_root) -> list[tuple]:
    return [(d.get("id"), tuple(d.get("class") or ()),
             tuple(sorted((k, v) for k, v in d.attrs.items() if k not in ("id", "class"))))
            for d in soup_root.find_all("div")]


def _pandoc_html(markdown: str) -> BeautifulSoup:
    pandoc = shutil.which("pandoc")
    assert pandoc, "pandoc is needed (README: what the tests need)"
    out = subprocess.run([pandoc, "-f", "markdown", "-t", "html"], input=markdown, capture_output=True,
                         text=True, check=True).stdout
    return BeautifulSoup(out, "html.parser")


def test_book_fenced_divs_as_pandoc_writes_them(book):
    source = (SCENARIOS / "quarto_book" / "docs" / "methods.md").read_text(encoding="utf-8")
    pandoc = _pandoc_html(source)
    ours = book.article("methods/")
    skip = ("highlight", "refsite", "md-", "csl-entry", "footnote")
    mine = [d for d in _divs(ours) if not any(c.startswith(skip) for c in d[1])]
    # Quarto (not Pandoc) makes a figure of a div whose id is a figure's: compared below
    theirs = [d for d in _divs(pandoc) if "sourceCode" not in d[1] and not (d[0] or "").startswith("fig-")]
    assert mine == theirs
    figure = ours.select_one("figure#fig-steps")
    assert figure.select_one("img") and figure.select_one("figcaption").get_text() == "Figure 2: Each step feeds the next."
    rules = ours.select_one("div#tidy-rules.principles")
    assert [li.get_text() for li in rules.select("ol > li")][0] == "each variable is a column;"
    code = ours.select_one("div.highlight").get_text()
    assert "::: {.callout-note}" in code and r"\@ref(fig:x)" in code, "code is shown as typed"
    assert not ours.select(".refsite-foreign")


@pytest.mark.parametrize("markdown", [
    "::: {#a .b .c key=v title=\"T\" lang=fr}\ntext *em*\n:::\n",
    "::: warning\nw\n:::\n",
    ":::: {.outer}\n::: {.inner}\nx\n:::\n::::\n",
    "::: {.a}\none\n\n::: {.b}\ntwo\n:::\n\nthree\n:::\n",
    "::: {.columns}\n::: {.column width=\"40%\"}\na\n:::\n::: {.column width=\"60%\"}\nb\n:::\n:::\n",
    "Para\n\n::: {#x}\n- item\n- item\n:::\n\nAfter\n",
])
def test_fenced_divs_match_pandoc(tmp_path, markdown):
    write_site(tmp_path, {"content/index.md": markdown})
    site = build(tmp_path)
    ours = site.article("")
    pandoc = _pandoc_html(markdown)
    mine = [d for d in _divs(ours) if not any(c.startswith(("refsite", "md-")) for c in d[1])]
    assert mine == _divs(pandoc)
    for box in ours.select(".refsite-citebox"):
        box.decompose()
    assert ([p.get_text(" ", strip=True) for p in ours.find_all(["p", "li"])]
            == [p.get_text(" ", strip=True) for p in pandoc.find_all(["p", "li"])])


def test_book_cross_references_and_inline_notes(book):
    intro = book.article("intro/")
    refs = [(a.get_text(), a["href"]) for a in intro.select("a.refsite-xref")]
    assert refs == [("Figure\u00a01", "../methods/#fig-workflow"), ("Table\u00a01", "../methods/#tbl-data"),
                    ("Methods", "../methods/#sec-methods")]
    notes = intro.select(".footnote li")
    assert [n["id"] for n in notes][0] == "fn:explain", "numbered in reading order with [^id] notes"
    assert [a.get_text() for a in intro.select("a.footnote-ref")] == ["1", "2"]
    assert "As Kuhn and Johnson (2020, chap. 1) put it" in " ".join(notes[1].get_text().split())
    methods = book.article("methods/")
    assert [(a.get_text(), a["href"]) for a in methods.select("a.refsite-xref")] == [
        ("2", "#fig-steps"), ("Fig.\u00a01", "#fig-workflow"), ("Introduction", "../intro/#sec-intro")]
    assert methods.select_one("figure#fig-workflow figcaption").get_text() == "Figure 1: From data to a model"
    assert methods.select_one("table#tbl-data caption").get_text() == "Table 1: The data sets of this book"
    assert methods.select_one(".footnote li").get_text(" ", strip=True).startswith("With examples in R.")


def test_book_nocite_and_suppress_bibliography(book):
    further = book.article("further-reading/")
    listed = [e["data-key"] for e in further.select(".refsite-references .refsite-ref")]
    assert listed == ["hastie2009", "james2013", "xie2016"]            # the style's order
    assert not further.select(".refsite-cite"), "listed without being cited"
    bib_file = (book.site / "references-further-reading.bib").read_text(encoding="utf-8")
    assert all(f"{{{k}," in bib_file for k in listed)
    summary = book.article("summary/")
    assert summary.select(".refsite-cite") and not summary.select(".refsite-references")
    assert not summary.select(".refsite-references-title")
    bib = book.soup("bibliography/")
    tukey = bib.select_one('.refsite-entry[data-key="tukey1962"]')
    assert tukey is not None, "a work cited only on a page without its list stays in the bibliography"
    xie = bib.select_one('.refsite-entry[data-key="xie2016"] .refsite-backlinks')
    link = xie.select_one("a")
    assert link["href"] == "../further-reading/" and "listed without a citation" in xie.get_text()


def test_book_has_no_foreign_markers(book):
    for page in ("", "intro/", "methods/", "summary/", "further-reading/"):
        assert not book.article(page).select(".refsite-foreign"), page


# -- The README's table of warnings, each row tried ---------------------------------------------------

def _warning_rows() -> list[tuple[str, str]]:
    section = readme_section("Coming from Quarto, bookdown or Pandoc")
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            wrote = re.match(r"`([^`]+)`", cells[0]).group(1)
            says = re.match(r"`([^`]+)`", cells[1]).group(1)
            rows.append((wrote, says))
    return rows


def test_readme_warning_table_is_what_the_build_says(make_site):
    rows = _warning_rows()
    assert len(rows) >= 7
    files, expect = {}, []
    for i, (wrote, says) in enumerate(rows):
        name = f"content/p{i}.md"
        if wrote.startswith("nocite:"):
            files[name] = f"---\n{wrote}\n---\n\n# Page {i}\n\nText.\n"
            line = 2
        elif wrote.startswith(":::"):
            files[name] = f"# Page {i}\n\n{wrote}\ninside\n"
            line = 3
        else:
            files[name] = f"# Page {i}\n\nSome prose, {wrote}, and more.\n"
            line = 3
        expect.append(at(name, line, says))
    site = make_site(files, expect=tuple(expect))
    assert len(site.warnings) == len(rows), site.warnings
    marker = site.article("p0/").select_one(".refsite-foreign")
    assert marker.get_text() == r"\@ref(fig:map)" and "@fig-map" in marker["title"]


def test_foreign_syntax_once_per_page_and_kind_never_in_code_or_math(make_site):
    page = textwrap.dedent(r"""
        # Chapter

        See \@ref(fig:a) and \@ref(tab:b).\index{one} More\index{two} text with \emph{stress}
        and \newpage here.

        Code `\index{code} \@ref(fig:c)` stays, and so does:

        ```latex
        \index{block} \textbf{block} (ref:block)
        ```

        Math $\frac{1}{2} \cdot \alpha$ and

        $$
        \sum_{i} \mathrm{x}_i
        $$

        Escaped \\index{not-latex} and a path C:\Users\me are text.
        """)
    config = {"markdown_extensions": ["toc", "admonition", "attr_list", "md_in_html", "footnotes",
                                      "pymdownx.superfences", {"pymdownx.arithmatex": {"generic": True}}]}
    site = make_site({"content/index.md": page}, config, expect=(
        at("content/index.md", 3, r"\@ref(fig:a) is a bookdown cross-reference, shown as typed (2 on this page); write @fig-a"),
        at("content/index.md", 3, r"\index{one} is a LaTeX index entry, shown as typed (2 on this page)"),
        at("content/index.md", 3, r"LaTeX \emph{stress} is shown as typed (2 on this page)"),
    ))
    assert len(site.warnings) == 3
    latex = next(w for w in site.warnings if "LaTeX \\emph" in w)
    assert r"\emph -> *stress*" in latex and r"\newpage -> nothing" in latex
    article = site.article("")
    assert [m.get_text() for m in article.select(".refsite-foreign")] == [
        r"\@ref(fig:a)", r"\@ref(tab:b)", r"\index{one}", r"\index{two}", r"\emph{stress}", r"\newpage"]
    assert "@tbl-b" in article.select(".refsite-foreign")[1]["title"]
    assert r"\frac{1}{2}" in article.select_one(".arithmatex").get_text()
    assert r"\index{block}" in article.select_one("pre").get_text()


def test_fenced_div_problems_at_their_lines(make_site):
    page = "# T\n\n::: {.a}\nclosed\n:::\n\n:::\nstray\n\n::: {.callout-tip collapse=maybe}\nx\n:::\n\n::: {.b}\nnever closed\n"
    site = make_site({"content/index.md": page}, expect=(
        at("content/index.md", 7, "closing fence ':::' without an opening fenced div"),
        at("content/index.md", 10, "callout collapse=\"maybe\": collapse is 'true' or 'false'"),
        at("content/index.md", 14, "fenced div '::: {.b}' is never closed"),
    ))
    assert len(site.warnings) == 3
    article = site.article("")
    assert article.select_one("p.refsite-foreign").get_text() == ":::"
    assert article.select_one("div.b").get_text(strip=True) == "never closed"


def test_conditional_content_as_quarto_html(make_site):
    page = ("# T\n\n::: {.content-visible when-format=\"html\"}\nweb\n:::\n\n"
            "::: {.content-visible when-format=\"pdf\"}\nprint\n:::\n\n"
            "::: {.content-hidden unless-format=\"html\"}\nalso web\n:::\n\n"
            "::: {.content-hidden}\nnever\n:::\n\n"
            "::: {.content-visible when-profile=\"advanced\"}\nprofile\n:::\n")
    site = make_site({"content/index.md": page}, expect=(
        at("content/index.md", 19, 'when-profile="advanced": MkDocs has no Quarto profiles or metadata'),))
    texts = [d.get_text(strip=True) for d in site.article("").select("div.content-visible, div.content-hidden")]
    assert texts == ["web", "also web", "profile"]


def test_callout_collapse_needs_details(make_site):
    config = {"markdown_extensions": ["toc", "admonition", "attr_list"]}
    site = make_site({"content/index.md": "# T\n\n::: {.callout-note collapse=\"true\"}\nx\n:::\n"}, config,
                     expect=(at("content/index.md", 3, "a collapsible callout needs pymdownx.details"),))
    assert _titles(site.article("").select_one("div.admonition.note")) == "Note"


# -- front matter ----------------------------------------------------------------------------------

NOCITE_BIB = {"bibliography/refs.bib": BIB}


@pytest.mark.parametrize("front, listed", [
    ('nocite: "@xie2016, @fes"', ["fes", "xie2016"]),
    ("nocite:\n  - \"@xie2016\"\n  - \"@fes\"", ["fes", "xie2016"]),
    ("nocite: |\n  @xie2016", ["xie2016"]),
    ('nocite: "@*"', ["fes", "wickham2014", "xie2016"]),
])
def test_nocite_forms(make_site, front, listed):
    site = make_site({**NOCITE_BIB, "content/index.md": f"---\n{front}\n---\n\n# Home\n\nText.\n"})
    keys = [e["data-key"] for e in site.article("").select(".refsite-references .refsite-ref")]
    assert keys == listed
    shown = {e["data-key"] for e in site.soup("bibliography/").select(".refsite-entry[data-key]")}
    assert sorted(shown) == listed


def test_nocite_in_a_numeric_style_numbers_after_the_cited(make_site):
    site = make_site({**NOCITE_BIB,
                      "content/index.md": "# Home\n\nCited [@wickham2014].\n",
                      "content/more.md": '---\nnocite: "@xie2016"\n---\n\n# More\n\nMore [@fes].\n'},
                     {"refsite": {"style": "ieee"}, "nav": ["index.md", "more.md", "bibliography.md"]})
    assert site.article("").select_one(".refsite-cite").get_text() == "[1]"
    more = site.article("more/")
    assert more.select_one(".refsite-cite").get_text() == "[2]"
    entries = {e["data-key"]: e.get_text(" ", strip=True) for e in more.select(".refsite-references .refsite-ref")}
    assert entries["fes"].startswith("[2]") and entries["xie2016"].startswith("[3]")


def test_front_matter_problems(make_site):
    page = ("---\ntitle: Home\nnocite: \"@nobody, @fes\"\nsuppress-bibliography: yes please\n"
            "bibliography: other.bib\n---\n\n# Home\n\nText [@wickham2014].\n")
    site = make_site({**NOCITE_BIB, "content/index.md": page}, expect=(
        at("content/index.md", 3, "unknown citation key 'nobody' (nocite)"),
        at("content/index.md", 4, "suppress-bibliography: expected true or false, got 'yes please'"),
        at("content/index.md", 5, "front matter 'bibliography' is not read per page"),
    ))
    assert len(site.warnings) == 3
    keys = [e["data-key"] for e in site.article("").select(".refsite-references .refsite-ref")]
    assert keys == ["fes", "wickham2014"]


# -- in the browser ----------------------------------------------------------------------------------

def _style(page, selector: str, prop: str) -> str:
    return page.eval_on_selector(selector, f"e => getComputedStyle(e).getPropertyValue('{prop}')")


@pytest.mark.browser
def test_book_callouts_in_chromium(book, serve, page):
    """Material draws the callouts in Quarto's colours (note blue, warning and caution orange,
    important red); a collapsed callout opens on a click; the page loads without script errors."""
    served = serve(book.site)
    page.goto(served.url + "intro/")
    page.wait_for_load_state("load")
    assert _style(page, ".callout-warning", "border-left-color") == "rgb(255, 145, 0)"     # #ff9100
    assert _style(page, ".callout-important", "border-left-color") == "rgb(255, 23, 68)"   # #ff1744
    assert _style(page, ".callout-caution", "border-left-color") == "rgb(255, 145, 0)"
    body = page.locator(".callout-important p")
    assert not body.is_visible()
    page.click(".callout-important > summary")
    body.wait_for(state="visible", timeout=3000)
    assert page.locator(".callout-caution p").is_visible()            # collapse="false": open
    page.goto(served.url)
    page.wait_for_load_state("load")
    assert _style(page, ".callout-note", "border-left-color") == "rgb(68, 138, 255)"      # #448aff
    assert page.locator(".callout-tip .admonition-title").inner_text() == "Reading order"
    assert not page.js_errors, page.js_errors


@pytest.mark.browser
def test_foreign_syntax_marker_in_chromium(make_site, serve, page):
    site = make_site({"content/index.md": "# T\n\nSee \\@ref(fig:map) here.\n"},
                     expect=(at("content/index.md", 3, r"\@ref(fig:map) is a bookdown cross-reference"),))
    served = serve(site.site)
    page.goto(served.url)
    page.wait_for_load_state("load")
    marker = ".refsite-foreign"
    assert page.locator(marker).inner_text() == r"\@ref(fig:map)"
    assert _style(page, marker, "text-decoration-style") == "wavy"
    assert "@fig-map" in page.locator(marker).get_attribute("title")
