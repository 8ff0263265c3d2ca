"""Where the words and markup of a block stand in its source lines.

The parser's tokens carry only a line; these find, on a source line, where a block's first
words start, where a piece of markup (a link's address, an image, a bracketed span) ends,
and which columns a token's text came from, stepping over what typography and escapes
changed. Each moves forward only, so a line is scanned in time that grows with its length.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

# Characters of a text that may be written otherwise in the source: ASCII punctuation (which
# a backslash escapes), and what typography makes of quotes, dashes, dots and (c).
_SPECIAL = (
    "!-/:-@\\[-`{-~\u00a0\u00a9\u00ab\u00ae\u00b1\u00bb\u2013\u2014\u2018-\u201f"
    "\u2026\u2039\u203a\u2122\u202f\u300c-\u300f"
)
# A run of characters written as they are, or one that may be written otherwise.
_SEGMENT = re.compile(f"[^{_SPECIAL}]+|.", re.DOTALL)
_QUOTES = frozenset("“”‘’„‚‟«»‹›「」『』")
_REPLACED = {
    "—": ("---",),
    "–": ("--",),
    "©": ("(c)", "(C)"),
    "®": ("(r)", "(R)"),
    "™": ("(tm)", "(TM)", "(Tm)", "(tM)"),
    "±": ("+-",),
}
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# How far ahead a text may be looked for when the source holds something the tokens do not.
_WINDOW = 16


def first_start(row: str, kind: str, line: str, cursor: int) -> tuple[int, int]:
    """Return where a block's first line of words starts in its source line, and ends."""
    words = row.strip()
    if not words:
        return cursor, cursor
    if kind == "heading":
        hashes = len(line) - len(line.lstrip(" #"))
        found = line.find(words, max(cursor, hashes))
    elif kind == "cell":
        found = line.find(words, cursor)
        if found < 0:  # a cell's escaped pipe is a plain one in its words
            words = words.replace("|", "\\|")
            found = line.find(words, cursor)
    else:
        found = max(line_start(row, line), cursor)
    return (found, found + len(words)) if found >= 0 else (cursor, cursor)


def line_start(row: str, line: str) -> int:
    """Return where a line of a block's words starts: after any markers (> , - , [^1]: )."""
    words = row.strip()
    kept = line.rstrip()
    if words and kept.endswith(words):
        return len(kept) - len(words)
    found = line.find(words) if words else -1
    return max(found, 0)


def past(line: str, raw: int, needle: str) -> int:
    """Return the place just past the next needle, or raw if the line holds none."""
    found = line.find(needle, raw) if needle else -1
    return found + len(needle) if found >= 0 else raw


def end_of(line: str, raw: int, needle: str) -> int:
    """Return the place just past the next needle, or -1 if the line holds none."""
    found = line.find(needle, raw)
    return found + len(needle) if found >= 0 else -1


def after_paren(line: str, raw: int) -> int:
    """Return the place past the next closing bracket: an address or title's end."""
    return end_of(line, raw, ")")


def link_end(line: str, raw: int) -> int:
    """Return the place past a link's end: ``](address "title")``, ``][ref]`` or ``]``."""
    close = line.find("]", raw)
    if close < 0:
        return -1
    after = line[close + 1 : close + 2]
    if after == "(":
        return _brackets_end(line, close + 1, "(", ")")
    if after == "[":
        return end_of(line, close + 2, "]")
    return close + 1


def image_end(line: str, raw: int) -> int:
    """Return the place past an image: ``![alt](file "title"){attributes}``."""
    start = line.find("![", raw)
    alt = _brackets_end(line, start + 1, "[", "]") if start >= 0 else -1
    return image_tail(line, alt - 1) if alt >= 0 else -1


def image_tail(line: str, raw: int) -> int:
    """Return the place past an image's ``](file "title"){attributes}``, from its ``]``."""
    close = line.find("](", raw)
    if close < 0:
        return -1
    end = _brackets_end(line, close + 1, "(", ")")
    if end >= 0 and line[end : end + 1] == "{":
        end = past(line, end, "}")
    return end


def _brackets_end(line: str, start: int, opening: str, closing: str) -> int:
    """Return the place past the bracket that closes the one at start, escapes skipped."""
    depth = 0
    index = start
    while index < len(line):
        char = line[index]
        if char == "\\":
            index += 2
            continue
        depth += (char == opening) - (char == closing)
        index += 1
        if depth == 0:
            return index
    return -1


def align(content: str, line: str, raw: int, wanted: Sequence[int]) -> tuple[int, list[int]]:
    """Match a text token to the source from raw; return where it ends and where wanted are.

    wanted are offsets into content, in order. A run of plain characters is matched whole
    where the source has it as it is; the rest one character at a time, allowing for what the
    parser made of the source: escapes, entities, typographic quotes, dashes and dots, and
    French spaces.
    """
    if line.startswith(content, raw):
        return raw + len(content), [raw + offset for offset in wanted]
    places: list[int] = []
    want = iter(wanted)
    target = next(want, None)
    index = 0
    for segment in _SEGMENT.finditer(content):
        start, stop = segment.span()
        if index >= stop:
            continue  # read already, with an entity that stood for several characters
        if start == index and stop - start > 1 and line.startswith(segment.group(), raw):
            while target is not None and target < stop:
                places.append(raw + target - index)
                target = next(want, None)
            raw += stop - index
            index = stop
            continue
        while index < stop:
            following, raw_next, at = _step(content, index, line, raw)
            while target is not None and target < following:
                places.append(at)
                target = next(want, None)
            index, raw = following, raw_next
    while target is not None:
        places.append(raw)
        target = next(want, None)
    return raw, places


def _step(content: str, index: int, line: str, raw: int) -> tuple[int, int, int]:
    """Match content[index] to the source at raw.

    Return the next index, the next place in the source, and where the character is written.
    """
    char = content[index]
    here = line[raw : raw + 1]
    if here == char:
        return index + 1, raw + 1, raw
    if here == "\\" and line[raw + 1 : raw + 2] == char:
        return index + 1, raw + 2, raw + 1
    if here == "&":
        entity = _ENTITY.match(line, raw)
        decoded = html.unescape(entity.group()) if entity else ""
        if entity and decoded and content.startswith(decoded, index):
            return index + len(decoded), entity.end(), raw
    if char in _QUOTES and here in ('"', "'"):
        return index + 1, raw + 1, raw
    if char in "\u00a0\u202f":  # French spacing: a typed space, or none beside a guillemet
        end = raw
        while line[end : end + 1] == " ":
            end += 1
        return index + 1, end, raw
    return index + 1, _replaced(char, line, raw), raw


def _replaced(char: str, line: str, raw: int) -> int:
    """Return the place past what typography turned into char, or past the char found near."""
    if char == "…":
        end = raw
        while line[end : end + 1] == ".":
            end += 1
        if end > raw:
            return end
    for written in _REPLACED.get(char, ()):
        if line.startswith(written, raw):
            return raw + len(written)
    found = line.find(char, raw, raw + _WINDOW)
    return found + 1 if found >= 0 else raw
