"""Turn a brief's HTML into a tagged PDF with WeasyPrint, its fonts and stylesheets kept warm."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from briefkit.model.choices import PdfVariant, Variant
from briefkit.rendering import footnotes
from briefkit.rendering.fetcher import Fetcher, style_aliases
from briefkit.rendering.theme import Theme

if TYPE_CHECKING:
    from briefkit.rendering.linked_data import SectionPart
    from briefkit.rendering.pdf.glyphs import Undrawn
    from briefkit.rendering.pdf.weasyprint.layout import TagSource

# The names WeasyPrint gives the variants.
_WEASYPRINT_VARIANTS = {
    PdfVariant.UA1: "pdf/ua-1",
    PdfVariant.A3B: "pdf/a-3b",
    PdfVariant.X4: "pdf/x-4",
}


@dataclass(frozen=True)
class PdfAttachment:
    """A file carried inside the PDF (the brief's source, for PDF/A-3b)."""

    name: str
    data: bytes
    description: str


@dataclass(frozen=True)
class PdfDocument:
    """One document for the engine: its HTML, where it reads from, and how to make it."""

    html: str
    fetcher: Fetcher
    base: str
    variant: Variant
    # Files the PDF carries (its source, for PDF/A-3b), dated modified.
    attachments: Sequence[PdfAttachment]
    modified: dt.datetime
    # Listed, with their kinds, in the PDF's XMP metadata.
    sections: Sequence[SectionPart] = ()


class WrittenPdf(NamedTuple):
    """A finished PDF, what WeasyPrint and the finishing warned of, and what it drew as .notdef."""

    data: bytes
    warnings: list[str]
    undrawn: list[Undrawn]


class PdfEngine:
    """WeasyPrint with one theme's fonts and stylesheets, loaded once and reused across briefs."""

    def __init__(self, theme: Theme) -> None:
        from briefkit.rendering.pdf.weasyprint.layout import import_weasyprint

        import_weasyprint()
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        self.theme = theme
        self.font_config = FontConfiguration()
        self._aliases = style_aliases(theme.style_roots)
        self._theme_fetcher = Fetcher(theme.style_roots, aliases=self._aliases).for_weasyprint()
        self._css_class = CSS
        self._sheets: dict[Path, Any] = {}

    def stylesheets(self, variant: Variant) -> list[Any]:
        """Return parsed stylesheets for a variant, parsing each file once.

        A PDF for a print shop (marks asked for, or X-4) gets marks and bleed.
        """
        names = ["base.css", "pdf.css", f"paper-{variant.paper}.css"]
        if variant.marked:
            names.append("print-marks.css")
        if variant.pdf_variant is PdfVariant.X4:
            names.append("print-cmyk.css")
        paths = [self.theme.style(name) for name in names]
        extra = self.theme.optional_style("extra.css")
        if extra:
            paths.append(extra)
        return [self._sheet(path) for path in paths]

    def _sheet(self, path: Path) -> Any:
        """Parse a stylesheet once; the theme's digest changes when any file does."""
        if path not in self._sheets:
            self._sheets[path] = self._css_class(
                string=path.read_text(encoding="utf-8"),
                base_url=self._url_of(path),
                url_fetcher=self._theme_fetcher,
                font_config=self.font_config,
            )
        return self._sheets[path]

    def _url_of(self, path: Path) -> str:
        """Return a stylesheet's URL under its folder's alias, the same on every machine."""
        for alias, root in self._aliases.items():
            if path.resolve().is_relative_to(root.resolve()):
                return f"file://{alias}/{path.resolve().relative_to(root.resolve()).as_posix()}"
        return path.as_uri()

    def render(self, document: PdfDocument) -> WrittenPdf:
        """Return one document's PDF, its warnings, and the characters it could not draw."""
        from briefkit.rendering.pdf.conformance import finish_pdf
        from briefkit.rendering.pdf.glyphs import reported_characters

        with _captured_warnings() as warnings:
            written = self._write(document, warnings)
        # The laid-out pages are gone by now: a long brief's boxes and its parsed PDF are
        # never in memory together.
        # WeasyPrint warns at every .notdef it draws; the check names each character once.
        reported, warnings = reported_characters(warnings)
        finished, shortcomings, undrawn = finish_pdf(
            *written,
            document.variant.pdf_variant,
            preparation(document.variant, self.theme),
            reported=reported,
            sections=document.sections,
        )
        return WrittenPdf(finished, warnings + shortcomings, undrawn)

    def _write(self, document: PdfDocument, warnings: list[str]) -> tuple[bytes, list[TagSource]]:
        """Lay out and write the PDF as WeasyPrint makes it, with its structure's sources."""
        from weasyprint import HTML, Attachment

        from briefkit.rendering.pdf.weasyprint.layout import recording_tag_sources

        url_fetcher = document.fetcher.for_weasyprint()
        modified = document.modified
        page = HTML(string=document.html, base_url=document.base, url_fetcher=url_fetcher)
        files = [
            Attachment(
                string=item.data,
                name=item.name,
                description=item.description,
                created=modified,
                modified=modified,
                relationship="Source",
                url_fetcher=url_fetcher,
            )
            for item in document.attachments
        ]
        pdf_settings = {
            "pdf_variant": _WEASYPRINT_VARIANTS[document.variant.pdf_variant],
            "pdf_tags": True,
            "attachments": files or None,
        }
        layout_settings = {
            "stylesheets": self.stylesheets(document.variant),
            "font_config": self.font_config,
            **pdf_settings,
        }
        laid_out = footnotes.render_with_notes_in_place(page, layout_settings, warnings)
        with recording_tag_sources() as sources:
            pdf = laid_out.write_pdf(**pdf_settings)
        return bytes(pdf), sources


def preparation(variant: Variant, theme: Theme) -> Callable[[Any], None] | None:
    """Return what readies the written PDF for a print shop, if it goes to one."""
    if not variant.marked:
        return None
    from briefkit.rendering.pdf.printing import prepare_print, theme_profiles

    profiles = theme_profiles(theme) if variant.pdf_variant is PdfVariant.X4 else None
    return partial(prepare_print, profiles=profiles)


@contextmanager
def _captured_warnings() -> Iterator[list[str]]:
    """Collect WeasyPrint's warnings and errors instead of letting them reach the terminal."""
    messages: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    logger = logging.getLogger("weasyprint")
    handler = Collect(level=logging.WARNING)
    logger.addHandler(handler)
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
