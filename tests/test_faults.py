"""Faults a build survives: a kill at any moment, a rival build, a full disk, a read-only folder.

Each leaves every output either as the previous complete file or as the new one, never half of
one, and the next build recovers. The disks are real: a 1 MB tmpfs mount and a read-only bind
mount, which need root (as in CI); without it the two tests say so and skip.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import EPOCH, MINIMAL, write
from pdftools import poppler

pytestmark = pytest.mark.slow

FORMATS = ("pdf", "epub", "html")
BRIEFS = ("alpha", "beta")
OLD, NEW = MINIMAL, MINIMAL.replace("Something happened", "Something else happened, later")


def _command(*args: str) -> list[str]:
    """Return the command line of a build of every format."""
    formats = [part for fmt in FORMATS for part in ("--format", fmt)]
    return [sys.executable, "-m", "briefkit", "build", *formats, *args]


def _env(scratch: Path) -> dict[str, str]:
    """Return the environment of a build on the tests' clock, with its own temporary folder."""
    return {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "TMPDIR": str(scratch)}


def _workspace(folder: Path, text: str) -> Path:
    """Make a workspace whose briefs all have the given text."""
    write(folder / "briefkit.toml", '[organisation]\nname = "Test Unit"\n')
    for name in BRIEFS:
        write(folder / "briefings" / f"{name}.md", text)
    return folder


def _build(folder: Path, scratch: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Build a workspace to the end and return what it printed."""
    return subprocess.run(
        _command(*args), cwd=folder, env=_env(scratch), capture_output=True, text=True, timeout=300
    )


def _outputs(folder: Path) -> dict[str, bytes]:
    """Return the bytes of every output in a workspace's out/."""
    return {
        f"{n}.{fmt}": (folder / "out" / f"{n}.{fmt}").read_bytes()
        for n in BRIEFS
        for fmt in FORMATS
    }


def _opens(path: Path) -> None:
    """Check that an output opens as its kind: pdfinfo reads a PDF, every EPUB entry unpacks."""
    if path.suffix == ".pdf":
        assert "Pages:" in poppler("pdfinfo", str(path)), path.name
    elif path.suffix == ".epub":
        with zipfile.ZipFile(path) as archive:
            assert archive.testzip() is None, path.name
    else:
        assert path.read_text(encoding="utf-8").rstrip().endswith("</html>"), path.name


def _temporary(folder: Path) -> list[Path]:
    """Return the temporary files a build left in its output folder."""
    return sorted(folder.rglob("*.tmp"))


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """Return an empty folder for the builds' temporary files (their TMPDIR)."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    return folder


@pytest.fixture
def expected(tmp_path: Path) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Return the complete outputs of the old and of the new sources, built elsewhere."""
    found = []
    for name, text in (("old", OLD), ("new", NEW)):
        folder = _workspace(tmp_path / name, text)
        result = _build(folder, tmp_path, "-j", "1")
        assert result.returncode == 0, result.stderr
        found.append(_outputs(folder))
    assert found[0] != found[1]
    return found[0], found[1]


def test_a_build_killed_at_twenty_moments_leaves_whole_files_and_the_next_recovers(
    tmp_path: Path, scratch: Path, expected: tuple[dict[str, bytes], dict[str, bytes]]
) -> None:
    old, new = expected
    folder = _workspace(tmp_path / "work", OLD)
    started = time.monotonic()
    assert _build(folder, scratch, "-j", "2").returncode == 0
    # The moments are spread over one whole build, which takes this long here.
    moments = random.Random(20).sample(range(1, 1000), 20)
    whole = time.monotonic() - started
    for attempt, moment in enumerate(moments):
        for name in BRIEFS:
            write(folder / "briefings" / f"{name}.md", NEW if attempt % 2 == 0 else OLD)
        # Every third build renders in its own process, the others in two workers.
        workers = "1" if attempt % 3 == 0 else "2"
        process = subprocess.Popen(
            _command("-j", workers, "--force"),
            cwd=folder,
            env=_env(scratch),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(whole * moment / 1000)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        for name, data in _outputs(folder).items():
            assert data in (old[name], new[name]), f"{name} after a kill at {moment / 10:.1f}%"
            _opens(folder / "out" / name)
        # Each build first removes what killed ones left: they never hold more than one
        # build's files (its outputs and the cache).
        assert len(_temporary(folder / "out")) <= len(old) + 1, _temporary(folder / "out")
    for name in BRIEFS:
        write(folder / "briefings" / f"{name}.md", OLD)
    result = _build(folder, scratch, "-j", "2")
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr or "written afresh" in result.stderr
    assert _outputs(folder) == old
    assert _temporary(folder / "out") == []
    assert sorted(p.name for p in scratch.iterdir()) == []
    again = _build(folder, scratch, "-j", "2")
    assert f"0 built, {len(BRIEFS)} up to date" in again.stdout


def test_two_builds_of_the_same_briefs_at_once_leave_whole_outputs_and_a_true_cache(
    tmp_path: Path, scratch: Path, expected: tuple[dict[str, bytes], dict[str, bytes]]
) -> None:
    _, new = expected
    folder = _workspace(tmp_path / "work", NEW)
    rivals = [
        subprocess.Popen(
            _command("-j", "1", "--force"),
            cwd=folder,
            env=_env(scratch),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for rival in rivals:
        _, errors = rival.communicate(timeout=300)
        assert rival.returncode == 0, errors
    assert _outputs(folder) == new
    assert _temporary(folder / "out") == []
    again = _build(folder, scratch)
    assert f"0 built, {len(BRIEFS)} up to date" in again.stdout, again.stdout + again.stderr


@contextlib.contextmanager
def _mounted(target: Path, *options: str) -> Iterator[None]:
    """Mount something on target for the block; skip the test where mounting is not allowed."""
    target.mkdir(parents=True, exist_ok=True)
    for step in options:
        done = subprocess.run(["mount", *step.split()], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            subprocess.run(["umount", str(target)], capture_output=True, check=False)
            pytest.skip(f"cannot mount here ({done.stderr.strip()}): needs root, as in CI")
    try:
        yield
    finally:
        subprocess.run(["umount", str(target)], capture_output=True, check=True)


def _fill(path: Path) -> None:
    """Write zeros into path until the disk is full."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        with contextlib.suppress(OSError):
            while os.write(handle, b"\0" * 4096):
                pass
    finally:
        os.close(handle)


def _fails_clearly(result: subprocess.CompletedProcess[str], reason: str) -> None:
    """Check that a build failed with a message naming the reason, and no traceback."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert reason in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_a_full_disk_is_a_clear_error_and_keeps_the_previous_files(
    tmp_path: Path, scratch: Path
) -> None:
    folder = _workspace(tmp_path / "work", OLD)
    out = folder / "out"
    with _mounted(out, f"-t tmpfs -o size=1m tmpfs {out}"):
        assert _build(folder, scratch, "-j", "1").returncode == 0
        before = _outputs(folder)
        # Fill what is left, so that no new output fits.
        _fill(out / "filler")
        for name in BRIEFS:
            write(folder / "briefings" / f"{name}.md", NEW)
        result = _build(folder, scratch, "-j", "1")
        _fails_clearly(result, "No space left on device")
        assert _outputs(folder) == before
        assert _temporary(out) == []
        (out / "filler").unlink()
        recovered = _build(folder, scratch, "-j", "1")
        assert recovered.returncode == 0, recovered.stderr
        assert _outputs(folder) != before


def test_a_read_only_output_folder_is_a_clear_error_and_keeps_the_previous_files(
    tmp_path: Path,
    scratch: Path,
) -> None:
    folder = _workspace(tmp_path / "work", OLD)
    out = folder / "out"
    assert _build(folder, scratch, "-j", "1").returncode == 0
    before = _outputs(folder)
    for name in BRIEFS:
        write(folder / "briefings" / f"{name}.md", NEW)
    with _mounted(out, f"--bind {out} {out}", f"-o remount,bind,ro {out}"):
        result = _build(folder, scratch, "-j", "1")
        _fails_clearly(result, "Read-only file system")
        assert _outputs(folder) == before
    recovered = _build(folder, scratch, "-j", "1")
    assert recovered.returncode == 0, recovered.stderr
    assert _outputs(folder) != before


@pytest.mark.parametrize("workers", ["1", "2"])
def test_what_a_killed_build_left_in_the_temporary_folder_goes_with_the_next_build(
    tmp_path: Path, scratch: Path, workers: str
) -> None:
    folder = _workspace(tmp_path / "work", OLD)
    process = subprocess.Popen(
        _command("-j", workers), cwd=folder, env=_env(scratch), stdout=subprocess.DEVNULL
    )
    # Kill it once it has temporary files of its own: WeasyPrint's fonts, or its workers'.
    deadline = time.monotonic() + 120
    while not any(p.is_dir() for p in scratch.iterdir()) and process.poll() is None:
        assert time.monotonic() < deadline, "the build made no temporary folder"
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    assert list(scratch.iterdir())
    result = _build(folder, scratch, "-j", "1")
    assert result.returncode == 0, result.stderr
    assert list(scratch.iterdir()) == []
