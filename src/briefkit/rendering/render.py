"""Render one loaded brief into one format, in memory, ready to be written or sent."""

from __future__ import annotations

import datetime as dt

from briefkit.config import Config
from briefkit.model.brief import Brief, CheckedImage
from briefkit.model.choices import Variant
from briefkit.model.edition import FULL, Edition
from briefkit.rendering.fetcher import BRIEF_ALIAS, Fetcher, style_aliases
from briefkit.rendering.font_subset import system_font_files
from briefkit.rendering.formats import Rendered, RenderRequest, get_format, registry
from briefkit.rendering.theme import Theme
from briefkit.rendering.view import Imprint


def imprint_for(
    config: Config,
    modified: dt.datetime,
    logo: CheckedImage | None,
    published: str | None = None,
) -> Imprint:
    """Return the choices every format of a brief shares in one build.

    published is where the brief's PDF is served once published, for "Cite this brief".
    """
    return Imprint(
        labels=config.labels,
        modified=modified,
        toc_min_sections=config.build.toc_min_sections,
        organisation_url=config.organisation.url,
        corrections_policy=config.organisation.corrections_policy,
        logo=logo,
        certified_by=config.epub.certified_by,
        published=published,
    )


class Renderer:
    """Render briefs with one theme, each format through its entry in the registry."""

    def __init__(self, theme: Theme, time_limit: float = 0) -> None:
        self.theme = theme
        self.time_limit = time_limit

    def fetcher(self, brief: Brief, imprint: Imprint) -> Fetcher:
        """Return the one fetcher for a brief: its checked images and logo, the theme's styles.

        The system fonts the EPUB and HTML may embed are allowed by name, never their folders.
        """
        logo = [imprint.logo] if imprint.logo else []
        return Fetcher(
            [brief.folder, *self.theme.style_roots],
            system_font_files(),
            {BRIEF_ALIAS: brief.folder, **style_aliases(self.theme.style_roots)},
            [*brief.images, *logo],
        )

    def render(
        self,
        brief: Brief,
        fmt: str,
        imprint: Imprint,
        edition: Edition = FULL,
        variant: Variant | None = None,
    ) -> Rendered:
        """Render one edition of a brief in one format and variant; nothing is written here."""
        shown = imprint.of_brief(brief)
        request = RenderRequest(
            brief,
            edition,
            variant or Variant(),
            shown,
            self.theme,
            self.fetcher(brief, shown),
            self.time_limit,
        )
        return get_format(str(fmt)).render(request)


def release_engines() -> None:
    """Let every format drop the engines it keeps warm (WeasyPrint's fonts)."""
    for output_format in registry().values():
        output_format.release()
