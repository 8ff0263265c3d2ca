"""Keep every PDF footnote on the page of its call.

WeasyPrint lays out a call whose note does not fit on the same page, then moves the note to a
later page or, on the last page, drops it. After layout this module finds such notes and moves
the paragraph that calls them to the next page, then lays out again.
"""

from __future__ import annotations

from typing import Any

from briefkit.rendering.weasyprint_layout import footnote_pages

MAX_ATTEMPTS = 4
# Blocks a forced page break can be given to, nearest first.
_HOSTS = {"p", "li", "tr", "dd", "blockquote", "h3", "h4", "h5", "h6", "figcaption"}


def render_with_notes_in_place(html: Any, settings: dict[str, Any], warnings: list[str]) -> Any:
    """Lay out html, repairing misplaced footnotes, and return the laid-out document."""
    document = html.render(**settings)
    for _ in range(MAX_ATTEMPTS):
        misplaced = misplaced_notes(document)
        if not misplaced or not _break_before_calls(html.etree_element, misplaced):
            break
        document = html.render(**settings)
    for note_id in misplaced_notes(document):
        warnings.append(f"footnote {note_id} could not be kept on the page that calls it")
    return document


def misplaced_notes(document: Any) -> list[str]:
    """Return ids of footnotes that are not on the page of their call."""
    calls, bodies = footnote_pages(document)
    return [note for note, page in calls.items() if bodies.get(note) != page]


def _break_before_calls(root: Any, note_ids: list[str]) -> bool:
    """Force a page break before the block calling each note; tell whether anything changed."""
    parents = {child: parent for parent in root.iter() for child in parent}
    changed = False
    for note_id in note_ids:
        element = next((e for e in root.iter() if e.get("id") == note_id), None)
        target = _break_target(element, parents) if element is not None else None
        if target is not None and "break-before" not in (target.get("style") or ""):
            target.set("style", "break-before: page")
            changed = True
    return changed


def _break_target(element: Any, parents: dict[Any, Any]) -> Any:
    """Return the block to move: the host block, or its section when it opens the section."""
    host = parents.get(element)
    while host is not None and _tag(host) not in _HOSTS:
        host = parents.get(host)
    if host is None:
        return None
    body = parents.get(host)
    if body is not None and "section-body" in (body.get("class") or "") and body[0] is host:
        return parents.get(body)
    return host


def _tag(element: Any) -> str:
    """Return an element's tag without namespace."""
    return str(element.tag).rsplit("}", 1)[-1]
