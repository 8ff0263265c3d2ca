"""Pandoc's citation syntax, parsed into citation tokens: ``[see @a, p. 4; -@b]`` and ``@a``.

Bracketed citations hold one or more items separated by ``;``, each an optional prefix, an
optional ``-`` (which suppresses the author in author-date styles, and changes nothing in
briefkit's numbered style), ``@key``, and an optional locator after a comma or a space. A bare
``@key`` in running text is a narrative citation. Forms that look like citations but are not
valid (``[@a, @b]``) still become citation tokens, carrying the problem, so the checks can say
what to write instead and no ``@key`` ever reaches an output as plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it.rules_inline import StateInline

# Pandoc's keys: a letter, digit or underscore first, then those and internal punctuation.
_KEY = r"[\w](?:[\w:.#$%&\-+?<>~/]*[\w])?"
# A key where pandoc looks for one: at the start of an item, or after a space or a `-`.
_ITEM_KEY = re.compile(rf"(?:^|(?<=[\s,(]))-?@(?P<key>{_KEY})")
_NARRATIVE = re.compile(rf"@({_KEY})")


@dataclass(frozen=True)
class CitationItem:
    """One cited source: its key, the words before it, and the locator after it."""

    key: str
    prefix: str = ""
    locator: str = ""


def bracketed_rule(state: StateInline, silent: bool) -> bool:
    """Turn ``[see @a, p. 4; @b]`` into one citation token."""
    src, pos = state.src, state.pos
    if src[pos] != "[" or src.startswith("[^", pos):
        return False
    end = src.find("]", pos)
    if end < 0 or "[" in src[pos + 1 : end] or src.startswith("(", end + 1):
        return False
    inside = src[pos + 1 : end]
    if not _ITEM_KEY.search(inside):
        return False
    items: list[CitationItem] = []
    problem = None
    for part in inside.split(";"):
        keys = list(_ITEM_KEY.finditer(part))
        if not keys:
            problem = problem or f"'{part.strip()}' names no source: write each item as @key"
            continue
        if len(keys) > 1:
            problem = problem or "separate the sources of one citation with ';', as in [@a; @b]"
        first = keys[0]
        locator = part[first.end() : keys[1].start() if len(keys) > 1 else None]
        locator = locator.strip().removeprefix(",").strip()
        items.append(CitationItem(first.group("key"), part[: first.start()].strip(), locator))
    if not silent:
        _push(state, items, src[pos : end + 1], narrative=False, problem=problem)
    state.pos = end + 1
    return True


def narrative_rule(state: StateInline, silent: bool) -> bool:
    """Turn ``@key`` in running text into a narrative citation token."""
    src, pos = state.src, state.pos
    if src[pos] != "@" or (pos > 0 and (src[pos - 1].isalnum() or src[pos - 1] in "_@")):
        return False
    match = _NARRATIVE.match(src, pos)
    if match is None:
        return False
    if not silent:
        _push(state, [CitationItem(match.group(1))], match.group(0), narrative=True, problem=None)
    state.pos = match.end()
    return True


def _push(
    state: StateInline,
    items: list[CitationItem],
    written: str,
    *,
    narrative: bool,
    problem: str | None,
) -> None:
    """Add a citation token for the items, keeping what was written for messages."""
    token = state.push("citation", "", 0)
    token.content = written
    token.meta = {
        "items": items,
        "keys": [item.key for item in items],
        "narrative": narrative,
        "problem": problem,
    }
