"""Show paths to people: relative to the current folder when they lie inside it."""

from __future__ import annotations

from pathlib import Path


def shown(path: Path) -> Path:
    """Return path relative to the current folder when it is inside it, else as it is.

    A relative path is kept as the user wrote it; an absolute one is shortened against the
    current folder as named and as resolved, since watchers report resolved paths.
    """
    if not path.is_absolute():
        return path
    here = Path.cwd()
    for base in (here, here.resolve()):
        if path.is_relative_to(base):
            return path.relative_to(base)
    return path
