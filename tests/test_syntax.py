"""Pandoc citation grammar (hooks/refsite/syntax.py) checked against pandoc.

Expected keys / modes / prefixes / suffixes come from running
``pandoc -f markdown -t json`` on all cases at once (one paragraph per
case).  Locators and labels come from ``pandoc --citeproc`` with a probe CSL
style that prints ``⟦key|label|locator⟧`` for every item.  Nothing about the
expected parse is hard-coded, except the documented DELIBERATE_DIFFERENCES.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from refsite.syntax import (
    LOCATOR_TERMS,
    Citation,
    CiteItem,
    find_citations,
    parse_bracketed,
    parse_narrative,
)

PANDOC = shutil.which("pandoc") or "/usr/bin/pandoc"

# (case id, markdown paragraph)
CASES: list[tuple[str, str]] = [
    # --- basic forms ------------------------------------------------------
    ("group-simple", "[@doe99]"),
    ("group-brief", "[see @doe99, pp. 33-35; also @smith04, chap. 1]"),
    ("group-two", "[@a; @b]"),
    ("group-nospace", "[@a;@b]"),
    ("group-space-semicolon", "[@a ; @b]"),
    ("group-padded", "[ @a ]"),
    ("group-padded-suffix", "[ see @a , p. 3 ]"),
    ("narrative", "@a says so"),
    ("narrative-locator", "@a [p. 33] says"),
    ("narrative-nospace-locator", "@a[p. 3]"),
    ("narrative-newline-locator", "@a\n[p. 3]"),
    ("narrative-comma-bracket", "@a, [p. 3]"),
    ("narrative-suffix", "@a [with a suffix]"),
    ("narrative-more-items", "@a [p. 33; @b, chap. 2]"),
    ("narrative-merge-group", "@a [see @b]"),
    ("narrative-merge-bare", "@a [@b]"),
    ("narrative-then-link", "@a [p. 33](http://x)"),
    ("narrative-then-cite-link", "@a [@b](http://x)"),
    ("narrative-then-refl", "@a [see @b][x]"),
    ("narrative-then-span", "@a [@b]{x}"),
    ("narrative-footnote", "@a [^1]"),
    ("suppress", "[-@a]"),
    ("suppress-prefix-locator", "[see -@a, p. 3]"),
    ("suppress-two", "[-@a; -@b]"),
    ("suppress-outside", "-@a says"),
    ("hyphen-prefix", "[see-@a]"),
    ("dot-hyphen-prefix", "[x.-@a]"),
    ("multi-narrative", "@a and @b and @c."),
    # --- keys -------------------------------------------------------------
    ("key-trailing-dot", "@Foo_bar.baz."),
    ("key-double-hyphen", "@Foo_bar--baz"),
    ("key-braced", "@{Foo_bar.baz.}"),
    ("key-braced-nested", "@{a{b}c} x"),
    ("key-braced-space", "@{Foo bar}"),
    ("key-braced-space-group", "[@{a b}]"),
    ("key-braced-group", "[@{a}]"),
    ("key-braced-locator", "@{a.b.}[p. 3]"),
    ("key-braced-then-text", "@{a}b"),
    ("key-unicode", "@müller2020 wrote"),
    ("key-cjk", "@日本語 too"),
    ("key-fullwidth", "@Ｆｕｌｌ too"),
    ("key-sharp-s", "@ß1 too"),
    ("key-titlecase", "@ǅa too"),
    ("key-arabic-digit", "@a٣ too"),
    ("key-number-first", "@2020report shows"),
    ("key-underscore-first", "@_under score"),
    ("key-underscore-end", "@a_ x"),
    ("key-double-underscore", "@a__b x"),
    ("key-colon", "@a:b x"),
    ("key-double-colon", "@a::b x"),
    ("key-url-like", "@a://b x"),
    ("key-colon-slash", "@a:/b x"),
    ("key-dot", "@a.b x"),
    ("key-double-dot", "@a..b x"),
    ("key-hash", "@a#b x"),
    ("key-dollar", "@a$b x"),
    ("key-percent", "@a%b x"),
    ("key-amp", "@a&b x"),
    ("key-plus", "@a+b x"),
    ("key-question", "@a?b x"),
    ("key-lt", "@a<b x"),
    ("key-gt", "@a>b x"),
    ("key-tilde", "@a~b x"),
    ("key-slash", "@a/b x"),
    ("key-hyphen", "@a-b x"),
    ("key-dot-hyphen", "@a.-b x"),
    ("key-trailing-colon", "@a: as shown"),
    ("key-trailing-comma", "@a, as shown"),
    ("key-trailing-question", "@a? yes"),
    ("key-trailing-bang", "@a! yes"),
    ("key-possessive", "@a's work"),
    ("key-parens", "as (@a) said"),  # "(@a)" at line start is an example-list marker
    ("key-group-trailing-dot", "[@a.]"),
    ("key-hyphen-suffix", "[@a-]"),
    # --- not citations / word boundaries ---------------------------------
    ("email", "jane@example.com"),
    ("escaped-at", r"\@notacite"),
    ("at-space", "[email me @ home]"),
    ("plain-brackets", "[foo]"),
    ("bare-at", "@ a"),
    ("after-chars", "x.@a y_@a z-@a w'@a é@a 1@a (.@a) a+@a a/@a a:@a a*@a a@@b"),
    ("after-dots", "..@a ...@a ....@a ......@a"),
    ("code-span", "`@a` and `[@b]`"),
    ("unclosed", "[@a, p. 3"),
    ("unclosed-nested", "[@a, see [foo bar]"),
    ("empty-part", "[see; @a]"),
    ("empty-part-2", "[see; also @a]"),
    ("trailing-semicolon", "[@a, p. 3;]"),
    ("item-without-key", "[@a; foo]"),
    # --- links and friends ------------------------------------------------
    ("link", "[@a](http://x)"),
    ("link-spaces", "[@a](foo bar baz)"),
    ("link-empty", "[@a]()"),
    ("paren-unclosed", "[@a]("),
    ("space-paren", "[@a] (http://x)"),
    ("ref-link", "[@a][ref]"),
    ("ref-link-empty", "[@a][]"),
    ("brace-after", "[@a]{x}"),
    ("space-span", "[@a] {.x}"),
    ("text-after", "[@a, p. 33]extra"),
    ("caret-prefix", "[^see @a]"),
    # --- prefixes and suffixes ------------------------------------------
    ("see-prefix", "[see @a]"),
    ("prefix-comma", "[prefix, with comma @a, suffix; prefix2 @b]"),
    ("prefix-email", "[see jane@example.com @a]"),
    ("prefix-brackets", "[see [foo] @a]"),
    ("prefix-emph", "[*see* @a, *p.* 3]"),
    ("suffix-only", "[@a, suffix only]"),
    ("suffix-no-comma", "[@a p. 3]"),
    ("suffix-brackets", "[@a, see [foo] bar]"),
    ("suffix-brackets-semicolon", "[@a, see [foo; bar] x]"),
    ("suffix-parens-semicolon", "[@a, see (p. 3; q)]"),
    ("suffix-link", "[@a, see [link](http://x) and more]"),
    ("suffix-nested-cite", "[@a, see [@b] x]"),
    ("suffix-narrative", "[@a @b]"),
    ("suffix-escaped-bracket", r"[@a, see \] more]"),
    ("suffix-escaped-semicolon", r"[@a, \; x]"),
    ("suffix-code", "[@a, `x]y` z]"),
    ("suffix-comma-only", "[@a,]"),
    ("suffix-softbreak", "[@a,\np. 3]"),
    ("suffix-emph-locator", "[@a, p. *33*]"),
    # --- locators ---------------------------------------------------------
    ("loc-only", "[@a, 33]"),
    ("loc-p", "[@a, p. 33]"),
    ("loc-P", "[@a, P. 33]"),
    ("loc-multi", "[@a, pp. 33-35, 38 with more]"),
    ("loc-endash", "[@a, pp. 33--35]"),
    ("loc-nospace", "[@a, p.3]"),
    ("loc-then-suffix", "[@a, 33, and more]"),
    ("loc-two-items", "[@a, chap. 1; @b, no. 3]"),
    ("loc-forced", "[@smith{ii, A, D-Z}, with a suffix]"),
    ("loc-forced-label", "[@smith, {pp. iv, vi-xi, (xv)-(xvii)} with suffix here]"),
    ("loc-forced-empty", "[@a, {}]"),
    ("loc-forced-label-only", "[@a, {p.} x]"),
    ("loc-forced-brackets", "[@a, {p. [a b]}]"),
    ("loc-roman-implicit", "[@a, ii]"),
    ("loc-roman", "[@a, p. ii]"),
    ("loc-roman-word", "[@a, p. mix]"),
    ("loc-roman-range", "[@a, pp. D-Z]"),
    ("loc-paren-letter", "[@a, pp. (a)]"),
    ("loc-subdivisions", "[@a, 33 (1)(a) foo]"),
    ("loc-dotted", "[@a, chap. 3.2.1. rest]"),
    ("loc-bracketed", "[@a, p. [17]-[18]]"),
    ("loc-not-first", "[@a, see p. 3]"),
    ("loc-sv-word", "[@a, sub verbo foo]"),
    ("loc-sv", "[@a, s.v. 3]"),
    ("loc-svv", "[@a, s.vv. 3]"),
    ("loc-sub-verbo", "[@a, sub verbo 4]"),
    ("loc-bk", "[@a, bk. 2]"),
    ("loc-books", "[@a, books 2]"),
    ("loc-col", "[@a, col. 2]"),
    ("loc-fig", "[@a, fig. 2]"),
    ("loc-figs", "[@a, figs. 2-3]"),
    ("loc-fol", "[@a, fol. 2]"),
    ("loc-l", "[@a, l. 2]"),
    ("loc-ll", "[@a, ll. 2-4]"),
    ("loc-n", "[@a, n. 2]"),
    ("loc-nn", "[@a, nn. 2]"),
    ("loc-op", "[@a, op. 2]"),
    ("loc-opp", "[@a, opp. 2]"),
    ("loc-opera", "[@a, opera 4]"),
    ("loc-para", "[@a, para. 2]"),
    ("loc-paras", "[@a, paras. 2]"),
    ("loc-pilcrow", "[@a, ¶ 2]"),
    ("loc-pilcrows", "[@a, ¶¶ 2-3]"),
    ("loc-section-sign", "[@a, § 2]"),
    ("loc-section-signs", "[@a, §§ 2]"),
    ("loc-section-sign-nospace", "[@a, §2]"),
    ("loc-pt", "[@a, pt. 2]"),
    ("loc-sec", "[@a, sec. 2]"),
    ("loc-secs", "[@a, secs. 2]"),
    ("loc-v", "[@a, v. 2]"),
    ("loc-vv", "[@a, vv. 2]"),
    ("loc-vol", "[@a, vol. 2]"),
    ("loc-vols", "[@a, vols. 2]"),
    ("loc-volume", "[@a, volume 2]"),
    ("loc-number", "[@a, number 4]"),
    ("loc-nos", "[@a, nos. 4]"),
    ("loc-chapter", "[@a, chapter 4]"),
    ("loc-page", "[@a, page 4]"),
    ("loc-line", "[@a, line 4]"),
    ("loc-opus", "[@a, opus 4]"),
    ("loc-issue-word", "[@a, issue 4]"),
    ("loc-narrative-chap", "@a [chap. 2, and passim]"),
    # --- deliberate differences (see below) -------------------------------
    ("key-empty-braced", "@{} x"),
    ("key-wildcard", "@*foo* x"),
]

# Cases where refsite differs from pandoc on purpose (asserted to differ).
DELIBERATE_DIFFERENCES: dict[str, str] = {
    "key-empty-braced": (
        "pandoc 2.17 accepts `@{}` as a citation with the empty key; an empty "
        "key can never resolve, so refsite leaves it as text"
    ),
    "key-wildcard": (
        "pandoc accepts `@*` (the nocite wildcard) as a key start, so `@*foo*` "
        "cites key `*foo`; `*` only makes sense in `nocite` metadata and in "
        "Python-Markdown it opens emphasis, so keys start with a letter, digit "
        "or `_` only"
    ),
}

_SMART = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
                        "\u2013": "--", "\u2014": "---", "\u2026": "...",
                        "\xa0": " "})


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s.translate(_SMART)).strip()


def stringify(x) -> str:
    if isinstance(x, list):
        return "".join(stringify(i) for i in x)
    t, c = x["t"], x.get("c")
    if t == "Str":
        return c
    if t in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if t in ("Emph", "Strong", "Strikethrough", "Superscript", "Subscript",
             "SmallCaps", "Underline"):
        return stringify(c)
    if t in ("Link", "Image", "Span"):
        return stringify(c[1])
    if t == "Cite":
        return stringify(c[1])
    if t in ("Code", "Math", "RawInline"):
        return c[1]
    if t == "Quoted":
        q = '"' if c[0]["t"] == "DoubleQuote" else "'"
        return q + stringify(c[1]) + q
    if t == "Note":
        return ""
    return ""


def pandoc_cites(inlines, part: int = 0) -> list:
    """Cite nodes in document order (``part`` 0: the citations, 1: the rendered inlines); not
    descending into Cite nodes (their nested citations are part of the outer citation's span)."""
    out: list = []

    def walk(x):
        if isinstance(x, list):
            for i in x:
                walk(i)
        elif isinstance(x, dict) and "t" in x:
            if x["t"] == "Cite":
                out.append(x["c"][part])
                return
            walk(x.get("c"))

    walk(inlines)
    return out


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPH = re.compile(r"(\*\*|\*|__|_)(?=\S)(.+?)(?<=\S)\1")
_MD_CODE = re.compile(r"(`+)(.+?)\1")


def md_plain(s: str) -> str:
    """Our Markdown source -> what pandoc's stringify gives (roughly)."""
    s = _MD_CODE.sub(lambda m: m.group(2).strip(), s)
    s = _MD_LINK.sub(r"\1", s)
    s = _MD_EMPH.sub(r"\2", s)
    s = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", s)
    return _norm(s)


def _terms_for(label: str) -> list[str]:
    return sorted((t for t, lab in LOCATOR_TERMS.items() if lab == label),
                  key=len, reverse=True)


def _ws(s: str) -> str:
    return r"\s*".join(re.escape(p) for p in s.split())


def suffix_agrees(item: CiteItem, pandoc_suffix: str) -> bool:
    """Our (locator, label, suffix) recombined vs pandoc's citationSuffix."""
    ps = _norm(pandoc_suffix)
    if ps.startswith(","):
        ps = ps[1:].strip()
    suf = md_plain(item.suffix)
    if not item.label:
        return ps == suf and item.locator == ""
    terms = "|".join(_ws(t) for t in _terms_for(item.label))
    pat = (r"\{?\s*(?:(?:" + terms + r")\s*)?" + _ws(md_plain(item.locator))
           + r"\s*\}?\s*,?\s*" + _ws(suf))
    return re.fullmatch(pat, ps, flags=re.I) is not None


def _ours(src: str) -> list[Citation]:
    return find_citations(src)


PROBE_CSL = """<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>probe</title><id>probe</id><updated>2020-01-01T00:00:00+00:00</updated></info>
  <citation><layout delimiter=" ‖ "><group>
    <text value="⟦"/><text variable="citation-label"/><text value="|"/>
    <choose><if variable="locator"><choose>
""" + "".join(
    f'      <{"if" if i == 0 else "else-if"} locator="{lab}"><text value="{lab}"/>'
    f'</{"if" if i == 0 else "else-if"}>\n'
    for i, lab in enumerate(["book", "chapter", "column", "figure", "folio", "issue",
                             "line", "note", "opus", "page", "paragraph", "part",
                             "section", "sub-verbo", "verse", "volume"])
) + """      <else><text value="OTHER"/></else>
    </choose></if></choose>
    <text value="|"/><text variable="locator"/><text value="⟧"/>
  </group></layout></citation>
</style>
"""


def _run_pandoc(doc: str, *args: str) -> dict:
    res = subprocess.run([PANDOC, "-f", "markdown", "-t", "json", *args],
                         input=doc.encode(), capture_output=True, check=True)
    return json.loads(res.stdout)


@pytest.fixture(scope="module")
def pandoc_results():
    if not Path(PANDOC).exists():
        pytest.fail("pandoc not available")
    doc = "\n\n".join(src for _, src in CASES) + "\n"
    plain = _run_pandoc(doc)["blocks"]
    assert len(plain) == len(CASES), "one paragraph per case expected"
    keys = sorted({c["citationId"] for b in plain for cit in pandoc_cites(b["c"])
                   for c in cit if c["citationId"]})
    refs = "".join(f"- id: {json.dumps(k)}\n  type: book\n  citation-label: {json.dumps(k)}\n"
                   for k in keys)
    with tempfile.TemporaryDirectory() as td:
        csl = Path(td, "probe.csl")
        csl.write_text(PROBE_CSL, encoding="utf-8")
        cdoc = f"---\nreferences:\n{refs}---\n\n{doc}"
        proc = _run_pandoc(cdoc, "--citeproc", "--csl", str(csl))["blocks"]
    assert len(proc) == len(CASES)
    return plain, proc


_PROBE = re.compile(r"⟦(.*?)\|([^|⟧]*)\|(.*?)⟧", re.S)


def compare_case(idx: int, src: str, plain, proc) -> list[str]:
    """Return a list of disagreements (empty = agreement)."""
    problems: list[str] = []
    ours = _ours(src)
    theirs = pandoc_cites(plain[idx]["c"])
    if len(ours) != len(theirs):
        return [f"{len(ours)} citations vs pandoc {len(theirs)}: {ours} / "
                f"{[[c['citationId'] for c in t] for t in theirs]}"]
    cite_texts = [stringify(n) for n in _cite_nodes(proc[idx]["c"])]
    for n, (oc, tc) in enumerate(zip(ours, theirs)):
        if src[oc.start:oc.end] == "" or oc.start >= oc.end:
            problems.append(f"empty span {oc}")
        if len(oc.items) != len(tc):
            problems.append(f"cite {n}: {len(oc.items)} items vs {len(tc)}")
            continue
        probe = _PROBE.findall(cite_texts[n]) if n < len(cite_texts) else []
        for m, (oi, ti) in enumerate(zip(oc.items, tc)):
            where = f"cite {n} item {m}"
            if oi.key != ti["citationId"]:
                problems.append(f"{where}: key {oi.key!r} vs {ti['citationId']!r}")
            if oi.mode != ti["citationMode"]["t"]:
                problems.append(f"{where}: mode {oi.mode} vs {ti['citationMode']['t']}")
            if md_plain(oi.prefix) != _norm(stringify(ti["citationPrefix"])):
                problems.append(f"{where}: prefix {oi.prefix!r} vs "
                                f"{stringify(ti['citationPrefix'])!r}")
            if not suffix_agrees(oi, stringify(ti["citationSuffix"])):
                problems.append(f"{where}: (loc={oi.locator!r}, label={oi.label!r}, "
                                f"suffix={oi.suffix!r}) vs {stringify(ti['citationSuffix'])!r}")
            if m < len(probe):
                _, plabel, ploc = probe[m]
                if plabel != oi.label:
                    problems.append(f"{where}: label {oi.label!r} vs citeproc {plabel!r}")
                dash = str.maketrans({"\u2013": "-"})
                if _norm(ploc.translate(dash)) != md_plain(oi.locator).replace("--", "-"):
                    problems.append(f"{where}: locator {oi.locator!r} vs citeproc {ploc!r}")
            elif oi.key:
                problems.append(f"{where}: no citeproc probe output")
    return problems


def _cite_nodes(inlines):
    """The rendered inlines of each Cite node, in document order."""
    return pandoc_cites(inlines, part=1)


def test_cases_table_is_large_and_unique():
    ids = [i for i, _ in CASES]
    assert len(ids) == len(set(ids))
    assert len(CASES) >= 70
    assert set(DELIBERATE_DIFFERENCES) <= set(ids)


def test_agreement_with_pandoc(pandoc_results, capsys):
    plain, proc = pandoc_results
    failures: dict[str, list[str]] = {}
    agree = 0
    for idx, (cid, src) in enumerate(CASES):
        probs = compare_case(idx, src, plain, proc)
        if cid in DELIBERATE_DIFFERENCES:
            assert probs, f"{cid} is listed as a deliberate difference but agrees"
            continue
        if probs:
            failures[cid] = probs
        else:
            agree += 1
    total = len(CASES) - len(DELIBERATE_DIFFERENCES)
    with capsys.disabled():
        print(f"\nsyntax agreement: {agree}/{total} "
              f"(+{len(DELIBERATE_DIFFERENCES)} deliberate differences)")
    assert not failures, "\n".join(f"{k} {dict(CASES)[k]!r}: {v}" for k, v in failures.items())


@pytest.mark.parametrize("cid,src", CASES, ids=[c for c, _ in CASES])
def test_case(cid, src, pandoc_results):
    plain, proc = pandoc_results
    idx = [c for c, _ in CASES].index(cid)
    probs = compare_case(idx, src, plain, proc)
    if cid in DELIBERATE_DIFFERENCES:
        assert probs
    else:
        assert not probs, probs


# --- direct API checks ------------------------------------------------------

def test_api_examples():
    c = parse_bracketed("x [see @doe99, pp. 33-35; also @smith04, chap. 1] y", 2)
    assert c is not None and c.bracketed and (c.start, c.end) == (2, 49)
    assert c.items == (
        CiteItem("doe99", "NormalCitation", "see", "", "33-35", "page"),
        CiteItem("smith04", "NormalCitation", "also", "", "1", "chapter"),
    )
    c = parse_narrative("As @a [p. 33] says", 3)
    assert c == Citation((CiteItem("a", "AuthorInText", locator="33", label="page"),),
                         3, 13, False)
    assert parse_narrative("jane@example.com", 4) is None
    assert parse_bracketed("[email me @ home]", 0) is None
    assert parse_bracketed("[@a](http://x)", 0) is None
    assert parse_bracketed("[@a", 0) is None
    assert parse_bracketed("x", 0) is None
    assert parse_narrative("@", 0) is None
    assert find_citations(r"\@a") == []
    f = parse_bracketed("[@smith, {pp. iv, vi-xi, (xv)-(xvii)} with suffix here]", 0)
    assert f.items[0].locator == "iv, vi-xi, (xv)-(xvii)"
    assert f.items[0].suffix == "with suffix here"


def test_placeholders_are_opaque():
    ph = "\x02klzzwxh:0001\x03"
    c = parse_bracketed(f"[{ph} see @a, p. 3 {ph}]", 0)
    assert c is not None
    it = c.items[0]
    assert (it.prefix, it.locator, it.label, it.suffix) == (f"{ph} see", "3", "page", ph)
    # a placeholder never extends a key, and `]`/`;` hidden in one are inert
    c = parse_narrative(f"@a{ph}", 0)
    assert c.items[0].key == "a" and c.end == 2
    assert parse_bracketed(f"[@a, {ph}]", 0).items[0].suffix == ph
    # an opaque placeholder (like a pandoc Code inline) is neither a locator
    # term nor digits: no locator, the whole thing stays in the suffix
    assert parse_bracketed(f"[@a, {ph} 3]", 0).items[0].label == ""
    assert parse_bracketed(f"[@a, {ph} 3]", 0).items[0].suffix == f"{ph} 3"
    assert parse_bracketed(f"[@a, p. {ph}]", 0).items[0].label == ""


def test_locator_terms_cover_csl_spellings():
    for t in ["p.", "pp.", "page", "pages", "chap.", "chaps.", "chapter", "sec.",
              "secs.", "section", "vol.", "vols.", "volume", "fig.", "figs.",
              "figure", "n.", "nn.", "note", "para.", "paras.", "paragraph", "l.",
              "ll.", "line", "bk.", "bks.", "book", "col.", "cols.", "column",
              "fol.", "fols.", "folio", "no.", "nos.", "number", "op.", "opp.",
              "opus", "pt.", "pts.", "part", "s.v.", "s.vv.", "sub verbo", "v.",
              "vv.", "verse", "¶", "¶¶", "§", "§§"]:
        assert t in LOCATOR_TERMS, t


# --- property tests -----------------------------------------------------------

_ALPHABET = st.sampled_from(
    list("@[];-{}ab1 ,.:_*`\\\n(!)^pé") + ["\x02klzzwxh:0001\x03", "\x02", "\x03",
                                          "p. ", "chap. ", "@a", "[@", "-@"]
)
_TEXT = st.lists(_ALPHABET, max_size=40).map("".join)


def _check_citations(text: str, cits: list[Citation]) -> None:
    last = 0
    for c in cits:
        assert 0 <= c.start < c.end <= len(text)
        assert c.start >= last, "overlap"
        last = c.end
        assert text[c.start] in "[@"
        assert c.items and all(i.key for i in c.items)
        again = (parse_bracketed if c.bracketed else parse_narrative)(text, c.start)
        assert again == c
        assert text[c.start:c.end]  # round trip of the span


@settings(max_examples=600, deadline=None)
@given(_TEXT)
def test_find_citations_never_raises(text):
    _check_citations(text, find_citations(text))


@settings(max_examples=400, deadline=None)
@given(_TEXT, st.integers(min_value=-2, max_value=45))
def test_parsers_never_raise(text, pos):
    for fn in (parse_bracketed, parse_narrative):
        c = fn(text, pos)
        if c is not None:
            assert c.start == pos < c.end <= len(text)
            assert "\x02" not in "".join(i.key for i in c.items)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_unicode_never_raises(text):
    _check_citations(text, find_citations(text))
    for i, ch in enumerate(text):
        if ch == "[":
            parse_bracketed(text, i)
        elif ch == "@":
            parse_narrative(text, i)


def test_long_input_with_unclosed_brackets():
    text = ("[see @a, p. 3; @b] and @c [chap. 2] " * 400) + "[" * 2000 + "`" * 50
    cits = find_citations(text)
    assert len(cits) == 800
