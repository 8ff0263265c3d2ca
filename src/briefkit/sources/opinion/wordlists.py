"""The opinion check's word lists: one data file per language, compiled into one matcher.

Each file in the built-in ``wordlists/`` folder lists, by kind, the phrases by which a writer
states a view of their own, and the words that put a sentence in someone else's mouth. The
matcher is one regular expression made from those lists, never from a source: a trie of
literal words joined by possessive runs of spaces, so it reads text in time that grows with
its length and no more.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from briefkit.resources import builtin_root

# Kinds of phrase that state the writer's view: each one found is reported.
FLAGGED = ("first_person", "evaluative", "puffery", "loaded", "honorific", "prescription")
# Kinds that say how to read a sentence: never reported themselves.
CONTEXT = ("ignore", "attribution", "rule", "conditional")
KINDS = FLAGGED + CONTEXT
# A sentence's characters that are part of a word, for whole-word matching: letters and
# digits, the combining marks of the scripts briefkit writes (Devanagari's vowel signs are
# not letters to Python; its danda, the full stop, is left out), joiners, and hyphens, so
# that "must" is not found in "must-have".
_WORD = (
    "[^\\W_]|[-\u2010\u2011\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a"
    "\u064b-\u065f\u0670\u06d6-\u06ed\u0900-\u0963\u0966-\u0dff\u1ab0-\u1aff"
    "\u1dc0-\u1dff\u200c\u200d\u20d0-\u20ff\ufe20-\ufe2f]"
)
_SPACES = re.compile(r"\s+")
_END = ""  # marks the end of a phrase in the trie


@dataclass(frozen=True)
class Match:
    """A phrase of a word list found in a text."""

    start: int
    end: int
    kind: str
    phrase: str


@dataclass(frozen=True)
class Lexicon:
    """One language's word lists and the matcher made from them."""

    language: str
    kinds: Mapping[str, str]
    pattern: re.Pattern[str]
    inverted_conditionals: bool

    def find(self, text: str) -> Iterator[Match]:
        """Yield every listed phrase in text, left to right, the longest at each place."""
        for found in self.pattern.finditer(text):
            phrase = normalise(found.group(1))
            kind = self.kinds.get(phrase)
            if kind is not None:
                yield Match(found.start(1), found.end(1), kind, phrase)

    def kind_of(self, term: str) -> str | None:
        """Return the kind of a phrase as a writer gives it, or None if it is not listed."""
        return self.kinds.get(normalise(term))

    def flagged(self) -> list[str]:
        """Return every phrase that is reported, in order."""
        return sorted(phrase for phrase, kind in self.kinds.items() if kind in FLAGGED)


def normalise(phrase: str) -> str:
    """Return a phrase as the lists write it: lower case, single spaces, straight apostrophes."""
    text = _SPACES.sub(" ", phrase.strip()).lower()
    return text.replace("’", "'").replace("\u2010", "-").replace("\u2011", "-")


def language_of(tag: str) -> str:
    """Return the language subtag of a BCP 47 tag: en-GB is en."""
    return tag.split("-", 1)[0].lower()


def lexicon_for(tag: str) -> Lexicon | None:
    """Return the word lists for a brief's language, or None if briefkit has none."""
    return _lexicon(language_of(tag))


@cache
def _lexicon(language: str) -> Lexicon | None:
    """Return one language's word lists, read and compiled once."""
    path = builtin_root() / "wordlists" / f"{language}.toml"
    if not language.isalpha() or not path.is_file():
        return None
    return compile_lexicon(language, tomllib.loads(path.read_text(encoding="utf-8")))


def compile_lexicon(language: str, data: Mapping[str, Any]) -> Lexicon:
    """Build the matcher of one language's lists, as read from its data file."""
    kinds: dict[str, str] = {}
    for kind in KINDS:
        for phrase in data.get(kind, []):
            kinds[normalise(phrase)] = kind
    options = data.get("options", {})
    trie = _trie(kinds)
    body = f"({trie})"
    if options.get("spaced", True):
        prefixes = "|".join(re.escape(p) for p in options.get("prefixes", []))
        joined = f"(?:{prefixes})?" if prefixes else ""
        body = f"(?<!{_WORD}){joined}{body}(?!{_WORD})"
    return Lexicon(
        language,
        kinds,
        re.compile(body, re.IGNORECASE),
        bool(options.get("inverted_conditionals", False)),
    )


def _trie(phrases: Mapping[str, str]) -> str:
    """Return one pattern matching every phrase, its shared beginnings written once."""
    root: dict[str, Any] = {}
    for phrase in phrases:
        node = root
        for atom in _atoms(phrase):
            node = node.setdefault(atom, {})
        node[_END] = {}
    return _alternatives(root)


def _atoms(phrase: str) -> list[str]:
    """Return the pattern of each character of a phrase: spaces and apostrophes as classes."""
    atoms = []
    for char in phrase:
        if char == " ":
            atoms.append(r"\s++")  # possessive: a run of spaces is never read twice
        elif char == "'":
            atoms.append("['’]")
        elif char == "-":
            atoms.append("[-\u2010\u2011]")
        else:
            atoms.append(re.escape(char))
    return atoms


def _alternatives(node: Mapping[str, Any]) -> str:
    """Return the pattern of a trie node: its branches, optional where a phrase may end.

    The depth is that of the longest listed phrase (the lists' own, never a source's).
    """
    branches = [atom + _alternatives(child) for atom, child in sorted(node.items()) if atom]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if _END in node:
        return f"(?:{body})?"
    return body
