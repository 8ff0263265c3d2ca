"""Render a section's tokens as plain text, for the text body of a message.

The tokens are the ones every output renders (the source is never parsed again). Citations come
out in the HTML body's words, ``[1, p. 4; 2]``, and footnote calls as superscript numbers whose
notes follow their section, numbered in the same order as the HTML body's: both bodies take
those words and numbers from ``rendering/markup/references.py``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field

from markdown_it.token import Token

from briefkit.rendering.markup.references import NoteNumbers, citation_text, note_mark

WIDTH = 72


@dataclass
class TextNote:
    """A footnote as plain text: its number, its call mark and its text."""

    number: int
    mark: str
    text: str


@dataclass
class TextContext:
    """What section text needs from the rest of the brief: source numbers and footnotes."""

    citation_numbers: dict[str, int]
    footnotes: dict[int, list[Token]]
    source_names: dict[str, str] = field(default_factory=dict)
    note_numbers: NoteNumbers = field(default_factory=NoteNumbers)
    notes: list[TextNote] = field(default_factory=list)


def section_text(tokens: Sequence[Token], context: TextContext) -> tuple[str, list[TextNote]]:
    """Return a section's body as wrapped plain text, and the notes it calls, in number order."""
    before = len(context.notes)
    text = "\n\n".join(TextRenderer(context).blocks(list(tokens), WIDTH))
    notes = sorted(context.notes[before:], key=lambda note: note.number)
    return text, notes


class TextRenderer:
    """Turn block and inline tokens into plain text."""

    def __init__(self, context: TextContext) -> None:
        self.context = context

    def blocks(self, tokens: list[Token], width: int) -> list[str]:
        """Return the text of each top-level block of tokens."""
        out: list[str] = []
        index = 0
        while index < len(tokens):
            end = _close(tokens, index)
            text = self.block(tokens[index], tokens[index + 1 : end], width)
            if text:
                out.append(text)
            index = end + 1
        return out

    def block(self, token: Token, inner: list[Token], width: int) -> str:
        """Return the text of one block: its opening token and what it holds."""
        kind = token.type
        if kind in ("paragraph_open", "heading_open"):
            return wrap(self.inline_of(inner), width)
        if kind in ("bullet_list_open", "ordered_list_open"):
            return self.list_items(token, inner, width)
        if kind == "blockquote_open":
            quoted = "\n\n".join(self.blocks(inner, width - 2))
            return "\n".join(f"> {line}".rstrip() for line in quoted.splitlines())
        if kind in ("fence", "code_block"):
            return "\n".join(f"    {line}" for line in token.content.rstrip("\n").splitlines())
        if kind == "hr":
            return "* * *"
        if kind == "table_open":
            return self.table(inner)
        if kind == "figure":
            return self.figure(token, width)
        return wrap(self.inline_of(inner), width)

    def list_items(self, token: Token, inner: list[Token], width: int) -> str:
        """Return a list: each item marked, its following lines indented under its text."""
        number = int(str(token.attrs.get("start", 1) or 1))
        items: list[str] = []
        index = 0
        while index < len(inner):
            end = _close(inner, index)
            if inner[index].type == "list_item_open":
                mark = f"{number}. " if token.type == "ordered_list_open" else "- "
                number += 1
                body = "\n".join(self.blocks(inner[index + 1 : end], width - len(mark)))
                lines = body.splitlines() or [""]
                pad = " " * len(mark)
                items.append("\n".join([mark + lines[0], *(pad + line for line in lines[1:])]))
            index = end + 1
        return "\n".join(items)

    def table(self, inner: list[Token]) -> str:
        """Return a table as one line a row, cells separated by bars."""
        rows: list[list[str]] = []
        for token in inner:
            if token.type == "tr_open":
                rows.append([])
            elif token.type == "inline" and rows:
                rows[-1].append(self.inline(token))
        return "\n".join(" | ".join(row) for row in rows)

    def figure(self, token: Token, width: int) -> str:
        """Return a figure as its description in brackets, then its caption and credit."""
        image = (token.children or [])[0]
        lines = [wrap(f"[{self.inline_of(image.children or [])}]", width)]
        caption = str(image.attrs.get("title", "") or "")
        credit = str(image.attrs.get("credit", "") or "")
        below = " ".join([caption, f"({credit})" if credit else ""]).strip()
        if below:
            lines.append(wrap(below, width))
        return "\n".join(lines)

    def inline_of(self, tokens: list[Token]) -> str:
        """Return the text of tokens, with each link's address after its text."""
        parts: list[str] = []
        links: list[tuple[str, int]] = []
        for token in tokens:
            if token.type == "inline":
                parts.append(self.inline(token))
            elif token.type == "link_open":
                links.append((str(token.attrs.get("href", "")), len(parts)))
            elif token.type == "link_close" and links:
                href, start = links.pop()
                parts.append(link_target(href, "".join(parts[start:])))
            else:
                parts.append(self.child(token))
        return "".join(parts)

    def inline(self, token: Token) -> str:
        """Return the text of one inline token's children."""
        return self.inline_of(token.children or [])

    def child(self, token: Token) -> str:
        """Return the text of one inline child: text, a break, a citation or a note call."""
        kind = token.type
        if kind in ("text", "code_inline"):
            return token.content
        if kind == "softbreak":
            return " "
        if kind == "hardbreak":
            return "\n"
        if kind == "image":
            return f"[{self.inline_of(token.children or [])}]"
        if kind == "citation":
            return self.citation(token)
        if kind == "footnote_ref":
            return self.note_call(token)
        return ""

    def citation(self, token: Token) -> str:
        """Return ``[1; see 2, p. 4]``, or ``The ministry [1]`` for a narrative citation."""
        context = self.context
        return citation_text(token.meta, context.citation_numbers, context.source_names).plain

    def note_call(self, token: Token) -> str:
        """Return a note's call mark, rendering the note on its first call."""
        note_id = int(token.meta["id"])
        number, first = self.context.note_numbers.call(note_id)
        if first:
            body = self.context.footnotes.get(note_id, [])
            text = "\n\n".join(self.blocks(body, WIDTH - 4))
            self.context.notes.append(TextNote(number, note_mark(number), text))
        return note_mark(number)


def link_target(href: str, text: str) -> str:
    """Return what follows a link's text: its address, unless the text already shows it."""
    shown = href.removeprefix("mailto:")
    if href.startswith("#") or not shown or shown in text:
        return ""
    return f" <{shown}>"


def wrap(text: str, width: int) -> str:
    """Wrap each line of text to width without breaking words, addresses or hyphenated words."""
    return "\n".join(
        textwrap.fill(line, width, break_long_words=False, break_on_hyphens=False)
        for line in text.split("\n")
    )


def _close(tokens: Sequence[Token], index: int) -> int:
    """Return the index of the token that closes the block opened at index (itself if single)."""
    if tokens[index].nesting != 1:
        return index
    depth = 0
    for position in range(index, len(tokens)):
        depth += tokens[position].nesting
        if depth == 0:
            return position
    return len(tokens) - 1
