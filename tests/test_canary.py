"""No image reference escapes the checks or the fetcher, wherever it stands in a brief.

A canary file lies outside the brief's folder. Each place a Markdown image can stand refers to
it, in each way a path can point outside; `check` must name the line, no format may build,
and even a brief whose checks were bypassed must not get the canary's bytes into any output.
"""

from __future__ import annotations

import base64
import io
import re
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

import briefkit
from briefkit.building import jobs as brief_job
from briefkit.errors import BriefkitError
from briefkit.sources.markup.tokens import inline_children
from conftest import Run, write

CANARY_TEXT = "briefkit-canary-7f3a"
HEAD = "---\ntitle: Canary\ndate: 2025-11-24\nsources:\n  s: {title: S}\n---\n\n"
# Each place an image can stand, as the body of a brief; {src} is the image's path.
PLACES = {
    "heading": "## Heading ![c]({src}) {{.fact}}\n\nText [@s].\n",
    "sub-heading": "## A {{.fact}}\n\nText [@s].\n\n### Sub ![c]({src})\n",
    "table": "## A {{.fact}}\n\nText [@s].\n\n| ![c]({src}) | b |\n|---|---|\n| c | d |\n",
    "list item": "## A {{.fact}}\n\nText [@s].\n\n- one\n- two ![c]({src})\n",
    "footnote": "## A {{.fact}}\n\nText[^n] [@s].\n\n[^n]: A note ![c]({src})\n",
    "block quote": "## A {{.fact}}\n\nText [@s].\n\n> Quoted ![c]({src})\n",
    "link text": "## A {{.fact}}\n\nText [@s] [see ![c]({src})](https://example.org/).\n",
    "alt text": "## A {{.fact}}\n\nText [@s] ![outer ![c]({src})](ok.png).\n",
    "figure": "## A {{.fact}}\n\nText [@s].\n\n![c]({src})\n",
}
LINES = {
    name: HEAD.count("\n") + 1 + body.split("{src}")[0].count("\n") for name, body in PLACES.items()
}


@pytest.fixture
def canary(tmp_path: Path) -> Path:
    """Write a real PNG outside every brief's folder, its bytes marked with a canary text."""
    info = PngInfo()
    info.add_text("comment", CANARY_TEXT)
    path = tmp_path / "secret" / "canary.png"
    path.parent.mkdir()
    Image.new("RGB", (8, 8), "red").save(path, pnginfo=info)
    return path


def _references(canary: Path) -> dict[str, str]:
    """Return each way a path can name the canary from tmp_path/brief/."""
    return {
        "parent": "../secret/canary.png",
        "dotted": "ok/../../secret/canary.png",
        "absolute": str(canary),
        "file-url": canary.as_uri(),
        "encoded": "..%2Fsecret%2Fcanary.png",
    }


def _brief(folder: Path, place: str, src: str) -> Path:
    """Write a brief with an image at one place, and the harmless ok.png beside it."""
    if not (folder / "ok.png").exists():
        Image.new("RGB", (8, 8), "navy").save(folder / "ok.png")
    return write(folder / f"{place.replace(' ', '-')}.md", HEAD + PLACES[place].format(src=src))


@pytest.mark.parametrize("place", PLACES)
def test_check_names_every_reference_to_a_file_outside(
    place: str, canary: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "brief"
    folder.mkdir()
    for how, src in _references(canary).items():
        source = _brief(folder, place, src)
        loaded = briefkit.load(source)
        errors = [f for f in loaded.errors if "image" in f.message]
        assert not loaded.ok, (place, how)
        assert len(errors) == 1, (place, how, [f.format() for f in loaded.findings])
        assert errors[0].line == LINES[place], (place, how, errors[0].format())
        assert "outside the brief's folder" in errors[0].message or "URL or an absolute" in (
            errors[0].message
        )


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["pdf", "epub", "html"])
def test_no_format_builds_a_brief_that_refers_outside(
    fmt: str, canary: Path, tmp_path: Path, run_cli: Run
) -> None:
    folder = tmp_path / "brief"
    folder.mkdir()
    for place in PLACES:
        _brief(folder, place, "../secret/canary.png")
    result = run_cli(
        "build", str(folder), "--format", fmt, "--out", str(tmp_path / "out"), cwd=tmp_path
    )
    assert result.returncode == 1
    assert f"{len(PLACES)} failed" in result.stdout
    assert not list((tmp_path / "out").glob(f"*.{fmt}"))
    for place in PLACES:
        assert f"{place.replace(' ', '-')}.md:{LINES[place]}:" in result.stderr


def _point_images_at(brief: briefkit.Brief, target: str) -> int:
    """Rewrite every image of a loaded brief to target, as if the checks had missed them all."""
    blocks = [t for s in brief.sections for t in [s.heading, *s.tokens]]
    blocks += [t for body in brief.footnotes.values() for t in body]
    images = [t for t in inline_children(blocks) if t.type == "image"]
    for image in images:
        image.attrs["src"] = target
    return len(images)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["pdf", "epub", "html"])
def test_renderers_read_only_checked_images_even_if_the_checks_were_bypassed(
    fmt: str, canary: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "brief"
    folder.mkdir()
    for place in PLACES:
        brief = briefkit.load(_brief(folder, place, "ok.png")).raise_for_errors()
        for target in _references(canary).values():
            assert _point_images_at(brief, target) >= 1
            with pytest.raises(BriefkitError, match="refused"):
                briefkit.render(brief, fmt)


def _png_header(width: int, height: int) -> bytes:
    """Return a PNG that declares its size and holds no pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


@pytest.mark.parametrize("place", ["heading", "table", "footnote", "link text"])
def test_oversized_and_disguised_images_are_refused_wherever_they_stand(
    place: str, tmp_path: Path
) -> None:
    folder = tmp_path / "brief"
    folder.mkdir()
    (folder / "huge.png").write_bytes(_png_header(13_000, 13_000))
    (folder / "drawing.png").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    huge = briefkit.load(_brief(folder, place, "huge.png"))
    assert [f.line for f in huge.errors] == [LINES[place]]
    assert "pixels; the limit is 40,000,000" in huge.errors[0].message
    disguised = briefkit.load(_brief(folder, place, "drawing.png"))
    assert [f.line for f in disguised.errors] == [LINES[place]]
    assert "cannot be read as an image" in disguised.errors[0].message


def _swap(image: Path, canary: Path, how: str) -> None:
    """Replace an image in one atomic rename, as a synced folder or a checkout might.

    "link" puts a link to the canary outside the folder in its place; "file" a copy of it.
    """
    swapped = image.with_name(".swap")
    if how == "link":
        swapped.symlink_to(canary)
    else:
        swapped.write_bytes(canary.read_bytes())
    swapped.replace(image)


def _colours(output: Path, fmt: str, tmp_path: Path) -> set[tuple[int, ...]]:
    """Return the colours of the images an output embeds (the first pixel of each)."""
    found: list[Image.Image] = []
    if fmt == "pdf":
        subprocess.run(["pdfimages", "-png", str(output), str(tmp_path / "img")], check=True)
        found = [Image.open(path) for path in sorted(tmp_path.glob("img-*.png"))]
    elif fmt == "epub":
        with zipfile.ZipFile(output) as archive:
            names = [n for n in archive.namelist() if "/images/" in n and "cover" not in n]
            found = [Image.open(io.BytesIO(archive.read(name))) for name in names]
    else:
        uris = re.findall(r'src="data:image/png;base64,([^"]+)"', output.read_text())
        found = [Image.open(io.BytesIO(base64.b64decode(uri))) for uri in uris]
    return {tuple(picture.convert("RGB").getpixel((0, 0))) for picture in found}


@pytest.mark.slow
@pytest.mark.parametrize("how", ["link", "file"])
@pytest.mark.parametrize("fmt", ["pdf", "epub", "html"])
def test_an_image_swapped_during_the_build_changes_no_output(
    fmt: str, how: str, canary: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The image is swapped right after the checks read it, before any format renders."""
    folder = tmp_path / "brief"
    folder.mkdir()
    _brief(folder, "figure", "ok.png")
    loaded_brief = brief_job.load_brief

    def load_then_swap(path: Path, defaults: Any = None) -> Any:
        loaded = loaded_brief(path, defaults)
        _swap(folder / "ok.png", canary, how)
        return loaded

    monkeypatch.setattr(brief_job, "load_brief", load_then_swap)
    out = tmp_path / "out"
    report = briefkit.build([folder], workspace=tmp_path, out=out, formats=fmt, jobs=1)
    assert report.ok, report.results[0].error
    output = out / f"figure.{fmt}"
    assert CANARY_TEXT.encode() not in output.read_bytes()
    assert _colours(output, fmt, tmp_path) == {(0, 0, 128)}  # navy, not the canary's red
