"""Write any :class:`Extracted` as a brief source: front matter, labelled sections, notes, images.

One ``##`` section per top-level heading (text before the first becomes a section whose
title is a placeholder to confirm), deeper headings as ``###`` and below. Each section gets
the kind its heading or words suggest, marked ``.unconfirmed`` until the writer has read it;
each fact section cites the material, which is the first entry of ``sources``, so the brief
passes ``check`` but for those marks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import yaml

from briefkit.commands.importing.clean import Cleaner
from briefkit.commands.importing.extracted import Extracted
from briefkit.commands.importing.kinds import suggest_kind
from briefkit.commands.importing.markdown import Block, Converter
from briefkit.model.brief import SectionKind
from briefkit.sources.markup.slugs import slug
from briefkit.sources.sections import UNCONFIRMED

IMAGES = "images"
_SUFFIXES = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif"}
# The title of the text before a body's first heading, in each language briefkit has words
# for: a placeholder the writer replaces when confirming the section.
_OPENING = {
    "en": "Introduction",
    "de": "Einleitung",
    "fr": "Introduction",
    "es": "Introducción",
    "it": "Introduzione",
    "pt": "Introdução",
    "ja": "はじめに",
    "zh": "引言",
    "hi": "परिचय",
    "ar": "مقدمة",
}
MOST_HEADING = 6


@dataclass(frozen=True)
class WrittenSection:
    """A section as written: its title, suggested kind, line in the brief, and whose title."""

    title: str
    kind: SectionKind
    line: int
    placeholder: bool


@dataclass
class Written:
    """A brief source made from some material, and the images it shows, by their paths."""

    text: str
    images: dict[str, bytes]
    sections: list[WrittenSection]
    cleaned: list[str]
    dropped: list[str]
    undated: bool
    source_key: str
    notes: int = 0


@dataclass
class _Section:
    """A section being gathered: its heading's Markdown and text, and its blocks."""

    title: str
    text: str
    placeholder: bool
    blocks: list[Block] = field(default_factory=list)


def write_brief(material: Extracted, stem: str, today: dt.date) -> Written:
    """Return the brief source for material, its images named after stem (images/stem-1.png)."""
    cleaner = Cleaner()
    title = _clean(cleaner, material.title)
    paths = {
        picture.name: f"{IMAGES}/{stem}-{number}{_SUFFIXES[picture.media_type]}"
        for number, picture in enumerate(material.pictures, start=1)
        if picture.media_type in _SUFFIXES
    }
    converter = Converter(cleaner, paths, material.notes, material.url)
    converted = converter.convert(material.html)
    title, blocks = _take_title(title, converted.blocks)
    title = title or PurePosixPath(material.source).stem
    key = source_key(material)
    sections = _sections(blocks, _opening(material.language))
    body, written = _body(sections, material, key)
    front = front_matter(material, cleaner, title, key, today)
    text = f"---\n{front}---\n\n{body}"
    if converted.notes:
        text += "\n" + "\n\n".join(converted.notes) + "\n"
    lines_before = text.count("\n", 0, text.index(body))
    placed = [
        WrittenSection(s.title, s.kind, s.line + lines_before, s.placeholder) for s in written
    ]
    images = {
        paths[picture.name]: picture.data
        for picture in material.pictures
        if picture.name in converted.used and picture.name in paths
    }
    return Written(
        text=text,
        images=images,
        sections=placed,
        cleaned=cleaner.report(),
        dropped=[*material.removed, *converted.dropped],
        undated=material.date is None,
        source_key=key,
        notes=len(converted.notes),
    )


def source_key(material: Extracted) -> str:
    """Return the key the material's own entry in sources gets: its publisher's, slugged."""
    host = urlsplit(material.url).hostname if material.url else None
    name = slug(material.publisher or host or "")[:40].strip("-")
    return name if name[:1].isalpha() else "source"


def front_matter(
    material: Extracted, cleaner: Cleaner, title: str, key: str, today: dt.date
) -> str:
    """Return the YAML front matter: what the material knows, and the material as a source."""
    entry: dict[str, object] = {"title": title}
    publisher = _clean(cleaner, material.publisher)
    if publisher:
        entry["publisher"] = publisher
    if material.url and material.url.startswith(("http://", "https://")):
        entry["url"] = material.url
    if material.date:
        entry["date"] = material.date.isoformat()
    entry["accessed"] = today
    data: dict[str, object] = {"title": title}
    subtitle = _clean(cleaner, material.subtitle)
    if subtitle:
        data["subtitle"] = subtitle
    data["date"] = material.date or today
    if material.language:
        data["language"] = material.language
    authors = [name for name in (_clean(cleaner, a) for a in material.authors) if name]
    if authors:
        data["authors"] = authors
    data["sources"] = {key: entry}
    return yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=10_000,
    )


class _Dumper(yaml.SafeDumper):
    """YAML's safe dumper writing every value out: front matter refuses aliases."""

    def ignore_aliases(self, data: object) -> bool:
        """Never write an alias, even for a value given twice (today's date)."""
        return True


def _clean(cleaner: Cleaner, value: str | None) -> str:
    """Return a metadata value cleaned and on one line."""
    return " ".join(cleaner.text(value).split()) if value else ""


def _take_title(title: str, blocks: list[Block]) -> tuple[str, list[Block]]:
    """Drop the level-1 heading that repeats the title; with no title, the first one is it."""
    for index, block in enumerate(blocks):
        if block.kind != "heading" or block.level != 1:
            continue
        if not title or block.text.casefold() == title.casefold():
            return title or block.text, blocks[:index] + blocks[index + 1 :]
        break
    return title, blocks


def _sections(blocks: list[Block], opening: str) -> list[_Section]:
    """Gather blocks into sections at the body's top heading level; deeper ones stay inside."""
    levels = [block.level for block in blocks if block.kind == "heading"]
    top = min(levels) if levels else 0
    sections: list[_Section] = []
    for block in blocks:
        if block.kind == "heading" and block.level == top:
            sections.append(_Section(block.markdown, block.text, False))
            continue
        if not sections:
            sections.append(_Section(opening, opening, True))
        if block.kind == "heading":
            depth = min(MOST_HEADING, 2 + block.level - top)
            block = Block(f"{'#' * depth} {block.markdown}", "subheading", block.text)
        sections[-1].blocks.append(block)
    return [section for section in sections if section.blocks]


def _body(
    sections: list[_Section], material: Extracted, key: str
) -> tuple[str, list[WrittenSection]]:
    """Return the body's Markdown, each section's kind suggested, and where each stands."""
    parts: list[str] = []
    written: list[WrittenSection] = []
    line = 1
    for section in sections:
        markdown = "\n\n".join(block.markdown for block in section.blocks)
        kind = suggest_kind(section.text, markdown, material.language)
        if kind == "fact":
            markdown = "\n\n".join(_cited(section.blocks, key))
        heading = f"## {section.title or section.text} {_attributes(kind, material.publisher)}"
        written.append(WrittenSection(section.text, kind, line, section.placeholder))
        part = f"{heading}\n\n{markdown}\n"
        parts.append(part)
        line += part.count("\n") + 1
    return "\n".join(parts), written


def _attributes(kind: SectionKind, publisher: str | None) -> str:
    """Return a section's attribute block: its suggested kind, unconfirmed, and whose view."""
    by = ""
    if kind == "commentary" and publisher:
        name = " ".join(publisher.replace('"', "").replace("\\", "").split())
        by = f' by="{name}"' if name else ""
    return f"{{.{kind} .{UNCONFIRMED}{by}}}"


def _cited(blocks: list[Block], key: str) -> list[str]:
    """Return a fact section's blocks, its first paragraph citing the material."""
    parts = [block.markdown for block in blocks]
    for index, block in enumerate(blocks):
        if block.kind == "paragraph":
            parts[index] = _cite(block.markdown, key)
            return parts
    return [*parts, f"[@{key}]"]


def _cite(markdown: str, key: str) -> str:
    """Return a paragraph citing key at its end, before its final full stop if it has one."""
    if markdown.endswith(".") and not markdown.endswith(("\\.", "..")):
        return f"{markdown[:-1]} [@{key}]."
    return f"{markdown} [@{key}]"


def _opening(language: str | None) -> str:
    """Return the placeholder title of the text before the first heading, in the language."""
    return _OPENING.get((language or "en").split("-")[0].lower(), _OPENING["en"])
