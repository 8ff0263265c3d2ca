"""The sizes a brief may have, checked before and after parsing, so no source runs away.

Each limit is far above what a policy brief needs, and below what would make parsing or
layout take minutes or gigabytes: the README's security model lists them.
"""

from __future__ import annotations

import itertools
import re

from briefkit.errors import Findings

MAX_BRACKET_DEPTH = 32
MAX_SECTIONS = 500
MAX_FOOTNOTES = 1000
MAX_LINE = 20_000


_SECTION = re.compile(r"^ {0,3}##?(?:[ \t]|$)", re.M)
_FOOTNOTE = re.compile(r"^ {0,3}\[\^[^\]\s]+\]:", re.M)


def check_body_shape(body: str, first_line: int, findings: Findings) -> bool:
    """Record why a body is too large in shape to parse; tell whether it may be parsed.

    Parsing takes time that grows with the sections and notes a body has, and markdown-it
    matches brackets with work that grows with the square of their nesting: all are counted
    with a quick scan of the text before anything is parsed.
    """
    return (
        _lines_fit(body, first_line, findings)
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


def _lines_fit(body: str, first_line: int, findings: Findings) -> bool:
    """Record a line too long, or brackets nested too deep; tell whether all lines fit."""
    depth = 0
    for number, line in enumerate(body.split("\n"), start=first_line):
        if len(line) > MAX_LINE:
            findings.error(
                number, f"this line is {len(line):,} characters; the limit is {MAX_LINE:,}"
            )
            return False
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
