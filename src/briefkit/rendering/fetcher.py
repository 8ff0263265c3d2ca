"""The one way a render reads a file: inside the allowed folders, and images only as checked.

Sources are untrusted. Every output reads the files it embeds through a :class:`Fetcher`: the
HTML page's data: URIs, the EPUB's packaged images and cover, the mail's related images, and
every URL WeasyPrint asks for (its default fetcher would read any file:// path and fetch
http(s)). Images are never read here: the fetcher hands out the bytes that were read and
checked when the brief was loaded, so what a render embeds is what the checks judged.
"""

from __future__ import annotations

import base64
import mimetypes
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit
from urllib.request import url2pathname

from briefkit.errors import BriefkitError
from briefkit.model.brief import CheckedImage
from briefkit.sources.images import IMAGE_TYPES

CHECKED_SCHEME = "briefkit-checked-image"


class FetchRefused(BriefkitError, ValueError):
    """A resource is outside what a brief may use."""


class Fetcher:
    """Read regular files inside the allowed folders (and named files); refuse the rest."""

    def __init__(
        self,
        roots: Iterable[Path],
        files: Iterable[Path] = (),
        aliases: Mapping[str, Path] | None = None,
        images: Iterable[CheckedImage] = (),
    ) -> None:
        self.roots = tuple(dict.fromkeys(root.resolve() for root in roots))
        self.files = frozenset(path.resolve() for path in files)
        self.aliases = dict(aliases or {})
        # The first reading of a path is the one every output uses.
        self.images: dict[Path, CheckedImage] = {}
        for image in images:
            self.images.setdefault(image.path, image)

    def resolve(self, url: str) -> Path:
        """Return the local file a file: URL names, if it may be read."""
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise FetchRefused(f"refused to fetch {url!r}: only local files and data: URIs")
        return self.check(self._real(url2pathname(unquote(parts.path))), url)

    def url(self, alias: str) -> str:
        """Return the base URL of an aliased folder, as a document refers to it."""
        return f"file://{alias}/"

    def _real(self, path: str) -> Path:
        """Return the real path of a URL's path, its aliased folder replaced by the real one.

        Documents address the brief's and the theme's folders by fixed aliases, so no output
        depends on, or reveals, where those folders are on the machine that built it.
        """
        for alias, folder in self.aliases.items():
            if path == alias or path.startswith(alias + "/"):
                return folder / path[len(alias) + 1 :]
        return Path(path)

    def check(self, path: Path, name: str | None = None) -> Path:
        """Return the path of a file that may be read, or refuse it.

        An image may be used only if it is one the brief's checks read; nothing is opened to
        tell. Other files (the theme's styles, the fonts) must lie in the allowed folders.
        """
        shown = name or str(path)
        if path.suffix.lower() in IMAGE_TYPES:
            normal = Path(os.path.normpath(path))
            if normal not in self.images:
                raise FetchRefused(f"refused to fetch {shown!r}: not an image the checks read")
            return normal
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            raise FetchRefused(f"refused to fetch {shown!r}: no such file") from exc
        if real not in self.files and not any(real.is_relative_to(r) for r in self.roots):
            raise FetchRefused(f"refused to fetch {shown!r}: outside the brief and theme folders")
        if not real.is_file():
            raise FetchRefused(f"refused to fetch {shown!r}: not a regular file")
        return real

    def read(self, path: Path) -> bytes:
        """Return the bytes of a file that may be read: an image's as its check read them."""
        allowed = self.check(path)
        image = self.images.get(allowed)
        return image.data if image is not None else allowed.read_bytes()

    def data_uri(self, path: Path) -> str:
        """Return a file that may be read as a data: URI."""
        encoded = base64.b64encode(self.read(path)).decode("ascii")
        return f"data:{media_type(path)};base64,{encoded}"

    def for_weasyprint(self) -> Any:
        """Return a WeasyPrint URL fetcher that serves data: URIs and this fetcher's files."""
        from weasyprint.urls import URLFetcher, URLFetcherResponse

        fetcher = self

        class RestrictedFetcher(URLFetcher):  # type: ignore[misc]
            """Serve data: URIs and allowed local files; refuse everything else."""

            def __init__(self) -> None:
                super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)

            def fetch(self, url: str, headers: Any = None) -> Any:
                """Fetch url if it is allowed."""
                if url.startswith("data:"):
                    return super().fetch(url, headers)
                path = fetcher.resolve(url)
                # WeasyPrint reads an image again from the file a file: URL names, when it
                # writes the PDF; an image answers under a URL that names no file.
                answered = f"{CHECKED_SCHEME}:{quote(path.name)}" if path in fetcher.images else url
                return URLFetcherResponse(
                    answered, fetcher.read(path), headers={"Content-Type": media_type(path)}
                )

        return RestrictedFetcher()


def media_type(path: Path) -> str:
    """Return the media type of a file by its name."""
    return IMAGE_TYPES.get(path.suffix.lower()) or (
        mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    )


BRIEF_ALIAS = "/briefkit/brief"


def style_aliases(roots: Iterable[Path]) -> dict[str, Path]:
    """Return the aliases of a theme's styles folders, most specific first."""
    return {f"/briefkit/styles-{index}": root for index, root in enumerate(roots)}
