"""A title short enough for a running head: cut at a word, wide characters counted twice."""

from __future__ import annotations

import unicodedata

# A running head holds about this many Latin letters on one line beside the marking; wider
# characters (CJK) count twice. A head is a few words, as printed running heads are.
RUNNING_TITLE_WIDTH = 44
RUNNING_TITLE_WORDS = 5


def running_title(title: str, width: int = RUNNING_TITLE_WIDTH) -> str:
    """Return a title short enough for one line of a running head, cut at a word if it must be.

    A long head wraps and crowds the page, and reads, to a checker, like prose hidden as
    furniture; ``short_title`` in the front matter says it better than any cut.
    """
    words = title.split(" ")
    cut = " ".join(words[:RUNNING_TITLE_WORDS])
    used = 0
    kept = ""
    for character in cut:
        used += _width(character)
        if used > width - 1:  # room for the ellipsis
            break
        kept += character
    if kept == title:
        return title
    space = kept.rfind(" ")
    if len(kept) < len(cut) and space > len(kept) // 2:
        kept = kept[:space]
    return kept.rstrip(" ,.;:·–—-") + "…"


def _width(text: str) -> int:
    """Return how many Latin letters' room text takes: wide and full-width characters two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
