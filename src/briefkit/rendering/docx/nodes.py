"""Pandoc's JSON AST, as plain data: the few node kinds the Word edition uses.

Every node is built here from briefkit's model, so no source text is ever parsed by pandoc:
text is always a ``Str``, never raw markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

# The version of pandoc-types that pandoc 3.x reads.
API_VERSION = (1, 23, 1)

Node = dict[str, Any]
Attr = list[Any]


def attr(ident: str = "", classes: Sequence[str] = (), **pairs: str) -> Attr:
    """Return an element's attributes: its id, classes and key-value pairs."""
    return [ident, list(classes), [[key.replace("_", "-"), value] for key, value in pairs.items()]]


def node(kind: str, content: Any = None) -> Node:
    """Return a node of a kind, with its content if it has any."""
    return {"t": kind} if content is None else {"t": kind, "c": content}


def text(words: str) -> list[Node]:
    """Return text as words and spaces, as pandoc's readers give it."""
    out: list[Node] = []
    for index, word in enumerate(words.split(" ")):
        if index:
            out.append(node("Space"))
        if word:
            out.append(node("Str", word))
    return out


def para(inlines: list[Node]) -> Node:
    """Return a paragraph."""
    return node("Para", inlines)


def plain(inlines: list[Node]) -> Node:
    """Return text that is not a paragraph of its own: a list item's, a table cell's."""
    return node("Plain", inlines)


def styled(style: str, blocks: list[Node]) -> Node:
    """Return blocks in a named paragraph style of the reference document."""
    return node("Div", [attr(custom_style=style), blocks])


def header(level: int, inlines: list[Node], ident: str = "") -> Node:
    """Return a heading of a level (2: a section's title)."""
    return node("Header", [level, attr(ident), inlines])


def span(inlines: list[Node], ident: str = "", **pairs: str) -> Node:
    """Return inlines with attributes: a language, a direction, a bookmark."""
    return node("Span", [attr(ident, **pairs), inlines])


def strong(inlines: list[Node]) -> Node:
    """Return strongly emphasised inlines."""
    return node("Strong", inlines)


def link(inlines: list[Node], target: str) -> Node:
    """Return a hyperlink."""
    return node("Link", [attr(), inlines, [target, ""]])


def bullets(items: Iterable[list[Node]]) -> Node:
    """Return a bulleted list of items, each a list of blocks."""
    return node("BulletList", list(items))


def numbered(items: Iterable[list[Node]], start: int = 1) -> Node:
    """Return a list numbered 1., 2., ... from start."""
    style = [start, node("Decimal"), node("Period")]
    return node("OrderedList", [style, list(items)])


def image(alt: str, source: str, title: str = "", width: str | None = None) -> Node:
    """Return an image: its alt text (Word's description), address and title."""
    pairs = {"width": width} if width else {}
    return node("Image", [attr(**pairs), text(alt), [source, title]])


def figure(picture: Node, caption: list[Node]) -> Node:
    """Return a figure: an image with its caption below."""
    return node("Figure", [attr(), [None, [plain(caption)]], [plain([picture])]])


Cell = list[Any]


def cell(blocks: list[Node], align: str = "AlignDefault") -> Cell:
    """Return a table cell of one row and one column."""
    return [attr(), node(align), 1, 1, blocks]


def table(head: list[list[Cell]], body: list[list[Cell]], aligns: list[str]) -> Node:
    """Return a table with its header rows (repeated on every page) and body rows."""
    columns = [[node(align), node("ColWidthDefault")] for align in aligns]
    rows = [[attr(), row] for row in head]
    body_rows = [[attr(), row] for row in body]
    return node(
        "Table",
        [attr(), [None, []], columns, [attr(), rows], [[attr(), 0, [], body_rows]], [attr(), []]],
    )


def meta_text(words: str) -> Node:
    """Return text as a metadata value."""
    return node("MetaInlines", text(words))


def document(meta: dict[str, Node], blocks: list[Node]) -> dict[str, Any]:
    """Return a whole document: pandoc's API version, metadata and blocks."""
    return {"pandoc-api-version": list(API_VERSION), "meta": meta, "blocks": blocks}
