"""The time limit holds whatever the engine is doing, in every command that renders.

A render that spends its time in C never lets its own process run a signal handler, so each
case runs tests/slowrender.py in a process of its own, whose renders of "slow" briefs spin in
C for minutes: the limit must stop them from outside, and Ctrl-C and SIGTERM must stop the
command at once, its workers with it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import EPOCH, MINIMAL, write

pytestmark = pytest.mark.slow

HERE = Path(__file__).resolve().parent
LIMIT = 3
# Far more than a stopped render takes (the limit, plus a worker started in its place and a
# quick brief rendered in it), far less than the minutes a render spinning in C takes.
BUDGET = 45
SETTINGS = f"""[organisation]
name = "Test Unit"

[build]
time_limit = {LIMIT}

[email]
from = "desk@example.org"

[publish]
base_url = "https://briefs.example.org/"
"""
STOPPED = f"rendering took longer than {LIMIT} s, the limit set by [build] time_limit"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Return a workspace with a slow brief and a quick one."""
    write(tmp_path / "briefkit.toml", SETTINGS)
    write(tmp_path / "briefings" / "slow.md", MINIMAL)
    write(tmp_path / "briefings" / "quick.md", MINIMAL)
    return tmp_path


def _command(folder: Path, *args: str) -> list[str]:
    """Return the command that runs an operation with slow renders in folder."""
    return [sys.executable, str(HERE / "slowrender.py"), str(folder), *args]


def _env() -> dict[str, str]:
    """Return the environment of the command: the tests' clock, briefkit importable."""
    path = os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONPATH": path}


def _outcome(folder: Path, *args: str) -> tuple[dict[str, Any], float]:
    """Run an operation; return what it printed and how long it took."""
    started = time.monotonic()
    done = subprocess.run(
        _command(folder, *args),
        env=_env(),
        capture_output=True,
        text=True,
        timeout=BUDGET * 2,
        check=False,
    )
    seconds = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1]), seconds


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_build_stops_a_render_busy_in_c_and_builds_the_rest(folder: Path, jobs: str) -> None:
    outcome, seconds = _outcome(folder, "build", jobs, "pdf", "epub")
    assert seconds < BUDGET
    assert outcome["errors"]["quick.md"] is None
    assert STOPPED in outcome["errors"]["slow.md"]
    assert (folder / "out" / "quick.pdf").is_file() and (folder / "out" / "quick.epub").is_file()
    assert not list((folder / "out").glob("slow.*"))


@pytest.mark.parametrize("operation", ["render", "email"])
def test_the_api_and_email_stop_a_render_busy_in_c(folder: Path, operation: str) -> None:
    outcome, seconds = _outcome(folder, operation, "slow.md", "pdf")
    assert seconds < BUDGET
    assert STOPPED in outcome["error"]


def test_publish_stops_a_render_busy_in_c(folder: Path) -> None:
    outcome, seconds = _outcome(folder, "publish")
    assert seconds < BUDGET
    assert STOPPED in outcome["errors"]["slow.md"]
    assert outcome["errors"]["quick.md"] is None


def _children(pid: int) -> list[int]:
    """Return the ids of a process's child processes."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def _gone(pid: int) -> bool:
    """Tell whether a process has ended (a zombie waiting to be reaped counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state in ("Z", "X")


def _foreground_ctrl_c() -> None:
    """Give the child Ctrl-C as a terminal's foreground job has it.

    A shell starts a background job (``make test &``) with SIGINT ignored, and the tests
    inherit that; a build started so rightly ignores Ctrl-C, which is not what this tests.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("how", ["SIGTERM", "Ctrl-C"])
def test_a_signal_stops_a_build_busy_in_c_at_once(folder: Path, how: str) -> None:
    (folder / "briefkit.toml").write_text(SETTINGS.replace(f"= {LIMIT}", "= 600"))
    process = subprocess.Popen(
        _command(folder, "cli", "build", "--format", "pdf", "-j", "1"),
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=_foreground_ctrl_c,
    )
    deadline = time.monotonic() + BUDGET
    while not _children(process.pid):
        assert process.poll() is None and time.monotonic() < deadline, "no worker started"
        time.sleep(0.05)
    time.sleep(2)  # the worker is spinning in C on the slow brief
    workers = _children(process.pid)
    started = time.monotonic()
    if how == "SIGTERM":
        process.send_signal(signal.SIGTERM)
    else:
        os.killpg(process.pid, signal.SIGINT)  # as a terminal sends Ctrl-C to the job
    process.wait(timeout=BUDGET)
    assert time.monotonic() - started < 2.5
    assert process.returncode in (130, 143), process.stderr.read() if process.stderr else ""
    time.sleep(0.5)
    assert all(_gone(worker) for worker in workers)
    assert not (folder / "out" / "slow.pdf").exists()
    assert not list((folder / "out").glob(".*.tmp"))
