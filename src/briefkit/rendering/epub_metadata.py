"""The package metadata of an EPUB brief: Dublin Core from the front matter, and accessibility.

Conformance to EPUB Accessibility 1.1 is claimed only when every image has alt text and there
is a publisher to stand behind the claim; the templates and stylesheet supply the rest, and
the test suite holds them to it with DAISY Ace.
"""

from __future__ import annotations

import uuid

from briefkit.model.brief import Brief
from briefkit.rendering.epub_package import Metadata
from briefkit.rendering.view import BriefView
from briefkit.sources.markdown import plain_text
from briefkit.sources.tokens import of_type, with_notes

CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
# Identifiers are name-based UUIDs in briefkit's own namespace, so each build gives the same one.
_ID_NAMESPACE = uuid.UUID("d3d6100a-8cf7-4715-90ff-e0b8b7bb4914")


def images_described(brief: Brief, facts_only: bool) -> bool:
    """Tell whether every image the edition shows has alt text."""
    included = brief.included(facts_only)
    tokens = [t for section in included for t in with_notes(section.tokens, brief.footnotes)]
    return all(plain_text(image) for image in of_type(tokens, "image"))


def publication_id(brief: Brief, facts_only: bool) -> str:
    """Return a urn:uuid that every build of the same brief and edition shares."""
    meta = brief.meta
    parts = [meta.title, meta.date.isoformat(), meta.organisation or ""]
    if facts_only:
        # The facts-only edition is a different publication, so readers must not merge them.
        parts.append("facts-only")
    return uuid.uuid5(_ID_NAMESPACE, "\n".join(parts)).urn


def package_metadata(brief: Brief, view: BriefView) -> Metadata:
    """Return the package metadata of a brief's edition."""
    meta = brief.meta
    described = images_described(brief, view.facts_only)
    return Metadata(
        identifier=publication_id(brief, view.facts_only),
        title=view.edition_title,
        language=meta.language,
        date=meta.date.isoformat(),
        subtitle=meta.subtitle,
        creators=tuple(view.author_names),
        publisher=meta.organisation,
        subjects=tuple(meta.keywords),
        description=meta.summary,
        series=meta.series,
        properties=accessibility(described, meta.organisation),
    )


def accessibility(described: bool, publisher: str | None) -> tuple[tuple[str, str], ...]:
    """Return the EPUB Accessibility 1.1 metadata; conformance is claimed only when earned."""
    features = [
        "structuralNavigation",
        "tableOfContents",
        "readingOrder",
        "displayTransformability",
    ]
    if described:
        features.append("alternativeText")
    claim = described and publisher is not None
    properties = [
        ("schema:accessMode", "textual"),
        ("schema:accessMode", "visual"),
        ("schema:accessModeSufficient", "textual" if described else "textual,visual"),
        *(("schema:accessibilityFeature", feature) for feature in features),
        ("schema:accessibilityHazard", "none"),
        ("schema:accessibilitySummary", _summary(described, claim)),
    ]
    if claim and publisher:
        properties += [("dcterms:conformsTo", CONFORMANCE), ("a11y:certifiedBy", publisher)]
    return tuple(properties)


def _summary(described: bool, claim: bool) -> str:
    """Describe the publication's accessibility in a few sentences."""
    sentences = [
        "Reflowable text with a table of contents, ordered headings, footnotes linked in both "
        "directions and a list of sources.",
        "Each section is labelled in words as fact or commentary; colour never carries meaning.",
        "Every image has a text alternative." if described else "Some images lack a description.",
    ]
    if claim:
        sentences.append("It meets EPUB Accessibility 1.1 at WCAG 2.1 Level AA.")
    return " ".join(sentences)
