"""Checks that need the whole brief: citations, footnotes, images and empty sections."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from markdown_it.token import Token

from briefkit.errors import Findings
from briefkit.model.brief import FrontMatter, Section
from briefkit.rendering import fonts
from briefkit.sources import images
from briefkit.sources.frontmatter import SplitSource
from briefkit.sources.markdown import plain_text
from briefkit.sources.tokens import of_type, with_notes

_UNDEFINED_NOTE = re.compile(r"\[\^([^\]\s]+)\]")


def check_brief(
    path: Path,
    meta: FrontMatter,
    split: SplitSource,
    sections: list[Section],
    footnotes: dict[int, list[Token]],
    env: dict[str, object],
    findings: Findings,
) -> list[Path]:
    """Check references across the brief and return the image files it uses."""
    line0 = split.body_line
    all_tokens = [t for s in sections for t in s.tokens] + [
        t for body in footnotes.values() for t in body
    ]
    _check_citations(meta, all_tokens, line0, findings)
    _check_footnotes(split, all_tokens, env, findings)
    used = _check_images(path, all_tokens, line0, findings)
    if meta.cover:
        cover = images.check_image(path, meta.cover, split.line_of(("cover",)), findings)
        if cover:
            used.append(cover)
    for section in sections:
        _warn_section(section, footnotes, findings)
    return used


def _check_citations(
    meta: FrontMatter, tokens: list[Token], line0: int, findings: Findings
) -> None:
    """Report citation keys that the front matter's sources do not define."""
    for cite in of_type(tokens, "citation"):
        for key in cite.meta["keys"]:
            if key not in meta.sources:
                known = ", ".join(sorted(meta.sources)) or "none defined"
                findings.error(
                    line0 + cite.meta["line"],
                    f"citation [@{key}] is not in the front matter's sources (known: {known})",
                )


def _check_footnotes(
    split: SplitSource, tokens: list[Token], env: dict[str, object], findings: Findings
) -> None:
    """Report references to undefined footnotes and definitions nothing refers to."""
    for text in of_type(tokens, "text"):
        for match in _UNDEFINED_NOTE.finditer(text.content):
            findings.error(
                split.body_line + text.meta.get("line", 0),
                f"footnote [^{match.group(1)}] is not defined: add '[^{match.group(1)}]: ...'",
            )
    notes = env.get("footnotes")
    refs: dict[str, int] = notes.get("refs", {}) if isinstance(notes, dict) else {}
    for label, note_id in refs.items():
        if note_id == -1:
            name = label.removeprefix(":")
            findings.warning(_definition_line(split, name), f"footnote [^{name}] is never used")


def _definition_line(split: SplitSource, label: str) -> int:
    """Return the file line where a footnote is defined."""
    lines = split.body.split("\n")
    for index, text in enumerate(lines):
        if text.lstrip().startswith(f"[^{label}]:"):
            return split.body_line + index
    return split.body_line


def _check_images(path: Path, tokens: list[Token], line0: int, findings: Findings) -> list[Path]:
    """Check each image the body uses and return their files."""
    used: list[Path] = []
    for image in of_type(tokens, "image"):
        line = line0 + image.meta.get("line", 0)
        src = unquote(str(image.attrs.get("src", "")))
        found = images.check_image(path, src, line, findings)
        if found and found not in used:
            used.append(found)
        if not plain_text(image):
            findings.warning(line, f"image '{src}' has no alt text: describe it in ![...]")
    return used


def _warn_section(section: Section, footnotes: dict[int, list[Token]], findings: Findings) -> None:
    """Warn about empty sections and fact sections that cite nothing."""
    if section.is_empty:
        findings.warning(section.line, f"section '{section.title}' is empty")
    elif section.kind == "fact":
        cited = any(True for _ in of_type(with_notes(section.tokens, footnotes), "citation"))
        if not cited:
            findings.warning(
                section.line, f"fact section '{section.title}' cites no source: add [@key]"
            )


def check_fonts(split: SplitSource, findings: Findings) -> None:
    """Warn about characters no bundled or installed font can draw."""
    missing = fonts.missing_glyphs(split.body + "\n" + str(split.front))
    if missing:
        shown = " ".join(f"{c} (U+{ord(c):04X})" for c in missing[:12])
        more = f" and {len(missing) - 12} more" if len(missing) > 12 else ""
        findings.warning(1, f"no font can draw these characters: {shown}{more}")
