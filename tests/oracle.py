"""The formatting oracle: a current pandoc (PyPI ``pypandoc-binary``, pinned in requirements-test.txt)
run with ``--citeproc`` and the same official ``.csl`` file refsite uses."""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pypandoc

from refsite.csl import StyleCache

PANDOC = pypandoc.get_pandoc_path()
_STYLES = StyleCache()


def style_path(name: str = "chicago-author-date") -> str:
    return _STYLES.resolve(name)


def pandoc(markdown: str, bib: Path, to: str, *extra: str, style: str = "chicago-author-date") -> str:
    cmd = [PANDOC, "--citeproc", "--wrap=none", "--bibliography", str(bib), "--csl", style_path(style),
           "-f", "markdown", "-t", to, *extra]
    return subprocess.run(cmd, input=markdown, capture_output=True, text=True, check=True).stdout


_WS = re.compile(r"\s+")


def norm(text: str) -> str:
    return _WS.sub(" ", text.replace("\xa0", " ")).strip()


def stringify(node) -> str:
    """Text of a pandoc JSON node (quotes as curly quotes, notes left out)."""
    if isinstance(node, list):
        return "".join(stringify(n) for n in node)
    if not isinstance(node, dict):
        return ""
    kind, content = node.get("t"), node.get("c")
    if kind == "Str":
        return content
    if kind in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if kind == "Quoted":
        quote = "“”" if content[0]["t"] == "DoubleQuote" else "‘’"
        return quote[0] + stringify(content[1]) + quote[1]
    if kind in ("Code", "Math", "RawInline"):
        return content[-1]
    if kind == "Note":
        return ""
    return stringify(content)


def pandoc_citations(markdown: str, bib: Path, style: str = "chicago-author-date") -> list[str]:
    """The rendered text of every citation, as pandoc --citeproc stores it in Cite nodes."""
    doc = json.loads(pandoc(markdown, bib, "json", style=style))
    found: list[str] = []

    def walk(node):
        if isinstance(node, list):
            for n in node:
                walk(n)
        elif isinstance(node, dict):
            if node.get("t") == "Cite":
                found.append(norm(stringify(node["c"][1])))
                return
            walk(node.get("c"))

    walk(doc["blocks"])
    return found
