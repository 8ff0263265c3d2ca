"""The EPUB as calibre, an independent reading system, reads and converts it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from briefkit.sources.loader import load_brief
from conftest import write
from test_epub import MULTILINGUAL, SAMPLE, render, rendered

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("ebook-meta") is None,
        reason="calibre is not installed: scripts/setup-system.sh --test installs it",
    ),
]


def calibre(*args: str) -> str:
    """Run a calibre command and return what it printed."""
    # calibre's Qt WebEngine runs Chromium, which refuses to start sandboxed as root.
    env = {**os.environ, "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox"}
    result = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.parametrize(
    ("path", "series"),
    [(MULTILINGUAL, "Test Briefs #7"), (SAMPLE, "Indo-Pacific Briefs #2025.11")],
    ids=["number-7", "number-2025-11"],
)
def test_calibre_reads_the_series_and_its_number(path: Path, series: str, tmp_path: Path) -> None:
    epub = tmp_path / "brief.epub"
    epub.write_bytes(rendered(path))
    fields = dict(re.findall(r"^(\w[\w ()]*?)\s+:\s+(.*)$", calibre("ebook-meta", str(epub)), re.M))
    # calibre keeps a series index as a decimal: No. 2025/11 comes back as 2025.11, never 1.
    assert fields["Series"] == series
    assert fields["Languages"] == "eng"


def test_converted_to_pdf_the_cover_appears_once_and_no_page_is_blank(tmp_path: Path) -> None:
    epub = tmp_path / "brief.epub"
    epub.write_bytes(rendered(SAMPLE))
    pdf = tmp_path / "brief.pdf"
    log = calibre("ebook-convert", str(epub), str(pdf))
    assert "Found HTML cover" in log  # our cover page, left out for calibre's own
    pages = int(re.search(r"Pages:\s+(\d+)", calibre("pdfinfo", str(pdf))).group(1))  # type: ignore[union-attr]
    texts = [
        calibre("pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-").strip()
        for n in range(1, pages + 1)
    ]
    images = calibre("pdfimages", "-list", str(pdf)).splitlines()[2:]
    covers = {line.split()[0] for line in images if re.search(r"\b1600\s+2560\b", line)}
    assert covers == {"1"}  # the cover image is drawn on the first page, and only there
    assert texts[0] == ""  # the cover: a picture
    assert texts[1].startswith("MGMM")  # then the title page, at once
    assert all(texts[1:]), [n + 1 for n, t in enumerate(texts) if not t]


def _pdf_pages(epub: Path) -> tuple[Path, list[str]]:
    """Convert an EPUB to PDF with calibre; return the PDF and the text of each page."""
    pdf = epub.with_suffix(".pdf")
    calibre("ebook-convert", str(epub), str(pdf))
    pages = int(re.search(r"Pages:\s+(\d+)", calibre("pdfinfo", str(pdf))).group(1))  # type: ignore[union-attr]
    texts = [
        calibre("pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-") for n in range(1, pages + 1)
    ]
    return pdf, texts


def test_converted_to_pdf_short_sections_share_pages(tmp_path: Path) -> None:
    # Each section was a document of its own, so calibre began each on a new page: the
    # sample's seven sections took seven pages and the whole book twelve.
    epub = tmp_path / "brief.epub"
    epub.write_bytes(rendered(SAMPLE))
    _, texts = _pdf_pages(epub)
    titles = [
        "The meeting in Johannesburg",
        "A free and open Indo-Pacific",
        "Defence, technology and AI",
        "Talent mobility",
        "Economic security and investment",
        "Shared history",
        "The MGMM Outlook",
    ]
    first = [next(n for n, t in enumerate(texts) if title in t.split("\n")) for title in titles]
    assert len(set(first)) <= 5, first
    assert len(texts) <= 10


FIGURES = 24


def test_converted_to_pdf_each_caption_stays_with_its_figure(tmp_path: Path) -> None:
    # Figures after more and more text land at every height on a page; a tall chart whose
    # caption did not fit below it was left at the foot of one page, its caption on the next.
    folder = tmp_path / "briefings"
    folder.mkdir()
    sentence = "The delegations went through the plan, the corridor and the visas again. "
    body = []
    for number in range(1, FIGURES + 1):
        Image.new("RGB", (900 + number, 900), "white").save(folder / f"chart{number}.png")
        body.append(sentence * (3 * (number % 7) + 1))
        body.append(f'![Chart {number}](chart{number}.png "Chart number {number} of the brief")')
    source = write(
        folder / "figures.md",
        "---\ntitle: Figures\ndate: 2025-11-24\n---\n\n## Charts {.fact}\n\n"
        + "\n\n".join(body)
        + "\n",
    )
    brief = load_brief(source).brief
    assert brief is not None
    epub = tmp_path / "figures.epub"
    epub.write_bytes(render(brief))
    pdf, texts = _pdf_pages(epub)
    listed = calibre("pdfimages", "-list", str(pdf)).splitlines()[2:]
    image_pages = {int(line.split()[3]) - 900: int(line.split()[0]) for line in listed}
    for number in range(1, FIGURES + 1):
        caption = next(n for n, t in enumerate(texts, start=1) if f"Figure {number} " in t)
        assert image_pages[number] == caption, (number, image_pages, caption)
