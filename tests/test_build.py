"""`briefkit build` as a user runs it: outputs, failures, skipping, many briefs at once."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from briefkit.commands.build import BuildOptions, build
from briefkit.config import find_workspace
from briefkit.rendering.render import RenderOptions
from conftest import MINIMAL, Run, write
from pdftools import text

pytestmark = pytest.mark.slow


def _options(**kwargs: object) -> BuildOptions:
    """Return build options for PDF only, built in this process."""
    render = RenderOptions(formats=("pdf",))
    return BuildOptions(render=render, jobs=1, **kwargs)  # type: ignore[arg-type]


def test_build_writes_pdf_and_reports_a_table(workspace: Path, run_cli: Run) -> None:
    write(workspace / "briefings" / "one.md", MINIMAL)
    result = run_cli("build", "--format", "pdf", "--format", "html")
    assert result.returncode == 0, result.stderr
    assert (workspace / "out" / "one.pdf").stat().st_size > 10_000
    assert (workspace / "out" / "one.html").is_file()
    assert "out/one.pdf" in result.stdout and "kB" in result.stdout
    assert "1 built, 0 up to date (skipped), 0 failed" in result.stdout


def test_invalid_source_builds_nothing_and_exits_1(workspace: Path, run_cli: Run) -> None:
    write(workspace / "briefings" / "good.md", MINIMAL)
    write(workspace / "briefings" / "bad.md", MINIMAL.replace("{.fact}", "{.news}"))
    result = run_cli("build", "--format", "pdf")
    assert result.returncode == 1
    assert "bad.md:9:1: error: section 'What happened': unknown kind '.news'" in result.stderr
    assert "Traceback" not in result.stderr
    assert (workspace / "out" / "good.pdf").is_file()
    assert not (workspace / "out" / "bad.pdf").exists()
    assert not [p for p in (workspace / "out").iterdir() if p.name.endswith(".tmp")]


def test_strict_refuses_warnings(workspace: Path, run_cli: Run) -> None:
    write(workspace / "briefings" / "w.md", MINIMAL.replace(" [@src]", ""))
    assert run_cli("build", "--format", "pdf", "--strict").returncode == 1
    assert not (workspace / "out" / "w.pdf").exists()
    assert run_cli("build", "--format", "pdf").returncode == 0


def test_a_failed_rebuild_keeps_the_previous_output(workspace: Path) -> None:
    source = write(workspace / "briefings" / "one.md", MINIMAL)
    build([], find_workspace(workspace), _options())
    before = (workspace / "out" / "one.pdf").read_bytes()
    source.write_text(MINIMAL.replace("title: A minimal brief", "title: [broken"))
    report = build([], find_workspace(workspace), _options())
    assert report.failed
    assert (workspace / "out" / "one.pdf").read_bytes() == before


def test_unchanged_rebuild_skips_and_changes_rebuild(workspace: Path) -> None:
    source = write(workspace / "briefings" / "one.md", MINIMAL)
    first = build([], find_workspace(workspace), _options())
    assert [r.skipped for r in first.results] == [False]
    second = build([], find_workspace(workspace), _options())
    assert [r.skipped for r in second.results] == [True]
    source.write_text(MINIMAL.replace("Something happened", "Something else happened"))
    third = build([], find_workspace(workspace), _options())
    assert [r.skipped for r in third.results] == [False]
    assert "Something else happened" in text(workspace / "out" / "one.pdf")
    forced = build([], find_workspace(workspace), _options(force=True))
    assert [r.skipped for r in forced.results] == [False]


def test_image_style_and_option_changes_invalidate(workspace: Path) -> None:
    from PIL import Image

    Image.new("RGB", (40, 20), "navy").save(workspace / "briefings" / "chart.png")
    write(workspace / "briefings" / "one.md", MINIMAL + "\n![A chart](chart.png)\n")
    build([], find_workspace(workspace), _options())
    Image.new("RGB", (40, 20), "red").save(workspace / "briefings" / "chart.png")
    assert not build([], find_workspace(workspace), _options()).results[0].skipped
    assert build([], find_workspace(workspace), _options()).results[0].skipped
    write(workspace / "styles" / "extra.css", "h2 { color: black; }")
    assert not build([], find_workspace(workspace), _options()).results[0].skipped
    letter = BuildOptions(render=RenderOptions(formats=("pdf",), paper="letter"), jobs=1)
    assert not build([], find_workspace(workspace), letter).results[0].skipped
    (workspace / "out" / "one.pdf").unlink()
    assert not build([], find_workspace(workspace), letter).results[0].skipped


def test_forty_briefs_build_in_parallel_then_skip(workspace: Path, run_cli: Run) -> None:
    for number in range(40):
        text_ = MINIMAL.replace("A minimal brief", f"Brief number {number}")
        write(workspace / "briefings" / f"brief-{number:02}.md", text_)
    result = run_cli("build", "--format", "pdf", "--jobs", "2")
    assert result.returncode == 0, result.stderr
    assert len(list((workspace / "out").glob("*.pdf"))) == 40
    assert "40 built" in result.stdout
    assert "Brief number 17" in text(workspace / "out" / "brief-17.pdf")
    started = time.perf_counter()
    again = run_cli("build", "--format", "pdf", "--jobs", "2")
    assert "0 built, 40 up to date (skipped)" in again.stdout
    assert time.perf_counter() - started < 60  # sanity bound only; speed is measured in bench/


def test_same_stem_twice_is_refused(workspace: Path, run_cli: Run) -> None:
    write(workspace / "briefings" / "a" / "one.md", MINIMAL)
    write(workspace / "briefings" / "b" / "one.md", MINIMAL)
    result = run_cli("build", "--format", "pdf")
    assert result.returncode == 2
    assert "would both be written as 'one.*'" in result.stderr


def test_out_option_and_explicit_paths(workspace: Path, run_cli: Run) -> None:
    source = write(workspace / "elsewhere" / "x.md", MINIMAL)
    result = run_cli("build", str(source), "--format", "html", "--out", "site")
    assert result.returncode == 0, result.stderr
    page = (workspace / "site" / "x.html").read_text()
    assert 'class="label label--fact">Fact<' in page
    assert "Commentary" in page and "The Desk" in page
