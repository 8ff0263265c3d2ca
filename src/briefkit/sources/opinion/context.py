"""How to read a phrase in its block: inside quotation marks, which sentence, which clause.

Everything here is one pass over a block's text with fixed patterns, and lookups by bisection
afterwards, so a block of any size or shape is read in time that grows with its length.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

# What each opening mark is closed by, in the styles the languages briefkit writes use:
# “English” ‘single’, „Deutsch“ ‚einfach‘, »Deutsch«, « français », 「日本語」『二重』.
_CLOSES = {
    "“": "”",
    "‟": "”",
    "„": "“”",
    "‚": "‘’",
    "‘": "’",
    "«": "»",
    "»": "«",
    "‹": "›",
    "›": "‹",
    "「": "」",
    "『": "』",
}
# Typed quotes become these as the brief is parsed; one left straight was escaped (\") to
# stand for itself, as an inch mark does.
_MARKS = re.compile("[“”‘’„‚‟«»‹›「」『』]")
# A sentence ends at a stop followed by a space (then not a lower-case letter, as after
# "e.g."), or at an ideographic stop. Each run of stops is read from its first character
# only, and possessively, so a run of thousands of dots is read once.
_STOP = re.compile(
    r"(?<![.!?…؟।])[.!?…؟।]++[”’»」』\"')\]]*+\s++|(?<![。！？])[。！？]++[」』”’)]*+"
)
_QUESTION = frozenset("?？؟")
_CLAUSE = re.compile("[,;:(\u2013\u2014\u060c\u061b、，；：]")
_CLOSERS = "”’»」』\"')] \n"
# What may stand before a clause's first word: spaces and opening quotation marks.
_OPENERS = " \n\t“‘„‚«»‹「『\"'"


@dataclass
class Context:
    """A block's quotations, sentences and clauses, found once."""

    text: str
    quotes: list[tuple[int, int]] = field(default_factory=list)
    sentences: list[int] = field(default_factory=list)
    clauses: list[int] = field(default_factory=list)
    questions: dict[int, bool] = field(default_factory=dict)

    @classmethod
    def of(cls, text: str) -> Context:
        """Read a block's text."""
        return cls(text, quoted_spans(text), sentence_starts(text), clause_starts(text))

    def quoted(self, offset: int) -> bool:
        """Tell whether a character stands inside quotation marks."""
        index = bisect.bisect_right(self.quotes, (offset, len(self.text) + 1)) - 1
        return index >= 0 and self.quotes[index][0] < offset < self.quotes[index][1]

    def sentence(self, offset: int) -> int:
        """Return the number of the sentence a character stands in."""
        return bisect.bisect_right(self.sentences, offset) - 1

    def sentence_span(self, number: int) -> tuple[int, int]:
        """Return where a sentence starts and ends."""
        end = self.sentences[number + 1] if number + 1 < len(self.sentences) else len(self.text)
        return self.sentences[number], end

    def is_question(self, number: int) -> bool:
        """Tell whether a sentence ends with a question mark."""
        if number not in self.questions:
            start, end = self.sentence_span(number)
            while end > start and self.text[end - 1] in _CLOSERS:
                end -= 1
            self.questions[number] = self.text[end - 1 : end] in _QUESTION
        return self.questions[number]

    def clause_start(self, offset: int) -> int:
        """Return where the clause a character stands in starts, within its sentence."""
        index = bisect.bisect_right(self.clauses, offset) - 1
        sentence_start = self.sentences[self.sentence(offset)]
        return max(self.clauses[index] if index >= 0 else 0, sentence_start)

    def opens_clause(self, offset: int) -> bool:
        """Tell whether a phrase is the first word of its clause or sentence.

        Read back from the phrase to the first other character, not from the clause's start:
        a clause of a thousand phrases is read once, not once for each.
        """
        start = self.clause_start(offset)
        while offset > start and self.text[offset - 1] in _OPENERS:
            offset -= 1
        return offset == start


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Return where the outermost quotations of a text start and end.

    A quotation not closed by the block's end runs to it, as a quotation carried over
    paragraphs opens each one and closes only the last. An apostrophe (India’s, don't) is
    not a quotation mark.
    """
    spans: list[tuple[int, int]] = []
    stack: list[str] = []
    start = 0
    for found in _MARKS.finditer(text):
        mark, at = found.group(), found.start()
        if mark == "’" and _between_letters(text, at):
            continue
        if stack and mark in _CLOSES[stack[-1]]:
            stack.pop()
            if not stack:
                spans.append((start, at + 1))
        elif mark in _CLOSES and mark != "’":
            if not stack:
                start = at
            stack.append(mark)
    if stack:
        spans.append((start, len(text)))
    return spans


def _between_letters(text: str, at: int) -> bool:
    """Tell whether the character at `at` joins two letters, as an apostrophe does."""
    return text[at - 1 : at].isalpha() and text[at + 1 : at + 2].isalpha()


def sentence_starts(text: str) -> list[int]:
    """Return where each sentence of a text starts, the first at 0."""
    starts = [0]
    for found in _STOP.finditer(text):
        following = text[found.end() : found.end() + 1]
        if not following.islower():
            starts.append(found.end())
    return starts


def clause_starts(text: str) -> list[int]:
    """Return where each clause after a comma, semicolon, colon, dash or bracket starts."""
    return [found.end() for found in _CLAUSE.finditer(text)]
