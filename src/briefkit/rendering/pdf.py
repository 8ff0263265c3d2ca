"""Turn a brief's HTML into a tagged PDF with WeasyPrint, imported once per process."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefkit.rendering import footnotes
from briefkit.rendering.fetcher import Allowed, make_fetcher
from briefkit.rendering.theme import Theme

PDF_VARIANTS = {"ua-1": "pdf/ua-1", "a-3b": "pdf/a-3b"}


@dataclass(frozen=True)
class PdfOptions:
    """Page and conformance choices for one PDF."""

    paper: str = "a4"
    print_marks: bool = False
    variant: str = "ua-1"


@dataclass(frozen=True)
class PdfAttachment:
    """A file carried inside the PDF (the brief's source, for PDF/A-3b)."""

    path: Path
    description: str


class PdfEngine:
    """WeasyPrint with the theme's fonts and stylesheets loaded once and reused across briefs."""

    def __init__(self, theme: Theme) -> None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        self.theme = theme
        self.font_config = FontConfiguration()
        self._theme_fetcher = make_fetcher(Allowed(theme.style_roots))
        self._css_class = CSS
        self._sheets: dict[Path, tuple[tuple[int, int], Any]] = {}

    def stylesheets(self, options: PdfOptions) -> list[Any]:
        """Return parsed stylesheets for the options, parsing each file once."""
        names = ["base.css", "pdf.css", f"paper-{options.paper}.css"]
        if options.print_marks:
            names.append("print-marks.css")
        paths = [self.theme.style(name) for name in names]
        extra = self.theme.optional_style("extra.css")
        if extra:
            paths.append(extra)
        return [self._sheet(path) for path in paths]

    def _sheet(self, path: Path) -> Any:
        """Parse a stylesheet once per engine, and again when the file changes."""
        stat = path.stat()
        version = (stat.st_mtime_ns, stat.st_size)
        cached = self._sheets.get(path)
        if cached is None or cached[0] != version:
            sheet = self._css_class(
                string=path.read_text(encoding="utf-8"),
                base_url=path.as_uri(),
                url_fetcher=self._theme_fetcher,
                font_config=self.font_config,
            )
            cached = self._sheets[path] = (version, sheet)
        return cached[1]

    def render(
        self,
        html: str,
        folder: Path,
        options: PdfOptions,
        attachments: list[PdfAttachment],
        modified: dt.datetime,
    ) -> tuple[bytes, list[str]]:
        """Return the PDF bytes and WeasyPrint's warnings for one document."""
        from weasyprint import HTML, Attachment

        fetcher = make_fetcher(Allowed([folder, *self.theme.style_roots]))
        variant = PDF_VARIANTS[options.variant]
        with _captured_warnings() as warnings:
            document = HTML(string=html, base_url=folder.as_uri() + "/", url_fetcher=fetcher)
            files = [
                Attachment(
                    string=item.path.read_bytes(),
                    name=item.path.name,
                    description=item.description,
                    created=modified,
                    modified=modified,
                    relationship="Source",
                    url_fetcher=fetcher,
                )
                for item in attachments
            ]
            pdf_settings = {"pdf_variant": variant, "pdf_tags": True, "attachments": files or None}
            layout_settings = {
                "stylesheets": self.stylesheets(options),
                "font_config": self.font_config,
                **pdf_settings,
            }
            laid_out = footnotes.render_with_notes_in_place(document, layout_settings, warnings)
            pdf = laid_out.write_pdf(**pdf_settings)
        return bytes(pdf), warnings


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


_ENGINES: dict[tuple[Path, ...], PdfEngine] = {}


def engine_for(theme: Theme) -> PdfEngine:
    """Return this process's engine for a theme, creating it on first use."""
    if theme.folders not in _ENGINES:
        _ENGINES[theme.folders] = PdfEngine(theme)
    return _ENGINES[theme.folders]
