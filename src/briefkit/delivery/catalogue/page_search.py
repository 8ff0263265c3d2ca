"""Search on the published page itself, for a static host and a page opened from a file.

The page lists every brief, so it is searched where it is: each card carries its searchable
text in a ``data-search`` attribute, folded here at publish time, and a few lines of script
(``catalogue/search.js``, inlined) hide the cards that do not hold every word of the query,
folded the same way. No index file is fetched, as none can be from ``file://``; the text is an
attribute, escaped like any other, so nothing a source says becomes markup or script.

Folding is the script's: ``normalize("NFKD")``, nonspacing marks removed, ``toLowerCase()``: case,
accents and compatibility forms (ligatures, full-width letters) do not matter.
"""

from __future__ import annotations

import unicodedata

from briefkit.delivery.catalogue.entries import Publication


def folded(text: str) -> str:
    """Return text as the page's search compares it: decomposed, unaccented, lower case."""
    decomposed = unicodedata.normalize("NFKD", text)
    # Nonspacing marks only, as the script's \p{Mn}: a spacing vowel sign is a letter's own.
    bare = "".join(char for char in decomposed if unicodedata.category(char) != "Mn")
    return " ".join(bare.lower().split())


def search_text(publication: Publication) -> str:
    """Return what a card is found by: title, subtitle, summary, authors, series, keywords."""
    fields = (
        publication.title,
        publication.subtitle,
        publication.summary,
        *publication.authors,
        publication.series,
        *publication.keywords,
    )
    return folded(" ".join(field for field in fields if field))
