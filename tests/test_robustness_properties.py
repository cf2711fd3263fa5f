"""Property tests (Hypothesis): random Markdown through a real Python-Markdown conversion with
refsite's extension, configured exactly as a build configures it (Site.configure, start_page).

* Any mix of words, ``@``, brackets, semicolons, braces, backticks, emphasis, newlines, known and
  unknown keys and glossary terms converts without raising, and the HTML parses with no internal
  placeholder (STX/ETX, the formatter's private-use tokens) left in it.
* Glossary: unwrapping the term links gives back exactly the page rendered with term linking off.
* Citations: replacing each rendered citation by a marker gives the same text as plain Markdown of
  the source with each citation's source replaced by the same marker.
"""
from __future__ import annotations

import re

import markdown
import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings, strategies as st

BIB = """\
@book{good2001,
  author = {Good, Anna},
  title = {A Sound Book},
  publisher = {Press},
  year = {2001}
}
@article{lee2018,
  author = {Lee, Min-jun},
  title = {Digital Governance},
  journal = {Journal},
  year = {2018},
  pages = {1--20}
}
@misc{corp.2020,
  author = {{Corporate Body}},
  title = {Report},
  year = {2020}
}
"""

GLOSSARY = """\
- term: Data localization
  definition: Keeping data inside national borders [@good2001].
  aliases: [data localisation]
- term: Cloud
  definition: Remote computing.
- term: Big data
  definition: Very large data sets.
- term: IT
  definition: Information technology.
"""

BASE_EXTENSIONS = ["toc", "admonition", "attr_list", "md_in_html", "footnotes", "tables", "def_list",
                   "pymdownx.superfences"]
LEAKS = re.compile("[\x02\x03\ue000-\uf8ff]")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from refsite.config import parse_settings
    from refsite.site import Site

    root = tmp_path_factory.mktemp("props")
    (root / "content").mkdir()
    (root / "refs.bib").write_text(BIB, encoding="utf-8")
    (root / "glossary.yml").write_text(GLOSSARY, encoding="utf-8")
    (root / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    instance = Site()
    instance.configure(parse_settings({"bibliography": ["refs.bib"], "glossary": "glossary.yml"}),
                       config_dir=str(root), docs_dir=str(root / "content"), config_path="mkdocs.yml",
                       site={"site_name": "x", "site_url": "", "authors": [], "date": "",
                             "publisher": "", "language": "en"})
    assert not [p for p in instance.diagnostics.take()], "the fixture's own inputs must be clean"
    return instance


def render(site, text: str, *, terms: bool = True, extensions=BASE_EXTENSIONS) -> str:
    """The page as ``on_env`` leaves it: rendered, then finished with the site-wide pass."""
    from refsite.site import PageInfo

    site.written.clear()
    site.page_citations.clear()
    site.registry.reset_page("page.md")
    site.start_page("page.md", "content/page.md", text, 0, {} if terms else {"refsite_terms": False})
    md = markdown.Markdown(extensions=[*extensions, site.extension])
    html = md.convert(text)
    info = PageInfo("page.md", "page/", "Page", html, {})
    site.finalize([info], ["page.md"])
    html = site.final_content(info)
    site.diagnostics.take()
    return html


# -- strategies ------------------------------------------------------------------------------------

TOKENS = ["data", "localization", "Data localization", "data localisations", "cloud", "Clouds", "big data",
          "IT", "it", "the", "word", "p. 3", "pp. 1-2", "chap. 4", "see", "also", "e-mail a@b.org",
          "@", "[", "]", ";", "-", "{", "}", "`", "*", "**", "_", "\n", "\n\n", " ", ",", ".", "\\@", "#",
          "@good2001", "@lee2018", "@nokey", "-@good2001", "@{corp.2020}", "@{", "[@good2001]",
          "[-@lee2018, p. 4]", "[see @good2001; @lee2018]", "[@nokey]", "@good2001 [p. 2]", "[^1]",
          "[^1]: note @lee2018\n", "> ", "- ", "1. ", "| a | b |\n|---|---|\n| @good2001 | x |\n",
          "<span class=\"refsite-noterm\">cloud</span>", "<b>", "</b>", "&", "<", "{.refsite-noterm}"]
SOUP = st.lists(st.sampled_from(TOKENS) | st.text(alphabet="ab @[];-{}`*\n", max_size=6),
                max_size=40).map("".join)

FAST = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@FAST
@given(SOUP)
def test_random_markdown_never_raises_and_parses(site, text):
    html = render(site, text)
    soup = BeautifulSoup(html, "html.parser")
    assert not LEAKS.search(html), repr(html)
    for cite in soup.select("span.refsite-cite"):
        assert cite.select("a.refsite-cite__ref[data-key], strong.refsite-missing[data-key]"), str(cite)
    # Unknown keys are marked, never linked.
    for a in soup.select("a.refsite-cite__ref"):
        assert a["data-key"] in site.bibliography.entries


TERM_TEXT = st.lists(st.sampled_from(
    ["Data localization", "data localisation", "data", "localization", "cloud", "Clouds", "cloud-based",
     "big data", "IT", "it", "word", "the", " ", " ", "\n", "\n\n", "*", "`", "-", ",", ".", "[@good2001]",
     "@lee2018", "# heading cloud\n", "[cloud](https://example.org)", "`cloud`"]), max_size=40).map("".join)


def _canonical(node):
    """Tree as nested tuples, adjacent text merged and whitespace runs collapsed (bs4's html.parser
    collapses whitespace-only strings between tags, so raw strings are not comparable)."""
    from bs4 import NavigableString, Tag

    out, text = [], ""
    for child in node.children:
        if isinstance(child, Tag):
            if text:
                out.append(" ".join(text.split()) or " ")
                text = ""
            out.append((child.name, tuple(sorted((k, str(v)) for k, v in child.attrs.items())),
                        _canonical(child)))
        elif isinstance(child, NavigableString):
            text += str(child)
    if text:
        out.append(" ".join(text.split()) or " ")
    return tuple(out)


def _without_terms(html: str):
    soup = BeautifulSoup(html, "html.parser")
    for a in soup.select("a.refsite-term, span.refsite-term"):
        a.unwrap()
    for cite in soup.select("span.refsite-cite[id]"):
        del cite["id"]                      # numbering counts term links too
    return _canonical(soup)


@FAST
@given(TERM_TEXT)
def test_unwrapping_term_links_gives_the_page_without_glossary(site, text):
    linked = render(site, text, terms=True)
    plain = render(site, text, terms=False)
    assert "refsite-term" not in plain
    assert _without_terms(linked) == _without_terms(plain)


CITATIONS = ["[@good2001]", "[@lee2018, p. 12]", "[see @good2001, pp. 33-35; also @lee2018, chap. 1]",
             "@good2001", "@lee2018 [p. 12]", "[-@lee2018]", "@{corp.2020}", "[@nokey]", "@nokey"]
SAFE_TEXT = st.text(alphabet="abc xyz;-*{}.,\n", max_size=15)
MARK = "QQCITEQQ"


@FAST
@given(st.lists(st.tuples(SAFE_TEXT, st.sampled_from(CITATIONS)), max_size=8), SAFE_TEXT)
def test_text_outside_citations_is_unchanged(site, parts, tail):
    source = "".join(f"{text} {cite} " for text, cite in parts) + tail
    # Each citation stands for one inline element, so the expected page replaces it with one too (a
    # code span): Python-Markdown 3.11 itself leaks an inline element's placeholder ("klzzwxh:0000")
    # for some unbalanced '*' runs, e.g. "**; x *; y ;**; `code` *;;*", and a citation must behave
    # exactly like any other inline element there.
    marked = "".join(f"{text} `{MARK}` " for text, _ in parts) + tail
    ours = BeautifulSoup(render(site, source, terms=False, extensions=["footnotes", "tables"]), "html.parser")
    # what refsite adds: the reference list and the words search also finds a section by (hidden)
    for extra in ours.select("h2.refsite-references-title, section.refsite-references, [hidden]"):
        extra.decompose()
    for cite in ours.select("span.refsite-cite"):
        cite.replace_with(MARK)
    expected = BeautifulSoup(markdown.markdown(marked, extensions=["footnotes", "tables"]), "html.parser")
    for code in expected.find_all("code", string=MARK):
        code.replace_with(MARK)
    # Compared with whitespace runs collapsed: bs4's html.parser collapses whitespace-only strings
    # between two tags (as between two adjacent citations), which Markdown's text nodes keep.
    assert " ".join(ours.get_text().split()) == " ".join(expected.get_text().split())
    assert len(ours.get_text().split(MARK)) == len(parts) + 1 or MARK in tail




def test_emphasis_around_citations_like_any_inline_element(site):
    """Found by the property above: with unbalanced '*' runs Python-Markdown 3.11 leaks an inline
    placeholder into the page, for a code span as for a citation (upstream behaviour, not ours): the
    citation must come out exactly where a code span would."""
    source = "**; [@good2001] *; [@good2001] ;**; [@good2001] *;;*"
    html = render(site, source, terms=False, extensions=["footnotes", "tables"])
    plain = markdown.markdown(source.replace("[@good2001]", "`c`"), extensions=["footnotes", "tables"])
    assert "klzzwxh:0002" in plain                      # the upstream leak this test documents
    ours = BeautifulSoup(html, "html.parser")
    # what refsite adds: the reference list and the words search also finds a section by (hidden)
    for extra in ours.select("h2.refsite-references-title, section.refsite-references, [hidden]"):
        extra.decompose()
    for cite in ours.select("span.refsite-cite"):
        cite.replace_with("c")
    expected = BeautifulSoup(plain, "html.parser")
    for code in expected.find_all("code"):
        code.replace_with("c")
    assert str(ours).strip() == str(expected).strip()
