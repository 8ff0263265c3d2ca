"""Read a briefing source into a validated Brief, or into findings that say what is wrong."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from briefkit.errors import Finding, Findings
from briefkit.model.brief import Brief, FrontMatter
from briefkit.sources import validate
from briefkit.sources.frontmatter import SplitSource, split_source
from briefkit.sources.markdown import parse
from briefkit.sources.sections import split_sections

MAX_SOURCE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Defaults:
    """Front-matter values a workspace supplies when a source leaves them out."""

    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class Loaded:
    """The outcome of loading one source: a brief when it is valid, and every finding."""

    path: Path
    brief: Brief | None
    findings: list[Finding]


def load_brief(path: Path, defaults: Defaults | None = None) -> Loaded:
    """Load and validate one briefing source."""
    findings = Findings(path)
    brief = _load(path, defaults or Defaults(), findings)
    return Loaded(path, None if findings.failed else brief, sorted(findings.items))


def _load(path: Path, defaults: Defaults, findings: Findings) -> Brief | None:
    """Run each loading step, stopping at the first that cannot go on."""
    raw = _read(path, findings)
    if raw is None:
        return None
    text = _decode(raw, findings)
    if text is None:
        return None
    split = split_source(text, findings)
    if split is None:
        return None
    meta = _front_matter(split, defaults, findings)
    tokens, env = parse(split.body)
    sections, footnotes = split_sections(tokens, split.body_line, findings)
    if meta is None:
        return None
    images = validate.check_brief(path, meta, split, sections, footnotes, env, findings)
    brief = Brief(
        path=path,
        meta=meta,
        sections=sections,
        footnotes=footnotes,
        images=images,
        digest=hashlib.sha256(raw).hexdigest(),
    )
    validate.check_fonts(split, findings)
    return brief


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
    for key in sorted(set(split.front) - FrontMatter.field_names(), key=str):
        findings.warning(split.line_of((key,)), f"unknown front-matter key '{key}' is ignored")
    data = {**defaults.values, **split.front}
    try:
        return FrontMatter.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            line = split.line_of(loc) if loc and loc[0] in split.front else 1
            findings.error(line, _describe(loc, error))
        return None


def _describe(loc: tuple[Any, ...], error: Any) -> str:
    """Turn one pydantic error into a sentence that names the key."""
    name = ".".join(str(part) for part in loc) or "front matter"
    kind = error["type"]
    if kind == "missing":
        return f"front matter is missing required key '{name}'"
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind == "string_too_short":
        return f"'{name}' must not be empty"
    if kind == "string_pattern_mismatch":
        message = "is not in the expected form"
        if loc[-1] == "url":
            message = "must be an http:// or https:// address"
        elif loc[-1] == "email":
            message = "must be an email address"
    return f"'{name}' {message[:1].lower()}{message[1:]}"
