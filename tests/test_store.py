"""The store kept between builds: covers drawn and font coverage read once, then reused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from briefkit.rendering.cover import CoverText, render_cover
from briefkit.rendering.theme import Theme
from briefkit.resources import builtin_fonts
from briefkit.text import fonts

TEXT = CoverText("A title", "A subtitle", "An Institute", None, "24 November 2025", None)


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the store at an empty folder."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "briefkit"


def test_a_cover_is_drawn_once_and_reused(store: Path) -> None:
    first = render_cover(TEXT)
    entries = list((store / "covers").iterdir())
    assert len(entries) == 1 and entries[0].read_bytes() == first
    assert render_cover(TEXT) == first
    other = render_cover(CoverText("Another title", None, None, None, "1 May 2025", None))
    assert other != first and len(list((store / "covers").iterdir())) == 2


def test_a_cover_is_drawn_when_the_store_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert render_cover(TEXT).startswith(b"\x89PNG")


def test_font_coverage_follows_the_font_file(store: Path, tmp_path: Path) -> None:
    face = fonts.FontFile(tmp_path / "face.ttf")
    shutil.copy(builtin_fonts() / "NotoSans-Regular.ttf", face.path)
    latin = fonts.coverage(face)
    assert latin == frozenset(TTFont(face.path).getBestCmap())
    assert len(list((store / "coverage").iterdir())) == 1
    shutil.copy(builtin_fonts() / "NotoSansDevanagari-Regular.ttf", face.path)
    fonts.coverage.cache_clear()  # as a new build's process starts without it
    assert ord("क") in fonts.coverage(face) and ord("क") not in latin


def test_a_compiled_template_is_kept_and_an_edited_one_compiled_again(
    store: Path, tmp_path: Path
) -> None:
    template = tmp_path / "theme" / "templates" / "hello.html"
    template.parent.mkdir(parents=True)
    template.write_text("Hello {{ who }}", encoding="utf-8")
    assert Theme.of((tmp_path / "theme",)).render("hello.html", who="A") == "Hello A"
    assert len(list((store / "templates").iterdir())) == 1
    template.write_text("Goodbye {{ who }}", encoding="utf-8")
    assert Theme.of((tmp_path / "theme",)).render("hello.html", who="A") == "Goodbye A"


def test_a_damaged_template_entry_is_compiled_again(store: Path, tmp_path: Path) -> None:
    template = tmp_path / "theme" / "templates" / "hello.html"
    template.parent.mkdir(parents=True)
    template.write_text("Hello {{ who }}", encoding="utf-8")
    Theme.of((tmp_path / "theme",)).render("hello.html", who="A")
    for entry in (store / "templates").iterdir():
        entry.write_bytes(entry.read_bytes()[:20])
    assert Theme.of((tmp_path / "theme",)).render("hello.html", who="B") == "Hello B"
