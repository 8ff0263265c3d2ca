"""The single-file HTML page: the brief with its styles and images inlined, for web and preview."""

from __future__ import annotations

from briefkit.model.brief import Brief
from briefkit.rendering.fetcher import Fetcher
from briefkit.rendering.fragments import Flavour
from briefkit.rendering.htmldoc import render_document
from briefkit.rendering.theme import Theme
from briefkit.rendering.view import Edition, build_view

WEB_STYLES = ("base.css", "screen.css")


def render_web(brief: Brief, theme: Theme, edition: Edition, fetcher: Fetcher) -> bytes:
    """Return a self-contained HTML document for a brief."""
    view = build_view(brief, Flavour.WEB, edition, fetcher, image_src=fetcher.data_uri)
    css = "\n".join(theme.style(name).read_text(encoding="utf-8") for name in WEB_STYLES)
    extra = theme.optional_style("extra.css")
    if extra:
        css += "\n" + extra.read_text(encoding="utf-8")
    return render_document(view, theme, "web.html", edition.modified, stylesheet=css).encode(
        "utf-8"
    )
