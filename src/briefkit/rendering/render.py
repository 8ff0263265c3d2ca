"""Render one loaded brief into each requested format, in memory, ready to be written."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from briefkit.config import Config
from briefkit.model.brief import Brief
from briefkit.rendering.fragments import Flavour
from briefkit.rendering.htmldoc import render_document
from briefkit.rendering.pdf import PdfAttachment, PdfOptions, engine_for
from briefkit.rendering.theme import Theme
from briefkit.rendering.view import Edition, build_view


@dataclass(frozen=True)
class RenderOptions:
    """What to produce and how, the same for every brief of a build."""

    formats: tuple[str, ...] = ("pdf", "epub")
    facts_only: bool = False
    paper: str = "a4"
    print_marks: bool = False
    pdf_variant: str = "ua-1"
    logo: Path | None = None


@dataclass
class Rendered:
    """The bytes of each format for one brief, and what the renderers warned about."""

    files: dict[str, bytes] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def edition_for(config: Config, options: RenderOptions, modified: dt.datetime) -> Edition:
    """Return the choices every format of a brief shares in this build."""
    return Edition(
        labels=config.labels,
        modified=modified,
        facts_only=options.facts_only,
        toc_min_sections=config.build.toc_min_sections,
        organisation_url=config.organisation.url,
        logo=options.logo,
    )


def render_brief(
    brief: Brief, theme: Theme, config: Config, options: RenderOptions, modified: dt.datetime
) -> Rendered:
    """Render every requested format of a brief; nothing is written here."""
    edition = edition_for(config, options, modified)
    rendered = Rendered()
    for fmt in options.formats:
        if fmt == "pdf":
            data, warnings = render_pdf(brief, theme, edition, options)
            rendered.warnings.extend(warnings)
        elif fmt == "epub":
            from briefkit.rendering.epub import render_epub

            data = render_epub(brief, theme, edition)
        else:
            from briefkit.rendering.web import render_web

            data = render_web(brief, theme, edition)
        rendered.files[fmt] = data
    return rendered


def render_pdf(
    brief: Brief, theme: Theme, edition: Edition, options: RenderOptions
) -> tuple[bytes, list[str]]:
    """Render a brief to PDF bytes, with WeasyPrint's warnings."""
    view = build_view(brief, Flavour.PRINT, edition)
    html = render_document(view, theme, "pdf.html", edition.modified)
    attachments = []
    if options.pdf_variant == "a-3b":
        attachments.append(PdfAttachment(brief.path, "The briefing source this PDF was made from"))
    pdf_options = PdfOptions(
        paper=options.paper, print_marks=options.print_marks, variant=options.pdf_variant
    )
    return engine_for(theme).render(html, brief.folder, pdf_options, attachments, edition.modified)
