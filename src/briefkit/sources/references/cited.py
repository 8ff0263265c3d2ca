"""What a brief's citations say about its sources.

A source listed but never cited is a warning at its entry; a narrative citation (``As @a
notes``) of a source with no ``short`` form prints its Sources entry's publisher in running
text, which rarely reads as a sentence should, and is a warning too. Narrative citations
print a name each time, so how much they print in all is bounded, as notes printed again are.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from markdown_it.token import Token

from briefkit.errors import Findings, Severity
from briefkit.messages import quoted
from briefkit.model.brief import FrontMatter
from briefkit.sources.frontmatter import SplitSource
from briefkit.sources.limits import Reporter
from briefkit.sources.markup.tokens import of_type
from briefkit.sources.references.citations import is_key, narrative_column

# As much text as the largest source holds: no brief names its sources more, and a name of
# a hundred characters cited a few hundred thousand times would print gigabytes.
MAX_NAMES_PRINTED = 1_000_000


def check_sources(
    meta: FrontMatter, split: SplitSource, tokens: list[Token], findings: Findings
) -> None:
    """Warn about sources never cited, and refuse names that narrative citations print too often."""
    citations = list(of_type(tokens, "citation"))
    cited = {key for cite in citations for key in cite.meta["keys"]}
    _warn_uncited(meta, split, cited, findings)
    _warn_named_in_headings(split, tokens, findings)
    narrative = Counter(cite.meta["keys"][0] for cite in citations if cite.meta["narrative"])
    _check_names_printed(meta, split, narrative, findings)


def _warn_uncited(
    meta: FrontMatter, split: SplitSource, cited: set[str], findings: Findings
) -> None:
    """Warn, at its entry in the front matter, about each source the body never cites."""
    report = Reporter(findings)
    for key in meta.sources:
        if key not in cited:
            line, col = split.position_of(("sources", key))
            report.record("uncited", Severity.WARNING, line, _uncited(key), col)


def _uncited(key: str) -> str:
    """Return what to do about a source that is never cited."""
    if not is_key(key):
        return (
            f"source {quoted(key)} is never cited, and cannot be: a key is letters, digits "
            "and _, with punctuation such as - : . / only between them"
        )
    return (
        f"source '{key}' is never cited: cite it as [@{key}] where the brief relies on it, "
        "or remove it from sources"
    )


def _warn_named_in_headings(split: SplitSource, tokens: list[Token], findings: Findings) -> None:
    """Warn about narrative citations in section headings, whose names the contents would lose.

    The contents, the bookmarks and the EPUB's navigation show a section's title without its
    citations: "What @mofa said" would be listed as "What said".
    """
    report = Reporter(findings)
    lines = split.body.split("\n")
    opening = enumerate(tokens[:-1])
    headings = (tokens[i + 1] for i, t in opening if t.type == "heading_open" and t.tag == "h2")
    for cite in of_type(headings, "citation"):
        if cite.meta["narrative"]:
            offset = int(cite.meta.get("line", 0))
            text = lines[offset] if 0 <= offset < len(lines) else ""
            key = cite.meta["keys"][0]
            message = (
                f"'@{key}' names a source in a section's heading, and the contents and bookmarks "
                f"list sections without their citations: write the name itself, and cite [@{key}]"
            )
            col = narrative_column(text, key) or 1
            report.record("heading", Severity.WARNING, split.body_line + offset, message, col)


def _check_names_printed(
    meta: FrontMatter, split: SplitSource, narrative: Counter[str], findings: Findings
) -> None:
    """Refuse narrative citations that would print sources' names past the limit, in all."""
    printed = {
        key: count * len(meta.sources[key].in_text)
        for key, count in narrative.items()
        if meta.sources.get(key) is not None
    }
    total = sum(printed.values())
    if total <= MAX_NAMES_PRINTED:
        return
    key = max(printed, key=lambda name: printed[name])
    line, col = split.position_of(("sources", key))
    findings.error(
        line,
        f"narrative citations print the names of sources, {total:,} characters in all, "
        f"{printed[key]:,} of them for '{key}' (cited {narrative[key]:,} times as @{key}); the "
        f"limit is {MAX_NAMES_PRINTED:,}: give it a short form, or cite it as [@{key}]",
        col,
    )


class UnnamedSources:
    """Find narrative citations of sources with no short form, once for each source."""

    def __init__(self, meta: FrontMatter) -> None:
        self.meta = meta
        self.named: set[str] = set()

    def problem(self, cite: Token) -> str | None:
        """Return what to write when a narrative citation prints a source's Sources entry."""
        keys: Iterable[str] = cite.meta["keys"]
        key = next(iter(keys), "")
        entry = self.meta.sources.get(key)
        if not cite.meta["narrative"] or entry is None or entry.short or key in self.named:
            return None
        self.named.add(key)
        return (
            f"'@{key}' prints {quoted(entry.in_text)} in running text, the name its entry in "
            f"Sources gives: add the words a sentence uses under sources: {key}:, such as "
            'short: "the ministry", with their article if they take one'
        )

    @staticmethod
    def column(cite: Token, lines: list[str], offset: int) -> int | None:
        """Return the column where a narrative citation stands on its line, when it is found."""
        text = lines[offset] if 0 <= offset < len(lines) else ""
        return narrative_column(text, cite.meta["keys"][0])
