"""The single-file HTML page: the brief with its styles and images inlined, for web and preview."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from briefkit.config import Labels
from briefkit.fragments import Flavour
from briefkit.htmldoc import render_document
from briefkit.images import data_uri
from briefkit.model import Brief
from briefkit.theme import Theme
from briefkit.view import build_view

WEB_STYLES = ("base.css", "screen.css")


def render_web(
    brief: Brief,
    theme: Theme,
    labels: Labels,
    *,
    facts_only: bool = False,
    modified: dt.datetime,
    organisation_url: str | None = None,
    logo: Path | None = None,
) -> bytes:
    """Return a self-contained HTML document for a brief."""
    view = build_view(
        brief,
        Flavour.WEB,
        labels,
        facts_only=facts_only,
        image_src=data_uri,
        organisation_url=organisation_url,
        logo=data_uri(logo) if logo else None,
    )
    css = "\n".join(theme.style(name).read_text(encoding="utf-8") for name in WEB_STYLES)
    extra = theme.optional_style("extra.css")
    if extra:
        css += "\n" + extra.read_text(encoding="utf-8")
    return render_document(view, theme, "web.html", modified, stylesheet=css).encode("utf-8")
