"""Hostile and malformed sources: each gets its finding, in bounded time, and nothing leaks.

The small ones live in tests/briefs/hostile/ with their .expect files (an empty one: the
source is legitimate and builds with its markup shown as inert text); the large ones are
made here, as they would be megabytes on disk.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

import briefkit
from briefkit.errors import Severity
from conftest import BRIEFS, EPOCH, Run, expected_findings

HOSTILE = sorted((BRIEFS / "hostile").glob("*.md"))
HEAD = "---\ntitle: Large\ndate: 2025-11-24\nsources:\n  s: {title: S}\n---\n\n"


@pytest.mark.parametrize("source", HOSTILE, ids=[p.stem for p in HOSTILE])
def test_hostile_source_gives_its_finding(source: Path) -> None:
    findings = briefkit.load(source, workspace=source.parent).findings
    got = [(f.line, f.col, str(f.severity), f.message) for f in findings]
    assert got == expected_findings(source)


def _png_header(width: int, height: int) -> bytes:
    """Return a PNG that declares its size and holds no pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def _with_image(name: str, make: Callable[[Path], None]) -> Callable[[Path], str]:
    """Return a maker of a brief showing one image, which make() writes beside it."""

    def brief(folder: Path) -> str:
        make(folder / name)
        return HEAD + f"## A {{.fact}}\n\nText [@s].\n\n![An image]({name})\n"

    return brief


def _frames(path: Path) -> None:
    """Write a GIF of 1,000 tiny frames, each unlike the last so none is merged away."""
    frames = [Image.new("L", (2, 2), (n * 37) % 256) for n in range(1000)]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=10, optimize=False)


def _truncated(path: Path) -> None:
    """Write the first half of a real PNG."""
    Image.new("RGB", (64, 64), "navy").save(path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _symlink_out(path: Path) -> None:
    """Make an image name that is a link to a file outside the folder."""
    outside = path.parent.parent / "outside.png"
    Image.new("RGB", (4, 4), "red").save(outside)
    path.symlink_to(outside)


# name -> (what writes the source in a folder, the start of the one error expected)
LARGE: dict[str, tuple[Callable[[Path], str], str]] = {
    "ten-megabytes": (lambda f: HEAD + "x" * (10 * 1024 * 1024), "the file is 10,485,"),
    "quotes-50000-deep": (lambda f: HEAD + "## A {.fact}\n\n" + ">" * 50_000 + " x\n", "this line"),
    "lists-50000-deep": (lambda f: HEAD + "## A {.fact}\n\n" + "- " * 50_000 + "x\n", "this line"),
    "brackets-5000-deep": (
        lambda f: HEAD + "## A {.fact}\n\n" + "[" * 5000 + "x" + "]" * 5000 + "\n",
        "brackets nest more than 32 deep",
    ),
    "sections-50000": (
        lambda f: HEAD + "".join(f"## S{n} {{.fact}}\n\nx [@s]\n\n" for n in range(50_000)),
        "the brief has 50,000 sections; the limit is 500",
    ),
    "footnotes-10000": (
        lambda f: (
            HEAD
            + "## A {.fact}\n\n"
            + "\n".join(f"x[^n{n}]" for n in range(10_000))
            + " [@s]\n\n"
            + "".join(f"[^n{n}]: n\n" for n in range(10_000))
        ),
        "the brief has 10,000 footnotes; the limit is 1000",
    ),
    "yaml-10000-deep": (
        lambda f: "---\ntitle: T\ndate: 2025-11-24\nx: " + "[" * 10_000 + "]" * 10_000 + "\n---\n",
        "brackets nest more than 20 deep here",
    ),
    "yaml-indented-10000": (
        lambda f: "---\ntitle: T\ndate: 2025-11-24\nx:\n" + " " * 10_000 + "y: 1\n---\n",
        "this line is indented 10000 spaces",
    ),
    "png-30000-square": (
        _with_image("huge.png", lambda p: p.write_bytes(_png_header(30_000, 30_000))),
        "image 'huge.png' has too many pixels",
    ),
    "png-decompression-bomb": (
        _with_image("bomb.png", lambda p: p.write_bytes(_png_header(8_000, 6_000))),
        "image 'bomb.png' is 8000×6000 pixels; the limit is 40,000,000 pixels",
    ),
    "png-truncated": (_with_image("cut.png", _truncated), "image 'cut.png' cannot be read"),
    "png-holding-svg": (
        _with_image("svg.png", lambda p: p.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')),
        "image 'svg.png' cannot be read as an image",
    ),
    "png-holding-html": (
        _with_image("page.png", lambda p: p.write_text("<html><body>hello</body></html>")),
        "image 'page.png' cannot be read as an image",
    ),
    "gif-1000-frames": (
        _with_image("frames.gif", _frames),
        "image 'frames.gif' has 1,000 frames; the limit is 200",
    ),
    "image-link-out": (
        _with_image("link.png", _symlink_out),
        "image 'link.png' is outside the brief's folder",
    ),
}


@pytest.mark.parametrize("name", LARGE)
def test_large_or_hostile_source_is_refused_with_one_clear_error(name: str, tmp_path: Path) -> None:
    make, expected = LARGE[name]
    folder = tmp_path / "brief"
    folder.mkdir()
    source = folder / f"{name}.md"
    source.write_text(make(folder), encoding="utf-8")
    errors = [
        f for f in briefkit.load(source, workspace=folder).findings if f.severity is Severity.ERROR
    ]
    assert len(errors) == 1, [e.format() for e in errors]
    assert errors[0].message.startswith(expected), errors[0].format()


@pytest.mark.slow
def test_building_the_corpus_gives_clear_messages_and_no_stray_files(
    tmp_path: Path, run_cli: Run
) -> None:
    folder = tmp_path / "hostile"
    folder.mkdir()
    for source in HOSTILE:
        (folder / source.name).write_bytes(source.read_bytes())
    (folder / "notes.txt").write_text("the notes")
    out = tmp_path / "out"
    formats = ["--format", "pdf", "--format", "epub", "--format", "html"]
    result = run_cli(
        "build",
        str(folder),
        "--out",
        str(out),
        *formats,
        cwd=tmp_path,
        env={"SOURCE_DATE_EPOCH": EPOCH},
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    legitimate = {s.stem for s in HOSTILE if not _errors_expected(s)}
    built = {p.stem for p in out.glob("*.pdf")}
    assert built == legitimate
    assert not list(out.rglob("*.tmp"))
    for stem in legitimate:
        page = (out / f"{stem}.html").read_text(encoding="utf-8")
        assert "<script>" not in page and "<iframe" not in page and "<style>@import" not in page
        assert 'style="background' not in page


def _errors_expected(source: Path) -> bool:
    """Tell whether a corpus source expects an error (else it is legitimate)."""
    return any(severity == "error" for _, _, severity, _ in expected_findings(source))
