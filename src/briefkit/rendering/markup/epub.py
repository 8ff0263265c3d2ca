"""The EPUB's markup: XHTML note references, languages marked twice, figures sized by width."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from briefkit.model.figure_width import FigureWidth
from briefkit.rendering.fetcher import Fetcher
from briefkit.rendering.fragments import FragmentRenderer, css_length


class EpubRenderer(FragmentRenderer):
    """Markup for an EPUB's XHTML content documents."""

    name = "epub"
    citation_ids = True

    @classmethod
    def logo_src(cls, logo: Path, fetcher: Fetcher, image_src: Callable[[Path], str]) -> str | None:
        """Return no logo: an EPUB carries only the brief's images; its cover names the house."""
        return None

    def _note_call(self, number: int, ref_id: str, note_anchor: str) -> str:
        """Return a note reference that reading systems open as a pop-up."""
        return (
            f'<a epub:type="noteref" role="doc-noteref" class="noteref" '
            f'id="{ref_id}" href="#{note_anchor}">{number}</a>'
        )

    def _language_span(self, language: str) -> str:
        """Return a span in another language, marked with xml:lang too, as XHTML reads it."""
        return f'<span lang="{language}" xml:lang="{language}">'

    def _figure_style(self, width: FigureWidth | None, pixels: tuple[int, int]) -> list[str]:
        """Return a figure's width alone, as e-readers take it."""
        return [] if width is None else [f"width: {css_length(width)}"]
