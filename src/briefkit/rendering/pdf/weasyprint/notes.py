"""Keep WeasyPrint from moving a footnote away from its call, for the supported versions.

With ``footnote-policy: line`` a note that does not fit takes the line that calls it to the
next page. WeasyPrint 70 honours that for the line being set, but when a later line of the
page does not fit it first moves notes already on the page to the next one to make room
(``_linebox_layout``: "try to report footnotes"), so a note lands a page after its call.
``footnotes.py`` then forced a page break before the calling block, which left most of a page
empty. Here such a move is refused for notes whose policy is ``line`` or ``block``: the late
line goes to the next page instead, as a line with no notes above it would.

A note is "already on the page" when it was laid out before the line now being set: each
line WeasyPrint sets is counted, and each note remembers the count when it was laid out.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from briefkit.rendering.pdf.weasyprint.lines import weasyprint_supported

_KEPT_POLICIES = ("line", "block")


class _NoteState:
    """What one layout context needs to tell a note set earlier from one set on this line."""

    def __init__(self) -> None:
        self.lines = 0  # the lines WeasyPrint has set so far
        self.laid_at: dict[int, int] = {}  # note box id: the line count when it was laid out
        self.depth = 0  # how many paragraphs' line layouts are running
        self.hidden: tuple[int, list[Any]] | None = None  # notes hidden from the room search


def install_note_policy() -> None:
    """Wrap WeasyPrint's footnote reporting once, if its version is one this module knows."""
    from weasyprint.layout import LayoutContext, block

    installed = getattr(LayoutContext.report_footnote, "briefkit_notes", False)
    if installed or not weasyprint_supported():
        return
    block.iter_line_boxes = _counting_lines(block.iter_line_boxes)
    block._linebox_layout = _restoring_notes(block._linebox_layout)
    LayoutContext.layout_footnote = _noting_layout(LayoutContext.layout_footnote)
    LayoutContext.report_footnote = _refusing_moves(LayoutContext.report_footnote)


def _state(context: Any) -> _NoteState:
    """Return the note state of a layout context, made on first use."""
    state = getattr(context, "briefkit_notes", None)
    if state is None:
        state = _NoteState()
        context.briefkit_notes = state
    return state


def _counting_lines(original: Any) -> Any:
    """Return iter_line_boxes, counting each line it sets."""

    def iter_line_boxes(context: Any, *args: Any) -> Iterator[Any]:
        state = _state(context)
        for item in original(context, *args):
            state.lines += 1
            yield item

    return iter_line_boxes


def _restoring_notes(original: Any) -> Any:
    """Return _linebox_layout, giving back the notes hidden while it looked for room."""

    def linebox_layout(context: Any, *args: Any) -> Any:
        state = _state(context)
        state.depth += 1
        try:
            return original(context, *args)
        finally:
            if state.hidden is not None and state.hidden[0] == state.depth:
                context.current_page_footnotes = state.hidden[1]
                state.hidden = None
            state.depth -= 1

    return linebox_layout


def _noting_layout(original: Any) -> Any:
    """Return LayoutContext.layout_footnote, noting the line count when a note is laid out."""

    def layout_footnote(self: Any, footnote: Any) -> Any:
        result = original(self, footnote)
        state = _state(self)
        state.laid_at[id(footnote)] = state.lines
        return result

    return layout_footnote


def _refusing_moves(original: Any) -> Any:
    """Return LayoutContext.report_footnote, refusing to move a note set on an earlier line."""

    def report_footnote(self: Any, footnote: Any) -> Any:
        state = _state(self)
        laid_at = state.laid_at.get(id(footnote))
        earlier = laid_at is not None and laid_at != state.lines
        if earlier and state.depth and footnote.style["footnote_policy"] in _KEPT_POLICIES:
            # WeasyPrint's search for room goes on while the page has notes: showing it none
            # ends the search, and the line breaks the page as it would on a page without.
            state.hidden = (state.depth, self.current_page_footnotes)
            self.current_page_footnotes = []
            return None
        return original(self, footnote)

    report_footnote.briefkit_notes = True  # type: ignore[attr-defined]
    return report_footnote
