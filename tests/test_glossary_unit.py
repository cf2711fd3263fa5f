"""Unit tests for refsite.glossary: loading (problems with exact lines), matching, tree linking."""
from __future__ import annotations

import textwrap
from xml.etree import ElementTree as etree

import markdown
import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refsite.diagnostics import Problem
from refsite.glossary import (
    Glossary,
    GlossaryLinker,
    Term,
    build_matcher,
    link_terms,
    load_glossary,
    plain_text,
    register_linker,
    slugify,
)

# ----------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------


def load(tmp_path, text: str | bytes, name="glossary.yml"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return load_glossary(str(path), f"content/{name}")


def make_glossary(*specs) -> Glossary:
    """specs: "Term" or ("Term", ["alias", ...])."""
    terms = []
    for spec in specs:
        name, aliases = (spec, ()) if isinstance(spec, str) else (spec[0], tuple(spec[1]))
        terms.append(Term(term=name, slug=slugify(name) or "x", definition=f"{name}.", aliases=aliases,
                          short=f"{name}."))
    return Glossary.from_terms(terms)


GLOSSARY = make_glossary(
    ("Big data", ["BD"]), "data", "data localization", "economy", "rare earth", "996.ICU", "Gaia-X",
    "5G", "C++", "IT", "algorithm", "tax", "Moore's law", "platform economy", "Great Firewall",
    ".NET",
)
MATCHER = build_matcher(GLOSSARY)


def matches(text, matcher=MATCHER):
    return [(text[s:e], t.term) for s, e, t in matcher.finditer(text)]


# ----------------------------------------------------------------------------------------------
# loading
# ----------------------------------------------------------------------------------------------

VALID = """
# A glossary
- term: Big data
  definition: Very *large* data sets [@lee2018, p. 3]. Used by [firms](https://example.org) e.g. Alibaba.
  aliases: [BD, big-data]
  see_also: [algorithm]
- term: algorithm
  definition: |
    A finite procedure, as in `sort()`.

    Second paragraph.
  short: A recipe for computing.
- term: Économie numérique
  definition: "Digital economy: see [@wang2020]."
- term: 算法治理
  definition: Algorithmic governance.
"""


def test_load_valid(tmp_path):
    glossary, problems = load(tmp_path, VALID)
    assert problems == []
    assert [t.term for t in glossary.terms] == ["algorithm", "Big data", "Économie numérique", "算法治理"]
    big = glossary.lookup("big DATA")
    assert big is glossary.lookup("bd") is glossary.by_slug["big-data"]
    assert big.line == 2 and big.aliases == ("BD", "big-data") and big.see_also == ("algorithm",)
    assert big.short == "Very large data sets."
    assert glossary.lookup("algorithm").short == "A recipe for computing."
    assert glossary.lookup("algorithm").definition.startswith("A finite procedure")
    assert glossary.lookup("économie NUMÉRIQUE").slug == "economie-numerique"
    assert glossary.lookup("Économie numérique").short == "Digital economy: see."
    chinese = glossary.lookup("算法治理")
    assert chinese.slug.startswith("term-") and len(chinese.slug) > 5
    assert glossary.lookup("nothing") is None


def _p(line, message):
    return (line, message)


LOAD_PROBLEMS = [
    pytest.param("- term: a\n  definition: [unclosed\n", [_p(3, "invalid YAML")], id="malformed-yaml"),
    pytest.param("- term: a\n\tdefinition: x\n", [_p(2, "invalid YAML")], id="yaml-tab"),
    pytest.param("term: a\ndefinition: b\n", [_p(1, "must be a list of entries, found a mapping")],
                 id="top-level-mapping"),
    pytest.param("just text\n", [_p(1, "must be a list of entries, found a string")], id="top-level-string"),
    pytest.param("- term: a\n  definition: b\n- just a string\n- [x, y]\n",
                 [_p(3, "entry must be a mapping"), _p(4, "found a list")], id="entry-not-mapping"),
    pytest.param("- definition: b\n", [_p(1, "entry has no 'term'")], id="missing-term"),
    pytest.param("- term: a\n", [_p(1, "entry has no 'definition'")], id="missing-definition"),
    pytest.param("- term: ''\n  definition: b\n", [_p(1, "'term' is empty")], id="empty-term"),
    pytest.param("- term: a\n  definition:\n", [_p(2, "'definition' is empty")], id="null-definition"),
    pytest.param("- term: a\n  definition: '   '\n", [_p(2, "'definition' is empty")], id="blank-definition"),
    pytest.param("- term: 1984\n  definition: b\n", [_p(1, "'term' must be a string, found an integer")],
                 id="term-int"),
    pytest.param("- term: no\n  definition: b\n", [_p(1, "found a boolean (false); quote it ('no')")],
                 id="term-bool-norway"),
    pytest.param("- term: [a]\n  definition: b\n", [_p(1, "'term' must be a string, found a list")],
                 id="term-list"),
    pytest.param("- term: a\n  definition: {x: 1}\n", [_p(2, "'definition' must be a string, found a mapping")],
                 id="definition-mapping"),
    pytest.param("- term: a\n  definition: b\n  aliases: c\n",
                 [_p(3, "'aliases' must be a list of strings, found a string")], id="aliases-string"),
    pytest.param("- term: a\n  definition: b\n  aliases:\n    - c\n    - 3\n    - ''\n",
                 [_p(5, "items of 'aliases' must be strings, found an integer"), _p(6, "empty item in 'aliases'")],
                 id="alias-items"),
    pytest.param("- term: a\n  definition: b\n  see_also: {x: y}\n",
                 [_p(3, "'see_also' must be a list of strings, found a mapping")], id="see-also-mapping"),
    pytest.param("- term: a\n  definition: b\n  short: [x]\n", [_p(3, "'short' must be a string")],
                 id="short-list"),
    pytest.param("- term: a\n  definition: b\n  defintion: c\n  colour: red\n",
                 [_p(3, "unknown key 'defintion'; did you mean 'definition'?"), _p(4, "unknown key 'colour'")],
                 id="unknown-keys"),
    pytest.param("- term: a\n  definition: b\n  term: c\n", [_p(3, "duplicate key 'term' (first given at line 1)")],
                 id="duplicate-key"),
    pytest.param("- term: x\n  definition: d\n- term: Big data\n  definition: d\n"
                 "- term: Big data\n  definition: again\n",
                 [_p(5, "duplicate term 'Big data' (first defined at line 3)")], id="duplicate-term"),
    pytest.param("- term: Big data\n  definition: d\n- term: big  DATA\n  definition: again\n",
                 [_p(3, "duplicate term 'big DATA' (first defined at line 1)")], id="duplicate-term-case"),
    pytest.param("- term: Big data\n  definition: d\n  aliases: [BD]\n- term: bd\n  definition: again\n",
                 [_p(4, "duplicate term 'bd' (first defined at line 3, as an alias of 'Big data')")],
                 id="term-collides-with-alias"),
    pytest.param("- term: Big data\n  definition: d\n- term: other\n  definition: d\n  aliases:\n    - big data\n",
                 [_p(6, "duplicate alias 'big data' (first defined at line 1)")], id="alias-collides-with-term"),
    pytest.param("- term: A\n  definition: d\n  aliases: [x]\n- term: B\n  definition: d\n  aliases: [y, X]\n",
                 [_p(6, "duplicate alias 'X' (first defined at line 3, as an alias of 'A')")],
                 id="alias-collides-with-alias"),
    pytest.param("- term: A\n  definition: d\n  aliases: [a]\n", [_p(3, "alias 'a' repeats the term 'A'")],
                 id="alias-repeats-term"),
    pytest.param("- term: A\n  definition: d\n  see_also:\n    - B\n    - nowhere\n- term: B\n  definition: d\n",
                 [_p(5, "see_also 'nowhere' names no term")], id="see-also-unknown"),
    pytest.param("- term: A\n  definition: d\n  see_also: [a]\n", [_p(3, "refers to the entry itself")],
                 id="see-also-self"),
    pytest.param("- term: A\n  definition: !!python/object:os.system x\n",
                 [_p(2, "'definition': unsupported YAML value")], id="unsafe-tag"),
]


@pytest.mark.parametrize("text, expected", LOAD_PROBLEMS)
def test_load_problems(tmp_path, text, expected):
    _glossary, problems = load(tmp_path, text)
    assert all(isinstance(p, Problem) and p.path == "content/glossary.yml" for p in problems)
    assert len(problems) == len(expected), problems
    for problem, (line, fragment) in zip(problems, expected):
        assert problem.line == line, problem
        assert fragment in problem.message, problem


def test_all_problems_in_one_pass_and_valid_entries_kept(tmp_path):
    text = """
    - term: Big data
      definition: Large data.
      aliases: [BD]
    - term: nodef
    - term: big data
      definition: Second definition loses.
    - 42
    - term: Platform
      definition: A platform.
      oops: 1
      see_also: [big data, ghost, nodef]
    - term: BD
      definition: collides with an alias
    - term: Tax
      definition: A levy.
    """
    glossary, problems = load(tmp_path, text)
    assert [(p.line, p.message.split(" (")[0]) for p in problems] == [
        (4, "entry has no 'definition'"),
        (5, "duplicate term 'big data'"),
        (7, "a glossary entry must be a mapping with 'term' and 'definition', found an integer"),
        (10, "unknown key 'oops'"),
        (11, "see_also 'ghost' names no term in the glossary"),
        (12, "duplicate term 'BD'"),
    ]
    # 'nodef' was dropped for its own problem: referring to it is not reported a second time.
    assert [t.term for t in glossary.terms] == ["Big data", "Platform", "Tax"]
    assert glossary.lookup("big data").definition == "Large data."
    assert glossary.lookup("platform").see_also == ("Big data",)


def test_problem_str_has_path_and_line(tmp_path):
    _g, problems = load(tmp_path, "- term: A\n  definition: d\n- term: a\n  definition: e\n")
    assert str(problems[0]) == "content/glossary.yml:3: duplicate term 'a' (first defined at line 1)"


def test_decoding_error_is_a_problem(tmp_path):
    glossary, problems = load(tmp_path, "- term: a\n  definition: ok\n- term: caf\xe9\n".encode("latin-1"))
    assert len(glossary) == 0
    assert len(problems) == 1 and problems[0].line == 3 and "UTF-8" in problems[0].message


def test_missing_file_is_a_problem(tmp_path):
    glossary, problems = load_glossary(str(tmp_path / "nope.yml"), "nope.yml")
    assert len(glossary) == 0 and len(problems) == 1 and "cannot read" in problems[0].message


@pytest.mark.parametrize("text", ["", "# only a comment\n", "\ufeff\n"])
def test_empty_file_is_empty_glossary(tmp_path, text):
    glossary, problems = load(tmp_path, text)
    assert len(glossary) == 0 and problems == []


def test_bom_and_anchors_and_merge(tmp_path):
    text = ("\ufeff- &base\n  term: A\n  definition: shared\n  short: Short.\n"
            "- <<: *base\n  term: B\n  short: Own.\n")
    glossary, problems = load(tmp_path, text)
    assert problems == []
    assert glossary.lookup("b").definition == "shared"
    assert glossary.lookup("b").short == "Own." and glossary.lookup("a").short == "Short."


def test_slugs_unique_and_never_empty(tmp_path):
    text = "".join(f"- term: {t!r}\n  definition: d\n" for t in ["C++", "C", "c#", "Ça", "算法", "+++"])
    glossary, problems = load(tmp_path, text)
    assert problems == []
    slugs = [t.slug for t in glossary.terms]
    assert len(set(slugs)) == len(slugs) and all(slugs)
    assert glossary.lookup("Ça").slug == "ca"
    assert {glossary.lookup(n).slug for n in ("C++", "C", "c#")} == {"c", "c-2", "c-3"}
    assert all(s == s.lower() and s.isascii() for s in slugs)


@pytest.mark.parametrize("source, expected", [
    ("Very *large* data sets [@lee2018, p. 3]. More.", "Very large data sets."),
    ("A [link](https://x.org/a.b) to **bold** `code`. Next.", "A link to bold code."),
    ("See e.g. the U.S. Government and Dr. Who. Then more.", "See e.g. the U.S. Government and Dr. Who."),
    ("No full stop at all", "No full stop at all"),
    ("Cited [see @a; @b, pp. 1-2] here. Then.", "Cited here."),
    ("As @lee2018 argues, this. Then.", "As argues, this."),
    ("First para\ncontinues.\n\nSecond para.", "First para continues."),
    ("Footnoted[^1] term. Rest.", "Footnoted term."),
    ("A <span>raw</span> tag &amp; entity. Rest.", "A raw tag & entity."),
    ("Is it? Yes.", "Is it?"),
])
def test_plain_text_short(source, expected):
    assert plain_text(None, source) == expected


# ----------------------------------------------------------------------------------------------
# matching
# ----------------------------------------------------------------------------------------------

MATCH_CASES = [
    ("Big data is big", [("Big data", "Big data")]),
    ("BIG DATA and big data", [("BIG DATA", "Big data"), ("big data", "Big data")]),
    ("big\n  data", [("big\n  data", "Big data")]),
    ("the BD team", [("BD", "Big data")]),
    ("bigdata, big-data", []),
    ("data localization laws", [("data localization", "data localization")]),
    ("data localizations", [("data localizations", "data localization")]),
    ("data, metadata, database, data's", [("data", "data"), ("data", "data")]),
    ("data-driven and open-data", []),
    ("rare earths and rare earth", [("rare earths", "rare earth"), ("rare earth", "rare earth")]),
    ("economies and economy and economys", [("economies", "economy"), ("economy", "economy")]),
    ("platform economies", [("platform economies", "platform economy")]),
    ("taxes, taxs", [("taxes", "tax")]),
    ("algorithms and Algorithm", [("algorithms", "algorithm"), ("Algorithm", "algorithm")]),
    ("996.ICU protest; 996.icu", [("996.ICU", "996.ICU")]),
    ("x996.ICU, 996.ICUx", []),
    ("Gaia-X members, gaia-x", [("Gaia-X", "Gaia-X"), ("gaia-x", "Gaia-X")]),
    ("5G networks, 5g, 15G, 5Gs", [("5G", "5G"), ("5Gs", "5G")]),
    ("C++ and C++17 and xC++", [("C++", "C++")]),
    ("IT firms, it is, ITs", [("IT", "IT"), ("ITs", "IT")]),
    ("Moore's law and Moore’s law", [("Moore's law", "Moore's law"), ("Moore’s law", "Moore's law")]),
    ("ASP.NET and .NET", [(".NET", ".NET")]),
    ("the Great Firewall's reach", [("Great Firewall", "Great Firewall")]),
    ("«data»—“big data”", [("data", "data"), ("big data", "Big data")]),
    ("dataé datä", []),
    ("", []),
]


@pytest.mark.parametrize("text, expected", MATCH_CASES, ids=[c[0][:30] or "empty" for c in MATCH_CASES])
def test_matching(text, expected):
    assert matches(text) == expected


def test_matcher_is_one_regex_and_handles_empty_glossary():
    assert MATCHER.pattern.pattern.count("(?<!\\w)") == 1
    empty = build_matcher(Glossary())
    assert list(empty.finditer("anything at all")) == []


def test_exact_names_beat_plural_variants():
    g = make_glossary("datum", "datums", "U", "US")
    assert matches("datums and US and Us", build_matcher(g)) == [("datums", "datums"), ("US", "US"), ("Us", "U")]


# ----------------------------------------------------------------------------------------------
# tree linking, end to end through Python-Markdown
# ----------------------------------------------------------------------------------------------

EXTENSIONS = ["attr_list", "md_in_html", "toc", "tables", "admonition", "footnotes", "def_list",
              "pymdownx.superfences", "pymdownx.details"]


def convert(source, *, mode="first", extensions=EXTENSIONS, glossary=GLOSSARY, **kwargs):
    md = markdown.Markdown(extensions=extensions)
    register_linker(md, build_matcher(glossary), link_href=lambda t: f"../glossary/#{t.slug}", mode=mode,
                    **kwargs)
    html = md.convert(textwrap.dedent(source))
    return BeautifulSoup(html, "html.parser")


def term_links(soup):
    return [(a.get_text(), a["data-term-slug"]) for a in soup.select("a.refsite-term")]


def test_link_element_shape():
    soup = convert("The big data era.")
    (a,) = soup.select("a")
    assert a["class"] == ["refsite-term"] and a["href"] == "../glossary/#big-data"
    assert a["data-term-slug"] == "big-data" and a.get_text() == "big data"
    assert soup.p.get_text() == "The big data era."


@pytest.mark.parametrize("source", [
    pytest.param("Use `big data` here.", id="inline-code"),
    pytest.param("```\nbig data\n```", id="fenced-code"),
    pytest.param("```python\ndata = 'big data'\n```", id="fenced-code-lang"),
    pytest.param("Para.\n\n    big data indented", id="indented-code"),
    pytest.param("A [big data link](https://x.org/).", id="link-text"),
    pytest.param("A [ref link][r].\n\n[r]: https://x.org/big-data", id="reference-link"),
    pytest.param("Go <https://example.org/big/data> now.", id="autolink"),
    pytest.param("Go https://example.org/big/data?q=economy now.", id="bare-url"),
    pytest.param("Mail data@economy.org now.", id="email"),
    pytest.param("# Big data\n", id="h1"),
    pytest.param("### The economy of data\n", id="h3"),
    pytest.param("Setext economy\n--------------\n", id="setext-heading"),
    pytest.param("![big data chart](chart.png)", id="image-alt"),
    pytest.param("Press <kbd>data</kbd> or <code>economy</code>.", id="raw-inline-code"),
    pytest.param('A raw <a href="/x">big data</a> link.', id="raw-inline-link"),
    pytest.param('A <span class="refsite-cite">economy 2020</span> cite.', id="raw-cite-span"),
    pytest.param('Some <span class="refsite-noterm">big data</span> here.', id="escape-raw-span"),
    pytest.param('Nested <span class="refsite-noterm">x <b>data</b> <span>economy</span> y</span>.',
                 id="escape-raw-span-nested"),
    pytest.param("Some *big data*{.refsite-noterm} here.", id="escape-attr-list"),
    pytest.param('<div class="refsite-noterm" markdown>\nbig data and *economy*\n</div>', id="escape-block"),
    pytest.param("<div>\nraw block big data\n</div>", id="raw-html-block"),
    pytest.param("Escaped big\\_data and economy\\_x here.", id="backslash-escape"),
    pytest.param('!!! note "Big data"\n    Nothing.', id="admonition-title"),
    pytest.param("Cite [@lee2018, economy p. 3].", id="citation-syntax"),
])
def test_never_linked(source):
    soup = convert(source)
    assert term_links(soup) == []
    assert "\x02" not in str(soup) and "\x03" not in str(soup)


def test_escape_leaves_other_occurrences_linked():
    soup = convert('A <span class="refsite-noterm">big data</span> word, then big data again.', mode="all")
    assert term_links(soup) == [("big data", "big-data")]
    assert soup.select_one("span.refsite-noterm").get_text() == "big data"
    assert soup.p.get_text() == "A big data word, then big data again."


def test_raw_tags_do_not_leak_past_their_paragraph():
    soup = convert('Unclosed <span class="refsite-noterm">big data\n\nThe economy.')
    assert term_links(soup) == [("economy", "economy")]


@pytest.mark.parametrize("source, expected", [
    pytest.param("| a | b |\n|---|---|\n| rare earths | x |", [("rare earths", "rare-earth")], id="table-cell"),
    pytest.param("- one\n- the economy\n", [("economy", "economy")], id="list-item"),
    pytest.param("1. the *economy*\n", [("economy", "economy")], id="inside-emphasis"),
    pytest.param('!!! note\n    The 5G economy.', [("5G", "5g"), ("economy", "economy")], id="admonition"),
    pytest.param('??? note "x"\n    The economy.', [("economy", "economy")], id="details"),
    pytest.param("> quoted economy", [("economy", "economy")], id="blockquote"),
    pytest.param("Big data\n:   the economy", [("Big data", "big-data"), ("economy", "economy")], id="def-list"),
    pytest.param("Note.[^1]\n\n[^1]: The economy.", [("economy", "economy")], id="footnote"),
    pytest.param("Text **rare earths** &amp; C++ and 996.ICU.",
                 [("rare earths", "rare-earth"), ("C++", "c"), ("996.ICU", "996icu")], id="punctuated"),
    pytest.param("big data localization", [("big data", "big-data")], id="overlap-leftmost"),
    pytest.param("data localization of data", [("data localization", "data-localization"), ("data", "data")],
                 id="overlap-longest"),
    pytest.param('Raw <b>inline economy</b> tag.', [("economy", "economy")], id="raw-bold-is-fine"),
    pytest.param("A *big data*{.other} class.", [("big data", "big-data")], id="other-class"),
    pytest.param("Literal \\*data\\* stars.", [("data", "data")], id="escaped-stars-around"),
])
def test_linked(source, expected):
    soup = convert(source)
    assert term_links(soup) == expected
    for a in soup.select("a.refsite-term"):
        assert not a.find_parent(["a", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6"])


def test_first_occurrence_rule_and_callbacks():
    links, occurrences = [], []
    source = """\
    # Economy

    The economy and the BD economy; big data.

    ## Later

    More economies and big data, and `economy`.
    """
    md = markdown.Markdown(extensions=EXTENSIONS)

    def section():
        heading = linker.state.heading
        return None if heading is None else heading.get("id")

    linker = register_linker(
        md, MATCHER, link_href=lambda t: "#" + t.slug,
        on_link=lambda t, a, ctx: links.append((t.term, a.text, ctx, section())),
        on_occurrence=lambda t, el: occurrences.append((t.term, el.tag, section())),
    )
    soup = BeautifulSoup(md.convert(textwrap.dedent(source)), "html.parser")
    assert term_links(soup) == [("economy", "economy"), ("BD", "big-data")]
    assert links == [
        ("economy", "economy", "The economy and the BD economy; big data.", "economy"),
        ("Big data", "BD", "The economy and the BD economy; big data.", "economy"),
    ]
    assert occurrences == [("economy", "p", "economy"), ("Big data", "p", "economy"),
                           ("economy", "p", "later"), ("Big data", "p", "later")]
    # a second page (a new run) links again
    soup = BeautifulSoup(md.reset().convert("The economy."), "html.parser")
    assert term_links(soup) == [("economy", "economy")]


def test_all_mode_links_every_occurrence():
    soup = convert("The economy, the economies, *the economy*; data and data.", mode="all")
    assert term_links(soup) == [("economy", "economy"), ("economies", "economy"), ("economy", "economy"),
                                ("data", "data"), ("data", "data")]
    assert soup.p.get_text() == "The economy, the economies, the economy; data and data."


def test_enabled_flag_read_each_run():
    md = markdown.Markdown(extensions=EXTENSIONS)
    linker = register_linker(md, MATCHER, link_href=lambda t: "#")
    assert "refsite-term" in md.convert("economy")
    linker.enabled = False
    assert "refsite-term" not in md.reset().convert("economy")
    linker.enabled = True
    assert "refsite-term" in md.reset().convert("economy")


def test_bad_mode_rejected():
    with pytest.raises(ValueError):
        GlossaryLinker(None, MATCHER, link_href=lambda t: "#", mode="some")


def test_existing_term_links_and_cites_not_relinked():
    root = etree.fromstring('<div><p>x <a class="refsite-term" href="#">economy</a> '
                            '<span class="refsite-cite">data</span> economy</p></div>')
    link_terms(root, MATCHER, link_href=lambda t: "#", mode="all")
    assert [a.text for a in root.iter("a")] == ["economy", "economy"]
    assert root.find(".//span").find("a") is None


def test_link_terms_without_md_keeps_placeholders_whole():
    root = etree.Element("div")
    p = etree.SubElement(root, "p")
    p.text = "data\x02wzxhzdk:0\x03economy \x0242\x03data big\x0295\x03data"
    link_terms(root, MATCHER, link_href=lambda t: "#", mode="all")
    text = "".join(root.itertext())
    assert text == "data\x02wzxhzdk:0\x03economy \x0242\x03data big\x0295\x03data"
    assert [a.text for a in root.iter("a")] == ["data", "economy", "data"]


# ----------------------------------------------------------------------------------------------
# property: never raises; removing our wrappers gives the original text back
# ----------------------------------------------------------------------------------------------

_WORDS = ["big", "data", "Big data", "economy", "economies", "rare", "earths", "5G", "C++", "996.ICU",
          "Gaia-X", "IT", "it", "BD", "localization", "Moore's", "law", ".NET", "é", "算法", "-", "_",
          "'", "’", " ", "\n", ",", ".", "@", "https://x.org/data", "\x02wzxhzdk:0\x03", "\x0242\x03",
          "\x02", "\x03", "\x00"]
texts = st.lists(st.one_of(st.sampled_from(_WORDS), st.text(max_size=4)), max_size=30).map("".join)


def _unwrap(el):
    """Remove our <a class="refsite-term"> wrappers in place, merging their text back."""
    for parent in list(el.iter()):
        i = 0
        while i < len(parent):
            child = parent[i]
            if child.tag == "a" and child.get("class") == "refsite-term":
                assert len(child) == 0
                joined = (child.text or "") + (child.tail or "")
                if i == 0:
                    parent.text = (parent.text or "") + joined
                else:
                    parent[i - 1].tail = (parent[i - 1].tail or "") + joined
                parent.remove(child)
            else:
                i += 1
    return el


def _shape(el):
    return (el.tag, sorted(el.attrib.items()), el.text or "", el.tail or "", [_shape(c) for c in el])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts, texts, texts, st.sampled_from(["first", "all"]))
def test_property_round_trip(text, em_text, tail, mode):
    root = etree.Element("div")
    p = etree.SubElement(root, "p")
    p.text = text
    em = etree.SubElement(p, "em")
    em.text = em_text
    em.tail = tail
    code = etree.SubElement(p, "code")
    code.text = text
    before = _shape(root)
    link_terms(root, MATCHER, link_href=lambda t: "#" + t.slug, mode=mode)
    for a in root.iter("a"):
        assert a.get("class") == "refsite-term" and a.text
        assert "\x02" not in a.text and "\x03" not in a.text
    assert code.find("a") is None
    assert _shape(_unwrap(root)) == before


@settings(max_examples=100, deadline=None)
@given(texts)
def test_property_markdown_never_raises(text):
    md = markdown.Markdown(extensions=EXTENSIONS)
    register_linker(md, MATCHER, link_href=lambda t: "#", mode="all")
    md.convert(text)


def test_linker_refuses_to_run_before_attr_list():
    """attr_list puts {.refsite-noterm} on its element first; the linker never imitates it."""
    md = markdown.Markdown(extensions=["attr_list"])
    with pytest.raises(ValueError, match="after attr_list"):
        register_linker(md, MATCHER, link_href=lambda t: "#", priority=15)
    register_linker(md, MATCHER, link_href=lambda t: "#")
    html = md.convert("Big data and *big data*{.refsite-noterm} and *x*{: title=\"big data\"}.")
    assert html.count("refsite-term") == 1 and 'title="big data"' in html
