"""A brief's editions: the full brief, or its facts-only edition with every commentary left out.

An edition knows which sections it carries, which notes those sections call, how many it leaves
out, and how it names itself in a title and in a file name; every format asks it, so none
recomputes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markdown_it.token import Token

from briefkit.model.brief import Brief, Section

# The one place the facts-only edition's file names come from: x-facts-only.pdf.
FACTS_ONLY_SUFFIX = "-facts-only"


@dataclass(frozen=True)
class Edition:
    """Which sections of a brief an output carries."""

    facts_only: bool = False

    @property
    def name(self) -> str:
        """Return the edition's name, as the plan, the cache and the catalogue know it."""
        return "facts-only" if self.facts_only else "full"

    @property
    def file_suffix(self) -> str:
        """Return what the edition adds to a file's name: nothing for the full brief."""
        return FACTS_ONLY_SUFFIX if self.facts_only else ""

    def sections(self, brief: Brief) -> list[Section]:
        """Return the sections this edition shows, in the brief's order."""
        if self.facts_only:
            return [s for s in brief.sections if s.kind == "fact"]
        return list(brief.sections)

    def omitted(self, brief: Brief) -> int:
        """Return how many of the brief's sections this edition leaves out."""
        return len(brief.sections) - len(self.sections(brief))

    def notes(self, brief: Brief) -> list[int]:
        """Return the ids of the footnotes the shown sections call, in order of first call.

        A note's own text may call another note; those are followed too, each once.
        """
        return called_notes([t for s in self.sections(brief) for t in s.tokens], brief.footnotes)

    def title(self, title: str, gettext: Callable[[str], str]) -> str:
        """Return a title naming this edition, in the language gettext translates into."""
        if not self.facts_only:
            return title
        return gettext("{title} (facts only)").format(title=title)


FULL = Edition()
FACTS_ONLY = Edition(facts_only=True)


def called_notes(tokens: list[Token], footnotes: dict[int, list[Token]]) -> list[int]:
    """Return the ids of the notes tokens call, then of those the called notes call, each once."""
    # Work lists, not recursion: how deep markup nests is the source's choice.
    order: list[int] = []
    scan = 0
    while True:
        stack = list(reversed(tokens))
        while stack:
            token = stack.pop()
            if token.type == "footnote_ref" and token.meta and token.meta["id"] not in order:
                order.append(int(token.meta["id"]))
            stack.extend(reversed(token.children or []))
        if scan == len(order):
            return order
        tokens = [t for note in order[scan:] for t in footnotes.get(note, [])]
        scan = len(order)
