"""`briefkit build` as a user runs it: outputs, failures, skipping, many briefs at once."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import briefkit
from briefkit import BuildReport
from briefkit.building import jobs
from briefkit.rendering.formats import get_format
from briefkit.text import fonts
from conftest import MINIMAL, Run, write
from pdftools import text, xmp

pytestmark = pytest.mark.slow


def _pdf(**options: object) -> BuildReport:
    """Build the current workspace's briefs to PDF only, in this process."""
    return briefkit.build(formats="pdf", jobs=1, **options)  # type: ignore[arg-type]


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
    assert "bad.md:9:18: error: section 'What happened': unknown kind '.news'" in result.stderr
    assert "Traceback" not in result.stderr
    assert (workspace / "out" / "good.pdf").is_file()
    assert not (workspace / "out" / "bad.pdf").exists()
    assert not [p for p in (workspace / "out").iterdir() if p.name.endswith(".tmp")]


def test_strict_refuses_warnings(workspace: Path, run_cli: Run) -> None:
    write(workspace / "briefings" / "w.md", MINIMAL.replace(" [@src]", ""))
    assert run_cli("build", "--format", "pdf", "--strict").returncode == 1
    assert not (workspace / "out" / "w.pdf").exists()
    assert run_cli("build", "--format", "pdf").returncode == 0


# CJK Extension G: no Noto font has it, so the check names it on every machine, and with
# fontconfig shown no system font (the bundled ones come from the stylesheets' @font-face)
# WeasyPrint has none for it either, whatever fonts the machine has installed.
EXT_G = "\U00030000"


def _no_system_fonts(folder: Path) -> dict[str, str]:
    """Return an environment in which fontconfig finds no font: a machine without Noto's."""
    (folder / "none").mkdir()
    config = f"<fontconfig><dir>{folder / 'none'}</dir><cachedir>{folder}</cachedir></fontconfig>"
    return {"FONTCONFIG_FILE": str(write(folder / "fonts.conf", config))}


def test_a_character_the_pdf_cannot_draw_is_named_and_voids_every_claim(
    workspace: Path, tmp_path_factory: pytest.TempPathFactory, run_cli: Run
) -> None:
    write(workspace / "briefings" / "g.md", MINIMAL.replace("Something happened", f"Seal {EXT_G}"))
    env = _no_system_fonts(tmp_path_factory.mktemp("fonts"))
    built = run_cli("build", "--format", "pdf", env=env)
    assert built.returncode == 0, built.stderr
    said = built.stdout + built.stderr
    drawn = f"g.md:11:6: warning: the PDF draws {EXT_G} (U+30000) as an empty box (.notdef)"
    assert f"{drawn} on page 1: none of Debian's Noto font packages draws it" in said
    assert "g.md: warning: not declared PDF/UA-1: it draws 1 character as empty boxes" in said
    assert ".notdef glyph rendered" not in said  # WeasyPrint's own warning, once per glyph
    assert "pdfuaid" not in xmp(workspace / "out" / "g.pdf")
    archival = run_cli("build", "--format", "pdf", "--pdf-variant", "a-3b", "--out", "a", env=env)
    assert "not declared PDF/A-3b or PDF/UA-1" in archival.stdout + archival.stderr
    assert not re.search("pdfu?aid", xmp(workspace / "a" / "g-pdfa.pdf"))
    strict = run_cli("build", "--format", "pdf", "--strict", "--out", "strict", env=env)
    assert strict.returncode == 1
    assert "(U+30000)" in strict.stdout + strict.stderr
    assert not (workspace / "strict" / "g.pdf").exists()


def test_the_pdf_check_fails_strict_where_the_source_check_saw_nothing(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As when the check's fonts are installed where the renderer's fontconfig does not look.
    monkeypatch.setattr(fonts, "missing_glyphs", lambda text: [])
    get_format("pdf").warm()  # WeasyPrint reads fontconfig's own settings once, on import
    monkeypatch.setenv("FONTCONFIG_FILE", _no_system_fonts(tmp_path)["FONTCONFIG_FILE"])
    write(workspace / "briefings" / "g.md", MINIMAL.replace("Something happened", f"Seal {EXT_G}"))
    assert not briefkit.load(workspace / "briefings" / "g.md").warnings
    strict = _pdf(strict=True)
    assert strict.results[0].error == "not built: 1 problem in the source"
    assert not (workspace / "out" / "g.pdf").exists()
    built = _pdf()
    assert built.ok
    assert [(f.line, f.col) for f in built.results[0].findings] == [(11, 6)]
    assert _pdf(strict=True).failed  # up to date, and still failing on what the PDF showed


def test_a_failed_rebuild_keeps_the_previous_output(workspace: Path) -> None:
    source = write(workspace / "briefings" / "one.md", MINIMAL)
    _pdf()
    before = (workspace / "out" / "one.pdf").read_bytes()
    source.write_text(MINIMAL.replace("title: A minimal brief", "title: [broken"))
    report = _pdf()
    assert report.failed
    assert (workspace / "out" / "one.pdf").read_bytes() == before


def test_a_brief_split_over_two_workers_is_written_whole_or_not_at_all(
    workspace: Path,
) -> None:
    # One brief, two workers: the PDF renders in one, the EPUB in the other.
    write(workspace / "briefings" / "one.md", MINIMAL)
    first = briefkit.build(formats=["pdf", "epub"], jobs=2)
    assert first.ok and [r.outputs for r in first.built]
    pdf, epub = workspace / "out" / "one.pdf", workspace / "out" / "one.epub"
    assert "What happened" in text(pdf) and epub.stat().st_size > 10_000
    kept = {path: path.stat().st_mtime_ns for path in (pdf, epub)}
    # An EPUB template that cannot render fails the brief's EPUB job only.
    write(workspace / "templates" / "epub" / "text.xhtml", "{{ no_such_thing.at_all }}")
    second = briefkit.build(formats=["pdf", "epub"], jobs=2, force=True)
    assert [r.source.name for r in second.failed] == ["one.md"]
    assert "text.xhtml:1" in (second.failed[0].error or "")
    # The PDF rendered fine in its own worker, but it is not written without the EPUB.
    assert {path: path.stat().st_mtime_ns for path in (pdf, epub)} == kept


def test_a_brief_split_over_two_workers_is_loaded_once_by_the_builds_process(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(workspace / "briefings" / "one.md", MINIMAL)
    calls = workspace / "loads.txt"
    load = jobs.load_brief

    def counted(*args: Any, **kwargs: Any) -> Any:
        # Forked workers inherit this too: each load, wherever it runs, adds its process.
        with calls.open("a", encoding="utf-8") as log:
            log.write(f"{os.getpid()}\n")
        return load(*args, **kwargs)

    monkeypatch.setattr(jobs, "load_brief", counted)
    report = briefkit.build(formats=["pdf", "epub"], jobs=2)
    assert report.ok and (workspace / "out" / "one.epub").exists()
    # Loaded here while the workers imported their engines, not once in each worker.
    assert calls.read_text(encoding="utf-8").split() == [str(os.getpid())]


def test_unchanged_rebuild_skips_and_changes_rebuild(workspace: Path) -> None:
    source = write(workspace / "briefings" / "one.md", MINIMAL)
    first = _pdf()
    assert [r.skipped for r in first.results] == [False]
    second = _pdf()
    assert [r.skipped for r in second.results] == [True]
    source.write_text(MINIMAL.replace("Something happened", "Something else happened"))
    third = _pdf()
    assert [r.skipped for r in third.results] == [False]
    assert "Something else happened" in text(workspace / "out" / "one.pdf")
    forced = _pdf(force=True)
    assert [r.skipped for r in forced.results] == [False]


def test_image_style_and_option_changes_invalidate(workspace: Path) -> None:
    from PIL import Image

    Image.new("RGB", (40, 20), "navy").save(workspace / "briefings" / "chart.png")
    write(workspace / "briefings" / "one.md", MINIMAL + "\n![A chart](chart.png)\n")
    _pdf()
    Image.new("RGB", (40, 20), "red").save(workspace / "briefings" / "chart.png")
    assert not _pdf().results[0].skipped
    assert _pdf().results[0].skipped
    write(workspace / "styles" / "extra.css", "h2 { color: black; }")
    assert not _pdf().results[0].skipped
    assert not _pdf(paper="letter").results[0].skipped
    (workspace / "out" / "one-letter.pdf").unlink()
    assert not _pdf(paper="letter").results[0].skipped


def test_only_the_settings_that_shape_an_output_rebuild_it(workspace: Path, run_cli: Run) -> None:
    write(workspace / "briefings" / "one.md", MINIMAL)
    assert run_cli("build").returncode == 0
    toml = workspace / "briefkit.toml"
    write(toml, toml.read_text() + '\n[email]\nfrom = "desk@example.org"\n')
    mail = run_cli("build")
    # Who sends the mail shapes no PDF or EPUB.
    assert "0 built, 1 up to date (skipped)" in mail.stdout, mail.stdout
    write(toml, toml.read_text() + '\n[labels]\nfact = "Reported"\n')
    labels = run_cli("build")
    assert "1 built, 0 up to date" in labels.stdout, labels.stdout
    assert "REPORTED" in text(workspace / "out" / "one.pdf")  # labels are set in capitals


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


def test_same_name_in_two_folders_is_mirrored_under_out(workspace: Path, run_cli: Run) -> None:
    write(workspace / "briefings" / "2025" / "note.md", MINIMAL)
    write(workspace / "briefings" / "2026" / "note.md", MINIMAL.replace("minimal", "later"))
    result = run_cli("build", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    assert "A later brief" in text(workspace / "out" / "2026" / "note.pdf")
    assert "A minimal brief" in text(workspace / "out" / "2025" / "note.pdf")
    # Naming one of them as a file writes it to the same place, so the cache still knows it.
    again = run_cli("build", "briefings/2025/note.md", "--format", "pdf")
    assert "0 built, 1 up to date" in again.stdout


def test_two_sources_writing_one_file_are_refused(workspace: Path, run_cli: Run) -> None:
    write(workspace / "briefings" / "one.md", MINIMAL)
    write(workspace / "elsewhere" / "one.md", MINIMAL)
    result = run_cli("build", "briefings/one.md", "elsewhere/one.md", "--format", "pdf")
    assert result.returncode == 2
    assert "would both be written as out/one.pdf" in result.stderr


def test_out_option_and_explicit_paths(workspace: Path, run_cli: Run) -> None:
    source = write(workspace / "elsewhere" / "x.md", MINIMAL)
    result = run_cli("build", str(source), "--format", "html", "--out", "site")
    assert result.returncode == 0, result.stderr
    page = (workspace / "site" / "x.html").read_text()
    assert 'class="label label--fact">Fact<' in page
    assert "Commentary" in page and "The Desk" in page


def test_what_the_cache_names_beyond_the_build_is_never_opened(workspace: Path) -> None:
    from PIL import Image

    Image.new("RGB", (40, 20), "navy").save(workspace / "logo.png")
    config = workspace / "briefkit.toml"
    config.write_text(config.read_text() + 'logo = "logo.png"\n', encoding="utf-8")
    write(workspace / "briefings" / "one.md", MINIMAL)
    command = [sys.executable, "-m", "briefkit", "build", "--format", "html", "-j", "1"]
    assert subprocess.run(command, capture_output=True, timeout=120, check=False).returncode == 0
    again = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert "0 built, 1 up to date" in again.stdout  # the source and the logo are read anyway
    # A cache naming a FIFO (which never answers) and /dev/zero (which never ends) as inputs.
    os.mkfifo(workspace / "trap")
    cache = workspace / "out" / ".briefkit-cache.json"
    document = json.loads(cache.read_text(encoding="utf-8"))
    for entry in document["outputs"].values():
        entry["inputs"] += [str(workspace / "trap"), "/dev/zero"]
    cache.write_text(json.dumps(document), encoding="utf-8")
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "1 built, 0 up to date" in result.stdout  # the entry was stale: nothing it named read


def test_an_output_folder_leading_out_through_a_link_is_refused(
    workspace: Path, run_cli: Run
) -> None:
    write(workspace / "briefings" / "2024" / "one.md", MINIMAL)
    write(workspace / "briefings" / "two.md", MINIMAL)
    outside = workspace.parent / f"{workspace.name}-outside"
    outside.mkdir()
    (workspace / "out").mkdir()
    (workspace / "out" / "2024").symlink_to(outside)
    result = run_cli("build", "--format", "html")
    assert result.returncode == 1
    assert "out/2024: a symbolic link leads out of out" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert list(outside.iterdir()) == []
