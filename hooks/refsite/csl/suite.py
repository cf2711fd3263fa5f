"""Reading and running the official CSL test-suite fixtures (``processor-tests/humans``)."""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass

from .loader import style_from_string
from .processor import Citation, CiteItem, Processor

_SECTION = re.compile(r"^>>=+\s*([A-Z-]+)\s*=+>>\s*$")
_END = re.compile(r"^<<=+\s*([A-Z-]+)\s*=+<<\s*$")


@dataclass
class Fixture:
    name: str
    category: str
    sections: dict

    @property
    def mode(self) -> str:
        return self.sections.get("MODE", "").strip()


def read_fixture(path: str) -> Fixture:
    with open(path, encoding="utf-8-sig") as fh:
        lines = fh.read().split("\n")
    sections, cur, buf = {}, None, []
    for line in lines:
        if cur is None:
            m = _SECTION.match(line)
            if m:
                cur, buf = m.group(1), []
        elif _END.match(line):
            sections[cur] = "\n".join(buf)
            cur = None
        else:
            buf.append(line)
    name = os.path.basename(path)[:-4]
    return Fixture(name, name.split("_")[0], sections)


def fixture_paths(directory: str) -> list[str]:
    return sorted(os.path.join(directory, f) for f in os.listdir(directory) if f.endswith(".txt"))


def _cite_item(d: dict) -> CiteItem:
    return CiteItem(str(d.get("id")), str(d.get("locator", "") or ""), d.get("label", "") or "",
                    d.get("prefix", "") or "", d.get("suffix", "") or "",
                    bool(d.get("suppress-author")), bool(d.get("author-only")))


def _citations(fx: Fixture, items: list) -> tuple[list, bool]:
    if "CITATIONS" in fx.sections:
        return _document_citations(json.loads(fx.sections["CITATIONS"])), True
    if "CITATION-ITEMS" in fx.sections:
        raw = json.loads(fx.sections["CITATION-ITEMS"])
        return [Citation([_cite_item(i) for i in c]) for c in raw], False
    ids = list(dict.fromkeys(str(i["id"]) for i in items))
    if fx.mode.startswith("citation"):
        return [Citation([CiteItem(i) for i in ids])], False
    return [Citation([CiteItem(i)]) for i in ids], False


def _document_citations(raw: list) -> list:
    """The citations as the document holds them after the last insertion (pre/post lists)."""
    by_id, notes, order = {}, {}, []
    for n, entry in enumerate(raw):
        cit = entry[0] if isinstance(entry, list) else entry
        pre = entry[1] if isinstance(entry, list) and len(entry) > 1 else None
        post = entry[2] if isinstance(entry, list) and len(entry) > 2 else None
        cid = cit.get("citationID") or f"CITATION-{n}"
        by_id[cid] = cit
        notes[cid] = (cit.get("properties") or {}).get("noteIndex")
        if pre is None and post is None:
            order = [o for o in order if o != cid] + [cid]
            continue
        for pid, note in list(pre or []) + list(post or []):
            notes[pid] = note
        order = [p[0] for p in pre or []] + [cid] + [p[0] for p in post or []]
    return [Citation([_cite_item(i) for i in by_id[c].get("citationItems", [])], notes.get(c), c)
            for c in order if c in by_id]


def strip_markers(text: str) -> str:
    return "\n".join(re.sub(r"^[>.\[\]0-9]*\s*", "", line) if re.match(r"^(>>|\.\.)\[", line) else line
                     for line in text.split("\n"))


def _bib_html(entries) -> str:
    out = ['<div class="csl-bib-body">']
    out += ['  <div class="csl-entry">' + r.html + "</div>" for _, r in entries]
    out.append("</div>")
    return "\n".join(out)


def run_fixture(fx: Fixture) -> tuple[str, str]:
    """(expected, actual) for a fixture."""
    items = json.loads(fx.sections.get("INPUT", "[]"))
    for k, it in enumerate(items):
        it.setdefault("id", f"ITEM-{k + 1}")
    style = style_from_string(fx.sections.get("CSL", ""), fx.name)
    proc = Processor(style, items)
    cits, markers = _citations(fx, items)
    expected = fx.sections.get("RESULT", "")
    if markers:
        expected = strip_markers(expected)
    results = proc.process_citations(cits)
    if fx.mode.startswith("bibliography"):
        ids = None
        if "BIBENTRIES" in fx.sections:
            lists = json.loads(fx.sections["BIBENTRIES"])
            ids = [str(i) for i in lists[-1]] if lists else None
        actual = _bib_html(proc.bibliography(ids))
    else:
        actual = "\n".join(r.html for r in results)
    return expected, actual
