"""Check a source's raw text for characters a reader cannot see, or that break an output.

Controls, characters that reverse the text around them, invisible characters and runs of
combining marks are looked for line by line, before anything else reads the text; an
invisible character inside a citation is an error, as the key looks right and names no source.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterator

from briefkit.errors import Findings
from briefkit.sources import limits
from briefkit.sources.frontmatter import front_matter_lines
from briefkit.sources.markup import characters
from briefkit.sources.markup.characters import Problem


def check_hidden_characters(text: str, findings: Findings) -> None:
    """Report controls, text reversers, invisible characters and runs of marks in the raw text.

    Controls in the front matter are its reader's to report, as it cannot read on past them.
    An invisible character in a citation is an error, not a warning: the key looks right and
    names no source.
    """
    lines = text.split("\n")
    front = front_matter_lines(lines)
    report = limits.Reporter(findings)
    for number, line in enumerate(lines, start=1):
        # Citations matter only for the characters ASCII lacks: most lines skip the scan.
        cited = [] if line.isascii() else _citation_spans(line)
        starts = [start for start, _ in cited]
        for problem in characters.problems(line, "a brief", report.done):
            if problem.kind == "control" and number in front:
                continue
            if problem.kind == "invisible" and _within(cited, starts, problem.offset):
                continue
            report.add(problem, number, problem.offset + 1)
        for problem in _hidden_in_citations(line, cited):
            report.add(problem, number, problem.offset + 1)


_CITATION_START = re.compile(r"[\[@]")
_WORD = re.compile(r"\S+")


def _citation_spans(line: str) -> list[tuple[int, int]]:
    """Return where a line holds text that reads as a citation: ``[...@...]`` or ``@word``.

    A scan, not a pattern: each ``[`` looks for the next ``]`` and the next ``@``, both kept
    from the ``[`` before, so a line of ``[@ [@ [@`` takes time in proportion to its length.
    """
    spans: list[tuple[int, int]] = []
    close = at = -1
    pos = 0
    while (found := _CITATION_START.search(line, pos)) is not None:
        start = found.start()
        if line[start] == "@":
            word = _WORD.match(line, start + 1)
            if word is not None:
                spans.append((start, word.end()))
            pos = word.end() if word is not None else start + 1
            continue
        close = close if close > start else _next(line, "]", start)
        at = at if at > start else _next(line, "@", start)
        if at < close < len(line):
            spans.append((start, close + 1))
            pos = close + 1
        else:
            pos = start + 1
    return spans


def _next(line: str, char: str, start: int) -> int:
    """Return the index of char after start, or the line's length when there is none."""
    found = line.find(char, start + 1)
    return found if found >= 0 else len(line)


def _within(spans: list[tuple[int, int]], starts: list[int], offset: int) -> bool:
    """Tell whether offset falls inside one of the spans (sorted, apart), by bisection."""
    index = bisect.bisect_right(starts, offset) - 1
    return index >= 0 and offset < spans[index][1]


def _hidden_in_citations(line: str, cited: list[tuple[int, int]]) -> Iterator[Problem]:
    """Yield an error for each citation holding an invisible character."""
    for start, end in cited:
        hidden = next((c for c in line[start:end] if unicodedata.category(c) == "Cf"), None)
        if hidden is not None and not characters.DIRECTION.match(hidden):
            yield Problem(start, "citation", ord(hidden), line[start:end])
