"""With SOURCE_DATE_EPOCH, the same sources give the same bytes, wherever and however built."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import socket
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from conftest import EPOCH, ROOT, Run

pytestmark = pytest.mark.slow

SAMPLES = ("india-japan-2025-11", "talent-mobility-2025-11")


def _workspace(folder: Path) -> Path:
    """Copy the two English samples and their images into a new workspace."""
    (folder / "briefings").mkdir(parents=True)
    shutil.copytree(ROOT / "briefings" / "images", folder / "briefings" / "images")
    for name in SAMPLES:
        shutil.copy(ROOT / "briefings" / f"{name}.md", folder / "briefings")
    (folder / "briefkit.toml").write_text("")
    return folder


def _readable(path: Path) -> bytes:
    """Return a file's bytes with its compressed parts (PDF streams, zip entries) opened."""
    data = path.read_bytes()
    if path.suffix == ".epub":
        with zipfile.ZipFile(path) as archive:
            return b"\n".join(archive.read(name) for name in archive.namelist())
    if path.suffix == ".pdf":
        parts = [data]
        for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.S):
            try:
                parts.append(zlib.decompress(stream))
            except zlib.error:
                continue
        return b"\n".join(parts)
    return data


def test_outputs_are_the_same_bytes_in_any_folder_and_with_any_workers(
    tmp_path: Path, run_cli: Run
) -> None:
    first = _workspace(tmp_path / "one")
    second = _workspace(tmp_path / "elsewhere" / "deeper" / "two")
    formats = ["--format", "pdf", "--format", "epub", "--format", "html"]
    env = {"SOURCE_DATE_EPOCH": EPOCH}
    assert run_cli("build", *formats, "-j", "1", cwd=first, env=env).returncode == 0
    assert run_cli("build", *formats, "-j", "2", cwd=second, env=env).returncode == 0
    for name in SAMPLES:
        for fmt in ("pdf", "epub", "html"):
            left, right = first / "out" / f"{name}.{fmt}", second / "out" / f"{name}.{fmt}"
            assert left.read_bytes() == right.read_bytes(), f"{name}.{fmt}"


def test_no_output_names_the_folder_or_the_machine(tmp_path: Path, run_cli: Run) -> None:
    folder = _workspace(tmp_path / "secret-folder-name")
    formats = ["--format", "pdf", "--format", "epub", "--format", "html"]
    assert run_cli("build", *formats, cwd=folder, env={"SOURCE_DATE_EPOCH": EPOCH}).returncode == 0
    host = socket.gethostname().encode()
    for output in [p for p in (folder / "out").iterdir() if not p.name.startswith(".")]:
        content = _readable(output)
        assert b"secret-folder-name" not in content, output.name
        assert str(ROOT).encode() not in content, output.name
        assert len(host) < 4 or host not in content, output.name


def test_outputs_do_not_change_with_the_clock_the_zone_the_locale_or_the_user(
    tmp_path: Path, run_cli: Run
) -> None:
    first = _workspace(tmp_path / "one")
    second = _workspace(tmp_path / "two")
    formats = ["--format", "pdf", "--format", "epub", "--format", "html"]
    env = {"SOURCE_DATE_EPOCH": EPOCH, "TZ": "UTC", "LC_ALL": "C.UTF-8"}
    assert run_cli("build", *formats, cwd=first, env=env).returncode == 0
    outputs = [p for p in (first / "out").iterdir() if not p.name.startswith(".")]
    before = {p.name: p.read_bytes() for p in outputs}
    time.sleep(1.1)  # so the wall clock reads another second: nothing may show it
    again = run_cli("build", *formats, "--force", cwd=first, env=env)
    assert again.returncode == 0, again.stderr
    elsewhere = {
        **env,
        "TZ": "Pacific/Kiritimati",
        "LC_ALL": "de_DE.UTF-8",
        "LANG": "de_DE.UTF-8",
        "HOME": str(tmp_path / "another-home"),
        "USER": "someone-else",
        "LOGNAME": "someone-else",
    }
    assert run_cli("build", *formats, cwd=second, env=elsewhere).returncode == 0
    today = dt.datetime.now(dt.UTC)
    clock = [today.strftime(f).encode() for f in ("%Y-%m-%d", "%Y%m%d", "%d %B %Y", "%B %d, %Y")]
    for name, data in before.items():
        assert (first / "out" / name).read_bytes() == data, f"{name} changed on a rebuild"
        assert (second / "out" / name).read_bytes() == data, f"{name} differs elsewhere"
        assert not [c for c in clock if c in _readable(first / "out" / name)], name
