"""Read fact sections for opinion: the writer's own view where a reader is promised a report.

A phrase from the language's word lists (first person, evaluative adverbs, puffery, loaded
labels, honorifics, prescriptions) is reported where it stands in a fact section, its
footnotes and its heading, unless it is someone else's:

- inside quotation marks in a paragraph that says who is speaking (an attribution word, or
  a citation), or in a block quote;
- outside quotation marks, in a sentence that reports speech ("officials said", "according
  to", "the ministry called it") or follows a lead-in that does ("The ministry listed its
  aims:" before a list). First person and honorifics are the writer's wherever they stand
  unquoted;
- a prescription ("should", "must") is also left alone when a rule lays it down ("under the
  agreement"), in a condition ("if it should fail", "Should the talks fail, ...") and in a
  question.

A deliberate use is allowed where it stands with ``[historic]{.allow}``, or for a section
with ``allow="historic, should"`` on its heading; an allowance that names nothing the lists
hold is an error, and one that allows nothing is a warning, each where it is written.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field

from markdown_it.token import Token

from briefkit.errors import Findings, Severity
from briefkit.messages import did_you_mean
from briefkit.model.brief import Section
from briefkit.sources import limits
from briefkit.sources.markup.tokens import footnote_ids
from briefkit.sources.opinion import wordlists
from briefkit.sources.opinion.context import Context
from briefkit.sources.opinion.prose import Block, Span, read_block
from briefkit.sources.opinion.wordlists import FLAGGED, Lexicon, Match

# Opinion found in one source, shown one by one: a brief's editorialising is shown in full,
# a flood of it (a megabyte of "clearly") a hundred times, then a line says more follow.
MOST_SHOWN = 100
# The kinds, as an allowance may name them: allow="puffery".
CATEGORIES = {kind.replace("_", "-"): kind for kind in FLAGGED}
_WHY = {
    "first_person": "is the writer speaking for themselves",
    "evaluative": "is the writer's judgement",
    "puffery": "is praise, the writer's judgement",
    "loaded": "is a loaded label, the writer's judgement",
    "honorific": "is an honorific, which a report leaves out",
    "prescription": "reads as the writer's own advice or forecast",
}
_HOW = {
    "first_person": "move it to a commentary section",
    "honorific": "name the person and office alone (Prime Minister Narendra Modi)",
    "prescription": "say who proposes or expects it (the ministry said India should ...), "
    "or move it to a commentary section",
}
_ATTRIBUTE = "attribute it (..., the ministry said) or move it to a commentary section"
_LISTS = ("bullet_list_open", "ordered_list_open")
_LIST_ENDS = ("bullet_list_close", "ordered_list_close")


@dataclass
class _Allowed:
    """A phrase or kind a section's heading allows, and where it is written."""

    term: str
    line: int
    col: int
    used: bool = False


@dataclass
class _Check:
    """One brief's opinion check: its lists, where findings go, and what has been shown."""

    lexicon: Lexicon
    source: Sequence[str]
    first: int
    findings: Findings
    report: limits.Reporter = field(init=False)
    # The section being read: what its heading allows, by phrase or kind, and its spans.
    allowed: dict[str, list[_Allowed]] = field(default_factory=dict)
    spans: list[tuple[Block, Span]] = field(default_factory=list)
    # Notes a fact section has checked: each is checked once, with the first that calls it.
    notes: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.report = limits.Reporter(self.findings, MOST_SHOWN)

    @property
    def flooded(self) -> bool:
        """Tell whether enough opinion is shown that the rest need not be looked for."""
        return "opinion" in self.report.done


def check_opinion(
    language: str,
    sections: Sequence[Section],
    footnotes: dict[int, list[Token]],
    source: Sequence[str],
    first: int,
    findings: Findings,
) -> None:
    """Warn about each phrase of a fact section that states the writer's own view."""
    lexicon = wordlists.lexicon_for(language)
    if lexicon is None:
        return
    check = _Check(lexicon, source, first, findings)
    for section in sections:
        check.allowed = _allowances(section, check)
        check.spans = []
        heading = read_block(section.heading, "heading", check.source, check.first, {})
        if heading is not None:
            check.spans.extend((heading, span) for span in heading.spans)
        if section.kind == "fact":
            if heading is not None:
                _check_block(heading, False, check)
            _read_fact(section, footnotes, check)
        else:
            _walk(section.tokens, check, judge=False)
        if not check.flooded:
            _report_unused(section, check)


def _read_fact(section: Section, footnotes: dict[int, list[Token]], check: _Check) -> None:
    """Check a fact section's body and the notes it is the first to call."""
    _walk(section.tokens, check, judge=True)
    for note in footnote_ids([section.heading, *section.tokens]):
        if note not in check.notes:
            check.notes.add(note)
            _walk(footnotes.get(note, []), check, judge=True)


def _walk(tokens: list[Token], check: _Check, judge: bool) -> None:
    """Read each block of a token list, checking it if judge, with who its context says speaks.

    A block quote is a quotation, and is not judged; a list reports what the paragraph
    before it attributes, when that paragraph ends with a colon ("The ministry listed three
    aims:").
    """
    quotes = 0
    lists: list[bool] = []
    lead_in = False
    kind = "text"
    cursors: dict[int, int] = {}
    for token in tokens:
        if check.flooded:
            return
        if token.type in ("blockquote_open", "blockquote_close"):
            quotes += token.nesting
        elif token.type in _LISTS:
            lists.append(lead_in or any(lists))
        elif token.type in _LIST_ENDS and lists:
            lists.pop()
        elif token.type in ("th_open", "td_open", "heading_open"):
            kind = "heading" if token.type == "heading_open" else "cell"
        elif token.type == "inline":
            block = read_block(token, kind, check.source, check.first, cursors)
            kind, lead_in = "text", False
            if block is not None:
                check.spans.extend((block, span) for span in block.spans)
                # A block quote is someone else's words, first person and all.
                lead_in = judge and not quotes and _check_block(block, any(lists), check)


def _check_block(block: Block, reported: bool, check: _Check) -> bool:
    """Report the opinion in one block; tell whether it is a lead-in that attributes."""
    found = list(check.lexicon.find(block.text))
    if not found:
        return False
    context = Context.of(block.text)
    said = {context.sentence(m.start) for m in found if m.kind == "attribution"}
    ruled = {context.sentence(m.start) for m in found if m.kind == "rule"}
    conditions = [m.start for m in found if m.kind == "conditional"]
    attributed = block.cited or bool(said)
    for match in found:
        if match.kind not in FLAGGED or check.flooded:
            continue
        why = _judge(match, context, reported, attributed, said)
        if why and match.kind == "prescription":
            why = None if _not_advice(match, context, ruled, conditions, check.lexicon) else why
        if why is not None and not _allowed(match, block, check):
            line, col = block.place(match.start)
            check.report.record("opinion", Severity.WARNING, line, why, col)
    return bool(said) and block.text.rstrip().endswith(":")


def _judge(
    match: Match, context: Context, reported: bool, attributed: bool, said: set[int]
) -> str | None:
    """Return why a phrase found is the writer's own view, or None if it is someone else's."""
    words = " ".join(context.text[match.start : match.end].split())
    allow = f"or mark a deliberate use as [{words}]{{.allow}}"
    if context.quoted(match.start):
        if attributed or reported:
            return None
        return (
            f"'{words}' is quoted, but nothing in this paragraph says who said it: name the "
            f'speaker ("...," the ministry said) or cite the source [@key], {allow}'
        )
    # First person and honorifics are the writer's words wherever they stand unquoted.
    own = match.kind in ("first_person", "honorific")
    if not own and (reported or context.sentence(match.start) in said):
        return None
    return f"'{words}' {_WHY[match.kind]}: {_HOW.get(match.kind, _ATTRIBUTE)}, {allow}"


def _not_advice(
    match: Match, context: Context, ruled: set[int], conditions: list[int], lexicon: Lexicon
) -> bool:
    """Tell whether a prescription is a rule's, a condition or a question, not advice."""
    sentence = context.sentence(match.start)
    if sentence in ruled or context.is_question(sentence):
        return True
    # The last condition before the phrase, found by bisection: it counts if in its clause.
    before = bisect.bisect_left(conditions, match.start) - 1
    if before >= 0 and conditions[before] >= context.clause_start(match.start):
        return True
    return lexicon.inverted_conditionals and context.opens_clause(match.start)


def _allowed(match: Match, block: Block, check: _Check) -> bool:
    """Tell whether a deliberate use is allowed where it stands or for its section."""
    allowed = False
    for span in block.spans_over(match.start):
        span.used = allowed = True
    for term in (match.phrase, match.kind.replace("_", "-")):
        for allowance in check.allowed.get(term, []):
            allowance.used = allowed = True
    return allowed


def misspelt_allowance(name: str) -> bool:
    """Tell whether a span's class is a slip for ``allow`` (.alow, .allw), not another class."""
    return name != "allow" and abs(len(name) - 5) <= 1 and bool(did_you_mean(name, ["allow"]))


def _allowances(section: Section, check: _Check) -> dict[str, list[_Allowed]]:
    """Read a heading's allow="..." into the phrases and kinds it allows; report unknown ones."""
    if not section.allow:
        return {}
    heading = check.source[section.line - check.first]
    value = max(heading.find(section.allow, max(heading.rfind("{"), 0)), 0)
    allowed: dict[str, list[_Allowed]] = {}
    report = limits.Reporter(check.findings)
    offset = 0
    for term in section.allow.split(","):
        col = value + offset + len(term) - len(term.lstrip()) + 1
        offset += len(term) + 1
        name = wordlists.normalise(term)
        kind = CATEGORIES.get(name) or check.lexicon.kind_of(name)
        if kind in FLAGGED:
            allowed.setdefault(name, []).append(_Allowed(name, section.line, col))
        elif name:
            message = _unknown(name, section, check.lexicon, "unknown" in report.done)
            report.record("unknown", Severity.ERROR, section.line, message, col)
    return allowed


def _unknown(name: str, section: Section, lexicon: Lexicon, flooded: bool) -> str:
    """Say that an allowance names nothing the check looks for, and what it might mean."""
    hint = "" if flooded else did_you_mean(name, [*lexicon.flagged(), *CATEGORIES])
    return (
        f"section '{section.title}': allow=\"...\" names '{name}', which the opinion check "
        f"does not look for{hint or '.'} Name a phrase of its word lists, or a kind: "
        f"{', '.join(CATEGORIES)}"
    )


def _report_unused(section: Section, check: _Check) -> None:
    """Warn about allowances of a section, and {.allow} spans in it, that allowed nothing."""
    report = limits.Reporter(check.findings)
    commentary = section.kind == "commentary"
    reason = "commentary is not checked for opinion" if commentary else "nothing in it is reported"
    for allowance in (a for written in check.allowed.values() for a in written):
        if not allowance.used:
            message = (
                f"section '{section.title}': allow=\"{allowance.term}\" allows nothing: "
                f"{reason if commentary else 'nothing in the section is reported'}; remove it"
            )
            report.record("unused", Severity.WARNING, allowance.line, message, allowance.col)
    for block, span in check.spans:
        if not span.used and "unused" not in report.done:
            line, col = block.span_place(span)
            words = " ".join(span.words.split())
            message = f"[{words}]{{.allow}} allows nothing: {reason}; remove the mark"
            report.record("unused", Severity.WARNING, line, message, col)
