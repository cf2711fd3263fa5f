"""Syntax from bookdown, Quarto shortcodes and LaTeX that MkDocs would show as typed: found in prose (never in code,
which Python-Markdown has already set aside, nor in math that ``pymdownx.arithmatex`` has taken),
kept visible with a marker, and reported once per page and kind with what to write instead.

Pure: Python-Markdown only. ``ForeignSyntax`` collects the occurrences of one page;
``ForeignProcessor`` (and ``DollarMathProcessor`` when no math extension is enabled) find them.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field

from markdown.inlinepatterns import InlineProcessor
from markdown.util import AtomicString

# bookdown's cross-reference prefixes -> Quarto's
_XREF_PREFIX = {"fig": "fig", "tab": "tbl", "eq": "eq", "sec": "sec", "lst": "lst"}
_LAYOUT = {"newpage", "clearpage", "pagebreak", "linebreak", "noindent", "indent", "vspace", "hspace",
           "medskip", "bigskip", "smallskip", "hfill", "vfill", "centering", "par", "maketitle",
           "tableofcontents", "listoffigures", "listoftables", "appendix", "frontmatter", "mainmatter",
           "backmatter", "printindex", "bibliography", "bibliographystyle", "nocite", "include", "input"}
_WORDS = {"LaTeX": "LaTeX", "TeX": "TeX", "ldots": "…", "dots": "…", "textendash": "–",
          "textemdash": "—", "today": "the date", "S": "§", "P": "¶", "copyright": "©"}
_MATH_ENVIRONMENTS = {"equation", "equation*", "align", "align*", "gather", "gather*", "multline",
                      "multline*", "eqnarray", "eqnarray*", "displaymath", "math"}


def _command_advice(name: str, args: list[str]) -> str:
    """What to write instead of ``\\name{args…}``."""
    a = args[0] if args else "…"
    if name in ("emph", "textit", "textsl"):
        return f"*{a}*"
    if name == "textbf":
        return f"**{a}**"
    if name == "texttt":
        return f"`{a}`"
    if name in ("cite", "citep", "parencite", "autocite", "footcite"):
        return "[" + "; ".join("@" + k.strip() for k in a.split(",")) + "]"
    if name in ("citet", "textcite"):
        return "; ".join("@" + k.strip() for k in a.split(","))
    if name in ("citeyear", "citeyearpar"):
        return "[-@" + a + "]"
    if name in ("ref", "autoref", "cref", "Cref", "eqref", "pageref"):
        return _xref(a) + " (a Quarto cross-reference)"
    if name == "label":
        return f"{{#{_xref(a)[1:]}}} after the heading, figure or table"
    if name == "footnote":
        return f"^[{a}] (an inline note)"
    if name == "url":
        return f"<{a}>"
    if name == "href":
        return f"[{args[1] if len(args) > 1 else '…'}]({a})"
    if name in ("begin", "end"):
        if a in _MATH_ENVIRONMENTS:
            return "$$…$$ math (pymdownx.arithmatex)"
        if a in ("figure", "table"):
            return "Markdown: ![caption](file){#fig-x} or a table with a caption"
        if a in ("itemize", "enumerate", "description"):
            return "a Markdown list"
        return "Markdown or raw HTML"
    if name in _WORDS:
        return _WORDS[name]
    if name in _LAYOUT:
        return "nothing (remove it: it lays out a printed page)"
    return "Markdown or raw HTML"


def _label_advice(label: str) -> str:
    """Where a bookdown caption label ``(\\#fig:x)`` goes in Quarto's syntax."""
    prefix, _, rest = label.partition(":")
    if prefix == "fig":
        return f"![caption](file){{#fig-{rest}}}"
    if prefix == "tab":
        return f": caption {{#tbl-{rest}}} after the table"
    if prefix == "eq":
        return f"$$ … $$ {{#eq-{rest}}}"
    return f"{{#{_xref(label)[1:]}}} on the element"


_SHORTCODE_ADVICE = {
    "include": "the included file's text in the page",
    "pagebreak": "nothing (remove it: it breaks a printed page)",
    "video": "a raw HTML <video> or <iframe>",
    "meta": "the value itself",
    "var": "the value itself",
    "env": "the value itself",
    "kbd": "<kbd>…</kbd>",
    "lipsum": "your own text",
    "placeholder": "an image",
}


def _xref(label: str) -> str:
    """bookdown/LaTeX label -> Quarto cross-reference (``fig:map`` -> ``@fig-map``)."""
    prefix, sep, rest = label.partition(":")
    if sep and prefix in _XREF_PREFIX:
        return f"@{_XREF_PREFIX[prefix]}-{rest}"
    if sep:
        return f"@{prefix}-{rest}"
    return f"@sec-{label}"


# What each kind's problem says: {first} is its first occurrence, {many} how many the page has,
# {advice} what to write instead, {instead} that advice for each command (shortcodes, LaTeX).
_MESSAGES = {
    "bookdown-ref": "{first} is a bookdown cross-reference, shown as typed{many}; write {advice} (a Quarto "
                    "cross-reference; the target needs that id)",
    "bookdown-text-ref": "{first} is a bookdown text reference, shown as typed{many}; write the text in place "
                         "(Pandoc and Quarto have no text references)",
    "bookdown-label": "{first} is a bookdown caption label, shown as typed{many}; write {advice}, a Quarto "
                      "label that cross-references find",
    "shortcode": "{first} is a Quarto shortcode, shown as typed{many}; MkDocs does not run shortcodes. "
                 "Write instead: {instead}",
    "index": "{first} is a LaTeX index entry, shown as typed{many}; remove it (a web page has no printed "
             "index; the glossary links its terms itself)",
    "math": "TeX math {first} is shown as typed{many}; enable pymdownx.arithmatex (generic: true) with "
            "MathJax or KaTeX to render it",
    "latex": "LaTeX {first} is shown as typed{many}; MkDocs does not read LaTeX in prose. Write instead: "
             "{instead}",
}


@dataclass
class _Kind:
    first: str                    # the first occurrence as written
    advice: str
    count: int = 0
    commands: dict = field(default_factory=dict)   # LaTeX: command -> advice


class ForeignSyntax:
    """Occurrences of foreign syntax on one page, by kind, in reading order."""

    def __init__(self):
        self.kinds: dict[str, _Kind] = {}

    def add(self, kind: str, text: str, advice: str, command: str | None = None) -> None:
        entry = self.kinds.setdefault(kind, _Kind(text, advice))
        entry.count += 1
        if command is not None:
            entry.commands.setdefault(command, advice)

    def messages(self):
        """(kind, first occurrence, message) for each kind found, one per kind."""
        for kind, entry in self.kinds.items():
            prefix = "\\" if kind == "latex" else ""
            yield kind, entry.first, _MESSAGES[kind].format(
                first=entry.first, advice=entry.advice,
                many=f" ({entry.count} on this page)" if entry.count > 1 else "",
                instead="; ".join(f"{prefix}{name} -> {advice}" for name, advice in entry.commands.items()))


def _backslashes_before(data: str, pos: int) -> int:
    n = 0
    while pos - n - 1 >= 0 and data[pos - n - 1] == "\\":
        n += 1
    return n


def _group_end(data: str, i: int, open_: str, close: str) -> int | None:
    """End (exclusive) of the balanced group that opens at ``data[i]``."""
    depth = 0
    for j in range(i, len(data)):
        ch = data[j]
        if ch == "\\":
            continue
        if ch == open_ and (j == 0 or data[j - 1] != "\\"):
            depth += 1
        elif ch == close and data[j - 1] != "\\":
            depth -= 1
            if depth == 0:
                return j + 1
    return None


def _marker(text: str, advice: str) -> etree.Element:
    span = etree.Element("span")
    span.set("class", "refsite-foreign")
    span.set("title", f"Not rendered: write {advice}")
    span.text = AtomicString(text)
    return span


class ForeignProcessor(InlineProcessor):
    """``\\@ref(…)``, ``(ref:…)``, caption labels ``(\\#fig:…)``, ``\\index{…}``, LaTeX commands
    (``\\name{…}``, ``\\begin{env}``, and argument-less commands such as ``\\newpage``) and Quarto
    shortcodes (``{{< include x.qmd >}}``) in prose."""

    PATTERN = r"\\@ref\(|\(ref:|\(\\#|\\[A-Za-z]+|\{\{<"
    # (how the syntax starts, all of it, its kind, what to write instead, the command it names)
    _WHOLE = (
        ("{{<", re.compile(r"\{\{<\s*([\w-]+)[^\n]*?>\}\}"), "shortcode",
         lambda t: _SHORTCODE_ADVICE.get(t.group(1), "Markdown or raw HTML that does the same"),
         lambda t: t.group(1)),
        ("(\\#", re.compile(r"\(\\#([\w.:-]+)\)"), "bookdown-label", lambda t: _label_advice(t.group(1)), None),
        ("(ref:", re.compile(r"\(ref:([\w.:-]+)\)"), "bookdown-text-ref", lambda t: "the text itself", None),
        ("\\@ref(", re.compile(r"\\@ref\(([^()\s]*)\)"), "bookdown-ref", lambda t: _xref(t.group(1)), None),
    )

    def __init__(self, found: ForeignSyntax):
        super().__init__(self.PATTERN)
        self.found = found

    def handleMatch(self, m, data):  # noqa: N802 (Markdown's API)
        start = m.start(0)
        if data[start] == "\\" and _backslashes_before(data, start) % 2:
            return None, None, None            # an escaped backslash: text
        for lead, whole, kind, advice_of, command_of in self._WHOLE:
            if data.startswith(lead, start):
                t = whole.match(data, start)
                if t is None:
                    return None, None, None
                advice = advice_of(t)
                self.found.add(kind, t.group(0), advice, command=command_of(t) if command_of else None)
                return _marker(t.group(0), advice), start, t.end()
        name = m.group(0)[1:]
        end, args = m.end(0), []
        while end < len(data) and data[end] in "{[" and len(args) < 3:
            close = _group_end(data, end, data[end], "}" if data[end] == "{" else "]")
            if close is None:
                break
            if data[end] == "{":
                args.append(data[end + 1:close - 1])
            end = close
        if not args and name not in _LAYOUT and name not in _WORDS:
            return None, None, None            # a lone backslash word (C:\Users) is not LaTeX
        text = data[start:end]
        if name == "index":
            self.found.add("index", text, "nothing")
            return _marker(text, "nothing (remove the index entry)"), start, end
        advice = _command_advice(name, args)
        shown = f"\\{name}{{{args[0]}}}" if name in ("begin", "end") and args else f"\\{name}"
        self.found.add("latex", text, advice, command=shown.lstrip("\\"))
        return _marker(text, advice), start, end


class DollarMathProcessor(InlineProcessor):
    """``$…$`` and ``$$…$$`` as Pandoc reads TeX math (an opening ``$`` followed by a non-space, a
    closing one preceded by a non-space and not followed by a digit), when no math extension is
    enabled: shown as typed, so reported."""

    def __init__(self, found: ForeignSyntax):
        super().__init__(r"\$")
        self.found = found

    def handleMatch(self, m, data):  # noqa: N802 (Markdown's API)
        start = m.start(0)
        if _backslashes_before(data, start) % 2:
            return None, None, None
        if data.startswith("$$", start):
            close = data.find("$$", start + 2)
            if close < 0 or not data[start + 2:close].strip():
                return None, None, None
            end = close + 2
        else:
            if start + 1 >= len(data) or data[start + 1].isspace():
                return None, None, None
            end = None
            j = start + 1
            while j < len(data):
                ch = data[j]
                if ch == "\\":
                    j += 2
                    continue
                if ch == "$":
                    if data[j - 1].isspace() or (j + 1 < len(data) and data[j + 1].isdigit()):
                        return None, None, None
                    end = j + 1
                    break
                j += 1
            if end is None:
                return None, None, None
        text = data[start:end]
        self.found.add("math", text, "math that an extension renders")
        return _marker(text, "math (enable pymdownx.arithmatex)"), start, end
