"""The single-file HTML page: the brief with its styles, images and fonts inlined.

The page embeds subsets of the theme's fonts as WOFF2 data: URIs, so it looks the same on
every machine and stays one self-contained file.
"""

from __future__ import annotations

import base64

from briefkit.rendering.font_subset import (
    EmbeddedFont,
    FontFormat,
    embedded_fonts,
    font_face_css,
    visible_text,
)
from briefkit.rendering.formats import RenderRequest
from briefkit.rendering.htmldoc import render_document
from briefkit.rendering.markup.web import WebRenderer
from briefkit.rendering.theme import Theme

WEB_STYLES = ("base.css", "screen.css")


def render_web(request: RenderRequest) -> bytes:
    """Return a self-contained HTML document for a brief."""
    theme, fetcher, modified = request.theme, request.fetcher, request.imprint.modified
    view = request.view(WebRenderer, fetcher.data_uri)
    css = _stylesheet(theme)
    # The page is rendered once to learn which characters it shows, then with their fonts.
    page = render_document(view, theme, "web.html", modified, stylesheet=css)
    text = visible_text([page.encode("utf-8")], css)
    fonts = embedded_fonts(text, theme, fetcher, FontFormat.WOFF2)
    css = font_face_css(theme, fonts, _data_uri) + css
    return render_document(view, theme, "web.html", modified, stylesheet=css).encode("utf-8")


def _stylesheet(theme: Theme) -> str:
    """Return the page's styles: the shared ones, the screen's, and the theme's extra.css."""
    css = "\n".join(theme.style(name).read_text(encoding="utf-8") for name in WEB_STYLES)
    extra = theme.optional_style("extra.css")
    if extra:
        css += "\n" + extra.read_text(encoding="utf-8")
    return css


def _data_uri(font: EmbeddedFont) -> str:
    """Return an embedded font as a data: URI."""
    return f"data:{font.media_type};base64,{base64.b64encode(font.data).decode('ascii')}"
