r"""Citation styles as data.

Each style is a plain data module (no code) read by :mod:`refsite.formatting`.
Adding a style = adding a module here and registering its public name in
:data:`STYLES`; nothing else changes.

Template mini-language (compiled once per style to plain closures):

``{var}``
    insert a variable computed by the formatter (already HTML-escaped);
``{?var}``
    insert nothing, but require ``var`` (a condition);
``{!var}``
    insert nothing, but require ``var`` to be empty;
``[alt1|alt2|...]``
    optional group: the first alternative whose *direct* variables are all
    non-empty is rendered; if none qualifies the group renders nothing;
``\\[``, ``\\]``, ``\\|``
    literal brackets / bar;
anything else
    literal HTML (``<i>``, curly quotes, punctuation).

After rendering, duplicate punctuation is collapsed (``?.`` → ``?``,
``Jr..`` → ``Jr.``) and, with ``PUNCT_IN_QUOTE``, a period/comma after a
closing quote moves inside it.  Every bibliography template must start with
``{creators}`` (used for subsequent-author substitution).

Variables: creators, year (token: year + suffix or "n.d."), title (formatted
per TITLE_FORMAT), journal, booktitle, editor (display order, only when not
the creator), eds (editor label), volume, issue, pages, edition, publisher,
place, pubplace ("Place: Publisher"), genre, number, series, series_number,
date_text ("May 14, 2023"), monthday ("May 14"), month, doi, url, access
(DOI link, else URL), urldate, urldate_text ("January 15, 2024"),
has_date (non-empty when the entry has a date).

Other module attributes: see ``chicago_author_date.py`` (TYPE_MAP,
TITLE_FORMAT, TITLE_CASE, NAMES, CITE_NAMES, CITATION, LOCATOR_TERMS, ...).
"""
from __future__ import annotations

#: public style name -> module name in this package
STYLES: dict[str, str] = {
    "chicago-author-date": "chicago_author_date",
    "apa": "apa",
}

DEFAULT_STYLE = "chicago-author-date"
