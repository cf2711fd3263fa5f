"""Real-world BibTeX: every file of ../shared/bib-corpus/ through a whole site build.

For each file, a page cites every key that pybtex (non-strict) recovers from it; the build must not
crash, and every entry of the file must be either rendered (``h3#ref-<key>`` on the bibliography page
and a citation link on the page) or reported as ``file:line: reason`` in the build's warnings.

How entries are counted (independently of the engine and of pybtex's recovery): an entry is an
entry command at the start of a line -- optional blanks, ``@``, a type name, optional blanks, then
``{`` or ``(`` -- whose type is not ``string``, ``preamble`` or ``comment``. All five files put each
command at the start of its own line (the counts match SOURCES.md: 92, 36, 2,720, 1,241, 988), and
anchoring at the line start keeps an ``@`` inside a field value (an e-mail address in a note) from
counting. ``test_entry_count_agrees_with_pybtex_lowlevel_parser`` cross-checks the scan against
pybtex's own ``LowLevelParser`` on the four files that parse cleanly.

An entry counts as *reported* when a warning names the file and either a line inside the entry
(from its own command line up to the line before the next command) or the entry's key in quotes.
The files are referenced in place (never copied into the repository).
"""
from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT, _Collector, write_site

CORPUS = ROOT.parent / "shared" / "bib-corpus"
FILES = sorted(p.name for p in CORPUS.glob("*.bib")) if CORPUS.is_dir() else []
SKIP_TYPES = {"string", "preamble", "comment"}
COMMAND = re.compile(r"^[ \t]*@[ \t]*([A-Za-z][\w-]*)[ \t]*([{(])[ \t]*([^,\s]*)", re.M)
EXPECTED_TOTALS = {  # SOURCES.md
    "biblatex-examples.bib": 92, "xampl.bib": 36, "tugboat.bib": 2720,
    "bbt-bulk-performance-test.bib": 1241, "bbt-issue873-old-style-parens.bib": 988,
}


@dataclass
class Command:
    line: int
    end_line: int       # last line before the next command (or end of file)
    kind: str
    key: str


def scan_commands(text: str) -> list[Command]:
    total_lines = text.count("\n") + 1
    found = []
    for m in COMMAND.finditer(text):
        found.append((text.count("\n", 0, m.start()) + 1, m.group(1).lower(), m.group(3)))
    out = []
    for i, (line, kind, key) in enumerate(found):
        end = found[i + 1][0] - 1 if i + 1 < len(found) else total_lines
        out.append(Command(line, end, kind, key))
    return out


def entries_of(text: str) -> list[Command]:
    return [c for c in scan_commands(text) if c.kind not in SKIP_TYPES]


def pybtex_keys(text: str) -> list[str]:
    """Keys pybtex recovers in non-strict mode (errors captured, not raised)."""
    import pybtex.errors
    from pybtex.database.input import bibtex

    with pybtex.errors.capture():
        data = bibtex.Parser().parse_string(text)
    return list(data.entries.keys())


def build_collecting(root: Path):
    """Build in-process like conftest.build, but return every warning instead of judging them."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    collector = _Collector()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collector)
    cwd = os.getcwd()
    try:
        os.chdir(root)
        cfg = load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(root / "site"), strict=False)
        mkdocs_build(cfg)
    finally:
        os.chdir(cwd)
        logger.removeHandler(collector)
    return collector.records


def _cite_page(keys: list[str]) -> str:
    lines = ["# Every key\n"]
    lines += [f"- [@{{{key}}}]" for key in keys]
    return "\n".join(lines) + "\n"


def test_corpus_is_the_documented_one():
    assert {name: len(entries_of((CORPUS / name).read_text(encoding="utf-8"))) for name in FILES} \
        == EXPECTED_TOTALS


@pytest.mark.parametrize("name", [n for n in FILES if n != "bbt-issue873-old-style-parens.bib"])
def test_entry_count_agrees_with_pybtex_lowlevel_parser(name):
    from pybtex.database.input import bibtex

    text = (CORPUS / name).read_text(encoding="utf-8")
    errors = []
    low = bibtex.LowLevelParser(text, handle_error=errors.append, keyless_entries=False)
    count = sum(1 for command in low if command[0].lower() not in SKIP_TYPES)
    assert not errors
    assert count == len(entries_of(text))


@pytest.mark.slow
@pytest.mark.parametrize("name", FILES)
def test_corpus_file_every_entry_rendered_or_reported(name, tmp_path, capsys):
    bib_path = CORPUS / name
    text = bib_path.read_text(encoding="utf-8")
    entries = entries_of(text)
    keys = pybtex_keys(text)
    # Cite what pybtex recovers plus every key the scan sees: the engine may recover more than
    # pybtex alone (an entry it does not have is then an unknown key on the page, and must be
    # reported against the .bib file below).
    cited = list(dict.fromkeys(keys + [e.key for e in entries if e.key and not set(e.key) & set("{}")]))
    root = write_site(tmp_path / "site", {"content/index.md": _cite_page(cited)},
                      {"refsite": {"bibliography": [str(bib_path)]}})
    warnings = build_collecting(root)       # must not raise

    site = root / "site"
    from bs4 import BeautifulSoup
    bib_soup = BeautifulSoup((site / "bibliography" / "index.html").read_text(encoding="utf-8"), "html.parser")
    page_soup = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    headed = {h["id"][4:] for h in bib_soup.select("div.refsite-entry h3[id]") if h["id"].startswith("ref-")}
    linked = {a.get("data-key") for a in page_soup.select("span.refsite-cite a.refsite-cite__ref[data-key]")}
    rendered_keys = headed & linked

    # Warnings about this file, each in the form "<path>:<line>: <reason>".
    shown = str(bib_path)
    ours = [w for w in warnings if w.startswith(shown + ":")]
    located = []
    for warning in ours:
        m = re.match(re.escape(shown) + r":(\d+): (.+)", warning, re.S)
        assert m, f"not 'file:line: reason': {warning}"
        located.append((int(m.group(1)), m.group(2)))

    rendered = reported = 0
    silent = []
    seen = set()
    for entry in entries:
        folded = entry.key.casefold()
        first = folded not in seen
        seen.add(folded)
        if first and entry.key in rendered_keys:
            rendered += 1
        elif any(entry.line <= line <= entry.end_line for line, _ in located) or \
                any(f"'{entry.key}'" in reason for _, reason in located):
            reported += 1
        else:
            silent.append(f"{entry.line}:{entry.key}")
    with capsys.disabled():     # shown in every run, not only with -s
        print(f"\n{name}: rendered={rendered} reported={reported} total={len(entries)} "
              f"(pybtex keys={len(keys)}, warnings={len(ours)})")
    assert not silent, (f"{name}: {len(silent)} entries neither rendered nor reported, e.g. "
                        f"{silent[:8]}; warnings after the last rendered entry: "
                        f"{[w for w in ours if int(w[len(shown) + 1:].split(':', 1)[0]) >= int(silent[0].split(':')[0])][:5]}")
    assert rendered + reported == len(entries)
    # Nothing invented: the bibliography shows exactly the rendered entries.
    assert len(bib_soup.select("div.refsite-entry h3[id^='ref-']")) == rendered
    # Every key pybtex recovered is rendered.
    assert not [k for k in keys if k not in rendered_keys][:10]


@pytest.mark.slow
def test_old_style_parens_reports_undefined_macros_and_renders_recovered_entries(tmp_path):
    bib_path = CORPUS / "bbt-issue873-old-style-parens.bib"
    text = bib_path.read_text(encoding="utf-8")
    keys = pybtex_keys(text)
    root = write_site(tmp_path / "site", {"content/index.md": _cite_page(keys)},
                      {"refsite": {"bibliography": [str(bib_path)]}})
    warnings = build_collecting(root)
    # Strict pybtex stops at line 121 on @string AAAI-91, which the file never defines.
    assert any(re.match(re.escape(str(bib_path)) + r":121: .*AAAI-91", w) for w in warnings), warnings[:5]
    undefined = [w for w in warnings if "undefined" in w.lower() and w.startswith(str(bib_path) + ":")]
    assert len(undefined) >= 100
    from bs4 import BeautifulSoup
    soup = BeautifulSoup((root / "site" / "bibliography" / "index.html").read_text(encoding="utf-8"), "html.parser")
    ids = {h.get("id") for h in soup.select("div.refsite-entry h3")}
    missing = [k for k in keys if f"ref-{k}" not in ids]
    assert not missing, f"{len(missing)} recovered entries not rendered, e.g. {missing[:5]}"
    assert len(keys) == 667
