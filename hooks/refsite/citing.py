"""Every citation and reference of one site, rendered by the CSL processor (``refsite.csl``).

Pure (no MkDocs). While pages render, the Markdown extension records each citation as written
(``Written``) and leaves a token in the page; after all pages are rendered, ``Citing.render`` gives
the HTML of every citation at once, so that citation numbers (in reading order), disambiguation
and year suffixes are decided over the whole site. Note styles put each citation in a footnote of
its page, numbered with the page's own footnotes in reading order (positions such as ibid. are
computed within the page, from those note numbers); a citation inside a footnote stays in it, in
the note's form, as in Pandoc. Reference entries come from the
same processor, in the style's bibliography order.

How a citation as written maps to CSL (as Pandoc's citeproc does): a bracketed group is one CSL
citation; an in-text citation (``@key [p. 4]``) is the first work's names followed by a citation of
it with the author suppressed ("Lee (2018, 4)"); in a note style the names stay in the text and the
rest of the citation goes into the note. Unknown keys are shown as **key?** where the work would be.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from markupsafe import escape

from . import csl
from .csl.evaluate import NO_CITE, Cite
from .csl.richtext import F, is_empty
from .csl.sorting import item_keys

# The processor marks each cite in its HTML as OPEN key SEP html CLOSE (``cite_marks``).
OPEN, SEP, CLOSE = "\ue010", "\ue011", "\ue012"
_MARK_RE = re.compile(OPEN + "([^" + SEP + "]*)" + SEP + "(.*?)" + CLOSE, re.S)


@dataclass(frozen=True)
class WrittenCite:
    key: str
    mode: str               # "NormalCitation" | "AuthorInText" | "SuppressAuthor" (Pandoc's names)
    prefix: str = ""        # rich text (CSL-JSON markup: <i>, <b>, …), already converted from Markdown
    suffix: str = ""
    locator: str = ""
    label: str = ""
    suffix_lead: str = ""   # ", ", " " or "" (see ``syntax.suffix_lead``)

    @property
    def csl_prefix(self) -> str:
        """The prefix as CSL takes it: followed by a space, as in Pandoc."""
        return self.prefix + " " if self.prefix else ""

    @property
    def csl_suffix(self) -> str:
        """The suffix as written; one written right after the key or its locator
        (``@a [with a note]``) is attached with a comma, as in Pandoc."""
        return (self.suffix_lead or ", ") + self.suffix if self.suffix else ""


@dataclass
class Written:
    """A citation as written on a page, in document order on that page."""
    page: str
    cites: tuple[WrittenCite, ...]
    bracketed: bool
    note: int | None = None     # note styles: the number of the page's footnote it is in or makes
    in_note: bool = False       # note styles: inside an author's footnote (rendered there, inline)
    note_start: bool = False    # ... and the first thing in it (no parentheses, as in Pandoc)


@dataclass
class Rendered:
    """A citation as the reader sees it: ``html`` for the text, ``note`` (note styles) for its
    footnote; ``text`` is plain text of what stands in the text; ``inline`` (note styles) is the
    citation as it reads inside an author's footnote."""
    html: str
    text: str
    note: str = ""
    note_text: str = ""
    inline: str = ""
    inline_text: str = ""


@dataclass
class _Plan:
    written: Written
    known: list = field(default_factory=list)     # csl.CiteItem of known works
    missing: list = field(default_factory=list)   # keys not in the bibliography
    author: str | None = None                     # key whose names open an in-text citation


class _MarkingProcessor(csl.Processor):
    """A processor whose HTML marks each cite (OPEN key SEP … CLOSE), so that it can link it,
    and that keeps the author's order of a citation whose cites have a prefix or suffix (as
    Pandoc does: "[see @b; @a]" stays in that order even where the style sorts cites)."""

    def _sorted(self, cit, row):
        if any(ci.prefix or ci.suffix for ci in cit.items):
            return list(zip(cit.items, row))
        return super()._sorted(cit, row)

    def render_cite_parts(self, ci, cite, suppress_author=False):
        parts = super().render_cite_parts(ci, cite, suppress_author)
        if is_empty(parts):
            if suppress_author or ci.suppress_author or ci.author_only:
                return parts
            parts = [ci.id]     # a work the style can print nothing of is shown by its key
        return [F("mark", parts, (OPEN + ci.id + SEP, CLOSE))]


class Citing:
    """The CSL side of one build: a processor over the site's works in the chosen style."""

    def __init__(self, style, items: dict, locale_files=None):
        """``style``: a compiled ``csl`` style; ``items``: key -> CSL-JSON item; ``locale_files``:
        the parsed locale files (``csl.LocaleFiles``) to share between processors."""
        self.style = style
        self.items = items
        self.locale_files = locale_files
        self.processor = _MarkingProcessor(style, items, locale_files=locale_files)
        self.is_note = style.cls == "note"
        self._rank = None           # (bibliography order, key -> rank), for ``order``

    @property
    def warnings(self) -> list[str]:
        return self.processor.warnings

    # -- citations ------------------------------------------------------------------------------
    def render(self, written: list[Written], uncited=()) -> list[Rendered]:
        """Render every citation of the site (``written`` in reading order: pages in navigation
        order, citations in document order). ``uncited`` works are listed too (Pandoc's
        ``nocite``): they take part in numbering, sorting and disambiguation after the cited ones."""
        plans = [self._plan(w) for w in written]
        notes: dict[str, int] = {}
        citations = []
        for plan in plans:
            note = None
            if self.is_note:
                note = notes[plan.written.page] = notes.get(plan.written.page, 0) + 1
                if plan.written.note:       # the page's footnote it is in
                    note = plan.written.note
            citations.append(csl.Citation(plan.known, note_index=note))
        extra = [csl.CiteItem(key) for key in uncited if key in self.items]
        if extra:
            citations.append(csl.Citation(extra, note_index=None))
        # note styles: ibid. and short forms start afresh on every page
        groups = [plan.written.page for plan in plans] + [None] * bool(extra) if self.is_note else None
        results = self.processor.process_citations(citations, groups) if citations else []
        if extra:
            results = results[:-1]
        rows = self.processor.positions if citations else []
        return [self._finish(plan, result, row) for plan, result, row in zip(plans, results, rows)]

    def _plan(self, w: Written) -> _Plan:
        plan = _Plan(w)
        for n, cite in enumerate(w.cites):
            if cite.key not in self.items:
                plan.missing.append(cite.key)
                continue
            in_text = cite.mode == "AuthorInText" or (not w.bracketed and n == 0)
            if in_text and plan.author is None and not plan.known:
                plan.author = cite.key
            plan.known.append(csl.CiteItem(
                cite.key, locator=cite.locator, label=cite.label if cite.locator else "",
                prefix=cite.csl_prefix, suffix=cite.csl_suffix,
                # in a note style the names stay in the text and the note leaves them out, as in
                # Pandoc; inside an author's footnote the citation is whole
                suppress_author=cite.mode == "SuppressAuthor" or (in_text and not w.in_note)))
        return plan

    def _finish(self, plan: _Plan, result, row=()) -> Rendered:
        html, text = result.html, result.text
        if plan.missing:
            html, text = self._with_missing(plan, html, text)
        if plan.author is not None:
            # a note style names the author as its note would at that place: in full the first
            # time, then in the short form (as Pandoc does); other styles always in the same form
            later = self.is_note and row and row[0].position > 0
            names_html, names_text = self.names(plan.author, Cite(position=1) if later else NO_CITE)
            names_html = OPEN + plan.author + SEP + names_html + CLOSE
        else:
            names_html = names_text = ""
        if self.is_note:    # a note is a sentence: it starts with a capital, as in Pandoc
            inline_html, inline_text = _in_note(html, text, plan.written)
            return Rendered(names_html, names_text, note=linkify(_capitalize(html)), note_text=_capitalize(text),
                            inline=linkify(inline_html), inline_text=inline_text)
        if names_html:
            html = names_html + (" " + html if html else "")
            text = names_text + (" " + text if text else "")
        return Rendered(html, text)

    def _with_missing(self, plan: _Plan, html: str, text: str) -> tuple[str, str]:
        """Unknown works shown as **key?** with their prefix and suffix, as Pandoc does: before the
        known ones if written first, else after them, inside the citation's brackets."""
        by_key = {c.key: c for c in plan.written.cites}
        marks_html, marks_text = [], []
        for key in plan.missing:
            cite = by_key[key]
            pre, post = cite.csl_prefix, cite.csl_suffix
            marks_html.append(f'{pre}<strong class="refsite-missing" data-key="{escape(key)}">{escape(key)}?</strong>{post}')
            marks_text.append(f"{strip_tags(pre)}{key}?{strip_tags(post)}")
        layout = self.style.citation.layout
        delim = (layout.delim if layout is not None else None) or "; "
        prefix = (layout.prefix or "") if layout is not None else ""
        suffix = (layout.suffix or "") if layout is not None else ""
        if not html:
            if not plan.written.bracketed:
                prefix, suffix = "(", ")"
            return (str(escape(prefix)) + delim.join(marks_html) + str(escape(suffix)),
                    prefix + delim.join(marks_text) + suffix)
        first_missing = plan.written.cites[0].key in plan.missing
        e_prefix, e_suffix = str(escape(prefix)), str(escape(suffix))
        if first_missing and prefix and html.startswith(e_prefix) and text.startswith(prefix):
            return (e_prefix + delim.join(marks_html) + delim + html[len(e_prefix):],
                    prefix + delim.join(marks_text) + delim + text[len(prefix):])
        if suffix and html.endswith(e_suffix) and text.endswith(suffix):
            return (html[:-len(e_suffix)] + delim + delim.join(marks_html) + e_suffix,
                    text[:-len(suffix)] + delim + delim.join(marks_text) + suffix)
        return html + delim + delim.join(marks_html), text + delim + delim.join(marks_text)

    def names(self, key: str, cite: Cite = NO_CITE) -> tuple[str, str]:
        """The names that open an in-text citation of ``key`` ("Lee", "Lee and Doe")."""
        proc = self.processor
        parts = proc.render_cite_parts(csl.CiteItem(key, author_only=True), cite)
        done = proc.finish(parts)
        if done.text.strip():
            return strip_marks(done.html), done.text
        return _fallback_names(self.items.get(key, {}))

    # -- references ------------------------------------------------------------------------------
    def entries(self, keys) -> list[tuple[str, csl.Rendered]]:
        """Reference entries of ``keys`` in the style's bibliography order; their http(s) URLs and
        DOIs are links (as Pandoc's ``link-bibliography``)."""
        return [(key, csl.Rendered(linkify(r.html), r.text))
                for key, r in self.processor.bibliography(list(keys))]

    def standalone(self, items: dict) -> dict[str, csl.Rendered]:
        """Works that are not among the site's (its own pages, for "Cite this page"), each as the
        style's reference entry, rendered apart from the site's works: no year suffix, number or
        disambiguation shared with them or with each other. A style without a bibliography gives
        the work's first note or citation."""
        def one(item):          # a processor of its own: numbered 1, nothing to tell apart
            proc = csl.Processor(self.style, {item["id"]: item}, locale_files=self.locale_files)
            if self.style.bibliography is None:
                return proc.process_citations([csl.Citation([csl.CiteItem(item["id"])], note_index=1)])[0]
            return dict(proc.bibliography([item["id"]])).get(item["id"])

        bib = self.style.bibliography
        if bib is None or self.style.is_numeric or bib.opts.get("subsequent-author-substitute") is not None:
            rendered = {key: one(item) for key, item in items.items()}
        else:                   # one processor for all: no citations, so no year suffixes
            proc = csl.Processor(self.style, items, locale_files=self.locale_files)
            rendered = dict(proc.bibliography(list(items)))
        return {key: csl.Rendered(linkify(r.html), r.text) for key, r in rendered.items() if r is not None}

    def order(self, keys) -> list[str]:
        """``keys`` (known ones) in the style's bibliography order."""
        wanted = [k for k in keys if k in self.items]
        order = self.processor.bib_order
        if self._rank is None or self._rank[0] is not order:
            self._rank = (order, {k: i for i, k in enumerate(order)})
        ranked = self._rank[1]
        return sorted(wanted, key=lambda k: (ranked.get(k, len(ranked)), k))

    def sort_heads(self, keys) -> dict[str, str] | None:
        """The text each work is filed under in the bibliography: its first bibliography sort
        value (the first author's name as the style sorts it, or what the style puts in its place),
        case- and accent-folded; "" when the work has none (sorted last). None when the style does
        not sort its bibliography by a text value first (numeric styles: order of citation)."""
        proc = self.processor
        bib = proc.style.bibliography
        if bib is None or not bib.sort or not (bib.sort[0].variable or bib.sort[0].macro) \
                or bib.sort[0].variable == "citation-number":
            return None
        cache = proc._key_cache()
        heads = {}
        for key in keys:
            if key not in self.items:
                continue
            value = item_keys(proc, self.items[key], bib.sort, "sort-bib", cache)[0]
            if value is not None and not isinstance(value, tuple):
                return None            # a number or a date first: not filed by letter
            heads[key] = value[0] if value else ""
        return heads

    def label(self, key: str) -> str:
        """A short label for a work (its citation as a reader sees it, without brackets)."""
        proc = self.processor
        # a note style's label is its short (subsequent) form, not the full first note
        cite = Cite(position=1) if self.is_note else NO_CITE
        parts = proc.render_cite_parts(csl.CiteItem(key), cite)
        text = proc.finish(parts).text.strip()
        return (text.rstrip(".") if self.is_note else text) or key

    @staticmethod
    def linked(html: str, link) -> str:
        """``html`` with each marked cite made a link by ``link(key, html)`` (marks removed when
        ``link`` is None)."""
        if OPEN not in html:
            return html
        if link is None:
            return strip_marks(html)
        return _MARK_RE.sub(lambda m: link(m.group(1), m.group(2)), html)


_URL_RE = re.compile(r"https?://[^\s<>\"\ue010-\ue012]+")
_TRAILING = ".,;:)]}”’"


def linkify(html: str) -> str:
    """http(s) URLs in the text of ``html`` (not in tags, not already in links) become links."""
    if "http" not in html:
        return html
    out, pos = [], 0
    for m in _URL_RE.finditer(html):
        start, end = m.start(), m.end()
        if html.rfind("<", 0, start) > html.rfind(">", 0, start):    # inside a tag
            continue
        if html.rfind("<a ", 0, start) > html.rfind("</a>", 0, start):  # inside a link
            continue
        url = m.group(0)
        while url and url[-1] in _TRAILING:
            url = url[:-1]
        end = start + len(url)
        out.append(html[pos:start])
        out.append(f'<a href="{url}">{url}</a>')
        pos = end
    out.append(html[pos:])
    return "".join(out)


_FINAL_PERIOD = re.compile("\\.((?:<[^>]*>|[" + CLOSE + "”’])*)$")


def _in_note(html: str, text: str, w: Written) -> tuple[str, str]:
    """A note style's citation inside a footnote, as Pandoc writes it there: no final period, and
    in parentheses when bracketed, unless it opens the note."""
    html, text = _FINAL_PERIOD.sub(r"\1", html), re.sub(r"\.([”’]*)$", r"\1", text)
    if w.bracketed and not w.note_start and all(c.mode != "AuthorInText" for c in w.cites[:1]):
        return "(" + html + ")", "(" + text + ")"
    return html, text


def _capitalize(html: str) -> str:
    """The first letter of ``html``'s text (outside tags and marks) in upper case."""
    in_tag = False
    for i, ch in enumerate(html):
        if ch == "<":
            in_tag = True
        elif ch == ">":
            in_tag = False
        elif not in_tag and ch.isalpha():
            return html[:i] + ch.upper() + html[i + 1:] if ch.islower() else html
        elif not in_tag and ch == OPEN:
            in_tag = True          # skip the mark's key (up to SEP)
        elif ch == SEP:
            in_tag = False
    return html


def strip_tags(html: str) -> str:
    return re.sub(r"<[^>]*>", "", html)


def strip_marks(html: str) -> str:
    return _MARK_RE.sub(lambda m: m.group(2), html) if OPEN in html else html


def _fallback_names(item: dict) -> tuple[str, str]:
    names = item.get("author") or item.get("editor") or []
    families = [n.get("family") or n.get("literal") or "" for n in names if isinstance(n, dict)]
    families = [f for f in families if f]
    if not families:
        title = item.get("title-short") or item.get("title") or item.get("id", "")
        return str(escape(title)), title
    if len(families) > 2:
        text = families[0] + " et al."
    else:
        text = " and ".join(families)
    return str(escape(text)), text
