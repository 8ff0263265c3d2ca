"""The EPUB format: one file for e-readers, Kindle's Send to Kindle included."""

from __future__ import annotations

from briefkit.rendering.formats import OutputFormat, Rendered, RenderRequest


class EpubFormat(OutputFormat):
    """EPUB 3, accessible, with its sources and notes."""

    name = "epub"
    suffix = ".epub"
    media_type = "application/epub+zip"
    attachable = True
    settings = (*OutputFormat.settings, "epub.certified_by")

    def render(self, request: RenderRequest) -> Rendered:
        """Render the EPUB."""
        from briefkit.rendering.epub.book import render_epub

        return Rendered(render_epub(request))


EPUB = EpubFormat()
