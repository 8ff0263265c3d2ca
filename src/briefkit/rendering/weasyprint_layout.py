"""The one module that reads WeasyPrint's layout internals, for the version range it supports.

WeasyPrint has no public API for where footnotes land, so this reads its page boxes; nor does
it write an element's language into the PDF's tags, so this adds it while tags are built. The
range below is the one ``pyproject.toml`` allows and the test suite checks against.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def languages_tagged() -> Iterator[None]:
    """Give each tag of an element with a lang attribute its /Lang, while a PDF is written.

    WeasyPrint builds the tag of every box with one recursive function, looked up by name at
    each call: replacing it for the time of writing reaches every box.
    """
    from weasyprint.pdf import tags

    string = tags.pydyf.String  # the PDF writer WeasyPrint's tags module uses

    build = tags._build_box_tree

    def build_with_language(box: Any, *rest: Any) -> Iterator[Any]:
        element = getattr(box, "element", None)
        language = element.get("lang") if element is not None else None
        for tag in build(box, *rest):
            # The root's language is the document's (/Lang of the catalogue) already.
            if language and box.element_tag not in ("html", "body") and "Lang" not in tag:
                tag["Lang"] = string(language)
            yield tag

    tags._build_box_tree = build_with_language
    try:
        yield
    finally:
        tags._build_box_tree = build


def _boxes(box: Any) -> Iterator[Any]:
    """Yield a box and all its descendants."""
    stack = [box]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(getattr(current, "children", None) or []))
