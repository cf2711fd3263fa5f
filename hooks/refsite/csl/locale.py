"""Locales: load CSL locale files and merge them with a style's own ``<locale>`` overrides.

A :class:`Locale` is a chain of layers searched in order (style locale for the exact language,
for the base language, without ``xml:lang``, then the locale file for the language, its primary
dialect, and en-US).  Terms are looked up by (name, form) with the CSL form fallbacks.
"""
from __future__ import annotations

import importlib.util
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from .xmlutil import CSL_NS, local, parse_xml_file, parse_xml_string

PRIMARY_DIALECTS = {
    "af": "af-ZA", "ar": "ar", "bg": "bg-BG", "ca": "ca-AD", "cs": "cs-CZ", "cy": "cy-GB",
    "da": "da-DK", "de": "de-DE", "el": "el-GR", "en": "en-US", "es": "es-ES", "et": "et-EE",
    "eu": "eu", "fa": "fa-IR", "fi": "fi-FI", "fr": "fr-FR", "he": "he-IL", "hr": "hr-HR",
    "hu": "hu-HU", "id": "id-ID", "is": "is-IS", "it": "it-IT", "ja": "ja-JP", "km": "km-KH",
    "ko": "ko-KR", "la": "la", "lt": "lt-LT", "lv": "lv-LV", "mn": "mn-MN", "nb": "nb-NO",
    "nl": "nl-NL", "nn": "nn-NO", "pl": "pl-PL", "pt": "pt-PT", "ro": "ro-RO", "ru": "ru-RU",
    "sk": "sk-SK", "sl": "sl-SI", "sr": "sr-RS", "sv": "sv-SE", "th": "th-TH", "tr": "tr-TR",
    "uk": "uk-UA", "vi": "vi-VN", "zh": "zh-CN",
}

FORM_FALLBACK = {
    "long": ("long",), "short": ("short", "long"), "verb": ("verb", "long"),
    "verb-short": ("verb-short", "verb", "long"), "symbol": ("symbol", "short", "long"),
}


@dataclass(frozen=True)
class TermDef:
    """One term definition: singular/plural text and ordinal metadata."""
    single: str
    multiple: str
    gender: str = ""
    gender_form: str = ""
    match: str = ""


@dataclass
class Layer:
    """One source of locale data (a file or a style ``<locale>`` element)."""
    terms: dict = field(default_factory=dict)  # (name, form) -> list[TermDef]
    dates: dict = field(default_factory=dict)  # "text"/"numeric" -> ET element
    options: dict = field(default_factory=dict)
    from_style: bool = False

    @property
    def has_ordinals(self) -> bool:
        return any(n.startswith("ordinal") for n, _ in self.terms)


def _parse_layer(root: ET.Element, from_style: bool) -> Layer:
    layer = Layer(from_style=from_style)
    for el in root:
        tag = local(el.tag)
        if tag == "style-options":
            layer.options.update(el.attrib)
        elif tag == "date":
            layer.dates[el.get("form", "text")] = el
        elif tag == "terms":
            for t in el:
                if local(t.tag) != "term":
                    continue
                single = t.find(f"{{{CSL_NS}}}single")
                multiple = t.find(f"{{{CSL_NS}}}multiple")
                if single is not None or multiple is not None:
                    s = (single.text or "") if single is not None else ""
                    m = (multiple.text or "") if multiple is not None else s
                else:
                    s = m = t.text or ""
                s, m = (s if s.strip() else ""), (m if m.strip() else "")  # layout whitespace
                td = TermDef(s, m, t.get("gender", ""), t.get("gender-form", ""), t.get("match", ""))
                key = (t.get("name"), t.get("form", "long"))
                lst = layer.terms.setdefault(key, [])
                lst[:] = [x for x in lst if x.gender_form != td.gender_form]
                lst.append(td)
    return layer


def locales_dir() -> str:
    """Directory of the official locale files (data of the installed ``citeproc`` package)."""
    spec = importlib.util.find_spec("citeproc")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the citeproc package (locale data) is not installed")
    return os.path.join(list(spec.submodule_search_locations)[0], "data", "locales")


class LocaleFiles:
    """Loads and caches parsed locale files by language tag."""

    def __init__(self, directory: str | None = None):
        self.directory = directory or locales_dir()
        self._cache: dict[str, Layer | None] = {}

    def get(self, lang: str) -> Layer | None:
        if lang not in self._cache:
            path = os.path.join(self.directory, f"locales-{lang}.xml")
            layer = None
            if os.path.exists(path):
                layer = _parse_layer(parse_xml_file(path), False)
            self._cache[lang] = layer
        return self._cache[lang]

    def chain(self, lang: str) -> list[Layer]:
        tags = [lang]
        base = lang.split("-")[0]
        if base in PRIMARY_DIALECTS:
            tags.append(PRIMARY_DIALECTS[base])
        tags.append("en-US")
        out, seen = [], set()
        for t in tags:
            layer = self.get(t)
            if layer is not None and t not in seen:
                seen.add(t)
                out.append(layer)
        return out


_DEFAULT_FILES: LocaleFiles | None = None


def default_locale_files() -> LocaleFiles:
    global _DEFAULT_FILES
    if _DEFAULT_FILES is None:
        _DEFAULT_FILES = LocaleFiles()
    return _DEFAULT_FILES


def style_layers(style_locales: list[ET.Element], lang: str) -> list[Layer]:
    """The style's ``<locale>`` elements that apply to ``lang``, most specific first."""
    base = lang.split("-")[0]
    exact, basel, none = [], [], []
    for el in style_locales:
        xl = el.get("{http://www.w3.org/XML/1998/namespace}lang")
        if xl is None:
            none.append(el)
        elif xl == lang:
            exact.append(el)
        elif xl == base:
            basel.append(el)
    return [_parse_layer(e, True) for e in exact + basel + none]


class Locale:
    """A merged locale: term lookup, localized date formats, style options."""

    def __init__(self, lang: str, layers: list[Layer]):
        self.lang = lang
        self.layers = layers
        style_ord = any(la.from_style and la.has_ordinals for la in layers)
        self._ord_layers = [la for la in layers if la.from_style or not style_ord]
        self._cache: dict = {}
        self.punctuation_in_quote = self._opt("punctuation-in-quote") == "true"
        self.limit_day_ordinals = self._opt("limit-day-ordinals-to-day-1") == "true"
        self.dates = {}
        for la in reversed(layers):
            self.dates.update(la.dates)
        quotes = (self.term("open-quote") or "“", self.term("close-quote") or "”",
                  self.term("open-inner-quote") or "‘", self.term("close-inner-quote") or "’")
        self.quotes = quotes

    def _opt(self, name):
        for la in self.layers:
            if name in la.options:
                return la.options[name]
        return None

    def term_def(self, name: str, form: str = "long", gender: str = "") -> TermDef | None:
        key = (name, form, gender)
        if key in self._cache:
            return self._cache[key]
        layers = self._ord_layers if name.startswith("ordinal") else self.layers
        found = None
        for f in FORM_FALLBACK.get(form, (form, "long")):
            for la in layers:
                lst = la.terms.get((name, f))
                if lst:
                    found = next((t for t in lst if t.gender_form == gender), None) or \
                        next((t for t in lst if not t.gender_form), None)
                    if found is not None:
                        break
            if found is not None:
                break
        self._cache[key] = found
        return found

    def term(self, name: str, form: str = "long", plural: bool = False, gender: str = "") -> str | None:
        td = self.term_def(name, form, gender)
        if td is None:
            return None
        return td.multiple if plural else td.single

    def gender(self, name: str) -> str:
        td = self.term_def(name, "long")
        return td.gender if td else ""

    def ordinal_suffix(self, n: int, gender: str = "") -> str:
        """The ordinal suffix for ``n`` following CSL 1.0.1 matching rules."""
        two = n % 100
        if two >= 10:
            td = self.term_def(f"ordinal-{two:02d}", "long", gender)
            if td is not None:
                m = td.match or "last-two-digits"
                if m == "last-two-digits" or (m == "whole-number" and n == two):
                    return td.single
        one = n % 10
        td = self.term_def(f"ordinal-{one:02d}", "long", gender)
        if td is not None:
            m = td.match or "last-digit"
            if m == "last-digit" or (m == "whole-number" and n == one) or \
                    (m == "last-two-digits" and n % 100 == one):
                return td.single
        return self.term("ordinal", "long", False, gender) or ""

    def long_ordinal(self, n: int, gender: str = "") -> str | None:
        if 1 <= n <= 10:
            return self.term(f"long-ordinal-{n:02d}", "long", False, gender)
        return None


def build_locale(lang: str, style_locales: list[ET.Element], files: LocaleFiles | None = None) -> Locale:
    files = files or default_locale_files()
    return Locale(lang, style_layers(style_locales, lang) + files.chain(lang))


__all__ = ["Locale", "LocaleFiles", "build_locale", "locales_dir", "parse_xml_string"]
