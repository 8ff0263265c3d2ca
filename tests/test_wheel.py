"""The wheel carries the built-in theme, fonts and samples, and builds from an empty folder."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import EPOCH, MINIMAL, ROOT, write

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the project's wheel once."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    [built] = out.glob("briefkit-*.whl")
    return built


def test_wheel_contains_templates_styles_fonts_and_samples(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in (ROOT / "templates").rglob("*"):
        if template.is_file():
            assert f"briefkit/data/templates/{template.relative_to(ROOT / 'templates')}" in names
    for expected in (
        "briefkit/data/styles/pdf.css",
        "briefkit/data/styles/base.css",
        "briefkit/data/styles/fonts/NotoSerif-Regular.ttf",
        "briefkit/data/styles/fonts/OFL.txt",
        "briefkit/data/styles/colour/print-cmyk.icc",
        "briefkit/data/styles/colour/srgb.icc",
        "briefkit/data/briefings/india-japan-2025-11.md",
        "briefkit/data/briefings/images/milestones.png",
        "briefkit/data/wordlists/en.toml",
        "briefkit/py.typed",
    ):
        assert expected in names


def test_installed_wheel_builds_from_an_empty_folder(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--quiet",
            "-t",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    folder = tmp_path / "empty"
    write(folder / "brief.md", MINIMAL)
    env = {**os.environ, "PYTHONPATH": str(target), "SOURCE_DATE_EPOCH": EPOCH}
    probe = subprocess.run(
        [sys.executable, "-c", "import briefkit.resources as r; print(r.builtin_root())"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=folder,
    )
    assert probe.stdout.strip().startswith(str(target))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "briefkit",
            "build",
            "brief.md",
            "--format",
            "pdf",
            "--format",
            "html",
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=folder,
    )
    assert result.returncode == 0, result.stderr
    assert (folder / "out" / "brief.pdf").stat().st_size > 10_000
    assert "Fact" in (folder / "out" / "brief.html").read_text()
