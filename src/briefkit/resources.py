"""Locate the built-in theme and samples, both in an installed wheel and in a source checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def builtin_root() -> Path:
    """Return the folder that holds the built-in templates/, styles/ and briefings/."""
    packaged = Path(__file__).resolve().parent / "data"
    if (packaged / "templates").is_dir():
        return packaged
    # A source checkout (or an editable install): the repository root is the built-in workspace.
    return Path(__file__).resolve().parents[2]


def builtin_templates() -> Path:
    """Return the built-in templates folder."""
    return builtin_root() / "templates"


def builtin_styles() -> Path:
    """Return the built-in styles folder."""
    return builtin_root() / "styles"


def builtin_fonts() -> Path:
    """Return the folder of bundled fonts."""
    return builtin_styles() / "fonts"


def builtin_locales() -> Path:
    """Return the folder of message catalogues."""
    return builtin_root() / "locales"
