"""``briefkit serve``: a preview server for a published folder, on this machine by default.

It is for trying a catalogue from a phone or an e-reader app before the folder goes on a real
web server. It answers GET and HEAD with the folder's regular files and nothing else: no
``..``, no encoded or absolute escapes, no hidden files, no symlinks that lead out. Each file
is judged by where it really is (links resolved, an index file too) and then opened once,
never through a link, so the file judged is the file sent. Files go out with the content
types e-reader apps check; every Atom feed links the OpenSearch description, and
``/search?q=`` answers with a feed of matching briefs. Request lines are logged with their
control characters escaped.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from typing import Any, cast
from urllib.parse import parse_qs, unquote, urlsplit

from briefkit.delivery.catalogue.atom import whole_feed
from briefkit.delivery.catalogue.entries import (
    ATOM_ACQUISITION,
    CATALOG_XML,
    EPUB,
    INDEX_HTML,
    OPDS_JSON,
    OPENSEARCH,
    PDF,
)
from briefkit.delivery.catalogue.search import (
    DESCRIPTION_PATH,
    SEARCH_PATH,
    description,
    results,
    with_search_link,
)
from briefkit.errors import BriefkitError, printable
from briefkit.files import FileRefused, open_regular, read_regular

TYPES = {
    ".epub": EPUB,
    ".pdf": PDF,
    ".json": OPDS_JSON,
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
TEXT = "text/plain; charset=utf-8"
Log = Callable[[str], None] | None
# A client that sends nothing for this long is let go, so idle connections cannot pile up.
IDLE_SECONDS = 30.0
# A feed is read whole to add its search link; far above the catalogue of thousands of briefs.
MAX_FEED_BYTES = 64 * 1024 * 1024
_CHUNK = 1 << 16
_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")


@dataclass(frozen=True)
class Reply:
    """What to answer a request with: bytes made here, or a file of the folder."""

    status: int
    media_type: str = TEXT
    body: bytes = b""
    file: Path | None = None


def answer(root: Path, target: str, host: str) -> Reply:
    """Answer a request for target (path and query) made to host, from the folder root."""
    parts = urlsplit(target)
    if parts.path in (SEARCH_PATH, DESCRIPTION_PATH):
        # Every page of the root feed is searched, not only the first.
        catalogue = whole_feed(CATALOG_XML, lambda path: _page(root, path))
        if catalogue is None:
            return Reply(404, body=b"not found\n")
        if parts.path == DESCRIPTION_PATH:
            return Reply(200, OPENSEARCH, description(catalogue, f"http://{host}/"))
        terms = parse_qs(parts.query).get("q", [""])[0]
        return Reply(200, ATOM_ACQUISITION, results(catalogue, terms))
    found = locate(root, parts.path)
    if isinstance(found, int):
        return Reply(found, body=b"bad path\n" if found == 400 else b"not found\n")
    if found.suffix.lower() == ".xml":
        read = _feed(root, found)
        if read is None:
            return Reply(404, body=b"not found\n")
        feed, kind = with_search_link(read)
        return Reply(200, kind, feed)
    return Reply(200, TYPES.get(found.suffix.lower(), "application/octet-stream"), file=found)


def locate(root: Path, path: str) -> Path | int:
    """Return the regular file inside root that a URL path names, or an HTTP status.

    The path is decoded before it is judged, so %2e%2e and %2f escape nothing; a ``..`` or
    hidden segment, a backslash or a NUL is refused (400); whatever is missing, not a regular
    file, or lies outside root or is hidden once symlinks are resolved is not found (404). A
    folder's index file is judged the same way, after it is added to the path.
    """
    decoded = unquote(path)
    segments = [s for s in decoded.split("/") if s]
    if "\\" in decoded or "\0" in decoded or any(s.startswith(".") for s in segments):
        return 400
    real = _served(root, root.joinpath(*segments))
    if real is not None and real.is_dir():
        real = _served(root, real / INDEX_HTML)
    if real is None or not real.is_file():
        return 404
    return real


def _served(root: Path, candidate: Path) -> Path | None:
    """Return where candidate really is, if that is inside root and not hidden; else None."""
    try:
        real = candidate.resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        return None
    if not real.is_relative_to(root):
        return None
    if any(part.startswith(".") for part in real.relative_to(root).parts):
        return None  # a link with an ordinary name to a hidden file (the build cache)
    return real


def _page(root: Path, path: PurePosixPath) -> bytes | None:
    """Return a feed of the folder named by its path in it, as a request for it would be."""
    found = locate(root, f"/{path}")
    return _feed(root, found) if isinstance(found, Path) else None


def _feed(root: Path, path: Path) -> bytes | None:
    """Return the bytes of a feed in the folder, read once as a regular file; None if refused."""
    try:
        return read_regular(path, MAX_FEED_BYTES, within=root)
    except FileRefused:
        return None


class PreviewServer:
    """A threaded HTTP server for one published folder; listening once made."""

    def __init__(
        self,
        folder: Path,
        host: str = "127.0.0.1",
        port: int = 8000,
        log: Log = None,
        idle_seconds: float = IDLE_SECONDS,
    ):
        root = folder.resolve()
        if not (root / CATALOG_XML).is_file():
            raise BriefkitError(
                f"{folder}: not a published catalogue (no {CATALOG_XML}); "
                "run briefkit publish first"
            )
        try:
            self._httpd = _Server(host, port, root, log, idle_seconds)
        except OSError as exc:
            raise BriefkitError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Return the address the server answers at."""
        return self._httpd.url

    @property
    def folder(self) -> Path:
        """Return the folder served."""
        return self._httpd.root

    def serve_forever(self) -> None:
        """Serve until shut down (or, in the main thread, until Ctrl-C)."""
        self._httpd.serve_forever(poll_interval=0.2)

    def start(self) -> PreviewServer:
        """Serve in a background thread; close() stops it."""
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving and release the port."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> PreviewServer:
        """Return the server; it closes with the block."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the server."""
        self.close()


class _Server(ThreadingHTTPServer):
    """The HTTP server, holding the folder and where to log requests."""

    daemon_threads = True

    def __init__(self, host: str, port: int, root: Path, log: Log, idle_seconds: float) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.root = root
        self.log = log
        self.idle_seconds = idle_seconds
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        """Return the address the server answers at."""
        host, port = cast(tuple[str, int], self.server_address[:2])
        return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore clients that hang up; report anything else in one line, not a traceback."""
        import sys

        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):
            self.note(f"error answering {client_address[0]}: {type(error).__name__}: {error}")

    def note(self, line: str) -> None:
        """Log a line, its control characters escaped: a request line is the client's text."""
        if self.log is not None:
            self.log(printable(line))


class _Handler(BaseHTTPRequestHandler):
    """Answer GET and HEAD from the folder."""

    server_version = "briefkit-preview"

    def setup(self) -> None:
        """Set up the connection's streams, with the server's idle time limit."""
        super().setup()
        self.connection.settimeout(cast(_Server, self.server).idle_seconds)

    def version_string(self) -> str:
        """Name the server, without Python's version."""
        return self.server_version

    def do_GET(self) -> None:
        """Send a reply with its body."""
        self._reply(body=True)

    def do_HEAD(self) -> None:
        """Send a reply's headers only."""
        self._reply(body=False)

    def _reply(self, body: bool) -> None:
        """Answer the request."""
        server = cast(_Server, self.server)
        host = self.headers.get("Host", "")
        if not _HOST.match(host):
            host = urlsplit(server.url).netloc
        reply = answer(server.root, self.path, host)
        with contextlib.ExitStack() as stack:
            descriptor = None
            if reply.file is not None:
                try:
                    # Opened once, never through a link: what was judged is what is sent.
                    descriptor = stack.enter_context(open_regular(reply.file, within=server.root))
                except FileRefused:
                    reply = Reply(404, body=b"not found\n")
            length = os.fstat(descriptor).st_size if descriptor is not None else len(reply.body)
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.media_type)
            self.send_header("Content-Length", str(length))
            self.send_header("Cache-Control", "no-cache")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            if not body:
                return
            if descriptor is None:
                self.wfile.write(reply.body)
            else:
                self._send(descriptor, length)

    def _send(self, descriptor: int, length: int) -> None:
        """Send a file's first length bytes, as its Content-Length promised."""
        left = length
        while left > 0:
            chunk = os.read(descriptor, min(_CHUNK, left))
            if not chunk:
                return  # it shrank since: the client sees a short body
            self.wfile.write(chunk)
            left -= len(chunk)

    def log_message(self, format: str, *args: Any) -> None:
        """Pass a line per request to the server's log, if it has one."""
        cast(_Server, self.server).note(f"{self.address_string()} {format % args}")
