"""LaTeX to Unicode through latexcodec, once per distinct string (the formatter and the exporters
decode the same fields), skipping latexcodec where it cannot change anything.

latexcodec's decoder only acts on control sequences, math, comments and TeX ligatures (tie, dashes,
quote pairs, inverted marks); on text with none of their characters it returns its input, braces
included (checked on every field of the bib corpus and by a property test). It costs ~0.1 ms a call.
"""
from __future__ import annotations

import codecs
import functools
import re

import latexcodec  # noqa: F401  (registers the "ulatex" codec)

# Any character latexcodec's decoder could act on, and the whitespace it folds (line breaks, runs of
# spaces, a leading space).
_ACTIVE = re.compile(r"[\\~$%`'\-!?<>\n\r]|\s\s|^\s")


@functools.lru_cache(maxsize=65536)
def ulatex(s: str) -> str:
    """``codecs.decode(s, "ulatex")``; raises what latexcodec raises."""
    if not _ACTIVE.search(s):
        return s
    return codecs.decode(s, "ulatex")
