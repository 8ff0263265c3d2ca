"""The PDF format: tagged PDF/UA-1 by default, archival PDF/A-3b, or made for print (X-4)."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote

from briefkit.model.choices import PdfVariant
from briefkit.rendering.fetcher import BRIEF_ALIAS
from briefkit.rendering.formats import OutputFormat, Rendered, RenderRequest
from briefkit.rendering.htmldoc import render_document
from briefkit.rendering.linked_data import section_parts
from briefkit.rendering.markup.pdf import PrintRenderer
from briefkit.rendering.pdf.engine import PdfAttachment, PdfDocument, PdfEngine
from briefkit.rendering.pdf.glyphs import undrawn_findings
from briefkit.rendering.theme import Theme
from briefkit.system.scratch import scratch_subfolder


class PdfFormat(OutputFormat):
    """A paged PDF rendered by WeasyPrint, kept loaded per theme between briefs."""

    name = "pdf"
    suffix = ".pdf"
    media_type = "application/pdf"
    attachable = True
    variant_fields = frozenset({"paper", "print_marks", "pdf_variant"})

    def render(self, request: RenderRequest) -> Rendered:
        """Render a brief to PDF bytes, with WeasyPrint's warnings."""
        brief, imprint, fetcher = request.brief, request.imprint, request.fetcher
        # Images are addressed relative to the brief's folder, so no folder name of the
        # author's machine is written into the PDF.
        view = request.view(
            PrintRenderer, lambda path: quote(path.relative_to(brief.folder).as_posix())
        )
        html = render_document(view, request.theme, "pdf.html", imprint.modified)
        attachments = []
        if request.variant.pdf_variant is PdfVariant.A3B:
            description = "The briefing source this PDF was made from"
            attachments.append(PdfAttachment(brief.path.name, brief.raw, description))
        document = PdfDocument(
            html,
            fetcher,
            fetcher.url(BRIEF_ALIAS),
            request.variant,
            attachments,
            imprint.modified,
            section_parts(view),
        )
        written = engine_for(request.theme).render(document)
        return Rendered(written.data, written.warnings, undrawn_findings(brief, written.undrawn))

    def warm(self) -> None:
        """Import WeasyPrint now, as a new worker does before its first job."""
        from briefkit.rendering.pdf.weasyprint.layout import import_weasyprint

        import_weasyprint()

    def release(self) -> None:
        """Drop the engines kept warm: WeasyPrint's fonts clean up as they are collected."""
        engine_for.cache_clear()


@lru_cache(maxsize=2)
def engine_for(theme: Theme) -> PdfEngine:
    """Return this process's engine for a theme, so worker processes keep WeasyPrint warm.

    A theme is its folders and the digest of their files, so an edited theme gets a new
    engine; two are kept, the current one and the one before it. An engine made during a call
    that renders in its caller's process lasts as long as the call: its fonts are files in the
    call's temporary folder.
    """
    engine = PdfEngine(theme)
    fonts = scratch_subfolder("weasyprint-", engine_for.cache_clear)
    if fonts is not None:
        # WeasyPrint writes the fonts of @font-face rules into a folder it makes in the system's
        # temporary folder, removed when the engine is collected; in a caller's process, they go
        # into the call's, removed with it.
        engine.font_config._folder = fonts
    return engine


PDF = PdfFormat()
