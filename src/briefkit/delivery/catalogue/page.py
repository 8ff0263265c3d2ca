"""The catalogue's web page, ``index.html``: a brief per card, newest first, grouped by year.

The page comes from the theme's ``catalogue/index.html`` (autoescaped, like every template),
with ``catalogue.css`` inlined, so the folder's page is one file; every word it shows is in
the template.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from markupsafe import Markup

from briefkit.config import Labels
from briefkit.delivery.catalogue.entries import (
    ATOM_ACQUISITION,
    CATALOG_JSON,
    CATALOG_XML,
    INDEX_HTML,
    OPDS_JSON,
    Catalogue,
    Publication,
    href,
)
from briefkit.delivery.catalogue.page_search import search_text
from briefkit.rendering.theme import Theme
from briefkit.rendering.view import words_for
from briefkit.text.languages import language_for
from briefkit.version import __version__

TEMPLATE = "catalogue/index.html"
STYLESHEET = "catalogue.css"


@dataclass(frozen=True)
class Card:
    """A brief on the page: its full edition and, when published, its facts-only one."""

    full: Publication
    facts_only: Publication | None

    @property
    def anchor(self) -> str:
        """Return the card's id, which the feeds' alternate links point to."""
        return self.full.anchor


def render_page(catalogue: Catalogue, theme: Theme, labels: Labels) -> bytes:
    """Return the page's HTML, its own words in the catalogue's language."""
    language = catalogue.site.language
    html = theme.render(
        TEMPLATE,
        language,
        words=language,
        site=catalogue.site,
        years=_years(_cards(catalogue)),
        long_date=_long_date,
        # Open Graph writes a locale as en_GB.
        locale=str(language.locale),
        count=len({p.source for p in catalogue.publications}),
        labels=words_for(labels, language),
        url=lambda path: href(path, INDEX_HTML),
        search_text=search_text,
        catalogue_url=catalogue.site.url(CATALOG_XML),
        feeds={"atom": CATALOG_XML, "json": CATALOG_JSON},
        types={"atom": ATOM_ACQUISITION, "json": OPDS_JSON},
        version=__version__,
        stylesheet=Markup(theme.style(STYLESHEET).read_text(encoding="utf-8")),
    )
    return html.encode("utf-8")


def _long_date(day: dt.date, tag: str) -> str:
    """Write a brief's date as its own language does: 24 November 2025 in en-GB."""
    return language_for(tag).long_date(day)


def _cards(catalogue: Catalogue) -> list[Card]:
    """Return a card per brief, in the catalogue's order (newest first)."""
    editions: dict[object, list[Publication]] = {}
    for publication in catalogue.publications:
        editions.setdefault(publication.source, []).append(publication)
    cards = []
    for found in editions.values():
        full = next((p for p in found if not p.facts_only), found[0])
        facts = next((p for p in found if p.facts_only and p is not full), None)
        cards.append(Card(full, facts))
    return cards


def _years(cards: list[Card]) -> list[tuple[int, list[Card]]]:
    """Group cards by the year of their brief, newest year first."""
    years: dict[int, list[Card]] = {}
    for card in cards:
        years.setdefault(card.full.issued.year, []).append(card)
    return list(years.items())
