"""The sizes a brief may have, checked before and after parsing, so no source runs away.

Each limit is far above what a policy brief needs, and below what would make parsing or
layout take minutes or gigabytes: the README's security model lists them.
"""

from __future__ import annotations

from markdown_it.token import Token

from briefkit.errors import Findings
from briefkit.model.brief import Section

MAX_BRACKET_DEPTH = 32
MAX_SECTIONS = 500
MAX_FOOTNOTES = 1000
MAX_LINE = 20_000


def check_body_shape(body: str, first_line: int, findings: Findings) -> bool:
    """Record why a body is too deeply bracketed or has too long a line; tell if it may be parsed.

    markdown-it matches brackets with work that grows with the square of their nesting, so a
    line of thousands of nested brackets is refused before it is parsed.
    """
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


def check_counts(
    sections: list[Section], footnotes: dict[int, list[Token]], first_line: int, findings: Findings
) -> bool:
    """Record a brief with more sections or footnotes than can be laid out; tell if it may."""
    if len(sections) > MAX_SECTIONS:
        findings.error(
            sections[MAX_SECTIONS].line,
            f"the brief has {len(sections):,} sections; the limit is {MAX_SECTIONS}",
        )
        return False
    if len(footnotes) > MAX_FOOTNOTES:
        findings.error(
            first_line, f"the brief has {len(footnotes):,} footnotes; the limit is {MAX_FOOTNOTES}"
        )
        return False
    return True
