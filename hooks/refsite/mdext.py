"""The Python-Markdown side: citations (inline processors), glossary terms (tree processor),
the per-page reference list, and recording of every citation's context for backlinks.

Working inside the Markdown pipeline means code spans and code blocks are never touched: they are
already placeholders or AtomicStrings when these processors run.
"""
from __future__ import annotations

import html as _html
import re

import markdown
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field, replace
from functools import lru_cache
from urllib.parse import quote

from markdown.extensions import Extension
from markdown.extensions.toc import remove_fnrefs, render_inner_html, strip_tags, unescape, unique
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown import util as md_util
from markdown.util import AtomicString
from mkdocs.utils import get_relative_url

from .citing import Written, WrittenCite
from .fenced_divs import FencedDivProcessor
from .foreign import DollarMathProcessor, ForeignProcessor, ForeignSyntax
from . import searchwords
from .tokens import NOTES_TOKEN, REFERENCES_TOKEN, TOKEN_RE, cite_note_token, citation_token, search_token
from .registry import CitationRecord, TermRecord
from .syntax import bracket_end, parse_bracketed, parse_narrative
from . import crossref
from .tokens import crossref_token
from .notes import MARK as NOTE_MARK, InlineNoteProcessor, InlineNoteTreeprocessor

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
BLOCKS = {"p", "li", "td", "th", "dd", "dt", "blockquote", "figcaption", "caption"} | HEADINGS
_PLACEHOLDER = re.compile(f"{md_util.STX}[^{md_util.ETX}]*{md_util.ETX}")     # Python-Markdown's
_OTHER_TAGS = re.compile(r"</?(?!(?:i|b|sup|sub)>)[a-zA-Z][^>]*>")
_SPACES = re.compile(r"\s+")


def anchor_for(key: str) -> str:
    """Element id of an entry in the bibliography (Pandoc's convention: ref-<key>)."""
    return "ref-" + key


@lru_cache(maxsize=None)
def fragment_for(key: str) -> str:
    """URL fragment of an entry. Non-ASCII characters stay as they are (an IRI, valid in HTML
    ``href``): MkDocs compares a link's fragment with the target page's ids character for
    character, so ``#ref-m%C3%BCller2020`` would be reported as a missing anchor."""
    return "".join(ch if ord(ch) > 127 else quote(ch, safe="-._~:@!$&'()*+,;=/?")
                   for ch in anchor_for(key))


@dataclass
class PageContext:
    """What the Markdown processors need to know about the page being rendered."""

    src: str                     # src_uri, e.g. "summaries/intro.md"
    display_path: str            # path shown in problems
    source: str = ""             # the page's Markdown (for line numbers of problems)
    line_offset: int = 0         # lines before ``source`` in the file (front matter)
    link_terms: bool = True
    untrusted: bool = False      # Markdown that comes from YAML (glossary): only http(s) links
    line_map: dict = field(default_factory=dict)   # optional: fixed line for every problem
    nocite: list = field(default_factory=list)     # front matter ``nocite``: known keys listed
    suppress_bibliography: bool = False            # front matter ``suppress-bibliography``

    def href(self, target_src: str, fragment: str = "") -> str:
        """A link to another source file (MkDocs turns it into the page's URL and checks it)."""
        return get_relative_url(target_src, self.src) + ("#" + fragment if fragment else "")

    def line_of(self, needle: str, start_hint: int = 0) -> tuple[int | None, int]:
        """1-based line of ``needle`` in the page source (search from ``start_hint``)."""
        if "line" in self.line_map:
            return self.line_map["line"], start_hint
        return self._find(self.source, needle, start_hint)

    def _find(self, text: str, needle: str, start_hint: int) -> tuple[int | None, int]:
        """Line of ``needle`` in ``text`` (the source, or the source with code masked), from
        ``start_hint`` on, else anywhere; and where to search next."""
        pos = text.find(needle, start_hint)
        if pos < 0:
            pos = text.find(needle)
        if pos < 0:
            return None, start_hint
        return self.source.count("\n", 0, pos) + 1 + self.line_offset, pos + len(needle)

    def line_of_citation(self, key: str, start_hint: int = 0) -> tuple[int | None, int]:
        """1-based line of a citation of ``key`` (``@key``, ``-@key`` or ``@{key}``) in the page
        source, ignoring code, HTML comments, e-mail addresses and ``\\@``. Each occurrence is
        used once: the first unused one from ``start_hint`` on, else the first unused one (inline
        processing order is not always source order, e.g. footnotes)."""
        if "line" in self.line_map:
            return self.line_map["line"], start_hint
        if self._masked is None:
            self._masked = _mask_code(self.source)
        k = re.escape(key)
        pattern = re.compile(r"(?<![\w@\\])@(?:\{" + k + r"\}|" + k
                             + r"(?![\w{}]|[:.#$%&\-+?<>~/][\w]))")
        found = [m.start() for m in pattern.finditer(self._masked)]
        unused = [p for p in found if p not in self._consumed]
        later = [p for p in unused if p >= start_hint]
        pos = later[0] if later else unused[0] if unused else found[0] if found else None
        if pos is None:
            return None, start_hint
        self._consumed.add(pos)
        return self.source.count("\n", 0, pos) + 1 + self.line_offset, pos + 1

    def line_in_prose(self, needle: str, start_hint: int = 0) -> tuple[int | None, int]:
        """Like ``line_of``, ignoring code and HTML comments (``needle`` may span lines: only
        its first line is searched for)."""
        if "line" in self.line_map:
            return self.line_map["line"], start_hint
        if self._masked is None:
            self._masked = _mask_code(self.source)
        return self._find(self._masked, needle.split("\n", 1)[0], start_hint)

    _masked: str | None = None

    def __post_init__(self):
        self._consumed: set[int] = set()


_FENCE = re.compile(r"(?ms)^[ \t>]*(`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t>]*\1[`~]*[ \t]*$|\Z)")
_CODE_SPAN = re.compile(r"(?s)(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)")
_COMMENT = re.compile(r"(?s)<!--.*?-->")


def _mask_code(text: str) -> str:
    """``text`` with code blocks, code spans and HTML comments blanked (newlines kept)."""
    def blank(m):
        return re.sub(r"[^\n]", " ", m.group(0))
    for rx in (_FENCE, _COMMENT, _CODE_SPAN):
        text = rx.sub(blank, text)
    return text


class _CitationProcessor(InlineProcessor):
    def __init__(self, pattern, ext: "RefsiteExtension", parse):
        super().__init__(pattern)
        self.ext = ext
        self.parse = parse

    def handleMatch(self, m, data):  # noqa: N802 (Markdown's API)
        citation = self.parse(data, m.start(0))
        if citation is None:
            return None, None, None
        return self.ext.render_citation(citation), citation.start, citation.end


class _PageTreeprocessor(Treeprocessor):
    """A tree processor that works for the extension's current page."""

    def __init__(self, md, ext):
        super().__init__(md)
        self.ext = ext


class _CitationNotes(_PageTreeprocessor):
    """Note styles, after inline processing and before inline notes are placed: each citation of
    the text (not inside a footnote) gets an inline note (``notes.MARK``) holding its note's token,
    so that it becomes a footnote of the page numbered with the others in reading order, as in
    Pandoc. The citation's element stays in the text (its id is the backlinks' target), holding
    the names of an in-text citation and the footnote's reference. A citation inside a footnote
    stays there and is rendered in the note's form (``_ContextCollector`` tells which)."""

    def run(self, root):
        ext = self.ext
        if not (ext.site.is_note_style and ext.citations) or "footnote" not in self.md.treeprocessors:
            return None
        ext.notes_in_footnotes = True
        serial_of = {id(elem): serial for elem, _keys, serial in ext.citations}

        def walk(elem, in_note):
            for index, child in enumerate(elem):
                if id(child) in serial_of and not in_note:
                    written = ext.site.written[serial_of[id(child)]]
                    written.note = 0            # numbered once the page's notes are (_note_numbers)
                    if written.bracketed and all(c.mode != "AuthorInText" for c in written.cites):
                        _note_after_punctuation(elem, index, child)
                    mark = etree.SubElement(child, "span")
                    mark.set("class", NOTE_MARK)
                    note = etree.SubElement(mark, "span")
                    note.set("class", "refsite-cite-note")
                    note.set("data-cites", child.get("data-cites", ""))
                    note.text = AtomicString(cite_note_token(serial_of[id(child)]))
                    continue
                if id(child) in serial_of:
                    ext.site.written[serial_of[id(child)]].in_note = True
                walk(child, in_note or child.get("class") in (NOTE_MARK, "footnote"))
        walk(root, False)
        return None


_NOTE_PUNCTUATION = re.compile(r"[.,;:!?]+")


def _note_after_punctuation(parent, index: int, elem) -> None:
    """A citation that becomes a note mark only: no space before it, and after the punctuation
    that follows it ("text [@a]." reads "text.¹"), as Pandoc places notes."""
    before = parent[index - 1].tail if index else parent.text
    moved = _NOTE_PUNCTUATION.match(elem.tail or "")
    text = (before or "").rstrip() + (moved.group(0) if moved else "")
    if moved:
        elem.tail = elem.tail[moved.end():]
    if index:
        parent[index - 1].tail = text
    else:
        parent.text = text


class _ReferencesAppender(_PageTreeprocessor):
    """Appends the page's "References" section (runs before toc, so it gets an id and a TOC entry),
    and for note styles on a page without the footnotes extension the citations' notes before it.

    The entries' order and text depend on the whole site (citation numbers, year suffixes), so the
    list is a token that ``on_env`` replaces (``Site.final_content``). The works are searchable on
    the bibliography page, so the list is left out of search: ``data-search-exclude`` on a
    ``section`` with no nested ``section`` (Material's search parser ends an exclusion at the first
    closing tag of the same name); entries are ``div``s, as a style may lay them out in blocks."""

    def run(self, root):
        ext = self.ext
        site = ext.site
        if site.is_note_style and ext.citations and not ext.notes_in_footnotes:
            notes = etree.SubElement(root, "div")
            notes.set("class", "refsite-notes")
            notes.text = AtomicString(NOTES_TOKEN)
        keys = [k for k in [*ext.page_keys, *ext.page.nocite] if k in site.bibliography.entries]
        if not keys or ext.page.suppress_bibliography:
            return None
        if site.settings.references_title:
            heading = etree.SubElement(root, "h2")
            heading.text = site.settings.references_title
            heading.set("class", "refsite-references-title")
        container = etree.SubElement(root, "section")
        container.set("class", "refsite-references")
        container.set("data-search-exclude", "")
        container.text = AtomicString(REFERENCES_TOKEN)
        return None


class _HeadingCitations(_PageTreeprocessor):
    """Before toc: a heading that contains a citation gets its id and TOC label from the citation
    as the reader sees it ("Growth (Lee 2018, 4)" -> ``growth-lee-2018-4``), not from the
    unresolved tokens (the id is built from the label without year suffixes, which depend on the
    whole site). The TOC label keeps the tokens; they are resolved with the page content after all
    pages are rendered. Explicit ids (``{#id}``) are kept."""

    def run(self, root):
        toc = self.md.treeprocessors["toc"] if "toc" in self.md.treeprocessors else None
        if toc is None or not (self.ext.citations or self.ext.xrefs):
            return None
        used = None
        site = self.ext.site
        for el in root.iter():
            if el.tag not in HEADINGS or not any(name in ("refsite-cite", "refsite-xref-group")
                                                 for c in el.iter("span") for name in (c.get("class") or "").split()):
                continue
            if used is None:
                used = {e.get("id") for e in root.iter() if e.get("id")}
            raw = strip_tags(render_inner_html(remove_fnrefs(el), self.md))
            if not TOKEN_RE.search(raw):
                continue
            name = site.provisional_text(raw)
            if "id" not in el.attrib:
                el.set("id", unique(toc.slugify(_html.unescape(name), toc.sep), used))
            if "data-toc-label" not in el.attrib:
                # Tokens stay: the TOC titles are resolved with the page content in on_env.
                el.set("data-toc-label", raw)
        return None


class _CrossrefTargets(_PageTreeprocessor):
    """The page's cross-reference targets (``crossref.CrossrefTargets``) given to the site."""

    def run(self, root):
        ext, page = self.ext, self.ext.page
        hint = [0]

        def locate(needle: str) -> int | None:
            line, hint[0] = page.line_of(needle, hint[0])
            return line

        def line_text(line: int) -> str:
            lines = page.source.split("\n")
            return lines[line - 1 - page.line_offset] if 0 < line - page.line_offset <= len(lines) else ""

        crossref.CrossrefTargets(self.md, page.src, page.display_path, locate, ext.site.crossrefs.add_targets,
                                 lambda line, message: ext.site.problem(page.display_path, line, message),
                                 line_text).run(root)
        return None


def _plain(rich: str) -> str:
    """CSL rich text (``<i>…</i>``) as plain text."""
    return re.sub(r"<[^>]*>", "", rich)


_SAFE_SCHEME = re.compile(r"^(?:https?:|#|[^:/?#]*(?:[/?#]|$))", re.IGNORECASE)


class _ForeignReporter(_PageTreeprocessor):
    """Reports the page's foreign syntax (bookdown, LaTeX) once per kind, at its first place."""

    def run(self, root):
        page = self.ext.page
        for _kind, first, message in self.ext.foreign.messages():
            line, _ = page.line_in_prose(first)
            self.ext.site.problem(page.display_path, line, message)
        return None


class _UnsafeLinkStripper(Treeprocessor):
    """On pages made from YAML text: only http(s) and relative links stay links."""

    def run(self, root):
        for elem in root.iter():
            for attr in ("href", "src"):
                value = elem.get(attr)
                if value is not None and not _SAFE_SCHEME.match(value.strip()):
                    # MkDocs expects every <a> to have an href: make it a plain span instead.
                    alt = elem.get("alt", "")
                    elem.attrib.clear()
                    elem.tag = "span"
                    elem.set("class", "refsite-unsafe-link")
                    if alt and not elem.text:
                        elem.text = alt
        return None


class _ContextCollector(_PageTreeprocessor):
    """After toc: records each citation's and term's section and snippet for backlinks."""

    def run(self, root):
        ext = self.ext
        if not ext.citations and not ext.term_hits:
            return None
        heading_of: dict[int, tuple[str, str]] = {}
        block_of: dict[int, etree.Element] = {}
        current = ("", "")
        footnote_heading: dict[str, tuple[str, str]] = {}
        footnote_of: dict[int, str] = {}        # element -> id of the footnote it is in
        note = [""]                             # the footnote being walked

        def walk(elem, block):
            nonlocal current
            if elem.tag in HEADINGS:
                current = (elem.get("id", ""), _text(elem, self.md))
            if elem.tag in BLOCKS:
                block = elem
            cls = elem.get("class", "")
            elem_id = elem.get("id", "")
            if elem_id.startswith("fnref"):
                footnote_heading[elem_id.split(":", 1)[-1] if ":" in elem_id else elem_id] = current
            if elem_id.startswith("fn:") and elem.tag == "li":
                saved = current
                current = footnote_heading.get(elem_id[3:], current)
                heading_of[id(elem)] = current
                saved_note, note[0] = note[0], elem_id
                for child in elem:
                    walk(child, block)
                current, note[0] = saved, saved_note
                return
            if "refsite-cite" in cls or "refsite-term" in cls or id(elem) in ext.term_parents:
                heading_of[id(elem)] = current
                if note[0]:
                    footnote_of[id(elem)] = note[0]
                block_of[id(elem)] = block if block is not None else elem
            for child in elem:
                walk(child, block)

        walk(root, None)
        ext.site.unlinked.update(_citations_in_links(root))
        # Number citations in document order (inline processing order is not document order).
        # A citation that is not in the tree (image alt text keeps only its text) gets no number
        # and no backlink: there is nothing to link back to.
        order = {id(elem): i for i, elem in enumerate(root.iter()) if id(elem) in heading_of}
        ext.citations[:] = [c for c in ext.citations if id(c[0]) in order]
        ext.citations.sort(key=lambda c: order[id(c[0])])
        for number, (elem, _keys, _serial) in enumerate(ext.citations, 1):
            elem.set("id", f"cite-{number}")
        page = ext.page.src
        reading = [serial for _, _, serial in ext.citations]
        if ext.notes_in_footnotes:
            reading = _note_numbers(root, ext, footnote_of)
        ext.site.set_page_citations(page, reading)
        passages: dict = {}
        target_ids = [id(elem) for elem, _, _ in ext.citations]
        for elem, keys, _serial in ext.citations:
            hid, htext = heading_of.get(id(elem), ("", ""))
            snippet = _snippet(block_of.get(id(elem)), elem, passages, target_ids)
            ext.site.registry.add_citation(CitationRecord(
                page, elem.get("id"), tuple(keys), hid, htext, snippet))
        for term, elem, linked in ext.term_hits:
            hid, htext = heading_of.get(id(elem), ("", ""))
            anchor = elem.get("id") if linked and elem.get("id") else hid
            ext.site.registry.add_term(TermRecord(page, term.slug, anchor, htext, linked))
        return None


class _SearchWords(_PageTreeprocessor):
    """After the context is recorded: Material's search indexes a page by sections (a heading and
    what follows it up to the next heading). Each section that has words with accents or cites
    works ends with a token that ``on_env`` turns into the words readers may type that the section
    does not show (``searchwords``: accent-free spellings, the cited works' authors, whose names
    a numeric style or "et al." leaves out). The token goes just before the next heading, so no
    heading, paragraph or citation gets extra text."""

    SKIP = {"code", "pre", "script", "style"}

    def run(self, root):
        ext = self.ext
        serial_of = {id(elem): serial for elem, _keys, serial in ext.citations}
        section = ([], [])                          # (text parts, citation serials)

        def flush(parent, index):
            """End the current section with its token before ``parent``'s child ``index``."""
            text = TOKEN_RE.sub(" ", _PLACEHOLDER.sub(" ", unescape(" ".join(section[0]))))
            if section[1] or searchwords.missing_words(text, ()):
                token = AtomicString(search_token(ext.site.add_search_section(text, section[1])))
                if index > 0:
                    before = parent[index - 1]
                    before.tail = AtomicString((before.tail or "") + token)
                else:
                    parent.text = AtomicString((parent.text or "") + token)

        def walk(elem):
            nonlocal section
            for index, child in enumerate(list(elem)):
                if not isinstance(child.tag, str):
                    continue
                classes = (child.get("class") or "").split()
                if child.tag in HEADINGS:
                    flush(elem, index)
                    section = ([_text(child, self.md)], [])
                elif id(child) in serial_of:
                    section[1].append(serial_of[id(child)])
                elif not ("data-search-exclude" in child.attrib or "headerlink" in classes
                          or child.tag in self.SKIP):
                    section[0].append(child.text or "")
                    walk(child)
                if child.tail:
                    section[0].append(child.tail)

        section[0].append(root.text or "")
        walk(root)
        flush(root, len(root))
        return None


def _note_numbers(root, ext, footnote_of: dict[int, str]) -> list[int]:
    """Note styles (``_CitationNotes``): each citation's footnote number (the one it makes, or the
    one it is in) set on its ``Written``; the page's citations in reading order, as Pandoc reads
    them: by note, then in document order."""
    numbers: dict[str, int] = {}
    for div in root.iter("div"):
        if div.get("class") == "footnote" and div.find("ol") is not None:
            numbers = {li.get("id"): n for n, li in enumerate(div.find("ol"), 1)}
            break
    reading = []
    for rank, (elem, _keys, serial) in enumerate(ext.citations):
        written = ext.site.written[serial]
        ref = next((a for sup in elem if sup.tag == "sup" for a in sup
                    if a.get("class") == "footnote-ref"), None)
        if ref is not None:
            written.note = numbers.get(ref.get("href", "")[1:])
        elif id(elem) in footnote_of:
            written.note, written.in_note = numbers.get(footnote_of[id(elem)]), True
            written.note_start = _opens_note(root, elem, footnote_of[id(elem)])
        reading.append((written.note or 0, rank, serial))
    return [serial for _note, _rank, serial in sorted(reading)]


def _opens_note(root, elem, note_id: str) -> bool:
    """Whether ``elem`` is the first thing in the footnote ``note_id`` (its first paragraph's)."""
    for li in root.iter("li"):
        if li.get("id") == note_id:
            first = li[0] if len(li) else None
            return (first is not None and first.tag == "p" and not (first.text or "").strip()
                    and len(first) > 0 and first[0] is elem)
    return False


def _citations_in_links(root) -> list[int]:
    """Serials of the citations inside a link's text (``[see @key](url)``): they keep their text but
    get no links of their own (nested ``<a>`` is invalid HTML; browsers split the outer link)."""
    found = []

    def walk(elem, in_link):
        for child in elem:
            if in_link and "refsite-cite" in (child.get("class") or "").split():
                found.extend(int(m.group(2)) for m in TOKEN_RE.finditer(child.text or "") if m.group(1) == "C")
            walk(child, in_link or child.tag == "a")
    walk(root, False)
    return found


def _gather(elem, skip, targets=None) -> str:
    """Text of ``elem`` and its descendants (with tails), leaving out subtrees for which ``skip``
    is true. ``targets`` (a dict id -> None), if given, gets the offset at which each of its elements
    starts (one walk for all citations of a paragraph)."""
    parts: list[str] = []

    def walk(node):
        if targets is not None and id(node) in targets:
            targets[id(node)] = sum(map(len, parts))
        elif skip(node):
            return
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(elem)
    return "".join(parts)


def _text(elem, md) -> str:
    """A heading's text as the reader sees it (as toc names it): backslash escapes and inline HTML
    restored (``# 996\\.ICU`` reads "996.ICU"), footnote markers and the permalink left out."""
    shell = etree.Element(elem.tag)
    shell.text = elem.text
    shell.extend(child for child in elem if "headerlink" not in (child.get("class") or "").split())
    return _html.unescape(strip_tags(render_inner_html(remove_fnrefs(shell), md)))


def _passage_skip(node) -> bool:
    # Footnote markers and footnote bodies are not part of the passage's text.
    return node.get("class", "").startswith("footnote") or node.tag == "sup"


def _snippet(block, target, passages: dict, target_ids, before=110, after=70) -> str:
    """The text around ``target`` in ``block``. ``passages`` caches each block's text and the
    offsets of all the page's citations (``target_ids``) in it, so a paragraph is walked once."""
    if block is None:
        return ""
    found = passages.get(id(block))
    if found is None:
        offsets = dict.fromkeys(target_ids)
        found = passages[id(block)] = (_PLACEHOLDER.sub("", unescape(_gather(block, _passage_skip, offsets))),
                                      offsets)
    text, offset = found[0], found[1].get(id(target))
    start = offset or 0
    # Map the offset roughly after placeholder removal (placeholders are rare in text).
    start = min(start, len(text))
    lo = max(0, start - before)
    hi = min(len(text), start + after)
    cut = text[lo:hi]
    cut = _SPACES.sub(" ", cut).strip()
    if lo > 0:
        cut = "…" + cut.split(" ", 1)[-1] if " " in cut else "…" + cut
    if hi < len(text):
        cut = (cut.rsplit(" ", 1)[0] if " " in cut else cut) + "…"
    return cut


class RefsiteExtension(Extension):
    """Added to ``markdown_extensions`` in on_config; one instance per build, a fresh state per page."""

    def __init__(self, site):
        super().__init__()
        self.site = site
        self.page: PageContext | None = None
        self._reset()

    def _reset(self):
        self.counter = 0
        self.page_keys: list[str] = []
        self.citations: list[tuple[etree.Element, list[str], int]] = []   # (element, known keys, serial)
        self._affix_md = None
        self.term_hits: list = []
        self.term_parents: set[int] = set()
        self.search_hint = 0
        self.note_hint = 0
        self.notes_in_footnotes = False     # note styles: citations made footnotes of the page
        self.xrefs = 0             # cross-reference groups on the page
        self.foreign = ForeignSyntax()
        self.div_hint = 0

    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API)
        """Register the processors. Python-Markdown runs higher priorities first:

        ==================  =========  ======================================================
        name                priority   runs
        ==================  =========  ======================================================
        refsite_divs        106 (b)    Pandoc fenced divs and Quarto callouts (``:::``),
                                       before admonition (105) and every core block processor
        refsite_math        186 (i)    ``$…$`` reported as shown as typed, only when no math
                                       extension (pymdownx.arithmatex, 189.9) is enabled
        refsite_foreign     185 (i)    bookdown/LaTeX in prose (``\\@ref(…)``, ``\\index{…}``):
                                       after backticks (190), before escapes (180) eat ``\\@``
        refsite_equation    80 (b)     Quarto's ``$$ … $$ {#eq-x}``, handed to arithmatex's
                                       block processor (79.9), whose element gets the id
        refsite_table_caption 26 (b)   Pandoc table captions (``: Caption {#tbl-x}``), before
                                       def_list (25) reads ``:`` as a definition
        refsite_note        179 (i)    an inline note ``^[…]`` (Pandoc), before citations, so
                                       its bracket is not a citation group
        refsite_cite        178 (i)    after backticks (190) and escapes (180), before links
                                       (160): a bracketed citation group ``[@a; @b]``
        refsite_narrative   177 (i)    an in-text citation ``@a`` (a key inside a group
                                       belongs to the group, so groups go first)
        refsite_citation_notes 19.6 (t) note styles, after inline (20): each citation of the
                                       text gets an inline note holding its note
        refsite_notes       19.5 (t)   after inline (20): inline notes become footnotes of the
                                       page (``notes``), before footnote-reorder (19) and
                                       footnote-duplicate (15)
        refsite_xref_targets 7.8 (t)   after attr_list (8) sets ids: figures and tables with
                                       cross-reference ids numbered and captioned (``crossref``)
        refsite_terms       7.5 (t)    after attr_list (8), so ``{.refsite-noterm}`` is on
                                       its element; before toc (5)
        refsite_references  6 (t)      appends the page's reference list before toc, so its
                                       heading gets an id and a TOC entry
        refsite_headings    5.5 (t)    ids and TOC labels of headings that cite, before toc
        refsite_context     4 (t)      after toc (5): records each citation's section and
                                       snippet for backlinks
        refsite_search      3.5 (t)    ends each search section with the token of the words a
                                       search should also find there (``_SearchWords``)
        refsite_safe_links  3 (t)      pages made from YAML only: unsafe links become text
        refsite_foreign_report 2 (t)   the page's foreign syntax, one problem per kind
        ==================  =========  ======================================================

        (b) block processor, (i) inline processor, (t) tree processor."""
        self._reset()
        page = self.page or PageContext(src="index.md", display_path="index.md")
        self.page = page
        md.registerExtension(self)
        md.ESCAPED_CHARS = [*md.ESCAPED_CHARS, *(c for c in "@^" if c not in md.ESCAPED_CHARS)]
        md.parser.blockprocessors.register(FencedDivProcessor(
            md.parser, self._report_div, details="details" in md.parser.blockprocessors,
            words="mkdocstrings" not in md.parser.blockprocessors), "refsite_divs", 106)
        if "arithmatex-inline" not in md.inlinePatterns:
            md.inlinePatterns.register(DollarMathProcessor(self.foreign), "refsite_math", 186)
        md.inlinePatterns.register(ForeignProcessor(self.foreign), "refsite_foreign", 185)
        md.treeprocessors.register(_ForeignReporter(md, self), "refsite_foreign_report", 2)
        md.parser.blockprocessors.register(crossref.TableCaptionProcessor(md.parser), "refsite_table_caption", 26)
        md.parser.blockprocessors.register(crossref.EquationLabelProcessor(md.parser), "refsite_equation", 80)
        md.inlinePatterns.register(InlineNoteProcessor(), "refsite_note", 179)
        md.treeprocessors.register(_CitationNotes(md, self), "refsite_citation_notes", 19.6)
        md.treeprocessors.register(InlineNoteTreeprocessor(md, self._report_note), "refsite_notes", 19.5)
        md.treeprocessors.register(_CrossrefTargets(md, self), "refsite_xref_targets", 7.8)
        md.inlinePatterns.register(_CitationProcessor(r"\[", self, parse_bracketed), "refsite_cite", 178)
        md.inlinePatterns.register(_CitationProcessor(r"@", self, parse_narrative), "refsite_narrative", 177)
        self.site.register_term_linker(md, self, priority=7.5)
        md.treeprocessors.register(_ReferencesAppender(md, self), "refsite_references", 6)
        md.treeprocessors.register(_HeadingCitations(md, self), "refsite_headings", 5.5)
        md.treeprocessors.register(_ContextCollector(md, self), "refsite_context", 4)
        md.treeprocessors.register(_SearchWords(md, self), "refsite_search", 3.5)
        if self.page.untrusted:
            md.treeprocessors.register(_UnsafeLinkStripper(md), "refsite_safe_links", 3)

    # -- citations -------------------------------------------------------------------------
    def render_citation(self, citation) -> etree.Element:
        """The citation as an element holding a token: its text is decided in ``on_env``, when the
        processor has seen every citation of the site (``Site.written`` keeps it meanwhile)."""
        site = self.site
        xrefs = [item for item in citation.items
                 if item.key not in site.bibliography.entries and crossref.split_key(item.key)]
        if xrefs:
            return self._render_crossrefs(citation, xrefs)
        self.counter += 1
        root = etree.Element("span")
        root.set("class", "refsite-cite")
        root.set("id", f"cite-{self.counter}")
        keys = [item.key for item in citation.items]
        root.set("data-cites", " ".join(keys))
        cites = tuple(WrittenCite(item.key, item.mode, self._affix(item.prefix), self._affix(item.suffix),
                                  item.locator, item.label, item.suffix_lead) for item in citation.items)
        serial = site.add_written(Written(self.page.src, cites, citation.bracketed))
        root.text = AtomicString(citation_token(serial))
        missing = [k for k in keys if k not in site.bibliography.entries]
        for key in missing:
            self._report_missing(key)
        if missing:
            root.set("class", "refsite-cite refsite-cite--missing")
        found = [k for k in keys if k in site.bibliography.entries]
        for key in found:
            if key not in self.page_keys:
                self.page_keys.append(key)
        self.citations.append((root, found, serial))
        return root

    def _render_crossrefs(self, citation, xrefs) -> etree.Element:
        """Quarto cross-references (``crossref``): a token that ``on_env`` replaces by links, when
        every page's targets are known; the works of the same group stay a citation after them."""
        items = []
        for item in xrefs:
            kind, ident, _upper = crossref.split_key(item.key)
            line, self.search_hint = self.page.line_of_citation(item.key, self.search_hint)
            suffix = _plain(self._affix(item.suffix)) if item.suffix or item.locator else ""
            if item.locator:        # "[@fig-x, p. 3]": Quarto has no locators; kept as written
                suffix = " ".join(filter(None, [item.locator, suffix]))
            items.append(crossref.RefItem(item.key, ident, kind, item.mode == "SuppressAuthor",
                                          _plain(self._affix(item.prefix)),
                                          (item.suffix_lead or ", ") + suffix if suffix else "", line))
        serial = self.site.crossrefs.add_reference(crossref.Reference(self.page.src, self.page.display_path,
                                                                      tuple(items)))
        root = etree.Element("span")
        root.set("class", "refsite-xref-group")
        self.xrefs += 1
        root.text = AtomicString(crossref_token(serial))
        rest = [item for item in citation.items if item not in xrefs]
        if rest:
            cite = self.render_citation(replace(citation, items=tuple(rest)))
            cite.tail = None
            root.append(cite)
            root.text += " "
        return root

    def _report_note(self, message: str) -> None:
        """An inline note problem, at the next ``^[`` of the page (outside code)."""
        page = self.page
        if page._masked is None:
            page._masked = _mask_code(page.source)
        pos = page._masked.find("^[", self.note_hint)
        end = bracket_end(page._masked, pos + 1) if pos >= 0 else None
        self.note_hint = end + 1 if end is not None else pos + 2 if pos >= 0 else self.note_hint
        line = page.source.count("\n", 0, pos) + 1 + page.line_offset if pos >= 0 else None
        self.site.problem(page.display_path, page.line_map.get("line", line), message)

    def _affix(self, text: str) -> str:
        """A prefix or suffix written in Markdown, as CSL rich text (``<i>``, ``<b>``, …)."""
        if not text:
            return ""
        if self._affix_md is None:
            self._affix_md = markdown.Markdown()
        html = self._affix_md.reset().convert(text)
        html = html[3:-4] if html.startswith("<p>") and html.endswith("</p>") else html
        for tag, csl_tag in (("em", "i"), ("strong", "b")):
            html = html.replace(f"<{tag}>", f"<{csl_tag}>").replace(f"</{tag}>", f"</{csl_tag}>")
        return _html.unescape(_OTHER_TAGS.sub("", html)) if "<" in html else _html.unescape(html)

    def _report_div(self, lines: list[str], message: str) -> None:
        """A fenced div problem, at the source lines ``lines`` (the first match from the previous
        problem on: blocks are parsed in source order)."""
        page = self.page
        if page._masked is None:
            page._masked = _mask_code(page.source)
        found = re.compile("(?m)^[ \t>]*" + "\n[ \t>]*".join(re.escape(x.strip()) for x in lines) + "[ \t]*$")
        m = found.search(page._masked, self.div_hint) or found.search(page._masked)
        line = None
        if "line" in page.line_map:
            line = page.line_map["line"]
        elif m is not None:
            line = page.source.count("\n", 0, m.start()) + 1 + page.line_offset
            self.div_hint = m.end()
        self.site.problem(page.display_path, line, message)

    def _report_missing(self, key):
        line, self.search_hint = self.page.line_of_citation(key, self.search_hint)
        self.site.problem(self.page.display_path, line, f"unknown citation key '{key}'")

    # -- glossary ---------------------------------------------------------------------------
    def on_term_link(self, term, element, *_):
        if term is getattr(self.page, "current_term", None):
            element.set("class", "refsite-term refsite-term--self")
            element.attrib.pop("href", None)
            element.tag = "span"
            return
        self.counter += 1
        element.set("id", f"term-{term.slug}-{self.counter}")
        element.set("data-term", term.term)
        element.set("data-refsite-short", term.short)
        self.term_hits.append((term, element, True))

    def on_term_occurrence(self, term, parent, *_):
        self.term_parents.add(id(parent))
        self.term_hits.append((term, parent, False))
