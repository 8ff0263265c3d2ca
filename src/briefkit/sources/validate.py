"""Checks that need the whole brief: citations, footnotes, images, links and empty sections.

Each check walks every token of the body, headings, tables, lists, quotes and footnotes
included, so no reference escapes it by where it stands.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it.token import Token

from briefkit.errors import Findings
from briefkit.model.brief import LANGUAGE_TAG, FrontMatter, Section
from briefkit.rendering import fonts
from briefkit.rendering.language import language_for
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
    where = Positions(split)
    _check_citations(meta, tokens, where, findings)
    _check_footnotes(split, tokens, env, where, findings)
    _check_note_cycles(split, footnotes, env, findings)
    _check_links(tokens, where, findings)
    _check_spans(tokens, where, findings)
    used = _check_images(path, tokens, where, findings)
    if meta.cover:
        cover = images.check_image(path, meta.cover, split.line_of(("cover",)), findings)
        if cover and cover not in used:
            used.append(cover)
    for section in sections:
        _warn_section(section, footnotes, findings)
    return used


class Positions:
    """Find the file line and column of markup in a body, in the order it appears."""

    def __init__(self, split: SplitSource) -> None:
        self.lines = split.body.split("\n")
        self.first = split.body_line
        self._after: dict[tuple[int, str], int] = {}

    def of(self, token: Token, needle: str) -> tuple[int, int]:
        """Return the file line and 1-based column of needle on the line of an inline token."""
        offset = int(token.meta.get("line", 0))
        text = self.lines[offset] if 0 <= offset < len(self.lines) else ""
        start = self._after.get((offset, needle), 0)
        found = text.find(needle, start) if needle else -1
        if found < 0:
            found = text.find(needle) if needle else -1
        if found >= 0:
            self._after[(offset, needle)] = found + 1
        return self.first + offset, max(found, 0) + 1


def _check_citations(
    meta: FrontMatter, tokens: list[Token], where: Positions, findings: Findings
) -> None:
    """Report malformed citations and keys that the front matter's sources do not define."""
    known = ", ".join(sorted(meta.sources)) or "none defined"
    for cite in of_type(tokens, "citation"):
        line, col = where.of(cite, cite.content)
        if cite.meta["problem"]:
            findings.error(line, f"citation {cite.content}: {cite.meta['problem']}", col)
        for key in cite.meta["keys"]:
            if key in meta.sources:
                continue
            if cite.meta["narrative"]:
                findings.error(
                    line,
                    f"'@{key}' reads as a citation, but '{key}' is not in the front matter's "
                    f"sources (known: {known}): add it there, or write \\@{key} for a plain @",
                    col,
                )
            else:
                findings.error(
                    line,
                    f"citation [@{key}] is not in the front matter's sources (known: {known})",
                    col,
                )


def _check_footnotes(
    split: SplitSource,
    tokens: list[Token],
    env: dict[str, object],
    where: Positions,
    findings: Findings,
) -> None:
    """Report references to undefined footnotes and definitions nothing refers to."""
    for text in of_type(tokens, "text"):
        for match in _UNDEFINED_NOTE.finditer(text.content):
            line, col = where.of(text, match.group(0))
            findings.error(
                line,
                f"footnote [^{match.group(1)}] is not defined: add '[^{match.group(1)}]: ...'",
                col,
            )
    notes = env.get("footnotes")
    refs: dict[str, int] = notes.get("refs", {}) if isinstance(notes, dict) else {}
    for label, note_id in refs.items():
        if note_id == -1:
            name = label.removeprefix(":")
            findings.warning(_definition_line(split, name), f"footnote [^{name}] is never used")


def _check_note_cycles(
    split: SplitSource,
    footnotes: dict[int, list[Token]],
    env: dict[str, object],
    findings: Findings,
) -> None:
    """Report footnotes that call themselves, directly or through other notes."""
    calls = {
        note: {int(ref.meta["id"]) for ref in of_type(body, "footnote_ref")}
        for note, body in footnotes.items()
    }
    notes = env.get("footnotes")
    listed = notes.get("list", {}) if isinstance(notes, dict) else {}
    label = {note: str(listed.get(note, {}).get("label", note)) for note in footnotes}
    reported: set[int] = set()
    for start in sorted(calls):
        cycle = _cycle_from(start, calls)
        if cycle and not reported & set(cycle):
            reported.update(cycle)
            path = " → ".join(f"[^{label[n]}]" for n in [*cycle, cycle[0]])
            findings.error(
                _definition_line(split, label[cycle[0]]),
                f"footnotes call each other in a circle ({path}): a note may call another "
                "note, but no note may lead back to itself",
            )


def _cycle_from(start: int, calls: dict[int, set[int]]) -> list[int]:
    """Return the notes of a circle of calls that leads back to start, if there is one."""
    stack: list[tuple[int, list[int]]] = [(start, [start])]
    seen: set[int] = set()
    while stack:
        note, path = stack.pop()
        for called in sorted(calls.get(note, set())):
            if called == start:
                return path
            if called not in seen:
                seen.add(called)
                stack.append((called, [*path, called]))
    return []


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


def _check_links(tokens: list[Token], where: Positions, findings: Findings) -> None:
    """Report links to anything but web and mail addresses: local files, scripts, data."""
    for link in of_type(tokens, "link_open"):
        href = str(link.attrs.get("href", ""))
        line, col = where.of(link, unquote(href))
        if not link_allowed(href):
            findings.error(
                line,
                f"link '{unquote(href)}' is not allowed: links must be http://, https:// or "
                "mailto: addresses, or #anchors of sections",
                col,
            )


def _check_spans(tokens: list[Token], where: Positions, findings: Findings) -> None:
    """Report bracketed spans whose language is missing or not a language tag."""
    for span in of_type(tokens, "span_open"):
        line, col = where.of(span, "]{")
        language = str(span.attrs.get("lang", ""))
        if not language:
            findings.warning(
                line,
                "a bracketed span only marks a language: write [text]{lang=hi}; "
                "this one is shown as plain text",
                col + 1,
            )
        elif not LANGUAGE_TAG.match(language):
            findings.error(
                line,
                f"span language '{language}' must be a BCP 47 language tag such as hi, ja or en-GB",
                col + 1,
            )


def _check_images(
    path: Path, tokens: list[Token], where: Positions, findings: Findings
) -> list[Path]:
    """Check each image the body uses, wherever it stands, and return their files."""
    used: list[Path] = []
    for image in of_type(tokens, "image"):
        line, col = where.of(image, "![")
        src = unquote(str(image.attrs.get("src", "")))
        found = images.check_image(path, src, line, findings, col)
        if found and found not in used:
            used.append(found)
        if not plain_text(image):
            findings.warning(line, f"image '{src}' has no alt text: describe it in ![...]", col)
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


# Characters that reorder the text around them ("Trojan source"): a reader sees one thing,
# and the file says another. Right-to-left text needs none of them.
_DIRECTION_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


# Characters that show nothing and join nothing: pasted from the web, they split a word for
# searches and copies while looking whole. The joiners that scripts need (U+200C, U+200D), the
# direction marks (U+200E, U+200F, U+061C) and the soft hyphen are not among them.
_INVISIBLE = re.compile("[\u180e\u200b\u2060-\u2064\ufeff]")


def check_hidden_characters(text: str, findings: Findings) -> None:
    """Report characters that silently reverse text, and invisible ones in citations or text."""
    for number, line in enumerate(text.split("\n"), start=1):
        for match in _DIRECTION_CONTROLS.finditer(line):
            findings.error(
                number,
                f"an invisible character that reverses the text around it "
                f"(U+{ord(match.group()):04X}): remove it; right-to-left text needs no such "
                "marks, and [text]{lang=ar} marks its language",
                match.start() + 1,
            )
        cited = _check_hidden_in_citations(line, number, findings)
        for match in _INVISIBLE.finditer(line):
            if not any(start <= match.start() < end for start, end in cited):
                findings.warning(
                    number,
                    f"an invisible character (U+{ord(match.group()):04X}) stands here: readers "
                    "cannot see it, and searches miss the word it splits; remove it",
                    match.start() + 1,
                )


def _check_hidden_in_citations(line: str, number: int, findings: Findings) -> list[tuple[int, int]]:
    """Report citations holding invisible characters; return where the line's citations are."""
    spans = []
    for cite in re.finditer(r"\[[^\]]*@[^\]]*\]|@\S+", line):
        spans.append(cite.span())
        hidden = next((c for c in cite.group() if unicodedata.category(c) == "Cf"), None)
        if hidden is not None and not _DIRECTION_CONTROLS.match(hidden):
            findings.error(
                number,
                f"citation {cite.group()!r} holds an invisible character "
                f"(U+{ord(hidden):04X}): retype it",
                cite.start() + 1,
            )
    return spans


def check_fonts(split: SplitSource, findings: Findings) -> None:
    """Warn about characters that none of the theme's fonts can draw."""
    missing = fonts.missing_glyphs(split.body + "\n" + str(split.front))
    if missing:
        shown = " ".join(f"{c} (U+{ord(c):04X})" for c in missing[:12])
        more = f" and {len(missing) - 12} more" if len(missing) > 12 else ""
        findings.warning(1, f"no font can draw these characters: {shown}{more}")


def check_language(meta: FrontMatter, split: SplitSource, findings: Findings) -> None:
    """Warn when briefkit cannot write a brief's language, or has no words in it."""
    language = language_for(meta.language)
    line, col = split.position_of(("language",))
    if not language.known:
        findings.warning(
            line,
            f"language '{meta.language}' is not one briefkit knows: its dates and its own words "
            "(labels, headings, notes) will be in English",
            col,
        )
    elif not language.has_words:
        findings.warning(
            line,
            f"briefkit has no words for '{meta.language}' yet: dates follow the language, but "
            "the labels, headings and notes it writes stay in English; set [labels] in "
            "briefkit.toml for your own label words",
            col,
        )
