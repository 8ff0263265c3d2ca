"""A library call leaves the process as it found it, and works from threads, even two at once.

Each test runs its calls in a fresh process (tests/library_calls.py), so that nothing this
process did before hides what a call does: a module imported, an engine kept warm.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import EPOCH, MINIMAL, write
from pdftools import text

CALLS = Path(__file__).resolve().parent / "library_calls.py"
# In workers (the default) or in the calling process; the time limit stops a hung worker.
WORKERS = "time_limit = 20\n"
HERE = "time_limit = 0\njobs = 1\n"


def calls(tmp_path: Path, *args: str) -> Any:
    """Run library_calls.py with a temporary folder of its own; return the JSON it printed."""
    temporary = tmp_path / "temporary"
    temporary.mkdir(exist_ok=True)
    done = subprocess.run(
        [sys.executable, str(CALLS), *args],
        env={**os.environ, "TMPDIR": str(temporary), "SOURCE_DATE_EPOCH": EPOCH},
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=200,
        check=False,
    )
    assert done.returncode == 0 and done.stdout.startswith("{"), done.stdout + done.stderr
    return json.loads(done.stdout)


def workspace(folder: Path, build: str, briefs: int = 1) -> Path:
    """Write a workspace of briefs titled by the folder's name, building HTML and PDF."""
    settings = '[organisation]\nname = "Test Unit"\n[email]\nfrom = "desk@example.org"\n'
    write(folder / "briefkit.toml", f'{settings}[build]\nformats = ["html", "pdf"]\n{build}')
    for number in range(briefs):
        brief = MINIMAL.replace("A minimal brief", f"Brief {folder.name} {number}")
        write(folder / "briefings" / f"{folder.name}-{number}.md", brief)
    return folder


def assert_built(space: Path, out: Path) -> None:
    """Assert that out holds the HTML and PDF of each of the workspace's briefs, each its own."""
    for source in sorted((space / "briefings").glob("*.md")):
        title = f"Brief {source.stem.replace('-', ' ')}"
        assert title in (out / f"{source.stem}.html").read_text(encoding="utf-8")
        assert title in " ".join(text(out / f"{source.stem}.pdf").split())


@pytest.mark.slow
@pytest.mark.parametrize("where", [WORKERS, HERE], ids=["in workers", "in this process"])
def test_library_calls_leave_the_process_as_they_found_it(tmp_path: Path, where: str) -> None:
    # tempfile.tempdir, the environment, signal handlers, atexit and the temporary folder (no
    # briefkit-PID-... or weasyprint-... folder) as they were before, after every call.
    space = workspace(tmp_path / "space", where)
    assert calls(tmp_path, "traces", str(space)) == {}


@pytest.mark.slow
@pytest.mark.parametrize("where", [WORKERS, HERE], ids=["in workers", "in this process"])
def test_a_build_from_a_thread(tmp_path: Path, where: str) -> None:
    space = workspace(tmp_path / "one", where)
    made = calls(tmp_path, "threads", "-", str(space))
    assert made == {"one": {"built": 1, "errors": []}, "changed": {}}
    assert_built(space, space / "out")


@pytest.mark.slow
@pytest.mark.parametrize("where", [WORKERS, HERE], ids=["in workers", "in this process"])
def test_two_threads_build_at_once_into_their_own_folders(tmp_path: Path, where: str) -> None:
    # The first build of a process imports WeasyPrint. A worker another thread forked
    # meanwhile started with it half imported, and waited for it until the time limit; two
    # threads importing it at once could leave sys.stdout swapped for a buffer (and the
    # library search patched) for the rest of the process.
    spaces = [workspace(tmp_path / name, where, briefs=2) for name in ("a", "b", "c")]
    made = calls(tmp_path, "threads", "-", *map(str, spaces))
    assert made.pop("changed") == {}
    assert made == {name: {"built": 2, "errors": []} for name in ("a", "b", "c")}
    for space in spaces:
        assert_built(space, space / "out")


@pytest.mark.slow
@pytest.mark.parametrize("where", [WORKERS, HERE], ids=["in workers", "in this process"])
def test_two_threads_build_at_once_into_one_folder_one_after_the_other(
    tmp_path: Path, where: str
) -> None:
    # The output folder's lock holds the second until the first is done, so both builds'
    # files and cache entries are there.
    spaces = [workspace(tmp_path / name, where, briefs=2) for name in ("a", "b")]
    out = tmp_path / "out"
    made = calls(tmp_path, "threads", str(out), *map(str, spaces))
    assert made.pop("changed") == {}
    assert made == {name: {"built": 2, "errors": []} for name in ("a", "b")}
    for space in spaces:
        assert_built(space, out)
    cache = json.loads((out / ".briefkit-cache.json").read_text(encoding="utf-8"))
    assert sorted(Path(name).name for name in cache["outputs"]) == sorted(
        path.name for path in out.iterdir() if not path.name.startswith(".")
    )
    assert len(cache["outputs"]) == 8
