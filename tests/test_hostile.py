"""Hostile and malformed sources: each gets its finding, in bounded time, and nothing leaks.

The small ones live in tests/briefs/hostile/ with their .expect files (an empty one: the
source is legitimate and builds with its markup shown as inert text); the large ones are
made here, as they would be megabytes on disk.
"""

from __future__ import annotations

import struct
import subprocess
import sys
import unicodedata
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

import briefkit
from briefkit.errors import Severity
from briefkit.sources import limits
from briefkit.sources.markup import characters
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
    "sections-20000": (
        lambda f: HEAD + "".join(f"## S{n} {{.fact}}\n\nx [@s]\n\n" for n in range(20_000)),
        "the brief has 20,000 sections; the limit is 500",
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
    "yaml-9000-deep": (
        lambda f: "---\ntitle: T\ndate: 2025-11-24\nx: " + "[" * 9000 + "]" * 9000 + "\n---\n",
        "brackets nest more than 20 deep here",
    ),
    "yaml-line-30000": (
        lambda f: "---\ntitle: T\ndate: 2025-11-24\nx: " + "y" * 30_000 + "\n---\n",
        "this line is 30,003 characters; the limit is 20,000",
    ),
    "yaml-30000-escaped-accents": (
        lambda f: (
            '---\ntitle: "a'
            + "".join("\\\n" + "\\u0301" * 3000 for _ in range(10))
            + '"\ndate: 2025-11-24\n---\n\n## A {.fact}\n\nx\n'
        ),
        "30,000 accents or other combining marks follow one another here",
    ),
    "note-called-2000-times": (
        lambda f: (
            HEAD + "## A {.fact}\n\nx [@s]" + "[^a]" * 2000 + "\n\n[^a]: " + "word " * 200 + "\n"
        ),
        "footnote [^a] is called 2,000 times, and the PDF prints its 999 characters at each call",
    ),
    "narrative-names-1500000": (
        lambda f: (
            "---\ntitle: T\ndate: 2025-11-24\nsources:\n  s: {title: S, short: "
            + "n" * 100
            + "}\n---\n\n## A {.fact}\n\n"
            + ("@s " * 5000 + "\n") * 3
        ),
        "narrative citations print the names of sources, 1,500,000 characters in all",
    ),
    "emphasis-9000-deep": (
        lambda f: HEAD + "## A {.fact}\n\nx [@s] " + "*" * 9000 + "x" + "*" * 9000 + "\n",
        "emphasis, links and spans nest more than 32 deep here",
    ),
    "quotes-9000-deep": (
        lambda f: HEAD + "## A {.fact}\n\nx [@s]\n\n" + ">" * 9000 + " x\n",
        "quotes and lists nest more than 8 deep here",
    ),
    "lists-900-deep": (
        lambda f: (
            HEAD + "## A {.fact}\n\nx [@s]\n\n" + "".join("  " * n + "- x\n" for n in range(900))
        ),
        "quotes and lists nest more than 8 deep here",
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


def _notes(count: int, calls: int) -> str:
    """Return count notes that each call the next calls notes, and the last ones they call."""
    called = "".join(f"[^n{count + c}]: end\n" for c in range(calls))
    return called + "".join(
        f"[^n{n}]: " + " ".join(f"x[^n{n + c}]" for c in range(1, calls + 1)) + "\n"
        for n in range(count)
    )


@pytest.mark.parametrize(("count", "calls"), [(40, 2), (998, 1)], ids=["fan-out", "chain"])
def test_every_note_that_calls_a_note_is_an_error(tmp_path: Path, count: int, calls: int) -> None:
    # Forty notes calling the next two expanded into gigabytes; a chain of a thousand ran past
    # Python's recursion limit. Each call inside a note is refused where it stands.
    text = HEAD + "## A {.fact}\n\nText[^n0] [@s].\n\n" + _notes(count, calls)
    loaded = briefkit.load_text(text, base_dir=tmp_path, workspace=tmp_path)
    errors = [f for f in loaded.findings if f.severity is Severity.ERROR]
    assert len(errors) == count * calls
    assert all("a footnote may not call another footnote" in e.message for e in errors)
    assert loaded.brief is None


# A file of the largest size, holding nothing but one character briefkit refuses.
FLOODS = {
    "controls": "\x01",
    "reversers": "\u202e",
    "accents": "a" + "\u0301" * 19_998,
    "zero-widths": "\u200b",
}


@pytest.mark.parametrize("name", FLOODS)
def test_a_flood_of_one_character_gets_a_few_findings_not_millions(
    name: str, tmp_path: Path
) -> None:
    line = (FLOODS[name] * 20_000)[:19_999]
    text = (
        HEAD + "## A {.fact}\n\nText [@s].\n\n" + f"{line}\n\n" * (1_000_000 // len(line.encode()))
    )
    loaded = briefkit.load_text(text, base_dir=tmp_path, workspace=tmp_path)
    shown = [f for f in loaded.findings if f.line > 9]
    assert len(shown) == limits.MOST_SHOWN + 1, [f.format()[:120] for f in shown[:3]]
    assert shown[-1].message.startswith("and more like this from here on, not shown one by one")


def test_citations_of_unknown_keys_are_shown_a_hundred_times_not_twenty_thousand(
    tmp_path: Path,
) -> None:
    # Each message named every source key: 40,000 citations of 10,000 keys took 2.7 GB.
    keys = "".join(f"  k{n}: {{title: a}}\n" for n in range(2000))
    body = ("@zz " * 4000 + "\n") * 5
    text = f"---\ntitle: T\ndate: 2025-11-24\nsources:\n{keys}---\n\n## A {{.fact}}\n\n{body}"
    loaded = briefkit.load_text(text, base_dir=tmp_path, workspace=tmp_path)
    errors = [f for f in loaded.findings if f.severity is Severity.ERROR]
    assert len(errors) == limits.MOST_CITATIONS_SHOWN + 1
    assert (
        "(known: k0, k1, k10, k100, k1000, k1001, k1002, k1003, k1004, k1005 and 1,990 more)"
        in (errors[0].message)
    )
    assert errors[-1].message.startswith("and more like this from here on, not shown one by one")


def test_no_combining_mark_lies_past_the_characters_checked() -> None:
    # The check of runs of accents reads the code points below a bound; Unicode must have
    # none past it, or a new Python's Unicode would let some through.
    past = [c for c in range(characters.LAST_COMBINING, 0x110000) if unicodedata.combining(chr(c))]
    assert past == []


LONGEST = 19_999  # the longest line the limits allow


def _line(piece: str, width: int = LONGEST) -> str:
    """Return a line of piece repeated to width characters."""
    return (piece * (width // len(piece) + 1))[:width]


def _paragraphs(piece: str, count: int) -> str:
    """Return count paragraphs, each one longest line of piece."""
    return "\n\n".join(_line(piece) for _ in range(count)) + "\n"


SECTION = HEAD + "## A {.fact}\n\nText [@s].\n\n"
# Shapes that made a pattern over source text take minutes, and the other patterns' worst
# shapes, each at the longest lines the limits allow.
TIMED: dict[str, Callable[[], str]] = {
    # The hidden-character check's citation pattern: cubic, 45 s for 12,000 characters.
    "citations-opened": lambda: SECTION + _line("[@ ") + "\n",
    "citations-opened-escaped": lambda: SECTION + _paragraphs("\\[@ ", 20),
    # The hint for malformed heading attributes: cubic, 27 s for 2,112 characters.
    "heading-attribute-spaces": lambda: HEAD + "## A {a=b" + " " * (LONGEST - 12) + "=}\n\nx\n",
    "heading-attributes-many": lambda: HEAD + "## A {.fact " + _line("a=b ", LONGEST - 14) + "}\n",
    # The search for a heading's attributes: quadratic, 41 s for twenty padded headings.
    "headings-padded": lambda: (
        HEAD + "".join("## A" + " " * (LONGEST - 5) + "x\n\n" for _ in range(20))
    ),
    # The undefined-note pattern over text, French spacing, spans' attributes, citation keys.
    "note-calls-escaped": lambda: SECTION + _paragraphs("\\[^a", 40),
    "french-spaces": lambda: (
        SECTION.replace("date:", "language: fr\ndate:") + _paragraphs("a" + " " * 9997 + "b", 20)
    ),
    "span-attributes": lambda: SECTION + "[a]{" + _line("a=b ", LONGEST - 5) + "}\n",
    "citation-key-dots": lambda: SECTION + "@a" + "." * (LONGEST - 2) + "\n",
    "citation-items": lambda: SECTION + "[" + _line("@s; ", LONGEST - 2) + "]\n",
    "unused-notes": lambda: (
        SECTION + "".join(f"[^n{n}]: n\n" for n in range(1000)) + _paragraphs("x ", 240)
    ),
}
BUDGET = 10.0  # seconds of `briefkit check` for one source; each takes under 1.5 s here


@pytest.mark.parametrize("name", TIMED)
def test_check_reads_the_longest_lines_in_bounded_time(name: str, tmp_path: Path) -> None:
    source = tmp_path / f"{name}.md"
    source.write_text(TIMED[name](), encoding="utf-8")
    # A process of its own, so a pattern that runs away is stopped at the budget.
    result = subprocess.run(
        [sys.executable, "-m", "briefkit", "check", str(source)],
        capture_output=True,
        text=True,
        timeout=BUDGET,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stdout
