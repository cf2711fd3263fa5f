"""Quarto cross-references: ``@fig-map``, ``[@tbl-x]``, ``[-@fig-x]``, ``[Fig @fig-a; @fig-b]``
(pure: no MkDocs import).

A citation key with a cross-reference prefix (``fig-``, ``tbl-``, ``sec-``, ``eq-``, ``lst-``; a
capitalised prefix such as ``@Fig-map`` finds ``fig-map``, as in Quarto) that is not a bibliography
key refers to the element of the site with that id:

* a heading ``## Title {#sec-x}``: the reference reads as the section's title, linked, as Quarto
  writes references to sections of unnumbered documents (``number-sections: false``) and MkDocs
  does not number headings;
* a figure ``![Caption](map.png){#fig-map}`` (an image alone in its paragraph), a Pandoc fenced div
  ``::: {#fig-x}`` (its last paragraph is the caption) or any ``<figure id="fig-x">``: it gets the
  caption "Figure 2: Caption", and a reference reads "Figure 2";
* a table with a Pandoc caption paragraph ``: Caption {#tbl-x}`` (or ``Table: …``) right before or
  after it, a fenced div ``::: {#tbl-x}`` around a table (its last paragraph is the caption) or any
  ``<table id="tbl-x">``: "Table 1: Caption" above the table, "Table 1" in references;
* an equation ``$$ … $$ {#eq-x}`` (with pymdownx.arithmatex): "(1)" at its right, "Equation 1" in
  references; a code block ``{#lst-x lst-cap="Caption"}``: "Listing 1: Caption" above it;
* any other element with such an id, raw HTML included (``<div id="eq-x">``): numbered the same.

Numbers count per page, in reading order, per kind. A reference reads as Quarto writes it: the
kind's name and number ("Figure 2"); ``[-@fig-x]`` the number only ("2"); ``[Fig @fig-x]`` the
written prefix instead of the name ("Fig 2"); several in one group are joined with ", " ("Figure 1,
Figure 2"); brackets do not add parentheses. A suffix (``[@fig-x, left]``, which Quarto drops) is
kept after the reference. The target may be on another page: references are tokens that
``on_env`` replaces (``Crossrefs.html``), when every page's targets are known. A reference to no
element is shown as **?@fig-x**, as Quarto does, and reported as an unknown cross-reference.
"""
from __future__ import annotations

import html as _html
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass

from markdown import util as md_util
from markdown.blockprocessors import BlockProcessor
from markdown.extensions.toc import remove_fnrefs, render_inner_html, strip_tags
from markupsafe import escape

KINDS = {"fig": "Figure", "tbl": "Table", "sec": "Section", "eq": "Equation", "lst": "Listing"}
NBSP = "\u00a0"
# How each kind of target is written (said when a reference finds none)
WRITTEN = {"fig": "a figure is ![Caption](file.png){#fig-x} or ::: {#fig-x}",
           "tbl": "a table has the caption ': Caption {#tbl-x}' right before or after it",
           "sec": "a heading is ## Title {#sec-x}",
           "eq": "an equation is $$ … $$ {#eq-x}, with pymdownx.arithmatex",
           "lst": "a code listing is ```{#lst-x lst-cap=\"Caption\"}"}
_KEY = re.compile(r"^([A-Za-z]+)-(\S+)$")
CAPTION_MARK = "refsite-table-caption"
_CAPTION = re.compile(r"^[ ]{0,3}(Table:|table:|:)[ \t]+(\S.*)$", re.S)
_CAPTION_ATTRS = re.compile(r"\s*\{([^{}\n]*)\}\s*$")
_CAPTION_ID = re.compile(r"(?:^|\s)#([^\s}]+)")
_TABLE_RULE = re.compile(r"^[ \t|:\-]*-[ \t|:\-]*$")
_STASHED = re.compile(re.escape(md_util.HTML_PLACEHOLDER).replace("%s", r"(\d+)"))   # a raw HTML block
_RAW_ID = re.compile(r"""<(\w+)\b[^>]*?\bid=["']((?:fig|tbl|sec|eq|lst)-[^"'\s>]+)["'][^>]*>""")
_LISTING_CAPTION = re.compile(r"""\blst-cap=(?:"([^"]*)"|'([^']*)')""")
_RAW_CAPTION = {"fig": re.compile(r"<figcaption\b[^>]*>"), "tbl": re.compile(r"<caption\b[^>]*>")}


def split_key(key: str) -> tuple[str, str, bool] | None:
    """(kind, element id, capitalised) of a cross-reference key, or None: ``Fig-map`` ->
    ("fig", "fig-map", True); Quarto lower-cases the first letter only."""
    m = _KEY.match(key)
    if not m:
        return None
    kind = m.group(1).lower()
    if kind not in KINDS or m.group(1) not in (kind, kind.capitalize()):
        return None
    return kind, kind + "-" + m.group(2), m.group(1)[0].isupper()


def kind_of_id(ident: str) -> str | None:
    prefix = ident.split("-", 1)[0]
    return prefix if prefix in KINDS and len(ident) > len(prefix) + 1 else None


@dataclass(frozen=True)
class Target:
    ident: str
    kind: str
    page: str
    number: int
    title: str              # a heading's or caption's text (may hold citation tokens)
    path: str
    line: int | None


@dataclass(frozen=True)
class RefItem:
    key: str                # as written (``Fig-map``)
    ident: str              # the element id it refers to (``fig-map``)
    kind: str
    suppress: bool          # ``[-@fig-x]``: the number only
    prefix: str             # plain text written before the key, replacing the kind's name
    suffix: str             # plain text written after it, with its lead (", left")
    line: int | None


@dataclass(frozen=True)
class Reference:
    page: str
    path: str
    items: tuple[RefItem, ...]


class Crossrefs:
    """Every cross-reference target and reference of one build."""

    def __init__(self):
        self.targets: dict[str, Target] = {}
        self.references: list[Reference] = []
        self._problems: list[tuple[str, int | None, str]] = []
        self._busy: set[str] = set()

    def add_targets(self, targets: list[Target]) -> None:
        for target in targets:
            first = self.targets.get(target.ident)
            if first is None:
                self.targets[target.ident] = target
            else:
                where = f"{first.path}:{first.line}" if first.line else first.path
                self._problems.append((target.path, target.line,
                                       f"cross-reference id '{target.ident}' is already used at {where} "
                                       "(references go to the first one)"))

    def add_reference(self, reference: Reference) -> int:
        self.references.append(reference)
        return len(self.references) - 1

    def problems(self) -> list[tuple[str, int | None, str]]:
        """Ids used twice and references to no element (known only when every page is rendered)."""
        out = list(self._problems)
        for reference in self.references:
            for item in reference.items:
                if item.ident not in self.targets:
                    out.append((reference.path, item.line,
                                f"unknown cross-reference '@{item.key}': no element of the site has the id "
                                f"'{item.ident}' ({WRITTEN[item.kind]})"))
        return out

    def _parts(self, serial: str, resolve) -> list[tuple[str, Target | None, str]]:
        """(label, target, suffix) of each reference of a token."""
        if not serial.isdigit() or int(serial) >= len(self.references):
            return []
        out = []
        for item in self.references[int(serial)].items:
            target = self.targets.get(item.ident)
            if target is None:
                out.append(("?@" + item.key, None, item.suffix))
                continue
            if target.kind != "sec":
                body = str(target.number)
            elif target.ident in self._busy:      # a heading that refers to itself
                body = target.ident
            else:
                self._busy.add(target.ident)
                try:
                    body = resolve(target.title).strip() or target.ident
                finally:
                    self._busy.discard(target.ident)
            if item.prefix:
                label = item.prefix + NBSP + body
            elif item.suppress or target.kind == "sec":
                label = body
            else:
                label = KINDS[target.kind] + NBSP + body
            out.append((label, target, item.suffix))
        return out

    def html(self, serial: str, page: str, href, resolve) -> str:
        """The references of token ``serial`` on ``page`` as HTML links; ``href(page, id)`` is the
        link to an element of a page, ``resolve(text)`` the plain text of a title with tokens."""
        parts = []
        for label, target, suffix in self._parts(serial, resolve):
            if target is None:
                parts.append(f'<strong class="refsite-missing refsite-xref--missing">{escape(label)}</strong>{escape(suffix)}')
                continue
            link = "#" + target.ident if target.page == page else href(target.page, target.ident)
            parts.append(f'<a class="refsite-xref" data-xref="{escape(target.kind)}" href="{escape(link)}">'
                         f"{escape(label)}</a>{escape(suffix)}")
        return ", ".join(parts)

    def text(self, serial: str, resolve) -> str:
        return ", ".join(label + suffix for label, _target, suffix in self._parts(serial, resolve))


# -- the Markdown side: targets of a page ---------------------------------------------------------

def _looks_like_table(block: str) -> bool:
    lines = block.split("\n")
    return len(lines) > 1 and "|" in lines[0] and bool(_TABLE_RULE.match(lines[1]))


class TableCaptionProcessor(BlockProcessor):
    """Pandoc's table caption: a paragraph ``Table: Caption {#tbl-x}`` or ``: Caption {#tbl-x}``
    right before or after a table. Elsewhere it stays a paragraph (or a definition) as in Pandoc,
    unless it names a ``tbl-`` id: then it was meant as a caption and ``CrossrefTargets`` reports
    it. It becomes a marked paragraph, inline-processed as any other, that ``CrossrefTargets``
    moves into the table."""

    def test(self, parent, block):
        return bool(_CAPTION.match(block))

    def run(self, parent, blocks):
        m = _CAPTION.match(blocks[0])
        last = self.lastChild(parent)
        text = m.group(2).strip()
        attrs = _CAPTION_ATTRS.search(text)
        ident = _CAPTION_ID.search(attrs.group(1)) if attrs else None
        adjacent = (last is not None and last.tag == "table") or (len(blocks) > 1 and _looks_like_table(blocks[1]))
        if not adjacent and not (ident and ident.group(1).startswith("tbl-")):
            return False
        blocks.pop(0)
        caption = etree.SubElement(parent, "p")
        caption.set("class", CAPTION_MARK)
        caption.set("data-refsite-written", m.group(1))
        if ident:
            caption.set("data-refsite-id", ident.group(1))
        if attrs:
            text = text[:attrs.start()].rstrip()
        caption.text = text
        return True


_EQUATION = re.compile(r"^(?P<math>[ ]{0,3}\$\$[\s\S]+?\$\$)[ \t]*\{[^{}\n]*#(?P<id>eq-[^\s}]+)[^{}\n]*\}[ \t]*$")


class EquationLabelProcessor(BlockProcessor):
    """Quarto's equation label ``$$ … $$ {#eq-x}`` with pymdownx.arithmatex: the math goes to
    arithmatex's own block processor, and the element it makes gets the id (``CrossrefTargets``
    then writes the number at the right, as Quarto does: ``\\qquad(1)``)."""

    def test(self, parent, block):
        return "arithmatex-block" in self.parser.blockprocessors and bool(_EQUATION.match(block))

    def run(self, parent, blocks):
        m = _EQUATION.match(blocks[0])
        math = self.parser.blockprocessors["arithmatex-block"]
        if not math.test(parent, m.group("math")):
            return False
        blocks[0] = m.group("math")
        before = len(parent)
        math.run(parent, blocks)
        if len(parent) > before:
            parent[-1].set("id", m.group("id"))
        return True


def _number_equation(elem, number: int) -> None:
    """``\\qquad(N)`` at the end of an arithmatex equation (its text or its script's)."""
    for node in [elem, *elem.iter("script")]:
        text = node.text or ""
        for close in ("\\]", "$$"):
            if text.rstrip().endswith(close):
                end = text.rstrip()
                node.text = type(text)(end[:-len(close)].rstrip() + f" \\qquad({number})" + close)
                return
        if node.tag == "script" and text:
            node.text = type(text)(text.rstrip() + f" \\qquad({number})")
            return


def title_text(elem, md) -> str:
    """An element's text as the reader sees it (footnote markers left out)."""
    return _html.unescape(strip_tags(render_inner_html(remove_fnrefs(elem), md))).strip()


class CrossrefTargets:
    """Tree processor (after attr_list, which sets ids): numbers and captions the page's figures
    and tables and gives ``on_targets`` every element a cross-reference can point to."""

    def __init__(self, md, page: str, path: str, locate, on_targets, report, line_text=lambda line: ""):
        self.md = md
        self.page, self.path = page, path
        self.locate = locate            # locate(needle) -> line of needle in the page source
        self.line_text = line_text      # line_text(line) -> that line of the page source
        self.on_targets = on_targets    # on_targets(list[Target])
        self.report = report            # report(line, message)

    def run(self, root):
        parents = {child: parent for parent in root.iter() for child in parent}
        captions = [el for el in root.iter("p") if el.get("class") == CAPTION_MARK]
        for caption in captions:
            self._attach_caption(caption, parents)
        counts: dict[str, int] = {}
        targets: list[Target] = []
        seen: set[str] = set()
        for elem in [el for el in root.iter() if el.get("id") or _STASHED.search(el.text or "")]:
            if not elem.get("id"):
                self._raw(elem.text, counts, targets, seen)
                continue
            ident = elem.get("id")
            kind = kind_of_id(ident)
            if kind is None:
                continue
            line = self.locate("#" + ident)
            if ident in seen:
                self.report(line, f"cross-reference id '{ident}' is used twice on this page "
                                   "(references go to the first one)")
                continue
            seen.add(ident)
            number = 0
            if kind != "sec":
                number = counts[kind] = counts.get(kind, 0) + 1
            if kind == "fig":
                title = self._figure(elem, parents, number)
            elif kind == "tbl":
                title = self._table(elem, number)
            elif kind == "eq" and "arithmatex" in (elem.get("class") or "").split():
                _number_equation(elem, number)
                title = ""
            else:
                title = title_text(elem, self.md)
            targets.append(Target(ident, kind, self.page, number, title, self.path, line))
        if targets:
            self.on_targets(targets)

    def _raw(self, text: str, counts, targets, seen) -> None:
        """Targets in raw HTML blocks (``<div id="eq-growth">``), which the tree only holds as
        placeholders: numbered in place; a ``figcaption`` or ``caption`` that follows gets the label."""
        stash = self.md.htmlStash.rawHtmlBlocks
        for m in _STASHED.finditer(text):
            index = int(m.group(1))
            raw = stash[index] if index < len(stash) and isinstance(stash[index], str) else ""
            pos, out = 0, []
            for tag in _RAW_ID.finditer(raw):
                ident = tag.group(2)
                kind = kind_of_id(ident)
                line = self.locate(tag.group(0)) or self.locate("#" + ident)
                if kind is None or ident in seen:
                    continue
                seen.add(ident)
                number = 0 if kind == "sec" else counts.setdefault(kind, 0) + 1
                if kind != "sec":
                    counts[kind] = number
                caption = _RAW_CAPTION.get(kind)
                found = caption.search(raw, tag.end()) if caption else None
                if found:
                    out += [raw[pos:found.end()], f"{KINDS[kind]} {number}: "]
                    pos = found.end()
                listing = kind == "lst" and (_LISTING_CAPTION.search(raw, tag.start())
                                             or _LISTING_CAPTION.search(self.line_text(line) if line else ""))
                if listing:             # a code block's lst-cap="…", above it as in Quarto
                    label = f"{KINDS[kind]} {number}: " + (listing.group(1) or listing.group(2) or "")
                    out += [raw[pos:tag.start()], f'<p class="refsite-caption">{escape(label)}</p>']
                    pos = tag.start()
                title = strip_tags(raw[tag.end():]).strip().split("\n")[0] if kind == "sec" else ""
                targets.append(Target(ident, kind, self.page, number, title, self.path, line))
            if out:
                stash[index] = "".join(out) + raw[pos:]

    # -- figures
    def _figure(self, elem, parents, number: int) -> str:
        label = f"{KINDS['fig']} {number}: "
        if elem.tag == "img":
            para = parents.get(elem)
            alone = (para is not None and para.tag == "p" and len(para) == 1
                     and not (para.text or "").strip() and not (elem.tail or "").strip())
            if not alone:
                return elem.get("alt", "")
            para.tag = "figure"
            para.set("id", elem.attrib.pop("id"))
            para.set("class", " ".join(filter(None, [para.get("class"), "refsite-figure"])))
            para.text, elem.tail = None, None
            caption = etree.SubElement(para, "figcaption")
            caption.text = label + elem.get("alt", "")
            return elem.get("alt", "")
        caption = elem.find("figcaption")
        if caption is None and elem.tag == "div" and len(elem) and elem[-1].tag == "p":
            caption = elem[-1]          # a fenced div: its last paragraph is the caption
            caption.tag = "figcaption"
            elem.tag = "figure"
            elem.set("class", " ".join(filter(None, [elem.get("class"), "refsite-figure"])))
        if caption is None:
            return ""
        title = title_text(caption, self.md)
        caption.text = label + (caption.text or "")
        return title

    # -- tables
    def _table(self, elem, number: int) -> str:
        table = elem if elem.tag == "table" else elem.find(".//table")
        caption = table.find("caption") if table is not None else None
        if caption is None and elem.tag == "div" and len(elem) and elem[-1].tag == "p":
            para = elem[-1]             # a fenced div: its last paragraph is the caption
            elem.remove(para)
            if table is not None:
                caption = etree.Element("caption")
                table.insert(0, caption)
            else:
                caption = etree.SubElement(elem, "p")
                caption.set("class", "refsite-caption")
            caption.text, caption.tail = para.text, None
            caption.extend(list(para))
        if caption is None:
            return ""
        title = title_text(caption, self.md)
        caption.text = f"{KINDS['tbl']} {number}: " + (caption.text or "")
        return title

    def _attach_caption(self, caption, parents) -> None:
        """A caption paragraph goes into the table before or after it (the one after first, as
        Pandoc reads ``: Caption`` under a table)."""
        parent = parents.get(caption)
        siblings = list(parent) if parent is not None else []
        index = siblings.index(caption) if caption in siblings else -1
        table = None
        if index > 0 and siblings[index - 1].tag == "table" and siblings[index - 1].find("caption") is None:
            table = siblings[index - 1]
        elif 0 <= index < len(siblings) - 1 and siblings[index + 1].tag == "table" \
                and siblings[index + 1].find("caption") is None:
            table = siblings[index + 1]
        ident = caption.attrib.pop("data-refsite-id", None)
        written = caption.attrib.pop("data-refsite-written", ":")
        del caption.attrib["class"]
        if table is None:
            self.report(self.locate(f"{written} {caption.text or ''}".strip()),
                        f"table caption '{written} …' is not next to a table: it is shown as written")
            caption.text = f"{written} {caption.text or ''}"
            caption.set("class", "refsite-missing")
            return
        parent.remove(caption)
        caption.tag, caption.tail = "caption", None
        table.insert(0, caption)
        if ident and not table.get("id"):
            table.set("id", ident)
