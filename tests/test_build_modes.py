"""`mkdocs build` lets the parsed bibliography go once the pages that need it are done; `mkdocs serve`
keeps it for the next rebuild. Both must write the same site."""
from __future__ import annotations

import refsite.site as site_module
from conftest import build, copy_flagship


def _snapshot(site):
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_build_and_serve_modes_write_the_same_site(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    loads = []
    original = site_module.BibliographyCache.load

    def counting(self, patterns, base_dir):
        value, reused = original(self, patterns, base_dir)
        loads.append(reused)
        return value, reused

    monkeypatch.setattr(site_module.BibliographyCache, "load", counting)
    monkeypatch.setitem(site_module.RUN, "command", "build")
    root = copy_flagship(tmp_path / "site")
    first = _snapshot(build(root).site)
    second = _snapshot(build(root).site)
    assert loads == [False, False]              # build mode: parsed again, nothing kept
    monkeypatch.setitem(site_module.RUN, "command", "serve")
    third = _snapshot(build(root).site)
    fourth = _snapshot(build(root).site)
    assert loads[2:] == [False, True]           # serve mode: the rebuild reuses the parse
    assert first == second == third == fourth
    assert b"@book{lee2018" in first["bibliography.bib"]
    assert first["bibliography.json"].startswith(b"[\n  {")
    assert b"TY  - " in first["bibliography.ris"]


def test_pages_with_few_wide_characters_are_kept_in_latin1():
    """English pages keep their few typographic characters as references (one byte per character in
    memory); pages where references would make the page much longer (Chinese text) are left alone."""
    import html

    from refsite.site import _compact

    assert _compact("<p>plain ASCII</p>") == "<p>plain ASCII</p>"
    english = ('<p>An <a href="../x/">ordinary</a> page of English prose – with accented words such as '
               'café and naïve, which Latin-1 holds, and long sentences between the marks, as summaries '
               'and their reference lists have, <em class="x">with markup</em> around them.</p>\n') * 20
    compact = _compact(english)
    assert max(map(ord, compact)) <= 0xFF and "&#8211;" in compact and "é" in compact
    assert html.unescape(compact) == english
    chinese = "<p>" + "数据本地化与算法治理。" * 20 + "</p>"
    assert _compact(chinese) is chinese
