"""What the catalogue takes from each built EPUB: its title and cover; and a thumbnail.

The EPUB already holds the cover (the brief's own, or the one drawn for it), marked in the
package document with ``properties="cover-image"``; the catalogue shows that very image. Its
first ``dc:title``, the main title, is the title the edition goes by (the facts-only one says
so, in the brief's language), so the catalogue names each edition as the reader's app will.
The thumbnail is a JPEG made by Pillow with fixed settings and no metadata, so the same cover
always gives the same bytes.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from lxml import etree  # type: ignore[import-untyped]  # ebooklib's own dependency

from briefkit.delivery.catalogue.atom import PARSER
from briefkit.errors import BriefkitError
from briefkit.rendering.epub.package import OPF_NS

if TYPE_CHECKING:
    from PIL.Image import Image as Picture

CONTAINER_NS = "urn:oasis:names:tc:opendocument:xmlns:container"
DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
# Twice the width the page shows it at, for sharp covers on high-density screens.
THUMBNAIL_BOX = (300, 480)
THUMBNAIL_TYPE = "image/jpeg"
_SUFFIXES = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif"}


@dataclass(frozen=True)
class Image:
    """An image's bytes, type and size in pixels."""

    data: bytes
    media_type: str
    width: int
    height: int

    @property
    def suffix(self) -> str:
        """Return the file name suffix of the image's type."""
        return _SUFFIXES.get(self.media_type, ".img")


@dataclass(frozen=True)
class Packaged:
    """What a built EPUB says of itself that the catalogue shows: its title and its cover."""

    title: str
    cover: Image


def from_epub(epub: Path) -> Packaged:
    """Return the title and cover image a built EPUB carries."""
    try:
        with zipfile.ZipFile(epub) as archive:
            name = _package_path(archive)
            package = etree.fromstring(archive.read(name), PARSER)
            href, media_type = _cover_item(package)
            data = archive.read(posixpath.normpath(posixpath.join(posixpath.dirname(name), href)))
    except (OSError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError) as exc:
        raise BriefkitError(f"{epub}: cannot read the EPUB's cover ({exc})") from exc
    title = package.find(f".//{DC_TITLE}")
    if title is None or not (title.text or "").strip():
        raise BriefkitError(f"{epub}: the EPUB has no title")
    width, height = pixels(data, f"{epub}: the cover")
    return Packaged(str(title.text).strip(), Image(data, media_type, width, height))


def thumbnail(cover: Image) -> Image:
    """Return a JPEG thumbnail of a cover, the same bytes for the same cover."""
    from PIL import Image as Pillow  # Pillow is needed only when publishing.

    with Pillow.open(io.BytesIO(cover.data)) as picture:
        picture.draft("RGB", THUMBNAIL_BOX)  # JPEG covers decode at a smaller scale: faster
        picture.load()
        # Shrink by a whole factor first (cheap), then resample what is left with Lanczos.
        width, height = THUMBNAIL_BOX
        factor = max(1, min(picture.width // width, picture.height // height))
        shrunk = picture.reduce(factor) if factor > 1 else picture.copy()
    flat = _on_white(shrunk)
    flat.thumbnail(THUMBNAIL_BOX, Pillow.Resampling.LANCZOS)
    out = io.BytesIO()
    flat.save(out, format="JPEG", quality=85, optimize=True, progressive=False)
    return Image(out.getvalue(), THUMBNAIL_TYPE, flat.width, flat.height)


def pixels(data: bytes, name: object) -> tuple[int, int]:
    """Return an image's width and height, read from its header."""
    from PIL import Image as Pillow
    from PIL import UnidentifiedImageError

    try:
        with Pillow.open(io.BytesIO(data)) as picture:
            return picture.size
    except (UnidentifiedImageError, OSError) as exc:
        raise BriefkitError(f"{name}: not an image Pillow reads") from exc


def _package_path(archive: zipfile.ZipFile) -> str:
    """Return the path of the package document inside the EPUB."""
    container = etree.fromstring(archive.read("META-INF/container.xml"), PARSER)
    rootfile = container.find(f".//{{{CONTAINER_NS}}}rootfile")
    path = rootfile.get("full-path") if rootfile is not None else None
    if not path:
        raise KeyError("META-INF/container.xml names no package document")
    return str(path)


def _cover_item(package: Any) -> tuple[str, str]:
    """Return the href and media type of the manifest item marked as the cover image."""
    for item in package.iter(f"{{{OPF_NS}}}item"):
        if "cover-image" in (item.get("properties") or "").split():
            return unquote(str(item.get("href", ""))), str(item.get("media-type", ""))
    raise KeyError("the package document marks no cover-image")


def _on_white(picture: Picture) -> Picture:
    """Return an RGB copy of an image, any transparency laid on white."""
    from PIL import Image as Pillow

    if picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info:
        rgba = picture.convert("RGBA")
        white = Pillow.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Pillow.alpha_composite(white, rgba).convert("RGB")
    return picture if picture.mode == "RGB" else picture.convert("RGB")
