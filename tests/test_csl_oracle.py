"""Formatting judged by the oracle: ``pandoc --citeproc`` with the *same* official .csl file
(tests/oracle.py), on the flagship, a citation-forms page over a 47-entry fixture, and the
benchmark's generated corpus, in Chicago author-date (18th), APA 7 and MLA 9.

Each site is built with MkDocs; each citation's text (``span.refsite-cite``) and each bibliography
entry's text are compared with pandoc's on the same Markdown (the pages concatenated in navigation
order, so that disambiguation and year suffixes see the same citations). Citations are compared as
a multiset (pandoc moves a footnote's citations to where the footnote is referenced). Targets:
>= 98 % of citations and >= 95 % of reference entries identical; every remaining difference is
listed in ``ACCEPTED`` with its reason, and a difference not listed fails the test.
"""
from __future__ import annotations

import collections
import re
import sys
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import ROOT, build, flagship_in_style, write_site
from oracle import norm, pandoc, pandoc_citations

DATA = Path(__file__).resolve().parent / "data" / "oracle"
STYLES = ["chicago-author-date", "apa", "modern-language-association"]

# (site, style, "cite" | "entry", text of ours or key) -> reason. Kept short, each one explained.
_APOSTROPHE = ("processors differ: citeproc-js (the CSL test suite's reference, and ours) typesets the "
               "straight apostrophe of a field (\"Notes de l'Ifri\") as \u2019; Pandoc's citeproc leaves it")
_EMPTY_SORT_KEY = ("CSL 1.0.2: an item whose sort key is empty sorts last; Pandoc sorts Seaman's untitled "
                   "2019 item first, so the other Seaman work gets the subsequent-author dash")
_HYPHEN_CASE = ("processors differ: title case capitalises each part of a hyphenated word (citeproc-js, "
                "ours: \"Follow-Up\"); Pandoc only the first part (\"Follow-up\")")
_COMPLETE_ALL = ("CSL 1.0.2, subsequent-author-substitute-rule complete-all: the dash replaces the whole "
                 "name list, \"et al.\" included; Pandoc keeps \", et al.\" after the dash")
_PREFIX_ORDER = ("a citation whose cites carry prefixes keeps the author's order and groups cites by the same "
                 "author (CSL cite grouping, as citeproc-js); Pandoc re-sorts some of them")
ACCEPTED: dict[tuple[str, str, str, str], str] = {
    ("flagship", "chicago-author-date", "entry", "seaman2020"): _APOSTROPHE,
    ("flagship", "apa", "entry", "seaman2020"): _APOSTROPHE,
    ("flagship", "modern-language-association", "entry", "seaman2019"): _EMPTY_SORT_KEY,
    ("flagship", "modern-language-association", "entry", "seaman2020"): _EMPTY_SORT_KEY + "; " + _APOSTROPHE,
    ("forms", "chicago-author-date", "entry", "alpha2020b"): _HYPHEN_CASE,
    ("forms", "modern-language-association", "entry", "alpha2020b"): _HYPHEN_CASE + "; " + _COMPLETE_ALL,
    ("forms", "modern-language-association", "cite",
     "(Alpha et al., “Four Authors Walk into a Lab”; Alpha et al., “Lab Follow-Up”)"): _HYPHEN_CASE,
    ("forms", "modern-language-association", "entry", "multivol"):
        "MLA 9 gives the volume of a book that is one of several (\"Vol. 2\"); Pandoc's citeproc drops it",
    ("generated", "modern-language-association", "entry", "ivanova2000a"): _COMPLETE_ALL,
    ("generated", "apa", "cite", "(cf. United Nations Conference on Trade and Development, 2011, Figure 6; "
                                 "also 2018; and R. D. Brown, 1988)"): _PREFIX_ORDER,
    ("generated", "apa", "cite", "(e.g. R. D. Brown, 1988, Volume 11; R. Moreau, 2024; Garcia et al., 1985)"):
        _PREFIX_ORDER,
}


def pandoc_side(markdown: str, bib: Path, style: str, nocite: bool) -> tuple[list[str], dict[str, str]]:
    if nocite:
        markdown = "---\nnocite: '@*'\n---\n\n" + markdown
    cites = pandoc_citations(markdown, bib, style)
    html = pandoc(markdown, bib, "html", style=style)
    soup = BeautifulSoup(html, "html.parser")
    entries = {div["id"][4:]: norm(div.get_text()) for div in soup.select("div.csl-entry[id^='ref-']")}
    return cites, entries


def our_side(built, pages: list[str]) -> tuple[list[str], dict[str, str]]:
    cites = []
    for page in pages:
        article = built.article(page)
        cites += [norm(s.get_text()) for s in article.select("span.refsite-cite")]
    bib = built.soup("bibliography/")
    entries = {div["data-key"]: norm(div.select_one("div.csl-entry").get_text())
               for div in bib.select("div.refsite-entry[data-key]")}
    return cites, entries


# -- the sites ----------------------------------------------------------------------------------------

def _flagship(tmp: Path, style: str):
    root = flagship_in_style(tmp / "flagship", style)
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    nav_pages = ["index.md"] + [p for section in config["nav"] for v in section.values()
                                if isinstance(v, list) for p in v]
    built = build(root)
    markdown = "\n\n".join(_body(root / "content" / p) for p in nav_pages)
    return built, [p[:-3].replace("index", "") if p == "index.md" else p[:-3] + "/" for p in nav_pages], \
        markdown, root / "bibliography" / "chapter.bib", False


def _body(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)


def _forms(tmp: Path, style: str):
    files = {"content/index.md": (DATA / "cases.md").read_text(encoding="utf-8"),
             "bibliography/works.bib": (DATA / "works.bib").read_text(encoding="utf-8")}
    built = build(write_site(tmp / "forms", files, {"refsite": {"style": style, "nocite": True}}))
    return built, [""], files["content/index.md"], tmp / "forms" / "bibliography" / "works.bib", True


def _generated(tmp: Path, style: str):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import corpus
    finally:
        sys.path.pop(0)
    generated = corpus.generate("small")
    files = {f"content/{p.src}": corpus.render_page(p, generated, "pandoc") for p in generated.pages}
    files["content/index.md"] = "# Generated corpus\n"
    files["bibliography/refs.bib"] = "\n\n".join(e.bibtex() for e in generated.entries) + "\n"
    built = build(write_site(tmp / "generated", files, {"refsite": {"style": style}}))
    pages = sorted(p.src for p in generated.pages)
    markdown = "\n\n".join(files[f"content/{p}"] for p in pages)
    return built, [p[:-3] + "/" for p in pages], markdown, tmp / "generated" / "bibliography" / "refs.bib", False


SITES = {"flagship": _flagship, "forms": _forms, "generated": _generated}


@pytest.fixture(scope="module")
def comparisons(tmp_path_factory):
    rows = []
    for site_name, make in SITES.items():
        for style in STYLES:
            built, pages, markdown, bib, nocite = make(tmp_path_factory.mktemp(f"{site_name}-{style}"), style)
            ours_c, ours_e = our_side(built, pages)
            theirs_c, theirs_e = pandoc_side(markdown, bib, style, nocite)
            rows.append((site_name, style, ours_c, theirs_c, ours_e, theirs_e))
    return rows


def _diffs(rows):
    cite_total = cite_same = entry_total = entry_same = 0
    unlisted = []
    for site_name, style, ours_c, theirs_c, ours_e, theirs_e in rows:
        theirs = collections.Counter(theirs_c)
        ours = collections.Counter(ours_c)
        cite_total += sum(theirs.values())
        cite_same += sum((theirs & ours).values())
        for text in (ours - theirs):
            if (site_name, style, "cite", text) not in ACCEPTED:
                missing = sorted((theirs - ours).elements())
                unlisted.append(f"{site_name} {style} cite: ours {text!r} (pandoc has {missing[:3]})")
        for key, text in theirs_e.items():
            entry_total += 1
            if ours_e.get(key) == text:
                entry_same += 1
            elif (site_name, style, "entry", key) not in ACCEPTED:
                unlisted.append(f"{site_name} {style} entry {key}:\n    pandoc {text!r}\n    ours   {ours_e.get(key)!r}")
    return cite_same, cite_total, entry_same, entry_total, unlisted


def test_citations_and_entries_match_pandoc(comparisons):
    cite_same, cite_total, entry_same, entry_total, unlisted = _diffs(comparisons)
    print(f"\ncitations {cite_same}/{cite_total} = {cite_same / cite_total:.1%}; "
          f"entries {entry_same}/{entry_total} = {entry_same / entry_total:.1%}")
    assert cite_same / cite_total >= 0.98
    assert entry_same / entry_total >= 0.95
    assert not unlisted, f"{len(unlisted)} differences not in ACCEPTED:\n" + "\n".join(unlisted)
    listed = {k for k in ACCEPTED if k[2] == "entry"}
    happened = {(site, style, "entry", key) for site, style, _, _, ours_e, theirs_e in comparisons
                for key, text in theirs_e.items() if ours_e.get(key) != text}
    assert listed <= happened, f"listed but no longer different (remove them): {sorted(listed - happened)}"
