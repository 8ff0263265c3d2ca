"""The Word format: a .docx for clearance rounds, written by pandoc from the brief's model."""

from __future__ import annotations

from pathlib import Path

from briefkit.errors import BriefkitError
from briefkit.files import FileRefused, read_regular
from briefkit.rendering.formats import OutputFormat, Rendered, RenderRequest
from briefkit.rendering.theme import Theme

# Where the house style lives in a theme's templates folder: a workspace's own wins.
REFERENCE = Path("docx") / "reference.docx"
# A reference document is styles and a few pages of samples; a larger one is not one.
REFERENCE_LIMIT = 16 * 1024 * 1024


class DocxFormat(OutputFormat):
    """Word, with real headings, footnotes and styles a house restyles in its theme."""

    name = "docx"
    suffix = ".docx"
    media_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    attachable = True

    def render(self, request: RenderRequest) -> Rendered:
        """Render the Word file."""
        from briefkit.rendering.docx.edition import render_docx

        return Rendered(render_docx(request, reference_bytes(request.theme)))


def reference_bytes(theme: Theme) -> bytes:
    """Return the first reference.docx in the theme's templates folders, read once."""
    for folder in theme.template_dirs:
        path = folder / REFERENCE
        if path.exists() or path.is_symlink():
            try:
                return read_regular(path, REFERENCE_LIMIT, within=folder)
            except FileRefused as exc:
                raise BriefkitError(
                    f"{path}: cannot use it as the Word style: {exc.reason}"
                ) from exc
    raise BriefkitError(f"theme: templates/{REFERENCE.as_posix()} not found")


DOCX = DocxFormat()
