"""Sources are untrusted: they cannot read local files, reach the network, or run code."""

from __future__ import annotations

from pathlib import Path

import pytest

import briefkit
from briefkit.config import find_workspace
from briefkit.model.choices import Variant
from briefkit.rendering.fetcher import Fetcher, FetchRefused
from briefkit.rendering.pdf.engine import PdfDocument, PdfEngine
from briefkit.rendering.theme import Theme
from briefkit.sources.loader import load_brief
from briefkit.system.clock import build_time
from conftest import EPOCH, MINIMAL, ROOT, write
from pdftools import attachments, poppler, text

pytestmark = pytest.mark.slow


def test_fetcher_allows_only_files_inside_allowed_folders(tmp_path: Path) -> None:
    inside = write(tmp_path / "brief" / "notes" / "ok.txt", "x")
    allowed = Fetcher([tmp_path / "brief"])
    assert allowed.resolve(inside.as_uri()) == inside.resolve()
    for url in (
        "file:///etc/hostname",
        "file:///dev/zero",
        (tmp_path / "brief" / ".." / "secret.txt").as_uri(),
        "http://127.0.0.1:9/x.png",
        "https://example.org/x.png",
        "ftp://example.org/x",
        "file://otherhost/etc/hostname",
    ):
        with pytest.raises(FetchRefused):
            allowed.resolve(url)


def test_symlink_out_of_the_brief_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "brief"
    (folder / "images").mkdir(parents=True)
    (folder / "images" / "link.png").symlink_to("/etc/hostname")
    with pytest.raises(FetchRefused):
        Fetcher([folder]).resolve((folder / "images" / "link.png").as_uri())
    source = write(folder / "b.md", MINIMAL + "\n![A link](images/link.png)\n")
    messages = [f.message for f in load_brief(source).findings]
    assert "image 'images/link.png' is outside the brief's folder" in messages


def test_hostile_html_cannot_embed_files_or_reach_the_network(
    tmp_path: Path, listener: tuple[int, list[bytes]]
) -> None:
    """Even markup a source can never produce is contained by the fetcher."""
    port, seen = listener
    html = f"""<html><head>
    <link rel="stylesheet" href="http://127.0.0.1:{port}/style.css">
    <link rel="attachment" href="file:///etc/hostname">
    <style>@import url(http://127.0.0.1:{port}/import.css);
    body {{ background: url(file:///etc/hostname) }}</style></head>
    <body><p>Hostile</p><img src="file:///etc/hostname" alt="x">
    <img src="http://127.0.0.1:{port}/pixel.png" alt="y">
    <a rel="attachment" href="/etc/hostname">a</a></body></html>"""
    theme = Theme.for_workspace(find_workspace(tmp_path))
    fetcher = Fetcher([tmp_path, *theme.style_roots])
    document = PdfDocument(html, fetcher, tmp_path.as_uri() + "/", Variant(), [], build_time())
    pdf, warnings, _ = PdfEngine(theme).render(document)
    target = write(tmp_path / "out.pdf", "")
    target.write_bytes(pdf)
    assert seen == []
    assert attachments(target) == []
    assert poppler("pdfimages", "-list", str(target)).count("\n") <= 2  # header lines only
    assert hostname() not in text(target)
    assert any("refused to fetch" in w for w in warnings)


def test_a_source_with_raw_html_builds_with_the_markup_as_inert_text(
    workspace: Path, listener: tuple[int, list[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    port, seen = listener
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    hostile = (
        f'<img src="http://127.0.0.1:{port}/x.png"> <link rel="attachment" href="/etc/hostname">'
        f' <iframe src="file:///etc/hostname"></iframe> <a href="javascript:alert(1)">a</a>'
    )
    write(workspace / "briefings" / "hostile.md", MINIMAL.replace("Something happened", hostile))
    report = briefkit.build(formats=["pdf", "html"], jobs=1)
    assert report.ok, report.results[0].error
    pdf = workspace / "out" / "hostile.pdf"
    assert seen == [] and attachments(pdf) == []
    content = text(pdf)
    assert "<img src=" in content and "<iframe" in content and "/etc/hostname" in content
    page = (workspace / "out" / "hostile.html").read_text()
    assert "<iframe" not in page and "&lt;iframe" in page
    assert 'href="javascript:' not in page


def hostname() -> str:
    """Return this machine's host name as /etc/hostname has it."""
    return Path("/etc/hostname").read_text().strip() or "<none>"


def test_theme_files_are_readable_but_not_the_repository(tmp_path: Path) -> None:
    allowed = Fetcher([ROOT / "styles"])
    assert allowed.resolve((ROOT / "styles" / "base.css").as_uri())
    with pytest.raises(FetchRefused):
        allowed.resolve((ROOT / "pyproject.toml").as_uri())
