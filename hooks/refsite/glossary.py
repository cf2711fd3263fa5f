"""The glossary: loading ``glossary.yml``, matching terms in text, linking them in a page's tree.

Pure module (Python-Markdown, PyYAML and the standard library only; no MkDocs).

Loading
    ``load_glossary(path, display_path) -> (Glossary, [Problem])`` reads one UTF-8 YAML file: a list
    of entries, each a mapping with ``term`` (string, required), ``definition`` (Markdown string,
    required) and optionally ``aliases`` (list of strings), ``see_also`` (list of strings naming
    other terms or aliases) and ``short`` (plain text for hover cards; by default the first sentence
    of the definition reduced to plain text). Every problem in the file is reported in one pass as a
    ``Problem(display_path, line, message)`` with the 1-based line of the offending node; every valid
    entry is kept and, on duplicates, the first definition wins. An empty file (or one holding only
    comments) is an empty glossary, not a problem.

Matching
    ``build_matcher(glossary) -> Matcher``: one compiled regex for every term and alias, built as a
    character trie so that the regex engine does not try hundreds of alternatives at every position.
    Matches are whole words (``\\w`` boundaries, Unicode-aware; a term may start or end with a
    non-word character, as in ``C++`` or ``.NET``; a hyphen between word characters joins words, so
    ``data`` does not match inside ``data-driven``), case-insensitive, longest first (``data
    localization`` wins over ``data``), whitespace inside a term matches any run of whitespace
    (including a line break), ``'`` matches ``'`` and ``’``, and regular English plurals of the last
    word match too (``-s``; ``-es`` after s/x/z/ch/sh/o; consonant + ``y`` -> ``-ies``).
    Exception: a name with no lowercase letter (an acronym such as ``IT``, ``US``, ``5G``,
    ``996.ICU``) matches case-sensitively, and its only plural is a lowercase ``s`` (``CPUs``), so
    that ``IT`` never links the word "it".

Linking
    ``GlossaryLinker`` (a Python-Markdown ``Treeprocessor``; ``register_linker`` adds one at
    ``DEFAULT_PRIORITY``) wraps ``link_terms(root, matcher, ...)``: it walks the element tree in
    document order and wraps matched words of ``.text``/``.tail`` in
    ``<a class="refsite-term" href="..." data-term-slug="slug">matched text</a>``. Attributes are
    never touched. It never links inside ``a``, ``code``, ``pre``, ``kbd``, ``samp``, ``h1``-``h6``,
    ``script``, ``style``, ``summary``, form controls, ``svg``/``math``, or any element (and its
    descendants) whose class includes ``refsite-cite``, ``refsite-term``, ``refsite-noterm``,
    ``admonition-title`` or ``arithmatex``; nor in ``AtomicString`` text; nor inside bare URLs or
    ``[@key]`` citation syntax left in the text. Placeholders (``\\x02...\\x03``: stashed raw HTML,
    backslash escapes) are never split; raw inline HTML that Python-Markdown stashed is followed, so
    text between a raw ``<a ...>``/``<code>``/... (or any raw tag with a class above) and its closing
    tag is left alone too.

    Mode ``"first"`` links the first occurrence of each term (by slug, aliases included) per
    ``run(root)``; ``"all"`` links every occurrence. ``on_link(term, a_element, context)`` is called
    for each link made (``context`` is a short plain-text snippet around the occurrence);
    ``on_occurrence(term, parent_element)`` for each occurrence left unlinked by the first-occurrence
    rule. During callbacks ``linker.state.heading`` is the last heading element passed (its ``id`` is
    set when the linker runs after ``toc``, as it does at ``DEFAULT_PRIORITY``), so a caller can record
    the section too. Occurrences in skipped places (headings, code, ...) are not reported. Set
    ``linker.enabled = False`` (read at each run) to skip a page, e.g. on a front-matter opt-out.

Escape (protecting one occurrence from linking)
    Wrap it in an element with class ``refsite-noterm``. The documented syntax is raw inline HTML::

        the <span class="refsite-noterm">big data</span> of the 1990s

    It works with plain Python-Markdown (the linker follows the stashed tags). With ``attr_list``
    the Markdown forms ``*big data*{.refsite-noterm}`` / ``**...**{.refsite-noterm}`` work too (they
    also change the style), and with ``md_in_html`` a whole block can opt out:
    ``<div class="refsite-noterm" markdown>...</div>``. The linker runs after ``attr_list``
    (priority 8), so the classes are already on the elements: ``register_linker`` refuses a
    priority that would run it first.

Slugs and order
    Slugs are ASCII (``slugify``), unique, and never ``index`` (``<glossary_dir>/index.md`` is the
    generated A-Z index; a term "Index" gets ``index-2``). ``Glossary.terms`` is in dictionary
    order (``sort_key``: accents, case and leading punctuation ignored).
"""
from __future__ import annotations

import difflib
import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Callable, Iterator
from xml.etree import ElementTree as etree

import markdown
from markdown import util as md_util
from markdown.extensions.toc import slugify as toc_slugify
import yaml
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from .diagnostics import Problem

__all__ = [
    "DEFAULT_PRIORITY",
    "Glossary",
    "GlossaryLinker",
    "LinkState",
    "Matcher",
    "Term",
    "build_matcher",
    "link_terms",
    "load_glossary",
    "plain_text",
    "register_linker",
    "slugify",
    "sort_key",
]

#: Treeprocessor priority: after ``inline`` (20), ``attr_list`` (8), ``abbr`` (7), ``smarty`` (6)
#: and ``toc`` (5, so headings have ids), before ``unescape`` (0).
DEFAULT_PRIORITY = 4.5

KNOWN_KEYS = ("term", "definition", "aliases", "see_also", "short")
SHORT_MAX = 300

# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    term: str
    slug: str
    definition: str
    aliases: tuple[str, ...] = ()
    see_also: tuple[str, ...] = ()     # canonical names of the terms referred to
    short: str = ""
    line: int | None = None            # line of the entry's ``term`` value

    @property
    def names(self) -> tuple[str, ...]:
        return (self.term, *self.aliases)


@dataclass
class Glossary:
    """Terms sorted case-insensitively, by slug, and looked up by term or alias (case-insensitive)."""

    terms: list[Term] = field(default_factory=list)
    by_slug: dict[str, Term] = field(default_factory=dict)
    _by_name: dict[str, Term] = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self.terms = sorted(self.terms, key=lambda t: sort_key(t.term))
        self.by_slug = {t.slug: t for t in self.terms}
        self._by_name = {}
        for t in self.terms:
            for name in t.names:
                self._by_name.setdefault(_name_key(name), t)

    @classmethod
    def from_terms(cls, terms) -> "Glossary":
        return cls(list(terms))

    def lookup(self, name: str) -> Term | None:
        """The term named ``name`` (term or alias; case and spacing ignored), or None."""
        if not isinstance(name, str):
            return None
        return self._by_name.get(_name_key(name))

    def __len__(self) -> int:
        return len(self.terms)

    def __iter__(self):
        return iter(self.terms)

    def __contains__(self, name) -> bool:
        return self.lookup(name) is not None


def sort_key(name: str) -> tuple[str, str, str]:
    """Dictionary order for the A-Z index: accents, case and leading punctuation ignored
    (``Économie`` files under E, ``.NET`` under N, ``"Made in China 2025"`` under M)."""
    base = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)).casefold()
    return (re.sub(r"^[\W_]+", "", base) or base, base, name)


def _collapse(s: str) -> str:
    return " ".join(s.split())


def _name_key(name: str) -> str:
    return _collapse(name.replace("\u2019", "'")).casefold()


def slugify(text: str) -> str:
    """Lowercase ASCII slug, the one Python-Markdown's ``toc`` makes heading ids with (accents
    dropped, punctuation removed, spaces and hyphens as '-'). May be ''."""
    return toc_slugify(text, "-").strip("-_")


def _fallback_slug(term: str) -> str:
    # A term with no ASCII letters or digits (e.g. Chinese): stable across edits of other terms.
    return "term-" + hashlib.sha1(term.encode("utf-8")).hexdigest()[:8]


#: Slugs a term page cannot take: ``<glossary_dir>/index.md`` is the generated A-Z index.
RESERVED_SLUGS = frozenset({"index"})


def _assign_slugs(names: list[str]) -> list[str]:
    used: set[str] = set(RESERVED_SLUGS)
    out = []
    for name in names:
        base = slugify(name) or _fallback_slug(name)
        slug, n = base, 2
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        out.append(slug)
    return out


# --------------------------------------------------------------------------------------------
# Plain text for hover cards
# --------------------------------------------------------------------------------------------

_CITE_BRACKET_RE = re.compile(r"\s*\[[^\[\]]*?-?@[\w][^\[\]]*\]")
_CITE_BARE_RE = re.compile(r"(?<![\w@.])-?@[A-Za-z_][\w:.#$%&+?<>~/-]*[\w]")
_FOOTNOTE_REF_RE = re.compile(r"\[\^[^\]\s]+\]")
_BLOCK_TAGS = {
    "p", "div", "li", "ul", "ol", "blockquote", "pre", "table", "tr", "td", "th", "dl", "dt", "dd",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "br", "figure", "figcaption", "details", "summary",
}
_ABBREVIATIONS = {
    "e.g", "i.e", "etc", "cf", "vs", "viz", "al", "p", "pp", "ch", "chap", "no", "nos", "vol",
    "ed", "eds", "fig", "figs", "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "inc", "ltd",
    "co", "corp", "approx", "ca", "c", "sec", "art", "para", "n", "op", "cit", "ibid", "resp",
}


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.parts.append(alt)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _markdown_to_text(md: markdown.Markdown, source: str) -> str:
    source = _CITE_BRACKET_RE.sub("", source)
    source = _CITE_BARE_RE.sub("", source)
    source = _FOOTNOTE_REF_RE.sub("", source)
    md.reset()
    try:
        html = md.convert(source)
    except Exception:  # pragma: no cover - Markdown should not fail on text; be safe anyway
        html = source
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def _first_sentence(text: str) -> str:
    for m in re.finditer(r"[.!?]+[\"'”’)\]]*(?=\s|$)", text):
        rest = text[m.end():].lstrip()
        if rest and not (rest[0].isupper() or rest[0].isdigit() or rest[0] in "\"'“‘(["):
            continue
        if text[m.start()] == "." and m.group().startswith(".") and len(m.group().rstrip("\"'”’)]")) == 1:
            before = re.search(r"(\S+)$", text[: m.start()])
            word = before.group(1).lstrip("(\"'“‘[").lower() if before else ""
            if word in _ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.)*[a-z]", word):
                continue
        return text[: m.end()].strip()
    return text.strip()


def plain_text(md: markdown.Markdown | None, source: str, *, first_sentence: bool = True) -> str:
    """Markdown (with ``[@key]`` citations) -> plain text of its first paragraph/sentence."""
    md = md or markdown.Markdown()
    text = _markdown_to_text(md, source)
    paragraphs = [_collapse(p) for p in re.split(r"\n\s*\n", text)]
    paragraphs = [p for p in paragraphs if p]
    if not paragraphs:
        return ""
    result = paragraphs[0]
    result = re.sub(r"\s+([.,;:!?)\]])", r"\1", result)
    result = re.sub(r"([(\[])\s+", r"\1", result)
    result = re.sub(r"\(\s*\)", "", result)
    result = _collapse(result)
    if first_sentence:
        result = _first_sentence(result)
    if len(result) > SHORT_MAX:
        cut = result.rfind(" ", 0, SHORT_MAX - 1)
        result = result[: cut if cut > 0 else SHORT_MAX - 1].rstrip(" ,;:") + "…"
    return result


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def _line(node) -> int | None:
    mark = getattr(node, "start_mark", None)
    return mark.line + 1 if mark is not None else None


def _scalar(constructor, node):
    """(ok, value) for a scalar node, safely constructed (an unknown tag is not ok)."""
    try:
        return True, constructor.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        return False, exc


def _describe(node, value=None) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int):
        return f"an integer ({value})"
    if isinstance(value, float):
        return f"a number ({value})"
    if isinstance(value, str):
        return "a string"
    return f"a {type(value).__name__}"


def _quote_hint(node, value) -> str:
    if isinstance(node, yaml.ScalarNode) and not isinstance(value, str):
        return f"; quote it ('{node.value}') to make it text" if node.value else ""
    return ""


@dataclass
class _Entry:
    line: int | None
    term: str | None = None
    term_line: int | None = None
    definition: str | None = None
    aliases: list[tuple[str, int | None]] = field(default_factory=list)
    see_also: list[tuple[str, int | None]] = field(default_factory=list)
    short: str | None = None
    ok: bool = True


def _read_text(path: str, display_path: str, problems: list[Problem]) -> str | None:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        problems.append(Problem(display_path, None, f"cannot read glossary: {exc.strerror or exc}"))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problems.append(Problem(
            display_path, line,
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); save the file as UTF-8",
        ))
        return None
    return text[1:] if text.startswith("\ufeff") else text


def load_glossary(path: str, display_path: str) -> tuple[Glossary, list[Problem]]:
    """Load one glossary YAML file: (glossary of every valid entry, every problem found)."""
    problems: list[Problem] = []

    def report(line, message):
        problems.append(Problem(display_path, line, message))

    text = _read_text(path, display_path, problems)
    if text is None:
        return Glossary(), problems
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        context = exc.context
        if context and exc.context_mark and mark and exc.context_mark.line != mark.line:
            # e.g. an unclosed "[": the parser notices lines later; say where it was opened
            context = f"{context} started at line {exc.context_mark.line + 1},"
        what = " ".join(x for x in (context, exc.problem) if x) or "syntax error"
        report(mark.line + 1 if mark else None, f"invalid YAML: {what}")
        return Glossary(), problems
    except yaml.YAMLError as exc:
        report(None, f"invalid YAML: {exc}")
        return Glossary(), problems
    if root is None:
        return Glossary(), problems

    constructor = yaml.constructor.SafeConstructor()
    if not isinstance(root, yaml.SequenceNode):
        ok, value = _scalar(constructor, root) if isinstance(root, yaml.ScalarNode) else (True, None)
        if isinstance(root, yaml.ScalarNode) and ok and value is None:
            return Glossary(), problems
        report(_line(root), f"the glossary must be a list of entries, found {_describe(root, value)} "
                            "(start each entry with '- term: ...')")
        return Glossary(), problems

    entries = [_parse_entry(constructor, node, report) for node in root.value]
    glossary = _assemble([e for e in entries if e is not None], report)
    problems.sort(key=lambda p: p.line or 0)  # stable: in file order, same line in order found
    return glossary, problems


def _parse_entry(constructor, node, report) -> _Entry | None:
    if not isinstance(node, yaml.MappingNode):
        value = _scalar(constructor, node)[1] if isinstance(node, yaml.ScalarNode) else None
        report(_line(node), f"a glossary entry must be a mapping with 'term' and 'definition', "
                            f"found {_describe(node, value)}")
        return None
    explicit = sum(1 for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge")
    try:
        constructor.flatten_mapping(node)  # resolve YAML merge keys (<<) as safe_load would
    except yaml.YAMLError as exc:
        report(_line(node), f"invalid YAML merge: {getattr(exc, 'problem', exc)}")
    n_merged = max(0, len(node.value) - explicit)  # merged pairs come first; explicit keys override
    entry = _Entry(_line(node))
    seen_keys: dict[str, int | None] = {}
    merged_keys: set[str] = set()
    values: dict[str, yaml.Node] = {}
    for index, (key_node, value_node) in enumerate(node.value):
        ok, key = _scalar(constructor, key_node) if isinstance(key_node, yaml.ScalarNode) else (False, None)
        if not ok or not isinstance(key, str):
            shown = key_node.value if isinstance(key_node, yaml.ScalarNode) else _describe(key_node)
            report(_line(key_node), f"unknown key {shown!r} (expected one of: {', '.join(KNOWN_KEYS)})")
            continue
        if index < n_merged:
            if key in seen_keys:
                continue
            merged_keys.add(key)
        elif key in merged_keys:
            merged_keys.discard(key)
        elif key in seen_keys:
            report(_line(key_node), f"duplicate key '{key}' (first given at line {seen_keys[key]})")
            continue
        seen_keys[key] = _line(key_node)
        if key not in KNOWN_KEYS:
            close = difflib.get_close_matches(key, KNOWN_KEYS, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f" (expected one of: {', '.join(KNOWN_KEYS)})"
            report(_line(key_node), f"unknown key '{key}'{hint}")
            continue
        values[key] = value_node

    for key in ("term", "definition"):
        if key not in values:
            report(entry.line, f"entry has no '{key}'" + (
                f" (term {entry.term!r})" if key == "definition" and entry.term else ""))
            entry.ok = False
            continue
        value = _string(constructor, values[key], key, report)
        if value is None:
            entry.ok = False
        elif key == "term":
            entry.term, entry.term_line = _collapse(value), _line(values[key])
        else:
            entry.definition = value.strip()

    if "short" in values:
        ok, raw = _scalar(constructor, values["short"]) if isinstance(values["short"], yaml.ScalarNode) else (True, "")
        if not (ok and raw is None):
            value = _string(constructor, values["short"], "short", report)
            if value is not None:
                entry.short = _collapse(value)
    for key in ("aliases", "see_also"):
        if key in values:
            setattr(entry, key, _string_list(constructor, values[key], key, report))
    return entry


def _string(constructor, node, key, report) -> str | None:
    """A non-empty string value, or None after reporting why not."""
    if not isinstance(node, yaml.ScalarNode):
        report(_line(node), f"'{key}' must be a string, found {_describe(node)}")
        return None
    ok, value = _scalar(constructor, node)
    if not ok:
        report(_line(node), f"'{key}': unsupported YAML value ({getattr(value, 'problem', value)})")
        return None
    if value is None or (isinstance(value, str) and not value.strip()):
        report(_line(node), f"'{key}' is empty")
        return None
    if not isinstance(value, str):
        report(_line(node), f"'{key}' must be a string, found {_describe(node, value)}{_quote_hint(node, value)}")
        return None
    return value


def _string_list(constructor, node, key, report) -> list[tuple[str, int | None]]:
    if isinstance(node, yaml.ScalarNode):
        ok, value = _scalar(constructor, node)
        if ok and value is None:
            return []  # "aliases:" left empty: nothing given
        report(_line(node), f"'{key}' must be a list of strings, found {_describe(node, value if ok else None)}")
        return []
    if not isinstance(node, yaml.SequenceNode):
        report(_line(node), f"'{key}' must be a list of strings, found {_describe(node)}")
        return []
    out = []
    for item in node.value:
        ok, raw = _scalar(constructor, item) if isinstance(item, yaml.ScalarNode) else (True, None)
        if isinstance(item, yaml.ScalarNode) and ok and isinstance(raw, str) and raw.strip():
            value = raw
        elif isinstance(item, yaml.ScalarNode) and ok and (raw is None or isinstance(raw, str)):
            report(_line(item), f"empty item in '{key}'")
            continue
        else:
            raw = raw if ok else None
            report(_line(item), f"items of '{key}' must be strings, found "
                                f"{_describe(item, raw)}{_quote_hint(item, raw)}")
            continue
        out.append((_collapse(value), _line(item)))
    return out


def _assemble(entries: list[_Entry], report) -> Glossary:
    # name key -> (line, kind, owner term)
    names: dict[str, tuple[int | None, str, str]] = {}
    dropped: set[str] = set()  # names of entries dropped for their own problems
    kept: list[tuple[_Entry, list[str]]] = []

    def where(key):
        line, kind, owner = names[key]
        return f"first defined at line {line}" + (f", as an alias of '{owner}'" if kind == "alias" else "")

    for e in entries:
        if not e.ok or e.term is None or e.definition is None:
            for name in ([e.term] if e.term else []) + [a for a, _ in e.aliases]:
                dropped.add(_name_key(name))
            continue
        key = _name_key(e.term)
        if key in names:
            report(e.term_line, f"duplicate term '{e.term}' ({where(key)})")
            continue
        names[key] = (e.term_line, "term", e.term)
        aliases = []
        for alias, line in e.aliases:
            akey = _name_key(alias)
            if akey == key:
                report(line, f"alias '{alias}' repeats the term '{e.term}'")
            elif akey in names:
                report(line, f"duplicate alias '{alias}' ({where(akey)})")
            else:
                names[akey] = (line, "alias", e.term)
                aliases.append(alias)
        kept.append((e, aliases))

    md = markdown.Markdown()
    slugs = dict(zip(
        sorted((e.term for e, _ in kept), key=lambda t: (t.casefold(), t)),
        _assign_slugs(sorted((e.term for e, _ in kept), key=lambda t: (t.casefold(), t))),
    ))
    terms = []
    for e, aliases in kept:
        see_also: list[str] = []
        for name, line in e.see_also:
            nkey = _name_key(name)
            if nkey not in names:
                if nkey not in dropped:
                    report(line, f"see_also '{name}' names no term in the glossary")
                continue
            target = names[nkey][2]
            if target == e.term:
                report(line, f"see_also '{name}' refers to the entry itself")
            elif target not in see_also:
                see_also.append(target)
        short = e.short if e.short is not None else plain_text(md, e.definition)
        terms.append(Term(
            term=e.term, slug=slugs[e.term], definition=e.definition, aliases=tuple(aliases),
            see_also=tuple(see_also), short=short, line=e.term_line,
        ))
    return Glossary.from_terms(terms)


# --------------------------------------------------------------------------------------------
# Matching
# --------------------------------------------------------------------------------------------

_WS_TOKEN = ("ws",)
_APOS_TOKEN = ("apos",)
_PLURAL_SIBILANT = ("s", "x", "z", "ch", "sh")


def _is_acronym(name: str) -> bool:
    return any(c.isupper() for c in name) and not any(c.islower() for c in name)


def _lower_char(c: str) -> str:
    low = c.lower()
    return low if len(low) == 1 else c


def _ci_key(s: str) -> str:
    return "".join(_lower_char(c) for c in _collapse(s.replace("\u2019", "'")))


def _cs_key(s: str) -> str:
    return _collapse(s.replace("\u2019", "'"))


def _plurals(name: str, acronym: bool) -> list[str]:
    last = name[-1]
    if not (last.isascii() and last.isalpha()):
        return []
    if acronym:
        return [name + "s"]
    low = name.lower()
    if low.endswith(_PLURAL_SIBILANT):
        return [name + "es"]
    if low.endswith("y") and len(low) > 1 and low[-2] not in "aeiou":
        return [name[:-1] + "ies"]
    if low.endswith("o"):
        return [name + "s", name + "es"]
    return [name + "s"]


def _tokens(variant: str, case_sensitive: bool) -> list[tuple]:
    out: list[tuple] = []
    for c in variant:
        if c.isspace():
            if not out or out[-1] is not _WS_TOKEN:
                out.append(_WS_TOKEN)
        elif c in "'\u2019":
            out.append(_APOS_TOKEN)
        elif case_sensitive and c.lower() != c.upper():
            out.append(("cs", c))
        else:
            out.append(("ci", _lower_char(c)))
    return out


def _render_token(tok: tuple) -> str:
    if tok is _WS_TOKEN:
        return r"\s+"
    if tok is _APOS_TOKEN:
        return "['\u2019]"
    if tok[0] == "cs":
        return f"(?-i:{re.escape(tok[1])})"
    return re.escape(tok[1])


def _render_trie(node: dict) -> str:
    branches = [_render_token(tok) + _render_trie(child) for tok, child in node.items() if tok is not None]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if None in node:  # a name ends here: try the longer continuation first (greedy), then stop
        return "(?:" + body + ")?"
    return body


_LEFT = r"(?<!\w)(?<!\w-)"
_RIGHT = r"(?!\w)(?!-\w)"


class Matcher:
    """Finds glossary terms (and aliases, and their plurals) in text with one compiled regex."""

    def __init__(self, glossary: Glossary):
        self.glossary = glossary
        self._ci: dict[str, Term] = {}
        self._cs: dict[str, Term] = {}
        self._fold: dict[str, Term] = {}
        self._memo: dict[str, Term | None] = {}
        trie: dict = {}
        variants: list[tuple[str, Term, bool]] = []
        for exact in (True, False):
            for term in glossary.terms:
                for name in term.names:
                    acronym = _is_acronym(name)
                    for variant in ([name] if exact else _plurals(name, acronym)):
                        table, key = (self._cs, _cs_key(variant)) if acronym else (self._ci, _ci_key(variant))
                        if key in table:
                            continue  # exact names beat plural variants; first term wins otherwise
                        table[key] = term
                        self._fold.setdefault(_name_key(variant), term)
                        variants.append((variant, term, acronym))
        for variant, _term, acronym in variants:
            node = trie
            for tok in _tokens(variant, acronym):
                node = node.setdefault(tok, {})
            node[None] = True
        self.size = len(variants)
        body = _render_trie(trie) if trie else r"(?!)"
        self.pattern = re.compile(f"{_LEFT}(?:{body}){_RIGHT}", re.IGNORECASE)

    def term_for(self, matched: str) -> Term | None:
        """The term a matched string stands for (memoized: pages repeat the same few words)."""
        try:
            return self._memo[matched]
        except KeyError:
            pass
        term = (self._cs.get(_cs_key(matched)) or self._ci.get(_ci_key(matched))
                or self._fold.get(_name_key(matched)))
        if len(self._memo) < 100_000:
            self._memo[matched] = term
        return term

    def finditer(self, text: str) -> Iterator[tuple[int, int, Term]]:
        """(start, end, term) for each match, left to right, longest at each position."""
        term_for = self.term_for
        for m in self.pattern.finditer(text):
            term = term_for(m.group())
            if term is not None:
                yield m.start(), m.end(), term


def build_matcher(glossary: Glossary) -> Matcher:
    return Matcher(glossary)


# --------------------------------------------------------------------------------------------
# Tree linking
# --------------------------------------------------------------------------------------------

SKIP_TAGS = frozenset({
    "a", "code", "pre", "kbd", "samp", "script", "style", "h1", "h2", "h3", "h4", "h5", "h6",
    "summary", "button", "select", "option", "textarea", "label", "svg", "math", "title",
    "template", "noscript", "iframe", "object", "var",
})
SKIP_CLASSES = frozenset({"refsite-cite", "refsite-term", "refsite-noterm", "admonition-title", "arithmatex"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                        "source", "track", "wbr"})

# Python-Markdown's placeholders (markdown.util): STX … ETX around stash markers and escapes.
_PLACEHOLDER_RE = re.compile(f"{md_util.STX}([^{md_util.STX}{md_util.ETX}]*){md_util.ETX}")
_HTML_PH_RE = re.compile(md_util.HTML_PLACEHOLDER[1:-1].replace("%s", r"(\d+)") + r"\Z")


class _OneTag(HTMLParser):
    """Reads one raw HTML tag (a stashed inline tag) with the standard library's parser."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = None

    def handle_starttag(self, tag, attrs):
        self.found = self.found or ("start", tag, tuple(attrs))

    def handle_startendtag(self, tag, attrs):
        self.found = self.found or ("startend", tag, tuple(attrs))

    def handle_endtag(self, tag):
        self.found = self.found or ("end", tag, ())


@functools.lru_cache(maxsize=4096)
def _read_tag(html: str):
    """("start" | "end" | "startend", tag, attrs) when ``html`` is exactly one tag, else None."""
    if not (html.startswith("<") and html.endswith(">")) or html.count("<") != 1:
        return None
    parser = _OneTag()
    parser.feed(html)
    parser.close()
    return parser.found
# Bare URLs, e-mail addresses and leftover [@key] citation syntax: never linked into.
_NOLINK_RE = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>\"\x02\x03]+"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|\[[^\[\]\x02\x03]*@[^\[\]\x02\x03]*\]",
    re.I,
)


def _classes(el) -> set[str]:
    return set((el.get("class") or "").split())


def _skipped(el) -> bool:
    tag = el.tag if isinstance(el.tag, str) else ""
    return tag.lower() in SKIP_TAGS or not _classes(el).isdisjoint(SKIP_CLASSES)


@dataclass
class LinkState:
    """What one run saw: slugs linked so far, the current heading, counts."""

    linked: set[str] = field(default_factory=set)
    heading: etree.Element | None = None
    links: int = 0
    occurrences: int = 0


class _Walker:
    def __init__(self, matcher, link_href, mode, on_link, on_occurrence, stash, state, md=None):
        if mode not in ("first", "all"):
            raise ValueError(f"mode must be 'first' or 'all', not {mode!r}")
        self.matcher = matcher
        self.link_href = link_href
        self.first = mode == "first"
        self.on_link = on_link
        self.on_occurrence = on_occurrence
        self.stash = stash
        self.state = state
        self.raw: list[tuple[str, etree.Element]] = []  # open raw tags suppressing links
        self.md_block = md.is_block_level if md is not None else (lambda tag: tag.lower() in _BLOCK_TAGS)

    # -- raw HTML followed through stash placeholders --------------------------------------
    def _raw_item(self, inner: str) -> str | None:
        if self.stash is None:
            return None
        m = _HTML_PH_RE.match(inner)
        if not m:
            return None
        blocks = self.stash.rawHtmlBlocks
        i = int(m.group(1))
        item = blocks[i] if i < len(blocks) else None
        return item.strip() if isinstance(item, str) else None

    def _follow_raw(self, html: str, owner) -> None:
        found = _read_tag(html)
        if found is None or found[0] == "startend":
            return
        kind, tag, attrs = found
        if kind == "end":
            for i in range(len(self.raw) - 1, -1, -1):
                if self.raw[i][0] == tag:
                    del self.raw[i:]
                    break
            return
        if tag in _VOID_TAGS:
            return
        if self.raw:
            self.raw.append((tag, owner))
            return
        classes = set(next((v or "" for k, v in attrs if k == "class"), "").split())
        if tag in SKIP_TAGS or not classes.isdisjoint(SKIP_CLASSES):
            self.raw.append((tag, owner))

    # -- text -------------------------------------------------------------------------------
    def _mask(self, text: str, owner, tail: bool = False) -> tuple[str, list[tuple[int, int]]]:
        """Text with placeholders and protected stretches replaced by NULs (same length)."""
        spans: list[tuple[int, int]] = []
        if "\x02" not in text and "\x03" not in text:
            masked = "\x00" * len(text) if self.raw else text
        else:
            parts = []
            pos = 0
            for m in _PLACEHOLDER_RE.finditer(text):
                seg = text[pos:m.start()]
                parts.append("\x00" * len(seg) if self.raw else seg)
                inner = m.group(1)
                if inner.isdecimal() and inner.isascii():  # backslash escape of one character
                    ch = chr(int(inner)) if int(inner) < 0x110000 else ""
                    fill = "_" if re.match(r"\w", ch) else "\x00"
                    parts.append(fill * len(m.group()))
                else:
                    parts.append("\x00" * len(m.group()))
                    html = self._raw_item(inner)
                    if html is not None:
                        self._follow_raw(html, owner)
                spans.append(m.span())
                pos = m.end()
            tail = text[pos:]
            parts.append("\x00" * len(tail) if self.raw else tail)
            masked = "".join(parts)
            # stray STX/ETX (unbalanced): treat as boundaries, never include them
            masked = masked.replace("\x02", "\x00").replace("\x03", "\x00")
        if ("/" in masked or "@" in masked or "www." in masked) and not masked.isspace():
            masked = _NOLINK_RE.sub(lambda m: "\x00" * len(m.group()), masked)
        return masked, spans

    def _process(self, text, owner, tail: bool = False) -> tuple[str, list[etree.Element]] | None:
        if not text or isinstance(text, AtomicString):
            return None
        masked, spans = self._mask(text, owner, tail)
        if self.raw and "\x02" not in text:
            return None
        pieces: list[tuple[int, int, Term, bool]] = []
        for start, end, term in self.matcher.finditer(masked):
            if any(s < start < e or s < end < e for s, e in spans):
                continue  # would split a placeholder (cannot happen with the mask; be safe)
            link = not self.first or term.slug not in self.state.linked
            if link:
                self.state.linked.add(term.slug)
            pieces.append((start, end, term, link))
        if not pieces:
            return None
        before = None
        nodes: list[etree.Element] = []
        pos = 0
        for start, end, term, link in pieces:
            if not link:
                self.state.occurrences += 1
                if self.on_occurrence is not None:
                    self.on_occurrence(term, owner)
                continue
            chunk = text[pos:start]
            if nodes:
                nodes[-1].tail = (nodes[-1].tail or "") + chunk
            else:
                before = chunk
            a = etree.Element("a", {"class": "refsite-term", "href": self.link_href(term),
                                    "data-term-slug": term.slug})
            a.text = text[start:end]
            nodes.append(a)
            pos = end
            self.state.links += 1
            if self.on_link is not None:
                self.on_link(term, a, _snippet(text, start, end))
        if not nodes:
            return None
        nodes[-1].tail = (nodes[-1].tail or "") + text[pos:]
        for n in nodes:
            n.tail = n.tail or None
        return before or None, nodes

    # -- tree -------------------------------------------------------------------------------
    def walk(self, el) -> None:
        children = list(el)
        done = self._process(el.text, el)
        if done is not None:
            el.text, nodes = done
            for i, node in enumerate(nodes):
                el.insert(i, node)
        for child in children:
            tag = child.tag.lower() if isinstance(child.tag, str) else ""
            if tag in HEADINGS:
                self.state.heading = child
            if isinstance(child.tag, str) and not _skipped(child):
                self.walk(child)
            done = self._process(child.tail, el, tail=True)
            if done is not None:
                child.tail, nodes = done
                index = list(el).index(child)
                for i, node in enumerate(nodes, start=index + 1):
                    el.insert(i, node)
        if self.raw:
            self.raw = [(tag, owner) for tag, owner in self.raw if owner is not el]


def _unplace(text: str) -> str:
    return _PLACEHOLDER_RE.sub(
        lambda m: chr(int(m.group(1))) if m.group(1).isdigit() and int(m.group(1)) < 0x110000 else " ",
        text)


def _snippet(text: str, start: int, end: int, width: int = 60) -> str:
    """Plain text around text[start:end] (placeholders dropped, escapes restored), ~width each side."""
    left, right = _unplace(text[:start]), _unplace(text[end:])
    left = ("…" + left[-width:]) if len(left) > width else left
    right = (right[:width] + "…") if len(right) > width else right
    return _collapse(left + text[start:end] + right)


def link_terms(
    root: etree.Element,
    matcher: Matcher,
    *,
    link_href: Callable[[Term], str],
    mode: str = "first",
    on_link: Callable[[Term, etree.Element, str], None] | None = None,
    on_occurrence: Callable[[Term, etree.Element], None] | None = None,
    md: markdown.Markdown | None = None,
    state: LinkState | None = None,
) -> LinkState:
    """Link glossary terms in ``root`` in place (see the module docstring); returns the run's state.

    ``md`` (optional) gives access to the raw-HTML stash so that raw ``<span class="refsite-noterm">``
    and raw ``<a>``/``<code>`` tags are honoured. Pass a ``state`` to share the first-occurrence
    rule across several calls.
    """
    state = state if state is not None else LinkState()
    walker = _Walker(matcher, link_href, mode, on_link, on_occurrence,
                     md.htmlStash if md is not None else None, state, md=md)
    if isinstance(root.tag, str) and _skipped(root):
        return state
    walker.walk(root)
    return state


class GlossaryLinker(Treeprocessor):
    """Treeprocessor linking glossary terms; ``enabled`` and ``mode`` are read at every run."""

    def __init__(
        self,
        md: markdown.Markdown | None,
        matcher: Matcher,
        *,
        link_href: Callable[[Term], str],
        mode: str = "first",
        on_link: Callable[[Term, etree.Element, str], None] | None = None,
        on_occurrence: Callable[[Term, etree.Element], None] | None = None,
        enabled: bool = True,
    ):
        super().__init__(md)
        if mode not in ("first", "all"):
            raise ValueError(f"mode must be 'first' or 'all', not {mode!r}")
        self.matcher = matcher
        self.link_href = link_href
        self.mode = mode
        self.on_link = on_link
        self.on_occurrence = on_occurrence
        self.enabled = enabled
        self.state = LinkState()

    def run(self, root: etree.Element) -> None:
        self.state = LinkState()
        if not self.enabled:
            return None
        link_terms(root, self.matcher, link_href=self.link_href, mode=self.mode, on_link=self.on_link,
                   on_occurrence=self.on_occurrence, md=self.md, state=self.state)
        return None


def register_linker(md: markdown.Markdown, matcher: Matcher, *, priority: float = DEFAULT_PRIORITY,
                    name: str = "refsite-glossary", **kwargs) -> GlossaryLinker:
    """Create a GlossaryLinker and register it on ``md``'s treeprocessors, after ``attr_list``."""
    if "attr_list" in md.treeprocessors:
        attr_list = next(item.priority for item in md.treeprocessors._priority if item.name == "attr_list")
        if priority >= attr_list:
            raise ValueError(f"the term linker must run after attr_list (priority {attr_list}), not at {priority}")
    linker = GlossaryLinker(md, matcher, **kwargs)
    md.treeprocessors.register(linker, name, priority)
    return linker
