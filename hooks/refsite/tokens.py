"""Tokens that stand in a page for what only the whole site decides, and their replacement.

While a page renders, a citation is the token ``\\ue000C:<serial>\\ue001`` (its text depends on
every citation of the site: numbers, disambiguation, year suffixes), a page's reference list is
``\\ue000L:\\ue001`` and, in note styles, its notes ``\\ue000N:\\ue001`` (pages without the
footnotes extension) or, in a footnote of the page, a citation's note ``\\ue000F:<serial>\\ue001``; a group of Quarto
cross-references is ``\\ue000X:<serial>\\ue001``; "Cite this page" is ``\\ue000P:<src>\\ue001``.
Private-use characters
survive Markdown, escaping and the table of contents untouched; ``replace`` swaps them in
``on_env``. A token inside a tag (an attribute value, e.g. image alt text) gets escaped plain text.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from markupsafe import escape

TOKEN_RE = re.compile("\ue000([A-Z]):([^\ue000\ue001]*)\ue001")
REFERENCES_TOKEN = "\ue000L:\ue001"
NOTES_TOKEN = "\ue000N:\ue001"


def citation_token(serial: int) -> str:
    return f"\ue000C:{serial}\ue001"


def cite_note_token(serial: int) -> str:
    """The note of a citation in a note style: the content of the footnote the citation makes."""
    return f"\ue000F:{serial}\ue001"


def crossref_token(serial: int) -> str:
    """A group of cross-references (``crossref``): its targets may be on pages rendered later."""
    return f"\ue000X:{serial}\ue001"


def page_token(src: str) -> str:
    """A page as a reference ("Cite this page"): rendered with every page's in ``on_env``."""
    return f"\ue000P:{src}\ue001"


def search_token(index: int) -> str:
    """The words a search section should also be found by (``Site.add_search_section``)."""
    return f"\ue000S:{index}\ue001"


def replace(text: str, html_value: Callable[[str, str], str], text_value: Callable[[str, str], str],
            *, html: bool = True) -> str:
    """``text`` with every token replaced: ``html_value(kind, arg)`` in HTML text,
    ``text_value(kind, arg)`` (escaped) inside tags and everywhere when ``html`` is false."""
    if "\ue000" not in text:
        return text
    out, last = [], 0
    for m in TOKEN_RE.finditer(text):
        start = m.start()
        out.append(text[last:start])
        kind, arg = m.group(1), m.group(2)
        if not html:
            out.append(text_value(kind, arg))
        elif text.rfind("<", 0, start) > text.rfind(">", 0, start):     # inside a tag
            out.append(str(escape(text_value(kind, arg))))
        else:
            out.append(html_value(kind, arg))
        last = m.end()
    out.append(text[last:])
    return "".join(out)
