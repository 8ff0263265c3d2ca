"""Measure a PDF's typography as a reader meets it, via pdftotext: lines, hyphens, measure,
how much of its measure each line fills and how far down its page the text reaches.

``pdftotext -bbox-layout`` gives each page's blocks (paragraphs), their lines and each word's
box. Running text is the text set at the body size: the commonest word height in the brief.
"""

from __future__ import annotations

import itertools
import math
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

from pdftools import poppler

XHTML = "{http://www.w3.org/1999/xhtml}"
AUTO_HYPHEN = "\u2010"  # what WeasyPrint adds where it hyphenates a word
HYPHENS = (AUTO_HYPHEN, "-", "\u00ad")


@dataclass(frozen=True)
class Line:
    """A line of text as laid out on a page."""

    page: int
    text: str
    height: float
    last_of_block: bool
    left: float = 0.0
    top: float = 0.0
    right: float = 0.0
    bottom: float = 0.0
    block: int = 0  # the block's index on its page: lines of one paragraph share it

    @property
    def hyphenated(self) -> bool:
        """Tell whether the line ends in a hyphen (one WeasyPrint added, or one typed)."""
        return self.text.endswith(HYPHENS) and not self.text.endswith("--")

    @property
    def auto_hyphenated(self) -> bool:
        """Tell whether the line ends in a hyphen WeasyPrint added to break a word."""
        return self.text.endswith(AUTO_HYPHEN)


@dataclass(frozen=True)
class Page:
    """A page's size and the lines on it, in points from its top left corner."""

    number: int
    width: float
    height: float
    lines: tuple[Line, ...]


def layout(pdf: Path) -> list[Page]:
    """Return every page of the PDF with its lines, in pdftotext's reading order."""
    document = ET.fromstring(poppler("pdftotext", "-bbox-layout", str(pdf), "-"))
    return [
        Page(
            number, float(page.get("width", 0)), float(page.get("height", 0)), _lines(page, number)
        )
        for number, page in enumerate(document.iter(f"{XHTML}page"), start=1)
    ]


def _lines(page: ET.Element, number: int) -> tuple[Line, ...]:
    """Return the lines of one page of pdftotext's XHTML."""
    found = []
    for block_number, block in enumerate(page.iter(f"{XHTML}block")):
        rows = _rows(block)
        for index, words in enumerate(rows):
            found.append(_line(number, block_number, words, last=index == len(rows) - 1))
    return tuple(found)


def _line(page: int, block: int, words: list[ET.Element], last: bool) -> Line:
    """Return one line of a block from its words' boxes."""

    def edges(side: str) -> list[float]:
        return [float(word.get(side, 0)) for word in words]

    heights = [low - high for high, low in zip(edges("yMin"), edges("yMax"), strict=True)]
    return Line(
        page=page,
        text=" ".join((word.text or "") for word in words),
        height=statistics.median(heights),
        last_of_block=last,
        left=min(edges("xMin")),
        top=min(edges("yMin")),
        right=max(edges("xMax")),
        bottom=max(edges("yMax")),
        block=block,
    )


def _rows(block: ET.Element) -> list[list[ET.Element]]:
    """Return a block's lines as lists of words, joining pieces of one line of type.

    pdftotext splits an Arabic line at some combining marks into two lines side by side.
    """
    rows: list[list[ET.Element]] = []
    spans: list[tuple[float, float]] = []
    for row in block.iter(f"{XHTML}line"):
        words = list(row.iter(f"{XHTML}word"))
        if not words:
            continue
        top, bottom = float(row.get("yMin", 0)), float(row.get("yMax", 0))
        if spans and min(bottom, spans[-1][1]) - max(top, spans[-1][0]) > (bottom - top) / 2:
            rows[-1].extend(words)
        else:
            rows.append(words)
            spans.append((top, bottom))
    return rows


def lines(pdf: Path) -> list[Line]:
    """Return every line of the PDF, page by page, in pdftotext's reading order."""
    return [line for page in layout(pdf) for line in page.lines]


def body_height(all_lines: list[Line]) -> float:
    """Return the height of the words of running text: the commonest, counted by character."""
    counts: Counter[float] = Counter()
    for line in all_lines:
        counts[round(line.height, 1)] += len(line.text)
    return counts.most_common(1)[0][0]


def running_text(all_lines: list[Line]) -> list[Line]:
    """Return the lines set at the body size, leaving out headings, notes, tables and captions."""
    body = body_height(all_lines)
    return [line for line in all_lines if abs(line.height - body) <= 0.05 * body]


def other_text(all_lines: list[Line]) -> list[Line]:
    """Return the lines not set at the body size: titles, headings, captions, notes, sources."""
    body = body_height(all_lines)
    return [line for line in all_lines if abs(line.height - body) > 0.05 * body]


def characters(line: Line) -> int:
    """Return the characters of a line as a reader counts them, spaces included."""
    return len(re.sub(r"\s+", " ", line.text.strip()))


@dataclass(frozen=True)
class Measure:
    """The figures of a PDF's running text."""

    lines: int
    hyphenated: int
    consecutive: int
    median_characters: float
    full_lines: int

    @property
    def hyphen_ratio(self) -> float:
        """Return the share of running-text lines that end in a hyphen."""
        return self.hyphenated / self.lines if self.lines else 0.0


def measure(pdf: Path) -> Measure:
    """Measure the running text: lines, hyphenated lines, pairs of them, characters per line."""
    text = running_text(lines(pdf))
    hyphenated = [line.hyphenated for line in text]
    # Two lines of one paragraph, one above the other, both ending in a hyphen, the second
    # the typesetter's: a compound's own hyphen ("medium-sized") is where the text breaks
    # anyway, but after it no word should be broken on the next line too.
    consecutive = sum(
        1
        for a, b in itertools.pairwise(text)
        if a.hyphenated and b.auto_hyphenated and not a.last_of_block
    )
    # A paragraph's last line is as long as it happens to be: the measure is of the others.
    full = [characters(line) for line in text if not line.last_of_block]
    return Measure(
        lines=len(text),
        hyphenated=sum(hyphenated),
        consecutive=consecutive,
        median_characters=statistics.median(full) if full else 0.0,
        full_lines=len(full),
    )


# Page fill: how far down its text area each page's content reaches.

MM = 72 / 25.4
MARGIN = 24 * MM  # the text area's top and bottom margins, on A4 and Letter alike
NOTE_SIZE = 8 / 10.5  # footnotes against running text, by font size
_NOTE_MARKER = re.compile(r"\d+\.\s")
_MARKER = re.compile(r"([•◦▪–]|\d+\.)\s")  # a list item's marker
_FIGURE = re.compile(r"(Figure|Abbildung|図|الشكل)\s*\S+")


@dataclass(frozen=True)
class Fill:
    """How full one page is, and what opens the page after it."""

    page: int
    fill: float  # the share of the text area's height the page's content takes
    left: float  # the points left empty above the notes (or the foot of the area)
    next_opening: float  # the height of what opens the next page before its running text

    @property
    def excused(self) -> bool:
        """Tell whether the next page opens with a block (a figure, a table) too tall to fit."""
        return self.next_opening > self.left


def page_fill(pdf: Path) -> list[Fill]:
    """Measure, for every page, the share of its text area that text and notes take."""
    pages = layout(pdf)
    body = body_height([line for page in pages for line in page.lines])
    areas = [_inside(page) for page in pages]
    fills = []
    for index, (page, inside) in enumerate(zip(pages, areas, strict=True)):
        top, bottom = MARGIN, page.height - MARGIN
        notes = _notes(inside, body)
        main = [line for line in inside if line not in notes]
        end = max((line.bottom for line in main), default=top)
        # The notes stand at the foot: from their rule (a millimetre and a half above the
        # first) down to the area's foot is theirs.
        notes_top = min((line.top for line in notes), default=bottom + 1.5 * MM) - 1.5 * MM
        used = (end - top) + (bottom - notes_top)
        following = areas[index + 1] if index + 1 < len(areas) else []
        fills.append(
            Fill(page.number, used / (bottom - top), notes_top - end, _opening(following, body))
        )
    return fills


def _inside(page: Page) -> list[Line]:
    """Return the lines inside the page's text area: no running heads, no footers."""
    top, bottom = MARGIN, page.height - MARGIN
    return [line for line in page.lines if line.top >= top - 2 and line.bottom <= bottom + 2]


def _notes(inside: list[Line], body: float) -> list[Line]:
    """Return the footnotes at the foot of a page: the last lines at the notes' size."""
    ordered = sorted(inside, key=lambda line: line.top)
    run: list[Line] = []
    for line in reversed(ordered):
        if abs(line.height - body * NOTE_SIZE) > 0.025 * body:
            break
        run.insert(0, line)
    while run and not _NOTE_MARKER.match(run[0].text):
        run.pop(0)
    return run


def _opening(inside: list[Line], body: float) -> float:
    """Return how tall a page's opening is when a figure or table opens it, else 0.

    The opening is what stands above the page's first line of running text; it counts only
    when it holds a figure's caption or a table's rows (lines sharing a baseline), not when it
    is a section's label and heading, which keep only with the lines after them.
    """
    if not inside:
        return 0.0
    top = min(line.top for line in inside)
    above = [line for line in inside if not _is_running(line, body)]
    text = [line.top for line in inside if _is_running(line, body)]
    first_text = min(text, default=math.inf)
    opening = [line for line in above if line.bottom <= first_text]
    has_figure = any(_FIGURE.match(line.text) for line in opening)
    rows = Counter(round(line.top) for line in opening)
    has_table = any(count > 1 for count in rows.values())
    if not (has_figure or has_table):
        return 0.0
    return max(line.bottom for line in opening) - top


def _is_running(line: Line, body: float) -> bool:
    """Tell whether a line is set at the running text's size."""
    return abs(line.height - body) <= 0.05 * body


# Line lengths: how much of its measure each line of running text fills.


@dataclass(frozen=True)
class Short:
    """A line of running text, not its paragraph's last, that ends far short of its measure."""

    page: int
    text: str
    share: float  # of the measure


def short_lines(pdf: Path, limit: float = 0.7) -> list[Short]:
    """Return the running-text lines, other than paragraphs' last, under limit of the measure.

    A line's measure is the widest line that starts where it starts (a list item's indent, a
    commentary's padding), anywhere in the brief; right-to-left text is measured from the right.
    """
    text = running_text(lines(pdf))
    rtl = len({round(line.right) for line in text}) < len({round(line.left) for line in text})
    widths: dict[int, float] = {}
    for line in text:
        anchor = _anchor(line, rtl)
        widths[anchor] = max(widths.get(anchor, 0.0), line.right - line.left)
    following: list[Line | None] = [*text[1:], None]
    return [
        Short(line.page, line.text, share)
        for line, after in zip(text, following, strict=True)
        if not _ends_paragraph(line, after, rtl)
        and (share := (line.right - line.left) / widths[_anchor(line, rtl)]) < limit
    ]


def _anchor(line: Line, rtl: bool) -> int:
    """Return the edge a line starts from, to the point (negative for right-to-left)."""
    return -round(line.right) if rtl else round(line.left)


def _ends_paragraph(line: Line, after: Line | None, rtl: bool) -> bool:
    """Tell whether a line is its paragraph's or list item's last.

    pdftotext puts a list's items in one block; the next item's first line starts with its
    marker, further out than the lines before it.
    """
    if line.last_of_block or after is None or (after.page, after.block) != (line.page, line.block):
        return True
    return bool(_MARKER.match(after.text)) or _anchor(after, rtl) < _anchor(line, rtl) - 1
