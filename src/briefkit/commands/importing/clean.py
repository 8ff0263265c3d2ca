"""Clean the text an importer hands on: composed, visible, spaced as the language sets it.

Text pasted from web pages and Word carries characters a reader never sees: zero-width spaces
and joiners that split a word for search, bidirectional controls that can reverse what a line
shows (check refuses them), and non-breaking spaces typed for layout. They are removed or made
plain spaces here, and counted, so the command can say what it cleaned.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

# What check warns about as zero-width (U+200B, U+2060-U+2064, U+FEFF, U+180E), and the
# bidirectional embeddings, overrides and isolates it refuses. Zero-width joiners (U+200C,
# U+200D) are kept: Devanagari, Arabic script and emoji need them.
_ZERO_WIDTH = "\u200b\u2060\u2061\u2062\u2063\u2064\ufeff\u180e"
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Other control characters but tab and line feed: check refuses them too.
_CONTROLS = "".join(chr(c) for c in (*range(0x20), *range(0x7F, 0xA0)) if chr(c) not in "\t\n")
_REMOVED = {
    **dict.fromkeys(_ZERO_WIDTH, "zero-width character"),
    **dict.fromkeys(_BIDI, "bidirectional control character"),
    **dict.fromkeys(_CONTROLS, "control character"),
}
_HIDDEN = re.compile(f"[{re.escape(''.join(_REMOVED))}]")
_NO_BREAK = re.compile("[\u00a0\u202f]")
# French sets a no-break space before ; : ! ? » and after «.
_FRENCH_BEFORE = ";:!?»"
# A no-break space before a per cent or per mille sign, or French punctuation, keeps it.
_BEFORE = f"%‰{_FRENCH_BEFORE}"
# A line that says only how long the text takes to read: "4 min read", "Reading time: 4 min".
READING_TIME = re.compile(
    r"^\s*(?:\d+\s*(?:min|mins|minutes?)\.?\s*(?:read|reading)|reading time:?\s*\d+\s*\w*)\s*$",
    re.I,
)
_FRENCH_AFTER = "«"


class Cleaner:
    """Clean text, counting what it removed or changed, for the report."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def text(self, value: str) -> str:
        """Return value composed (NFC), hidden characters removed, no-break spaces where due."""
        composed = unicodedata.normalize("NFC", value)
        visible = _HIDDEN.sub(self._remove, composed)
        return _NO_BREAK.sub(self._space, visible)

    def report(self) -> list[str]:
        """Return one line per kind of character cleaned, with its count."""
        return [f"{count} {what}{'' if count == 1 else 's'}" for what, count in self.counts.items()]

    def _remove(self, found: re.Match[str]) -> str:
        """Count a hidden character and remove it."""
        self.counts[f"removed {_REMOVED[found.group()]}"] += 1
        return ""

    def _space(self, found: re.Match[str]) -> str:
        """Keep a no-break space where it belongs; make any other a plain space, counted."""
        if keeps_no_break(found.string, found.start()):
            return found.group()
        self.counts["no-break space made a plain space"] += 1
        return " "


def keeps_no_break(text: str, at: int) -> bool:
    """Tell whether the no-break space at text[at] belongs: numbers, dates, %, French marks.

    A digit on either side binds a number to its unit, its month or its next group
    (10 000, 23 November 2025, 10 %); French punctuation keeps it before ; : ! ? » and
    after «.
    """
    before = text[at - 1] if at > 0 else " "
    after = text[at + 1] if at + 1 < len(text) else " "
    if before.isdigit() or after.isdigit():
        return True
    return after in _BEFORE or before in _FRENCH_AFTER
