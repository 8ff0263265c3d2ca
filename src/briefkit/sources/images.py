"""Check image references: local files inside the brief's folder, in formats every output takes."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from briefkit.errors import Findings

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


def check_image(source: Path, src: str, line: int, findings: Findings, col: int = 1) -> Path | None:
    """Return the image file that src names, or record why it cannot be used."""
    if not src.strip():
        findings.error(line, "image has no path", col)
        return None
    if _SCHEME.match(src) or src.startswith(("/", "\\")):
        findings.error(
            line,
            f"image '{src}' is a URL or an absolute path: images must be files in the "
            "brief's folder (remote fetching is off)",
            col,
        )
        return None
    folder = source.parent.resolve()
    target = (folder / src).resolve()
    if not target.is_relative_to(folder):
        findings.error(line, f"image '{src}' is outside the brief's folder", col)
        return None
    if not target.is_file():
        findings.error(line, f"image '{src}' does not exist", col)
        return None
    if target.suffix.lower() not in IMAGE_TYPES:
        allowed = ", ".join(sorted(IMAGE_TYPES))
        findings.error(line, f"image '{src}' is not a supported type ({allowed})", col)
        return None
    problem = image_problem(target)
    if problem:
        findings.error(line, f"image '{src}' {problem}", col)
        return None
    return target


def image_problem(path: Path) -> str | None:
    """Return why an image file cannot be used, or None if it decodes within the limits."""
    from PIL import Image  # Pillow is only needed when a brief has images.

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    return f"is {width}×{height} pixels; the limit is {MAX_PIXELS:,} pixels"
                expected = IMAGE_TYPES[path.suffix.lower()].split("/")[1].upper()
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
