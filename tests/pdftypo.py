"""Measure a PDF's typography as a reader meets it: lines, hyphens and measure, via pdftotext.

``pdftotext -bbox-layout`` gives each page's blocks (paragraphs), their lines and each word's
box. Running text is the text set at the body size: the commonest word height in the brief.
"""

from __future__ import annotations

import itertools
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

    @property
    def hyphenated(self) -> bool:
        """Tell whether the line ends in a hyphen (one WeasyPrint added, or one typed)."""
        return self.text.endswith(HYPHENS) and not self.text.endswith("--")

    @property
    def auto_hyphenated(self) -> bool:
        """Tell whether the line ends in a hyphen WeasyPrint added to break a word."""
        return self.text.endswith(AUTO_HYPHEN)


def lines(pdf: Path) -> list[Line]:
    """Return every line of the PDF, page by page, in pdftotext's reading order."""
    document = ET.fromstring(poppler("pdftotext", "-bbox-layout", str(pdf), "-"))
    found = []
    for number, page in enumerate(document.iter(f"{XHTML}page"), start=1):
        for block in page.iter(f"{XHTML}block"):
            rows = list(block.iter(f"{XHTML}line"))
            for index, row in enumerate(rows):
                words = list(row.iter(f"{XHTML}word"))
                if not words:
                    continue
                heights = [float(w.get("yMax", 0)) - float(w.get("yMin", 0)) for w in words]
                text = " ".join((w.text or "") for w in words)
                found.append(Line(number, text, statistics.median(heights), index == len(rows) - 1))
    return found


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
    # Two lines of one paragraph, one above the other, both ending in a hyphen.
    consecutive = sum(
        1
        for a, b in itertools.pairwise(text)
        # Both hyphenated by the typesetter: a compound's own hyphen ("medium-sized") is a
        # break like a space, not a choice.
        if a.auto_hyphenated and b.auto_hyphenated and not a.last_of_block
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
