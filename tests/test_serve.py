"""`briefkit serve`: a published folder fetched over real HTTP on 127.0.0.1, as apps fetch it."""

from __future__ import annotations

import contextlib
import http.client
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree as ET

import feedparser
import pytest

import briefkit
from briefkit.delivery.catalogue.server import PreviewServer
from conftest import EPOCH, MINIMAL, Run, write

pytestmark = pytest.mark.slow

ACQUISITION = "application/atom+xml;profile=opds-catalog;kind=acquisition"
NAVIGATION = "application/atom+xml;profile=opds-catalog;kind=navigation"
OPENSEARCH = "application/opensearchdescription+xml"
CANARY = "canary: this file lies outside the published folder"
MOBILITY = MINIMAL.replace(
    "title: A minimal brief", "title: Skilled mobility after the summit"
).replace(
    "date: 2025-11-24",
    "date: 2024-06-01\nkeywords: [visas, talent]\nsummary: Exchanges of engineers and nurses.",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Publish two small briefs, with a canary file beside the folder and traps inside it."""
    root = tmp_path_factory.mktemp("serve")
    write(root / "briefkit.toml", '[organisation]\nname = "Test Unit"\n')
    write(root / "briefings" / "minimal.md", MINIMAL)
    write(root / "briefings" / "mobility.md", MOBILITY)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        report = briefkit.publish(base_url="https://briefs.example.org/", jobs=1)
    assert report.ok
    folder = root / "site"
    write(root / "secret.txt", CANARY)
    (folder / "link-out.txt").symlink_to(root / "secret.txt")
    (folder / "feeds" / "up").symlink_to(root)
    # A folder's index file that leads out, and ordinary names for hidden files.
    (folder / "sub").mkdir()
    (folder / "sub" / "index.html").symlink_to(root / "secret.txt")
    (folder / "cache.json").symlink_to(".briefkit-cache.json")
    (folder / ".hidden").mkdir()
    write(folder / ".hidden" / "index.html", CANARY)
    (folder / "shown").symlink_to(".hidden")
    yield folder


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[PreviewServer]:
    """Serve the folder on a free port of 127.0.0.1 for the whole module."""
    with briefkit.preview_server(site, port=0) as running:
        running.start()
        yield running


def _get(server: PreviewServer, path: str, method: str = "GET") -> tuple[int, str, bytes]:
    """Send a request with the path exactly as given; return status, type and body."""
    address = urlsplit(server.url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=30)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


def _parsed(body: bytes) -> Any:
    """Parse an Atom feed with feedparser, which must find nothing wrong."""
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def test_server_listens_on_this_machine_only_by_default(server: PreviewServer) -> None:
    assert urlsplit(server.url).hostname == "127.0.0.1"


def test_catalogue_is_served_as_opds_with_a_search_link(server: PreviewServer, site: Path) -> None:
    status, kind, body = _get(server, "/catalog.xml")
    assert (status, kind) == (200, ACQUISITION)
    feed = _parsed(body)
    assert [e.title for e in feed.entries] == [
        "A minimal brief",
        "Skilled mobility after the summit",
    ]
    [search] = [link for link in feed.feed.links if link.rel == "search"]
    assert (search.href, search.type) == ("/opensearch.xml", OPENSEARCH)
    # The file itself has no search link: a static web server cannot answer searches.
    assert b'rel="search"' not in (site / "catalog.xml").read_bytes()


def test_navigation_feeds_are_served_as_navigation(server: PreviewServer) -> None:
    status, kind, body = _get(server, "/feeds/years.xml")
    assert (status, kind) == (200, NAVIGATION)
    assert [e.title for e in _parsed(body).entries] == ["2025", "2024"]
    status, kind, _ = _get(server, "/feeds/year-2024.xml")
    assert (status, kind) == (200, ACQUISITION)


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/catalog.json", "application/opds+json"),
        ("/feeds/years.json", "application/opds+json"),
        ("/minimal.epub", "application/epub+zip"),
        ("/mobility.pdf", "application/pdf"),
        ("/mobility.html", "text/html; charset=utf-8"),  # the brief's HTML edition
        ("/mobility.cover.png", "image/png"),
        ("/mobility.thumbnail.jpg", "image/jpeg"),
        ("/", "text/html; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
    ],
)
def test_files_are_served_whole_with_their_content_types(
    server: PreviewServer, site: Path, path: str, kind: str
) -> None:
    status, served_kind, body = _get(server, path)
    assert (status, served_kind) == (200, kind)
    assert body == (site / (path.lstrip("/") or "index.html")).read_bytes()


def test_head_sends_the_headers_only(server: PreviewServer, site: Path) -> None:
    address = urlsplit(server.url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=30)
    connection.request("HEAD", "/minimal.epub")
    response = connection.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Length") == str((site / "minimal.epub").stat().st_size)
    assert response.read() == b""
    connection.close()


def test_opensearch_description_names_this_server(server: PreviewServer) -> None:
    status, kind, body = _get(server, "/opensearch.xml")
    assert (status, kind) == (200, OPENSEARCH)
    assert body.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<OpenSearchDescription xmlns=")
    root = ET.fromstring(body)
    namespace = "{http://a9.com/-/spec/opensearch/1.1/}"
    assert root.tag == f"{namespace}OpenSearchDescription"
    assert root.findtext(f"{namespace}ShortName") == "Test Unit"
    templates = {url.get("type"): url.get("template") for url in root.iter(f"{namespace}Url")}
    assert templates[ACQUISITION] == f"{server.url}search?q={{searchTerms}}"


@pytest.mark.parametrize(
    ("terms", "titles"),
    [
        ("mobility", ["Skilled mobility after the summit"]),  # the title
        ("NURSES", ["Skilled mobility after the summit"]),  # the summary, in any case
        ("visas talent", ["Skilled mobility after the summit"]),  # keywords, every word
        ("minimal", ["A minimal brief"]),
        ("brief", ["A minimal brief"]),
        ("visas minimal", []),
        ("nothing-like-this", []),
    ],
)
def test_search_answers_with_an_acquisition_feed(
    server: PreviewServer, terms: str, titles: list[str]
) -> None:
    status, kind, body = _get(server, f"/search?q={quote(terms)}")
    assert (status, kind) == (200, ACQUISITION)
    feed = _parsed(body)
    assert [e.title for e in feed.entries] == titles
    assert terms in feed.feed.title
    for entry in feed.entries:
        hrefs = {link.href for link in entry.links}
        served = {"mobility.epub", "mobility.pdf", "mobility.html"}
        assert served <= hrefs or {"minimal.epub", "minimal.html"} <= hrefs
        for href in hrefs:
            assert _get(server, f"/{href.split('#')[0]}", "HEAD")[0] == 200


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("%EF%BF%BE", []),  # U+FFFE, a noncharacter XML cannot hold
        ("%1B%5D52%3Bc%3BaGk%3D%07", []),  # OSC 52, the terminal's clipboard
        ("%00", []),
        ("mobility%C2%9B%EF%B7%90", ["Skilled mobility after the summit"]),  # C1, U+FDD0
    ],
)
def test_a_search_holding_control_characters_is_answered(
    server: PreviewServer, query: str, titles: list[str]
) -> None:
    status, kind, body = _get(server, f"/search?q={query}")
    assert (status, kind) == (200, ACQUISITION)
    assert [e.title for e in _parsed(body).entries] == titles


def test_request_lines_are_logged_with_control_characters_escaped(site: Path) -> None:
    lines: list[str] = []
    with PreviewServer(site, port=0, log=lines.append).start() as logged:
        address = urlsplit(logged.url)
        request = b"GET /\x1b]52;c;aGk=\x07\x9b HTTP/1.1\r\nHost: x\r\n\r\n"
        with socket.create_connection((address.hostname or "", address.port or 0)) as client:
            client.sendall(request)
            assert client.recv(1024).startswith(b"HTTP/1.0 404 ")
    assert any("GET /\\x1b]52;c;aGk=\\x07\\x9b HTTP/1.1" in line for line in lines), lines
    assert not any(char in line for line in lines for char in "\x1b\x07\x9b")


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/feeds/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/..%2fsecret.txt",
        "/feeds/%2e%2e/%2e%2e/secret.txt",
        "/..\\secret.txt",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        "/etc/passwd%00.html",
        "/link-out.txt",
        "/feeds/up/secret.txt",
        "/.briefkit-cache.json",
        "/.briefkit-catalogue.json",
        "/feeds",
        "/missing.epub",
        "/sub/",
        "/sub",
        "/sub/index.html",
        "/cache.json",
        "/shown/",
        "/shown/index.html",
    ],
)
def test_nothing_outside_the_folder_is_served(server: PreviewServer, path: str) -> None:
    status, _, body = _get(server, path)
    assert status in (400, 404)
    assert CANARY.encode() not in body and b"root:" not in body
    assert b'"outputs"' not in body  # the build cache, which names this machine's paths


def test_only_get_and_head_are_answered(server: PreviewServer) -> None:
    assert _get(server, "/catalog.xml", "POST")[0] == 501
    assert _get(server, "/catalog.xml", "DELETE")[0] == 501


@pytest.mark.parametrize("method", ["PUT", "PATCH", "OPTIONS", "TRACE", "PROPFIND", "BREW"])
def test_no_other_method_is_answered_or_changes_the_folder(
    server: PreviewServer, site: Path, method: str
) -> None:
    before = sorted((p, p.stat().st_mtime_ns) for p in site.rglob("*") if p.is_file())
    assert _get(server, "/catalog.xml", method)[0] == 501
    assert _get(server, "/new-file.txt", method)[0] == 501
    assert sorted((p, p.stat().st_mtime_ns) for p in site.rglob("*") if p.is_file()) == before


def _raw(server: PreviewServer, request: bytes) -> str:
    """Send request bytes as they are; return the start of the answer ("" if none)."""
    address = urlsplit(server.url)
    with socket.create_connection((address.hostname or "", address.port or 0), timeout=30) as sock:
        with contextlib.suppress(OSError):
            sock.sendall(request)
        with sock.makefile("rb") as answer:
            return answer.read(4096).decode("latin-1")


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
        (b"GET /catalog.xml HTTP/1.1\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n", 431),
        (b"GET /catalog.xml HTTP/1.1\r\n" + b"X-Many: 1\r\n" * 200 + b"\r\n", 431),
        (
            b"POST /catalog.xml HTTP/1.1\r\nContent-Length: 1000000000000\r\n\r\n" + b"a" * 65536,
            501,
        ),
        (b"GET /" + b"a/" * 5_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 404),
        (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\0" * 64 + b"\r\n\r\n", 400),
    ],
    ids=["long-request-line", "long-header", "many-headers", "huge-body", "deep-path", "tls-hello"],
)
def test_huge_or_garbled_requests_get_an_error_and_the_server_goes_on(
    server: PreviewServer, request_bytes: bytes, status: int
) -> None:
    answer = _raw(server, request_bytes)
    # A request line that is not HTTP/1.x is answered as HTTP/0.9 was: the error page alone.
    assert answer.startswith(f"HTTP/1.0 {status} ") or f"Error code: {status}" in answer, answer
    assert CANARY not in answer
    assert _get(server, "/catalog.xml")[0] == 200


def test_clients_that_send_half_a_request_and_wait_hold_up_no_one_else(
    server: PreviewServer,
) -> None:
    address = urlsplit(server.url)
    with contextlib.ExitStack() as stack:
        for _ in range(40):
            idle = stack.enter_context(
                socket.create_connection((address.hostname or "", address.port or 0), timeout=30)
            )
            idle.sendall(b"GET /catalog.xml HTTP/1.1\r\nHost: x\r\n")  # and never the end
        assert _get(server, "/catalog.xml")[0] == 200


def test_a_client_that_goes_quiet_is_let_go(site: Path) -> None:
    lines: list[str] = []
    with PreviewServer(site, port=0, log=lines.append, idle_seconds=1).start() as quiet:
        address = urlsplit(quiet.url)
        port = address.port or 0
        with socket.create_connection(("127.0.0.1", port), timeout=30) as idle:
            idle.sendall(b"GET /catalog.xml HTTP/1.1\r\nHost: x\r\n")  # and never the end
            assert idle.recv(1024) == b""  # closed by the server, well before 30 s
        assert any("timed out" in line for line in lines), lines


def test_a_folder_without_a_catalogue_is_refused(tmp_path: Path, run_cli: Run) -> None:
    result = run_cli("serve", str(tmp_path), "--port", "0")
    assert result.returncode == 1
    assert "not a published catalogue (no catalog.xml); run briefkit publish first" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_help_says_it_is_a_preview_server(run_cli: Run) -> None:
    result = run_cli("serve", "--help")
    assert result.returncode == 0
    assert "This is a preview server" in result.stdout
    assert "Example: briefkit serve site" in result.stdout
    assert "127.0.0.1" in result.stdout


def _lines(process: subprocess.Popen[str]) -> queue.Queue[str | None]:
    """Return a queue that a thread fills with each line the command prints, then None."""
    lines: queue.Queue[str | None] = queue.Queue()
    stream = process.stdout
    assert stream is not None

    def read() -> None:
        for line in stream:
            lines.put(line)
        lines.put(None)

    # A thread, not select(): one readline may pull several lines into the pipe's buffer.
    threading.Thread(target=read, daemon=True).start()
    return lines


def _rest(lines: queue.Queue[str | None]) -> str:
    """Return what the command prints until it closes its output."""
    rest = []
    while (line := _line(lines)) != "":
        rest.append(line)
    return "".join(rest)


def _line(lines: queue.Queue[str | None], timeout: float = 60) -> str:
    """Return the next line the command prints ("" at its end), waiting at most timeout seconds."""
    try:
        return lines.get(timeout=timeout) or ""
    except queue.Empty:
        raise AssertionError("the server printed nothing") from None


def test_the_command_serves_until_ctrl_c(site: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "briefkit", "serve", str(site), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
    )
    lines = _lines(process)
    try:
        first = _line(lines)
        assert "a preview server" in first
        found = re.search(r" at (http://127\.0\.0\.1:(\d+)/):", first)
        assert found, first
        url, port = found.group(1), int(found.group(2))
        assert _line(lines).strip() == f"catalogue for e-reader apps: {url}catalog.xml"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/minimal.epub")
        response = connection.getresponse()
        assert (
            response.status == 200 and response.getheader("Content-Type") == "application/epub+zip"
        )
        assert response.read() == (site / "minimal.epub").read_bytes()
        connection.close()
        assert '"GET /minimal.epub HTTP/1.1" 200' in _line(lines)
    finally:
        process.send_signal(signal.SIGINT)
        out = _rest(lines)
        process.wait(timeout=60)
        assert process.stderr is not None
        err = process.stderr.read()
    assert process.returncode == 0, err
    assert out.strip().endswith("stopped")
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
