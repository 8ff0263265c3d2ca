"""The sizes a brief may have, checked before and after parsing, so no source runs away.

Each limit is far above what a policy brief needs, and below what would make parsing or
layout take minutes or gigabytes: the README's security model lists them.
"""

from __future__ import annotations

import itertools
import re
from typing import Protocol

from markdown_it.token import Token

from briefkit.errors import Findings, Severity

# A 100-page brief is about 150 kB; parsing a megabyte of dense markup takes seconds.
MAX_SOURCE_BYTES = 1024 * 1024
MAX_BRACKET_DEPTH = 32
MAX_SECTIONS = 500
MAX_FOOTNOTES = 1000
MAX_LINE = 20_000
# Emphasis, links and spans inside one another: each is an element inside the last, and
# WeasyPrint lays them out by recursion (9,000 of them exhaust Python's stack).
MAX_INLINE_DEPTH = 32
# Quotes and list items inside one another. markdown-it stops at 20 levels of its own (a list
# takes two) and drops what lies deeper without a word; eight is far below that.
MAX_BLOCK_DEPTH = 8
# Characters that notes called more than once add, as the PDF prints a note at every call:
# a long note called hundreds of times would take hours of layout.
MAX_REPEATED_NOTES = 100_000
# Findings of one kind shown for one source: a file of a million controls, or of a million
# citations of keys it does not define, gets a few and a line that says more follow.
MOST_SHOWN = 10
# Citations are shown more fully: a brief whose sources are missing cites each key it uses.
MOST_CITATIONS_SHOWN = 100
_CONTAINERS = {"blockquote_open": 1, "blockquote_close": -1}
_CONTAINERS |= {"list_item_open": 1, "list_item_close": -1}


_SECTION = re.compile(r"^ {0,3}##?(?:[ \t]|$)", re.M)
_FOOTNOTE = re.compile(r"^ {0,3}\[\^[^\]\s]+\]:", re.M)


def check_lines(text: str, findings: Findings) -> bool:
    """Record the first line longer than MAX_LINE; tell whether every line fits.

    This runs before anything else reads the text, front matter included, so no pattern and
    no parser ever reads a longer line.
    """
    for number, line in enumerate(text.split("\n"), start=1):
        if len(line) > MAX_LINE:
            findings.error(
                number, f"this line is {len(line):,} characters; the limit is {MAX_LINE:,}"
            )
            return False
    return True


def check_body_shape(body: str, first_line: int, findings: Findings) -> bool:
    """Record why a body is too large in shape to parse; tell whether it may be parsed.

    Parsing takes time that grows with the sections and notes a body has, and markdown-it
    matches brackets with work that grows with the square of their nesting: all are counted
    with a quick scan of the text before anything is parsed.
    """
    return (
        _brackets_fit(body, first_line, findings)
        and _count_fits(_SECTION, body, first_line, MAX_SECTIONS, "sections", findings)
        and _count_fits(_FOOTNOTE, body, first_line, MAX_FOOTNOTES, "footnotes", findings)
    )


def _count_fits(
    pattern: re.Pattern[str],
    body: str,
    first_line: int,
    most: int,
    what: str,
    findings: Findings,
) -> bool:
    """Record a body with more sections or footnotes than can be laid out; tell if it fits."""
    found = list(itertools.islice(pattern.finditer(body), most + 1))
    if len(found) <= most:
        return True
    total = len(pattern.findall(body))
    line = first_line + body.count("\n", 0, found[most].start())
    findings.error(line, f"the brief has {total:,} {what}; the limit is {most}")
    return False


def _brackets_fit(body: str, first_line: int, findings: Findings) -> bool:
    """Record brackets nested too deep; tell whether they all fit."""
    depth = 0
    for number, line in enumerate(body.split("\n"), start=first_line):
        if not line.strip():
            depth = 0  # brackets never pair across a blank line
            continue
        escaped = False
        for col, char in enumerate(line, start=1):
            if escaped:
                escaped = False
                continue
            escaped = char == "\\"
            depth += (char == "[") - (char == "]")
            if depth > MAX_BRACKET_DEPTH:
                findings.error(
                    number,
                    f"brackets nest more than {MAX_BRACKET_DEPTH} deep here: "
                    "write them out flat, or escape them as \\[ and \\]",
                    col,
                )
                return False
    return True


def too_deep_inline(tokens: list[Token]) -> Token | None:
    """Return the first emphasis, link or span that opens deeper than MAX_INLINE_DEPTH."""
    for block in tokens:
        depth = 0
        for child in block.children or []:
            depth += child.nesting
            if depth > MAX_INLINE_DEPTH:
                return child
    return None


def too_deep_blocks(tokens: list[Token]) -> Token | None:
    """Return the first quote or list item that opens deeper than MAX_BLOCK_DEPTH."""
    depth = 0
    for token in tokens:
        depth += _CONTAINERS.get(token.type, 0)
        if depth > MAX_BLOCK_DEPTH:
            return token
    return None


class Reportable(Protocol):
    """A problem that knows its kind, how serious it is and how to say it."""

    @property
    def kind(self) -> str:
        """Return the kind, which the findings shown are counted by."""

    @property
    def severity(self) -> Severity:
        """Return how serious the problem is."""

    @property
    def message(self) -> str:
        """Return the sentence that says what is wrong and what to do."""


class Reporter:
    """Record findings of each kind up to a number, then one that says more follow.

    Past that, a kind is in ``done`` and need not be looked for any more, so a source of a
    million problems costs about what one of a dozen does, in time and in memory.
    """

    def __init__(self, findings: Findings, most: int = MOST_SHOWN) -> None:
        self.findings = findings
        self.most = most
        self.done: set[str] = set()
        self._shown: dict[str, int] = {}

    @property
    def kinds(self) -> set[str]:
        """Return the kinds of finding recorded."""
        return set(self._shown)

    def add(self, problem: Reportable, line: int, col: int = 1) -> None:
        """Record a problem found at a file line and column."""
        if problem.kind not in self.done:
            self.record(problem.kind, problem.severity, line, problem.message, col)

    def record(self, kind: str, severity: Severity, line: int, message: str, col: int = 1) -> None:
        """Record a finding of a kind, or nothing once enough of its kind are shown."""
        if kind in self.done:
            return
        shown = self._shown.get(kind, 0)
        if shown == self.most:
            self.done.add(kind)
            message = f"and more like this from here on, not shown one by one: {message}"
        self._shown[kind] = shown + 1
        if severity is Severity.ERROR:
            self.findings.error(line, message, col)
        else:
            self.findings.warning(line, message, col)
