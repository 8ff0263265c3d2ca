"""Cut the token stream into labelled ``##`` sections and collect footnote definitions."""

from __future__ import annotations

import re

from markdown_it.token import Token

from briefkit.errors import Findings
from briefkit.messages import did_you_mean
from briefkit.model.brief import SECTION_KINDS, Section, SectionKind
from briefkit.sources.markup.markdown import plain_text
from briefkit.sources.markup.slugs import slug

_KNOWN_ATTRS = {"class", "id", "by", "allow"}
# `briefkit import` suggests each section's kind and marks it `{.commentary .unconfirmed}`: the
# brief loads, and check warns (so --strict fails) until the writer removes the mark.
UNCONFIRMED = "unconfirmed"
# Anchors are letters, digits and hyphens; the templates' own ids start with "_" so none clash.
_ANCHOR = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")


def split_sections(
    tokens: list[Token], body_line: int, findings: Findings
) -> tuple[list[Section], dict[int, list[Token]]]:
    """Return the sections of a body and its footnote bodies by footnote id."""
    body, footnotes = _take_footnotes(tokens)
    sections: list[Section] = []
    anchors: set[str] = set()
    current: Section | None = None
    # After a heading that is refused, its content belongs to it, not to "text before".
    after_refused = False
    reported_orphan = False
    index = 0
    while index < len(body):
        token = body[index]
        line = body_line + (token.map[0] if token.map else 0)
        if token.type == "heading_open" and token.tag in ("h1", "h2"):
            current = _start_section(body, index, line, anchors, findings)
            after_refused = current is None
            if current is not None:
                sections.append(current)
            index += 3
            continue
        if current is None:
            if not reported_orphan and not after_refused and token.level == 0:
                findings.error(
                    line,
                    "text before the first section: everything must sit in a '## Title {.fact}' "
                    "or '## Title {.commentary}' section",
                )
                reported_orphan = True
        else:
            current.tokens.append(token)
        index += 1
    if not sections and not findings.failed:
        findings.error(
            body_line, "the brief has no sections: add '## Title {.fact}' or '{.commentary}'"
        )
    return sections, footnotes


def _take_footnotes(tokens: list[Token]) -> tuple[list[Token], dict[int, list[Token]]]:
    """Separate the footnote block the footnote plugin appends from the body."""
    footnotes: dict[int, list[Token]] = {}
    body: list[Token] = []
    current: list[Token] | None = None
    for token in tokens:
        if token.type in ("footnote_block_open", "footnote_block_close"):
            continue
        if token.type == "footnote_open":
            current = footnotes.setdefault(int(token.meta["id"]), [])
        elif token.type == "footnote_close":
            current = None
        elif token.type == "footnote_anchor":
            continue
        elif current is not None:
            current.append(token)
        else:
            body.append(token)
    return body, footnotes


def _start_section(
    tokens: list[Token], index: int, line: int, anchors: set[str], findings: Findings
) -> Section | None:
    """Build a section from its heading, or record why the heading is not one."""
    heading, inline = tokens[index], tokens[index + 1]
    title = plain_text(inline) or inline.content
    if heading.tag == "h1":
        findings.error(
            line,
            f"'# {title}' is a level-1 heading: sections are '##' headings "
            "(the title comes from the front matter)",
        )
        return None
    kind = _section_kind(heading, title, line, findings)
    if kind is None:
        return None
    attrs = heading.meta.get("attrs", {})
    for name in sorted(set(attrs) - _KNOWN_ATTRS):
        findings.warning(line, f"section '{title}': unknown attribute '{name}' is ignored")
    by = attrs.get("by") or None
    if by and kind == "fact":
        findings.warning(line, f"section '{title}': 'by' only attributes commentary; ignored")
        by = None
    anchor = attrs.get("id") or ""
    if anchor and not _ANCHOR.match(anchor):
        findings.warning(line, f"section '{title}': id '{anchor}' is not a plain name; ignored")
        anchor = ""
    anchor = _unique(anchor or slugify(title), anchors)
    allow = str(attrs["allow"]) if "allow" in attrs else None
    return Section(
        kind=kind, title=title, anchor=anchor, line=line, heading=inline, by=by, allow=allow
    )


def _section_kind(heading: Token, title: str, line: int, findings: Findings) -> SectionKind | None:
    """Return the one declared kind of a section heading, or record the problem."""
    allowed = ", ".join(f".{k}" for k in SECTION_KINDS)
    col = int(heading.meta.get("attr_col", 1))
    if "attr_error" in heading.meta:
        findings.error(
            line, f"section '{title}': malformed attributes: {heading.meta['attr_error']}", col
        )
        return None
    classes: list[str] = heading.meta.get("classes", [])
    if UNCONFIRMED in classes:
        classes = [c for c in classes if c != UNCONFIRMED]
        _warn_unconfirmed(classes, title, line, col, findings)
    if not classes:
        findings.error(
            line, f"section '{title}' has no kind: add {{.fact}} or {{.commentary}} to its heading"
        )
        return None
    unknown = [c for c in classes if c not in SECTION_KINDS]
    if unknown:
        hint = did_you_mean(f".{unknown[0]}", [f".{k}" for k in (*SECTION_KINDS, UNCONFIRMED)])
        findings.error(
            line,
            f"section '{title}': unknown kind '.{unknown[0]}' (allowed kinds: {allowed}){hint}",
            col,
        )
        return None
    if len(set(classes)) > 1:
        findings.error(
            line, f"section '{title}' declares more than one kind: choose one of {allowed}", col
        )
        return None
    kind: SectionKind = "fact" if classes[0] == "fact" else "commentary"
    return kind


def _warn_unconfirmed(
    classes: list[str], title: str, line: int, col: int, findings: Findings
) -> None:
    """Warn that a section's kind was suggested, not confirmed, and say how to confirm it."""
    kind = f".{classes[0]}" if classes else "its kind"
    findings.warning(
        line,
        f"section '{title}': {kind} is unconfirmed (suggested by briefkit import): read the "
        f"section, correct its kind and title if need be, then remove .{UNCONFIRMED}",
        col,
    )


def slugify(text: str) -> str:
    """Return an anchor for a heading that is a valid XML id: ASCII, starting with a letter."""
    anchor = slug(text)
    return anchor if anchor[:1].isalpha() else f"section-{anchor}".rstrip("-")


def _unique(anchor: str, taken: set[str]) -> str:
    """Return anchor, or anchor-2, anchor-3 ... if already taken."""
    candidate, number = anchor, 2
    while candidate in taken:
        candidate, number = f"{anchor}-{number}", number + 1
    taken.add(candidate)
    return candidate
