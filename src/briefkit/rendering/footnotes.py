"""Keep every PDF footnote on the page of its call.

The stylesheet's ``footnote-policy: line`` has WeasyPrint take a line whose note does not fit
to the next page, so the one layout is all a brief takes. A note that fits on no page with
its call (one longer than the room the page leaves, or one WeasyPrint moved to make room for
a later line) is found in that layout's boxes; only then is the paragraph that calls it
given a page break and the document laid out again.
"""

from __future__ import annotations

from typing import Any

from briefkit.rendering.pdf.weasyprint.layout import footnote_pages
from briefkit.rendering.pdf.weasyprint.lines import install_line_breaking
from briefkit.rendering.pdf.weasyprint.notes import install_note_policy

MAX_ATTEMPTS = 4
# Blocks a forced page break can be given to, nearest first.
_HOSTS = {"p", "li", "tr", "dd", "blockquote", "h3", "h4", "h5", "h6", "figcaption"}


def render_with_notes_in_place(html: Any, settings: dict[str, Any], warnings: list[str]) -> Any:
    """Lay out html, repairing misplaced footnotes, and return the laid-out document."""
    # WeasyPrint's line breaking and its moving of notes, repaired once per process.
    install_line_breaking()
    install_note_policy()
    document = html.render(**settings)
    misplaced = misplaced_notes(document)
    for _ in range(MAX_ATTEMPTS):
        if not misplaced or not _break_before_calls(html.etree_element, misplaced):
            break
        document = html.render(**settings)
        misplaced = misplaced_notes(document)
    for note_id in misplaced:
        warnings.append(f"footnote {note_id} could not be kept on the page that calls it")
    return document


def misplaced_notes(document: Any) -> list[str]:
    """Return ids of footnotes that are not on the page of their call."""
    calls, bodies = footnote_pages(document)
    return [note for note, page in calls.items() if bodies.get(note) != page]


def _break_before_calls(root: Any, note_ids: list[str]) -> bool:
    """Force a page break before the block calling each note; tell whether anything changed."""
    parents = {child: parent for parent in root.iter() for child in parent}
    wanted = set(note_ids)
    elements: dict[str, Any] = {}
    for element in root.iter():
        if element.get("id") in wanted:
            elements.setdefault(element.get("id"), element)
    changed = False
    for note_id in note_ids:
        call = elements.get(note_id)
        target = _break_target(call, parents) if call is not None else None
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
