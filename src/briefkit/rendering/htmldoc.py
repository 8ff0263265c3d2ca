"""Render a brief's view into a complete HTML document through the theme's templates."""

from __future__ import annotations

import datetime as dt

from markupsafe import Markup

from briefkit.rendering.theme import Theme
from briefkit.rendering.view import BriefView
from briefkit.system.clock import w3c
from briefkit.version import __version__


def render_document(
    view: BriefView, theme: Theme, template: str, modified: dt.datetime, stylesheet: str = ""
) -> str:
    """Return the HTML document for a view; stylesheet text is inlined where a template asks."""
    return theme.render(
        template,
        view.language,
        view=view,
        version=__version__,
        modified=w3c(modified),
        stylesheet=Markup(stylesheet),
    )
