"""The one module that reads WeasyPrint's layout internals, for the version range it supports.

WeasyPrint has no public API for where footnotes land, so this reads its page boxes; nor for
which HTML element each element of the PDF's structure tree comes from, so this notes that
while WeasyPrint writes the tree (``recording_tag_sources``); while it writes, it also maps
the glyphs WeasyPrint leaves without characters and gives shaped text its ``ActualText``.
The range below is the one ``pyproject.toml`` allows and the test suite checks against.
"""

from __future__ import annotations

import contextlib
import io
import sys
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from briefkit.system.workers import without_forks

SUPPORTED = (70, 71)  # from 70.0 up to, not including, 71

# The key WeasyPrint's structure elements carry, while the PDF is written, to their source.
SOURCE_KEY = "BKSrc"


def import_weasyprint() -> None:
    """Import WeasyPrint, letting the dynamic loader find its libraries by their sonames.

    For each library WeasyPrint tries the names it has on every platform in turn. On Linux
    each name that is not a file's (``libpango-1.0-0``, ``pango-1.0``) makes cffi call
    ``ctypes.util.find_library``, which runs ldconfig, gcc and ld: 22 searches, 86 programs
    (214 ``execve`` calls with the PATH lookups) and a third of a second, before the soname
    that was further down the list all along is tried.
    While WeasyPrint loads, that search finds nothing, so the list goes on to the soname,
    which the loader opens itself. Should the import fail so (a system whose sonames differ),
    WeasyPrint is imported again with the search, as it would be without briefkit.
    """
    # One thread at a time patches the search, and no worker is forked meanwhile: it would
    # start with WeasyPrint half imported, and wait forever for the thread importing it.
    with without_forks():
        if "weasyprint" in sys.modules or not sys.platform.startswith("linux"):
            return
        import ctypes.util

        search = ctypes.util.find_library
        ctypes.util.find_library = _found_nothing
        try:
            # WeasyPrint prints its installation advice before it raises: not ours to show.
            with contextlib.redirect_stdout(io.StringIO()):
                import weasyprint  # noqa: F401
        except OSError:
            for name in [n for n in sys.modules if n.partition(".")[0] == "weasyprint"]:
                del sys.modules[name]
        finally:
            ctypes.util.find_library = search


def _found_nothing(name: str) -> str | None:
    """Find no library, at once, however it is named."""
    return None


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


@dataclass(frozen=True)
class TagSource:
    """The HTML a structure element of the PDF was made from.

    ``key`` is the same for every fragment of one box (a paragraph on two pages, a span on two
    lines), ``element`` for every box of one HTML element (a note and its call); ``place``
    says whether it came from a page margin, the footnote area or a leader.
    """

    key: int
    element: int
    tag: str
    pseudo: str
    classes: frozenset[str]
    lang: str | None
    scope: str | None
    place: str


@dataclass
class _Recorder:
    """The sources noted while one PDF is written."""

    sources: list[TagSource] = field(default_factory=list)
    keys: dict[tuple[int, str, str, bool], int] = field(default_factory=dict)
    elements: dict[int, int] = field(default_factory=dict)
    margin_depth: int = 0

    def note(self, box: Any) -> int:
        """Note where a box's structure element came from; return its index."""
        from weasyprint.formatting_structure.boxes import FootnoteAreaBox

        element = box.element
        tag, _, pseudo = (box.element_tag or "").partition("::")
        anonymous = type(box.style).__name__ == "AnonymousStyle"
        identity = (id(element), box.element_tag or "", type(box).__name__, anonymous)
        key = self.keys.setdefault(identity, len(self.keys))
        place = ""
        if self.margin_depth:
            place = "margin"
        elif isinstance(box, FootnoteAreaBox):
            place = "footnote-area"
        elif getattr(box, "is_leader", False):
            place = "leader"
        attributes = {} if element is None or pseudo else element.attrib
        self.sources.append(
            TagSource(
                key=key,
                element=self.elements.setdefault(id(element), len(self.elements)),
                tag="" if element is None else tag,
                pseudo=pseudo,
                classes=frozenset(str(attributes.get("class", "")).split()),
                lang=attributes.get("lang") or None,
                scope=attributes.get("scope") or None,
                place=place,
            )
        )
        return len(self.sources) - 1


_recorder: ContextVar[_Recorder | None] = ContextVar("briefkit_tag_recorder", default=None)


@contextmanager
def recording_tag_sources() -> Iterator[list[TagSource]]:
    """Note the source of each structure element WeasyPrint writes within the block.

    Each element gets ``/BKSrc`` (its index in the list yielded), which post-processing reads
    and removes. WeasyPrint builds the tree with one recursive function; wrapping it is the
    only way to learn, for instance, that two paragraphs on two pages are one. Within the
    block, too, every glyph shown maps to characters, and shaped text carries what it spells.
    """
    _install_recorder()
    _install_glyph_mapping()
    _install_actual_text()
    recorder = _Recorder()
    token = _recorder.set(recorder)
    try:
        yield recorder.sources
    finally:
        _recorder.reset(token)


def _install_recorder() -> None:
    """Wrap WeasyPrint's structure-tree builder once, so it notes each element's source."""
    from weasyprint.pdf import tags

    original = tags._build_box_tree
    if getattr(original, "briefkit_recorder", False):
        return

    def build(box: Any, parent: Any, *args: Any) -> Iterator[Any]:
        recorder = _recorder.get()
        if recorder is None:
            yield from original(box, parent, *args)
            return
        from weasyprint.formatting_structure.boxes import MarginBox
        from weasyprint.layout.absolute import AbsolutePlaceholder

        source = box._box if isinstance(box, AbsolutePlaceholder) else box
        margin = isinstance(source, MarginBox)
        recorder.margin_depth += margin
        try:
            for element in original(box, parent, *args):
                # The page, html and body boxes pass their children's elements on.
                if SOURCE_KEY not in element:
                    element[SOURCE_KEY] = recorder.note(source)
                yield element
        finally:
            recorder.margin_depth -= margin

    build.briefkit_recorder = True  # type: ignore[attr-defined]
    tags._build_box_tree = build


def _install_glyph_mapping() -> None:
    """Wrap WeasyPrint's font writer once, so every glyph it shows maps to characters."""
    from weasyprint import pdf

    original = pdf.build_fonts_dictionary
    if getattr(original, "briefkit_mapping", False):
        return

    def build(document: Any, fonts: dict[str, Any], *args: Any) -> Any:
        if _recorder.get() is not None:
            for font in fonts.values():
                _map_unmapped_glyphs(font)
        return original(document, fonts, *args)

    build.briefkit_mapping = True  # type: ignore[attr-defined]
    pdf.build_fonts_dictionary = build


def _install_actual_text() -> None:
    """Wrap WeasyPrint's marking of text once, so shaped clusters carry the text they spell.

    A glyph maps to one fixed text, but a cluster of marks and letters is drawn by glyphs in
    another order than the text's, or by a glyph that means other letters elsewhere; an
    ``ActualText`` span around the line's glyphs gives readers and text extraction its words.
    """
    from weasyprint.pdf.stream import Stream

    original = Stream.marked
    if getattr(original, "briefkit_actual_text", False):
        return

    @contextmanager
    def marked(stream: Any, box: Any, tag: str) -> Iterator[None]:
        with original(stream, box, tag):
            text: str = getattr(box, "text", None) or ""
            if _recorder.get() is None or stream._tags is None or not _is_shaped(text):
                yield
                return
            stream.begin_marked_content("Span", _actual_text(text))
            try:
                yield
            finally:
                stream.end_marked_content()

    marked.briefkit_actual_text = True  # type: ignore[attr-defined]
    Stream.marked = marked


def _actual_text(text: str) -> bytes:
    """Return a marked-content property list whose ActualText is text (UTF-16, hexadecimal)."""
    return b"<</ActualText <FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">>>"


def _is_shaped(text: str) -> bool:
    """Tell whether text holds marks that shaping joins to letters (vowel signs, viramas)."""
    return any(unicodedata.category(c).startswith("M") for c in text)


def _map_unmapped_glyphs(font: Any) -> None:
    """Map the glyphs WeasyPrint gave no text (all but one of a cluster's) to what they draw."""
    from briefkit.rendering.pdf.unicode import glyph_characters

    empty = [glyph for glyph, text in font.to_unicode.items() if not text]
    if empty:
        font.to_unicode.update(glyph_characters(font.file_content, font.index, empty))
