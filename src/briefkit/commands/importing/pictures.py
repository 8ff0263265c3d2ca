"""Take the images a saved page or a Markdown file shows from the files beside it, never fetched.

An image is kept only when its ``src`` names a file inside the material's own folder (no
address, no absolute path, no ``..`` out of it, no symbolic link on the way), of a type
every output takes (PNG, JPEG, GIF) and within the limits any brief's images have.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from briefkit.commands.importing.extracted import Picture
from briefkit.files import FileRefused, read_regular
from briefkit.sources.images import IMAGE_TYPES, MAX_IMAGE_BYTES, image_problem


def local_pictures(names: list[str], folder: Path) -> tuple[tuple[Picture, ...], list[str]]:
    """Return the pictures that names (img src values) point to in folder, and what was not kept."""
    pictures: list[Picture] = []
    left: list[str] = []
    for name in dict.fromkeys(names):
        found = _picture(name, folder)
        if isinstance(found, str):
            left.append(f"image '{name[:80]}': {found}")
        else:
            pictures.append(found)
    return tuple(pictures), left


def _picture(name: str, folder: Path) -> Picture | str:
    """Return the picture a src names, or why it is not taken."""
    parts = urlsplit(name)
    if parts.scheme or parts.netloc or name.startswith(("/", "\\")):
        return "an address or an absolute path: images are taken from files beside it only"
    relative = unquote(parts.path)
    suffix = Path(relative).suffix.lower()
    if suffix not in IMAGE_TYPES:
        return "not a PNG, JPEG or GIF file"
    target = Path(os.path.normpath(folder / relative))
    try:
        data = read_regular(target, MAX_IMAGE_BYTES, within=folder)
    except FileRefused as exc:
        return exc.reason
    problem = image_problem(data, suffix)
    if problem:
        return problem
    return Picture(name, data, IMAGE_TYPES[suffix])
