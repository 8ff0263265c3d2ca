"""Checks that need the whole brief: citations, footnotes, images, links and empty sections.

Each check walks every token of the body, headings, tables, lists, quotes and footnotes
included, so no reference escapes it by where it stands.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it.token import Token

from briefkit.errors import Findings
from briefkit.model.brief import FrontMatter, Section
from briefkit.rendering import fonts
from briefkit.sources import images
from briefkit.sources.frontmatter import SplitSource
from briefkit.sources.markdown import plain_text
from briefkit.sources.tokens import of_type, with_notes

_UNDEFINED_NOTE = re.compile(r"\[\^([^\]\s]+)\]")
LINK_SCHEMES = ("http", "https", "mailto")


def check_brief(
    path: Path,
    meta: FrontMatter,
    split: SplitSource,
    tokens: list[Token],
    sections: list[Section],
    footnotes: dict[int, list[Token]],
    env: dict[str, object],
    findings: Findings,
) -> list[Path]:
    """Check references across the whole body and return the image files it uses."""
    line0 = split.body_line
    _check_citations(meta, tokens, line0, findings)
    _check_footnotes(split, tokens, env, findings)
    _check_links(tokens, line0, findings)
    used = _check_images(path, tokens, line0, findings)
    if meta.cover:
        cover = images.check_image(path, meta.cover, split.line_of(("cover",)), findings)
        if cover and cover not in used:
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
                    line0 + cite.meta.get("line", 0),
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


def link_allowed(href: str) -> bool:
    """Tell whether a link may appear in an output: a web or mail address, or a #fragment."""
    if href.startswith("#"):
        return True
    return urlsplit(href).scheme.lower() in LINK_SCHEMES and "\\" not in href


def _check_links(tokens: list[Token], line0: int, findings: Findings) -> None:
    """Report links to anything but web and mail addresses: local files, scripts, data."""
    for link in of_type(tokens, "link_open"):
        href = str(link.attrs.get("href", ""))
        if not link_allowed(href):
            findings.error(
                line0 + link.meta.get("line", 0),
                f"link '{href}' is not allowed: links must be http://, https:// or mailto: "
                "addresses, or #anchors of sections",
            )


def _check_images(path: Path, tokens: list[Token], line0: int, findings: Findings) -> list[Path]:
    """Check each image the body uses, wherever it stands, and return their files."""
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
        tokens = [section.heading, *with_notes(section.tokens, footnotes)]
        cited = any(True for _ in of_type(tokens, "citation"))
        if not cited:
            findings.warning(
                section.line, f"fact section '{section.title}' cites no source: add [@key]"
            )


def check_fonts(split: SplitSource, findings: Findings) -> None:
    """Warn about characters that none of the theme's fonts can draw."""
    missing = fonts.missing_glyphs(split.body + "\n" + str(split.front))
    if missing:
        shown = " ".join(f"{c} (U+{ord(c):04X})" for c in missing[:12])
        more = f" and {len(missing) - 12} more" if len(missing) > 12 else ""
        findings.warning(1, f"no font can draw these characters: {shown}{more}")
