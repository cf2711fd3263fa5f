"""`mkdocs serve` keeps one plugin instance across rebuilds: a rebuild reuses the parsed bibliography
(while the .bib files are unchanged) and writes the same site as a fresh build."""
from __future__ import annotations

from refsite.bibliography import BibliographyCache
from conftest import build, copy_flagship


def _snapshot(site):
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_rebuilds_reuse_the_parse_and_write_the_same_site(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    loads = []
    original = BibliographyCache.load

    def counting(self, patterns, base_dir):
        value, reused = original(self, patterns, base_dir)
        loads.append(reused)
        return value, reused

    monkeypatch.setattr(BibliographyCache, "load", counting)
    root = copy_flagship(tmp_path / "site")
    first = _snapshot(build(root).site)
    second = _snapshot(build(root).site)
    assert loads[-1] is True                     # the same plugin instance: the parse is reused
    bib = root / "bibliography" / "chapter.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    third = _snapshot(build(root).site)
    assert loads[-1] is False                    # a changed file is parsed again
    assert first == second == third
    assert b"@book{lee2018" in first["bibliography.bib"]
    assert first["bibliography.json"].startswith(b"[\n  {")
    assert b"TY  - " in first["bibliography.ris"]
