"""XML helpers: namespace-free tag names and parsing with ``path:line`` errors."""
from __future__ import annotations

import xml.etree.ElementTree as ET

CSL_NS = "http://purl.org/net/xbiblio/csl"


class CslError(Exception):
    """Base class of the CSL package's errors."""


class StyleSyntaxError(CslError):
    """A style or locale file is not well-formed XML; the message starts with ``path:line``."""

    def __init__(self, path: str, line: int, detail: str):
        super().__init__(f"{path}:{line}: {detail}")
        self.path, self.line, self.detail = path, line, detail


def local(tag) -> str:
    """A tag without its namespace (comments and processing instructions give '')."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def parse_xml_string(text: str, path: str = "<string>") -> ET.Element:
    try:
        return ET.fromstring(text)
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else 0
        raise StyleSyntaxError(path, line, str(exc)) from None


def parse_xml_file(path: str) -> ET.Element:
    with open(path, encoding="utf-8-sig") as fh:
        return parse_xml_string(fh.read(), path)
