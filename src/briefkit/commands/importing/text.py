"""Read plain text (.txt), as pasted out of a browser, or Markdown (.md), as simple HTML.

Pasted text has no markup: a paragraph is a run of lines between blank lines, and a short
line standing alone before a longer paragraph, without a sentence's final stop, is a
heading (the first such line, before any paragraph, is the title). The page furniture a
browser copies along with the text ("top of page", "Comments", "4 min read") is dropped
when it stands alone on its line. Markdown is read by the CommonMark parser, raw HTML off.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from markdown_it import MarkdownIt

from briefkit.commands.importing.clean import READING_TIME
from briefkit.commands.importing.extracted import Extracted
from briefkit.commands.importing.pictures import local_pictures
from briefkit.errors import BriefkitError
from briefkit.files import read_regular
from briefkit.sources.limits import MAX_SOURCE_BYTES

# Page furniture that a browser copies with an article's text, each alone on its line.
FURNITURE = frozenset(
    {
        "top of page",
        "bottom of page",
        "back to top",
        "skip to content",
        "skip to main content",
        "comments",
        "comment",
        "leave a comment",
        "share",
        "share this",
        "share this article",
        "advertisement",
    }
)
MOST_HEADING = 120
_SENTENCE_END = tuple('.!?:;,…"”’)')
_BLANK = re.compile(r"\n[ \t]*\n")
_SPACES = re.compile(r"[ \t\f\v]+")
_IMAGE = re.compile(r"<img\b[^>]*\bsrc=\"([^\"]*)\"")


def read_text(path: Path) -> Extracted:
    """Return the text of a .txt or .md file as simple HTML."""
    raw = read_regular(path, MAX_SOURCE_BYTES)
    try:
        text = raw.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as exc:
        raise BriefkitError(f"{path}: is not UTF-8 text (byte {exc.start:,})") from exc
    if path.suffix.lower() == ".md":
        return _markdown(path, text)
    title, body, removed = _plain(text)
    if not body:
        raise BriefkitError(f"{path}: holds no text to import")
    return Extracted(html=body, source=str(path), title=title, removed=tuple(removed))


def _markdown(path: Path, text: str) -> Extracted:
    """Return Markdown as HTML, its images taken from files beside it."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    body = md.render(text)
    if not body.strip():
        raise BriefkitError(f"{path}: holds no text to import")
    names = [html.unescape(name) for name in _IMAGE.findall(body)]
    pictures, left = local_pictures(names, path.parent)
    return Extracted(html=body, source=str(path), pictures=pictures, removed=tuple(left))


def _plain(text: str) -> tuple[str | None, str, list[str]]:
    """Return pasted text's title, its body as HTML, and the furniture left out."""
    blocks = [_joined(block) for block in _BLANK.split(text)]
    kept: list[str] = []
    removed: list[str] = []
    for block in blocks:
        if block.casefold() in FURNITURE or READING_TIME.match(block):
            removed.append(f"'{block}'")
        elif block:
            kept.append(block)
    title: str | None = None
    parts: list[str] = []
    for index, block in enumerate(kept):
        following = kept[index + 1] if index + 1 < len(kept) else ""
        if _heading(block, following):
            if title is None and not parts:
                title = block
                continue
            parts.append(f"<h2>{html.escape(block)}</h2>")
        else:
            parts.append(f"<p>{html.escape(block)}</p>")
    return title, "\n".join(parts), removed


def _heading(block: str, following: str) -> bool:
    """Tell whether a block reads as a heading: one short line before a longer paragraph."""
    return (
        len(block) <= MOST_HEADING
        and not block.endswith(_SENTENCE_END)
        and len(following) > len(block)
    )


def _joined(block: str) -> str:
    """Return a block's lines as one, a line that repeats the one before (a caption) once."""
    # Only the spaces and tabs of pasted layout fold; a no-break space is the cleaner's to judge.
    lines = [_SPACES.sub(" ", line).strip(" ") for line in block.split("\n")]
    kept = [
        line
        for index, line in enumerate(lines)
        if line and (index == 0 or line != lines[index - 1])
    ]
    return " ".join(kept)
