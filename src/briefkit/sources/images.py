"""Check image references: files in the brief's folder, read once, in formats every output takes.

An image is read here, when the brief is loaded, and only here: the bytes checked are the bytes
every output embeds, so a file swapped during a build (for a link to a secret) changes nothing.
"""

from __future__ import annotations

import io
import os
import re
import warnings
from pathlib import Path

from briefkit.errors import Findings
from briefkit.files import FileRefused, read_regular
from briefkit.model.brief import CheckedImage

IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
}
MAX_PIXELS = 40_000_000
# A 40-megapixel photograph is about 20 MB as a JPEG; nothing a brief shows needs more bytes.
MAX_IMAGE_BYTES = 50 * 1024 * 1024
# Outputs show a GIF's first frame only; thousands of frames would only cost time to read.
MAX_FRAMES = 200
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def image_path(folder: Path, src: str) -> Path:
    """Return the path an image reference names inside a (resolved) folder, without resolving."""
    return Path(os.path.normpath(folder / src))


def check_image(
    source: Path, src: str, line: int, findings: Findings, col: int = 1
) -> CheckedImage | None:
    """Read the image that src names, once, and return it; or record why it cannot be used."""
    found = read_image(source, src)
    if isinstance(found, str):
        findings.error(line, found, col)
        return None
    return found


def read_image(source: Path, src: str) -> CheckedImage | str:
    """Read and check the image that src names; return it, or why it cannot be used."""
    if not src.strip():
        return "image has no path"
    if _SCHEME.match(src) or src.startswith(("/", "\\")):
        return (
            f"image '{src}' is a URL or an absolute path: images must be files in the "
            "brief's folder (remote fetching is off)"
        )
    folder = source.parent.resolve()
    target = image_path(folder, src)
    # Resolving only looks the name up; it tells a link that leads out from one that stays in.
    if not target.is_relative_to(folder) or not target.resolve().is_relative_to(folder):
        return f"image '{src}' is outside the brief's folder"
    if target.suffix.lower() not in IMAGE_TYPES:
        allowed = ", ".join(sorted(IMAGE_TYPES))
        return f"image '{src}' is not a supported type ({allowed})"
    try:
        data = read_regular(target, MAX_IMAGE_BYTES, within=folder)
    except FileRefused as exc:
        return f"image '{src}' {exc.reason}"
    problem = image_problem(data, target.suffix)
    if problem:
        return f"image '{src}' {problem}"
    return CheckedImage(target, data, IMAGE_TYPES[target.suffix.lower()])


def image_problem(data: bytes, suffix: str) -> str | None:
    """Return why an image's bytes cannot be used, or None if they decode within the limits."""
    from PIL import Image  # Pillow is only needed when a brief has images.

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    return f"is {width}×{height} pixels; the limit is {MAX_PIXELS:,} pixels"
                expected = IMAGE_TYPES[suffix.lower()].split("/")[1].upper()
                if image.format != expected:
                    return f"holds {image.format or 'unknown'} data, not {expected}"
                frames = int(getattr(image, "n_frames", 1))
                if frames > MAX_FRAMES:
                    return f"has {frames:,} frames; the limit is {MAX_FRAMES}"
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return f"has too many pixels; the limit is {MAX_PIXELS:,}"
    except (OSError, SyntaxError, ValueError) as exc:
        return f"cannot be read as an image ({exc})"
    return None


def media_type(path: Path) -> str:
    """Return the media type of a supported image."""
    return IMAGE_TYPES[path.suffix.lower()]
