"""Unit tests for refsite.exports: every format is parsed back with a real parser."""

from __future__ import annotations

import html
import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs

import pybtex.errors
import pytest
from pybtex.database import BibliographyData, Entry, Person, parse_file, parse_string

from refsite.items import ItemModel
from refsite.exports import (
    bibtex_entry,
    bibtex_file,
    cite_page_bibtex,
    coins_title,
    csl_json,
    csl_json_item,
    index_entry,
    page_item,
    page_meta_tags,
    ris_file,
    ris_record,
)

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "bib-corpus"

SAMPLE = r"""
@article{smith2020,
  author = {Smith, John and de la Fontaine, Jean and M{\"u}ller, Jr., J{\"o}rg},
  title = {On {\'E}cole {DNA}: the {\TeX}book \emph{revisited}},
  journal = {Journal of {Things}},
  year = {2020}, month = mar,
  volume = {12}, number = {3}, pages = {45--67},
  doi = {10.1234/abc.def}, url = {https://example.org/paper?a=1&b=2},
  issn = {1234-5678}, publisher = {Pub},
  x-private = {secret note}, X-Rating = {5}
}
@book{worldbank2019,
  author = {{World Bank}},
  title = {World Development Report},
  publisher = {World Bank Publications}, address = {Washington, DC},
  date = {2019-10-05}, isbn = {978-1-4648-1328-3}
}
@incollection{chap,
  author = {Ann Author}, editor = {Eddie Editor and {UNESCO}},
  title = {A Chapter}, booktitle = {The Big Book}, year = 1999, pages = {1--10},
  publisher = {P}, address = {London}
}
@inproceedings{conf, author = {Carla Conf}, title = {A Paper}, booktitle = {Proc. of Things}, year = {2001}}
@phdthesis{thesis, author = {Theo Thesis}, title = {My Thesis}, school = {MIT}, year = {1990}}
@techreport{report, author = {Rita Report}, title = {A Report}, institution = {NASA}, number = {TR-7},
  year = {2005}}
@misc{nodate, title = {No Date Here}}
@online{web, author = {Wendy Web}, title = {A Web Page}, url = {http://example.com/page}, date = {2021-04},
  urldate = {2022-01-02}}
@unpublished{unpub, author = {Una Published}, title = {Draft}, note = {In preparation}, year = {2023}}
@manual{man, title = {The Manual}, organization = {ACME}, year = {2010}}
@weirdtype{weird, title = {Strange}, year = {2000}}
"""

HOSTILE = r"""
@article{evil,
  author = {<script>alert(1)</script> and O'Brien, "Quote"},
  title = {<script>alert("x")</script> & "quotes" 'single' </span>},
  journal = {J<b>bold</b>},
  year = {2020},
  url = {javascript:alert(1)},
  doi = {javascript:alert(1)},
  note = {line1
line2 TY  - BOOK}
}
@misc{evil2, title = {Data}, url = {data:text/html;base64,PHNjcmlwdD4=}, year = {2020}}
@misc{evil3, title = {Spaces}, url = {http://exa mple.com/"><script>}, year = {2020}}
@misc{evil4, title = {Rel}, url = {//evil.example.com/x}, howpublished = {\url{javascript:alert(1)}}}
@misc{evil5, title = {Vb}, url = {  JaVaScRiPt:alert(1)}}
"""

URL_KEYS_CSL = ("URL",)


def model_items(entries) -> list[dict]:
    """The item model's items for reference managers (what the site exports from), in order."""
    return [item.csl for _, item in ItemModel(entries, as_written=True).items()]


def model_item(entries, key) -> dict:
    return ItemModel(entries, as_written=True).csl(key)


@pytest.fixture(scope="module")
def sample():
    return parse_string(SAMPLE, "bibtex").entries


@pytest.fixture(scope="module")
def hostile():
    return parse_string(HOSTILE, "bibtex").entries


def _fields_without_x(entry):
    return {k.lower(): v for k, v in entry.fields.items() if not k.lower().startswith("x-")}


def _persons(entry):
    return {r.lower(): [str(p) for p in ps] for r, ps in entry.persons.items()}


def parse_ris(text: str) -> list[list[tuple[str, str]]]:
    """A small strict RIS reader: every line is 'XX  - value'; records end with ER."""
    records, cur = [], None
    for line in text.split("\n"):
        if not line.strip():
            continue
        assert len(line) >= 6 and line[2:6] == "  - ", f"bad RIS line {line!r}"
        tag, value = line[:2], line[6:]
        assert tag.isalnum() and tag.isupper() or tag[1].isdigit(), tag
        if tag == "TY":
            assert cur is None, "TY inside a record"
            cur = [(tag, value)]
        elif tag == "ER":
            assert cur is not None
            cur.append((tag, value))
            records.append(cur)
            cur = None
        else:
            assert cur is not None, f"tag {tag} outside record"
            cur.append((tag, value))
    assert cur is None, "unterminated record"
    return records


def ris_tags(record, tag):
    return [v for t, v in record if t == tag]


class _SpanTitle(HTMLParser):
    def __init__(self):
        super().__init__()
        self.titles = []
        self.metas = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "span" and a.get("class") == "Z3988":
            self.titles.append(a.get("title"))
        if tag == "meta":
            self.metas.append((a.get("name"), a.get("content")))


def coins_roundtrip(title: str) -> dict[str, list[str]]:
    """Embed as the caller does (HTML-escaped attribute), parse the HTML, then the query string."""
    p = _SpanTitle()
    p.feed(f'<p><span class="Z3988" title="{html.escape(title, quote=True)}"></span></p>')
    p.close()
    assert p.titles == [title]
    q = parse_qs(p.titles[0], keep_blank_values=True, strict_parsing=True)
    assert q["ctx_ver"] == ["Z39.88-2004"]
    assert q["rft_val_fmt"][0].startswith("info:ofi/fmt:kev:mtx:")
    return q


def _is_http(u: str) -> bool:
    return u.startswith(("http://", "https://"))


# --------------------------------------------------------------------------------------------------
# BibTeX
# --------------------------------------------------------------------------------------------------


def test_bibtex_roundtrip_same_key_and_fields(sample):
    for key, entry in sample.items():
        text = bibtex_entry(key, entry)
        back = parse_string(text, "bibtex").entries
        assert list(back.keys()) == [key]
        b = back[key]
        assert b.type == entry.type
        assert _fields_without_x(b) == _fields_without_x(entry)
        assert _persons(b) == _persons(entry)


def test_bibtex_drops_x_fields(sample):
    text = bibtex_entry("smith2020", sample["smith2020"])
    assert "x-private" not in text.lower() and "secret note" not in text
    assert "X-Rating" not in text
    back = parse_string(text, "bibtex").entries["smith2020"]
    assert not any(k.lower().startswith("x-") for k in back.fields)


def test_bibtex_keeps_original_values_not_rendering(sample):
    text = bibtex_entry("smith2020", sample["smith2020"])
    back = parse_string(text, "bibtex").entries["smith2020"]
    assert back.fields["title"] == r"On {\'E}cole {DNA}: the {\TeX}book \emph{revisited}"
    assert back.fields["url"] == "https://example.org/paper?a=1&b=2"
    names = [str(p) for p in back.persons["author"]]
    assert names == ["Smith, John", "de la Fontaine, Jean", 'M{\\"u}ller, Jr., J{\\"o}rg']
    p = back.persons["author"][1]
    assert p.prelast_names == ["de", "la"] and p.last_names == ["Fontaine"]


def test_bibtex_corporate_author_roundtrip(sample):
    back = parse_string(bibtex_entry("worldbank2019", sample["worldbank2019"]), "bibtex")
    (p,) = back.entries["worldbank2019"].persons["author"]
    assert p.last_names == ["{World Bank}"] and not p.first_names


def test_bibtex_file_order_is_callers(sample):
    keys = list(reversed(list(sample.keys())))
    ordered = {k: sample[k] for k in keys}
    text = bibtex_file(ordered)
    back = parse_string(text, "bibtex")
    assert list(back.entries.keys()) == keys
    assert bibtex_file(ordered) == text  # deterministic


def test_bibtex_stable_field_order(sample):
    text = bibtex_entry("smith2020", sample["smith2020"])
    names = [line.split("=")[0].strip() for line in text.splitlines()[1:-1]]
    assert names[:2] == ["author", "title"]
    assert names.index("journal") < names.index("year") < names.index("volume")


def test_bibtex_programmatic_hostile_entries_are_still_valid():
    e = Entry(
        "article",
        fields={"title": "Unbalanced {brace", "note": "close } early", "x-drop": "z", "url": 'a"b'},
        persons={"author": [Person("Plato"), Person(first="Only")]},
    )
    text = bibtex_entry("weird key,with}chars", e)
    back = parse_string(text, "bibtex")
    assert len(back.entries) == 1
    (b,) = back.entries.values()
    assert set(b.fields) == {"title", "note", "url"}


def test_bibtex_hostile_is_data(hostile):
    text = bibtex_file(hostile)
    back = parse_string(text, "bibtex")
    assert list(back.entries) == list(hostile)
    for k in hostile:
        assert _fields_without_x(back.entries[k]) == _fields_without_x(hostile[k])


# --------------------------------------------------------------------------------------------------
# CSL-JSON
# --------------------------------------------------------------------------------------------------


def test_csl_article(sample):
    item = json.loads(csl_json(model_items({"smith2020": sample["smith2020"]})))[0]
    assert item["id"] == "smith2020"
    assert item["type"] == "article-journal"
    assert item["title"] == "On École DNA: the TeXbook <i>revisited</i>"    # CSL-JSON rich text
    assert item["author"] == [
        {"family": "Smith", "given": "John"},
        {"family": "de la Fontaine", "given": "Jean"},       # the particle in the family: Zotero keeps it
        {"family": "Müller", "given": "Jörg", "suffix": "Jr."},
    ]
    assert item["issued"] == {"date-parts": [[2020, 3]]}
    assert item["container-title"] == "Journal of Things"
    assert item["volume"] == "12" and item["issue"] == "3" and item["page"] == "45-67"
    assert item["DOI"] == "10.1234/abc.def"
    assert item["URL"] == "https://example.org/paper?a=1&b=2"
    assert item["ISSN"] == "1234-5678"
    assert not any("secret" in str(v) for v in item.values())


def test_csl_corporate_and_full_date(sample):
    item = csl_json_item(model_item(sample, "worldbank2019"))
    assert item["type"] == "book"
    assert item["author"] == [{"literal": "World Bank"}]
    assert item["issued"] == {"date-parts": [[2019, 10, 5]]}
    assert item["publisher-place"] == "Washington, DC"
    assert item["ISBN"] == "978-1-4648-1328-3"


@pytest.mark.parametrize(
    ("key", "csl_type"),
    [
        ("smith2020", "article-journal"),
        ("worldbank2019", "book"),
        ("chap", "chapter"),
        ("conf", "paper-conference"),
        ("thesis", "thesis"),
        ("report", "report"),
        ("nodate", "document"),
        ("web", "webpage"),
        ("unpub", "manuscript"),
        ("man", "book"),
        ("weird", "document"),
    ],
)
def test_csl_types(sample, key, csl_type):
    item = json.loads(json.dumps(csl_json_item(model_item(sample, key))))
    assert item["id"] == key and item["type"] == csl_type and item["title"]


def test_csl_details_per_type(sample):
    chap = csl_json_item(model_item(sample, "chap"))
    assert chap["container-title"] == "The Big Book"
    assert chap["editor"] == [{"family": "Editor", "given": "Eddie"}, {"literal": "UNESCO"}]
    assert csl_json_item(model_item(sample, "thesis"))["publisher"] == "MIT"
    assert csl_json_item(model_item(sample, "thesis"))["genre"] == "PhD thesis"
    rep = csl_json_item(model_item(sample, "report"))
    assert rep["publisher"] == "NASA" and rep["number"] == "TR-7"
    web = csl_json_item(model_item(sample, "web"))
    assert web["issued"] == {"date-parts": [[2021, 4]]} and web["accessed"] == {"date-parts": [[2022, 1, 2]]}
    assert csl_json_item(model_item(sample, "man"))["publisher"] == "ACME"


def test_csl_missing_year_and_authors(sample):
    item = csl_json_item(model_item(sample, "nodate"))
    assert "issued" not in item and "author" not in item
    assert item["title"] == "No Date Here"


def test_csl_json_deterministic_and_ordered(sample):
    a, b = csl_json(model_items(sample)), csl_json(model_items(sample))
    assert a == b
    assert [i["id"] for i in json.loads(a)] == list(sample)
    assert "\\u00e9" not in a and "É" in a  # ensure_ascii=False


@pytest.mark.parametrize("name", ["biblatex-examples.bib", "xampl.bib"])
def test_csl_json_is_json_dumps_of_the_items(name, sample):
    """csl_json joins cached per-entry texts; it must read exactly like json.dumps of the list,
    for the whole file, for a subset (a per-page file) and again from the cache."""
    entries = parse_file(str(CORPUS / name)).entries
    for subset in (entries, dict(list(entries.items())[5:12]), sample, {}):
        expected = json.dumps([csl_json_item(i) for i in model_items(subset)],
                              ensure_ascii=False, indent=2).replace("</", "<\\/")
        assert csl_json(model_items(subset)) == expected
        assert csl_json(model_items(subset)) == expected


def test_csl_hostile(hostile):
    text = csl_json(model_items(hostile))
    items = json.loads(text)
    assert "</" not in text  # safe to inline in <script>
    evil = items[0]
    assert "URL" not in evil and "DOI" not in evil
    assert "<script>" in evil["title"]  # data is kept; escaping is the caller's job
    for item in items:
        assert _is_http(item.get("URL", "http://"))
        assert "URL" not in item


# --------------------------------------------------------------------------------------------------
# RIS
# --------------------------------------------------------------------------------------------------


def test_ris_article(sample):
    (rec,) = parse_ris(ris_record(model_item(sample, "smith2020")))
    assert rec[0] == ("TY", "JOUR") and rec[-1] == ("ER", "")
    assert ris_tags(rec, "ID") == ["smith2020"]
    assert ris_tags(rec, "AU") == ["Smith, John", "de la Fontaine, Jean", "Müller, Jörg, Jr."]
    assert ris_tags(rec, "TI") == ["On École DNA: the TeXbook revisited"]
    assert ris_tags(rec, "T2") == ["Journal of Things"]
    assert ris_tags(rec, "PY") == ["2020"] and ris_tags(rec, "DA") == ["2020/03"]
    assert ris_tags(rec, "SP") == ["45"] and ris_tags(rec, "EP") == ["67"]
    assert ris_tags(rec, "VL") == ["12"] and ris_tags(rec, "IS") == ["3"]
    assert ris_tags(rec, "DO") == ["10.1234/abc.def"]
    assert ris_tags(rec, "UR") == ["https://example.org/paper?a=1&b=2"]
    assert ris_tags(rec, "SN") == ["1234-5678"]


def test_ris_record_shape(sample):
    text = ris_record(model_item(sample, "chap"))
    assert text.startswith("TY  - ") and text.endswith("ER  - \n\n")


@pytest.mark.parametrize(
    ("key", "ty"),
    [
        ("smith2020", "JOUR"),
        ("worldbank2019", "BOOK"),
        ("chap", "CHAP"),
        ("conf", "CPAPER"),
        ("thesis", "THES"),
        ("report", "RPRT"),
        ("nodate", "AGGR"),
        ("web", "ELEC"),
        ("unpub", "UNPB"),
        ("man", "BOOK"),
        ("weird", "AGGR"),
    ],
)
def test_ris_types(sample, key, ty):
    (rec,) = parse_ris(ris_record(model_item(sample, key)))
    assert rec[0] == ("TY", ty)
    assert ris_tags(rec, "TI")


def test_ris_editors_corporate_and_missing_year(sample):
    (chap,) = parse_ris(ris_record(model_item(sample, "chap")))
    assert ris_tags(chap, "A2") == ["Editor, Eddie", "UNESCO"]
    (wb,) = parse_ris(ris_record(model_item(sample, "worldbank2019")))
    assert ris_tags(wb, "AU") == ["World Bank"] and ris_tags(wb, "DA") == ["2019/10/05"]
    (nd,) = parse_ris(ris_record(model_item(sample, "nodate")))
    assert not ris_tags(nd, "PY") and not ris_tags(nd, "AU")


def test_ris_file_all_records(sample):
    recs = parse_ris(ris_file(model_items(sample)))
    assert [ris_tags(r, "ID")[0] for r in recs] == list(sample)


def test_ris_hostile(hostile):
    recs = parse_ris(ris_file(model_items(hostile)))  # a newline in a value cannot forge a tag line
    assert len(recs) == len(hostile)
    for rec in recs:
        assert all(_is_http(u) for u in ris_tags(rec, "UR"))
        assert not ris_tags(rec, "UR") and not ris_tags(rec, "DO")
    assert ris_tags(recs[0], "N1") == ["line1 line2 TY - BOOK"]


# --------------------------------------------------------------------------------------------------
# COinS
# --------------------------------------------------------------------------------------------------


def test_coins_article(sample):
    q = coins_roundtrip(coins_title(model_item(sample, "smith2020")))
    assert q["rft_val_fmt"] == ["info:ofi/fmt:kev:mtx:journal"]
    assert q["rft.genre"] == ["article"]
    assert q["rft.atitle"] == ["On École DNA: the TeXbook revisited"]
    assert q["rft.jtitle"] == ["Journal of Things"]
    assert q["rft.aulast"] == ["Smith"] and q["rft.aufirst"] == ["John"]
    # the first author once (aulast/aufirst), the others as au: Zotero reads both forms, so repeating
    # the first in au would duplicate it
    assert q["rft.au"] == ["de la Fontaine, Jean", "Müller, Jörg, Jr."]
    assert q["rft.date"] == ["2020-03"]
    assert q["rft.volume"] == ["12"] and q["rft.issue"] == ["3"]
    assert q["rft.spage"] == ["45"] and q["rft.epage"] == ["67"] and q["rft.pages"] == ["45-67"]
    assert q["rft_id"] == ["info:doi/10.1234/abc.def", "https://example.org/paper?a=1&b=2"]
    assert q["rft.issn"] == ["1234-5678"]


def test_coins_book_and_others(sample):
    q = coins_roundtrip(coins_title(model_item(sample, "worldbank2019")))
    assert q["rft_val_fmt"] == ["info:ofi/fmt:kev:mtx:book"] and q["rft.genre"] == ["book"]
    assert q["rft.btitle"] == ["World Development Report"]
    assert q["rft.aucorp"] == ["World Bank"] and "rft.aulast" not in q
    assert q["rft.isbn"] == ["978-1-4648-1328-3"] and q["rft.date"] == ["2019-10-05"]
    assert q["rft.pub"] == ["World Bank Publications"] and q["rft.place"] == ["Washington, DC"]
    genres = {k: coins_roundtrip(coins_title(model_item(sample, k)))["rft.genre"][0] for k in sample}
    assert genres["chap"] == "bookitem" and genres["conf"] == "proceeding"
    assert genres["report"] == "report" and genres["nodate"] == "document"
    chap = coins_roundtrip(coins_title(model_item(sample, "chap")))
    assert chap["rft.atitle"] == ["A Chapter"] and chap["rft.btitle"] == ["The Big Book"]
    nd = coins_roundtrip(coins_title(model_item(sample, "nodate")))
    assert "rft.date" not in nd and "rft.au" not in nd


def test_coins_hostile(hostile):
    for key, entry in hostile.items():
        q = coins_roundtrip(coins_title(model_item(hostile, key)))
        for rid in q.get("rft_id", []):
            assert _is_http(rid) or rid.startswith("info:doi/10.")
        assert "rft_id" not in q
    q = coins_roundtrip(coins_title(model_item(hostile, "evil")))
    # read as LaTeX (as Pandoc reads it): 'single' is typeset with typographic apostrophes
    assert q["rft.atitle"] == ["<script>alert(\"x\")</script> & \"quotes\" \u2019single\u2019 </span>"]


# --------------------------------------------------------------------------------------------------
# never raise: odd programmatic entries
# --------------------------------------------------------------------------------------------------

ODD_ENTRIES = [
    Entry("article"),
    Entry("", fields={"title": ""}),
    Entry("book", fields={"year": "circa 1900", "month": "Smarch", "pages": "--"}),
    Entry("misc", fields={"date": "not-a-date", "doi": "nonsense", "url": ""}),
    Entry("misc", fields={"date": "2020-13-45/2021", "title": "\\", "author": "Solo Field"}),
    Entry("online", fields={"title": "}{", "url": "http://"}),
    Entry("article", persons={"author": [Person("others")], "editor": []}),
    Entry("article", fields={"title": "\x00\x07ctl\ud800", "x-": "drop"}),
    Entry("inbook", fields={"crossref": "missing"}),
]


@pytest.mark.parametrize("entry", ODD_ENTRIES)
def test_odd_entries_never_raise(entry):
    data = {"odd": entry}
    back = parse_string(bibtex_file(data), "bibtex")
    assert len(back.entries) == 1
    item = json.loads(csl_json(model_items(data)))[0]
    assert item["id"] == "odd" and item["type"]
    parse_ris(ris_file(model_items(data)))
    coins_roundtrip(coins_title(model_item(data, "odd")))


def test_missing_year_text_becomes_literal():
    """A year that is not a date is kept as text; "forthcoming" is a status (as Pandoc reads it)."""
    e = Entry("book", fields={"title": "T", "year": "circa 1900s"})
    assert csl_json_item(model_item({"k": e}, "k"))["issued"] == {"literal": "circa 1900s"}
    (rec,) = parse_ris(ris_record(model_item({"k": e}, "k")))
    assert ris_tags(rec, "PY") == ["circa 1900s"]
    e = Entry("book", fields={"title": "T", "year": "forthcoming"})
    exported = csl_json_item(model_item({"k": e}, "k"))
    assert exported["status"] == "forthcoming" and "issued" not in exported


def test_crossref_inheritance_with_mapping():
    data = parse_string(
        """@inproceedings{child, author={A B}, title={Child}, crossref={parent}, pages={1--2}}
           @proceedings{parent, title={Parent Proc}, year={1999}, editor={E D}, publisher={P}}""",
        "bibtex",
    ).entries
    item = json.loads(csl_json(model_items(data)))[0]
    assert item["container-title"] == "Parent Proc"
    assert item["issued"] == {"date-parts": [[1999]]}
    assert item["editor"] == [{"family": "D", "given": "E"}]
    assert item["title"] == "Child"


# --------------------------------------------------------------------------------------------------
# Highwire meta and "Cite this page"
# --------------------------------------------------------------------------------------------------

PAGE = {
    "title": "Glossary: Ἀλήθεια & <Truth>",
    "authors": ["Ada Lovelace", "Charles Babbage", "Mary Somerville"],
    "date": "2024-03-07",
    "url": "https://example.org/glossary/aletheia/",
    "site_name": "Refsite Demo",
    "language": "en",
}


def test_page_meta_tags_parse_as_html():
    tags = page_meta_tags(PAGE)
    assert tags == [
        ("name", "DC.title", PAGE["title"]),
        ("name", "DC.creator", "Ada Lovelace"),
        ("name", "DC.creator", "Charles Babbage"),
        ("name", "DC.creator", "Mary Somerville"),
        ("name", "DC.date", "2024-03-07"),
        ("name", "DC.publisher", "Refsite Demo"),
        ("name", "DC.language", "en"),
        ("name", "DC.identifier", "https://example.org/glossary/aletheia/"),
        ("name", "DC.type", "Text"),
        ("property", "og:site_name", "Refsite Demo"),
        ("property", "og:title", PAGE["title"]),
        ("property", "og:url", "https://example.org/glossary/aletheia/"),
    ]
    markup = "".join(f'<meta name="{html.escape(n)}" content="{html.escape(c)}">' for _, n, c in tags)
    p = _SpanTitle()
    p.feed(f"<head>{markup}</head>")
    assert p.metas == [(n, c) for _, n, c in tags]


def test_page_meta_tags_omit_empty_and_unsafe_and_keep_organisations_whole():
    tags = page_meta_tags({"title": "T", "authors": [], "date": "", "url": "javascript:alert(1)",
                           "site_name": "", "language": ""})  # fmt: skip
    assert tags == [("name", "DC.title", "T"), ("name", "DC.type", "Text"), ("property", "og:title", "T")]
    assert page_meta_tags({}) == []
    # an organisation (in braces) ends with a comma: Zotero keeps it as one name
    assert ("name", "DC.creator", "World Bank, Poverty and Equity Global Practice,") in page_meta_tags(
        {"authors": ["{World Bank, Poverty and Equity Global Practice}"]})


def test_cite_page_item_and_bibtex():
    item = page_item(PAGE, "glossary/aletheia.md")
    assert item == {
        "id": "glossary/aletheia.md", "type": "webpage", "title": PAGE["title"],
        "author": [{"family": "Lovelace", "given": "Ada"}, {"family": "Babbage", "given": "Charles"},
                   {"family": "Somerville", "given": "Mary"}],
        "container-title": "Refsite Demo", "issued": {"date-parts": [[2024, 3, 7]]},
        "URL": PAGE["url"], "language": "en"}
    bib = cite_page_bibtex(PAGE)
    entries = parse_string(bib, "bibtex").entries
    assert list(entries) == ["aletheia-2024"]
    e = entries["aletheia-2024"]
    assert e.type == "online"
    assert [str(p) for p in e.persons["author"]] == ["Lovelace, Ada", "Babbage, Charles", "Somerville, Mary"]
    assert e.fields["url"] == PAGE["url"] and e.fields["year"] == "2024"
    assert e.fields["organization"] == "{Refsite Demo}"           # never split at "and"
    # the title survives a LaTeX → text round trip
    item = csl_json_item(model_item({"aletheia-2024": e}, "aletheia-2024"))
    assert item["title"] == PAGE["title"] and item["type"] == "webpage"


def test_cite_page_minimal_and_hostile():
    meta = {"title": 'Why "quotes"?', "url": "javascript:alert(1)", "site_name": "S"}
    # no author given: the site is the author (and not its own container)
    assert page_item(meta) == {"id": "page", "type": "webpage", "title": 'Why "quotes"?',
                               "author": [{"literal": "S"}]}
    bib = cite_page_bibtex(meta)
    assert "javascript" not in bib
    e = next(iter(parse_string(bib, "bibtex").entries.values()))
    assert "url" not in e.fields
    assert page_item({}) == {"id": "page", "type": "webpage"}
    assert len(parse_string(cite_page_bibtex({}), "bibtex").entries) == 1
    meta = {"title": "100% {braces} & $x_1$ \\cmd", "authors": ["Smith, J. and Co", "{ACME and Sons}"],
            "date": "2020-05", "url": "http://x.org"}  # fmt: skip
    item = page_item(meta)
    assert item["issued"] == {"date-parts": [[2020, 5]]}
    assert item["author"][1] == {"literal": "ACME and Sons"}
    e = next(iter(parse_string(cite_page_bibtex(meta), "bibtex").entries.values()))
    assert len(e.persons["author"]) == 2
    assert csl_json_item(model_item({"k": e}, "k"))["title"] == "100% {braces} & $x_1$ \\cmd"


# --------------------------------------------------------------------------------------------------
# real-world corpora
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=["biblatex-examples.bib", "xampl.bib"])
def corpus(request):
    path = CORPUS / request.param
    if not path.exists():
        pytest.fail(f"{path} not available")
    old = pybtex.errors.strict
    pybtex.errors.set_strict_mode(False)
    try:
        data = parse_file(str(path), "bibtex")
    finally:
        pybtex.errors.set_strict_mode(old)
    return data.entries


def test_corpus_all_functions(corpus):
    assert len(corpus) > 30
    text = bibtex_file(corpus)
    old = pybtex.errors.strict
    pybtex.errors.set_strict_mode(False)
    try:
        back = parse_string(text, "bibtex").entries
    finally:
        pybtex.errors.set_strict_mode(old)
    assert len(back) == len(corpus)
    for key, entry in corpus.items():
        assert _fields_without_x(back[key]) == _fields_without_x(entry)
        assert _persons(back[key]) == _persons(entry)

    items = json.loads(csl_json(model_items(corpus)))
    assert [i["id"] for i in items] == list(corpus)
    for item in items:
        assert isinstance(item["type"], str) and item["type"]
        assert _is_http(item.get("URL", "http://"))

    recs = parse_ris(ris_file(model_items(corpus)))
    assert len(recs) == len(corpus)
    for key, entry in corpus.items():
        q = coins_roundtrip(coins_title(model_item(corpus, key)))
        assert any(k.startswith("rft.") for k in q)
        assert parse_string(bibtex_entry(key, entry), "bibtex").entries.keys() == {key}
        csl_json_item(model_item(corpus, key))
        ris_record(model_item(corpus, key))


def test_corpus_known_entries():
    path = CORPUS / "biblatex-examples.bib"
    if not path.exists():
        pytest.fail("corpus not available")
    old = pybtex.errors.strict
    pybtex.errors.set_strict_mode(False)
    try:
        data = parse_file(str(path), "bibtex").entries
    finally:
        pybtex.errors.set_strict_mode(old)
    aksin = csl_json_item(model_item(data, "aksin"))
    assert aksin["author"][0] == {"family": "Aksın", "given": "Özge"}
    assert aksin["author"][3] == {"family": "Çetinkaya", "given": "Bekir"}
    assert aksin["container-title"] == "J.\xa0Organomet. Chem."     # a tie (~) is a no-break space
    markey = csl_json_item(model_item(data, "markey"))
    assert markey["type"] == "webpage" and markey["issued"] == {"date-parts": [[2005, 10, 16]]}
    assert markey["language"] == "en-US"        # langid english, as Pandoc reads it
    space = csl_json_item(model_item(data, "westfahl:space"))
    assert space["container-title"] == "Space and Beyond: The Frontier Theme in Science Fiction"


def test_bibliography_data_is_a_mapping_input():
    bd = BibliographyData({"a": Entry("misc", fields={"title": "A"})})
    assert json.loads(csl_json(model_items(bd.entries)))[0]["id"] == "a"


# -- what Zotero's translators make of the exports (issue 14) -----------------------------------------

def test_month_macro_is_exported_as_a_macro():
    from refsite.exports import bibtex_entry

    data = parse_string("@article{a, title={T}, month=aug, year=2020}\n@article{b, title={U}, month={Summer}}",
                        "bibtex")
    assert "  month = aug" in bibtex_entry("a", data.entries["a"])          # biber and pandoc read it
    assert "  month = {Summer}" in bibtex_entry("b", data.entries["b"])     # not a month name: as written


def test_ris_report_number_goes_to_sn_and_no_isbn_is_misread():
    from refsite.exports import ris_record

    data = parse_string("@techreport{r, title={R}, institution={I}, number={WP-7}, isbn={978-3-16-148410-0},"
                        " year=2020}\n@misc{m, title={M}, year=2020}", "bibtex")
    report = ris_record(model_item(data.entries, "r")).splitlines()
    assert "SN  - WP-7" in report and not any("978-3" in line for line in report)
    assert ris_record(model_item(data.entries, "m")).startswith("TY  - AGGR")   # Zotero: a document, not an article


def test_coins_document_title_and_single_field_organisations():
    from refsite.exports import coins_title

    data = parse_string("@misc{m, author={{Rhodium Group} and Doe, Jane and {World Bank}}, title={A Title}, year=2020}",
                        "bibtex")
    q = parse_qs(coins_title(model_item(data.entries, "m")))
    assert q["rft.genre"] == ["document"] and q["rft.title"] == ["A Title"] and "rft.btitle" not in q
    assert q["rft.aucorp"] == ["Rhodium Group", "World Bank"] and q["rft.au"] == ["Doe, Jane"]
    assert "rft.aulast" not in q


def test_et_al_and_howpublished_reach_every_format():
    """BibTeX's "and others" and howpublished are kept: CSL-JSON and RIS carry "others" as Zotero
    imports it from BibTeX (COinS, read by Zotero as creators, leave it out), and howpublished is
    the publisher (biblatex and Pandoc read it so)."""
    data = parse_string("""@misc{m, author = {Woetzel, Jonathan and others},
        title = {T}, howpublished = {Client Alert}, year = {2020}}""", "bibtex").entries
    exported = csl_json_item(model_item(data, "m"))
    assert exported["author"] == [{"family": "Woetzel", "given": "Jonathan"}, {"literal": "others"}]
    assert exported["publisher"] == "Client Alert" and exported["type"] == "document"
    (rec,) = parse_ris(ris_record(model_item(data, "m")))
    assert ris_tags(rec, "AU") == ["Woetzel, Jonathan", "others"] and ris_tags(rec, "PB") == ["Client Alert"]
    q = parse_qs(coins_title(model_item(data, "m")))
    assert q["rft.aulast"] == ["Woetzel"] and "rft.au" not in q and "rft.aucorp" not in q


def test_titles_keep_their_case_and_latex_quotes_are_decoded():
    """Exports carry titles as written (the site's formatter sentence-cases English titles, as
    Pandoc does for its citeproc), with TeX quotes read as typographic ones (CSL rich text: outer quotes)."""
    data = parse_string("""@article{n, title = {The `{China}' Question in Mobile Internet Standard-Making},
        journal = {New Media {\\&} Society}, year = {2021}}""", "bibtex").entries
    exported = csl_json_item(model_item(data, "n"))
    assert exported["title"] == "The \u201cChina\u201d Question in Mobile Internet Standard-Making"
    assert exported["container-title"] == "New Media & Society"
    assert "title-short" not in exported
    (rec,) = parse_ris(ris_record(model_item(data, "n")))
    assert ris_tags(rec, "TI") == ["The \u201cChina\u201d Question in Mobile Internet Standard-Making"]
    assert ItemModel(data).csl("n")["title"].startswith("The \u201cChina\u201d question in mobile")


def test_index_entry_names_year_and_title():
    """What the bibliography's author and year indexes list, read from the item model: "and
    others" is no author, editors stand in for missing authors, then the publisher."""
    data = parse_string("""@book{a, author = {van den Berg, Bibi and others}, title = {A {DNA} Book},
        year = {2019}}
        @collection{e, editor = {Chen, Li}, title = {Edited}, date = {2020-05}}
        @misc{p, title = {Anonymous}, publisher = {World Bank}, year = {circa 1990}}
        @misc{n, title = {Undated}}""", "bibtex").entries
    assert index_entry(model_item(data, "a")) == (["van den Berg, Bibi"], "2019", "A DNA Book")
    assert index_entry(model_item(data, "e"))[:2] == (["Chen, Li"], "2020")
    assert index_entry(model_item(data, "p"))[:2] == (["World Bank"], "1990")
    assert index_entry(model_item(data, "n")) == ([], "n.d.", "Undated")
