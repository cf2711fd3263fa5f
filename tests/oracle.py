"""The formatting oracle: a current pandoc (PyPI ``pypandoc-binary``, pinned in requirements-test.txt)
run with ``--citeproc`` and the same official ``.csl`` file refsite uses."""
from __future__ import annotations

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
