"""Cite positions (first, subsequent, ibid, ibid-with-locator, near-note) over citations in order."""
from __future__ import annotations

from .evaluate import Cite


def _same_locator(a, b) -> bool:
    return (a.locator or "") == (b.locator or "") and ((a.label or "page") == (b.label or "page"))


def _previous(cit, k, prev_note):
    """(previous cite, whether it alone precedes) for the ``k``-th cite of ``cit``.

    ``prev_note`` is (note number, cites) of the preceding note (or in-text citation): ibid.
    needs it to hold only the one item, unless the cite shares its note."""
    if k > 0:
        return cit.items[k - 1], True
    if prev_note is None:
        return None, False
    note, cites = prev_note
    if cit.note_index and note == cit.note_index:
        return cites[-1], True
    return cites[-1], len({c.id for c in cites}) == 1


def _position(ci, prev, alone) -> int:
    if prev is None or not alone or prev.id != ci.id:
        return 1
    if not ci.locator:
        return 2 if not prev.locator else 1
    return 2 if _same_locator(ci, prev) else 3


def compute_positions(citations, near_note_distance: int = 5) -> list[list[Cite]]:
    """A :class:`Cite` for every cite item of every citation (reading order).  Citations of
    the same note count as one note; in-text citations (note 0) and notes are apart."""
    last_note: dict = {}
    first_note: dict = {}
    prev_by_kind: dict = {}  # in text (True) / in notes (False) -> (note, cites)
    out = []
    for n, cit in enumerate(citations):
        note = cit.note_index if cit.note_index else n + 1
        kind = cit.note_index == 0
        row = []
        for k, ci in enumerate(cit.items):
            pos, near = 0, False
            if ci.id in last_note:
                prev, alone = _previous(cit, k, prev_by_kind.get(kind))
                pos = _position(ci, prev, alone)
                near = note - last_note[ci.id] <= near_note_distance
            row.append(Cite(ci.locator or "", ci.label or ("page" if ci.locator else ""), pos, near,
                            first_note.get(ci.id)))
            last_note[ci.id] = note
            first_note.setdefault(ci.id, note)
        if cit.items:
            held = prev_by_kind.get(kind)
            same = held is not None and cit.note_index and held[0] == cit.note_index
            prev_by_kind[kind] = (note, (held[1] if same else []) + list(cit.items))
        out.append(row)
    return out
