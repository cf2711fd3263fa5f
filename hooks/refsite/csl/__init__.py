"""A CSL 1.0.2 citation processor in pure Python (stdlib XML only).

Usage::

    from hooks.refsite.csl import load_style, Processor, Citation, CiteItem

    style = load_style("apa", locale="en-US")          # official name or path to a .csl file
    proc = Processor(style, items)                     # items: {id: CSL-JSON dict} or a list
    results = proc.process_citations([                 # every citation of the site, in order
        Citation([CiteItem("doe99", locator="33-35", label="page", prefix="see ")]),
        Citation([CiteItem("roe04", suppress_author=True)], note_index=2),
    ])
    results[0].html, results[0].text                   # Rendered(html, text) per citation
    for item_id, entry in proc.bibliography():         # bibliography order, or bibliography(ids)
        print(entry.html)
    proc.style_class, proc.is_numeric, proc.warnings

Decisions that span the whole site (citation numbers, positions, disambiguation, year
suffixes) are taken once in :meth:`Processor.process_citations` over all citations given.
Bad input never raises: problems are appended to ``proc.warnings``.

Modules: ``loader`` (finding styles, cache), ``style`` (compilation), ``locale`` (terms),
``evaluate``/``names``/``dates`` (rendering elements), ``richtext`` (output tree and HTML/text),
``casing``, ``numbers``, ``sorting``, ``positions``, ``disambiguate``, ``collapse``,
``processor`` (the API), ``suite`` (reading the CSL test-suite fixtures).
"""
from .loader import StyleCache, StyleNotFound, load_style, style_from_string
from .processor import Citation, CiteItem, Processor, Rendered
from .xmlutil import CslError, StyleSyntaxError

__all__ = ["Citation", "CiteItem", "CslError", "Processor", "Rendered", "StyleCache",
           "StyleNotFound", "StyleSyntaxError", "load_style", "style_from_string"]
