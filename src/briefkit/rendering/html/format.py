"""The HTML format: one self-contained page, its fonts and images inside it."""

from __future__ import annotations

from briefkit.rendering.formats import OutputFormat, Rendered, RenderRequest


class HtmlFormat(OutputFormat):
    """A single HTML file for the web and for reading on screen."""

    name = "html"
    suffix = ".html"
    media_type = "text/html"

    def render(self, request: RenderRequest) -> Rendered:
        """Render the page."""
        from briefkit.rendering.html.page import render_web

        return Rendered(render_web(request))


HTML = HtmlFormat()
