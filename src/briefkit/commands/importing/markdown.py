"""Turn the simple HTML an importer hands on into blocks of brief Markdown.

Every text is data: each character Markdown or briefkit would read as syntax (emphasis,
links, citations, attribute blocks, a list marker at a line's start) is escaped, so the
brief says exactly what the material said. Only top-level headings stay headings; nesting
deeper than a brief may hold is flattened to text, read without recursion.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, urljoin

import lxml.html  # type: ignore[import-untyped]
from lxml.etree import _Element  # type: ignore[import-untyped]

from briefkit.commands.importing.clean import Cleaner
from briefkit.commands.importing.shapes import (
    cell,
    collapse,
    indented,
    list_start,
    note,
    one_line,
    prefixed,
    rows,
    table_row,
    tag_of,
)
from briefkit.sources.validate import link_allowed

HEADINGS = {f"h{level}": level for level in range(1, 7)}
_BLOCKS = {
    *HEADINGS,
    *("p", "ul", "ol", "li", "blockquote", "table", "figure", "div", "section", "article"),
    *("main", "header", "footer", "aside", "pre", "hr", "dl", "dt", "dd", "body", "figcaption"),
}
_SKIPPED = {"script", "style", "template", "noscript", "head", "title", "hr", "nav", "form"}
_EMPHASIS = {"em": "*", "i": "*", "cite": "*", "dfn": "*", "strong": "**", "b": "**"}
# Quotes and lists inside one another, and emphasis inside emphasis, deeper than this are
# read as plain text: a brief allows 8 and 32 (sources/limits.py).
MOST_BLOCK_DEPTH = 6
MOST_INLINE_DEPTH = 16
# Characters Markdown, the citation rules or an attribute block would read as syntax.
_SYNTAX = re.compile(r"([\\`*_\[\]<{}~#])")
_AT = re.compile(r"(?<![\w@])@")
_ENTITY = re.compile(r"&(?=#?\w+;)")
# At a line's start: a heading, quote, list item, thematic break or setext underline.
_LINE_START = re.compile(r"^([ \t]*)([-+>=]|\d{1,9}(?=[.)]))", re.M)
# Spaces and hard breaks at a paragraph's ends, which would leave a stray backslash.
_EDGE_BREAKS = re.compile(r"^(?:\s|\\\n)+|(?:\s|\\\n)+$")
_URL_SAFE = ":/?#[]@!$&'*+,;=%~-._"


@dataclass
class Block:
    """One block of a brief: its Markdown, and its plain text for headings and kinds."""

    markdown: str
    kind: str  # heading, paragraph, figure, table, list, quote
    text: str = ""
    level: int = 0
    caption: str = ""
    # A paragraph the material marks as a caption, which a figure before it may take.
    is_caption: bool = False


@dataclass
class Converted:
    """The blocks of a body, its notes' definitions, and what could not be kept."""

    blocks: list[Block]
    notes: list[str]
    used: set[str] = field(default_factory=set)
    dropped: list[str] = field(default_factory=list)


@dataclass
class Converter:
    """Convert one body: pictures by src name to their path in the brief, notes by name."""

    cleaner: Cleaner
    pictures: Mapping[str, str]
    notes: Mapping[str, str]
    base_url: str | None = None
    calls: dict[str, int] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    dropped: list[str] = field(default_factory=list)
    in_note: bool = False

    def convert(self, html: str) -> Converted:
        """Return the blocks of an HTML fragment, and the notes it calls, numbered."""
        blocks = self.container(fragment(html), depth=0, top=True)
        definitions: list[str] = []
        self.in_note = True  # a note may not call another
        for name, number in list(self.calls.items()):
            inner = self.container(fragment(self.notes[name]), depth=1, top=False)
            definitions.append(note(number, [b.markdown for b in inner]))
        return Converted(blocks, definitions, self.used, self.dropped)

    def container(self, element: _Element, depth: int, top: bool) -> list[Block]:
        """Return the blocks of an element's children, loose inline content as paragraphs."""
        blocks: list[Block] = []
        run: list[str] = [self.text(element.text)]
        for child in element:
            tag = tag_of(child)
            if tag in _BLOCKS or tag in _SKIPPED or (tag == "img" and _alone(child)):
                _paragraph(run, blocks)
                run = []
                if tag not in _SKIPPED:
                    blocks.extend(self.block(child, tag, depth, top))
            else:
                run.append(self.inline_element(child, 0))
            run.append(self.text(child.tail))
        _paragraph(run, blocks)
        return _deduplicated(blocks)

    def block(self, element: _Element, tag: str, depth: int, top: bool) -> list[Block]:
        """Return the blocks one block-level element makes."""
        if tag in HEADINGS:
            return [self.heading(element, HEADINGS[tag], top)]
        if tag in ("figure", "img"):
            return self.figure(element)
        if tag == "table":
            return self.table(element)
        if depth >= MOST_BLOCK_DEPTH:
            return _plain_paragraph(element, self.cleaner)
        if tag in ("ul", "ol"):
            return self.listing(element, tag == "ol", depth)
        if tag == "blockquote":
            inner = self.container(element, depth + 1, False)
            return [Block(prefixed([b.markdown for b in inner], "> "), "quote")] if inner else []
        if tag == "p" and _only_image(element):
            return self.figure(element)
        if tag in ("p", "dt", "dd", "figcaption", "pre"):
            blocks: list[Block] = []
            _paragraph([self.inline_content(element, 0)], blocks, _classes(element))
            return blocks
        return self.container(element, depth + 1, top)

    def heading(self, element: _Element, level: int, top: bool) -> Block:
        """Return a heading; one below the top level of the body is a bold paragraph."""
        text = one_line(self.inline_content(element, 0))
        plain = one_line(self.cleaner.text(element.text_content()))
        if not top:
            return Block(f"**{text}**" if text else "", "paragraph", plain)
        return Block(text, "heading", plain, level)

    def figure(self, element: _Element) -> list[Block]:
        """Return a figure (an image alone, with its caption), or its caption if not kept."""
        image = element if tag_of(element) == "img" else next(element.iter("img"), None)
        captions = list(element.iter("figcaption")) if tag_of(element) == "figure" else []
        caption = one_line(self.inline_content(captions[0], 0)) if captions else ""
        path = self.picture(image)
        if image is None or path is None:
            return [Block(caption, "paragraph", caption)] if caption else []
        alt = self.cleaner.text(collapse(image.get("alt") or ""))
        # The caption is read aloud where the alt text is missing, as it says what is shown.
        alt = alt or _plain(caption)
        markdown = f"![{escape(alt)}]({path}{_title(caption)})"
        return [Block(markdown, "figure", alt, caption=caption)]

    def picture(self, image: _Element | None) -> str | None:
        """Return the brief's path of an image the material holds, or None, noting why."""
        if image is None:
            return None
        # The reader has said why an image it was shown is not among the pictures.
        src = image.get("src") or ""
        path = self.pictures.get(src)
        if path is not None:
            self.used.add(src)
        return path

    def table(self, element: _Element) -> list[Block]:
        """Return a GFM table; its first row is the header."""
        cells = [
            [cell(self.inline_content(one, 0)) for one in row if tag_of(one) in ("th", "td")]
            for row in rows(element)
        ]
        kept = [row for row in cells if any(row)]
        if not kept:
            return []
        width = max(len(row) for row in kept)
        lines = [table_row(row + [""] * (width - len(row))) for row in kept]
        lines.insert(1, table_row(["---"] * width))
        captions = [c for c in element if tag_of(c) == "caption"]
        before = _plain_paragraph(captions[0], self.cleaner) if captions else []
        return [*before, Block("\n".join(lines), "table", " ".join(" ".join(r) for r in kept))]

    def listing(self, element: _Element, ordered: bool, depth: int) -> list[Block]:
        """Return a list, its items' blocks indented under their markers."""
        items: list[str] = []
        number = list_start(element)
        for item in element:
            if tag_of(item) != "li":
                continue
            inner = self.container(item, depth + 1, False)
            if not inner:
                continue
            marker = f"{number}." if ordered else "-"
            items.append(indented(marker, "\n\n".join(b.markdown for b in inner)))
            number += 1
        return [Block("\n".join(items), "list")] if items else []

    def inline_content(self, element: _Element, depth: int) -> str:
        """Return an element's content as inline Markdown: its text, children and their tails."""
        if depth >= MOST_INLINE_DEPTH:
            return self.text(element.text_content())
        parts = [self.text(element.text)]
        for child in element:
            parts.append(self.inline_element(child, depth + 1))
            parts.append(self.text(child.tail))
        return "".join(parts)

    def inline_element(self, element: _Element, depth: int) -> str:
        """Return one inline element as Markdown, without its tail."""
        tag = tag_of(element)
        if tag in _SKIPPED or tag == "":
            return ""
        if tag == "br":
            return "\\\n"
        if tag == "img":
            return self.inline_image(element)
        inner = self.inline_content(element, depth)
        if tag == "a":
            return self.link(element, inner)
        if tag in _EMPHASIS:
            return _emphasised(inner, _EMPHASIS[tag])
        if tag in _BLOCKS:
            return f" {inner} "
        return inner

    def inline_image(self, element: _Element) -> str:
        """Return an image inside text, or nothing if the material does not hold it."""
        path = self.picture(element)
        alt = self.cleaner.text(collapse(element.get("alt") or ""))
        return f"![{escape(alt)}]({path})" if path else ""

    def link(self, element: _Element, inner: str) -> str:
        """Return a footnote call, a link briefkit allows, or the link's text alone."""
        href = (element.get("href") or "").strip()
        name = href[1:] if href.startswith("#") else ""
        if "note" in _classes(element) and name in self.notes:
            if self.in_note:
                return ""
            number = self.calls.setdefault(name, len(self.calls) + 1)
            return f"[^{number}]"
        target = urljoin(self.base_url, href) if self.base_url and href else href
        if not target or target.startswith("#") or not link_allowed(target):
            if href and not href.startswith("#"):
                self.dropped.append(f"link to '{href[:80]}' (kept its text)")
            return inner
        return f"[{inner.strip() or escape(target)}]({quote(target, safe=_URL_SAFE)})"

    def text(self, value: str | None) -> str:
        """Return a text node cleaned, its spaces collapsed and its syntax escaped."""
        return escape(self.cleaner.text(collapse(value))) if value else ""


def fragment(html: str) -> _Element:
    """Parse an HTML fragment into one element holding it."""
    return lxml.html.fragment_fromstring(html or "<p></p>", create_parent="div")


def escape(text: str) -> str:
    """Escape what Markdown and briefkit would read as syntax in text."""
    escaped = _SYNTAX.sub(r"\\\1", text)
    return _ENTITY.sub(r"\\&", _AT.sub(r"\\@", escaped))


def _classes(element: _Element) -> set[str]:
    """Return an element's classes."""
    return set((element.get("class") or "").split())


def _plain(markdown: str) -> str:
    """Return escaped inline Markdown's text, escapes and emphasis marks taken out."""
    return re.sub(r"\\(.)", r"\1", markdown.replace("*", "")).strip()


def _title(caption: str) -> str:
    """Return an image's title part, its caption in quotes, or nothing."""
    if not caption:
        return ""
    return ' "' + caption.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _alone(image: _Element) -> bool:
    """Tell whether an image stands alone among block content: no text around it."""
    return not (image.tail or "").strip()


def _only_image(element: _Element) -> bool:
    """Tell whether a paragraph holds one image and nothing else."""
    children = [child for child in element if tag_of(child)]
    text = (element.text or "") + "".join(child.tail or "" for child in element)
    return len(children) == 1 and tag_of(children[0]) == "img" and not text.strip()


def _emphasised(inner: str, mark: str) -> str:
    """Wrap text in emphasis marks, keeping its outer spaces outside them."""
    core = inner.strip()
    if not core:
        return inner
    lead = inner[: len(inner) - len(inner.lstrip())]
    trail = inner[len(inner.rstrip()) :]
    return f"{lead}{mark}{core}{mark}{trail}"


def _paragraph(run: list[str], blocks: list[Block], classes: set[str] | None = None) -> None:
    """Add loose inline content as a paragraph, its line starts made safe, if it has text."""
    text = _EDGE_BREAKS.sub("", "".join(run))
    if not text:
        return
    lines = [line.strip() for line in text.split("\n")]
    markdown = _LINE_START.sub(r"\1\\\2", "\n".join(lines))
    is_caption = bool(classes and "caption" in classes)
    blocks.append(Block(markdown, "paragraph", _plain(markdown), is_caption=is_caption))


def _plain_paragraph(element: _Element, cleaner: Cleaner) -> list[Block]:
    """Return an element's text alone, as one paragraph: nesting too deep to keep."""
    blocks: list[Block] = []
    _paragraph([escape(cleaner.text(collapse(element.text_content())))], blocks)
    return blocks


def _deduplicated(blocks: list[Block]) -> list[Block]:
    """Drop a paragraph that repeats the one before it, or the caption of the figure before.

    A page's caption is often printed twice, under the image and again as text; a paragraph
    marked as a caption, or repeating the alt text, right after a figure without a caption
    becomes its caption.
    """
    kept: list[Block] = []
    for block in blocks:
        before = kept[-1] if kept else None
        if before is not None and block.kind == "paragraph":
            if block.markdown == before.markdown or block.text == _plain(before.caption):
                continue
            # Under a figure without a caption: one the material marks so, or its alt text again.
            if (
                before.kind == "figure"
                and not before.caption
                and (block.is_caption or block.text == before.text)
            ):
                kept[-1] = _captioned(before, block.markdown)
                continue
        kept.append(block)
    return kept


def _captioned(figure: Block, caption: str) -> Block:
    """Return a figure given a caption."""
    markdown = figure.markdown[:-1] + _title(one_line(caption)) + ")"
    return Block(markdown, "figure", figure.text, caption=caption)
