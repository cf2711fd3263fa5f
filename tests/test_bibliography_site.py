"""The bibliography and citing references: backlinks, exports, Zotero metadata, "Cite this page".

Scenario ``bibliography_site``: Home, "Zeta notes" (a citation in a footnote and two in a table;
nav order puts it before "Alpha page", the reverse of the alphabet), "Alpha page", a page that cites
nothing, and six BibTeX entries (one never cited, one marked ``x-verified = {no}``).
"""
from __future__ import annotations

import json
import posixpath
import re
import shutil
from pathlib import Path
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup
from pybtex.database import parse_file, parse_string

from conftest import BASE_CONFIG, SCENARIOS, _merge, build, site_config, free_port, serve_dir_on, watch_errors

NAME = "bibliography_site"
NAV = [{"Home": "index.md"}, "zeta.md", "alpha.md", "plain.md", {"Bibliography": "bibliography.md"}]
SWAPPED = [{"Home": "index.md"}, "alpha.md", "zeta.md", "plain.md", {"Bibliography": "bibliography.md"}]
CONTENT = ["index.md", "zeta.md", "alpha.md", "plain.md"]
CITED = ["abbott2019", "lee2018", "worldbank2021", "vaguely2021", "zhou2020"]   # Chicago order
BIB_FILE = SCENARIOS / NAME / "bibliography" / "refs.bib"
BIBTEX_MIME = "application/x-bibtex"
CSL_MIME = "application/vnd.citationstyles.csl+json"


def build_scenario(root: Path, config: dict | None = None):
    """Copy the scenario to ``root`` and build it with ``config`` merged over its mkdocs.yml."""
    shutil.copytree(SCENARIOS / NAME, root)
    existing = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    merged = site_config(_merge(BASE_CONFIG, existing), config)
    (root / "mkdocs.yml").write_text(yaml.safe_dump(merged, allow_unicode=True, sort_keys=False),
                                     encoding="utf-8")
    return build(root)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_scenario(tmp_path_factory.mktemp("bib") / NAME, {"nav": NAV})


@pytest.fixture(scope="module")
def swapped(tmp_path_factory):
    return build_scenario(tmp_path_factory.mktemp("bibswap") / NAME, {"nav": SWAPPED})


def page_url(src: str) -> str:
    return "" if src == "index.md" else src[:-3] + "/"


def soup_of(built, src: str) -> BeautifulSoup:
    return built.soup(page_url(src))


def entries(built) -> dict:
    return {e["data-key"]: e for e in built.soup("bibliography").select("div.refsite-entry")}


def backlinks(built) -> dict[str, list[tuple[str, str]]]:
    """key -> [(page URL, cite id)] as listed under "Cited in", resolved from bibliography/."""
    out = {}
    for key, entry in entries(built).items():
        links = []
        for a in entry.select("div.refsite-backlinks li > a"):
            target = urljoin("https://h/bibliography/", a["href"])
            parts = urlsplit(target)
            links.append((parts.path.lstrip("/"), parts.fragment))
        out[key] = links
    return out


def citing_passages(built, nav_srcs) -> dict[str, list[tuple[str, str]]]:
    """What the backlinks must be: every span.refsite-cite of every page, pages in nav order."""
    out: dict[str, list] = {}
    for src in nav_srcs:
        for span in soup_of(built, src).select("article span.refsite-cite[data-cites]"):
            for key in dict.fromkeys(span["data-cites"].split()):
                out.setdefault(key, []).append((page_url(src), span["id"]))
    return out


def resolve(built, from_page: str, href: str) -> Path:
    path = unquote(urlsplit(href).path)
    target = posixpath.normpath(posixpath.join(from_page, path)) if path else from_page
    full = built.site / target
    return full / "index.html" if full.is_dir() or href.endswith("/") else full


def source_bib():
    return parse_file(str(BIB_FILE), "bibtex").entries


def plain_fields(entry) -> dict[str, str]:
    return {name.lower(): str(value) for name, value in entry.fields.items()}


# -- 1. backlinks --------------------------------------------------------------------------------

def test_backlinks_list_exactly_the_citing_passages_in_nav_order(site):
    got = backlinks(site)
    expected = citing_passages(site, CONTENT)
    assert set(got) == set(CITED)
    assert got == {k: expected[k] for k in got}
    counts = {k: len(v) for k, v in got.items()}
    assert counts == {"abbott2019": 1, "lee2018": 3, "worldbank2021": 1, "vaguely2021": 1, "zhou2020": 2}
    # zeta comes before alpha in the nav although "alpha" < "zeta"
    assert [p for p, _ in got["zhou2020"]] == ["zeta/", "alpha/"]
    assert [p for p, _ in got["lee2018"]] == ["", "zeta/", "alpha/"]
    # the "Cited in N places" title matches the list
    for key, entry in entries(site).items():
        title = entry.select_one(".refsite-backlinks__title").get_text()
        n = len(got[key])
        assert title == f"Cited in {n} place{'s' if n != 1 else ''}:"


def test_backlinks_include_footnotes_and_tables_and_every_target_exists(site):
    got = backlinks(site)
    kinds = {}
    for key, links in got.items():
        for page, cite_id in links:
            soup = site.soup(page)
            target = soup.find(id=cite_id)
            assert target is not None, f"{key}: {page}#{cite_id} missing"
            assert key in target["data-cites"].split()
            if target.find_parent("div", class_="footnote"):
                kinds.setdefault(key, set()).add("footnote")
            if target.find_parent("td"):
                kinds.setdefault(key, set()).add("table")
    assert "footnote" in kinds.get("zhou2020", set())
    assert "table" in kinds.get("abbott2019", set()) and "table" in kinds.get("lee2018", set())


def test_backlink_text_shows_page_section_and_snippet(site):
    texts = {}
    for key, entry in entries(site).items():
        texts[key] = [(li.a.get_text(), (li.q.get_text() if li.q else ""))
                      for li in entry.select("div.refsite-backlinks li")]
    assert [w for w, _ in texts["lee2018"]] == ["Home › Overview", "Zeta notes › Tables",
                                                "Alpha page › Second section"]
    assert [w for w, _ in texts["zhou2020"]] == ["Zeta notes › Footnotes", "Alpha page › First section"]
    for key, rows in texts.items():
        for where, snippet in rows:
            assert "para;" not in where and "¶" not in where, where
            assert snippet, f"{key}: no snippet for {where}"
            assert "\ue000" not in snippet and "\ue001" not in snippet
    assert "quantity of data matters most (Lee 2018, 12)" in texts["lee2018"][0][1]
    assert "On its discontents, see (Zhou and Okafor 2020, 45)" in texts["zhou2020"][0][1]
    assert "(Abbott 2019, 110)" in texts["abbott2019"][0][1]
    assert "(Xu 2021)" in texts["vaguely2021"][0][1]


def test_backlinks_do_not_depend_on_page_order(site, swapped):
    a, b = backlinks(site), backlinks(swapped)
    assert b == {k: citing_passages(swapped, ["index.md", "alpha.md", "zeta.md", "plain.md"])[k] for k in b}
    assert [p for p, _ in b["zhou2020"]] == ["alpha/", "zeta/"]
    # same passages (page + id), only the order follows the nav
    assert {k: sorted(v) for k, v in a.items()} == {k: sorted(v) for k, v in b.items()}
    assert list(entries(site)) == list(entries(swapped)) == CITED
    for src in CONTENT:   # citation ids and labels on each page are the same
        cites = [(s["id"], s["data-cites"], s.get_text()) for s in soup_of(site, src).select("span.refsite-cite")]
        assert cites == [(s["id"], s["data-cites"], s.get_text())
                         for s in soup_of(swapped, src).select("span.refsite-cite")]
    for name in ("bibliography.bib", "bibliography.ris", "bibliography.json",
                 "references-zeta.bib", "references-alpha.json"):
        assert (site.site / name).read_bytes() == (swapped.site / name).read_bytes(), name
    ea, eb = entries(site), entries(swapped)
    for key in CITED:
        for sel in ("div.csl-entry", "span.Z3988", "div.refsite-entry__tools"):
            assert str(ea[key].select_one(sel)) == str(eb[key].select_one(sel)), (key, sel)


# -- 2. the bibliography page --------------------------------------------------------------------

def test_every_cited_work_once_sorted_with_ref_ids(site):
    soup = site.soup("bibliography")
    keys = [e["data-key"] for e in soup.select("div.refsite-entry")]
    assert keys == CITED
    for key in keys:
        assert len(soup.select(f'[id="ref-{key}"]')) == 1
        assert soup.find(id=f"ref-{key}").name == "h3"
    assert soup.find(id="ref-uncited2000") is None
    assert "A Work Nobody Cites" not in soup.get_text()
    labels = [e.h3.get_text() for e in soup.select("div.refsite-entry")]
    assert labels == ["Abbott 2019", "Lee 2018", "World Bank 2021", "Xu 2021", "Zhou and Okafor 2020"]


def test_bibliography_page_keeps_its_characters(site):
    """Pages are written with their characters as they are (no character references, no markers)."""
    raw = site.read("bibliography")
    assert "\u201c" in raw and "&#8220;" not in raw         # a Chicago title quote, as a character
    assert "\x02" not in raw and "\ue000" not in raw
    assert len(site.soup("bibliography").select("div.refsite-backlinks ol li")) >= len(CITED)


def test_nocite_lists_uncited_works(tmp_path):
    built = build_scenario(tmp_path / NAME, {"nav": NAV, "refsite": {"nocite": True}})
    keys = list(entries(built))
    assert sorted(keys) == sorted(CITED + ["uncited2000"])
    assert keys.index("uncited2000") == keys.index("lee2018") + 1   # Nobody sorts between Lee and World
    entry = entries(built)["uncited2000"]
    assert entry.h3["id"] == "ref-uncited2000"
    assert entry.select_one("div.refsite-backlinks") is None
    bib = parse_string((built.site / "bibliography.bib").read_text(encoding="utf-8"), "bibtex")
    assert "uncited2000" in bib.entries


def test_author_and_year_indexes_link_to_entries(site):
    soup = site.soup("bibliography")
    ids = {t["id"] for t in soup.find_all(id=True)}
    authors_h2 = soup.find("h2", id="by-author")
    years_h2 = soup.find("h2", id="by-year")
    assert authors_h2 and years_h2
    index = {}
    for li in soup.select("ul.refsite-index > li"):
        name = li.select_one(".refsite-index__name").get_text()
        index[name] = [a["href"] for a in li.find_all("a")]
    assert list(index) == sorted(index, key=str.casefold)
    assert index["Lee, Kai-Fu"] == ["#ref-lee2018"]
    assert index["Okafor, Chidi"] == ["#ref-zhou2020"] and index["Zhou, Mei"] == ["#ref-zhou2020"]
    assert index["World Bank"] == ["#ref-worldbank2021"]
    assert "Nobody, Ned" not in index
    letters = [a.get_text() for a in soup.select("nav.refsite-letters a")]
    assert letters == sorted(letters) and {"A", "L", "O", "W", "X", "Z"} <= set(letters)
    for a in soup.select("nav.refsite-letters a"):
        assert a["href"][1:] in ids
    years = {dt.get_text(): [a["href"] for a in dt.find_next_sibling("dd").find_all("a")]
             for dt in soup.select("dl.refsite-years > dt")}
    assert list(years) == ["2021", "2020", "2019", "2018"]
    assert years["2021"] == ["#ref-worldbank2021", "#ref-vaguely2021"]
    for hrefs in list(index.values()) + list(years.values()):
        for href in hrefs:
            assert href[1:] in ids


def test_at_a_glance_chart_and_top_cited_table(site):
    soup = site.soup("bibliography")
    svg = soup.select_one("svg.refsite-chart")
    assert svg is not None and svg["role"] == "img"
    labelled = svg["aria-labelledby"].split()
    texts = [svg.find(id=i) for i in labelled]
    assert [t.name for t in texts] == ["title", "desc"]
    assert "5 works" in texts[0].get_text()
    assert texts[1].get_text() == "2018: 1; 2019: 1; 2020: 1; 2021: 2"
    assert len(svg.select("rect.refsite-chart__bar")) == 4
    rows = soup.select("table.refsite-top tbody tr")
    top = [(r.td.a["href"], r.select_one(".refsite-top__count").get_text(" ", strip=True)) for r in rows]
    assert top[:2] == [("#ref-lee2018", "3 citations"), ("#ref-zhou2020", "2 citations")]
    assert len(top) == 5
    # the work: its short label, and its title on a line of its own (tests/test_bibliography_filter.py
    # measures the lines in Chromium)
    work = rows[0].select_one("td.refsite-top__work")
    assert work.a.get_text() == "Lee 2018"
    assert work.select_one(".refsite-top__title").get_text() == \
        "AI Superpowers: China, Silicon Valley, and the New World Order"
    first_pages = [a.get_text() for a in rows[0].find_all("td")[2].find_all("a")]
    assert first_pages == ["Home", "Zeta notes", "Alpha page"]
    summary = soup.select_one("p.refsite-summary")
    assert summary.get_text() == "5 works, 8 citations, 1 marked as incomplete."
    assert summary.a["href"] == "#incomplete-works"


def test_incomplete_entries_are_marked(site):
    for key, entry in entries(site).items():
        note = entry.select_one("p.refsite-incomplete")
        if key == "vaguely2021":
            assert note is not None and "Incomplete reference" in note.get_text()
        else:   # x-verified = yes / partial / absent
            assert note is None, key
    # the incomplete works as a list of links to their entries, where the summary's link leads
    soup = site.soup("bibliography")
    heading = soup.find(id="incomplete-works")
    assert heading.name == "h3" and heading.get_text() == "Marked as incomplete (1)"
    listed = heading.find_next_sibling("ul", class_="refsite-incomplete-list")
    assert [a["href"] for a in listed.select("li > a")] == ["#ref-vaguely2021"]
    alpha = soup_of(site, "alpha.md")
    item = alpha.select_one('div.refsite-ref[data-key="vaguely2021"]')
    assert "refsite-ref--incomplete" in item["class"]


# -- 3. exports ----------------------------------------------------------------------------------

def test_site_bibtex_export_round_trips(site):
    exported = parse_string((site.site / "bibliography.bib").read_text(encoding="utf-8"), "bibtex").entries
    source = source_bib()
    assert list(exported) == CITED
    for key in CITED:
        src, out = source[key], exported[key]
        assert out.type == src.type
        want = {k: v for k, v in plain_fields(src).items() if not k.startswith("x-")}
        assert plain_fields(out) == want, key
        assert {r: [str(p) for p in ps] for r, ps in out.persons.items()} == \
               {r: [str(p) for p in ps] for r, ps in src.persons.items()}
    assert "x-verified" not in (site.site / "bibliography.bib").read_text(encoding="utf-8")


def test_site_csl_json_and_ris_exports(site):
    items = json.loads((site.site / "bibliography.json").read_text(encoding="utf-8"))
    assert [i["id"] for i in items] == CITED
    by_id = {i["id"]: i for i in items}
    for item in items:
        assert item["type"] and item["issued"]
        assert item["author"]
    assert by_id["zhou2020"]["type"] == "article-journal"
    assert by_id["zhou2020"]["title"] == "Data Localization and Its Discontents"
    assert by_id["zhou2020"]["author"] == [{"family": "Zhou", "given": "Mei"},
                                           {"family": "Okafor", "given": "Chidi"}]
    assert by_id["zhou2020"]["issued"] == {"date-parts": [[2020]]}
    assert by_id["zhou2020"]["DOI"] == "10.1234/jip.2020.045"
    assert by_id["zhou2020"]["page"] == "45-67"
    assert by_id["lee2018"]["title"] == "AI Superpowers: China, Silicon Valley, and the New World Order"
    assert by_id["worldbank2021"]["author"] == [{"literal": "World Bank"}]
    assert by_id["abbott2019"]["type"] == "chapter"
    assert by_id["abbott2019"]["container-title"] == "Technology and Geopolitics"
    ris = (site.site / "bibliography.ris").read_text(encoding="utf-8")
    records = parse_ris(ris)
    assert [r["ID"][0] for r in records] == CITED
    zhou = records[CITED.index("zhou2020")]
    assert zhou["TY"] == ["JOUR"] and zhou["AU"] == ["Zhou, Mei", "Okafor, Chidi"]
    assert zhou["SP"] == ["45"] and zhou["EP"] == ["67"] and zhou["PY"] == ["2020"]
    assert zhou["DO"] == ["10.1234/jip.2020.045"] and zhou["VL"] == ["12"] and zhou["IS"] == ["3"]


def parse_ris(text: str) -> list[dict[str, list[str]]]:
    records, current = [], None
    for line in text.splitlines():
        if not line.strip():
            continue
        m = re.fullmatch(r"([A-Z][A-Z0-9])  - ?(.*)", line)
        assert m, f"not a RIS line: {line!r}"
        tag, value = m.groups()
        if tag == "TY":
            assert current is None, "TY before ER"
            current = {}
        assert current is not None, f"{tag} outside a record"
        if tag == "ER":
            records.append(current)
            current = None
            continue
        current.setdefault(tag, []).append(value)
    assert current is None, "record without ER"
    return records


def test_per_entry_downloads_and_copy_buttons_decode_to_the_exports(site):
    items = {i["id"]: i for i in json.loads((site.site / "bibliography.json").read_text(encoding="utf-8"))}
    ris = {r["ID"][0]: r for r in parse_ris((site.site / "bibliography.ris").read_text(encoding="utf-8"))}
    bib = parse_string((site.site / "bibliography.bib").read_text(encoding="utf-8"), "bibtex").entries
    for key, entry in entries(site).items():
        # Each download link points at the site-wide file that holds the entry's record; the
        # script saves just that record as <key>.ris / <key>.json (checked in the browser test).
        links = {a.get_text(): a for a in entry.select("div.refsite-entry__tools a.refsite-download")}
        assert set(links) == {"BibTeX", "RIS", "CSL-JSON"}
        page_url = site.site / "bibliography" / "index.html"
        for label, exported, ext in (("BibTeX", "bibliography.bib", "bib"), ("RIS", "bibliography.ris", "ris"),
                                     ("CSL-JSON", "bibliography.json", "json")):
            link = links[label]
            target = (page_url.parent / unquote(link["href"])).resolve()
            assert target == (site.site / exported).resolve(), link["href"]
            assert link["data-filename"] == f"{key}.{ext}"
            assert not link.has_attr("download")
        assert key in ris and key in items and key in bib
        # The copy buttons take their text from the page and the site-wide .bib (browser test):
        # the page does not repeat every record in attributes.
        sources = {b.get_text(): b.get("data-copy-from") for b in entry.select("button.refsite-copy")}
        assert sources == {"Copy BibTeX": "bibtex", "Copy reference": "entry"}


def test_coins_are_openurl_context_objects(site):
    for key, entry in entries(site).items():
        spans = entry.select("span.Z3988")
        assert len(spans) == 1
        kev = parse_qs(spans[0]["title"], strict_parsing=True)
        assert kev["ctx_ver"] == ["Z39.88-2004"]
        assert kev["rft_val_fmt"][0].startswith("info:ofi/fmt:kev:mtx:")
        assert all(k in ("ctx_ver", "rft_val_fmt", "rft_id") or k.startswith("rft.") for k in kev), kev
        assert kev["rft.date"][0][:4].isdigit()
    zhou = parse_qs(entries(site)["zhou2020"].select_one("span.Z3988")["title"])
    assert zhou["rft_val_fmt"] == ["info:ofi/fmt:kev:mtx:journal"]
    assert zhou["rft.atitle"] == ["Data Localization and Its Discontents"]
    assert zhou["rft.jtitle"] == ["Journal of Internet Policy"]
    assert (zhou["rft.aulast"], zhou["rft.aufirst"], zhou["rft.au"]) == (["Zhou"], ["Mei"], ["Okafor, Chidi"])
    assert zhou["rft.spage"] == ["45"] and zhou["rft.epage"] == ["67"]
    assert "info:doi/10.1234/jip.2020.045" in zhou["rft_id"]
    lee = parse_qs(entries(site)["lee2018"].select_one("span.Z3988")["title"])
    assert lee["rft_val_fmt"] == ["info:ofi/fmt:kev:mtx:book"] and lee["rft.genre"] == ["book"]
    assert lee["rft.btitle"] == ["AI Superpowers: China, Silicon Valley, and the New World Order"]


def alternates(built, page: str) -> dict[str, Path]:
    out = {}
    for link in built.soup(page).select('head link[rel="alternate"]'):
        if link.get("type") in (BIBTEX_MIME, CSL_MIME, "application/x-research-info-systems"):
            assert link["type"] not in out, "duplicate alternate"
            out[link["type"]] = resolve(built, page, link["href"])
    return out


def test_alternate_links_resolve_to_the_right_works(site):
    bib_alt = alternates(site, "bibliography/")
    assert {BIBTEX_MIME, CSL_MIME} <= set(bib_alt)
    assert list(parse_string(bib_alt[BIBTEX_MIME].read_text(encoding="utf-8"), "bibtex").entries) == CITED
    assert [i["id"] for i in json.loads(bib_alt[CSL_MIME].read_text(encoding="utf-8"))] == CITED
    for src in CONTENT:
        soup = soup_of(site, src)
        cited = {k for s in soup.select("article span.refsite-cite") for k in s["data-cites"].split()}
        alt = alternates(site, page_url(src))
        if not cited:
            assert alt == {}, src
            continue
        assert set(alt) == {BIBTEX_MIME, CSL_MIME}, src
        assert alt[BIBTEX_MIME].is_file() and alt[CSL_MIME].is_file()
        keys = list(parse_string(alt[BIBTEX_MIME].read_text(encoding="utf-8"), "bibtex").entries)
        assert set(keys) == cited and keys == [k for k in CITED if k in cited], src
        ids = [i["id"] for i in json.loads(alt[CSL_MIME].read_text(encoding="utf-8"))]
        assert ids == keys
    zeta = alternates(site, "zeta/")
    assert set(parse_string(zeta[BIBTEX_MIME].read_text(encoding="utf-8"), "bibtex").entries) == \
        {"abbott2019", "lee2018", "zhou2020"}


def page_meta(built, page: str) -> list[tuple[str, str]]:
    return [(m.get("name") or m.get("property"), m["content"])
            for m in built.soup(page).select('head meta[name^="DC."], head meta[property^="og:"]')]


def test_page_metadata_from_config_and_front_matter(site):
    zeta = page_meta(site, "zeta/")
    assert ("DC.title", "Zeta notes") in zeta
    assert [v for n, v in zeta if n == "DC.creator"] == ["Ann Author", "Bob Builder"]
    assert ("DC.date", "2024-03-05") in zeta
    assert ("DC.identifier", "https://example.org/bibscenario/zeta/") in zeta
    assert ("DC.publisher", "Scenario Press") in zeta      # extra.citation.publisher
    assert ("og:site_name", "Bibliography scenario") in zeta
    alpha = page_meta(site, "alpha/")
    assert ("DC.title", "Alpha page") in alpha
    assert [v for n, v in alpha if n == "DC.creator"] == ["Site Collective"]
    assert ("DC.date", "2023-06-01") in alpha
    for page in ("", "plain/"):
        assert page_meta(site, page), page
    assert page_meta(site, "bibliography/") == []
    box = soup_of(site, "zeta.md").select_one("details.refsite-citebox")
    text = box.select_one(".refsite-citebox__text").get_text()
    # the page as a reference in the site's style (Chicago author-date: title case)
    assert text == ("Author, Ann, and Bob Builder. 2024. \u201cZeta Notes.\u201d Bibliography Scenario, "
                    "Scenario Press, March 5. https://example.org/bibscenario/zeta/.")
    assert "https://example.org/bibscenario/zeta/" in text
    bib = parse_string(box.select_one("pre code").get_text(), "bibtex").entries
    (entry,) = bib.values()
    assert entry.fields["url"] == "https://example.org/bibscenario/zeta/"
    assert [str(p) for p in entry.persons["author"]] == ["Author, Ann", "Builder, Bob"]


# -- 4. in the browser ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def served(tmp_path_factory):
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    built = build_scenario(tmp_path_factory.mktemp("bibserved") / NAME, {"nav": NAV, "site_url": url})
    server = serve_dir_on(built.site, port)
    yield url, built
    server.shutdown()
    server.server_close()


@pytest.fixture
def clip_page(browser, served):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"], accept_downloads=True)
    yield watch_errors(context.new_page())
    context.close()


@pytest.mark.browser
def test_copy_download_search_and_cite_box(served, clip_page):
    url, built = served
    page = clip_page
    page.goto(url + "bibliography/")
    page.wait_for_load_state("networkidle")
    entry = page.locator('div.refsite-entry[data-key="zhou2020"]')
    # entries far from the screen are not laid out (content-visibility), and text "as shown" needs layout
    entry.scroll_into_view_if_needed()
    page.wait_for_function("e => e.innerText.trim() !== ''", arg=entry.locator("div.csl-entry").element_handle())
    # copy buttons: the entry's record from the site-wide .bib, and the reference as shown
    bib_text = (built.site / "bibliography.bib").read_text(encoding="utf-8")
    record = next(r for r in re.split(r"\n(?=@)", bib_text) if r.startswith("@article{zhou2020,"))
    shown = " ".join(entry.locator("div.csl-entry").inner_text().split())
    for label, expected in (("Copy BibTeX", record.rstrip() + "\n"), ("Copy reference", shown)):
        button = entry.locator("button.refsite-copy", has_text=label)
        page.evaluate("navigator.clipboard.writeText('')")
        button.click()
        page.wait_for_function("e => navigator.clipboard.readText().then(t => t === e)", arg=expected,
                               timeout=5000)
        assert page.evaluate("navigator.clipboard.readText()") == expected
    assert list(parse_string(record, "bibtex").entries) == ["zhou2020"]   # a whole, valid record
    # downloads
    with page.expect_download() as info:
        entry.locator("a.refsite-download", has_text="BibTeX").click()
    assert info.value.suggested_filename == "zhou2020.bib"
    assert Path(info.value.path()).read_text(encoding="utf-8") == record.rstrip() + "\n"
    with page.expect_download() as info:
        entry.locator("a.refsite-download", has_text="RIS").click()
    download = info.value
    assert download.suggested_filename == "zhou2020.ris"
    text = Path(download.path()).read_text(encoding="utf-8")
    assert text.startswith("TY  - JOUR") and "ID  - zhou2020" in text and "ER  -" in text
    assert text.count("TY  - ") == 1, "only this entry's record"
    site_ris = {r["ID"][0]: r for r in parse_ris((built.site / "bibliography.ris").read_text(encoding="utf-8"))}
    assert parse_ris(text) == [site_ris["zhou2020"]]
    with page.expect_download() as info:
        entry.locator("a.refsite-download", has_text="CSL-JSON").click()
    assert info.value.suggested_filename == "zhou2020.json"
    item = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    site_items = {i["id"]: i for i in json.loads((built.site / "bibliography.json").read_text(encoding="utf-8"))}
    assert item == site_items["zhou2020"]
    # search a surname from the home page; the result leads to the entry
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.keyboard.press("/")
    page.locator("input.md-search__input").type("Okafor", delay=40)
    result = page.locator('.md-search-result a[href$="bibliography/#ref-zhou2020"]').first
    result.wait_for(timeout=15000)
    result.click()
    page.wait_for_url(re.compile(r"bibliography/#ref-zhou2020$"))
    heading = page.locator("#ref-zhou2020")
    heading.wait_for()
    page.wait_for_function(
        "() => { const r = document.getElementById('ref-zhou2020').getBoundingClientRect();"
        " return r.top >= 0 && r.top < window.innerHeight; }", timeout=5000)
    # "Cite this page"
    page.goto(url + "zeta/")
    page.wait_for_load_state("networkidle")
    box = page.locator("details.refsite-citebox")
    assert not box.locator(".refsite-citebox__text").is_visible()
    box.locator("summary").click()
    text = box.locator(".refsite-citebox__text")
    text.wait_for(state="visible")
    content = text.text_content()
    assert "Zeta Notes" in content and url + "zeta/" in content
    copy = box.locator("button.refsite-copy", has_text="Copy citation")
    copy.click()
    page.wait_for_function("e => navigator.clipboard.readText().then(t => t === e)",
                           arg=copy.get_attribute("data-copy"), timeout=5000)
    assert page.js_errors == []


def test_crossref_child_is_exported_as_written_with_its_parent(make_site):
    """A cited chapter keeps its own fields in the exported BibTeX (its parent's are not copied into
    it), and the parent entry comes along so that any reader resolves the crossref."""
    bib = ("@incollection{chap, author = {Doe, Jane}, title = {A Chapter}, pages = {1--10}, crossref = {book}}\n"
           "@collection{book, editor = {Roe, Max}, title = {The Book}, publisher = {Press}, year = {2001},"
           " doi = {10.1/book}}\n")
    built = make_site({"content/index.md": "# Home\n\nAs shown [@chap].\n", "bibliography/refs.bib": bib})
    exported = (built.site / "bibliography.bib").read_text(encoding="utf-8")
    entries = parse_string(exported, "bibtex").entries
    assert list(entries) == ["chap", "book"]
    assert set(entries["chap"].fields) == {"title", "pages", "crossref"}          # as written
    assert "doi" not in entries["chap"].fields and "editor" not in entries["chap"].persons
    page_bib = parse_string((built.site / "references-index.bib").read_text(encoding="utf-8"), "bibtex")
    assert list(page_bib.entries) == ["chap", "book"]
    entry = built.soup("bibliography/").select_one('div.refsite-entry[data-key="chap"] div.csl-entry')
    assert "The Book" in entry.get_text() and "Roe" in entry.get_text()         # the page still inherits


def test_the_author_index_lists_people_not_et_al(flagship_site):
    """BibTeX's "and others" is no author: the flagship's author index (read from the item model)
    lists Woetzel, not "others"."""
    soup = flagship_site.soup("bibliography/")
    names = [li.select_one(".refsite-index__name").get_text() for li in soup.select("ul.refsite-index > li")]
    assert "Woetzel, Jonathan" in names and "Knockel" in names
    assert "others" not in names
