"""The package metadata of an EPUB brief: Dublin Core from the front matter, and accessibility.

Each genre the edition's sections hold is a ``dc:type``, its IPTC genre address
(``rendering/linked_data.py``), so a catalogue tells reported fact from opinion unopened.

Conformance to EPUB Accessibility 1.1 is claimed only when the workspace names who certifies
it (``[epub] certified_by``), and then only for an edition whose images all have alt text;
the templates and stylesheet supply the rest, and the test suite holds them to it with DAISY
Ace. The accessibility summary says what this edition holds, in the brief's language.
"""

from __future__ import annotations

import re
import uuid

from markdown_it.token import Token

from briefkit.model.brief import Brief
from briefkit.model.edition import Edition
from briefkit.rendering.epub.package import Metadata
from briefkit.rendering.linked_data import genres
from briefkit.rendering.view import BriefView
from briefkit.sources.markup.markdown import plain_text
from briefkit.sources.markup.tokens import of_type

CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
# Identifiers are name-based UUIDs in briefkit's own namespace, so each build gives the same one.
_ID_NAMESPACE = uuid.UUID("d3d6100a-8cf7-4715-90ff-e0b8b7bb4914")


def edition_images(brief: Brief, edition: Edition) -> list[Token]:
    """Return the image tokens of the sections an edition shows and of the notes they call."""
    tokens = [t for section in edition.sections(brief) for t in (section.heading, *section.tokens)]
    tokens += [t for note in edition.notes(brief) for t in brief.footnotes.get(note, [])]
    return list(of_type(tokens, "image"))


def images_described(brief: Brief, edition: Edition) -> bool:
    """Tell whether every image the edition shows has alt text."""
    return all(plain_text(image) for image in edition_images(brief, edition))


def publication_id(brief: Brief, edition: Edition) -> str:
    """Return a urn:uuid that every build of the same brief and edition shares."""
    meta = brief.meta
    parts = [meta.title, meta.date.isoformat(), meta.organisation or ""]
    if edition.facts_only:
        # The facts-only edition is a different publication, so readers must not merge them.
        parts.append(edition.name)
    return uuid.uuid5(_ID_NAMESPACE, "\n".join(parts)).urn


def series_position(number: str | None) -> str | None:
    """Return a brief's number as the position EPUB's group-position takes: '7', '2025.11'.

    A position is numbers separated by dots; a number written otherwise ('2025/11') gives its
    runs of digits, the later ones with two digits at least, so that reading systems that read
    it as a decimal (calibre) order the issues of a year as they were numbered.
    """
    if not number:
        return None
    if re.fullmatch(r"\d+(\.\d+)*", number):
        return number
    runs = re.findall(r"\d+", number)
    if not runs:
        return None
    return ".".join([runs[0], *(run.rjust(2, "0") for run in runs[1:])])


def package_metadata(brief: Brief, view: BriefView, certified_by: str | None = None) -> Metadata:
    """Return the package metadata of a brief's edition; certified_by vouches for conformance."""
    meta = brief.meta
    described = images_described(brief, view.edition)
    return Metadata(
        identifier=publication_id(brief, view.edition),
        title=view.edition_title,
        language=meta.language,
        date=meta.date.isoformat(),
        subtitle=meta.subtitle,
        creators=tuple(view.author_names),
        publisher=meta.organisation,
        subjects=tuple(meta.keywords),
        types=tuple(genre.uri for genre in genres(s.kind for s in view.sections)),
        description=view.summary,
        series=meta.series,
        series_position=series_position(meta.number) if meta.series else None,
        direction=view.language.direction,
        properties=accessibility(described, certified_by, summary(brief, view, described)),
    )


def accessibility(
    described: bool, certified_by: str | None, description: str
) -> tuple[tuple[str, str], ...]:
    """Return the EPUB Accessibility 1.1 metadata; conformance is claimed only when vouched for.

    The claim needs someone the workspace names to stand behind it, and every image described.
    """
    features = [
        "structuralNavigation",
        "tableOfContents",
        "readingOrder",
        "displayTransformability",
    ]
    if described:
        features.append("alternativeText")
    properties = [
        ("schema:accessMode", "textual"),
        ("schema:accessMode", "visual"),
        ("schema:accessModeSufficient", "textual" if described else "textual,visual"),
        *(("schema:accessibilityFeature", feature) for feature in features),
        ("schema:accessibilityHazard", "none"),
        ("schema:accessibilitySummary", description),
    ]
    if described and certified_by:
        properties += [("dcterms:conformsTo", CONFORMANCE), ("a11y:certifiedBy", certified_by)]
    return tuple(properties)


def summary(brief: Brief, view: BriefView, described: bool) -> str:
    """Describe, in the brief's language, what this edition offers a reader who cannot see it."""
    _ = view.language.gettext
    sentences = [_("Reflowable text with a table of contents and ordered headings.")]
    if view.notes:
        sentences.append(_("Footnotes are linked to and from the text."))
    if view.sources:
        sentences.append(_("Citations link to a numbered list of sources."))
    if view.facts_only:
        sentences.append(_("Every section is reported fact, labelled in words."))
    else:
        sentences.append(_("Each section is labelled in words as fact or commentary."))
    if edition_images(brief, view.edition):
        sentences.append(
            _("Every image has a text alternative.")
            if described
            else _("Some images have no text alternative.")
        )
    return " ".join(sentences)
