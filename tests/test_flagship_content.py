"""Checks on the flagship content (the chapter summaries and home page).

a. Every work the chapter cites (author-year, parsed from the seed text) has an entry in
   bibliography/*.bib and is cited (``@key``) somewhere in content/.
b. No run of 12 or more consecutive words of the chapter appears in our own text
   (content/**/*.md and content/glossary.yml) outside quotation marks.

Pure Python: stdlib + pybtex + pyyaml, no network.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
import yaml
from pybtex.database import parse_file

ROOT = Path(__file__).parents[1]
CONTENT = ROOT / "content"
BIB_DIR = ROOT / "bibliography"
SEED = ROOT.parent / "shared" / "seed" / "chapter.txt"
GLOSSARY = CONTENT / "glossary.yml"

SHINGLE = 12
MIN_CITED_WORKS = 55

# Odd cases that author + year alone cannot settle.
#  - the chapter's year suffixes (the engine computes its own, so the bib keys carry the meaning):
#    2020a is the draft Data Security Law, 2020b the draft Personal Information Protection Law.
ALIASES: dict[tuple[str, str], str] = {
    ("nationalpeoplescongress", "2020a"): "npc2020a",
    ("nationalpeoplescongress", "2020b"): "npc2020b",
    # corporate authors cited in short form
    ("statecouncil", "2017"): "statecouncil2017",  # State Council of the People's Republic of China
    ("caict", "2020"): "caict2020",  # China Academy of Information and Communications Technology
    # "Huotari et al." -- the bib follows the publisher's author order, Huotari is not first
    ("huotari", "2021"): "huotari2021",
}
# Narrative citations where the parenthesised year follows a venue, not the author's name:
# "According to Li, Tong and Xiao in the Harvard Business Review (2021)".
NARRATIVE_VENUES = {"review": "Li"}
# Parenthesised years that date a document named in the text rather than cite a work:
# "Guidelines for Data Cross-Border Transfer Security Assessment (2017)".
NOT_CITATIONS = {"assessment"}

YEAR_RE = re.compile(r"(?<![\w])((?:19|20)\d{2})([a-z]?)(?![\w])")


# --------------------------------------------------------------------------- helpers


def norm_name(text: str) -> str:
    """Lower-case ASCII letters and digits only: 'Arsène' -> 'arsene', "People’s" -> 'peoples'."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]", "", text.lower())


def seed_text() -> str:
    if not SEED.exists():
        pytest.fail(f"seed chapter not found at {SEED}")
    return SEED.read_text(encoding="utf-8")


def first_author(author_text: str) -> str:
    """'Luo, Wang & Zhang' -> 'Luo'; 'Woetzel et al.' -> 'Woetzel'; 'see ... in Rhodium Group' -> 'Rhodium Group'."""
    text = author_text.strip().strip(",").strip()
    text = re.split(r"\s+et al\.?", text)[0]
    text = re.split(r"\s*&\s*|\s+and\s+|,", text)[0].strip()
    # drop lead-in words such as "see a list of measures in"
    text = re.sub(r"^(?:[a-z][\w.]*(?:\s+|$))+", "", text)
    return text.strip()


def extract_chapter_citations(text: str) -> set[tuple[str, str]]:
    """Return {(normalized first author or quoted title, year+suffix)} for the chapter's citations."""
    flat = re.sub(r"\s+", " ", text)
    found: set[tuple[str, str]] = set()
    for m in re.finditer(r"\(([^()]*)\)", flat):
        inner = m.group(1)
        if not YEAR_RE.search(inner):
            continue  # "(CLOUD)", "(see Creemers in this volume)", asides
        if re.fullmatch(r"\s*(?:19|20)\d{2}[a-z]?\s*", inner):
            # narrative: "Name (2018)"; look at the words just before the parenthesis
            before = flat[: m.start()].rstrip()
            last = re.findall(r"[\w’'-]+", before)[-1]
            if last.lower() in NOT_CITATIONS or not last[:1].isupper():
                continue
            author = NARRATIVE_VENUES.get(last.lower(), last)
            found.add((norm_name(author), inner.strip()))
            continue
        for chunk in inner.split(";"):
            years = list(YEAR_RE.finditer(chunk))
            if not years:
                continue
            author_text = chunk[: years[0].start()]
            quoted = re.search(r"[“\"]([^”\"]+)[”\"]", author_text)
            author = quoted.group(1) if quoted else first_author(author_text)
            if not author or not author[:1].isupper():
                continue
            for y in years:
                found.add((norm_name(author), y.group(1) + y.group(2)))
    return found


def bib_index() -> dict[tuple[str, str], list[str]]:
    """(normalized first-author surname / corporate name / title, year) -> bib keys."""
    index: dict[tuple[str, str], list[str]] = {}
    for bib in sorted(BIB_DIR.glob("*.bib")):
        data = parse_file(str(bib), bib_format="bibtex")
        for key, entry in data.entries.items():
            year = str(entry.fields.get("year", "")).strip()
            names: list[str] = []
            persons = entry.persons.get("author") or entry.persons.get("editor") or []
            if persons:
                p = persons[0]
                last = " ".join(p.prelast_names + p.last_names).replace("{", "").replace("}", "")
                names.append(last)
                if p.last_names:
                    names.append(p.last_names[-1].replace("{", "").replace("}", ""))
            else:
                names.append(str(entry.fields.get("title", "")).replace("{", "").replace("}", ""))
            for name in names:
                keylist = index.setdefault((norm_name(name), year), [])
                if key not in keylist:
                    keylist.append(key)
    return index


def resolve(cit: tuple[str, str], index: dict[tuple[str, str], list[str]]) -> str | None:
    if cit in ALIASES:
        return ALIASES[cit]
    name, year = cit
    bare_year = year[:4]
    keys = index.get((name, bare_year), [])
    if len(keys) == 1:
        return keys[0]
    if len(keys) > 1:
        return None  # ambiguous: needs an alias
    # quoted-title citations: match a bib title that starts with the quoted text
    for (iname, iyear), ikeys in index.items():
        if iyear == bare_year and len(name) > 15 and (iname.startswith(name) or name.startswith(iname)):
            return ikeys[0]
    return None


def content_md_files() -> list[Path]:
    return sorted(CONTENT.rglob("*.md"))


def cited_keys_in_content() -> set[str]:
    keys: set[str] = set()
    for path in content_md_files():
        text = path.read_text(encoding="utf-8")
        keys.update(re.findall(r"(?<![\w.])@([A-Za-z0-9_][\w:-]*[A-Za-z0-9_]|[A-Za-z0-9_])", text))
    return keys


# --------------------------------------------------------------------------- test a


def test_extraction_finds_the_chapters_citations():
    cits = extract_chapter_citations(seed_text())
    assert len(cits) >= MIN_CITED_WORKS, sorted(cits)
    # spot checks of tricky forms
    for expected in [
        ("lee", "2018"),
        ("nationalpeoplescongress", "2020a"),
        ("nationalpeoplescongress", "2020b"),
        ("luo", "2019"),
        ("duchatel", "2021"),
        ("rhodiumgroup", "2021"),
        ("rhodiumgroup", "2016"),
        ("arsene", "2021"),
        ("li", "2021"),
        ("article19", "2021"),
        ("he", "2021"),
    ]:
        assert expected in cits, expected


def test_every_chapter_citation_has_a_bib_entry_and_is_cited():
    cits = extract_chapter_citations(seed_text())
    index = bib_index()
    unmapped = sorted(c for c in cits if resolve(c, index) is None)
    assert not unmapped, f"chapter citations with no (unique) bib entry: {unmapped}"
    keys = {resolve(c, index) for c in cits}
    assert len(keys) >= MIN_CITED_WORKS
    cited = cited_keys_in_content()
    missing = sorted(k for k in keys if k not in cited)
    assert not missing, f"works the chapter cites but content/ never cites: {missing}"


def test_content_cites_only_known_keys():
    all_keys: set[str] = set()
    for bib in BIB_DIR.glob("*.bib"):
        all_keys.update(parse_file(str(bib), bib_format="bibtex").entries.keys())
    unknown = sorted(cited_keys_in_content() - all_keys)
    assert not unknown, f"content cites keys missing from the bibliography: {unknown}"


# --------------------------------------------------------------------------- test b

QUOTE_RE = re.compile(r"“[^”]*”|\"[^\"\n]*\"")


def strip_quotes(text: str) -> str:
    return QUOTE_RE.sub(" ", text)


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def chapter_words(text: str) -> list[str]:
    # undo the OCR noise so that "AI" in our text is compared with "Al" in the seed
    text = re.sub(r"\bAl\b", "AI", text)
    text = re.sub(r"(?<=\s)\|(?=\s)", "I", text)
    text = text.replace("-\n", "-")
    return words(text)


def strip_markdown(text: str) -> str:
    text = re.sub(r"<[^>]+>", " ", text)  # html tags
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links: keep the text
    text = re.sub(r"\[-?@[^\]]*\]", " ", text)  # bracketed citations
    text = re.sub(r"-?@[\w:-]+", " ", text)  # narrative citations
    text = re.sub(r"\{[:#.][^}]*\}", " ", text)  # attr_list
    return text


def split_front_matter(text: str) -> tuple[list[str], str]:
    m = re.match(r"^---\s*\n(.*?)\n---\s*\n", text, re.S)
    if not m:
        return [], text
    data = yaml.safe_load(m.group(1)) or {}
    return list(yaml_strings(data)), text[m.end():]


def yaml_strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from yaml_strings(k)
            yield from yaml_strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from yaml_strings(v)


def our_texts() -> list[tuple[str, str]]:
    """(label, text) pairs: each piece of our own prose, quotations removed."""
    texts: list[tuple[str, str]] = []
    for path in content_md_files():
        meta, body = split_front_matter(path.read_text(encoding="utf-8"))
        label = str(path.relative_to(ROOT))
        for s in meta:
            texts.append((label + " (front matter)", strip_quotes(s)))
        texts.append((label, strip_quotes(strip_markdown(body))))
    if GLOSSARY.exists():
        data = yaml.safe_load(GLOSSARY.read_text(encoding="utf-8"))
        for s in yaml_strings(data):
            texts.append(("content/glossary.yml", strip_quotes(strip_markdown(s))))
    return texts


def shingles(ws: list[str], n: int = SHINGLE) -> set[tuple[str, ...]]:
    return {tuple(ws[i : i + n]) for i in range(len(ws) - n + 1)}


def test_no_long_verbatim_runs_from_the_chapter():
    source = shingles(chapter_words(seed_text()))
    assert len(source) > 4000  # the seed was read
    texts = our_texts()
    assert texts, "no content found"
    offenders = []
    for label, text in texts:
        for sh in sorted(shingles(words(text)) & source):
            offenders.append(f"{label}: {' '.join(sh)}")
    for line in offenders:
        print(line)
    assert not offenders, f"{len(offenders)} 12-word runs copied from the chapter:\n" + "\n".join(offenders[:50])
