"""Deterministic synthetic corpus for the refsite benchmark.

One seeded generator produces, for a scale point, a single abstract corpus (pages with citation and term
placeholders, a bibliography, a glossary) and renders it four ways:

* ``a``     — refsite: Pandoc citations in the pages, ``refs.bib``, ``glossary.yml``, hooks on;
* ``b``     — the floor: plain Material building the same *output* pages — citations already rendered
              as text, first term occurrence per page linked, per-page reference lists, plus the
              generated pages (bibliography with author/year indexes and backlinks, glossary index,
              one page per term with its "appears in" list) written as plain Markdown;
* ``c``     — plain Material on the authored pages only (citations left as text);
* ``peers`` — mkdocs-bibtex 4.4.0 + mkdocs-ezglossary 2.1.0 syntax for the same corpus.

Nothing here imports the engine. ``python benchmarks/corpus.py small /tmp/x`` writes one point.
"""
from __future__ import annotations

import json
import os
import random
import re
import shutil
import sys
import unicodedata
from dataclasses import dataclass, field

POINTS = {
    "small": dict(pages=20, entries=100, terms=50),
    "medium": dict(pages=100, entries=1000, terms=200),
    "large": dict(pages=400, entries=4000, terms=500),
}
WORDS_PER_PAGE = 720
WORDS_PER_CITATION = 55
SEED = 20260415

# Shared Markdown extensions: identical for every variant.
MARKDOWN_EXTENSIONS = """markdown_extensions:
  - toc:
      permalink: true
  - admonition
  - attr_list
  - md_in_html
  - footnotes
  - tables
  - def_list
  - pymdownx.superfences
  - pymdownx.details
"""

# --------------------------------------------------------------------------------------------- vocabulary
NOUNS = """system network model policy platform market state company government data algorithm user
infrastructure standard regulation question argument framework analysis process practice strategy
institution actor community relation technology industry economy border territory society history
approach concept perspective decision capacity resource value effect outcome pattern structure
interface protocol service device archive record source evidence debate literature method study
sample measure indicator trend period region city province ministry agency court law rule norm""".split()
VERBS = """shapes reflects enables constrains transforms reveals supports challenges complicates extends
produces reproduces organizes measures describes explains questions governs mediates frames defines
limits connects separates accelerates stabilizes""".split()
ADJS = """digital global national local political economic technical social public private formal
informal strategic critical historical institutional regulatory commercial legal cultural comparative
empirical theoretical dominant emerging contested distributed centralized transnational regional""".split()
ADVS = """increasingly largely partly clearly often rarely gradually directly implicitly explicitly
simultaneously""".split()
CONNECT = ["However,", "In addition,", "At the same time,", "By contrast,", "As a result,", "Moreover,",
           "In this sense,", "For example,", "In practice,", "Crucially,", "Meanwhile,", "Historically,"]
FUNC = ["the", "a", "this", "each", "such a", "every", "the wider", "one"]
PREPS = ["of", "in", "across", "within", "between", "through", "for", "against", "beyond", "under"]

TERM_HEADS = """localization governance sovereignty interoperability surveillance platformization
decoupling standardization datafication securitization fragmentation convergence infrastructure
protocol registry ledger repository pipeline classifier heuristic benchmark taxonomy ontology
federation consortium mandate sandbox provenance attestation""".split()
TERM_MODS = """data cyber algorithmic cloud network digital cross-border techno platform supply-chain
edge federated open closed semantic adaptive predictive civic corporate municipal sovereign
distributed hybrid trusted dual-use critical""".split()
TERM_MODS2 = """layered strategic soft hard reverse vertical horizontal selective competitive
cooperative""".split()

SURNAMES = ["Lee", "Smith", "Wang", "Zhang", "Garcia", "Martin", "Dubois", "Tanaka", "Kim", "Okafor",
            "Rossi", "Novak", "Ahmed", "Silva", "Kowalski", "Jensen", "Brown", "Chen", "Liu", "Ivanova",
            "Nguyen", "Haddad", "Murphy", "Cohen", "Fischer", "Moreau", "Sato", "Park", "Mensah", "Costa"]
# (LaTeX source, plain Unicode) — accents as authors really type them.
ACCENTED_SURNAMES = [("{\\\"O}zdemir", "Özdemir"), ("M{\\\"u}ller", "Müller"), ("Garc{\\'i}a", "García"),
                     ("Bront{\\\"e}", "Brontë"), ("Fran{\\c{c}}ois", "François"), ("Nu{\\~n}ez", "Nuñez"),
                     ("{\\v{S}}imek", "Šimek"), ("Ars{\\`e}ne", "Arsène"), ("Sch{\\\"o}n", "Schön")]
GIVEN = ["Anna", "Wei", "James", "Maria", "Kenji", "Ngozi", "Luca", "Eva", "Omar", "Sara", "Tomasz",
         "Lars", "Mei", "David", "Irina", "Minh", "Rania", "Sean", "Noa", "Paul"]
ACCENTED_GIVEN = [("{\\\"O}zge", "Özge"), ("Ren{\\'e}e", "Renée"), ("Andr{\\'e}", "André"),
                  ("J{\\\"o}rg", "Jörg"), ("Se{\\'a}n", "Seán"), ("Zo{\\\"e}", "Zoë")]
CORPORATE = ["World Health Organization", "National People's Congress", "European Commission",
             "International Telecommunication Union", "Cyberspace Administration of China",
             "OECD", "United Nations Conference on Trade and Development"]
JOURNALS = ["Journal of Information Policy", "New Media \\& Society", "Information, Communication \\& Society",
            "Policy \\& Internet", "The China Quarterly", "Global Policy", "Internet Policy Review",
            "Review of International Political Economy"]
PUBLISHERS = [("Oxford University Press", "Oxford"), ("MIT Press", "Cambridge, MA"),
              ("Routledge", "London"), ("Polity", "Cambridge"), ("Springer", "Cham"),
              ("Presses de Sciences Po", "Paris")]
SCHOOLS = ["Sciences Po", "University of Oxford", "Tsinghua University", "MIT", "Universit{\\'e} de Montr{\\'e}al"]
LOCATORS = ["p. {n}", "pp. {n}-{m}", "chap. {s}", "sec. {s}.{t}", "{n}", "fig. {s}", "n. {s}", "para. {s}",
            "vol. {s}", "pp. {n}, {m}"]
ENTRY_TYPES = ["article"] * 5 + ["book"] * 3 + ["incollection"] * 2 + ["inproceedings"] * 2 + \
              ["phdthesis", "techreport", "misc", "online"]


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def plural(word: str) -> str:
    if word.endswith(("s", "x", "sh", "ch")):
        return word + "es"
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


# ------------------------------------------------------------------------------------------------ model
@dataclass
class Person:
    latex: str          # as written in BibTeX ("{\"O}zdemir, {\"O}zge" or "{{World Health Organization}}")
    surname: str        # plain Unicode, for rendered-looking text
    given: str = ""


@dataclass
class Entry:
    key: str
    type: str
    authors: list[Person]
    year: int
    title: str
    fields: dict[str, str]          # extra BibTeX fields (already LaTeX)
    plain_rest: str                 # plain-text tail of the reference (journal, publisher, ...)

    def short_author(self) -> str:
        names = [p.surname for p in self.authors]
        if len(names) == 1:
            return names[0]
        if len(names) == 2:
            return f"{names[0]} and {names[1]}"
        if len(names) == 3:
            return f"{names[0]}, {names[1]}, and {names[2]}"
        return f"{names[0]} et al."

    def reference_text(self) -> str:
        people = []
        for i, p in enumerate(self.authors):
            if not p.given:
                people.append(p.surname)
            elif i == 0:
                people.append(f"{p.surname}, {p.given}")
            else:
                people.append(f"{p.given} {p.surname}")
        who = people[0] if len(people) == 1 else ", ".join(people[:-1]) + ", and " + people[-1]
        title = self.title.replace("{", "").replace("}", "")
        return f"{who}. {self.year}. “{title}.” {self.plain_rest}"

    def bibtex(self, online_as_misc: bool = False) -> str:
        etype = "misc" if (online_as_misc and self.type == "online") else self.type
        lines = [f"@{etype}{{{self.key},",
                 f"  author = {{{' and '.join(p.latex for p in self.authors)}}},",
                 f"  title = {{{self.title}}},", f"  year = {{{self.year}}},"]
        lines += [f"  {k} = {{{v}}}," for k, v in self.fields.items()]
        lines.append("}")
        return "\n".join(lines)


@dataclass
class Term:
    term: str
    slug: str
    definition: str          # may hold citation placeholders
    aliases: list[str]
    see_also: list[str]


@dataclass
class CiteItem:
    key: str
    prefix: str = ""
    locator: str = ""


@dataclass
class Citation:
    mode: str                  # paren | narrative | narrative_loc | suppress
    items: list[CiteItem]


@dataclass
class Page:
    src: str                   # e.g. "part-03/page-0042.md"
    title: str
    body: str                  # Markdown with \x00C<n>\x00 and \x00T<n>|<text>\x00 placeholders
    citations: list[Citation] = field(default_factory=list)


@dataclass
class Corpus:
    point: str
    pages: list[Page]
    entries: list[Entry]
    terms: list[Term]
    by_key: dict[str, Entry]


PH_CITE = re.compile(r"\x00C(\d+)\x00")
PH_TERM = re.compile(r"\x00T(\d+)\|([^\x00]*)\x00")


# -------------------------------------------------------------------------------------------- generation
class Generator:
    def __init__(self, point: str, seed: int = SEED):
        self.point = point
        self.spec = POINTS[point]
        self.rng = random.Random(f"{seed}-{point}")

    # -- bibliography
    def _person(self) -> Person:
        r = self.rng
        if r.random() < 0.12:
            s_latex, s_plain = r.choice(ACCENTED_SURNAMES)
        else:
            s_latex = s_plain = r.choice(SURNAMES)
        if r.random() < 0.12:
            g_latex, g_plain = r.choice(ACCENTED_GIVEN)
        else:
            g_latex = g_plain = r.choice(GIVEN)
        if r.random() < 0.3:
            initial = r.choice("ABCDEFGHJKLMNPRSTW")
            g_latex += f" {initial}."
            g_plain += f" {initial}."
        return Person(f"{s_latex}, {g_latex}", s_plain, g_plain)

    def _title(self, words: int) -> str:
        r = self.rng
        ws = [r.choice(ADJS).capitalize(), r.choice(NOUNS).capitalize(), r.choice(PREPS),
              r.choice(["China", "Europe", "the Global South", "Platforms", "{AI}", "the Internet"])]
        while len(ws) < words:
            ws += [r.choice(["and", "in", "of"]), r.choice(ADJS).capitalize(), r.choice(NOUNS).capitalize()]
        title = " ".join(ws)
        if r.random() < 0.4:
            title += ": " + " ".join(w.capitalize() for w in r.sample(ADJS + NOUNS, 4))
        return title

    def bibliography(self) -> list[Entry]:
        r = self.rng
        n = self.spec["entries"]
        entries: list[Entry] = []
        used: dict[str, int] = {}
        while len(entries) < n:
            # Every 12th entry repeats the previous entry's authors and year (2019a/2019b pairs).
            if entries and len(entries) % 12 == 0:
                prev = entries[-1]
                authors, year = prev.authors, prev.year
            elif r.random() < 0.05:
                authors = [Person("{" + "{" + (c := r.choice(CORPORATE)) + "}" + "}", c)]
                year = r.randint(1985, 2025)
            else:
                k = r.choices([1, 2, 3, 4, 5], weights=[45, 25, 15, 10, 5])[0]
                authors = [self._person() for _ in range(k)]
                year = r.randint(1975, 2025)
            etype = ENTRY_TYPES[len(entries) % len(ENTRY_TYPES)] if len(entries) < len(ENTRY_TYPES) \
                else r.choice(ENTRY_TYPES)
            base = slugify(authors[0].surname).replace("-", "")[:12] + str(year)
            used[base] = used.get(base, 0) + 1
            key = base if used[base] == 1 else f"{base}{'abcdefghijklmnopqrstuvwxyz'[(used[base] - 2) % 26]}{used[base] // 27 or ''}"
            title = self._title(r.randint(5, 9))
            fields, rest = self._fields(etype, year)
            entries.append(Entry(key, etype, authors, year, title, fields, rest))
        return entries

    def _fields(self, etype: str, year: int) -> tuple[dict[str, str], str]:
        r = self.rng
        pub, addr = r.choice(PUBLISHERS)
        p1 = r.randint(1, 400)
        p2 = p1 + r.randint(5, 40)
        doi = f"10.{r.randint(1000, 9999)}/{r.randint(100000, 999999)}"
        if etype == "article":
            j = r.choice(JOURNALS)
            v, num = r.randint(1, 60), r.randint(1, 12)
            return ({"journal": j, "volume": str(v), "number": str(num), "pages": f"{p1}--{p2}", "doi": doi},
                    f"{j.replace(chr(92), '')} {v} ({num}): {p1}–{p2}. https://doi.org/{doi}.")
        if etype == "book":
            return ({"publisher": pub, "address": addr, "isbn": f"978-{r.randint(1000000000, 9999999999)}"},
                    f"{addr}: {pub}.")
        if etype == "incollection":
            ed = self._person()
            bt = self._title(5)
            return ({"booktitle": bt, "editor": ed.latex, "publisher": pub, "address": addr,
                     "pages": f"{p1}--{p2}"},
                    f"In {bt}, edited by {ed.given} {ed.surname}, {p1}–{p2}. {addr}: {pub}.")
        if etype == "inproceedings":
            bt = "Proceedings of the " + self._title(4)
            return ({"booktitle": bt, "pages": f"{p1}--{p2}", "organization": "ACM", "doi": doi},
                    f"In {bt}, {p1}–{p2}. ACM. https://doi.org/{doi}.")
        if etype == "phdthesis":
            s = r.choice(SCHOOLS)
            return ({"school": s}, f"PhD diss., {s.replace(chr(92), '')}.")
        if etype == "techreport":
            inst = r.choice(CORPORATE)
            n = r.randint(1, 99)
            return ({"institution": inst, "number": str(n), "type": "Working Paper"},
                    f"Working Paper {n}. {inst}.")
        if etype == "misc":
            return ({"howpublished": "Policy brief", "note": "Accessed 12 March 2024",
                     "url": f"https://example.org/briefs/{r.randint(1, 99999)}"},
                    "Policy brief. Accessed 12 March 2024.")
        # online
        u = f"https://example.org/posts/{r.randint(1, 99999)}"
        return ({"url": u, "urldate": f"{year}-0{r.randint(1, 9)}-1{r.randint(0, 9)}",
                 "organization": r.choice(CORPORATE)}, f"{u}.")

    # -- glossary
    def glossary(self, entries: list[Entry]) -> list[Term]:
        r = self.rng
        n = self.spec["terms"]
        names: list[str] = []
        seen: set[str] = set()
        combos = [f"{m} {h}" for m in TERM_MODS for h in TERM_HEADS]
        combos += [f"{m2} {m} {h}" for m2 in TERM_MODS2 for m in TERM_MODS for h in TERM_HEADS]
        r.shuffle(combos)
        # a few single-word terms too (the heads themselves)
        for name in TERM_HEADS[:8] + combos:
            if len(names) >= n:
                break
            if name not in seen:
                seen.add(name)
                names.append(name)
        terms = []
        used_acronyms: set[str] = set()
        for i, name in enumerate(names):
            display = name[0].upper() + name[1:]
            aliases = []
            if "-" in name:
                aliases.append(name.replace("-", " "))
            acro = "".join(w[0] for w in re.split(r"[ -]", name)).upper()
            if r.random() < 0.3 and len(acro) >= 3 and acro not in used_acronyms:
                used_acronyms.add(acro)
                aliases.append(acro)
            if r.random() < 0.2 and "ization" in name:
                aliases.append(name.replace("ization", "isation"))
            definition = self._sentence(16) + " " + self._sentence(12)
            definition = definition.rstrip(".") + ", as discussed by \x00D" + r.choice(entries).key + "\x00."
            terms.append(Term(display, slugify(name), definition, aliases, []))
        for t in terms:
            t.see_also = [o.term for o in r.sample(terms, min(2, len(terms))) if o is not t][: r.randint(0, 2)]
        return terms

    # -- prose
    def _sentence(self, words: int | None = None) -> str:
        r = self.rng
        target = words or r.randint(12, 24)
        out = []
        if r.random() < 0.25:
            out.append(r.choice(CONNECT))
        while len(" ".join(out).split()) < target:
            out += [r.choice(FUNC), r.choice(ADJS), r.choice(NOUNS)]
            if r.random() < 0.3:
                out.append(r.choice(ADVS))
            out += [r.choice(VERBS), r.choice(FUNC), r.choice(NOUNS), r.choice(PREPS), r.choice(FUNC),
                    r.choice(ADJS), r.choice(NOUNS)]
            if len(" ".join(out).split()) < target:
                out.append(r.choice(["and", "while", "because", "although", "so that"]))
        s = re.sub(r"\b([Aa]) ([aeiou])", r"\1n \2", " ".join(out))
        s = s[0].upper() + s[1:]
        return s.rstrip(",") + "."


def _cite_sentence(g: Generator, page: Page, corpus_keys: list[str], hot_keys: list[str], bare: bool = False) -> str:
    """Inject one citation into a sentence; returns the sentence with a placeholder."""
    r = g.rng

    def key():
        return r.choice(hot_keys) if r.random() < 0.5 else r.choice(corpus_keys)

    def loc():
        n = r.randint(1, 480)
        return r.choice(LOCATORS).format(n=n, m=n + r.randint(1, 12), s=r.randint(1, 14), t=r.randint(1, 9))

    form = r.choices(["simple", "loc", "group", "narrative", "narrative_loc", "suppress"],
                     weights=[30, 25, 12, 15, 10, 8])[0]
    if form == "simple":
        c = Citation("paren", [CiteItem(key())])
    elif form == "loc":
        c = Citation("paren", [CiteItem(key(), locator=loc())])
    elif form == "group":
        items = [CiteItem(key(), prefix=r.choice(["see", "cf.", "e.g.", ""]), locator=loc() if r.random() < 0.6 else "")]
        for _ in range(r.randint(1, 2)):
            items.append(CiteItem(key(), prefix=r.choice(["also", "and", ""]),
                                  locator=loc() if r.random() < 0.5 else ""))
        c = Citation("paren", items)
    elif form == "narrative":
        c = Citation("narrative", [CiteItem(key())])
    elif form == "narrative_loc":
        c = Citation("narrative_loc", [CiteItem(key(), locator=loc())])
    else:
        c = Citation("suppress", [CiteItem(key(), locator=loc() if r.random() < 0.4 else "")])
    idx = len(page.citations)
    page.citations.append(c)
    ph = f"\x00C{idx}\x00"
    if bare:
        return ph
    s = g._sentence()
    if c.mode in ("narrative", "narrative_loc"):
        return f"{ph} {r.choice(VERBS)} that {s[0].lower()}{s[1:]}"
    return s[:-1] + f" {ph}."


NOUN_SET = set(NOUNS)


def _insert_terms(g: Generator, text: str, terms: list[Term], count: int) -> str:
    """Replace ``count`` ordinary nouns of the paragraph by glossary terms (or aliases, or plurals)."""
    r = g.rng
    words = text.split(" ")
    slots = [i for i, w in enumerate(words) if w.rstrip(".,") in NOUN_SET and "\x00" not in w]
    for i in r.sample(slots, min(count, len(slots))):
        ti = r.randrange(len(terms))
        t = terms[ti]
        shown = r.choice(t.aliases) if (t.aliases and r.random() < 0.25) else t.term.lower()
        if r.random() < 0.2 and not shown.isupper():
            parts = shown.split(" ")
            parts[-1] = plural(parts[-1])
            shown = " ".join(parts)
        tail = words[i][len(words[i].rstrip(".,")):]
        words[i] = f"\x00T{ti}|{shown}\x00{tail}"
    return " ".join(words)


CODE_SNIPPETS = [
    '```python\n@decorator\ndef handler(request):\n    # not a citation: [@fake] and @fake2020\n'
    '    return {"mail": "jane@example.com", "ref": "[@lee2018, p. 12]"}\n```',
    '```yaml\nsettings:\n  cite: "[@notakey]"\n  owner: "@someone"\n```',
    '```python\n@dataclass\nclass Record:\n    key: str = "@fake"  # [@fake; @fake2]\n```',
]


def generate(point: str, seed: int = SEED) -> Corpus:
    g = Generator(point, seed)
    r = g.rng
    entries = g.bibliography()
    by_key = {e.key: e for e in entries}
    keys = [e.key for e in entries]
    terms = g.glossary(entries)
    n_pages = g.spec["pages"]
    per_part = 25
    pages: list[Page] = []
    for i in range(n_pages):
        part = i // per_part
        src = f"part-{part:02d}/page-{i:04d}.md"
        title = g._title(4).replace("{", "").replace("}", "")
        pages.append(Page(src, title, ""))
    for i, page in enumerate(pages):
        hot = r.sample(keys, min(8, len(keys)))
        blocks: list[str] = [f"# {page.title}\n"]
        words = 0
        n_cites_target = WORDS_PER_PAGE // WORDS_PER_CITATION
        cites_done = 0
        section = 0
        while words < WORDS_PER_PAGE:
            roll = r.random()
            if section == 0 or (roll < 0.12 and blocks[-1][:3] != "## "):
                section += 1
                blocks.append(f"## {section}. {g._title(3).replace('{', '').replace('}', '')}\n")
                continue
            sentences = []
            for _ in range(r.randint(3, 6)):
                remaining_budget = (words + sum(len(s.split()) for s in sentences)) / WORDS_PER_CITATION
                if cites_done < n_cites_target and remaining_budget >= cites_done:
                    sentences.append(_cite_sentence(g, page, keys, hot))
                    cites_done += 1
                else:
                    sentences.append(g._sentence())
            para = " ".join(sentences)
            para = _insert_terms(g, para, terms, r.randint(1, 3))
            if r.random() < 0.25:
                other = pages[r.randrange(len(pages))]
                para += f" See [{other.title}]({_rel(page.src, other.src)}) and [the archive](https://example.org/archive/{i})."
            if r.random() < 0.05:
                para += " Contact jane.doe@example.org for the data."
            words += len(para.split())
            blocks.append(para + "\n")
            extra = r.random()
            if extra < 0.12:
                items = [g._sentence(10) for _ in range(r.randint(3, 5))]
                if cites_done < n_cites_target + 2:
                    items[0] = _cite_sentence(g, page, keys, hot)
                    cites_done += 1
                blocks.append("\n".join(f"- {it}" for it in items) + "\n")
                words += sum(len(it.split()) for it in items)
            elif extra < 0.20:
                rows = [f"| {r.choice(NOUNS).capitalize()} | {r.randint(1, 999)} | {g._sentence(6)} |" for _ in range(4)]
                if cites_done < n_cites_target + 2:
                    rows[1] = rows[1][:-2] + " " + _cite_sentence(g, page, keys, hot, bare=True) + " |"
                blocks.append("| Item | Count | Note |\n|---|---|---|\n" + "\n".join(rows) + "\n")
                words += 40
            elif extra < 0.28:
                blocks.append(r.choice(CODE_SNIPPETS) + "\n")
                words += 20
            elif extra < 0.32:
                blocks.append(f'!!! note "Aside"\n    {g._sentence()} {g._sentence()}\n')
                words += 40
        page.body = "\n".join(blocks)
    # Every page has some citation placeholders that survived; drop any that got lost in tables.
    for page in pages:
        used = {int(m) for m in PH_CITE.findall(page.body)}
        page.citations = [c if i in used else None for i, c in enumerate(page.citations)]
    return Corpus(point, pages, entries, terms, by_key)


def _rel(from_src: str, to_src: str) -> str:
    return os.path.relpath(to_src, os.path.dirname(from_src) or ".").replace(os.sep, "/")


# -------------------------------------------------------------------------------------------- rendering
def pandoc_citation(c: Citation) -> str:
    if c.mode == "narrative":
        return f"@{c.items[0].key}"
    if c.mode == "narrative_loc":
        return f"@{c.items[0].key} [{c.items[0].locator}]"
    if c.mode == "suppress":
        it = c.items[0]
        return f"[-@{it.key}{', ' + it.locator if it.locator else ''}]"
    parts = []
    for it in c.items:
        s = (it.prefix + " " if it.prefix else "") + "@" + it.key
        if it.locator:
            s += ", " + it.locator
        parts.append(s)
    return "[" + "; ".join(parts) + "]"


def _plain_loc(loc: str) -> str:
    loc = re.sub(r"^pp?\. ", "", loc)
    return loc.replace("-", "–")


def plain_citation(c: Citation, by_key: dict[str, Entry]) -> str:
    def one(it: CiteItem, author=True) -> str:
        e = by_key[it.key]
        s = (e.short_author() + " " if author else "") + str(e.year)
        return s + (", " + _plain_loc(it.locator) if it.locator else "")
    if c.mode == "narrative":
        e = by_key[c.items[0].key]
        return f"{e.short_author()} ({e.year})"
    if c.mode == "narrative_loc":
        e = by_key[c.items[0].key]
        return f"{e.short_author()} ({e.year}, {_plain_loc(c.items[0].locator)})"
    if c.mode == "suppress":
        return "(" + one(c.items[0], author=False) + ")"
    return "(" + "; ".join((it.prefix + " " if it.prefix else "") + one(it) for it in c.items) + ")"


def render_page(page: Page, corpus: Corpus, flavour: str, term_href=None) -> str:
    """flavour: pandoc (a, c, peers) | plain (b) | peers (ezglossary term markup, pandoc citations)."""
    cites = page.citations

    def cite(m):
        c = cites[int(m.group(1))]
        return plain_citation(c, corpus.by_key) if flavour == "plain" else pandoc_citation(c)

    linked: set[int] = set()

    def term(m):
        ti, shown = int(m.group(1)), m.group(2)
        if flavour == "pandoc" or ti in linked:
            return shown
        linked.add(ti)
        t = corpus.terms[ti]
        if flavour == "plain":
            return f"[{shown}]({term_href(page.src, t)})"
        return f"<glossary:{t.slug}|{shown}>"

    body = PH_CITE.sub(cite, page.body)
    return PH_TERM.sub(term, body)


def _definition(t: Term, corpus: Corpus, flavour: str) -> str:
    def d(m):
        e = corpus.by_key[m.group(1)]
        return f"{e.short_author()} ({e.year})" if flavour == "plain" else f"@{e.key}"
    return re.sub(r"\x00D([^\x00]+)\x00", d, t.definition)


def _yaml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def page_cited_keys(page: Page) -> list[str]:
    out = []
    for c in page.citations:
        if c:
            for it in c.items:
                if it.key not in out:
                    out.append(it.key)
    return out


def write_point(corpus: Corpus, root: str) -> dict[str, str]:
    """Write every variant under root; returns {variant: mkdocs.yml path}."""
    if os.path.isdir(root):
        shutil.rmtree(root)
    os.makedirs(root)
    # Every variant uses Material's navigation.prune, as the README recommends for large sites.
    theme = ("theme:\n  name: material\n  features:\n    - navigation.instant\n    - navigation.prune\n"
             "    - content.tooltips\n")
    base = "site_name: refsite benchmark ({point})\nsite_url: https://example.org/bench/\n{theme}plugins:\n  - search\n{extra_plugins}{md}"
    ymls = {}

    def write(path, text):
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(text)

    # shared data files
    bib = "\n\n".join(e.bibtex() for e in corpus.entries) + "\n"
    write("data/refs.bib", bib)
    write("peers_data/refs.bib", "\n\n".join(e.bibtex(online_as_misc=True) for e in corpus.entries) + "\n")
    gl = []
    for t in corpus.terms:
        gl.append(f"- term: {_yaml_str(t.term)}\n  definition: {_yaml_str(_definition(t, corpus, 'pandoc'))}")
        if t.aliases:
            gl.append(f"  aliases: [{', '.join(_yaml_str(a) for a in t.aliases)}]")
        if t.see_also:
            gl.append(f"  see_also: [{', '.join(_yaml_str(a) for a in t.see_also)}]")
    write("data/glossary.yml", "\n".join(gl) + "\n")
    index = "# Benchmark corpus\n\nSynthetic pages for the refsite benchmark.\n"

    # (a) and (c): authored pages, Pandoc syntax
    for p in corpus.pages:
        write(f"docs_authored/{p.src}", render_page(p, corpus, "pandoc"))
    write("docs_authored/index.md", index)
    refsite = ("  - refsite:\n      bibliography:\n        - data/*.bib\n      glossary: data/glossary.yml\n"
               "      link_terms: first\n")
    write("a.yml", base.format(point=corpus.point, theme=theme, extra_plugins=refsite, md=MARKDOWN_EXTENSIONS)
          + "docs_dir: docs_authored\n")
    write("c.yml", base.format(point=corpus.point, theme=theme, extra_plugins="", md=MARKDOWN_EXTENSIONS)
          + "docs_dir: docs_authored\n")

    # (b): the same output pages, written as plain Markdown
    def term_href(from_src, t):
        return _rel(from_src, f"glossary/{t.slug}.md")
    cited_in: dict[str, list[str]] = {}
    term_in: dict[int, list[str]] = {}
    for p in corpus.pages:
        text = render_page(p, corpus, "plain", term_href)
        keys = page_cited_keys(p)
        for k in keys:
            cited_in.setdefault(k, []).append(p.src)
        for ti in {int(m) for m in re.findall(r"\x00T(\d+)\|", p.body)}:
            term_in.setdefault(ti, []).append(p.src)
        refs = "\n\n".join(corpus.by_key[k].reference_text() for k in
                           sorted(keys, key=lambda k: (corpus.by_key[k].short_author(), corpus.by_key[k].year)))
        write(f"docs_plain/{p.src}", text + f"\n## References\n\n{refs}\n")
    write("docs_plain/index.md", index)
    shown = sorted(cited_in, key=lambda k: (corpus.by_key[k].short_author(), corpus.by_key[k].year, k))
    out = ["# Bibliography\n", f"{len(shown)} works cited.\n", "## Works\n"]
    for k in shown:
        e = corpus.by_key[k]
        back = ", ".join(f"[{os.path.basename(s)[:-3]}]({s})" for s in cited_in[k])
        out.append(f"### {e.short_author()} {e.year} {{#{k}}}\n\n{e.reference_text()}\n\n"
                   f"Copy BibTeX · Copy reference · RIS · CSL-JSON\n\nCited in: {back}\n")
    out.append("## By author\n")
    by_author: dict[str, list[str]] = {}
    for k in shown:
        for person in corpus.by_key[k].authors:
            by_author.setdefault(person.surname, []).append(k)
    for name in sorted(by_author):
        out.append(f"- {name}: " + ", ".join(f"[{corpus.by_key[k].year}](#{k})" for k in by_author[name]))
    out.append("\n## By year\n")
    by_year: dict[int, list[str]] = {}
    for k in shown:
        by_year.setdefault(corpus.by_key[k].year, []).append(k)
    for y in sorted(by_year, reverse=True):
        out.append(f"{y}\n:   " + ", ".join(f"[{corpus.by_key[k].short_author()}](#{k})" for k in by_year[y]) + "\n")
    write("docs_plain/bibliography.md", "\n".join(out) + "\n")
    gidx = ["# Glossary\n", f"{len(corpus.terms)} terms.\n"]
    for ti, t in sorted(enumerate(corpus.terms), key=lambda x: x[1].term.lower()):
        gidx.append(f"[{t.term}]({t.slug}.md)\n:   {_definition(t, corpus, 'plain').split('.')[0]}.\n")
        tp = [f"# {t.term}\n", _definition(t, corpus, "plain") + "\n"]
        if t.aliases:
            tp.append("**Also:** " + ", ".join(t.aliases) + "\n")
        if t.see_also:
            slug_of = {x.term: x.slug for x in corpus.terms}
            tp.append("## See also\n\n" + "\n".join(f"- [{s}]({slug_of[s]}.md)" for s in t.see_also) + "\n")
        tp.append("## Appears in\n")
        tp.append("\n".join(f"- [{os.path.basename(s)[:-3]}](../{s})" for s in term_in.get(ti, [])) or "Not used yet.")
        tp.append("\n[← All terms](index.md)\n")
        write(f"docs_plain/glossary/{t.slug}.md", "\n".join(tp))
    write("docs_plain/glossary/index.md", "\n".join(gidx))
    # like (a), term pages are built but not listed in the navigation (a 500-entry nav on every page
    # would make the floor much heavier than (a))
    write("b.yml", base.format(point=corpus.point, theme=theme, extra_plugins="", md=MARKDOWN_EXTENSIONS)
          + "docs_dir: docs_plain\nnot_in_nav: |\n  /glossary/*.md\n  !/glossary/index.md\n")

    # peers: mkdocs-bibtex (same Pandoc syntax) + mkdocs-ezglossary (hand-marked terms)
    for p in corpus.pages:
        write(f"docs_peers/{p.src}", render_page(p, corpus, "peers"))
    write("docs_peers/index.md", index)
    write("docs_peers/bibliography.md", "# Bibliography\n\n\\full_bibliography\n")
    defs = ["# Glossary definitions\n"]
    for t in corpus.terms:
        defs.append(f"glossary:{t.slug}\n:   {_definition(t, corpus, 'pandoc')}\n")
    write("docs_peers/glossary.md", "\n".join(defs))
    write("docs_peers/glossary-index.md", "# Glossary\n\n<glossary::glossary>\n")
    write("peers.yml", base.format(point=corpus.point, theme=theme,
                                   extra_plugins="  - bibtex:\n      bib_file: peers_data/refs.bib\n"
                                                 "  - ezglossary:\n      sections:\n        - glossary\n",
                                   md=MARKDOWN_EXTENSIONS) + "docs_dir: docs_peers\n")
    for v in ("a", "b", "c", "peers"):
        ymls[v] = os.path.join(root, f"{v}.yml")
    stats = corpus_stats(corpus)
    with open(os.path.join(root, "stats.json"), "w") as f:
        json.dump(stats, f, indent=1)
    return ymls


def corpus_stats(corpus: Corpus) -> dict:
    words = sum(len(PH_TERM.sub(r"\2", PH_CITE.sub("X", p.body)).split()) for p in corpus.pages)
    cites = sum(1 for p in corpus.pages for c in p.citations if c)
    items = sum(len(c.items) for p in corpus.pages for c in p.citations if c)
    cited = {it.key for p in corpus.pages for c in p.citations if c for it in c.items}
    forms: dict[str, int] = {}
    for p in corpus.pages:
        for c in p.citations:
            if c:
                f = c.mode if c.mode != "paren" else ("group" if len(c.items) > 1 else
                                                       ("locator" if c.items[0].locator else "simple"))
                forms[f] = forms.get(f, 0) + 1
    types: dict[str, int] = {}
    for e in corpus.entries:
        types[e.type] = types.get(e.type, 0) + 1
    return {"point": corpus.point, "pages": len(corpus.pages), "entries": len(corpus.entries),
            "terms": len(corpus.terms), "words": words, "words_per_page": round(words / len(corpus.pages)),
            "citations": cites, "cited_items": items, "words_per_citation": round(words / max(cites, 1), 1),
            "distinct_cited_keys": len(cited), "citation_forms": forms, "entry_types": types,
            "term_mentions": sum(len(PH_TERM.findall(p.body)) for p in corpus.pages)}


if __name__ == "__main__":
    point = sys.argv[1] if len(sys.argv) > 1 else "small"
    root = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "work", point)
    c = generate(point)
    print(write_point(c, root))
    print(json.dumps(corpus_stats(c), indent=1))
