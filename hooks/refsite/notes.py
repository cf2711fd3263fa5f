"""Pandoc inline notes (``^[A note with @doe99.]``) as footnotes of the page, through the machinery
of Python-Markdown's footnotes extension (pure: no MkDocs import).

* An inline processor (before citations, so ``^[`` is never a citation group) takes the note up to
  its matching ``]``: nested brackets, links and citations stay inside; code spans and escapes are
  already opaque placeholders, so ``^[a `]` b]`` is one note. Its text is inline-processed as any
  other text (citations, emphasis, links, glossary terms, notes inside the note).
* A tree processor, right after inline processing, gives each note the footnotes extension's
  markup: a ``sup`` reference with the extension's ids (``fnref:…``, ``fn:…``) in the text and a
  ``li`` in the page's ``div.footnote`` (made where the extension would put it when the page has no
  ``[^id]`` note). The notes of such a page are numbered in reading order, ``[^id]`` ones included,
  as Pandoc numbers them; the extension's later processors (duplicate references, the backlink
  text) then run as for any footnote.
* Without the footnotes extension an inline note stays visible as written and is reported.
"""
from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown.extensions.footnotes import FN_BACKLINK_TEXT, NBSP_PLACEHOLDER
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor

from .syntax import bracket_end, inside_markup

MARK = "refsite-inline-note"            # a note between inline processing and the tree processor
UNPLACED = "refsite-missing refsite-inline-note--unplaced"      # shown as written, marked
LABEL_PREFIX = "refsite-note-"
MAX_INNER = 32


def _note_starts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(``^`` index, ``]`` index) of each inline note of ``text[start:end]`` at its top level."""
    found = []
    i = text.find("^[", start, end)
    while i != -1:
        close = bracket_end(text, i + 1)
        if close is not None and close < end:
            found.append((i, close))
            i = text.find("^[", close + 1, end)
        else:
            i = text.find("^[", i + 2, end)
    return found


class InlineNoteProcessor(InlineProcessor):
    """``^[…]`` -> a marked ``span`` holding the note's text (processed by the later patterns)."""

    def __init__(self):
        super().__init__(r"\^\[")

    def handleMatch(self, m, data):  # noqa: N802 (Markdown's API)
        start = m.start(0)
        close = bracket_end(data, start + 1)
        if close is None or inside_markup(data, start):
            return None, None, None
        note = etree.Element("span")
        note.set("class", MARK)
        note.text = data[start + 2:close]
        # A note inside the note becomes a child (Python-Markdown processes a child's text again,
        # so notes nest at any depth). Past MAX_INNER notes inside one note (hostile input, which
        # Python-Markdown's link patterns would make cubic), the inner ones stay as written.
        inner = _note_starts(data, start + 2, close) if data.count("^[", start + 2, close) <= MAX_INNER else []
        if inner:
            note.text = data[start + 2:inner[0][0]]
            for n, (i, j) in enumerate(inner):
                child = etree.SubElement(note, "span")
                child.set("class", MARK)
                child.text = data[i + 2:j]
                child.tail = data[j + 1:inner[n + 1][0] if n + 1 < len(inner) else close]
        return note, start, close + 1


class InlineNoteTreeprocessor(Treeprocessor):
    """After inline processing: each marked note becomes a footnote of the page."""

    def __init__(self, md, report):
        super().__init__(md)
        self.report = report        # report(message): a problem at the next inline note's line

    def run(self, root):
        marks = _marks(root)
        if not marks:
            return None
        footnotes = self.md.treeprocessors["footnote"].footnotes if "footnote" in self.md.treeprocessors else None
        if footnotes is None:
            for _parent, mark in marks:
                self.report("inline note '^[…]' needs Python-Markdown's footnotes extension: add "
                            "'footnotes' to markdown_extensions (the note is shown as written)")
                _unplaced(mark)
            return None
        ol = _footnotes_list(root, footnotes)
        number = 0
        while marks:
            for parent, mark in marks:
                number += 1
                while f"{LABEL_PREFIX}{number}" in footnotes.footnotes:
                    number += 1
                _place(footnotes, ol, parent, mark, f"{LABEL_PREFIX}{number}")
            marks = _marks(root)        # notes inside notes are in the footnotes now
        _renumber(root, ol, footnotes)
        return None


def _marks(root) -> list[tuple[etree.Element, etree.Element]]:
    """(parent, note) of each note not inside another note, in document order."""
    found, inside = [], set()
    for parent in root.iter():
        for child in parent:
            if child.get("class") == MARK:
                if id(parent) not in inside:
                    found.append((parent, child))
                inside.add(id(child))
            elif id(parent) in inside:
                inside.add(id(child))
    return found


def _unplaced(mark) -> None:
    mark.set("class", UNPLACED)
    mark.text = "^[" + (mark.text or "")
    if len(mark):
        mark[-1].tail = (mark[-1].tail or "") + "]"
    else:
        mark.text += "]"
    for inner in list(mark.iter("span"))[1:]:
        if inner.get("class") == MARK:
            _unplaced(inner)


def _footnotes_list(root, footnotes) -> etree.Element:
    """The ``ol`` of the page's footnotes, made as the extension makes it if the page has none."""
    for div in root.iter("div"):
        if div.get("class") == "footnote" and div.find("ol") is not None:
            return div.find("ol")
    div = etree.Element("div")
    div.set("class", "footnote")
    etree.SubElement(div, "hr")
    ol = etree.SubElement(div, "ol")
    found = footnotes.findFootnotesPlaceholder(root)
    if found:
        child, parent, is_text = found
        index = list(parent).index(child)
        if is_text:
            parent.remove(child)
            parent.insert(index, div)
        else:
            parent.insert(index + 1, div)
            child.tail = None
    else:
        root.append(div)
    return ol


def _place(footnotes, ol, parent, mark, label: str) -> None:
    footnotes.setFootnote(label, "")
    sup = etree.Element("sup")
    sup.set("id", footnotes.makeFootnoteRefId(label, found=True))
    link = etree.SubElement(sup, "a")
    link.set("href", "#" + footnotes.makeFootnoteId(label))
    link.set("class", "footnote-ref")
    sup.tail = mark.tail
    parent[list(parent).index(mark)] = sup
    item = etree.SubElement(ol, "li")
    item.set("id", footnotes.makeFootnoteId(label))
    para = etree.SubElement(item, "p")
    para.text = (mark.text or "").lstrip()
    para.extend(list(mark))
    if len(para):
        para[-1].tail = (para[-1].tail or "") + NBSP_PLACEHOLDER
    else:
        para.text += NBSP_PLACEHOLDER
    back = etree.SubElement(para, "a")
    back.set("href", "#" + sup.get("id"))
    back.set("class", "footnote-backref")
    back.text = FN_BACKLINK_TEXT


def _renumber(root, ol, footnotes) -> None:
    """Every note of the page numbered in reading order (the order of first references)."""
    sep = footnotes.get_separator()
    order: list[str] = []
    refs = [a for a in root.iter("a") if a.get("class") == "footnote-ref"]
    for a in refs:
        target = a.get("href", "")[1:]
        if target not in order:
            order.append(target)
    rank = {target: i for i, target in enumerate(order)}
    items = list(ol)
    items.sort(key=lambda li: rank.get(li.get("id"), len(rank)))
    ol[:] = items
    number = {li.get("id"): i for i, li in enumerate(items, 1)}
    for a in refs:
        if a.get("href", "")[1:] in number:
            a.text = footnotes.getConfig("SUPERSCRIPT_TEXT").format(number[a.get("href")[1:]])
    for li in items:
        for back in li.iter("a"):
            if back.get("class") == "footnote-backref":
                back.set("title", footnotes.getConfig("BACKLINK_TITLE").format(number[li.get("id")]))
    footnotes.footnote_order[:] = [li.get("id").split(sep, 1)[-1] for li in items]
