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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

from markdown_it.token import Token

from briefkit.sources.opinion.columns import (
    after_paren,
    align,
    end_of,
    first_start,
    image_end,
    image_tail,
    line_start,
    link_end,
    past,
)

# Stands for what is not prose (code, a citation, an image) so that no phrase runs across it.
OBJECT = "\ufffc"
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
    start, end = first_start(row, kind, source[top], cursors.get(top, 0))
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
            self.raw = past(self.text, self.raw, needle)

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
        closing = partial(end_of, needle=markup)
        self._across(closing, closing)

    def _past_image(self, breaks: int) -> None:
        """Move past an image, whose alt text may run over line breaks no token marks."""
        if not self.trace:
            return
        if breaks:
            self._down(breaks)
            self._across(image_tail, after_paren)
        else:
            self._across(image_end, after_paren)

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
        self.raw = line_start(self.rows[self.line - self.top], self.text)

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
                self._across(link_end, after_paren)
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
            self.raw = line_start(self.rows[row] if row < len(self.rows) else "", self.text)
