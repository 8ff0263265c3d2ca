"""Acquisition feeds in pages, so an e-reader fetches a few dozen entries at a time.

A feed of more publications than a page holds is split (RFC 5005, "Paged Feeds"): every page
links to the first, previous, next and last one, newest publications first, so an app that
reads incrementally (KOReader) stops as soon as it meets an entry it has seen. Page 1 keeps
the feed's own path, so every address subscribed to before still works; page n of
``catalog.xml`` is ``feeds/catalog.page-n.xml``, and of ``feeds/series-notes.xml``,
``feeds/series-notes.page-n.xml``: the dot keeps them apart from any collection's feed, whose
keys are slugs (letters, digits and hyphens). The Atom and OPDS 2.0 feeds page alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from briefkit.config import DEFAULT_PAGE_SIZE
from briefkit.delivery.catalogue.entries import FEEDS, Publication

# The relations of the links between pages, in the order a feed gives them.
RELATIONS = ("first", "previous", "next", "last")


@dataclass(frozen=True)
class Page:
    """One page of an acquisition feed: its number, its publications, and every page's path."""

    number: int
    publications: tuple[Publication, ...]
    paths: tuple[PurePosixPath, ...]
    size: int
    total: int

    @property
    def path(self) -> PurePosixPath:
        """Return this page's path in the folder."""
        return self.paths[self.number - 1]

    @property
    def first(self) -> PurePosixPath:
        """Return the path of the feed's first page: the feed's own path."""
        return self.paths[0]

    def twin(self, first: PurePosixPath) -> PurePosixPath:
        """Return the path of the same page of the feed whose first page is at first."""
        return page_path(first, self.number)

    def neighbours(self) -> list[tuple[str, PurePosixPath]]:
        """Return the relation and path of each page this one links to; none for a lone page."""
        if len(self.paths) == 1:
            return []
        number, last = self.number, len(self.paths)
        targets = {
            "first": self.paths[0],
            "previous": self.paths[number - 2] if number > 1 else None,
            "next": self.paths[number] if number < last else None,
            "last": self.paths[-1],
        }
        return [(rel, target) for rel in RELATIONS if (target := targets[rel]) is not None]


def pages(
    first: PurePosixPath, publications: tuple[Publication, ...], size: int = DEFAULT_PAGE_SIZE
) -> list[Page]:
    """Split a feed's publications, newest first already, into pages of at most size."""
    if size < 1:
        raise ValueError(f"a page holds at least one publication, not {size}")
    # A feed without publications still has its one page.
    count = max(1, -(-len(publications) // size))
    paths = tuple(page_path(first, number) for number in range(1, count + 1))
    return [
        Page(
            number,
            publications[(number - 1) * size : number * size],
            paths,
            size,
            len(publications),
        )
        for number in range(1, count + 1)
    ]


def page_path(first: PurePosixPath, number: int) -> PurePosixPath:
    """Return the path of page number of the feed whose first page is at first."""
    if number == 1:
        return first
    return FEEDS / f"{first.stem}.page-{number}{first.suffix}"
