"""What a published catalogue holds: each edition of a brief as a publication, in collections.

The folder's layout is fixed here, and nowhere else: the root acquisition feed and its OPDS 2.0
twin at the top, the navigation feeds (by series, by year) and one acquisition feed per series
and per year in ``feeds/``. Every link between them is relative; only the feeds' ``self``
links and the address to paste into an app are absolute, from the base URL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import posixpath
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from pydantic import TypeAdapter

from briefkit.sources.markup.slugs import slug
from briefkit.text.languages import Language, language_for

ATOM_ACQUISITION = "application/atom+xml;profile=opds-catalog;kind=acquisition"
ATOM_NAVIGATION = "application/atom+xml;profile=opds-catalog;kind=navigation"
OPDS_JSON = "application/opds+json"
OPENSEARCH = "application/opensearchdescription+xml"
EPUB = "application/epub+zip"
PDF = "application/pdf"
HTML = "text/html"

CATALOG_XML = PurePosixPath("catalog.xml")
CATALOG_JSON = PurePosixPath("catalog.json")
INDEX_HTML = PurePosixPath("index.html")
FEEDS = PurePosixPath("feeds")
SERIES_NAV = "series"
YEARS_NAV = "years"


@dataclass(frozen=True)
class FeedWords:
    """The words the feeds show a reader, in the catalogue's language."""

    language: Language = field(default_factory=lambda: language_for("en"))

    @property
    def by_series(self) -> str:
        """Name the feed of briefs grouped by series."""
        return self.language.gettext("By series")

    @property
    def by_year(self) -> str:
        """Name the feed of briefs grouped by year."""
        return self.language.gettext("By year")

    @property
    def series_group(self) -> str:
        """Name the group of series facets."""
        return self.language.gettext("Series")

    @property
    def year_group(self) -> str:
        """Name the group of year facets."""
        return self.language.gettext("Year")

    @property
    def search(self) -> str:
        """Describe the catalogue's search, with {title} to fill in."""
        return self.language.gettext("Search {title}: titles, summaries and keywords")

    @property
    def results(self) -> str:
        """Name a feed of search results, with {title} and {terms} to fill in."""
        return self.language.gettext("{title}: briefs matching “{terms}”")

    def count(self, number: int) -> str:
        """Say how many briefs a collection holds."""
        phrase = self.language.ngettext("{count} brief", "{count} briefs", number)
        return phrase.format(count=self.language.number(number))

    def corrected(self, correction: Corrected) -> str:
        """Say when a brief was corrected, and how: 'Corrected 26 November 2025: ...'."""
        day = self.language.long_date(correction.date)
        return f"{self.language.gettext('Corrected {date}:').format(date=day)} {correction.text}"

    def with_corrections(self, text: str | None, publication: Description) -> str | None:
        """Return what an entry says of a brief, its corrections after it, newest first."""
        parts = [text or "", *(self.corrected(c) for c in publication.corrections)]
        return "\n\n".join(part for part in parts if part) or None


@dataclass(frozen=True)
class FileRef:
    """A file of the catalogue folder: its path below the folder, type, size and pixels."""

    path: PurePosixPath
    media_type: str
    size: int
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class Labelled:
    """How an edition's sections are labelled: counts of each kind, and who wrote the views."""

    facts: int
    commentary: int
    commentators: tuple[str, ...]
    omitted: int

    @property
    def kinds(self) -> tuple[str, ...]:
        """Return the kinds of section the edition holds: fact, commentary, or both."""
        counts = (("fact", self.facts), ("commentary", self.commentary))
        return tuple(kind for kind, count in counts if count)


@dataclass(frozen=True)
class Corrected:
    """A correction to a brief, as its entry says it: the date and the text."""

    date: dt.date
    text: str


@dataclass(frozen=True)
class Description:
    """What the catalogue says of one edition of a brief, from its source alone."""

    identifier: str
    subtitle: str | None
    authors: tuple[str, ...]
    organisation: str | None
    series: str | None
    number: str | None
    summary: str | None
    keywords: tuple[str, ...]
    classification: str | None
    language: str
    issued: dt.date
    facts_only: bool
    labelled: Labelled
    # Newest first; the latest is when the entry was last updated.
    corrections: tuple[Corrected, ...]

    def as_json(self) -> dict[str, Any]:
        """Return the description as JSON-ready data."""
        corrections = [{"date": c.date.isoformat(), "text": c.text} for c in self.corrections]
        return {**asdict(self), "issued": self.issued.isoformat(), "corrections": corrections}

    @classmethod
    def from_json(cls, data: Any) -> Description | None:
        """Return the description data from as_json holds; None if it is not one.

        Every field is checked for its type: the data was read from a file in the folder,
        which anyone could have written.
        """
        from pydantic import ValidationError

        try:
            return _description_adapter().validate_python(data)
        except ValidationError:
            return None


@cache
def _description_adapter() -> TypeAdapter[Description]:
    """Return the validator of descriptions read from JSON (made once, when first needed)."""
    from pydantic import TypeAdapter

    return TypeAdapter(Description)


@dataclass(frozen=True)
class Publication(Description):
    """One edition of one brief, as the catalogue lists it: its description and its files.

    Its title is the one its EPUB carries: the facts-only edition's says so.
    """

    title: str
    source: Path
    epub: FileRef
    pdf: FileRef | None
    cover: FileRef
    thumbnail: FileRef
    anchor: str = ""
    # The brief as a web page, which browsers open and e-reader apps may offer.
    html: FileRef | None = None
    # The Word edition, for clearance rounds, when the workspace publishes it.
    docx: FileRef | None = None

    @property
    def updated(self) -> dt.datetime:
        """Return when the catalogue says the publication changed: its latest correction.

        That is the date of its latest correction, else its own, at midnight UTC. Derived
        from the brief, never the clock, so publishing again changes no feed.
        """
        day = max((c.date for c in self.corrections), default=self.issued)
        return dt.datetime.combine(day, dt.time(), dt.UTC)

    @property
    def downloads(self) -> tuple[FileRef, ...]:
        """Return the files a reader can download: EPUB (apps take the first), PDF, HTML, Word."""
        return tuple(file for file in (self.epub, self.pdf, self.html, self.docx) if file)


@dataclass(frozen=True)
class Collection:
    """A subset of the catalogue with a feed of its own: one series, or one year."""

    kind: str
    name: str
    key: str
    publications: tuple[Publication, ...]

    def feed(self, suffix: str) -> PurePosixPath:
        """Return the path of this collection's feed, .xml (Atom) or .json (OPDS 2.0)."""
        return FEEDS / f"{self.kind}-{self.key}{suffix}"

    @property
    def navigation(self) -> str:
        """Return the name of the navigation feed that lists this collection."""
        return SERIES_NAV if self.kind == "series" else YEARS_NAV

    @property
    def briefs(self) -> int:
        """Return how many briefs (not editions) the collection holds."""
        return len({p.source for p in self.publications})


@dataclass(frozen=True)
class Site:
    """Where the catalogue will be served from, and what it is called."""

    base_url: str
    title: str
    author: str
    author_url: str | None = None
    words: FeedWords = field(default_factory=FeedWords)

    @property
    def language(self) -> Language:
        """Return the language of the catalogue's own words."""
        return self.words.language

    def url(self, path: PurePosixPath) -> str:
        """Return the absolute address of a file of the folder."""
        return self.base_url + quote(path.as_posix())

    def feed_id(self, path: PurePosixPath) -> str:
        """Return a feed's Atom id: a name-based UUID of its address, the same every time."""
        return uuid.uuid5(uuid.NAMESPACE_URL, self.url(path)).urn


@dataclass(frozen=True)
class Catalogue:
    """Every publication of the folder, newest first, with its series and years."""

    site: Site
    publications: tuple[Publication, ...]
    series: tuple[Collection, ...]
    years: tuple[Collection, ...]

    @classmethod
    def of(cls, site: Site, publications: Iterable[Publication]) -> Catalogue:
        """Order the publications newest first and group them by series and by year."""
        ordered = tuple(sorted(publications, key=_newest_first))
        named = sorted({p.series for p in ordered if p.series}, key=str.casefold)
        keys = unique_keys(named, "series")
        series = tuple(
            Collection("series", name, keys[name], tuple(p for p in ordered if p.series == name))
            for name in named
        )
        numbers = sorted({p.issued.year for p in ordered}, reverse=True)
        years = tuple(
            Collection("year", str(n), str(n), tuple(p for p in ordered if p.issued.year == n))
            for n in numbers
        )
        return cls(site, ordered, series, years)

    def navigation(self) -> list[tuple[str, str, tuple[Collection, ...]]]:
        """Return the navigation feeds: name, title and collections, leaving out empty ones."""
        words = self.site.words
        feeds = [(SERIES_NAV, words.by_series, self.series), (YEARS_NAV, words.by_year, self.years)]
        return [feed for feed in feeds if feed[2]]


def navigation_feed(name: str, suffix: str) -> PurePosixPath:
    """Return the path of a navigation feed."""
    return FEEDS / f"{name}{suffix}"


def updated(publications: Iterable[Publication]) -> dt.datetime:
    """Return the latest update of some publications (the Unix epoch for none)."""
    return max((p.updated for p in publications), default=dt.datetime.fromtimestamp(0, dt.UTC))


def href(target: PurePosixPath, document: PurePosixPath) -> str:
    """Return the relative URL of a file of the folder, as written in a document of the folder."""
    relative = posixpath.relpath(target.as_posix(), document.parent.as_posix())
    return quote(relative)


def _newest_first(publication: Publication) -> tuple[int, str, bool, str]:
    """Sort newest first, then by title, the full edition before the facts-only one."""
    return (
        -publication.issued.toordinal(),
        publication.title.casefold(),
        publication.facts_only,
        publication.epub.path.as_posix(),
    )


def unique_keys(names: list[str], fallback: str) -> dict[str, str]:
    """Return an ASCII key for each name, for file names and ids; names sharing one get a hash."""
    slugs = {name: slug(name) for name in names}
    taken = list(slugs.values())
    keys = {}
    for name, base in slugs.items():
        digest = hashlib.sha256(name.encode()).hexdigest()[:8]
        keys[name] = base if base and taken.count(base) == 1 else f"{base or fallback}-{digest}"
    return keys
