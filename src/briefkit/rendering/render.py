"""Render one loaded brief into one format, in memory, ready to be written or sent."""

from __future__ import annotations

import atexit
import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from urllib.parse import quote

from briefkit.config import Config
from briefkit.errors import Finding, UsageError
from briefkit.model.brief import Brief, CheckedImage
from briefkit.model.choices import Format, Paper, PdfVariant
from briefkit.rendering.fetcher import BRIEF_ALIAS, Fetcher, style_aliases
from briefkit.rendering.font_subset import system_font_files
from briefkit.rendering.fragments import Flavour
from briefkit.rendering.htmldoc import render_document
from briefkit.rendering.linked_data import section_parts
from briefkit.rendering.pdf.engine import PdfAttachment, PdfEngine, PdfOptions
from briefkit.rendering.pdf.glyphs import undrawn_findings
from briefkit.rendering.theme import Theme
from briefkit.rendering.view import Edition, build_view
from briefkit.system.workers import run_limited


@dataclass(frozen=True)
class RenderOptions:
    """How to render: the edition, and the PDF's paper, marks and variant."""

    facts_only: bool = False
    paper: Paper = Paper.A4
    print_marks: bool = False
    pdf_variant: PdfVariant = PdfVariant.UA1

    def key(self, fmt: Format) -> str:
        """Return the options that shape one format, so changing the others rebuilds nothing."""
        if fmt is Format.PDF:
            return repr(self)
        return f"facts_only={self.facts_only}"


@dataclass
class Rendered:
    """The bytes of one format of a brief, and what the renderer warned about."""

    data: bytes
    warnings: list[str] = field(default_factory=list)
    # What rendering found in the source: characters the PDF could not draw.
    findings: list[Finding] = field(default_factory=list)


def edition_for(
    config: Config,
    facts_only: bool,
    modified: dt.datetime,
    logo: CheckedImage | None,
    published: str | None = None,
) -> Edition:
    """Return the choices every format of a brief shares in one build.

    published is where the brief's PDF is served once published, for "Cite this brief".
    """
    return Edition(
        labels=config.labels,
        modified=modified,
        facts_only=facts_only,
        toc_min_sections=config.build.toc_min_sections,
        organisation_url=config.organisation.url,
        corrections_policy=config.organisation.corrections_policy,
        logo=logo,
        certified_by=config.epub.certified_by,
        published=published,
    )


class Renderer:
    """Render briefs with one theme; WeasyPrint is imported and loaded on the first PDF."""

    def __init__(self, theme: Theme) -> None:
        self.theme = theme

    @cached_property
    def pdf_engine(self) -> PdfEngine:
        """Return the PDF engine, created on first use."""
        return PdfEngine(self.theme)

    def fetcher(self, brief: Brief, edition: Edition) -> Fetcher:
        """Return the one fetcher for a brief: its checked images and logo, the theme's styles.

        The system fonts the EPUB and HTML may embed are allowed by name, never their folders.
        """
        logo = [edition.logo] if edition.logo else []
        return Fetcher(
            [brief.folder, *self.theme.style_roots],
            system_font_files(),
            {BRIEF_ALIAS: brief.folder, **style_aliases(self.theme.style_roots)},
            [*brief.images, *logo],
        )

    def render(
        self, brief: Brief, fmt: Format, edition: Edition, options: RenderOptions
    ) -> Rendered:
        """Render one format of a brief; nothing is written here."""
        edition = edition.of_brief(brief)
        fetcher = self.fetcher(brief, edition)
        if fmt is Format.PDF:
            return self._pdf(brief, edition, options, fetcher)
        if fmt is Format.EPUB:
            from briefkit.rendering.epub.book import render_epub

            return Rendered(render_epub(brief, self.theme, edition, fetcher))
        if fmt is Format.HTML:
            from briefkit.rendering.html.page import render_web

            return Rendered(render_web(brief, self.theme, edition, fetcher))
        raise UsageError(f"unknown format {fmt!r}")

    def _pdf(
        self, brief: Brief, edition: Edition, options: RenderOptions, fetcher: Fetcher
    ) -> Rendered:
        """Render a brief to PDF bytes, with WeasyPrint's warnings."""
        # Images are addressed relative to the brief's folder, so no folder name of the
        # author's machine is written into the PDF.
        view = build_view(
            brief,
            Flavour.PRINT,
            edition,
            fetcher,
            image_src=lambda path: quote(path.relative_to(brief.folder).as_posix()),
        )
        html = render_document(view, self.theme, "pdf.html", edition.modified)
        attachments = []
        if options.pdf_variant is PdfVariant.A3B:
            attachments.append(
                PdfAttachment(
                    brief.path.name, brief.raw, "The briefing source this PDF was made from"
                )
            )
        pdf_options = PdfOptions(options.paper, options.print_marks, options.pdf_variant)
        written = self.pdf_engine.render(
            html,
            fetcher,
            fetcher.url(BRIEF_ALIAS),
            pdf_options,
            attachments,
            edition.modified,
            sections=section_parts(view),
        )
        return Rendered(written.data, written.warnings, undrawn_findings(brief, written.undrawn))


def render_limited(
    theme: Theme,
    brief: Brief,
    fmt: Format,
    edition: Edition,
    options: RenderOptions,
    limit: float,
) -> Rendered:
    """Render one format of a brief in a worker process stopped after limit seconds (0: none)."""
    if fmt is Format.PDF:
        preload_pdf_engine()
    renderer = renderer_for(theme)
    return run_limited(lambda: renderer.render(brief, fmt, edition, options), limit)


def preload_pdf_engine() -> None:
    """Import WeasyPrint now, so the worker processes forked after this start with it loaded.

    A worker started in place of one stopped at the time limit then spends its own time
    limit on its brief, not on importing the engine again.
    """
    from briefkit.rendering.pdf.weasyprint.layout import import_weasyprint

    import_weasyprint()


@lru_cache(maxsize=2)
def renderer_for(theme: Theme) -> Renderer:
    """Return this process's renderer for a theme, so worker processes keep WeasyPrint warm.

    A theme is its folders and the digest of their files, so an edited theme gets a new
    renderer; two are kept, the current one and the one before it.
    """
    return Renderer(theme)


# WeasyPrint's font configuration cleans up after itself when collected; collecting the kept
# renderers before the interpreter tears its modules down lets it do so quietly.
atexit.register(renderer_for.cache_clear)
