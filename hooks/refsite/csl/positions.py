"""Cite positions (first, subsequent, ibid, ibid-with-locator, near-note) over citations in order."""
from __future__ import annotations

from .evaluate import Cite


def _same_locator(a, b) -> bool:
    return (a.locator or "") == (b.locator or "") and ((a.label or "page") == (b.label or "page"))


def compute_positions(citations, near_note_distance: int = 5) -> list[list[Cite]]:
    """A :class:`Cite` for every cite item of every citation (reading order)."""
    last_note: dict = {}
    first_note: dict = {}
    prev_by_kind: dict = {}
    out = []
    for n, cit in enumerate(citations):
        note = cit.note_index if cit.note_index else n + 1
        kind = cit.note_index == 0
        prev_citation = prev_by_kind.get(kind)
        row = []
        for k, ci in enumerate(cit.items):
            pos, near = 0, False
            if ci.id in last_note:
                pos = 1
                near = note - last_note[ci.id] <= near_note_distance
                if k > 0:
                    prev = cit.items[k - 1]
                    prev_ok = prev.id == ci.id
                elif prev_citation is not None:
                    ids = {p.id for p in prev_citation.items}
                    prev = prev_citation.items[-1] if prev_citation.items else None
                    prev_ok = ids == {ci.id}
                else:
                    prev, prev_ok = None, False
                if prev_ok:
                    if not ci.locator:
                        pos = 2 if not prev.locator else 1
                    else:
                        pos = 2 if _same_locator(ci, prev) else 3
            row.append(Cite(ci.locator or "", ci.label or ("page" if ci.locator else ""), pos, near,
                            first_note.get(ci.id)))
            last_note[ci.id] = note
            first_note.setdefault(ci.id, note)
        if cit.items:
            prev_by_kind[kind] = cit
        out.append(row)
    return out
