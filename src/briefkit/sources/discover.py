"""Find the briefing sources named by the user, and where each one's outputs go."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePath

from briefkit.errors import UsageError
from briefkit.paths import shown

SOURCE_SUFFIX = ".md"


@dataclass(frozen=True)
class SourceFile:
    """A briefing source, and its place below the output folder (``2025/note.md``)."""

    path: Path
    relative: PurePath


def find_sources(paths: Iterable[Path], briefings: Path) -> list[SourceFile]:
    """Return the Markdown files named, searching folders recursively, without repeats.

    Outputs mirror the folders of the workspace's briefings/ (``briefings/2025/note.md`` is
    written as ``2025/note.*``) however the source was named; a source elsewhere is placed
    relative to the folder it was found in, or by its name alone when named as a file.
    """
    found: dict[Path, SourceFile] = {}
    home = briefings.resolve()
    for path in paths:
        for source, base in _expand(path):
            real = source.resolve()
            if real.is_relative_to(home):
                relative = PurePath(real.relative_to(home))
            else:
                relative = PurePath(source.relative_to(base)) if base else PurePath(source.name)
            found.setdefault(real, SourceFile(shown(source), relative))
    return list(found.values())


def _expand(path: Path) -> list[tuple[Path, Path | None]]:
    """Return the sources a path names, each with the folder it was found in, if any."""
    if path.is_dir():
        sources = sorted(
            p for p in path.rglob(f"*{SOURCE_SUFFIX}") if p.is_file() and not hidden(p, path)
        )
        return [(source, path) for source in sources]
    if path.is_file():
        if path.suffix.lower() != SOURCE_SUFFIX:
            raise UsageError(f"{path}: not a briefing source (expected a {SOURCE_SUFFIX} file)")
        return [(path, None)]
    raise UsageError(f"{path}: no such file or folder")


def hidden(path: Path, folder: Path) -> bool:
    """Tell whether a path below folder lies in a hidden folder or is a hidden file."""
    return any(part.startswith(".") for part in path.relative_to(folder).parts)
