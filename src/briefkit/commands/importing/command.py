"""``briefkit import``: start a brief from a saved web page, a Word draft or plain text.

The material is read by the reader of its type into an :class:`Extracted`, written as a brief
source by the one writer, and saved with its images, never over an existing file: every
problem is found before anything is written, and each file is written atomically.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from briefkit.commands.importing.extracted import Extracted
from briefkit.config import CONFIG_NAME, find_workspace
from briefkit.errors import BriefkitError, Finding, UsageError
from briefkit.paths import shown
from briefkit.sources.limits import MAX_FOOTNOTES, MAX_SECTIONS, MAX_SOURCE_BYTES
from briefkit.sources.loader import load_brief
from briefkit.sources.markup.slugs import slug
from briefkit.system.output import write_atomic

# Readers and the writer (trafilatura, lxml, the opinion check) load when an import runs, so
# importing the API for another command costs nothing.
if TYPE_CHECKING:
    from briefkit.commands.importing.writer import Written, WrittenSection

Reader = Callable[[Path], Extracted]
SUFFIXES = (".html", ".htm", ".docx", ".txt", ".md")
# Main text as HTML, markup and all, of which a brief within its limit could be made.
MAX_MATERIAL_BYTES = 4 * MAX_SOURCE_BYTES


@dataclass
class ImportReport:
    """What an import wrote, what it cleaned or left out, and what the writer must confirm."""

    source: Path
    path: Path
    images: list[Path]
    sections: list[WrittenSection]
    cleaned: list[str]
    dropped: list[str]
    undated: bool
    findings: list[Finding] = field(default_factory=list)

    def to_confirm(self) -> list[str]:
        """Return one line per thing the writer must confirm, each at its line in the brief."""
        where = shown(self.path)
        lines = [
            f"{where}:{s.line}: {'title and kind' if s.placeholder else 'kind'} of "
            f"'{s.title}' suggested: .{s.kind}"
            for s in self.sections
        ]
        if self.undated:
            lines.append(f"{where}: the material gives no date: the brief is dated today")
        return lines


def import_source(
    source: str | Path, out: str | Path | None = None, *, today: dt.date | None = None
) -> ImportReport:
    """Write a brief source made from a saved page, a Word draft or text; never overwrite.

    out defaults to the workspace's briefings/<title>.md; the brief's images go into the
    images/ folder beside it.
    """
    from briefkit.commands.importing.writer import write_brief

    material_path = Path(source)
    reader = reader_for(material_path)
    material = reader(material_path)
    _refuse_long_material(material_path, material)
    day = today or dt.date.today()
    target = Path(out) if out is not None else _default_target(material, material_path)
    written = write_brief(material, target.stem, day)
    images = {target.parent / name: data for name, data in written.images.items()}
    _refuse_existing([target, *images])
    _refuse_too_large(target, written)
    _save(target, written.text.encode("utf-8"), images)
    return ImportReport(
        source=material_path,
        path=target,
        images=list(images),
        sections=written.sections,
        cleaned=written.cleaned,
        dropped=written.dropped,
        undated=written.undated,
        findings=load_brief(target).findings,
    )


def reader_for(path: Path) -> Reader:
    """Return the reader of a material's type, or refuse a type briefkit cannot import."""
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        from briefkit.commands.importing.web import read_page

        return read_page
    if suffix == ".docx":
        from briefkit.commands.importing.word import read_word

        return read_word
    if suffix in (".txt", ".md"):
        from briefkit.commands.importing.text import read_text

        return read_text
    raise BriefkitError(
        f"{shown(path)}: cannot import a '{suffix or 'file without a suffix'}' file: "
        f"briefkit imports saved web pages (.html, .htm), Word files (.docx) and text "
        f"(.txt, .md)"
    )


def _default_target(material: Extracted, source: Path) -> Path:
    """Return briefings/<title>.md in the workspace; refuse outside one."""
    workspace = find_workspace()
    if workspace.config_path is None:
        raise UsageError(
            f"no {CONFIG_NAME} in {shown(workspace.root)} or above: run 'briefkit import' in a "
            "workspace (see 'briefkit init'), or name the brief to write with -o FILE"
        )
    name = slug(material.title or "") or slug(source.stem) or "imported"
    return workspace.briefings / f"{name}.md"


def _refuse_existing(paths: list[Path]) -> None:
    """Refuse to go on when any file to be written exists; nothing has been written yet."""
    for path in paths:
        if path.exists() or path.is_symlink():
            raise BriefkitError(f"{shown(path)}: already exists; nothing was written")


def _refuse_long_material(path: Path, material: Extracted) -> None:
    """Refuse main text far longer than a brief may be, before the writer spends time on it."""
    size = len(material.html.encode("utf-8"))
    if size > MAX_MATERIAL_BYTES:
        raise BriefkitError(
            f"{shown(path)}: its main text is {size:,} bytes of HTML, far over a brief's limit "
            f"of {MAX_SOURCE_BYTES:,} bytes: import a shorter part of it; nothing was written"
        )


def _refuse_too_large(target: Path, written: Written) -> None:
    """Refuse a brief larger than a source may be, before anything is written."""
    sizes = (
        (len(written.text.encode("utf-8")), MAX_SOURCE_BYTES, "bytes"),
        (len(written.sections), MAX_SECTIONS, "sections"),
        (written.notes, MAX_FOOTNOTES, "footnotes"),
    )
    for size, limit, what in sizes:
        if size > limit:
            raise BriefkitError(
                f"{shown(target)}: the brief would have {size:,} {what}, over a brief's limit "
                f"of {limit:,}: import a shorter part of the material; nothing was written"
            )


def _save(target: Path, data: bytes, images: dict[Path, bytes]) -> None:
    """Write the images, then the brief; if any write fails, remove what was written."""
    done: list[Path] = []
    try:
        for path, picture in images.items():
            write_atomic(path, picture, target.parent)
            done.append(path)
        write_atomic(target, data, target.parent)
    except BaseException:
        for path in done:
            with contextlib.suppress(OSError):
                path.unlink()
        raise
