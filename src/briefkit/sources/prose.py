"""A block's words as a reader reads them, each traced back to its line and column.

The parser's text tokens hold the words after typography (curly quotes, dashes, decoded
entities and escapes) and without the markup around them (emphasis, links, citations), and
carry only a line. To say where a word stands, the tokens of one block are walked in order
against the source lines: each piece of markup is stepped over where it is written, and each
text is matched to the characters it came from. Every step moves forward, so a block is read
in time that grows with its length.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

from markdown_it.token import Token

# Stands for what is not prose (code, a citation, an image) so that no phrase runs across it.
OBJECT = "\ufffc"
# Characters of a text that may be written otherwise in the source: ASCII punctuation (which
# a backslash escapes), and what typography makes of quotes, dashes, dots and (c).
_SPECIAL = (
    "!-/:-@\\[-`{-~\u00a0\u00a9\u00ab\u00ae\u00b1\u00bb\u2013\u2014\u2018-\u201f"
    "\u2026\u2039\u203a\u2122\u202f\u300c-\u300f"
)
# A run of characters written as they are, or one that may be written otherwise.
_SEGMENT = re.compile(f"[^{_SPECIAL}]+|.", re.DOTALL)
_QUOTES = frozenset("“”‘’„‚‟«»‹›「」『』")
_REPLACED = {
    "—": ("---",),
    "–": ("--",),
    "©": ("(c)", "(C)"),
    "®": ("(r)", "(R)"),
    "™": ("(tm)", "(TM)", "(Tm)", "(tM)"),
    "±": ("+-",),
}
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# How far ahead a text may be looked for when the source holds something the tokens do not.
_WINDOW = 16
# Lines that code, or a link's or image's address, is looked for over: they may run on.
_LINES_AHEAD = 3
_EMPHASIS = {"em_open", "em_close", "strong_open", "strong_close", "s_open", "s_close"}


@dataclass(frozen=True)
class Piece:
    """A text token: where its words start in the block's text and in the source."""

    start: int
    content: str
    line: int
    raw: int


@dataclass
class Span:
    """A bracketed span marked ``{.allow}``: the text it covers and where it is written."""

    start: int
    end: int
    line: int
    col: int
    words: str = ""
    used: bool = False


@dataclass
class Block:
    """The words of one paragraph, heading, list item or table cell, traced to the source.

    The words are read at once; where they stand only when asked, by walking the source,
    which most blocks (those with nothing to report) never need.
    """

    text: str
    spans: list[Span]
    cited: bool
    inline: Token
    start: int
    source: Sequence[str]
    first: int
    _pieces: list[Piece] | None = field(init=False, default=None)
    _starts: list[int] = field(init=False, default_factory=list)
    # The spans by where they start, how many of them a sweep has reached, and those open.
    _waiting: list[Span] = field(init=False)
    _reached: int = field(init=False, default=0)
    _open: list[Span] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self._waiting = sorted(self.spans, key=lambda span: span.start)

    def spans_over(self, offset: int) -> list[Span]:
        """Return the allowance spans that cover a character; ask in the order of the text.

        One sweep over the spans, so a block of thousands of them is read once.
        """
        while self._reached < len(self._waiting) and self._waiting[self._reached].start <= offset:
            self._open.append(self._waiting[self._reached])
            self._reached += 1
        self._open = [span for span in self._open if span.end > offset]
        return self._open

    def place(self, offset: int) -> tuple[int, int]:
        """Return the file line and 1-based column of a character of the text."""
        pieces = self._walked()
        index = bisect.bisect_right(self._starts, offset) - 1
        if index < 0:
            return self.first + (self.inline.map or [0])[0], 1
        piece = pieces[index]
        line = self.source[piece.line]
        _, [raw] = align(piece.content, line, piece.raw, [offset - piece.start])
        return self.first + piece.line, raw + 1

    def span_place(self, span: Span) -> tuple[int, int]:
        """Return the file line and 1-based column of a span's opening bracket."""
        self._walked()
        return span.line, span.col

    def _walked(self) -> list[Piece]:
        """Walk the source once, placing each text and each allowance span."""
        if self._pieces is None:
            reader = _Reader(self.inline, self.source, self.first, self.start)
            reader.read()
            self._pieces, self._starts = reader.pieces, [p.start for p in reader.pieces]
            for span, placed in zip(self.spans, reader.spans, strict=False):
                span.line, span.col = placed.line, placed.col
        return self._pieces


def span_classes(span: Token) -> list[str]:
    """Return the classes written on a bracketed span, which the parser keeps out of outputs."""
    written = span.meta.get("insecure_attrs", {})
    return str(written.get("class", "")).split() if isinstance(written, dict) else []


def is_allowance(span: Token) -> bool:
    """Tell whether a bracketed span is marked ``{.allow}``."""
    return "allow" in span_classes(span)


def read_block(
    inline: Token, kind: str, source: Sequence[str], first: int, cursors: dict[int, int]
) -> Block | None:
    """Return an inline block's words, to be placed when asked; None if it has no place.

    kind is "heading", "cell" or "text"; cursors holds, by line, how far earlier cells of a
    table row have been read.
    """
    if inline.map is None or not 0 <= inline.map[0] < len(source):
        return None
    top = inline.map[0]
    row = inline.content.split("\n", 1)[0]
    start, end = _first_start(row, kind, source[top], cursors.get(top, 0))
    cursors[top] = end
    reader = _Reader(inline, source, first, start, trace=False)
    reader.read()
    text = "".join(reader.parts)
    return Block(text, reader.spans, reader.cited, inline, start, source, first)


class _Reader:
    """Read one block's tokens into words; tracing, also walk the source to place them."""

    def __init__(
        self, inline: Token, source: Sequence[str], first: int, start: int, trace: bool = True
    ) -> None:
        self.inline = inline
        self.source = source
        self.first = first
        self.trace = trace
        # Each line of the block's words, to find where a line starts: only a walk needs them.
        self.rows = inline.content.split("\n") if trace else []
        self.top = (inline.map or [0])[0]
        self.line = self.top
        self.raw = start
        self.parts: list[str] = []
        self.size = 0
        self.pieces: list[Piece] = []
        self.spans: list[Span] = []
        self.open_spans: list[tuple[Span, int] | None] = []
        self.cited = False
        self.in_autolink = False

    @property
    def text(self) -> str:
        """Return the source line being read."""
        return self.source[self.line] if self.line < len(self.source) else ""

    def read(self) -> None:
        """Read every token of the block."""
        for child in self.inline.children or []:
            self.step(child)

    def add(self, words: str) -> None:
        """Append words to the block's text."""
        if not self.trace:
            self.parts.append(words)
        self.size += len(words)

    def skip(self, needle: str) -> None:
        """Move past the next needle of the source line, if tracing."""
        if self.trace:
            self.raw = _past(self.text, self.raw, needle)

    def step(self, token: Token) -> None:
        """Read one inline token: add its words, and move past what it is written as."""
        kind = token.type
        if kind == "text":
            self._text(token.content)
        elif kind in ("softbreak", "hardbreak"):
            self._next_line()
        elif kind in _EMPHASIS:
            self.skip(token.markup)
        elif kind == "code_inline":
            self.add(OBJECT)
            self.skip(token.markup)
            self._past_code(token.markup)
        elif kind == "citation":
            self.add(OBJECT)
            self.cited = True
            self._past_lines(token.content, token.content.count("\n"))
        elif kind == "footnote_ref":
            self.skip(f"[^{token.meta.get('label', '')}]")
        elif kind == "image":
            self.add(OBJECT)
            self._past_image(token.content.count("\n"))
        else:
            self._bracket(token)

    def _past_lines(self, written: str, breaks: int) -> None:
        """Move past something written over breaks line breaks that no token marks."""
        if breaks and self.trace:
            self._down(breaks)
            written = written.rsplit("\n", 1)[-1]
        self.skip(written)

    def _past_code(self, markup: str) -> None:
        """Move past the backticks that close code, which may stand a line or two further on."""
        closing = partial(_end_of, needle=markup)
        self._across(closing, closing)

    def _past_image(self, breaks: int) -> None:
        """Move past an image, whose alt text may run over line breaks no token marks."""
        if not self.trace:
            return
        if breaks:
            self._down(breaks)
            self._across(_image_tail, _after_paren)
        else:
            self._across(_image_end, _after_paren)

    def _across(self, first: Callable[[str, int], int], rest: Callable[[str, int], int]) -> None:
        """Move past what first finds on this line, or rest on the next lines of the block.

        Code, and a link's or an image's address and title, may run over a line break that
        no token marks; a few lines are looked at, then the place is kept as it was.
        """
        if not self.trace:
            return
        line, raw = self.line, self.raw
        finder = first
        for _ in range(_LINES_AHEAD):
            end = finder(self.text, self.raw)
            if end >= 0:
                self.raw = end
                return
            if self.line + 1 - self.top >= len(self.rows):
                break
            self._down(1)
            finder = rest
        self.line, self.raw = line, raw

    def _down(self, lines: int) -> None:
        """Move lines down the block (up, if negative), to the start of that line's words."""
        self.line = min(max(self.line + lines, self.top), self.top + len(self.rows) - 1)
        self.raw = _line_start(self.rows[self.line - self.top], self.text)

    def _bracket(self, token: Token) -> None:
        """Read the opening or closing of a link or a span."""
        kind = token.type
        autolink = token.markup == "autolink"
        if kind == "link_open":
            self.in_autolink = autolink
            self.skip("<" if autolink else "[")
        elif kind == "link_close":
            if autolink:
                self.skip(">")
            else:
                self._across(_link_end, _after_paren)
            self.in_autolink = False
        elif kind == "span_open":
            self.skip("[")
            marked = Span(self.size, self.size, self.first + self.line, self.raw)
            self.open_spans.append((marked, len(self.parts)) if is_allowance(token) else None)
        elif kind == "span_close":
            closed = self.open_spans.pop() if self.open_spans else None
            if closed is not None:
                span, part = closed
                span.end, span.words = self.size, "".join(self.parts[part:])
                self.spans.append(span)
            self.skip("]")
            self.skip("}")

    def _text(self, content: str) -> None:
        """Add a text token's words, or stand in for an address written as a link."""
        if self.in_autolink:
            self.add(OBJECT)
            self.skip(content)
            return
        if self.trace:
            self.pieces.append(Piece(self.size, content, self.line, self.raw))
            self.raw, _ = align(content, self.text, self.raw, ())
        self.add(content)

    def _next_line(self) -> None:
        """Move to the start of the block's next line."""
        self.add("\n")
        self.line += 1
        if self.trace:
            row = self.line - self.top
            self.raw = _line_start(self.rows[row] if row < len(self.rows) else "", self.text)


def _first_start(row: str, kind: str, line: str, cursor: int) -> tuple[int, int]:
    """Return where a block's first line of words starts in its source line, and ends."""
    words = row.strip()
    if not words:
        return cursor, cursor
    if kind == "heading":
        hashes = len(line) - len(line.lstrip(" #"))
        found = line.find(words, max(cursor, hashes))
    elif kind == "cell":
        found = line.find(words, cursor)
        if found < 0:  # a cell's escaped pipe is a plain one in its words
            words = words.replace("|", "\\|")
            found = line.find(words, cursor)
    else:
        found = max(_line_start(row, line), cursor)
    return (found, found + len(words)) if found >= 0 else (cursor, cursor)


def _line_start(row: str, line: str) -> int:
    """Return where a line of a block's words starts: after any markers (> , - , [^1]: )."""
    words = row.strip()
    kept = line.rstrip()
    if words and kept.endswith(words):
        return len(kept) - len(words)
    found = line.find(words) if words else -1
    return max(found, 0)


def _past(line: str, raw: int, needle: str) -> int:
    """Return the place just past the next needle, or raw if the line holds none."""
    found = line.find(needle, raw) if needle else -1
    return found + len(needle) if found >= 0 else raw


def _end_of(line: str, raw: int, needle: str) -> int:
    """Return the place just past the next needle, or -1 if the line holds none."""
    found = line.find(needle, raw)
    return found + len(needle) if found >= 0 else -1


def _after_paren(line: str, raw: int) -> int:
    """Return the place past the next closing bracket: an address or title's end."""
    return _end_of(line, raw, ")")


def _link_end(line: str, raw: int) -> int:
    """Return the place past a link's end: ``](address "title")``, ``][ref]`` or ``]``."""
    close = line.find("]", raw)
    if close < 0:
        return -1
    after = line[close + 1 : close + 2]
    if after == "(":
        return _brackets_end(line, close + 1, "(", ")")
    if after == "[":
        return _end_of(line, close + 2, "]")
    return close + 1


def _image_end(line: str, raw: int) -> int:
    """Return the place past an image: ``![alt](file "title"){attributes}``."""
    start = line.find("![", raw)
    alt = _brackets_end(line, start + 1, "[", "]") if start >= 0 else -1
    return _image_tail(line, alt - 1) if alt >= 0 else -1


def _image_tail(line: str, raw: int) -> int:
    """Return the place past an image's ``](file "title"){attributes}``, from its ``]``."""
    close = line.find("](", raw)
    if close < 0:
        return -1
    end = _brackets_end(line, close + 1, "(", ")")
    if end >= 0 and line[end : end + 1] == "{":
        end = _past(line, end, "}")
    return end


def _brackets_end(line: str, start: int, opening: str, closing: str) -> int:
    """Return the place past the bracket that closes the one at start, escapes skipped."""
    depth = 0
    index = start
    while index < len(line):
        char = line[index]
        if char == "\\":
            index += 2
            continue
        depth += (char == opening) - (char == closing)
        index += 1
        if depth == 0:
            return index
    return -1


def align(content: str, line: str, raw: int, wanted: Sequence[int]) -> tuple[int, list[int]]:
    """Match a text token to the source from raw; return where it ends and where wanted are.

    wanted are offsets into content, in order. A run of plain characters is matched whole
    where the source has it as it is; the rest one character at a time, allowing for what the
    parser made of the source: escapes, entities, typographic quotes, dashes and dots, and
    French spaces.
    """
    if line.startswith(content, raw):
        return raw + len(content), [raw + offset for offset in wanted]
    places: list[int] = []
    want = iter(wanted)
    target = next(want, None)
    index = 0
    for segment in _SEGMENT.finditer(content):
        start, stop = segment.span()
        if index >= stop:
            continue  # read already, with an entity that stood for several characters
        if start == index and stop - start > 1 and line.startswith(segment.group(), raw):
            while target is not None and target < stop:
                places.append(raw + target - index)
                target = next(want, None)
            raw += stop - index
            index = stop
            continue
        while index < stop:
            following, raw_next, at = _step(content, index, line, raw)
            while target is not None and target < following:
                places.append(at)
                target = next(want, None)
            index, raw = following, raw_next
    while target is not None:
        places.append(raw)
        target = next(want, None)
    return raw, places


def _step(content: str, index: int, line: str, raw: int) -> tuple[int, int, int]:
    """Match content[index] to the source at raw.

    Return the next index, the next place in the source, and where the character is written.
    """
    char = content[index]
    here = line[raw : raw + 1]
    if here == char:
        return index + 1, raw + 1, raw
    if here == "\\" and line[raw + 1 : raw + 2] == char:
        return index + 1, raw + 2, raw + 1
    if here == "&":
        entity = _ENTITY.match(line, raw)
        decoded = html.unescape(entity.group()) if entity else ""
        if entity and decoded and content.startswith(decoded, index):
            return index + len(decoded), entity.end(), raw
    if char in _QUOTES and here in ('"', "'"):
        return index + 1, raw + 1, raw
    if char in "\u00a0\u202f":  # French spacing: a typed space, or none beside a guillemet
        end = raw
        while line[end : end + 1] == " ":
            end += 1
        return index + 1, end, raw
    return index + 1, _replaced(char, line, raw), raw


def _replaced(char: str, line: str, raw: int) -> int:
    """Return the place past what typography turned into char, or past the char found near."""
    if char == "…":
        end = raw
        while line[end : end + 1] == ".":
            end += 1
        if end > raw:
            return end
    for written in _REPLACED.get(char, ()):
        if line.startswith(written, raw):
            return raw + len(written)
    found = line.find(char, raw, raw + _WINDOW)
    return found + 1 if found >= 0 else raw
