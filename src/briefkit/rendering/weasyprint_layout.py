"""The one module that reads WeasyPrint's layout internals, for the version range it supports.

WeasyPrint has no public API for where footnotes land, so this reads its page boxes. The
range below is the one ``pyproject.toml`` allows and the test suite checks against.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

SUPPORTED = (70, 71)  # from 70.0 up to, not including, 71


def footnote_pages(document: Any) -> tuple[dict[str, int], dict[str, int]]:
    """Return, by note id, the page of each footnote call and of each footnote body."""
    from weasyprint.formatting_structure.boxes import FootnoteAreaBox

    calls: dict[str, int] = {}
    bodies: dict[str, int] = {}
    for number, page in enumerate(document.pages):
        for area in page._page_box.children:
            in_notes = isinstance(area, FootnoteAreaBox)
            for box in _boxes(area):
                element = getattr(box, "element", None)
                note = getattr(box, "footnote", None)
                if in_notes and element is not None and element.get("id"):
                    bodies.setdefault(element.get("id"), number)
                elif note is not None and note.element is not None:
                    calls.setdefault(note.element.get("id", ""), number)
    return calls, bodies


def _boxes(box: Any) -> Iterator[Any]:
    """Yield a box and all its descendants."""
    stack = [box]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(getattr(current, "children", None) or []))
