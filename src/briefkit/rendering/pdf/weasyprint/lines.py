"""Two repairs to WeasyPrint's line breaking, for the version range weasyprint_layout supports.

A run of text that ends in a space before an inline element (a citation, emphasis, a link, a
note's call) is measured with that space. When the run fits on its line only without it,
WeasyPrint 70 takes it for a run with no break point that fits, and hyphenates its first word
or breaks after it, leaving the line half empty ("held a cru-" / "cial bilateral meeting").
A space at the end of a line hangs (CSS Text 3, white-space), so such a run fits: it is set
on the line, and the element after it, if that does not fit, breaks the line as usual.

WeasyPrint has no ``hyphenate-limit-lines``: a line that follows a line ending in a hyphen
(one WeasyPrint added, or a compound's own) is set without automatic hyphenation, so no two
hyphenated lines stand in a row.

Both are wrappers around WeasyPrint's own functions, installed once per process; outside the
supported versions nothing is changed.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from briefkit.rendering.pdf.weasyprint.layout import SUPPORTED

# WeasyPrint's own bound: a character is never narrower than a quarter of the font size.
_CHARACTERS_PER_EM = 4
_HYPHENS = "-\u2010"  # hyphen-minus and hyphen, as typed in a compound
_NEAREST = 8  # boxes looked at either side of a line's start for the characters there

_after_hyphen: ContextVar[bool] = ContextVar("briefkit_after_hyphen", default=False)


def install_line_breaking() -> None:
    """Wrap WeasyPrint's line splitting once, if its version is one this module knows."""
    from weasyprint.layout import inline

    if getattr(inline.split_first_line, "briefkit_lines", False) or not weasyprint_supported():
        return
    inline.split_first_line = _splitter(inline.split_first_line)
    inline.get_next_linebox = _line_maker(inline.get_next_linebox)


def weasyprint_supported() -> bool:
    """Tell whether the installed WeasyPrint is in the range these repairs were made for."""
    import weasyprint

    major = int(weasyprint.__version__.split(".")[0])
    return SUPPORTED[0] <= major < SUPPORTED[1]


def _splitter(original: Any) -> Any:
    """Return WeasyPrint's split_first_line with both repairs."""

    def split_first_line(
        text: str, style: Any, context: Any, max_width: float | None, *args: Any, **kwargs: Any
    ) -> Any:
        if _after_hyphen.get() and style["hyphens"] == "auto":
            style = _without_auto_hyphens(style)
        if _fits_without_trailing_spaces(text, style, context, max_width, *args[:1]):
            max_width = None  # no break needed: the trailing spaces hang
        return original(text, style, context, max_width, *args, **kwargs)

    split_first_line.briefkit_lines = True  # type: ignore[attr-defined]
    return split_first_line


def _line_maker(original: Any) -> Any:
    """Return WeasyPrint's get_next_linebox, hyphenating no line after a hyphenated one."""

    def get_next_linebox(
        context: Any,
        linebox: Any,
        position_y: float,
        bottom_space: float,
        skip_stack: Any,
        *args: Any,
    ) -> Any:
        with _hyphenation_paused(_follows_a_hyphen(linebox, skip_stack)):
            return original(context, linebox, position_y, bottom_space, skip_stack, *args)

    return get_next_linebox


@contextmanager
def _hyphenation_paused(paused: bool) -> Iterator[None]:
    """Turn automatic hyphenation off, within the block, when paused."""
    token = _after_hyphen.set(paused)
    try:
        yield
    finally:
        _after_hyphen.reset(token)


def _without_auto_hyphens(style: Any) -> Any:
    """Return a copy of a computed style that hyphenates only at soft hyphens."""
    copy = style.copy()
    copy["hyphens"] = "manual"
    return copy


def _fits_without_trailing_spaces(
    text: str, style: Any, context: Any, max_width: float | None, spacing: float = 0
) -> bool:
    """Tell whether a run ending in spaces fits in the width once they hang."""
    if style["white_space"] != "normal" or max_width is None or math.isinf(max_width):
        return False
    stripped = text.rstrip(" ")
    if stripped == text or not stripped or not style["font_size"]:
        return False
    if len(stripped) > max_width / style["font_size"] * _CHARACTERS_PER_EM:
        return False  # far too long for one line: not worth laying out
    from weasyprint.text.line_break import create_layout, line_size

    layout = create_layout(stripped, style, context, max_width, spacing)
    first_line, next_line = layout.get_first_line()
    width, _ = line_size(first_line, style)
    layout.deactivate()
    return next_line is None and width <= max_width


def _follows_a_hyphen(linebox: Any, skip_stack: Any) -> bool:
    """Tell whether a line starts inside a word: the line before ends in a hyphen.

    The hyphen is one WeasyPrint added ("cru-cial") or the word's own ("medium-sized"):
    after either, a second hyphen at the end of the next line would make a ladder.
    """
    before, after = _characters_around(linebox, skip_stack)
    return after.isalpha() and (before.isalpha() or before in _HYPHENS)


def _characters_around(box: Any, skip_stack: Any) -> tuple[str, str]:
    """Return the characters either side of where a skip stack resumes ("" for none).

    It resumes inside a text box, or at the start of a box ("Indo-" then a span holding
    "Pacific"), where the characters are the end of the boxes before and the start of those
    after.
    """
    from weasyprint.formatting_structure.boxes import TextBox

    while skip_stack:
        ((index, deeper),) = skip_stack.items()
        if isinstance(box, TextBox):
            # WeasyPrint encodes the text at each line too; a character is at most 4 bytes.
            encoded = box.text.encode()
            return (
                encoded[max(0, index - 4) : index].decode(errors="ignore")[-1:],
                encoded[index : index + 4].decode(errors="ignore")[:1],
            )
        children = getattr(box, "children", None) or ()
        if index >= len(children):
            return "", ""
        if deeper is None:
            before = children[max(0, index - _NEAREST) : index]
            return _edge(before[::-1], last=True), _edge(children[index : index + _NEAREST], False)
        box, skip_stack = children[index], deeper
    return "", ""


def _edge(boxes: Any, last: bool) -> str:
    """Return the first character of the first box that has text (its last, when last).

    Only the nearest few boxes are looked at, so a line after thousands of images, or of
    spans without text, costs no more than any other.
    """
    from weasyprint.formatting_structure.boxes import TextBox

    pending = list(boxes)[::-1]  # a stack: the nearest box on top
    for _ in range(_NEAREST):
        if not pending:
            break
        box = pending.pop()
        if isinstance(box, TextBox):
            text: str = box.text
            if text:
                return text[-1:] if last else text[:1]
            continue
        children = list(getattr(box, "children", None) or ())
        pending.extend(children if last else reversed(children))
    return ""
