"""The shapes of Markdown an import writes: tables, lists, quotes and notes, each on its lines.

Pure functions of text (and of a table's elements), kept apart from the converter that
decides which shape each part of the material takes.
"""

from __future__ import annotations

import re

from lxml.etree import _Element  # type: ignore[import-untyped]

# HTML's white space; a no-break space is not white space.
_SPACES = re.compile(r"[ \t\n\r\f]+")


def tag_of(element: _Element) -> str:
    """Return an element's tag in lower case; '' for a comment or processing instruction."""
    tag = element.tag
    return tag.lower() if isinstance(tag, str) else ""


def collapse(text: str | None) -> str:
    """Collapse runs of HTML white space into one space; no-break spaces are not white space."""
    return _SPACES.sub(" ", text or "")


def one_line(text: str) -> str:
    """Return inline Markdown on one line: hard breaks become spaces."""
    return collapse(text.replace("\\\n", " ")).strip()


def rows(table: _Element) -> list[_Element]:
    """Return a table's own rows, in order, whether or not in thead, tbody or tfoot."""
    found: list[_Element] = []
    for child in table:
        tag = tag_of(child)
        if tag == "tr":
            found.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            found.extend(row for row in child if tag_of(row) == "tr")
    return found


def cell(markdown: str) -> str:
    """Return a table cell's Markdown on one line, its bars escaped."""
    return one_line(markdown).replace("|", "\\|")


def table_row(cells: list[str]) -> str:
    """Return one row of a GFM table."""
    return "| " + " | ".join(cells) + " |"


def list_start(element: _Element) -> int:
    """Return the number an ordered list starts from."""
    start = element.get("start") or "1"
    return int(start) if start.isdigit() and len(start) < 9 else 1


def indented(marker: str, markdown: str) -> str:
    """Return a list item: its marker, then its content indented to line up under it."""
    pad = " " * (len(marker) + 1)
    first, *rest = markdown.split("\n")
    return "\n".join([f"{marker} {first}", *(f"{pad}{line}" if line else "" for line in rest)])


def prefixed(parts: list[str], prefix: str) -> str:
    """Return blocks' Markdown joined, every line of it prefixed (a block quote's '> ')."""
    lines = "\n\n".join(parts).split("\n")
    return "\n".join(f"{prefix}{line}".rstrip() for line in lines)


def note(number: int, parts: list[str]) -> str:
    """Return a footnote's definition: its first block on the label's line, the rest indented."""
    lines = "\n\n".join(parts or ["(empty note)"]).split("\n")
    rest = [f"    {line}" if line else "" for line in lines[1:]]
    return "\n".join([f"[^{number}]: {lines[0]}", *rest])
