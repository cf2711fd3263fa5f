"""The plugin's settings (``plugins: - refsite: ...`` in mkdocs.yml), validated (pure; no MkDocs import).

``CHECKS`` is the one table of settings: the plugin builds its ``config_options`` from it, and
``parse_settings`` turns the validated values into ``Settings``. An empty value (``""``, ``[]``)
switches off what can be off (``bibliography``, ``glossary``, ``copy_styles``, the references
heading, ``incomplete_field``) and means the default for the rest (``locale``)."""
from __future__ import annotations

import re
from dataclasses import dataclass

STYLE_DEFAULT = "chicago-author-date"


class SettingsError(ValueError):
    """A wrong setting; the message names it as ``plugins.refsite.<name>``."""


@dataclass(frozen=True)
class Settings:
    bibliography: tuple[str, ...] = ("bibliography/*.bib",)
    glossary: str | None = None
    style: str = STYLE_DEFAULT
    link_terms: str = "first"          # "first" occurrence per page, or "all"
    nocite: bool = False                # list uncited entries too (Pandoc's nocite: @*)
    bibliography_page: str = "bibliography.md"
    glossary_dir: str = "glossary"
    incomplete_field: str = "x-verified"  # value "no" (or "false") marks an incomplete reference
    references_title: str = "References"
    cite_page: bool = True              # "Cite this page" box and page metadata tags
    locale: str | None = None           # CSL locale (default: the site's language)
    copy_styles: tuple = ()             # ((label, style), ...): "Copy as" for readers


def _is_str_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v for v in value)


# name -> (check, description of the expected type)
CHECKS = {
    "bibliography": (lambda v: isinstance(v, str) or _is_str_list(v), "a glob or a list of globs"),
    "glossary": (lambda v: v is None or isinstance(v, str), "a path to a YAML file"),
    "style": (lambda v: isinstance(v, str) and bool(v), "an official CSL style name or a path to a .csl file"),
    "link_terms": (lambda v: v in ("first", "all"), "'first' or 'all'"),
    "nocite": (lambda v: isinstance(v, bool), "true or false"),
    "bibliography_page": (lambda v: isinstance(v, str) and v.endswith(".md"), "a Markdown path such as 'bibliography.md'"),
    "glossary_dir": (lambda v: isinstance(v, str) and bool(v.strip("/")), "a folder name such as 'glossary'"),
    "incomplete_field": (lambda v: isinstance(v, str), "a BibTeX field name ('' for none)"),
    "references_title": (lambda v: isinstance(v, str), "a heading text ('' for none)"),
    "cite_page": (lambda v: isinstance(v, bool), "true or false"),
    "copy_styles": (lambda v: v is None or v == "" or _is_str_list(v) or (
        isinstance(v, dict) and all(isinstance(k, str) and k and isinstance(x, str) and x for k, x in v.items())),
        "a list of CSL style names, or a mapping of button labels to style names"),
    "locale": (lambda v: v is None or v == "" or (isinstance(v, str) and bool(re.fullmatch(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*", v))),
               "a locale such as 'en-US' or 'fr'"),
}


def parse_settings(raw) -> Settings:
    """Validate ``plugins.refsite`` (a mapping or None). Raises SettingsError naming the setting."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise SettingsError("plugins.refsite: expected a mapping of settings, got "
                            f"{type(raw).__name__}")
    errors = []
    for name in raw:
        if name not in CHECKS:
            errors.append(f"plugins.refsite.{name}: unknown setting (known: {', '.join(sorted(CHECKS))})")
    values = {}
    for name, (check, expected) in CHECKS.items():
        if name not in raw:
            continue
        value = raw[name]
        if not check(value):
            errors.append(f"plugins.refsite.{name}: expected {expected}, got {value!r}")
            continue
        values[name] = value
    if errors:
        raise SettingsError("; ".join(errors))
    for name in ("glossary", "locale"):
        if values.get(name) == "":
            values[name] = None
    if isinstance(values.get("bibliography"), str):
        values["bibliography"] = (values["bibliography"],) if values["bibliography"] else ()
    elif "bibliography" in values:
        values["bibliography"] = tuple(values["bibliography"])
    copy = values.pop("copy_styles", None) or ()
    values["copy_styles"] = tuple(copy.items()) if isinstance(copy, dict) else tuple((None, x) for x in copy)
    values.setdefault("bibliography_page", Settings.bibliography_page)
    values["glossary_dir"] = values.get("glossary_dir", Settings.glossary_dir).strip("/")
    return Settings(**values)
