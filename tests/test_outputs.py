"""What a build leaves in the output folder: names, editions, removals, and what it remembers."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pikepdf
import pytest

from conftest import MINIMAL, Run, write
from pdftools import info, pages

pytestmark = pytest.mark.slow

LONG = MINIMAL.replace("We think it matters.", "We think it matters. " * 400)


def test_strict_fails_on_warnings_kept_from_an_earlier_build(workspace: Path, run_cli: Run) -> None:
    write(workspace / "briefings" / "w.md", MINIMAL.replace(" [@src]", ""))
    first = run_cli("build", "briefings/w.md", "--format", "pdf")
    assert first.returncode == 0, first.stderr
    assert "cites no source" in first.stderr
    strict = run_cli("build", "briefings/w.md", "--format", "pdf", "--strict")
    assert strict.returncode == 1
    assert "w.md:9:1: warning: fact section 'What happened' cites no source" in strict.stderr
    assert "0 built, 0 up to date (skipped), 1 failed" in strict.stdout
    # The output of the first build is still the complete file it was.
    assert (workspace / "out" / "w.pdf").stat().st_size > 10_000


def test_facts_only_edition_has_its_own_files_and_says_so(workspace: Path, run_cli: Run) -> None:
    write(workspace / "briefings" / "one.md", LONG.replace("{.commentary", "{.fact"))
    write(workspace / "briefings" / "two.md", LONG)
    assert run_cli("build", "--format", "pdf", "--format", "epub").returncode == 0
    full = (workspace / "out" / "two.pdf").read_bytes()
    result = run_cli("build", "--facts-only")
    assert result.returncode == 0, result.stderr
    assert (workspace / "out" / "two.pdf").read_bytes() == full
    pdf = workspace / "out" / "two-facts-only.pdf"
    assert info(pdf)["Title"] == "A minimal brief (facts only)"
    with zipfile.ZipFile(workspace / "out" / "two-facts-only.epub") as epub:
        opf = next(n for n in epub.namelist() if n.endswith(".opf"))
        assert "<dc:title>A minimal brief (facts only)</dc:title>" in epub.read(opf).decode()
    # A long brief's running head names the edition on every page after the first.
    heads = pages(workspace / "out" / "one-facts-only.pdf")[1:]
    assert heads and all("A minimal brief (facts only)" in page for page in heads)


def test_outputs_of_a_deleted_or_renamed_source_are_removed(workspace: Path, run_cli: Run) -> None:
    old = write(workspace / "briefings" / "old-name.md", MINIMAL)
    write(workspace / "briefings" / "kept.md", MINIMAL)
    assert run_cli("build", "--format", "pdf", "--format", "html").returncode == 0
    mine = write(workspace / "out" / "notes.pdf", "not made by briefkit")
    old.rename(workspace / "briefings" / "new-name.md")
    result = run_cli("build", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in (workspace / "out").iterdir())
    assert names == [
        ".briefkit-cache.json",
        ".briefkit.lock",
        "kept.html",
        "kept.pdf",
        "new-name.pdf",
        "notes.pdf",
    ]
    assert "removed out/old-name.pdf: its source is gone" in result.stdout
    assert "removed out/old-name.html: its source is gone" in result.stdout
    assert mine.read_text() == "not made by briefkit"


def test_building_one_format_keeps_the_others_up_to_date(workspace: Path, run_cli: Run) -> None:
    write(workspace / "briefings" / "one.md", MINIMAL)
    assert run_cli("build").returncode == 0
    assert run_cli("build", "--format", "html").returncode == 0
    again = run_cli("build")
    assert "0 built, 1 up to date (skipped)" in again.stdout
    paper = run_cli("build", "--paper", "letter")
    # Only the PDF depends on the paper size, and gets a name of its own; the EPUB is kept.
    assert "1 built" in paper.stdout
    cache = json.loads((workspace / "out" / ".briefkit-cache.json").read_text())
    names = {Path(name).name for name in cache["outputs"]}
    assert names == {"one.pdf", "one-letter.pdf", "one.epub", "one.html"}


def test_letter_and_print_pdfs_never_overwrite_the_a4_file(workspace: Path, run_cli: Run) -> None:
    write(workspace / "briefings" / "x.md", MINIMAL)
    assert run_cli("build", "briefings/x.md").returncode == 0
    a4 = (workspace / "out" / "x.pdf").read_bytes()
    marked = run_cli("build", "briefings/x.md", "--paper", "letter", "--print")
    assert marked.returncode == 0, marked.stderr
    assert (workspace / "out" / "x.pdf").read_bytes() == a4
    with pikepdf.open(workspace / "out" / "x-letter-print.pdf") as pdf:
        trim = [float(v) for v in pdf.pages[0].TrimBox]
    # US Letter, 8.5 by 11 inches, inside the sheet that carries the crop marks.
    assert round(trim[2] - trim[0]) == 612 and round(trim[3] - trim[1]) == 792
    x4 = run_cli("build", "briefings/x.md", "--format", "pdf", "--pdf-variant", "x-4")
    assert x4.returncode == 0, x4.stderr
    assert "out/x-x4.pdf" in x4.stdout
    assert (workspace / "out" / "x.pdf").read_bytes() == a4


def test_jobs_zero_means_one_worker_per_core(workspace: Path, run_cli: Run) -> None:
    for number in range(3):
        write(workspace / "briefings" / f"b{number}.md", MINIMAL)
    result = run_cli("build", "--format", "html", "-j", "0")
    assert result.returncode == 0, result.stderr
    assert "3 built" in result.stdout


def test_piped_output_has_a_line_per_brief_as_it_finishes(workspace: Path, run_cli: Run) -> None:
    write(workspace / "briefings" / "a.md", MINIMAL)
    write(workspace / "briefings" / "b.md", MINIMAL)
    write(workspace / "briefings" / "zz-broken.md", MINIMAL.replace("{.fact}", ""))
    result = run_cli("build", "--format", "html", "-j", "1")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert re.match(r"built briefings/a\.md → out/a\.html in \d+\.\d\d s$", lines[0])
    assert re.match(r"built briefings/b\.md → out/b\.html in \d+\.\d\d s$", lines[1])
    assert "briefings/zz-broken.md:9:1: error: section 'What happened' has no kind" in (
        result.stderr
    )
    again = run_cli("build", "--format", "html", "-j", "1")
    assert again.stdout.splitlines()[:2] == [
        "up to date briefings/a.md",
        "up to date briefings/b.md",
    ]


def _on_a_terminal(folder: Path, *args: str) -> tuple[int, str]:
    """Run briefkit with standard output and error on a terminal; return status and screen text."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "briefkit", *args],
        cwd=folder,
        stdout=follower,
        stderr=follower,
        env={**os.environ, "COLUMNS": "100", "TERM": "xterm"},
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return process.wait(timeout=300), b"".join(chunks).decode("utf-8", "replace")


def test_on_a_terminal_problems_print_on_their_own_lines(workspace: Path) -> None:
    for number in range(4):
        write(workspace / "briefings" / f"b{number}.md", MINIMAL)
    write(workspace / "briefings" / "zz-broken.md", MINIMAL.replace("{.fact}", ""))
    status, screen = _on_a_terminal(workspace, "build", "--format", "html", "-j", "2")
    assert status == 1
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen)
    segments = [s for s in re.split(r"\r\n|\n|\r", plain) if s.strip()]
    problem = [s for s in segments if "zz-broken.md:9:1: error:" in s]
    assert problem and all(s.startswith("briefings/zz-broken.md:9:1: error:") for s in problem)
    assert "4 built, 0 up to date (skipped), 1 failed" in plain
    # The bar is gone at the end: the last lines are the table and the count, not a bar.
    assert "building" not in segments[-1]


@pytest.mark.parametrize(
    "damage", ["[]", "null", '{"entries": []}', '{"schema": 2, "outputs": []}', "{not json"]
)
def test_a_damaged_cache_is_rebuilt_with_a_warning(
    workspace: Path, run_cli: Run, damage: str
) -> None:
    write(workspace / "briefings" / "one.md", MINIMAL)
    assert run_cli("build", "--format", "html").returncode == 0
    (workspace / "out" / ".briefkit-cache.json").write_text(damage)
    for attempt in ("build", "--force"):
        args = ["build", "--format", "html", *(["--force"] if attempt == "--force" else [])]
        result = run_cli(*args)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    first = run_cli("build", "--format", "html")
    assert "0 built, 1 up to date" in first.stdout  # the cache was written afresh


def test_the_warning_names_the_damaged_cache(workspace: Path, run_cli: Run) -> None:
    write(workspace / "briefings" / "one.md", MINIMAL)
    write(workspace / "out" / ".briefkit-cache.json", "[]")
    result = run_cli("build", "--format", "html")
    assert "warning: out/.briefkit-cache.json could not be read; it was written afresh" in (
        result.stderr
    )


def test_a_cache_naming_files_outside_the_output_folder_removes_none_of_them(
    workspace: Path, run_cli: Run
) -> None:
    write(workspace / "briefings" / "one.md", MINIMAL)
    victim = write(workspace / "precious.txt", "the user's own file")
    linked = write(workspace / "elsewhere" / "also.txt", "another of the user's files")
    (workspace / "out").mkdir()
    (workspace / "out" / "up").symlink_to(workspace / "elsewhere")
    gone = str(workspace / "briefings" / "deleted.md")
    outputs = {
        str(path): {"source": gone, "key": "k", "inputs": [], "size": path.stat().st_size}
        for path in (victim, workspace / "out" / "up" / "also.txt")
    }
    write(workspace / "out" / ".briefkit-cache.json", json.dumps({"schema": 2, "outputs": outputs}))
    result = run_cli("build", "--format", "html")
    assert result.returncode == 0, result.stderr
    assert victim.read_text() == "the user's own file"
    assert linked.read_text() == "another of the user's files"


def test_temporary_files_of_a_killed_build_are_removed(workspace: Path, run_cli: Run) -> None:
    write(workspace / "briefings" / "one.md", MINIMAL)
    # What a build killed between writing and renaming leaves: its process is gone.
    stale = write(workspace / "out" / ".one.html.999999999.abcd1234.tmp", "partial")
    result = run_cli("build", "--format", "html")
    assert result.returncode == 0, result.stderr
    assert not stale.exists()


def test_parallel_workers_leave_no_temporary_folders(workspace: Path, run_cli: Run) -> None:
    for number in range(3):
        write(workspace / "briefings" / f"b{number}.md", MINIMAL)
    scratch = workspace / "tmp"
    scratch.mkdir()
    result = run_cli("build", "--format", "pdf", "-j", "2", env={"TMPDIR": str(scratch)})
    assert result.returncode == 0, result.stderr
    assert list(scratch.iterdir()) == []


def test_two_builds_into_one_folder_at_once_keep_every_output(workspace: Path) -> None:
    for number in range(4):
        write(workspace / "briefings" / f"b{number}.md", MINIMAL)
    command = [sys.executable, "-m", "briefkit", "build", "--format", "html", "-j", "1", "--force"]
    first = subprocess.Popen([*command, "briefings/b0.md", "briefings/b1.md"], cwd=workspace)
    second = subprocess.Popen([*command, "briefings/b2.md", "briefings/b3.md"], cwd=workspace)
    assert first.wait(timeout=300) == 0 and second.wait(timeout=300) == 0
    cache = json.loads((workspace / "out" / ".briefkit-cache.json").read_text())
    assert {Path(name).name for name in cache["outputs"]} == {f"b{n}.html" for n in range(4)}
    again = subprocess.run([*command[:-1]], cwd=workspace, capture_output=True, text=True)
    assert "0 built, 4 up to date" in again.stdout


def test_a_brief_that_takes_too_long_is_stopped_and_the_others_build(
    workspace: Path, run_cli: Run
) -> None:
    # 900 notes take WeasyPrint well over ten seconds; the quick brief takes a tenth of one,
    # and a second in a worker that starts in place of the stopped one.
    write(workspace / "briefkit.toml", "[build]\ntime_limit = 4\n")
    notes = " ".join(f"Point{n}[^n{n}]" for n in range(900))
    bodies = "".join(f"[^n{n}]: Note {n}.\n" for n in range(900))
    slow = MINIMAL.replace("Something happened [@src].", f"{notes} [@src].\n\n{bodies}")
    write(workspace / "briefings" / "a-slow.md", slow)
    write(workspace / "briefings" / "b-quick.md", MINIMAL)
    result = run_cli("build", "--format", "pdf", "-j", "1")
    assert result.returncode == 1
    assert (
        "briefings/a-slow.md: error: not built: rendering took longer than 4 s, the limit set "
        "by [build] time_limit" in result.stderr
    )
    assert not (workspace / "out" / "a-slow.pdf").exists()
    assert (workspace / "out" / "b-quick.pdf").is_file()
