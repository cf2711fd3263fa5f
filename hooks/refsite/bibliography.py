"""Loading BibTeX files with pybtex: once per build, with every problem as ``path:line: message``.

pybtex does the parsing (``@string``, ``@preamble``, LaTeX stays LaTeX here; decoding happens in
formatting) and reports problems through its error-capture mechanism; we only add what pybtex does
not track: the line each entry starts on, duplicate keys across files, and crossref resolution via
pybtex's own ``Entry._find_field``.
"""
from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field

import pybtex.errors
from pybtex.database import BibliographyData, Entry
from pybtex.database.input import bibtex as pybtex_bibtex
from pybtex.scanner import PrematureEOF, PybtexSyntaxError

from .diagnostics import Problem


@dataclass
class Bibliography:
    """All entries of a build: key -> pybtex Entry (crossrefs resolved), with where each was defined."""

    entries: dict[str, Entry] = field(default_factory=dict)
    raw: dict[str, Entry] = field(default_factory=dict)          # as written (for BibTeX export)
    locations: dict[str, tuple[str, int]] = field(default_factory=dict)
    files: tuple[str, ...] = ()
    problems: list[Problem] = field(default_factory=list)
    preamble: str = ""

    def __contains__(self, key: str) -> bool:
        return key in self.entries

    def __len__(self) -> int:
        return len(self.entries)

    def where(self, key: str) -> str:
        path, line = self.locations.get(key, ("?", 0))
        return f"{path}:{line}"


class _LineTrackingParser(pybtex_bibtex.LowLevelParser):
    """pybtex's own low-level parser, remembering the line where each command starts."""

    command_line = 1

    def parse_command(self):
        self.command_line = self.lineno
        return super().parse_command()


class _Parser(pybtex_bibtex.Parser):
    """pybtex's Parser, recording entry lines and reporting duplicates with both places."""

    def __init__(self, display_path: str, problems: list[Problem], seen: dict[str, tuple[str, int]],
                 **kwargs):
        super().__init__(**kwargs)
        self.display_path = display_path
        self.problems = problems
        self.seen = seen           # key (case-folded) -> (path, line), across files
        self.lines: dict[str, int] = {}
        self._low = None

    def _line(self) -> int:
        return self._low.command_line if self._low is not None else 1

    def handle_error(self, error):
        line = getattr(error, "lineno", None)
        if not isinstance(error, PybtexSyntaxError) or line is None:
            line = self._line()
        message = str(error)
        # pybtex puts "in line N" into syntax messages; the location is already in front.
        message = message.replace(f" in line {getattr(error, 'lineno', '')}", "")
        low = self._low
        if isinstance(error, PybtexSyntaxError) and low is not None and low.command_start is not None:
            # A brace left open swallows the entries after it; pybtex notices far below. Point at
            # the entry that was being read when the parse ran into the next "@" line.
            start = low.command_start
            span = low.text[start:max(low.pos, start) + 1]
            if "\n@" in span and low.command_line < line:
                message = (f"{message} (noticed at line {line}; an unclosed brace or quote in this "
                           "entry runs into the next one)")
                line = low.command_line
                if isinstance(error, PrematureEOF):
                    # Nothing after this entry was read: parse again from the next entry.
                    self._resume = low.text.index("\n@", start) + 1
        self.problems.append(Problem(self.display_path, line, f"BibTeX: {message}"))

    def process_entry(self, entry_type, key, fields):
        line = self._line()
        if key is not None:
            folded = key.casefold()
            if folded in self.seen:
                path, first = self.seen[folded]
                self.problems.append(Problem(
                    self.display_path, line,
                    f"duplicate citation key '{key}' (first defined at {path}:{first}); "
                    "the first definition is used"))
                return
            self.seen[folded] = (self.display_path, line)
            self.lines[key] = line
        super().process_entry(entry_type, key, fields)

    _resume = None

    def parse_string(self, text):
        self.unnamed_entry_counter = 1
        self.command_start = 0
        while text is not None:
            self._resume = None
            self._low = _LineTrackingParser(
                text,
                keyless_entries=self.keyless_entries,
                handle_error=self.handle_error,
                want_entry=self.data.want_entry,
                filename=self.filename,
                macros=self.macros,
            )
            for entry in self._low:
                entry_type = entry[0]
                kind = entry_type.lower()
                if kind == "string":
                    pass
                elif kind == "preamble":
                    self.process_preamble(*entry[1])
                else:
                    self.process_entry(entry_type, *entry[1])
            resume, text = self._resume, None
            if resume is not None:
                # Keep line numbers: pad with the newlines that came before.
                old = self._low.text
                text = "\n" * old.count("\n", 0, resume) + old[resume:]
        return self.data


def expand_globs(patterns, base_dir: str) -> tuple[list[str], list[str]]:
    """Files matched by the globs (relative to base_dir), sorted and unique; and unmatched globs."""
    files: list[str] = []
    unmatched: list[str] = []
    for pattern in patterns:
        full = pattern if os.path.isabs(pattern) else os.path.join(base_dir, pattern)
        matches = sorted(p for p in glob.glob(full, recursive=True) if os.path.isfile(p))
        if not matches:
            unmatched.append(pattern)
        for path in matches:
            path = os.path.normpath(path)
            if path not in files:
                files.append(path)
    return files, unmatched


def _display(path: str, base_dir: str) -> str:
    try:
        rel = os.path.relpath(path, base_dir)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def _read_text(path: str, shown: str, problems: list[Problem]) -> str:
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        problems.append(Problem(
            shown, line,
            f"not valid UTF-8 (byte 0x{data[error.start]:02x}); undecodable bytes are shown as \ufffd"))
        return data.decode("utf-8", errors="replace")


def _resolve_crossrefs(data: BibliographyData, locations, problems: list[Problem]) -> dict[str, Entry]:
    """Inherit fields from crossref'd entries using pybtex's own lookup (Entry._find_field)."""
    resolved: dict[str, Entry] = {}
    for key, entry in data.entries.items():
        target_key = entry.fields.get("crossref")
        if not target_key:
            resolved[key] = entry
            continue
        target = data.entries.get(target_key)
        if target is None:
            path, line = locations.get(key, ("?", None))
            problems.append(Problem(path, line, f"crossref to unknown key '{target_key}' in '{key}'"))
            resolved[key] = entry
            continue
        # A new Entry with its own field and person storage: copy.copy would share pybtex's
        # OrderedCaseInsensitiveDict storage and write the parent's fields into the parsed entry.
        child = Entry(entry.type, fields=list(entry.fields.items()),
                      persons={role: list(people) for role, people in entry.persons.items()})
        child.key = entry.key
        for name in list(target.fields.keys()):
            if name.lower() in ("crossref", "ids", "entryset") or name in child.fields:
                continue
            try:
                child.fields[name] = entry._find_field(name, data)
            except KeyError:
                pass
        # biblatex's rule: a parent's title becomes the child's booktitle.
        if "booktitle" not in child.fields and "title" in target.fields and \
                entry.type.lower() in ("incollection", "inproceedings", "inbook", "bookinbook",
                                       "suppbook", "suppcollection", "conference"):
            child.fields["booktitle"] = target.fields["title"]
            if "title" not in entry.fields:
                del child.fields["title"]
        for role in ("editor", "author"):
            if role not in child.persons and role in target.persons:
                child.persons[role] = list(target.persons[role])
        resolved[key] = child
    return resolved


def load_bibliography(patterns, base_dir: str) -> Bibliography:
    """Parse every file matched by ``patterns`` once; never raises on bad input."""
    files, unmatched = expand_globs(patterns, base_dir)
    problems: list[Problem] = []
    for pattern in unmatched:
        problems.append(Problem("mkdocs.yml", None,
                                f"plugins.refsite.bibliography: '{pattern}' matches no file"))
    seen: dict[str, tuple[str, int]] = {}
    data = BibliographyData()
    locations: dict[str, tuple[str, int]] = {}
    macros = None
    for path in files:
        shown = _display(path, base_dir)
        text = _read_text(path, shown, problems)
        parser = _Parser(shown, problems, seen)
        if macros is not None:
            parser.macros = macros      # BibTeX semantics: @string carries over to later files
        parser.data = data
        with pybtex.errors.capture() as captured:
            try:
                parser.parse_string(text)
            except Exception as error:   # pybtex should capture; never let a file crash a build
                problems.append(Problem(shown, parser._line(), f"BibTeX: {error}"))
        for error in captured:           # errors raised outside the parser's own handler
            parser.handle_error(error)
        macros = parser.macros
        for key, line in parser.lines.items():
            locations.setdefault(key, (shown, line))
        if not parser.lines and not any(p.path == shown for p in problems):
            problems.append(Problem(shown, 1, "no BibTeX entries in this file"))
    resolved = _resolve_crossrefs(data, locations, problems)
    preamble = " ".join(data.preamble_list) if hasattr(data, "preamble_list") else ""
    return Bibliography(entries=resolved, raw=dict(data.entries), locations=locations,
                        files=tuple(files), problems=problems, preamble=preamble)


class BibliographyCache:
    """Keeps the last parse; re-parses only when a matched file or the set of files changed."""

    def __init__(self):
        self._signature = None
        self._value: Bibliography | None = None

    @staticmethod
    def _signature_of(patterns, base_dir):
        files, unmatched = expand_globs(patterns, base_dir)
        stats = []
        for path in files:
            st = os.stat(path)
            stats.append((path, st.st_mtime_ns, st.st_size))
        return (tuple(patterns), base_dir, tuple(stats), tuple(unmatched))

    def clear(self) -> None:
        self._signature = None
        self._value = None

    def load(self, patterns, base_dir: str) -> tuple[Bibliography, bool]:
        """Return (bibliography, reused)."""
        signature = self._signature_of(patterns, base_dir)
        if self._value is not None and signature == self._signature:
            return self._value, True
        self._value = load_bibliography(patterns, base_dir)
        self._signature = signature
        return self._value, False
