"""Cross-page registry: what each page cites and which terms it uses, recorded while pages render.

Everything that depends on more than one page (backlinks, the bibliography, year suffixes) is
computed from here after all pages are rendered, so output never depends on page order.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CitationRecord:
    page: str            # src_uri of the citing page
    cite_id: str         # element id of the in-text citation ("cite-3")
    keys: tuple[str, ...]
    heading_id: str      # nearest section heading's id ("" for the top of the page)
    heading: str         # its text
    snippet: str         # text around the citation (may still hold style tokens)


@dataclass(frozen=True)
class TermRecord:
    page: str
    slug: str
    anchor: str          # id of the linked occurrence, or of the section heading
    heading: str
    linked: bool


@dataclass
class Registry:
    citations: dict[str, list[CitationRecord]] = field(default_factory=dict)
    terms: dict[str, list[TermRecord]] = field(default_factory=dict)
    page_keys: dict[str, list[str]] = field(default_factory=dict)   # page -> keys in first-cited order
    nocite: dict[str, list[str]] = field(default_factory=dict)      # page -> keys its front matter lists

    def reset_page(self, page: str) -> None:
        self.citations.pop(page, None)
        self.terms.pop(page, None)
        self.page_keys.pop(page, None)
        self.nocite.pop(page, None)

    def add_nocite(self, page: str, keys: list[str]) -> None:
        """Works a page lists without citing them (front matter ``nocite``): in its reference
        list, its exports and the bibliography."""
        if keys:
            self.nocite[page] = list(keys)
            self.page_keys.setdefault(page, []).extend(k for k in keys if k not in self.page_keys[page])

    def add_citation(self, record: CitationRecord) -> None:
        self.citations.setdefault(record.page, []).append(record)
        keys = self.page_keys.setdefault(record.page, [])
        for key in record.keys:
            if key not in keys:
                keys.append(key)

    def add_term(self, record: TermRecord) -> None:
        self.terms.setdefault(record.page, []).append(record)

    def cited_keys(self) -> set[str]:
        return {key for keys in self.page_keys.values() for key in keys}

    def backlinks(self, page_order) -> dict[str, list[CitationRecord]]:
        """key -> citing records, pages in ``page_order`` then by path, citations in page order."""
        rank = {page: i for i, page in enumerate(page_order)}
        result: dict[str, list[CitationRecord]] = {}
        for page in sorted(self.citations, key=lambda p: (rank.get(p, len(rank)), p)):
            for record in self.citations[page]:
                for key in dict.fromkeys(record.keys):
                    result.setdefault(key, []).append(record)
        return result

    def term_pages(self, page_order) -> dict[str, list[TermRecord]]:
        rank = {page: i for i, page in enumerate(page_order)}
        result: dict[str, list[TermRecord]] = {}
        for page in sorted(self.terms, key=lambda p: (rank.get(p, len(rank)), p)):
            for record in self.terms[page]:
                result.setdefault(record.slug, []).append(record)
        return result
