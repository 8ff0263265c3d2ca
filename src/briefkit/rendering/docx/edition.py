"""Render one edition of a brief as a .docx: the view, pandoc's AST, pandoc, the finish."""

from __future__ import annotations

import tempfile
from pathlib import Path

from briefkit.rendering.docx.blocks import Sources, Walker
from briefkit.rendering.docx.document import document
from briefkit.rendering.docx.package import Properties, finish
from briefkit.rendering.docx.pandoc import write_docx
from briefkit.rendering.docx.stand_ins import StandIns
from briefkit.rendering.formats import RenderRequest
from briefkit.rendering.fragments import FragmentRenderer, source_names
from briefkit.rendering.view import BriefView


def render_docx(request: RenderRequest, reference: bytes) -> bytes:
    """Return the .docx of one edition, styled by the reference document's bytes."""
    brief, fetcher = request.brief, request.fetcher
    # The view gives the words, numbers and sections; its HTML bodies are not used here.
    view = request.view(FragmentRenderer, lambda path: "")
    images = StandIns(fetcher)
    walker = Walker(
        sources=Sources(
            numbers={source.key: source.number for source in view.sources},
            names=source_names(brief.meta.sources, view.language),
        ),
        folder=brief.folder,
        images={image.path: image for image in brief.images},
        footnotes=brief.footnotes,
        language=view.language,
        data_uri=images.uri,
    )
    content = document(view, walker)
    with tempfile.TemporaryDirectory(prefix="briefkit-docx-") as folder:
        # pandoc's sandbox reads a file named on its command line: a copy of the bytes read.
        staged = Path(folder) / "reference.docx"
        staged.write_bytes(reference)
        written = write_docx(content, staged, request.imprint.modified, request.time_limit)
    return finish(written, properties(view, request), images.real)


def properties(view: BriefView, request: RenderRequest) -> Properties:
    """Return the core properties: the edition's title, its authors, subject and keywords."""
    meta = view.meta
    return Properties(
        title=view.edition_title,
        creator="; ".join(view.author_names) or (meta.organisation or ""),
        subject=meta.subtitle or meta.series or "",
        keywords=", ".join(meta.keywords),
        language=meta.language,
        created=request.imprint.modified,
        modified=request.imprint.modified,
    )
