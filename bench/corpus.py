"""The briefs every contender renders: one generated brief of a given length, copied N times.

The briefs come from the test suite's long-brief generator (tests/longbrief.py), so they have
what a real brief has: fact and commentary sections, tables, lists, a figure, footnotes and
citations. The peers get the same text as plain Pandoc Markdown: simple metadata, the
brief's sources as CSL references for --citeproc, the body unchanged (Pandoc reads the
``{.fact}`` attributes, bracketed spans and footnotes as they are).

A plain corpus holds the same briefs with every citation written out as plain text and no
sources at all, so no contender makes a bibliography: what a user without one pays.
"""

from __future__ import annotations

import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
import longbrief  # type: ignore[import-not-found]  # noqa: E402  # the tests' own generator

# Rounds of the long-brief generator that make briefs of about these many PDF pages.
ROUNDS_FOR_PAGES = {4: 1, 30: 12, 100: 40}
# A citation in Pandoc's syntax: [@key], [@key, locator] or [@one; @two].
CITATION = re.compile(r"\[(@[^\]]+)\]")


@dataclass(frozen=True)
class Corpus:
    """A briefkit workspace and the peers' folder, holding the same briefs."""

    workspace: Path
    peers: Path
    count: int
    pages: int
    plain: bool = False  # citations as plain text, no sources: no bibliography step

    @property
    def peer_sources(self) -> list[Path]:
        """Return the peers' Markdown files, in name order."""
        return sorted(self.peers.glob("*.md"))


def make_corpus(folder: Path, pages: int, count: int, plain: bool = False) -> Corpus:
    """Write count copies of a brief of about pages pages, for briefkit and for the peers."""
    template = Path(longbrief.write_long_brief(folder / "template", ROUNDS_FOR_PAGES[pages]))
    text = template.read_text(encoding="utf-8")
    if plain:
        text = without_sources(text)
    workspace = folder / "briefkit"
    briefings = workspace / "briefings"
    peers = folder / "peers"
    for target in (briefings, peers):
        shutil.copytree(template.parent / "images", target / "images")
    (workspace / "briefkit.toml").write_text("", encoding="utf-8")
    for number in range(count):
        copy = retitle(text, number)
        name = f"brief-{number:03}.md"
        (briefings / name).write_text(copy, encoding="utf-8")
        (peers / name).write_text(to_pandoc(copy), encoding="utf-8")
    shutil.rmtree(template.parent)
    return Corpus(workspace, peers, count, pages, plain)


def without_sources(text: str) -> str:
    """Return a brief with its citations as plain text and its sources left out."""
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    sources = meta.get("sources", {})
    # Cut the sources block from the front matter as written, leaving the rest as it was.
    kept = re.sub(r"^sources:\n(?:[ \t]+.*\n)*", "", front, flags=re.M)
    body = CITATION.sub(lambda match: _written_out(match.group(1), sources), body)
    return "---\n" + kept + "---\n" + body


def _written_out(citation: str, sources: dict[str, Any]) -> str:
    """Return a citation's words: each source's publisher and date, and its locator."""
    parts = []
    for item in citation.split(";"):
        key, _, locator = item.strip().removeprefix("@").partition(",")
        source = sources.get(key.strip(), {})
        words = ", ".join(str(source[field]) for field in ("publisher", "date") if field in source)
        parts.append(", ".join(part for part in (words or key, locator.strip()) if part))
    return "(" + "; ".join(parts) + ")"


def retitle(text: str, number: int) -> str:
    """Give a copy its own title, so no two briefs of a folder are the same document."""
    return text.replace("\ntitle: ", f"\ntitle: Copy {number + 1} of ", 1)


def to_pandoc(text: str) -> str:
    """Return a brief as Pandoc Markdown: plain metadata and references, the same body."""
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    plain: dict[str, Any] = {
        "title": meta["title"],
        "subtitle": meta.get("subtitle", ""),
        "date": str(meta["date"]),
        "author": [author["name"] for author in meta.get("authors", [])],
        "lang": meta.get("language", "en"),
    }
    if "sources" in meta:
        plain["references"] = [_reference(key, source) for key, source in meta["sources"].items()]
    return "---\n" + yaml.safe_dump(plain, allow_unicode=True) + "---\n" + body


def _reference(key: str, source: dict[str, Any]) -> dict[str, str]:
    """Return one of the brief's sources as a CSL reference."""
    reference = {
        "id": key,
        "type": "webpage" if "url" in source else "report",
        "title": str(source["title"]),
        "publisher": str(source.get("publisher", "")),
    }
    if "url" in source:
        reference["URL"] = str(source["url"])
    if "date" in source:
        reference["issued"] = str(source["date"])
    return reference
