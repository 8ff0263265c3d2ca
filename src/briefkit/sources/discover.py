"""Find the briefing sources named on the command line."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from briefkit.errors import BriefkitError


class UsageError(BriefkitError):
    """The command line names something that cannot be used (exit status 2)."""


def find_sources(paths: Iterable[Path]) -> list[Path]:
    """Return the Markdown files named, searching folders recursively, without repeats."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.md") if not _hidden(p.relative_to(path))))
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), _relative(path))
    return list(unique.values())


def _relative(path: Path) -> Path:
    """Return path relative to the current folder when inside it, for shorter messages."""
    if not path.is_absolute():
        return path
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _hidden(relative: Path) -> bool:
    """Tell whether a path lies in a hidden folder or is a hidden file."""
    return any(part.startswith(".") for part in relative.parts)
