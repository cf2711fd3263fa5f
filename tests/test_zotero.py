"""What reaches a reference manager, judged by Zotero's own translators (issue 14, item 3).

Zotero's translation-server (``zotero.py``) reads the served flagship: the bibliography page
through COinS, each summary through Embedded Metadata, and the site's BibTeX, RIS and CSL-JSON
exports through its import translators. The reference for every work is what Zotero makes of
that work's entry as written in ``bibliography/chapter.bib`` (its BibTeX import). Each test
collects every mismatch before failing, as ``key field: zotero-from-site vs zotero-from-source``.
The flagship is ``served_flagship`` (conftest): built with site_url = where it is served.
"""
from __future__ import annotations

import json
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from html import unescape

import pypandoc
import pytest
import yaml

from conftest import ROOT
from zotero import zotero_server  # noqa: F401  (the session fixture ``zotero``)

SOURCE_BIB = ROOT / "bibliography" / "chapter.bib"
SUMMARIES = sorted(p.stem for p in (ROOT / "content" / "summaries").glob("*.md"))

# Zotero fields that hold the same thing under another name depending on the item type
# (the schema's base fields), compared as one.
CONTAINER = ("publicationTitle", "bookTitle", "proceedingsTitle", "websiteTitle", "blogTitle",
             "forumTitle", "encyclopediaTitle", "dictionaryTitle", "programTitle")
PUBLISHER = ("publisher", "institution", "university", "company", "label", "distributor", "studio",
             "network")
WEB_FIELDS = ("itemType", "title", "creators", "date", "container", "DOI", "url", "publisher")
NOT_COMPARED = {"key", "version", "tags", "parentItem", "accessDate", "libraryCatalog", "creators",
                "notes", "attachments", "seeAlso", "relations", "collections"}
MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}


# -- splitting files into records (each work imported alone, so every item has its key) ----------

def bib_entries(text: str) -> dict[str, str]:
    """Each entry's text, as written, by key (@comment, @string and @preamble left out)."""
    out = {}
    for match in re.finditer(r"(?m)^[ \t]*@([A-Za-z]+)\s*([{(])\s*([^,\s]+)\s*,", text):
        if match.group(1).lower() in ("comment", "string", "preamble"):
            continue
        close = "}" if match.group(2) == "{" else ")"
        depth, i = 0, match.end()
        while i < len(text) and not (depth == 0 and text[i] == close):
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        out[match.group(3)] = text[match.start():i + 1]
    return out


def ris_records(text: str) -> dict[str, str]:
    out = {}
    for record in re.split(r"(?m)^ER  -.*$", text):
        if record.strip():
            key = re.search(r"(?m)^ID  - (.*)$", record)
            assert key, f"RIS record without ID:\n{record}"
            out[key.group(1).strip()] = record.strip("\n") + "\nER  - \n"
    return out


def csl_records(text: str) -> dict[str, str]:
    return {item["id"]: json.dumps([item], ensure_ascii=False) for item in json.loads(text)}


def import_each(zotero, records: dict[str, str]) -> dict[str, list[dict]]:
    with ThreadPoolExecutor(8) as pool:
        return dict(zip(records, pool.map(zotero.import_, records.values())))


@pytest.fixture(scope="module")
def source(zotero):
    """key -> the items Zotero imports from that entry of bibliography/chapter.bib."""
    entries = bib_entries(SOURCE_BIB.read_text(encoding="utf-8"))
    assert len(entries) >= 50, f"only {len(entries)} entries read from {SOURCE_BIB}"
    items = import_each(zotero, entries)
    empty = [key for key, found in items.items() if not _main(found)]
    assert not empty, f"Zotero imports nothing from these source entries: {empty}"
    return items


# -- normalisation ---------------------------------------------------------------------------------

def _main(items: list[dict]) -> list[dict]:
    return [item for item in items if item.get("itemType") not in ("note", "attachment")]


def _text(value) -> str:
    return " ".join(str(value).split())


IDENTIFIERS = ("url", "DOI", "ISBN", "ISSN")


def _prose(value) -> str:
    """Text with its quotation marks and apostrophes as one mark: refsite reads TeX's ` ' `` ''
    as typographic quotes, as Pandoc does (`China' -> “China”, CSL's outer quotes), while
    Zotero's BibTeX import keeps ` and ' as typed."""
    text = _text(value).replace("``", '"').replace("''", '"')
    return re.sub("[`'‘’“”\"]", "'", text)


def _date(value) -> str:
    """Zotero keeps a date as typed and reads it as year-month-day; compare what it reads."""
    text = _text(value)
    s = text.lower().replace(",", " ")
    if m := re.fullmatch(r"(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?", s):
        parts = [m.group(1)] + [f"{int(g):02d}" for g in m.groups()[1:] if g]
        return "-".join(parts)
    words = s.split()
    month = [MONTHS[w] for w in words if w in MONTHS]
    year = [w for w in words if re.fullmatch(r"\d{4}", w)]
    day = [w for w in words if re.fullmatch(r"\d{1,2}", w)]
    if len(month) == 1 and len(year) == 1 and len(day) <= 1 and len(words) == 2 + len(day):
        return "-".join([year[0], f"{month[0]:02d}"] + [f"{int(d):02d}" for d in day])
    return text


def _creators(item: dict, with_type: bool = True, bibtex: bool = False) -> list[tuple]:
    """Creators as (type, (first, last) or one-field name). ``bibtex``: the item comes from
    Zotero's BibTeX import, which reads BibTeX's "and others" (et al.) as a creator "others"."""
    out = []
    for c in item.get("creators", []):
        name = _prose(c["name"]) if "name" in c else (_prose(c.get("firstName", "")),
                                                      _prose(c.get("lastName", "")))
        if bibtex and name in ("others", ("", "others")):
            continue
        out.append((c.get("creatorType"), name) if with_type else name)
    return out


def _first(item: dict, names: tuple[str, ...]) -> str | None:
    return next(((_text if n in IDENTIFIERS else _prose)(item[n]) for n in names if item.get(n)), None)


def _publishers(value: str) -> str:
    """A list of publishers or institutions: biblatex separates them with "and" (refsite, like
    Pandoc, writes the list with "; "), Zotero's BibTeX import keeps the "and" as typed."""
    return re.sub(r"\s*;\s+|\s+and\s+", "; ", value)


PUBLISHED = re.compile(r"Published: (.+)")


def _howpublished(item: dict) -> str | None:
    """``howpublished`` of an item imported from BibTeX: Zotero has no field for it and keeps it as
    the Extra line "Published: X"; biblatex and Pandoc (and so refsite's exports) read it as the
    publisher."""
    lines = [m.group(1) for m in map(PUBLISHED.fullmatch, str(item.get("extra", "")).splitlines()) if m]
    return _prose(lines[0]) if lines else None


def _publisher(item: dict, bibtex: bool) -> str | None:
    found = _first(item, PUBLISHER) or (_howpublished(item) if bibtex else None)
    return _publishers(found) if found else None


# What an OpenURL ContextObject (COinS) can say about creators: Zotero's reader knows rft.au,
# rft.aulast/aufirst, rft.aucorp (authors), rft.inventor and rft.contributor; no editors.
COINS_CREATOR_TYPES = ("author", "inventor", "contributor")


def web_view(item: dict, bibtex: bool = False, creator_types: tuple[str, ...] | None = None) -> dict:
    """The fields compared for a page read through /web (``bibtex``, ``creator_types``: for the
    source item it is compared with)."""
    creators = [c for c in _creators(item, bibtex=bibtex)
                if creator_types is None or c[0] in creator_types]
    return {"itemType": item.get("itemType"),
            "title": _prose(item["title"]) if item.get("title") else None,
            "creators": creators,
            "date": _date(item["date"]) if item.get("date") else None,
            "container": _first(item, CONTAINER),
            "DOI": _first(item, ("DOI",)),
            "url": _first(item, ("url",)),
            "publisher": _publisher(item, bibtex)}


def full_view(items: list[dict], bibtex: bool = False) -> dict:
    """Everything Zotero keeps of an imported work: type, every field, creators, child notes.
    Normalised: whitespace; quotation marks (``_prose``); dates as Zotero reads them; a page range's dash (Zotero's BibTeX
    import makes "--" an en dash, its RIS import joins SP and EP with "-"); child notes and the
    Extra field as one list of lines (Zotero's CSL-JSON import puts a CSL note in Extra, its
    BibTeX import makes a child note of it); lists of publishers (``_publishers``); for an item
    imported from BibTeX (``bibtex``), howpublished (``_howpublished``). BibTeX's "and others"
    is compared as it is: Zotero makes the creator "others" of it, and so must every export
    (RIS and CSL-JSON have no "et al.": the exports write it as that name, Pandoc's way)."""
    main = _main(items)
    if len(main) != 1:
        return {"items": f"{len(main)} items: {[i.get('title') for i in main]}"}
    item = main[0]
    view = {"itemType": item["itemType"], "creators": _creators(item)}
    for name, value in item.items():
        if name not in NOT_COMPARED and name not in ("itemType", "extra") and value not in ("", None):
            view[name] = (_date if name == "date" else _text if name in IDENTIFIERS else _prose)(value)
    for name in PUBLISHER:
        if name in view:
            view[name] = _publishers(view[name])
    how = _howpublished(item) if bibtex else None
    if how and not any(name in view for name in PUBLISHER):
        view["publisher"] = how
        item = dict(item, extra="\n".join(line for line in str(item.get("extra", "")).splitlines()
                                           if not PUBLISHED.fullmatch(line)))
    if "pages" in view:
        view["pages"] = re.sub(r"\s*[-\u2010-\u2015]+\s*", "-", view["pages"])
    notes = [_prose(line) for line in str(item.get("extra", "")).splitlines() if line.strip()]
    notes += [_prose(re.sub(r"<[^>]+>", " ", unescape(i.get("note", ""))))
              for i in items if i.get("itemType") == "note"]
    if notes:
        view["notes/extra"] = sorted(notes)
    return view


def diff(key: str, got: dict, want: dict, fields=None) -> list[str]:
    names = fields or sorted(set(got) | set(want), key=lambda n: (n != "itemType", n))
    return [f"{key} {n}: {got.get(n)!r} vs {want.get(n)!r}" for n in names if got.get(n) != want.get(n)]


def report(problems: list[str], what: str) -> None:
    assert not problems, f"{len(problems)} mismatches, {what}:\n" + "\n".join(problems)


# -- a. the bibliography page, through COinS -----------------------------------------------------

def test_bibliography_page_coins_match_source(zotero, served_flagship, source):
    site = served_flagship
    items = zotero.web(site.url + "bibliography/")
    by_title: dict[str, list[str]] = {}
    for key, found in source.items():
        title = _main(found)[0].get("title")
        if title:
            by_title.setdefault(_prose(title).casefold(), []).append(key)
    problems, seen = [], {}
    for item in items:
        keys = by_title.get(_prose(item.get("title", "")).casefold())
        if not keys:
            problems.append(f"? title: {item.get('title')!r} matches no source entry")
            continue
        key = "/".join(keys)
        seen[key] = seen.get(key, 0) + 1
        names = _creators(item, with_type=False)
        twice = sorted({str(n) for n in names if names.count(n) > 1})
        if twice:
            problems.append(f"{key} creators: duplicated {', '.join(twice)}")
        if len(keys) == 1:
            want = web_view(_main(source[key])[0], bibtex=True, creator_types=COINS_CREATOR_TYPES)
            problems += diff(key, web_view(item), want, WEB_FIELDS)
    for title, keys in by_title.items():
        key = "/".join(keys)
        if not seen.get(key):
            problems.append(f"{key} missing: Zotero finds no item titled {title!r} on the page")
        elif seen[key] > 1:
            problems.append(f"{key} found {seen[key]} times")
    report(problems, "Zotero (COinS on the bibliography page) vs Zotero (source .bib)")


# -- b. the summaries, through Embedded Metadata -------------------------------------------------

# The flagship's pages are by the project: an organisation, which Zotero keeps as a one-field name.
PAGE_CREATORS = [("author", "The refsite project")]


def _config() -> dict:
    return yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))


def _page_date() -> str:
    return _date(str(_config()["extra"]["citation"]["date"]))


def _site_name() -> str:
    return _text(_config()["site_name"])


def test_summary_pages_embedded_metadata(zotero, served_flagship):
    site = served_flagship
    from bs4 import BeautifulSoup

    problems = []
    for name in SUMMARIES:
        url = f"{site.url}summaries/{name}/"
        soup = BeautifulSoup((site.site / "summaries" / name / "index.html").read_text("utf-8"),
                             "html.parser")
        h1 = soup.select_one("article h1")
        for anchor in h1.select("a.headerlink"):
            anchor.decompose()
        items = zotero.web(url)
        if len(items) != 1:
            problems.append(f"{name}: {len(items)} items: {[i.get('title') for i in items]}")
            continue
        item = items[0]
        want = {"itemType": "webpage", "title": _prose(h1.get_text()), "creators": PAGE_CREATORS,
                "url": url, "date": _page_date(), "websiteTitle": _site_name()}
        got = {"itemType": item.get("itemType"), "title": _prose(item.get("title", "")),
               "creators": _creators(item), "url": item.get("url"),
               "date": _date(item.get("date", "")), "websiteTitle": _first(item, CONTAINER)}
        problems += diff(name, got, want)
    report(problems, "Zotero (Embedded Metadata of each summary) vs the page")


# -- c. the exports, through Zotero's import translators -----------------------------------------

EXPORTS = {"bibliography.bib": bib_entries, "bibliography.ris": ris_records,
           "bibliography.json": csl_records}


def _export_problems(zotero, site, source, name):
    text = (site.site / name).read_text(encoding="utf-8")
    records = EXPORTS[name](text)
    problems = []
    whole = _main(zotero.import_(text))
    if len(whole) != len(source):
        problems.append(f"{name}: Zotero imports {len(whole)} works from the file, {len(source)} in the source")
    problems += [f"{key} missing from {name}" for key in source if key not in records]
    problems += [f"{key} in {name} is not a source entry" for key in records if key not in source]
    items = import_each(zotero, {k: v for k, v in records.items() if k in source})
    for key, found in items.items():
        problems += diff(key, full_view(found, bibtex=name.endswith(".bib")),
                         full_view(source[key], bibtex=True))
    return problems


@pytest.mark.parametrize("name", [
    "bibliography.bib",
    "bibliography.ris",
    "bibliography.json",
])
def test_export_imports_like_source(zotero, served_flagship, source, name):
    report(_export_problems(zotero, served_flagship, source, name),
           f"Zotero ({name}) vs Zotero (source .bib)")


# -- pandoc round trip -----------------------------------------------------------------------------

def test_pandoc_reads_exports(served_flagship):
    site = served_flagship
    pandoc = pypandoc.get_pandoc_path()
    keys = list(bib_entries(SOURCE_BIB.read_text(encoding="utf-8")))
    problems = []
    for name, reader in (("bibliography.bib", "bibtex"), ("bibliography.json", "csljson")):
        run = subprocess.run([pandoc, "-f", reader, "-t", "csljson", str(site.site / name)],
                             capture_output=True, text=True, timeout=60)
        if run.returncode != 0:
            problems.append(f"{name}: pandoc -f {reader} failed: {run.stderr.strip()}")
            continue
        if run.stderr.strip():
            problems.append(f"{name}: pandoc -f {reader} warns: {run.stderr.strip()}")
        ids = [item["id"] for item in json.loads(run.stdout)]
        if sorted(ids) != sorted(keys):
            problems.append(f"{name}: pandoc reads {len(ids)} works; missing "
                            f"{sorted(set(keys) - set(ids))}, extra {sorted(set(ids) - set(keys))}")
    report(problems, "pandoc reading the exports")


# -- d. hostile and sparse entries -----------------------------------------------------------------

# Field values that try to break out of each format: a newline followed by RIS tags, JSON quotes
# and backslashes, OpenURL separators, HTML, unbalanced-looking braces; and entries that lack a
# title, an author or a date.
HOSTILE_BIB = r"""
@article{inject,
  author = {O'Brien, Dara and {Smith & Sons}},
  title = {Line one
TY  - BOOK
ER  - },
  journal = {J "quoted" \& back/slash},
  year = {2020},
  note = {first
AU  - Injected, Person},
  url = {https://example.org/a?b=1&c=2#frag},
  doi = {10.1234/x&y=z}
}
@misc{coins,
  author = {Eve, Amp},
  title = {a=1&rft.au=Forged&ctx_ver=0#x=\%41 ;b},
  howpublished = {Alert x&y=z},
  year = {2021}
}
@book{notitle, author = {Nameless, Nora}, year = {2019}, publisher = {P}}
@book{noauthor, title = {Anonymous Book}, year = {2018}}
@misc{nodate, author = {Undated, Ursula}, title = {No Date}}
"""


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    from conftest import build, free_port, serve_dir_on, write_site

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    root = write_site(tmp_path_factory.mktemp("hostile-zotero"),
                      {"content/index.md": "# Home\n\nNothing cited.\n", "bibliography/refs.bib": HOSTILE_BIB},
                      {"site_url": url, "refsite": {"nocite": True}})
    built = build(root)
    server = serve_dir_on(built.site, port)
    yield url, built
    server.shutdown()
    server.server_close()


def test_hostile_and_sparse_entries_reach_zotero_intact(zotero, hostile_site):
    """Every export of every entry imports as one item that equals Zotero's import of the entry as
    written (no forged item, tag, creator or field); the bibliography page's COinS give one item per
    titled work with its own title and creators."""
    url, built = hostile_site
    sources = bib_entries(HOSTILE_BIB)
    # Zotero detects the format of what it imports: an entry whose title holds a line "TY  - " reads
    # as RIS. BibTeX reads a line break in a value as a space: the reference has spaces there.
    source_items = import_each(zotero, {k: re.sub(r"\n(?=[A-Z][A-Z0-9]  - )", " ", v)
                                        for k, v in sources.items()})
    problems = []
    for name, split in EXPORTS.items():
        text = (built.site / name).read_text(encoding="utf-8")
        whole = _main(zotero.import_(text))
        if len(whole) != len(sources):
            problems.append(f"{name}: {len(whole)} items imported from the file, {len(sources)} entries")
        records = split(text)
        if sorted(records) != sorted(sources):
            problems.append(f"{name}: records {sorted(records)}")
        for key, found in import_each(zotero, {k: v for k, v in records.items() if k in sources}).items():
            problems += diff(f"{name} {key}", full_view(found, bibtex=name.endswith(".bib")),
                             full_view(source_items[key], bibtex=True))
    titled = {k: _prose(_main(v)[0]["title"]) for k, v in source_items.items() if _main(v)[0].get("title")}
    web = zotero.web(url + "bibliography/")
    got = sorted(_prose(item.get("title", "")) for item in web)
    if got != sorted(titled.values()):
        problems.append(f"COinS: titles {got} vs {sorted(titled.values())}")
    for item in web:
        key = next((k for k, t in titled.items() if t == _prose(item.get("title", ""))), None)
        if key:
            # Zotero's OpenURL reader lists organisations (rft.aucorp) before people, whatever the
            # order in the ContextObject: compared as a set here (the exports keep the order)
            want = web_view(_main(source_items[key])[0], bibtex=True, creator_types=COINS_CREATOR_TYPES)
            got = web_view(item)
            got["creators"], want["creators"] = sorted(map(str, got["creators"])), sorted(map(str, want["creators"]))
            problems += diff(f"COinS {key}", got, want, ("title", "creators", "date", "DOI", "url"))
    report(problems, "Zotero (exports and COinS of hostile and sparse entries) vs Zotero (source)")
