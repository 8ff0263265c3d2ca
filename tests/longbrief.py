"""A long brief (about thirty pages) made at test time from a sample's own sections.

Each section of the talent-mobility sample appears in several numbered rounds, its notes
renamed so every round calls its own, so page breaks fall in every kind of place: inside
paragraphs, commentary, lists, tables and before figures.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from conftest import ROOT

SAMPLE = ROOT / "briefings" / "talent-mobility-2025-11.md"
ROUNDS = 12


def write_long_brief(folder: Path, rounds: int = ROUNDS) -> Path:
    """Write the long brief, and the images it uses, into folder; return its path."""
    text = SAMPLE.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    sections, notes = _split_notes(body)
    rounds_text = [
        _renumber(sections, number) + "\n" + _renumber(notes, number)
        for number in range(1, rounds + 1)
    ]
    front = front.replace(
        "short_title: India–Japan skilled mobility", "short_title: Skilled mobility, long"
    )
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(SAMPLE.parent / "images", folder / "images", dirs_exist_ok=True)
    target = folder / "long-talent-mobility.md"
    target.write_text("---\n" + front + "---\n" + "\n".join(rounds_text), encoding="utf-8")
    return target


def _split_notes(body: str) -> tuple[str, str]:
    """Return the body's sections and its footnote definitions apart."""
    start = body.index("\n[^")
    return body[:start], body[start:]


def _renumber(text: str, number: int) -> str:
    """Name a round's headings and notes apart from the other rounds'."""
    text = re.sub(r"^## ", f"## {number}. ", text, flags=re.M)
    return re.sub(r"\[\^(\w+)\]", rf"[^\1-{number}]", text)
