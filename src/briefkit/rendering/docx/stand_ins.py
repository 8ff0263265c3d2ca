"""Hand pandoc a small stand-in for each image, and put the image's own bytes in afterwards.

pandoc decodes a data: URI slowly and keeps it whole on its heap several times over: a 21 MiB
PNG shown twice took it 21 s and 2 GB. It needs only an image's format, pixel size and
resolution to place it, so it gets a one-colour image of the same format, size and
resolution, marked with a word no other image holds; the finished package's picture that
holds that word gets the checked image's bytes, read through the fetcher.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, PngImagePlugin

from briefkit.rendering.fetcher import Fetcher, media_type

MEDIA = "word/media/"
# Pillow's names for the formats a brief's images may have.
_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF"}


@dataclass
class StandIns:
    """The stand-in of each image used so far, by the mark it carries."""

    fetcher: Fetcher
    uris: dict[Path, str] = field(default_factory=dict)
    images: dict[bytes, Path] = field(default_factory=dict)

    def uri(self, path: Path) -> str:
        """Return the data: URI of an image's stand-in, made once per image."""
        if path not in self.uris:
            mark = f"briefkit-stand-in-{len(self.uris) + 1:06d}".encode("ascii")
            self.images[mark] = path
            kind = media_type(path)
            data = stand_in(self.fetcher.read(path), _FORMATS[kind], mark)
            self.uris[path] = f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"
        return self.uris[path]

    def real(self, name: str, body: bytes) -> bytes:
        """Return a package entry with a stand-in's bytes replaced by its image's own."""
        if not name.startswith(MEDIA):
            return body
        for mark, path in self.images.items():
            if mark in body:
                return self.fetcher.read(path)
        return body


def stand_in(data: bytes, kind: str, mark: bytes) -> bytes:
    """Return a one-colour image of an image's format, pixel size and resolution, marked."""
    with Image.open(io.BytesIO(data)) as image:
        size, dpi = image.size, image.info.get("dpi")
    options: dict[str, object] = {"dpi": dpi} if dpi else {}
    if kind == "PNG":
        text = PngImagePlugin.PngInfo()
        text.add_text("Comment", mark.decode("ascii"))
        options["pnginfo"] = text
    else:
        options["comment"] = mark
    buffer = io.BytesIO()
    Image.new("L" if kind != "GIF" else "P", size).save(buffer, kind, **options)
    return buffer.getvalue()
