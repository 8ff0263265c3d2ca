r"""Characters a source may not hold, or holds unseen: controls, text reversers, invisible marks.

The same rules read the raw text of a source and every value of its front matter once YAML
has read it, as YAML escapes (``"\u202E"``, ``"\x01"``) make any character from plain text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container, Iterator
from functools import cache
from typing import NamedTuple

from briefkit.errors import Severity

# C0 and C1 controls and DEL: tab and line feed are text, and every other one breaks an
# output (EPUBCheck refuses the EPUB, mail headers and PDF metadata cannot hold them).
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# Characters that reorder the text around them ("Trojan source"): a reader sees one thing,
# and the file says another. Right-to-left text needs none of them.
DIRECTION = re.compile("[\u202a-\u202e\u2066-\u2069]")

# Characters that show nothing and join nothing: pasted from the web, they split a word for
# searches and copies while looking whole. The joiners that scripts need (U+200C, U+200D), the
# direction marks (U+200E, U+200F, U+061C) and the soft hyphen are not among them.
INVISIBLE = re.compile("[\u180e\u200b\u2060-\u2064\ufeff]")

# Halves of UTF-16 pairs: no UTF-8 file holds them, but a YAML escape ("\ud83d\ude00") makes
# two of them, unpaired, which nothing can write out again.
SURROGATE = re.compile("[\ud800-\udfff]")

# Unicode's stream-safe text format (UAX #15) allows 30 non-starters (combining marks) in a row;
# no script needs more, and thousands on one letter take layout minutes.
MAX_NON_STARTERS = 30
# Unicode gives a non-zero combining class only to characters below U+20000 (a test checks it).
LAST_COMBINING = 0x20000


class Problem(NamedTuple):
    """A character, or run of them, that a text may not hold, found at an offset.

    The message is written only for the problems shown: a file may hold millions.
    """

    offset: int
    kind: str
    code: int  # the character's code point; 0 for a run of marks
    detail: str = ""  # what may not hold a control; a run's length; a citation's text
    escaped: bool = False  # made by a YAML escape, so not to be seen where it is reported

    @property
    def severity(self) -> Severity:
        """Return how serious the problem is: an invisible character is a warning."""
        return Severity.WARNING if self.kind == "invisible" else Severity.ERROR

    @property
    def message(self) -> str:
        """Return the sentence that says what is wrong and what to do."""
        message = _MESSAGES[self.kind].format(code=self.code, detail=self.detail)
        return f"{message} (it is written as an escape in this value)" if self.escaped else message


_MESSAGES = {
    "control": "a control character (U+{code:04X}) cannot stand in {detail}: remove it",
    "direction": (
        "an invisible character that reverses the text around it (U+{code:04X}): remove it; "
        "right-to-left text needs no such marks, and [text]{{lang=ar}} marks its language"
    ),
    "invisible": (
        "an invisible character (U+{code:04X}) stands here: readers cannot see it, and "
        "searches miss the word it splits; remove it"
    ),
    "marks": (
        "{detail} accents or other combining marks follow one another here; Unicode's "
        f"stream-safe text allows at most {MAX_NON_STARTERS}: remove the extra ones"
    ),
    "surrogate": (
        "half of a UTF-16 pair (U+{code:04X}) cannot stand in {detail}: write the character "
        "itself, or its escape as \\U followed by eight hex digits"
    ),
    "citation": "citation {detail!r} holds an invisible character (U+{code:04X}): retype it",
}


@cache
def _non_starter_run() -> re.Pattern[str]:
    """Return a pattern for a run of more non-starters than stream-safe text allows."""
    marks = "".join(
        re.escape(chr(code))
        for code in range(0x300, LAST_COMBINING)
        if unicodedata.combining(chr(code))
    )
    # The look-behind starts a match only at a run's first mark, so each run is read once.
    return re.compile(f"(?<![{marks}])[{marks}]{{{MAX_NON_STARTERS + 1},}}")


def problems(text: str, where: str, skip: Container[str] = ()) -> Iterator[Problem]:
    """Yield the controls, text reversers, invisible characters and runs of marks in text.

    Kinds in skip are not looked for: a reporter that has shown enough of them says so.
    """
    if "control" not in skip:
        yield from controls(text, where)
    if text.isascii():
        return  # the other characters are none of them ASCII
    if "direction" not in skip:
        for match in DIRECTION.finditer(text):
            yield Problem(match.start(), "direction", ord(match.group()))
    if "invisible" not in skip:
        for match in INVISIBLE.finditer(text):
            yield Problem(match.start(), "invisible", ord(match.group()))
    if "surrogate" not in skip:
        for match in SURROGATE.finditer(text):
            yield Problem(match.start(), "surrogate", ord(match.group()), where)
    if "marks" not in skip:
        for match in _non_starter_run().finditer(text):
            yield Problem(match.start(), "marks", 0, f"{len(match.group()):,}")


def controls(text: str, where: str) -> Iterator[Problem]:
    """Yield each control character; where says what may not hold one ("front matter")."""
    for match in CONTROL.finditer(text):
        yield Problem(match.start(), "control", ord(match.group()), where)
