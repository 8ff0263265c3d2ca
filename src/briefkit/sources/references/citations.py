"""Pandoc's citation syntax, parsed into citation tokens: ``[see @a, p. 4; -@b]`` and ``@a``.

Bracketed citations hold one or more items separated by ``;``, each an optional prefix, an
optional ``-`` (which suppresses the author in author-date styles, and changes nothing in
briefkit's numbered style), ``@key``, and an optional locator after a comma or a space. A bare
``@key`` in running text is a narrative citation. Forms that look like citations but are not
valid (``[@a, @b]``) still become citation tokens, carrying the problem, so the checks can say
what to write instead and no ``@key`` ever reaches an output as plain text.

Every output prints a citation through :func:`arrange` and :func:`bracketed`, so each prints
the same words: the numbers of one citation in number order, ``[1, 2]``, three or more in a
row as a range, ``[1–3]``, as numeric CSL styles print them.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from markdown_it.rules_inline import StateInline

# Pandoc's keys: a letter, digit or underscore first, then those and internal punctuation.
_KEY = r"[\w](?:[\w:.#$%&\-+?<>~/]*[\w])?"
# A key where pandoc looks for one: at the start of an item, or after a space or a `-`.
_ITEM_KEY = re.compile(rf"(?:^|(?<=[\s,(]))-?@(?P<key>{_KEY})")
_NARRATIVE = re.compile(rf"@({_KEY})")
_WHOLE_KEY = re.compile(_KEY)
# What may stand between the end of a sentence and the next word: spaces, closing quotes and
# brackets, emphasis. Only so many characters are looked at, so a citation costs no more
# however long the paragraph before it.
_AFTER_SENTENCE = " \t\n\"'”’»)]*_"
_LOOK_BACK = 40
# Words ending in a full stop that end no sentence: "cf. @a" is not "Cf. The ministry".
_ABBREVIATIONS = frozenset(
    {"approx", "bzw", "ca", "cf", "dr", "fig", "mr", "mrs", "ms", "no", "nr", "pp", "prof"}
    | {"st", "vgl", "viz", "vs"}
)


@dataclass(frozen=True)
class CitationItem:
    """One cited source: its key, the words before it, and the locator after it."""

    key: str
    prefix: str = ""
    locator: str = ""


def is_key(text: str) -> bool:
    """Tell whether text can be cited as @text: whether it is a key as pandoc reads one."""
    return _WHOLE_KEY.fullmatch(text) is not None


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
    named: list[str] = []  # every key written, those of a malformed item too: all were cited
    problem = None
    for part in inside.split(";"):
        keys = list(_ITEM_KEY.finditer(part))
        named.extend(key.group("key") for key in keys)
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
        state.tokens[-1].meta["keys"] = named
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
        state.tokens[-1].meta["sentence_start"] = starts_sentence(src, pos)
    state.pos = match.end()
    return True


def narrative_column(line: str, key: str) -> int | None:
    """Return the 1-based column of the first ``@key`` that a line of source cites in its text.

    An ``@key`` inside a bracketed citation, or after a letter, an ``@`` or an escaping
    backslash, is not one.
    """
    inside = _bracketed_spans(line)
    starts = [start for start, _ in inside]
    for found in re.finditer(re.escape(f"@{key}"), line):
        at = found.start()
        if at and (line[at - 1].isalnum() or line[at - 1] in "_@\\"):
            continue
        whole = _NARRATIVE.match(line, at)
        if whole is None or whole.group(1) != key:
            continue  # the start of a longer key
        span = bisect.bisect_right(starts, at) - 1
        if span < 0 or inside[span][1] < at:
            return at + 1
    return None


def _bracketed_spans(line: str) -> list[tuple[int, int]]:
    """Return where the bracketed citations of a line of source start and end, in order.

    As the parser does, a citation runs from a ``[`` to the first ``]`` with no ``[`` between:
    so only the last ``[`` before each ``]`` can open one, and the line is read once.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    while (end := line.find("]", start)) >= 0:
        opening = line.rfind("[", start, end)
        if (
            opening >= 0
            and not line.startswith("[^", opening)
            and not line.startswith("(", end + 1)
            and _ITEM_KEY.search(line[opening + 1 : end])
        ):
            spans.append((opening, end))
        start = end + 1
    return spans


def starts_sentence(src: str, pos: int) -> bool:
    """Tell whether the text at pos begins a sentence: its paragraph's, or one after . ! or ?"""
    start = max(0, pos - _LOOK_BACK)
    before = src[start:pos].rstrip(_AFTER_SENTENCE)
    if not before:
        return start == 0
    if before[-1] not in ".!?":
        return False
    word = before.split()[-1].lstrip("\"'“‘«([*_").lower()
    # An initial ("J."), an abbreviation with stops inside ("e.g.", "U.S.") or one listed.
    return len(word) > 2 and "." not in word[:-1] and word[:-1] not in _ABBREVIATIONS


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


@dataclass(frozen=True)
class Printed:
    """One part of a printed citation: a source's number with its words, or a run of numbers.

    ends holds the key and number of the source, or of the first and the last of a run.
    """

    ends: tuple[tuple[str, int], ...]
    prefix: str = ""
    locator: str = ""

    @property
    def bare(self) -> bool:
        """Tell whether the part is a number alone, with no words of its own."""
        return not self.prefix and not self.locator


# Numeric CSL styles join three or more numbers in a row into a range: [1–3], but [1, 2].
RUN = 3
RANGE_DASH = "\u2013"


def arrange(items: Sequence[CitationItem], numbers: Mapping[str, int]) -> tuple[list[Printed], str]:
    """Return a citation's parts in number order, runs joined, and the separator between them.

    Numbers alone are separated by commas, ``[1, 2, 5]``; once a part has words of its own (a
    prefix, or a locator that may hold commas), by semicolons, ``[see 1, p. 4; 2]``. Each part
    keeps its own words when it moves. A source given twice alone is printed once.
    """
    singles = [
        Printed(((item.key, numbers.get(item.key, 0)),), item.prefix, item.locator)
        for item in _unique(items)
    ]
    singles.sort(key=lambda part: part.ends[0][1])
    parts: list[Printed] = []
    run: list[Printed] = []
    for part in singles:
        if run and not (part.bare and part.ends[0][1] == run[-1].ends[0][1] + 1):
            parts.extend(_joined(run))
            run = []
        if part.bare:
            run.append(part)
        else:
            parts.append(part)
    parts.extend(_joined(run))
    separator = ", " if all(part.bare for part in parts) else "; "
    return parts, separator


def _unique(items: Iterable[CitationItem]) -> list[CitationItem]:
    """Return the items with repeats left out, in the order written."""
    return list(dict.fromkeys(items))


def _joined(run: list[Printed]) -> list[Printed]:
    """Return a run of numbers in a row as one range when it is long enough, else as it is."""
    if len(run) < RUN:
        return run
    return [Printed((run[0].ends[0], run[-1].ends[0]))]


def bracketed(
    parts: Sequence[Printed],
    separator: str,
    number: Callable[[str, int], str],
    escape: Callable[[str], str] = str,
) -> str:
    """Return ``[see 1, p. 4; 5–7]``: numbers as ``number(key, n)`` writes them, words escaped."""
    printed = []
    for part in parts:
        text = RANGE_DASH.join(number(key, value) for key, value in part.ends)
        if part.prefix:
            text = f"{escape(part.prefix)} {text}"
        printed.append(f"{text}, {escape(part.locator)}" if part.locator else text)
    return f"[{separator.join(printed)}]"


def narrative_name(meta: Mapping[str, object], names: Mapping[str, str]) -> str:
    """Return the name a narrative citation prints: capitalised when it starts a sentence."""
    keys = meta.get("keys")
    name = names.get(keys[0], "") if isinstance(keys, list) and keys else ""
    return name[:1].upper() + name[1:] if meta.get("sentence_start") else name
