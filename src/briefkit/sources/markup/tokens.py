"""Walk parsed Markdown tokens: the inline children where citations, images and notes live."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from markdown_it.token import Token

from briefkit.model.brief import Section


def inline_children(tokens: Iterable[Token]) -> Iterator[Token]:
    """Yield every inline child of the given block tokens, figures' images included.

    Children come in reading order, each followed by its own (an image's alt text); a loop
    with a stack, not recursion, so no nesting can exhaust Python's stack.
    """
    for token in tokens:
        stack = list(reversed(token.children or []))
        while stack:
            child = stack.pop()
            yield child
            stack.extend(reversed(child.children or []))


def of_type(tokens: Iterable[Token], kind: str) -> Iterator[Token]:
    """Yield inline children of one type."""
    return (child for child in inline_children(tokens) if child.type == kind)


def footnote_ids(tokens: Iterable[Token]) -> list[int]:
    """Return the ids of footnotes referenced from tokens, in order, without repeats."""
    ids: list[int] = []
    for ref in of_type(tokens, "footnote_ref"):
        note = int(ref.meta["id"])
        if note not in ids:
            ids.append(note)
    return ids


def with_notes(tokens: list[Token], footnotes: dict[int, list[Token]]) -> list[Token]:
    """Return tokens followed by the bodies of the footnotes they reference."""
    out = list(tokens)
    for note in footnote_ids(tokens):
        out.extend(footnotes.get(note, []))
    return out


def citation_order(sections: Iterable[Section], footnotes: dict[int, list[Token]]) -> list[str]:
    """Return cited keys in order of first citation, headings and footnotes included."""
    keys: list[str] = []
    for section in sections:
        # A reader meets a section's heading before its text.
        read = with_notes([section.heading, *section.tokens], footnotes)
        for cite in of_type(read, "citation"):
            keys.extend(k for k in cite.meta["keys"] if k not in keys)
    return keys
