"""Checks that need the whole brief: citations, footnotes, images, links and empty sections.

Each check walks every token of the body, headings, tables, lists, quotes and footnotes
included, so no reference escapes it by where it stands.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it.token import Token

from briefkit.errors import Findings, Severity
from briefkit.model.brief import LANGUAGE_TAG, CheckedImage, FrontMatter, Section
from briefkit.sources import images, limits
from briefkit.sources.frontmatter import SplitSource
from briefkit.sources.markup import image_attributes
from briefkit.sources.markup.markdown import plain_text
from briefkit.sources.markup.tokens import of_type, with_notes
from briefkit.sources.opinion import check as opinion
from briefkit.sources.opinion.prose import is_allowance, span_classes
from briefkit.sources.references import cited
from briefkit.sources.references.corrections import check_corrections
from briefkit.text import fonts
from briefkit.text.font_packages import remedy
from briefkit.text.languages import language_for

# A label stops at the next "[" too, so each "[^" reads only up to the next: a text of
# "[^[^[^..." is read once, not once for each of its calls.
_UNDEFINED_NOTE = re.compile(r"\[\^([^\[\]\s]+)\]")
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
) -> list[CheckedImage]:
    """Check references across the whole body and return the images it uses, as read."""
    where = Positions(split)
    check_corrections(meta, split, findings)
    _check_nesting(tokens, where, findings)
    _check_citations(meta, tokens, where, findings)
    cited.check_sources(meta, split, tokens, findings)
    _check_footnotes(tokens, env, where, findings)
    _check_note_calls(footnotes, env, where, findings)
    _check_note_repeats(tokens, footnotes, env, where, findings)
    _check_links(tokens, where, findings)
    _check_spans(tokens, where, findings)
    used = _check_images(path, tokens, where, findings)
    if meta.cover:
        cover = images.check_image(path, meta.cover, split.line_of(("cover",)), findings)
        if cover and all(image.path != cover.path for image in used):
            used.append(cover)
    for section in sections:
        _warn_section(section, footnotes, findings)
    opinion.check_opinion(meta.language, sections, footnotes, where.lines, where.first, findings)
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


def _check_nesting(tokens: list[Token], where: Positions, findings: Findings) -> None:
    """Report quotes and lists, or emphasis, links and spans, nested past what can be laid out."""
    block = limits.too_deep_blocks(tokens)
    if block is not None:
        findings.error(
            where.first + (block.map[0] if block.map else 0),
            f"quotes and lists nest more than {limits.MAX_BLOCK_DEPTH} deep here: "
            "write them flatter",
        )
    inline = limits.too_deep_inline(tokens)
    if inline is not None:
        line, col = where.of(inline, inline.markup)
        findings.error(
            line,
            f"emphasis, links and spans nest more than {limits.MAX_INLINE_DEPTH} deep here: "
            "write them flatter",
            col,
        )


def _check_citations(
    meta: FrontMatter, tokens: list[Token], where: Positions, findings: Findings
) -> None:
    """Report malformed citations and keys that the front matter's sources do not define."""
    known = _known_keys(meta)
    report = limits.Reporter(findings, limits.MOST_CITATIONS_SHOWN)
    unnamed = cited.UnnamedSources(meta)
    for cite in of_type(tokens, "citation"):
        if "citation" in report.done:
            return  # enough shown: the rest need not be located one by one
        line, col = where.of(cite, cite.content)
        if cite.meta["problem"]:
            message = f"citation {cite.content}: {cite.meta['problem']}"
            report.record("citation", Severity.ERROR, line, message, col)
        problem = unnamed.problem(cite)
        if problem:
            at = unnamed.column(cite, where.lines, line - where.first) or col
            report.record("unnamed", Severity.WARNING, line, problem, at)
        for key in cite.meta["keys"]:
            if key in meta.sources:
                continue
            if cite.meta["narrative"]:
                message = (
                    f"'@{key}' reads as a citation, but '{key}' is not in the front matter's "
                    f"sources (known: {known}): add it there, or write \\@{key} for a plain @"
                )
            else:
                message = f"citation [@{key}] is not in the front matter's sources (known: {known})"
            report.record("citation", Severity.ERROR, line, message, col)


# Keys a message names of the sources a brief defines: a front matter may hold thousands, and
# a message naming them all, once for each of thousands of citations, filled gigabytes.
_KEYS_NAMED = 10


def _known_keys(meta: FrontMatter) -> str:
    """Return the first source keys, in order, for a message about an unknown one."""
    keys = sorted(meta.sources)
    more = f" and {len(keys) - _KEYS_NAMED:,} more" if len(keys) > _KEYS_NAMED else ""
    return ", ".join(keys[:_KEYS_NAMED]) + more if keys else "none defined"


def _check_footnotes(
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
    unused = [label.removeprefix(":") for label, note_id in refs.items() if note_id == -1]
    defined = _definition_lines(where) if unused else {}
    for name in unused:
        findings.warning(defined.get(name, where.first), f"footnote [^{name}] is never used")


def _check_note_calls(
    footnotes: dict[int, list[Token]],
    env: dict[str, object],
    where: Positions,
    findings: Findings,
) -> None:
    """Report notes that call notes: each call would copy the called note into the caller.

    Forty notes that each call the next two make a source of a kilobyte into gigabytes, and
    a chain of a thousand runs past any recursion limit; one level of notes is enough.
    """
    labels = _note_labels(footnotes, env)
    for note, body in sorted(footnotes.items()):
        caller = labels[note]
        for ref in of_type(body, "footnote_ref"):
            called = str(ref.meta.get("label", ""))
            line, col = where.of(ref, f"[^{called}]")
            findings.error(
                line,
                f"footnote [^{caller}] calls footnote [^{called}]: a footnote may not call "
                "another footnote; put the text in one note",
                col,
            )


def _check_note_repeats(
    tokens: list[Token],
    footnotes: dict[int, list[Token]],
    env: dict[str, object],
    where: Positions,
    findings: Findings,
) -> None:
    """Report notes called so often that their copies would make the PDF huge.

    The PDF prints a note in full at the foot of each page that calls it: one long note
    called a few hundred times makes a source of a few kilobytes into hours of layout.
    """
    calls = Counter(int(ref.meta["id"]) for ref in of_type(tokens, "footnote_ref"))
    sizes = {note: sum(len(t.content) for t in body) for note, body in footnotes.items()}
    added = {note: (calls[note] - 1) * size for note, size in sizes.items() if calls[note] > 1}
    if sum(added.values()) <= limits.MAX_REPEATED_NOTES:
        return
    worst = max(added, key=lambda note: added[note])
    label = _note_labels(footnotes, env)[worst]
    findings.error(
        _definition_lines(where).get(label, where.first),
        f"footnote [^{label}] is called {calls[worst]:,} times, and the PDF prints its "
        f"{sizes[worst]:,} characters at each call: notes printed again add "
        f"{sum(added.values()):,} characters to the brief, and the limit is "
        f"{limits.MAX_REPEATED_NOTES:,}; call long notes once",
    )


def _note_labels(footnotes: dict[int, list[Token]], env: dict[str, object]) -> dict[int, str]:
    """Return each footnote's label, as written in the source, by id."""
    notes = env.get("footnotes")
    listed = notes.get("list", {}) if isinstance(notes, dict) else {}
    return {note: str(listed.get(note, {}).get("label", note)) for note in footnotes}


_DEFINITION = re.compile(r"\s*\[\^([^\]\s]+)\]:")


def _definition_lines(where: Positions) -> dict[str, int]:
    """Return the file line where each footnote is first defined, by label, in one pass."""
    lines: dict[str, int] = {}
    for offset, text in enumerate(where.lines):
        found = _DEFINITION.match(text)
        if found is not None:
            lines.setdefault(found.group(1), where.first + offset)
    return lines


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
        if not language and is_allowance(span):
            continue  # [historic]{.allow}: the opinion check reads it
        misspelt = [c for c in span_classes(span) if opinion.misspelt_allowance(c)]
        if misspelt:
            findings.error(
                line, f"span class '.{misspelt[0]}' is unknown: did you mean '.allow'?", col + 1
            )
        elif not language:
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
) -> list[CheckedImage]:
    """Check each image the body uses, wherever it stands, and return them as read."""
    # Each file is read once however often the brief shows it, and each use is reported.
    read: dict[str, CheckedImage | str] = {}
    used: dict[Path, CheckedImage] = {}
    attributes = limits.Reporter(findings)
    for image in of_type(tokens, "image"):
        line, col = where.of(image, "![")
        src = unquote(str(image.attrs.get("src", "")))
        if src not in read:
            read[src] = images.read_image(path, src)
        found = read[src]
        if isinstance(found, str):
            findings.error(line, found, col)
        else:
            used.setdefault(found.path, found)
        image_attributes.report(image, where.of, attributes)
        if not plain_text(image):
            findings.warning(line, f"image '{src}' has no alt text: describe it in ![...]", col)
    return list(used.values())


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


def check_fonts(text: str, split: SplitSource, findings: Findings) -> None:
    """Warn about each character none of the theme's fonts can draw, where it first stands."""
    missing = fonts.missing_glyphs(split.body + "\n" + str(split.front))
    places = fonts.first_places(text, missing)
    for char in missing:
        if char not in places:  # made by a YAML escape: shown at the key that holds it
            places[char] = fonts.Place(*_front_position(split, char))
    report = limits.Reporter(findings)
    for char in sorted(missing, key=lambda c: (places[c].line, places[c].col)):
        place = places[char]
        message = f"no font can draw {char} (U+{ord(char):04X}){place.elsewhere()}: {remedy(char)}"
        report.record("font", Severity.WARNING, place.line, message, place.col)


def _front_position(split: SplitSource, char: str) -> tuple[int, int]:
    """Return where the front-matter key holding char, in its name or its value, stands."""
    stack: list[tuple[tuple[str | int, ...], object]] = [((), split.front)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if char in str(key):
                    return split.position_of((*path, key))
                stack.append(((*path, key), item))
        elif isinstance(value, list):
            stack.extend(((*path, index), item) for index, item in enumerate(value))
        elif char in str(value):
            return split.position_of(path)
    return 1, 1


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
