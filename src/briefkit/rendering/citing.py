"""What a brief says about itself: corrections, "Cite this brief", and a pasted link's preview."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import quote

from babel.lists import format_list

from briefkit.model.brief import FrontMatter
from briefkit.text.languages import Language

DOI_RESOLVER = "https://doi.org/"
# Characters a DOI keeps as they are in its https://doi.org/ address; the DOI Handbook asks
# for the others (#, ?, %, ", <, >, \ and the like) to be percent-encoded.
_DOI_SAFE = "/:;()[]._-~!$&'*+,=@"


@dataclass(frozen=True)
class CorrectionView:
    """One correction as printed: its date, in the brief's language, and its text."""

    date: dt.date
    date_text: str
    text: str


@dataclass(frozen=True)
class Citation:
    """The parts of the "Cite this brief" block and of the page's citation_* meta tags."""

    creators: str
    authors: tuple[str, ...]
    year: str
    title: str
    series: str
    number: str | None
    publisher: str | None
    doi: str | None
    url: str | None
    pdf_url: str | None


@dataclass(frozen=True)
class Social:
    """A pasted link's preview (Open Graph and Twitter card), as social_meta.html reads it."""

    type: str
    title: str
    description: str | None
    url: str | None
    image: str | None
    image_alt: str | None
    locale: str | None
    site_name: str | None


def doi_address(doi: str) -> str:
    """Return the https://doi.org/ address of a DOI, percent-encoded as the Handbook asks."""
    return DOI_RESOLVER + quote(doi, safe=_DOI_SAFE)


def corrections_of(meta: FrontMatter, language: Language) -> list[CorrectionView]:
    """Return the corrections newest first, as a page's history lists them."""
    return [
        CorrectionView(item.date, language.long_date(item.date), item.text)
        for item in meta.newest_corrections
    ]


def citation_of(
    meta: FrontMatter, language: Language, title: str, series: str, published: str | None
) -> Citation:
    """Return how to cite a brief: its authors or else its organisation, year, title, link.

    The link is the DOI's address when the brief has one, else where its PDF is published.
    """
    authors = tuple(author.name for author in meta.authors)
    organisation = meta.organisation
    creators = format_list(list(authors), locale=language.locale) if authors else ""
    return Citation(
        creators=creators or organisation or "",
        authors=authors,
        year=language.number(meta.date.year, grouping=False),
        title=title,
        series=series,
        number=meta.number,
        # An organisation that is the author is not named a second time as the publisher.
        publisher=organisation if authors else None,
        doi=meta.doi,
        url=doi_address(meta.doi) if meta.doi else published,
        pdf_url=published,
    )


def published_address(base_url: str | None, pdf: PurePosixPath) -> str | None:
    """Return where a brief's PDF is served once published, if [publish] base_url is known.

    pdf is the PDF's path inside the output folder, which publish lays out as build does.
    """
    return base_url + quote(pdf.as_posix()) if base_url else None


def thumbnail_name(stem: str) -> str:
    """Return the name publish gives an edition's cover thumbnail, beside its EPUB <stem>.epub."""
    return f"{stem}.thumbnail.jpg"


def social_of(
    meta: FrontMatter,
    language: Language,
    title: str,
    description: str | None,
    page: str | None,
    thumbnail: str | None,
) -> Social:
    """Return an edition's link preview: title, summary, and its page and cover once published.

    page and thumbnail are where the HTML page and the cover thumbnail are served, if known.
    """
    alt = language.gettext("Cover of {title}").format(title=title)
    return Social(
        type="article",
        title=title,
        description=description or meta.subtitle,
        url=page,
        image=thumbnail,
        image_alt=alt if thumbnail else None,
        locale=open_graph_locale(language),
        site_name=meta.organisation,
    )


def open_graph_locale(language: Language) -> str | None:
    """Return a language as Open Graph writes it (en-GB as en_GB); None if briefkit cannot tell."""
    if not language.known:
        return None
    locale = language.locale
    return f"{locale.language}_{locale.territory}" if locale.territory else locale.language
