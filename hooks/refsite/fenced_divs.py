"""Pandoc fenced divs (``::: {#id .class key=val}`` … ``:::``) and Quarto callouts, as a
Python-Markdown block processor (pure: no MkDocs import).

* ``::: {.callout-note}`` (``tip``, ``warning``, ``important``, ``caution``) becomes a Material
  admonition: ``<div class="admonition note callout-note">`` whose ``<p class="admonition-title">``
  is the callout's ``title="…"`` attribute, else its first heading, else the type's name ("Note"),
  as Quarto shows it. ``collapse="true"`` / ``"false"`` makes it collapsible (closed / open) as
  ``pymdownx.details`` does (``<details>`` and ``<summary>``) when that extension is enabled.
  Quarto's colours are kept where Material has no class of that name: ``important`` is shown as
  Material's ``danger`` (red), ``caution`` as its ``warning`` (orange).
* Any other fenced div becomes a ``<div>`` with its id, classes and attributes (a single word,
  ``::: name``, is a class). Attributes that are not HTML's are written ``data-…``, as Pandoc's
  HTML writer does (and, as it does, a ``.column``'s ``width`` is its CSS width).
* Quarto's conditional content: ``::: {.content-visible when-format="html"}`` is shown and
  ``unless-format="html"`` (or ``.content-hidden``, or another format such as ``pdf``) is left out,
  as Quarto's HTML output does; a condition on a Quarto profile or metadata cannot be decided
  here, so that content is shown and the condition reported.
* Divs nest (the closing fence closes the innermost open div, as in Pandoc; more colons on the
  outer fences only help the reader); the Markdown inside is rendered as anywhere else.

As in Pandoc, an opening fence starts a block (it does not interrupt a paragraph) and a closing
fence is a line of three or more colons. A div never closed, or a closing fence with no open div,
is reported through ``report(lines, message)`` (the first lines of the block it is about) and
kept visible.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown.blockprocessors import BlockProcessor
from markdown.extensions.attr_list import NAME_RE, get_attrs_and_remainder

OPEN_RE = re.compile(r"^ {0,3}(?P<fence>:{3,})[ \t]*(?:\{(?P<attrs>[^}\n]*)\}|(?P<name>[^\s{}:]+))[ \t]*:*[ \t]*$")
CLOSE_RE = re.compile(r"^ {0,3}:{3,}[ \t]*$", re.MULTILINE)

# Quarto callout type -> (Material admonition class, default title)
CALLOUTS = {
    "note": ("note", "Note"),
    "tip": ("tip", "Tip"),
    "warning": ("warning", "Warning"),
    "important": ("danger", "Important"),
    "caution": ("warning", "Caution"),
}
# Attributes Pandoc's HTML writer keeps as they are (the others become data-…)
_HTML_ATTRIBUTES = {"title", "lang", "dir", "style", "role", "hidden", "tabindex", "translate", "width",
                    "height", "align", "accesskey", "contenteditable", "draggable", "spellcheck",
                    "itemscope", "itemprop", "itemtype", "itemid", "itemref", "inert", "popover"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# the format names Quarto's conditional content matches for an HTML page with JavaScript
_HTML_FORMATS = {"html", "html:js", "html4", "html5"}
_CONDITIONS = {"when-format", "unless-format", "when-profile", "unless-profile", "when-meta", "unless-meta"}


def parse_attributes(text: str) -> tuple[str | None, list[str], list[tuple[str, str]], bool]:
    """``{#id .a .b key=val key2="v w"}`` (without braces) -> (id, classes, [(key, value)], ok).
    ``ok`` is false when part of the text is not an attribute (it is left out)."""
    pairs, remainder = get_attrs_and_remainder(text.strip() + "}")
    ident, classes, others, ok = None, [], [], remainder == "}"
    for key, value in pairs:
        if key == ".":
            classes.append(value)
        elif key == "id":
            ident = value
        elif value is None:           # a bare word is not a Pandoc attribute
            ok = False
        else:
            others.append((key, value))
    return ident, classes, others, ok


def _html_name(key: str) -> str:
    key = NAME_RE.sub("_", key)
    if key in _HTML_ATTRIBUTES or key.startswith(("data-", "aria-")):
        return key
    return "data-" + key


class FencedDivProcessor(BlockProcessor):
    """``report(lines, message)`` is called for each problem, with the source lines it is about."""

    def __init__(self, parser, report, *, details: bool = False, words: bool = True):
        super().__init__(parser)
        self.report = report
        self.details = details      # pymdownx.details is enabled: collapsible callouts
        self.words = words          # ``::: name`` is ours (not when mkdocstrings uses it)

    def _opening(self, line: str):
        m = OPEN_RE.match(line)
        if m is None or (m.group("name") is not None and not self.words):
            return None
        return m

    def test(self, parent, block):
        first = block.split("\n", 1)[0]
        return self._opening(first) is not None or CLOSE_RE.search(block) is not None

    def run(self, parent, blocks):
        lines = blocks.pop(0).split("\n")
        opening = self._opening(lines[0])
        if opening is None and not CLOSE_RE.match(lines[0]):
            # A closing fence ends the paragraph it follows (as in Pandoc): the lines before it
            # are a block of their own.
            cut = next(i for i, line in enumerate(lines) if CLOSE_RE.match(line))
            blocks.insert(0, "\n".join(lines[cut:]))
            self.parser.parseBlocks(parent, ["\n".join(lines[:cut])])
            return
        if opening is None:                   # a closing fence with no open div
            self.report(lines[:2], "closing fence ':::' without an opening fenced div "
                                  "(an opening fence is '::: {.class}' or '::: name')")
            stray = etree.SubElement(parent, "p")
            stray.set("class", "refsite-foreign")
            stray.text = lines[0].strip()
            if len(lines) > 1:
                blocks.insert(0, "\n".join(lines[1:]))
            return
        inner, rest, closed = self._collect(lines[1:], blocks)
        if not closed:
            self.report(lines[:1], f"fenced div '{lines[0].strip()}' is never closed: end it with a line "
                                  "':::' (in a list item or an admonition, where each block is read on "
                                  "its own, a div has no blank line; here it ends with its block)")
        if rest:
            blocks.insert(0, "\n".join(rest))
        self._build(parent, opening, lines[0], "\n".join(inner))

    def _collect(self, current: list[str], blocks: list[str]):
        """The div's inner lines up to its closing fence, the lines after it, and whether it was
        closed. Blank lines between blocks are kept, so the inner text splits as the page did."""
        depth, inner, at_start = 1, [], True
        while True:
            for j, line in enumerate(current):
                if CLOSE_RE.match(line):
                    depth -= 1
                    if depth == 0:
                        return inner, current[j + 1:], True
                    at_start = True
                elif at_start and self._opening(line):
                    depth += 1
                else:
                    at_start = not line.strip()
                inner.append(line)
            if not blocks:
                return inner, [], False
            inner.append("")
            current, at_start = blocks.pop(0).split("\n"), True

    def _build(self, parent, opening, fence_line: str, text: str) -> None:
        attrs = opening.group("attrs")
        if attrs is not None:
            ident, classes, others, ok = parse_attributes(attrs)
            if not ok:
                self.report([fence_line], f"fenced div attributes '{{{attrs}}}': only #id, .class and "
                                        "key=value (quoted if it has spaces) are read")
        else:
            ident, classes, others = None, [opening.group("name")], []
        if "content-visible" in classes or "content-hidden" in classes:
            if not self._shown(classes, others, fence_line):
                return                  # Quarto leaves it out of an HTML page
            others = [(k, v) for k, v in others if k not in _CONDITIONS]
        kind = next((c[len("callout-"):] for c in classes
                     if c.startswith("callout-") and c[len("callout-"):] in CALLOUTS), None)
        if kind is None:
            div = etree.SubElement(parent, "div")
            self._set_attributes(div, ident, classes, others)
            self.parser.parseChunk(div, text)
            return
        options = dict(others)
        title = options.pop("title", None)
        collapse = options.pop("collapse", "").lower()
        css, default_title = CALLOUTS[kind]
        collapsible = self.details and collapse in ("true", "false")
        if collapse and not collapsible:
            self.report([fence_line], f'callout collapse="{collapse}": ' + (
                "collapse is 'true' or 'false'" if collapse not in ("true", "false")
                else "a collapsible callout needs pymdownx.details in markdown_extensions")
                + "; the callout is shown open")
        box = etree.SubElement(parent, "details" if collapsible else "div")
        self._set_attributes(box, ident, ([] if collapsible else ["admonition"]) + [css]
                             + [c for c in classes if c != css], options.items())
        if collapsible and collapse == "false":
            box.set("open", "open")
        head = etree.SubElement(box, "summary" if collapsible else "p")
        if not collapsible:
            head.set("class", "admonition-title")
        self.parser.parseChunk(box, text)
        first = box[1] if len(box) > 1 else None
        if title is None and first is not None and first.tag in _HEADINGS:
            # Quarto: a heading that opens the callout is its title.
            head.text, head.tail = first.text, None
            head.extend(list(first))
            box.remove(first)
        elif title is not None:
            head.text = title
        else:
            head.text = default_title

    def _shown(self, classes, others, fence_line: str) -> bool:
        """Whether Quarto shows conditional content in an HTML page."""
        conditions = []
        for key, value in others:
            if key in ("when-format", "unless-format"):
                html = value.strip().lower() in _HTML_FORMATS
                conditions.append(html if key == "when-format" else not html)
            elif key in _CONDITIONS:
                self.report([fence_line], f"{key}=\"{value}\": MkDocs has no Quarto profiles or metadata "
                                          "to decide it; the content is shown")
        met = all(conditions)
        return met if "content-visible" in classes else not met

    @staticmethod
    def _set_attributes(elem, ident, classes, others) -> None:
        if ident:
            elem.set("id", ident)
        if classes:
            elem.set("class", " ".join(dict.fromkeys(classes)))
        for key, value in others:
            if key == "width" and "column" in classes:      # Pandoc's (and Quarto's) columns
                elem.set("style", f"width:{value};" + elem.get("style", ""))
            else:
                elem.set(_html_name(key), value)
