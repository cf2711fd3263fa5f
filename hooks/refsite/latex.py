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

import latexcodec  # registers the "ulatex" codec
import latexcodec.codec


def _active_chars() -> str:
    """Characters of every LaTeX sequence latexcodec decodes without a backslash (its ligatures:
    quotes, dashes, tie, inverted marks, low quotes), read from its own table, plus the fixed ones."""
    chars = set("\\$%~`'-!?<>,")
    table = getattr(getattr(latexcodec, "codec", None), "_LATEX_UNICODE_TABLE", None)
    for key in getattr(table, "unicode_map", {}) or {}:
        text = "".join(getattr(token, "text", str(token)) for token in key) if isinstance(key, tuple) else str(key)
        if "\\" not in text and "$" not in text:      # sequences with those are caught by them
            chars.update(ch for ch in text if not ch.isalnum())
    return "".join(sorted(chars))


# Any character latexcodec's decoder could act on, and the whitespace it folds (line breaks, runs of
# spaces, a leading space).
_ACTIVE = re.compile("[" + re.escape(_active_chars()) + "\n\r]|\\s\\s|^\\s")


@functools.lru_cache(maxsize=65536)
def ulatex(s: str) -> str:
    """``codecs.decode(s, "ulatex")``; raises what latexcodec raises."""
    if not _ACTIVE.search(s):
        return s
    return codecs.decode(s, "ulatex")
