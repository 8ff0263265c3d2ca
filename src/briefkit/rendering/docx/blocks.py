"""Turn a section's parsed Markdown into pandoc's AST: one walk, no second parser.

The walk keeps a stack of open elements (a list, a quote, a link, emphasis) and closes each as
markdown-it's tokens say, so it never recurses as deep as a source nests. A note's body is
walked once more from its call, as Word wants the note's text at the call; notes never call
notes (the checks refuse it), so that is as deep as it goes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from markdown_it.token import Token

from briefkit.errors import BriefkitError
from briefkit.model.brief import CheckedImage
from briefkit.model.figure_width import FigureWidth
from briefkit.rendering.docx import nodes
from briefkit.rendering.docx.nodes import Node
from briefkit.rendering.fetcher import FetchRefused
from briefkit.rendering.fragments import css_length, is_wide
from briefkit.rendering.markup.references import citation_text
from briefkit.rendering.view import source_anchor
from briefkit.sources.images import image_path
from briefkit.sources.markup.markdown import plain_text
from briefkit.sources.validate import link_allowed
from briefkit.text.languages import Language, language_for

# Marks a source's number inside a citation's words; a source can hold no control character.
_NUMBER = "\x00"
# markdown-it's containers: the opening token's type, less "_open", names the element.
_CONTAINERS = frozenset(
    {"paragraph", "heading", "bullet_list", "ordered_list", "list_item", "blockquote"}
    | {"table", "thead", "tbody", "tr", "th", "td"}
    | {"em", "strong", "s", "link", "span"}
)


@dataclass
class Sources:
    """What a citation needs: each source's number and the name running text gives it."""

    numbers: dict[str, int]
    names: dict[str, str]


@dataclass
class Walker:
    """Walk one brief's tokens into pandoc's blocks and inlines; figures are numbered in order."""

    sources: Sources
    folder: Path
    images: dict[Path, CheckedImage]
    footnotes: dict[int, list[Token]]
    language: Language
    data_uri: Callable[[Path], str]
    figures: int = 0
    _in_note: bool = field(default=False, repr=False)

    def blocks(self, tokens: Sequence[Token]) -> list[Node]:
        """Return the blocks that a run of block tokens makes."""
        return _walk(tokens, lambda opened, children: [self._block(opened, children)], self._leaf)

    def _leaf(self, tokens: Sequence[Token], index: int) -> list[Any]:
        """Return what a block token that holds no blocks makes: an inline token its inlines."""
        token = tokens[index]
        if token.type == "inline":
            return self.inlines(token.children or [])
        return self._leaf_block(token)

    def _block(self, opened: Token, children: list[Any]) -> Any:
        """Return the element a closed container makes of its children."""
        kind = opened.type.removesuffix("_open")
        if kind == "paragraph":
            return nodes.plain(children) if opened.hidden else nodes.para(children)
        if kind == "heading":
            return nodes.header(int(opened.tag[1:]), children)
        if kind == "bullet_list":
            return nodes.bullets(children)
        if kind == "ordered_list":
            return nodes.numbered(children, int(opened.attrs.get("start", 1) or 1))
        if kind == "list_item" or kind == "thead" or kind == "tbody" or kind == "tr":
            return children
        if kind == "blockquote":
            return nodes.node("BlockQuote", children)
        if kind in ("th", "td"):
            return nodes.cell([nodes.plain(children)], _alignment(opened))
        return _table(children)

    def _leaf_block(self, token: Token) -> list[Node]:
        """Return what a block token that holds no others makes."""
        if token.type in ("code_block", "fence"):
            return [nodes.node("CodeBlock", [nodes.attr(), token.content.rstrip("\n")])]
        if token.type == "hr":
            return [nodes.node("HorizontalRule")]
        if token.type == "figure":
            return [self._figure((token.children or [])[0])]
        # Raw HTML is off in the parser; anything else a block holds is its text, as text.
        return [nodes.para(nodes.text(token.content))] if token.content else []

    def inlines(self, tokens: Sequence[Token]) -> list[Node]:
        """Return the inlines that an inline token's children make."""
        return _walk(tokens, self._inline, self._leaf_inline)

    def _inline(self, opened: Token, children: list[Node]) -> list[Node]:
        """Return the element a closed inline container makes of its children."""
        kind = opened.type.removesuffix("_open")
        if kind == "em":
            return [nodes.node("Emph", children)]
        if kind == "strong":
            return [nodes.strong(children)]
        if kind == "s":
            return [nodes.node("Strikeout", children)]
        if kind == "link":
            return [nodes.link(children, _allowed_link(opened))]
        return [self._language_span(str(opened.attrs.get("lang", "")), children)]

    def _language_span(self, tag: str, children: list[Node]) -> Node:
        """Return text marked as in another language, right to left if its script is."""
        if not tag:
            return nodes.span(children)
        if language_for(tag).direction != self.language.direction:
            return nodes.span(children, lang=tag, dir=language_for(tag).direction)
        return nodes.span(children, lang=tag)

    def _leaf_inline(self, tokens: Sequence[Token], index: int) -> list[Node]:
        """Return what an inline token that holds no others makes."""
        token = tokens[index]
        kind = token.type
        if kind == "text":
            return nodes.text(token.content)
        if kind == "softbreak":
            return [] if _between_wide(tokens, index) else [nodes.node("SoftBreak")]
        if kind == "hardbreak":
            return [nodes.node("LineBreak")]
        if kind == "code_inline":
            return [nodes.node("Code", [nodes.attr(), token.content])]
        if kind == "image":
            return [self._image(token)]
        if kind == "footnote_ref":
            return [self._note(int(token.meta["id"]))]
        if kind == "citation":
            return self._citation(token)
        return nodes.text(token.content) if token.content else []

    def _note(self, note_id: int) -> Node:
        """Return a Word footnote holding the note's text, at its call."""
        if self._in_note:
            # The checks refuse a note that calls a note; never walk one inside another.
            raise BriefkitError("a footnote calls another footnote")
        self._in_note = True
        try:
            return nodes.node("Note", self.blocks(self.footnotes.get(note_id, [])))
        finally:
            self._in_note = False

    def _citation(self, token: Token) -> list[Node]:
        """Return a citation's words, each source's number linked to its entry in Sources."""
        cited = citation_text(token.meta, self.sources.numbers, self.sources.names, _marked_number)
        out = [*nodes.text(cited.name), nodes.node("Space")] if cited.name is not None else []
        for index, piece in enumerate(cited.numbers.split(_NUMBER)):
            if index % 2:
                out.append(nodes.link(nodes.text(piece), "#" + source_anchor(int(piece))))
            elif piece:
                out.extend(nodes.text(piece))
        return out

    def _image(self, token: Token) -> Node:
        """Return an image in running text, its checked bytes inside the document."""
        checked = self._checked(token)
        width = token.meta.get("width")
        shown = css_length(width) if isinstance(width, FigureWidth) else None
        return nodes.image(plain_text(token), self.data_uri(checked.path), "", shown)

    def _figure(self, token: Token) -> Node:
        """Return a figure: its image with alt text, then 'Figure N', caption and credit."""
        self.figures += 1
        words = self.language.gettext
        label = words("Figure {number}").format(number=self.language.number(self.figures))
        caption = [nodes.strong(nodes.text(label))]
        title = str(token.attrs.get("title", "") or "")
        credit = str(token.attrs.get("credit", "") or "")
        if title:
            caption += [nodes.node("Space"), *nodes.text(title)]
        if credit:
            caption += [
                nodes.node("Space"),
                *nodes.text(words("Credit: {credit}").format(credit=credit)),
            ]
        return nodes.figure(self._image(token), caption)

    def _checked(self, token: Token) -> CheckedImage:
        """Return the checked image a token names, or refuse one the checks did not pass."""
        source = str(token.attrs.get("src", ""))
        checked = self.images.get(image_path(self.folder, unquote(source)))
        if checked is None:
            raise FetchRefused(f"refused to use image {source!r}: not checked")
        return checked


def _walk(
    tokens: Sequence[Token],
    close: Callable[[Token, list[Any]], list[Any]],
    leaf: Callable[[Sequence[Token], int], list[Any]],
) -> list[Any]:
    """Return what tokens make: each container closed by close(opening, children), with a stack.

    leaf(tokens, index) makes what a token that opens or closes nothing stands for.
    """
    stack: list[tuple[Token | None, list[Any]]] = [(None, [])]
    for index, token in enumerate(tokens):
        kind = token.type.removesuffix("_open").removesuffix("_close")
        if token.type.endswith("_open") and kind in _CONTAINERS:
            stack.append((token, []))
        elif token.type.endswith("_close") and kind in _CONTAINERS and len(stack) > 1:
            opened, children = stack.pop()
            stack[-1][1].extend(close(opened or token, children))
        else:
            stack[-1][1].extend(leaf(tokens, index))
    return stack[0][1]


def _marked_number(key: str, number: int) -> str:
    """Return a source's number between marks, to be made a link once the words are built."""
    del key
    return f"{_NUMBER}{number}{_NUMBER}"


def _allowed_link(token: Token) -> str:
    """Return a link's address if the checks allow it; refuse any other, whatever a source says."""
    href = str(token.attrs.get("href", ""))
    if not link_allowed(href):
        raise FetchRefused(f"refused to link to {href!r}")
    return href


def _between_wide(tokens: Sequence[Token], index: int) -> bool:
    """Tell whether a line break stands between two Chinese or Japanese characters."""
    before = tokens[index - 1].content[-1:] if index > 0 else ""
    after = tokens[index + 1].content[:1] if index + 1 < len(tokens) else ""
    return bool(before and after and is_wide(before) and is_wide(after))


def _alignment(cell: Token) -> str:
    """Return a table cell's alignment, as markdown-it's style attribute gives it."""
    style = str(cell.attrs.get("style", ""))
    for side, name in (("left", "AlignLeft"), ("right", "AlignRight"), ("center", "AlignCenter")):
        if style == f"text-align:{side}":
            return name
    return "AlignDefault"


def _table(parts: Iterable[Any]) -> Node:
    """Return a table from its head and body, each a list of rows of cells."""
    parts = list(parts)
    head = parts[0] if parts else []
    body = [row for part in parts[1:] for row in part]
    first = head[0] if head else (body[0] if body else [])
    aligns = [str(cell[1]["t"]) for cell in first]
    return nodes.table(head, body, aligns)
