"""A library call leaves the process as it found it.

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


@pytest.mark.slow
@pytest.mark.parametrize("where", [WORKERS, HERE], ids=["in workers", "in this process"])
def test_library_calls_leave_the_process_as_they_found_it(tmp_path: Path, where: str) -> None:
    # tempfile.tempdir, the environment, signal handlers, atexit and the temporary folder (no
    # briefkit-PID-... or weasyprint-... folder) as they were before, after every call.
    space = workspace(tmp_path / "space", where)
    assert calls(tmp_path, "traces", str(space)) == {}
