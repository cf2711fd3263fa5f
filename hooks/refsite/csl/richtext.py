"""The output tree: formatted nodes, rich-text field parsing, punctuation fixes, HTML/plain output.

Evaluation builds lists of ``str`` and :class:`F` nodes.  Serialisation flattens the tree into
tokens, moves punctuation into quotes, merges doubled punctuation where pieces meet, and writes
HTML (the CSL test-suite markup, with flip-flopping of italics, bold, small caps and quotes)
or plain text.
"""
from __future__ import annotations

import re


class F:
    """A formatted output node: ``kind`` (i, ni, b, nb, sc, nsc, u, nd, sup, sub, base, q,
    nocase, div, seq, and markers ys/names) over ``children`` (``str`` or ``F``)."""
    __slots__ = ("kind", "children", "arg")

    def __init__(self, kind: str, children: list, arg=None):
        self.kind = kind
        self.children = children
        self.arg = arg

    def __repr__(self):
        return f"F({self.kind!r}, {self.children!r})"


FMT_KIND = {
    ("font-style", "italic"): "i", ("font-style", "oblique"): "i", ("font-style", "normal"): "ni",
    ("font-variant", "small-caps"): "sc", ("font-variant", "normal"): "nsc",
    ("font-weight", "bold"): "b", ("font-weight", "normal"): "nb",
    ("text-decoration", "underline"): "u", ("text-decoration", "none"): "nd",
    ("vertical-align", "sup"): "sup", ("vertical-align", "sub"): "sub",
    ("vertical-align", "baseline"): "base",
}


def is_empty(parts) -> bool:
    for p in parts:
        if isinstance(p, str):
            if p:
                return False
        elif p.kind in ("ys",) or not is_empty(p.children):
            return False
    return True


def plain(parts) -> str:
    """Text content of a tree (no markup, quotes omitted)."""
    out = []
    _plain(parts, out)
    return "".join(out)


def _plain(parts, out):
    for p in parts:
        if isinstance(p, str):
            out.append(p)
        else:
            _plain(p.children, out)


# ---------------------------------------------------------------------------------------------
# Rich text inside field values
_TAG_RE = re.compile(
    r'(<i>|</i>|<b>|</b>|<sup>|</sup>|<sub>|</sub>|<sc>|</sc>|<span class="nocase">|'
    r'<span style="font-variant:\s*small-caps;?">|<span style="font-style:\s*normal;?">|'
    r'<span style="font-weight:\s*normal;?">|<span class="baseline">|<span class="nodecor">|</span>|'
    r'"|\u201c|\u201d|\u2018|\u2019|\')')
_OPEN = {"<i>": "i", "<b>": "b", "<sup>": "sup", "<sub>": "sub", "<sc>": "sc"}
_CLOSE = {"</i>": "i", "</b>": "b", "</sup>": "sup", "</sub>": "sub", "</sc>": "sc"}


_MARKUP_CHARS = re.compile("[<\"'\u201c\u201d\u2018\u2019]")


def parse_markup(text: str, quotes: bool = True) -> list:
    """Parse a CSL-JSON field value (pseudo-HTML, straight/curly quotes) into a tree.

    With ``quotes=False`` (cite prefixes and suffixes) quotes become plain curly characters.
    Spaces just inside French guillemets become narrow no-break spaces."""
    if "\u00ab" in text or "\u00bb" in text:
        text = re.sub(r"\u00ab ", "\u00ab\u202f", re.sub(r" \u00bb", "\u202f\u00bb", text))
    if not _MARKUP_CHARS.search(text):
        return [text] if text else []
    if not quotes:
        text = re.sub(r'"([^"]*)"', "\u201c\\1\u201d", text)
        text = re.sub(r"(?<!\w)'([^']*)'(?!\w)", "\u201c\\1\u201d", text).replace("'", "\u2019")
        if "<" not in text:
            return [text]
    root = F("seq", [])
    stack = [(root, None)]  # (node, opener)
    pieces = _TAG_RE.split(text)
    for n, tok in enumerate(pieces):
        if not tok:
            continue
        if n % 2 == 0 or (not quotes and not tok.startswith("<")):
            stack[-1][0].children.append(tok.replace("'", "\u2019") if n % 2 else tok)
        elif tok.startswith("<"):
            _tag(stack, tok)
        elif tok in ('"', "\u201c", "\u201d"):
            _double_quote(stack, tok, _prev_char(pieces, n), _next_char(pieces, n))
        else:
            _single_quote(stack, tok, pieces, n)
    while len(stack) > 1:  # unclosed: keep the text, drop the formatting
        node, opener = stack.pop()
        lit = '"' if opener == '"' else "\u2018" if opener == "'" else ""
        parent = stack[-1][0].children
        parent.pop()
        parent.extend(([lit] if lit else []) + node.children)
    return root.children


def _tag(stack, tok):
    if tok in _OPEN:
        _push(stack, _OPEN[tok], tok)
    elif tok.startswith("<span"):
        kind = "nocase" if "nocase" in tok else "sc" if "small-caps" in tok else \
            "nodecor" if "nodecor" in tok else \
            "base" if "baseline" in tok else "ni" if "font-style" in tok else "nb"
        _push(stack, kind, "<span")
    elif not _pop(stack, "<span" if tok == "</span>" else "<" + tok[2:]):
        stack[-1][0].children.append(tok)


def _double_quote(stack, tok, prev, nxt):
    if stack[-1][1] == '"' and tok != "\u201c" and prev and not prev.isspace():
        _pop(stack, '"')
    elif tok != "\u201d" and nxt and not nxt.isspace():
        _push(stack, "q", '"')
    else:
        stack[-1][0].children.append(tok)


def _single_quote(stack, tok, pieces, n):
    """A single quote opens or closes an inner quotation, or is an apostrophe."""
    prev, nxt = _prev_char(pieces, n), _next_char(pieces, n)
    opening = (not prev or prev.isspace() or prev in "([{\"\u201c") and nxt and \
        not nxt.isspace() and tok != "\u2019"
    if stack[-1][1] == "'" and not (nxt and nxt.isalnum()) and tok != "\u2018":
        _pop(stack, "'")
    elif opening and _has_closer(pieces, n):
        _push(stack, "q", "'")
    else:
        stack[-1][0].children.append("\u2019" if tok in ("'", "\u2019") else tok)


def _next_char(pieces, n):
    return next((p[:1] for p in pieces[n + 1:] if p), "")


def _prev_char(pieces, n):
    for k in range(n - 1, -1, -1):
        if pieces[k]:
            return pieces[k][-1] if k % 2 == 0 else pieces[k][-1]
    return ""


def _has_closer(pieces, n):
    for k in range(n + 1, len(pieces)):
        if k % 2 == 1 and pieces[k] in ("'", "\u2019"):
            nxt = pieces[k + 1][:1] if k + 1 < len(pieces) else ""
            if not (nxt and nxt.isalnum()):
                return True
    return False


def _push(stack, kind, opener):
    node = F(kind, [])
    stack[-1][0].children.append(node)
    stack.append((node, opener))


def _pop(stack, opener) -> bool:
    for k in range(len(stack) - 1, 0, -1):
        if stack[k][1] == opener:
            del stack[k:]
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Serialisation
PUNCT = ".,;:!?"


def _tokens(parts, out):
    for p in parts:
        if isinstance(p, str):
            if p:
                out.append([p])
        elif is_empty(p.children):
            continue
        else:
            out.append(("o", p))
            _tokens(p.children, out)
            out.append(("c", p))
    return out


_DROP_SECOND = {(";", ":"), ("!", ":"), ("?", ":"), (":", "."), (";", "."), ("!", "."), ("?", ".")}
_DROP_FIRST = {(":", "!"), (";", "!"), (":", "?"), (";", "?")}


def _join_punct(a: str, b: str) -> tuple[str, str]:
    """Resolve punctuation where text ``a`` meets ``b`` (citeproc-js's table)."""
    if not a or not b:
        return a, b
    x, y = a[-1], b[0]
    if x == " " and y == " ":
        return a, b[1:]
    if x in PUNCT and y in PUNCT:
        if x == y or (x, y) in _DROP_SECOND:
            return a, b[1:]
        if (x, y) in _DROP_FIRST:
            return a[:-1], b
    return a, b


def _merge_adjacent(tokens):
    """Resolve doubled punctuation where two pieces of text meet."""
    prev = None
    for t in tokens:
        if not isinstance(t, list) or not t[0]:
            continue
        if prev is not None:
            prev[0], t[0] = _join_punct(prev[0], t[0])
            if not t[0]:
                continue
        prev = t


def _move_into_quotes(tokens):
    """Punctuation after a closing quote moves inside it (punctuation-in-quote)."""
    for k, t in enumerate(tokens):
        if not (isinstance(t, tuple) and t[0] == "c" and t[1].kind == "q"):
            continue
        j = k + 1
        while j < len(tokens) and ((isinstance(tokens[j], tuple) and tokens[j][0] == "c") or
                                   (isinstance(tokens[j], list) and not tokens[j][0])):
            j += 1
        prev = k - 1
        while prev >= 0 and not (isinstance(tokens[prev], list) and tokens[prev][0]):
            prev -= 1
        if j >= len(tokens) or not isinstance(tokens[j], list) or prev < 0:
            continue
        while j < len(tokens):
            t = tokens[j]
            if isinstance(t, tuple):
                if t[0] == "o":
                    break
                j += 1
                continue
            if t[0][:1] not in MOVABLE:
                if t[0]:
                    break
                j += 1
                continue
            ch = t[0][0]
            t[0] = t[0][1:]
            a, b = _join_punct(tokens[prev][0], ch)
            tokens[prev][0] = a + b


MOVABLE = (",", ".", "!", "?")


def fix_punctuation(tokens, punct_in_quote: bool):
    _merge_adjacent(tokens)
    if punct_in_quote:
        _move_into_quotes(tokens)
    return tokens


def _superscripts() -> dict:
    import unicodedata
    out = {"\u00aa": "a", "\u00ba": "o", "\u02c0": "\u0294", "\u02c1": "\u0295",
           "\u06e5": "\u0648", "\u06e6": "\u064a"}  # modifier letters without a decomposition
    ranges = [(0x00a0, 0x0400), (0x0600, 0x0700), (0x1d00, 0x1dc0), (0x2070, 0x20a0),
              (0x2100, 0x2200), (0x3190, 0x31a0)]
    for lo, hi in ranges:
        for cp in range(lo, hi):
            d = unicodedata.decomposition(chr(cp))
            if d.startswith("<super> "):
                out[chr(cp)] = "".join(chr(int(x, 16)) for x in d.split()[1:])
    return out


_SUPERSCRIPTS = _superscripts()
_SUP_RE = re.compile("[" + "".join(_SUPERSCRIPTS) + "]")


def _escape(s: str) -> str:
    if "&" in s or "<" in s or ">" in s:
        s = s.replace("&", "&#38;").replace("<", "&#60;").replace(">", "&#62;")
    if _SUP_RE.search(s):
        s = _SUP_RE.sub(lambda m: f"<sup>{_SUPERSCRIPTS[m.group()]}</sup>", s)
    return s


_FLIP = {"i": ("it", "<i>", "</i>", '<span style="font-style:normal;">', "</span>"),
         "b": ("bo", "<b>", "</b>", '<span style="font-weight:normal;">', "</span>"),
         "sc": ("sc", '<span style="font-variant:small-caps;">', "</span>",
                '<span style="font-variant:normal;">', "</span>")}
_NORMAL = {"ni": ("it", '<span style="font-style:normal;">'),
           "nb": ("bo", '<span style="font-weight:normal;">'),
           "nsc": ("sc", '<span style="font-variant:normal;">')}
_SIMPLE = {"u": ('<span style="text-decoration:underline;">', "</span>"),
           "nd": ('<span style="text-decoration:none;">', "</span>"),
           "sup": ("<sup>", "</sup>"), "sub": ("<sub>", "</sub>"),
           "base": ('<span style="baseline">', "</span>")}


def render(parts, quotes=("“", "”", "‘", "’"), punct_in_quote=False, html=True) -> str:
    """Serialise a tree to HTML (``html=True``) or plain text."""
    return serialize(fix_punctuation(_tokens(parts, []), punct_in_quote), quotes, html)


def render_both(parts, quotes=("“", "”", "‘", "’"), punct_in_quote=False) -> tuple[str, str]:
    """(HTML, plain text) of a tree, punctuation fixed once."""
    tokens = fix_punctuation(_tokens(parts, []), punct_in_quote)
    return serialize(tokens, quotes, True), serialize(tokens, quotes, False)


# citeproc-js's markup for display divs (the test suite's whitespace included)
_DIV_HTML = {
    "block": ('\n\n    <div class="csl-block">', "</div>\n"),
    "left-margin": ('\n    <div class="csl-left-margin">', "</div>"),
    "right-inline": ('<div class="csl-right-inline">', "</div>\n  "),
    "indent": ('<div class="csl-indent">', "</div>\n  "),
}


def _open(node, state, quotes, html):
    """(opening, closing, state key, old state value) for a node, flip-flopping as needed."""
    k = node.kind
    if k == "q":
        old = state["q"]
        inner = old % 2 == 1
        state["q"] = old + 1
        return ((quotes[2], quotes[3]) if inner else (quotes[0], quotes[1])) + ("q", old)
    if k in _FLIP:
        key, o1, c1, o2, c2 = _FLIP[k]
        old = state[key]
        state[key] = not old
        return ((o2, c2) if old else (o1, c1)) + (key, old) if html else ("", "", key, old)
    if k in _NORMAL:
        key, o = _NORMAL[k]
        old = state[key]
        state[key] = False
        return (o, "</span>", key, old) if old and html else ("", "", key, old)
    if k == "nodecor":
        style = ("font-variant:normal;" if state["sc"] else "") + \
            ("font-weight:normal;" if state["bo"] else "") + \
            ("font-style:normal;" if state["it"] else "")
        old = dict(state)
        state.update(it=False, bo=False, sc=False)
        if html and style:
            return f'<span style="{style}">', "</span>", "nodecor", old
        return "", "", "nodecor", old
    if k in _SIMPLE and html:
        return _SIMPLE[k] + (None, None)
    if k == "div":
        if html:
            return _DIV_HTML.get(node.arg, (f'<div class="csl-{node.arg}">', "</div>")) + (None, None)
        if node.arg in ("left-margin", "block"):
            return "", "\x00", None, None  # a separator in plain text, see serialize
    if k == "mark" and html:  # caller-defined markers around a node (e.g. each cite)
        return node.arg + (None, None)
    return "", "", None, None


def serialize(tokens, quotes, html: bool) -> str:
    """Fixed tokens to HTML or plain text."""
    out = []
    state = {"it": False, "bo": False, "sc": False, "q": 0}
    closers = []
    for t in tokens:
        if isinstance(t, list):
            if t[0]:
                out.append(_escape(t[0]) if html else t[0])
        elif t[0] == "c":
            s, key, old = closers.pop()
            if key == "nodecor":
                state.update(old)
            elif key:
                state[key] = old
            out.append(s)
        else:
            opening, closing, key, old = _open(t[1], state, quotes, html)
            out.append(opening)
            closers.append((closing, key, old))
    text = "".join(out)
    if not html and "\x00" in text:
        text = re.sub(r"\s*\x00\s*", " ", text).strip()
    return text
