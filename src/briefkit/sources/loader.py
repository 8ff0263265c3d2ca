"""Read a briefing source into a validated Brief, or into findings that say what is wrong."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from briefkit.errors import Finding, Findings, Severity, SourceError, failing
from briefkit.files import FileRefused, read_regular
from briefkit.messages import did_you_mean, plain_error, quoted
from briefkit.model.brief import Brief, FrontMatter, SourceEntry
from briefkit.sources import limits, validate
from briefkit.sources.frontmatter import SplitSource, front_matter_lines, split_source
from briefkit.sources.limits import MAX_SOURCE_BYTES
from briefkit.sources.markup import hidden
from briefkit.sources.markup.markdown import parse
from briefkit.sources.sections import split_sections
from briefkit.text.languages import language_for

Defaults = Mapping[str, Any]


@dataclass
class LoadedBrief:
    """A source as loaded: every finding, and the brief itself when it has no errors."""

    path: Path
    findings: list[Finding]
    brief: Brief | None

    @property
    def ok(self) -> bool:
        """Tell whether the source has no errors (warnings allowed)."""
        return self.brief is not None

    @property
    def errors(self) -> list[Finding]:
        """Return the errors."""
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        """Return the warnings."""
        return [f for f in self.findings if f.severity is Severity.WARNING]

    def raise_for_errors(self, *, strict: bool = False) -> Brief:
        """Return the brief, or raise SourceError listing its errors (and warnings if strict)."""
        problems = failing(self.findings, strict)
        if problems or self.brief is None:
            raise SourceError(problems or self.findings)
        return self.brief


def load_brief(path: Path, defaults: Defaults | None = None) -> LoadedBrief:
    """Load and validate one briefing source file."""
    findings = Findings(path)
    raw = _read(path, findings)
    text = _decode(raw, findings) if raw is not None else None
    brief = _load(path, raw or b"", text, defaults or {}, findings)
    return _loaded(path, brief, findings)


def is_draft(path: Path) -> bool:
    """Tell whether a source's front matter says draft: true; one that cannot be read is not.

    Only the front matter is read, so publishing tells drafts apart without loading every
    brief; a source that cannot be read is no draft, and its build says what is wrong.
    """
    findings = Findings(path)
    try:
        raw = read_regular(path, MAX_SOURCE_BYTES)
    except FileRefused:
        return False
    text = _decode(raw, findings)
    if text is None or not _may_name_draft(text):
        return False
    split = split_source(text, findings)
    return split is not None and split.front.get("draft") is True


def _may_name_draft(text: str) -> bool:
    """Tell whether front matter could hold a draft key: the word, or an escape spelling it.

    Reading YAML takes some milliseconds a brief; most front matter never says "draft".
    """
    lines = text.split("\n")
    front = "\n".join(lines[number - 1] for number in front_matter_lines(lines))
    return "draft" in front or "\\" in front


def load_text(text: str, path: Path, defaults: Defaults | None = None) -> LoadedBrief:
    """Load and validate a source given as text; path names it and locates its images."""
    findings = Findings(path)
    raw = text.encode("utf-8")
    if len(raw) > MAX_SOURCE_BYTES:
        findings.error(1, f"the text is {len(raw):,} bytes; the limit is {MAX_SOURCE_BYTES:,}")
        return _loaded(path, None, findings)
    if not text.strip():
        findings.error(1, "the text is empty")
        return _loaded(path, None, findings)
    checked = _decode(raw, findings)
    return _loaded(path, _load(path, raw, checked, defaults or {}, findings), findings)


def _loaded(path: Path, brief: Brief | None, findings: Findings) -> LoadedBrief:
    """Return the outcome: the brief only when no finding is an error."""
    return LoadedBrief(path, sorted(findings.items), None if findings.failed else brief)


def _load(
    path: Path, raw: bytes, text: str | None, defaults: Defaults, findings: Findings
) -> Brief | None:
    """Run each loading step, stopping at the first that cannot go on."""
    if text is None or not limits.check_lines(text, findings):
        return None
    hidden.check_hidden_characters(text, findings)
    split = split_source(text, findings)
    if split is None:
        return None
    meta = _front_matter(split, defaults, findings)
    language = language_for(meta.language if meta else str(split.front.get("language", "en")))
    if not limits.check_body_shape(split.body, split.body_line, findings):
        return None
    # Quotation marks are the language's own: „Deutsch“, « français », 「日本語」.
    tokens, env = parse(split.body, tuple(language.quotes), language.french_spacing)
    sections, footnotes = split_sections(tokens, split.body_line, findings)
    # The body is checked even when the front matter has errors, so one run reports them all.
    checked = meta or _partial_front_matter(split)
    images = validate.check_brief(path, checked, split, tokens, sections, footnotes, env, findings)
    validate.check_fonts(text, split, findings)
    if meta is None:
        return None
    validate.check_language(meta, split, findings)
    return Brief(
        path=path,
        meta=meta,
        sections=sections,
        footnotes=footnotes,
        images=images,
        raw=raw,
        digest=hashlib.sha256(raw).hexdigest(),
    )


def _read(path: Path, findings: Findings) -> bytes | None:
    """Read the file's bytes, refusing empty and oversized files."""
    try:
        size = path.stat().st_size
        if size > MAX_SOURCE_BYTES:
            findings.error(1, f"the file is {size:,} bytes; the limit is {MAX_SOURCE_BYTES:,}")
            return None
        raw = path.read_bytes()
    except OSError as exc:
        findings.error(1, f"cannot read the file: {exc.strerror or exc}")
        return None
    if not raw.strip():
        findings.error(1, "the file is empty")
        return None
    return raw


def _decode(raw: bytes, findings: Findings) -> str | None:
    """Decode UTF-8 (a BOM is allowed) and normalise line endings to LF."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        findings.error(line, f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x})", col)
        return None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        findings.error(line, "the file contains a NUL byte; is it a text file?")
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _front_matter(split: SplitSource, defaults: Defaults, findings: Findings) -> FrontMatter | None:
    """Validate the front matter against the model, reporting each problem at its line."""
    fields = FrontMatter.field_names()
    for key in sorted(set(split.front) - fields, key=str):
        line, col = split.position_of((key,))
        hint = did_you_mean(str(key), fields)
        findings.warning(line, f"unknown front-matter key '{key}' is ignored{hint}", col)
    data = {**defaults, **split.front}
    try:
        return FrontMatter.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            line, col = split.position_of(loc) if loc and loc[0] in split.front else (1, 1)
            findings.error(line, _describe(loc, error), col)
        return None


def _partial_front_matter(split: SplitSource) -> FrontMatter:
    """Return what the body checks need of front matter that failed validation: its sources.

    A source list that is itself invalid counts as listing every key, so that its own error
    is reported rather than one per citation.
    """
    sources = split.front.get("sources")
    try:
        valid = TypeAdapter(dict[str, SourceEntry]).validate_python(sources or {})
    except ValidationError:
        valid = _AnyKey()
    # Only the sources are read by the checks; the other fields are never shown.
    return FrontMatter.model_construct(title="", date=dt.date.min, sources=valid, cover=None)


class _AnyKey(dict[str, SourceEntry]):
    """Sources that could not be read: every key counts as listed."""

    def __contains__(self, key: object) -> bool:
        """Tell that any key is listed."""
        return True


def _describe(loc: tuple[Any, ...], error: Any) -> str:
    """Turn one pydantic error into a sentence that names the key."""
    name = ".".join(str(part) for part in loc) or "front matter"
    kind = error["type"]
    if kind == "missing":
        return f"front matter is missing required key '{name}'"
    if kind == "string_pattern_mismatch":
        if loc[-1] == "url":
            return f"'{name}' must be an http:// or https:// address, not {quoted(error['input'])}"
        if loc[-1] == "email":
            return f"'{name}' must be an email address, not {quoted(error['input'])}"
        return f"'{name}' is not in the expected form: {quoted(error['input'])}"
    return plain_error(loc, error)
