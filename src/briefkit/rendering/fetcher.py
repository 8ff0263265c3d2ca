"""The one URL fetcher every renderer uses: files inside allowed folders and data: URIs, no network.

Sources are untrusted: WeasyPrint's default fetcher would read any file:// path and fetch
http(s), so every fetch goes through this check.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from briefkit.errors import BriefkitError


class FetchRefused(BriefkitError, ValueError):
    """A resource is outside what a brief may use."""


class Allowed:
    """The folders a render may read from."""

    def __init__(self, roots: Iterable[Path]) -> None:
        self.roots = tuple(dict.fromkeys(root.resolve() for root in roots))

    def resolve(self, url: str) -> Path:
        """Return the local file a file: URL names, if it lies inside an allowed folder."""
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise FetchRefused(f"refused to fetch {url!r}: only local files and data: URIs")
        path = Path(url2pathname(unquote(parts.path)))
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            raise FetchRefused(f"refused to fetch {url!r}: no such file") from exc
        if not any(real.is_relative_to(root) for root in self.roots):
            raise FetchRefused(f"refused to fetch {url!r}: outside the brief and theme folders")
        if not real.is_file():
            raise FetchRefused(f"refused to fetch {url!r}: not a regular file")
        return real


def make_fetcher(allowed: Allowed) -> Any:
    """Return a WeasyPrint URL fetcher limited to allowed folders and data: URIs."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class RestrictedFetcher(URLFetcher):  # type: ignore[misc]
        """Serve data: URIs and allowed local files; refuse everything else."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)

        def fetch(self, url: str, headers: Any = None) -> Any:
            """Fetch url if it is allowed."""
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = allowed.resolve(url)
            media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                path.as_uri(), path.read_bytes(), headers={"Content-Type": media_type}
            )

    return RestrictedFetcher()
