"""The store kept between builds: font coverage read once, then reused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from briefkit.rendering import fonts
from briefkit.resources import builtin_fonts


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the store at an empty folder."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "briefkit"


def test_font_coverage_follows_the_font_file(store: Path, tmp_path: Path) -> None:
    face = fonts.FontFile(tmp_path / "face.ttf")
    shutil.copy(builtin_fonts() / "NotoSans-Regular.ttf", face.path)
    latin = fonts.coverage(face)
    assert latin == frozenset(TTFont(face.path).getBestCmap())
    assert len(list((store / "coverage").iterdir())) == 1
    shutil.copy(builtin_fonts() / "NotoSansDevanagari-Regular.ttf", face.path)
    fonts.coverage.cache_clear()  # as a new build's process starts without it
    assert ord("क") in fonts.coverage(face) and ord("क") not in latin
