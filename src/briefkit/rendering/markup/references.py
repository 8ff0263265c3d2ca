"""The one place a citation or a note call becomes text, for the HTML renderers and plain text.

A citation ``[see @b, p. 4; @a]`` prints its sources' numbers in order, ``[1; see 2, p. 4]``,
and a narrative one (``As @a notes``) names the source before its number. A note is numbered
on its first call, in reading order, and keeps that number at every later call; in plain text
its mark is the number in superscript digits. Where an output links a source back to the places
that cite it (the EPUB and the web page), each citation gets an id, ``_cite1``, ``_cite2``...,
in reading order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from briefkit.sources.references.citations import arrange, bracketed, narrative_name

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


@dataclass(frozen=True)
class CitationText:
    """A citation as printed: its bracketed numbers, and the source's name if it is narrative."""

    numbers: str
    name: str | None

    @property
    def plain(self) -> str:
        """Return the citation as one piece of text: ``The ministry [1]`` or ``[1, 2]``."""
        return self.numbers if self.name is None else f"{self.name} {self.numbers}"


def _number(key: str, number: int) -> str:
    """Return a source's number as it stands, linked to nothing."""
    return str(number)


def citation_text(
    meta: Mapping[str, Any],
    numbers: Mapping[str, int],
    names: Mapping[str, str],
    number: Callable[[str, int], str] = _number,
    escape: Callable[[str], str] = str,
) -> CitationText:
    """Return a citation token's words: numbers as ``number(key, n)`` writes them, words escaped.

    meta is the citation token's: its items, whether it is narrative, and its keys.
    """
    parts, separator = arrange(meta["items"], numbers)
    cited = bracketed(parts, separator, number, escape)
    name = escape(narrative_name(meta, names)) if meta["narrative"] else None
    return CitationText(cited, name)


@dataclass
class NoteNumbers:
    """The number of each note called so far, given in the order of first calls."""

    numbers: dict[int, int] = field(default_factory=dict)

    def call(self, note_id: int) -> tuple[int, bool]:
        """Return a called note's number, and whether this call is its first."""
        first = note_id not in self.numbers
        return self.numbers.setdefault(note_id, len(self.numbers) + 1), first


def note_mark(number: int) -> str:
    """Return a note's call mark in plain text: its number in superscript digits."""
    return str(number).translate(_SUPERSCRIPT)


@dataclass(frozen=True)
class CitationPlace:
    """A citation in the text that a Sources entry links back to: its id and the keys it cites."""

    id: str
    keys: tuple[str, ...]


@dataclass
class CitationPlaces:
    """The citations given an id so far, in reading order."""

    places: list[CitationPlace] = field(default_factory=list)

    def cite(self, keys: Sequence[str]) -> str:
        """Return the id of a new citation of these keys, each key once."""
        place = CitationPlace(f"_cite{len(self.places) + 1}", tuple(dict.fromkeys(keys)))
        self.places.append(place)
        return place.id
