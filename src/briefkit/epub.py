"""Render a brief as an EPUB 3 publication.

The reading order is: cover, title page (summary, key points, legend), contents, one document
per section with its footnotes at the end, and the sources. Every document comes from a
template in ``templates/epub/``; the Markdown is rendered once, by the shared view.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from briefkit.config import Labels
from briefkit.cover import CoverText, render_cover
from briefkit.epub_package import Metadata, NavPoint, PackageSpec, Resource, build_package
from briefkit.errors import BriefkitError
from briefkit.fragments import Flavour
from briefkit.images import IMAGE_TYPES
from briefkit.markdown import plain_text
from briefkit.model import Brief
from briefkit.theme import Theme
from briefkit.tokens import citation_order, of_type, with_notes
from briefkit.view import BriefView, SectionView, build_view

XHTML = "application/xhtml+xml"
STYLESHEET = "styles/epub.css"
SOURCES = "sources.xhtml"
CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
# Identifiers are name-based UUIDs in briefkit's own namespace, so each build gives the same one.
_ID_NAMESPACE = uuid.UUID("d3d6100a-8cf7-4715-90ff-e0b8b7bb4914")


@dataclass(frozen=True)
class Page:
    """A content document: where it lives, how the contents name it, and its template."""

    file_name: str
    uid: str
    label: str
    kind: str
    template: str
    section: SectionView | None = None


@dataclass(frozen=True)
class Landmark:
    """An entry of the navigation document's landmarks."""

    type: str
    href: str
    text: str


@dataclass(frozen=True)
class Cover:
    """The cover image and the words that describe it."""

    resource: Resource
    alt: str


@dataclass
class PackageImages:
    """The brief's image files a publication carries, each under a safe name in the package."""

    folder: Path
    names: dict[Path, str] = field(default_factory=dict)

    def add(self, path: Path) -> str:
        """Return the package path of an image file, after checking it may be packaged."""
        target = packaged_file(self.folder, path)
        if target not in self.names:
            stem = re.sub(r"[^A-Za-z0-9_-]+", "-", target.stem).strip("-")[:40] or "image"
            number = len(self.names) + 1
            self.names[target] = f"images/{number:02d}-{stem}{target.suffix.lower()}"
        return self.names[target]

    def resources(self) -> list[Resource]:
        """Return the images as package resources, in the order the text first uses them."""
        return [
            Resource(name, _media_type(path), path.read_bytes(), f"image-{number:02d}")
            for number, (path, name) in enumerate(self.names.items(), start=1)
        ]


def render_epub(
    brief: Brief,
    theme: Theme,
    labels: Labels,
    *,
    facts_only: bool = False,
    modified: dt.datetime,
    organisation_url: str | None = None,
) -> bytes:
    """Return the EPUB file's bytes."""
    images = PackageImages(brief.folder)
    numbers = source_numbers(brief, facts_only)
    view = build_view(
        brief,
        Flavour.EPUB,
        labels,
        facts_only=facts_only,
        source_href=lambda key: f"{SOURCES}#_src{numbers.get(key, 0)}",
        image_src=images.add,
        organisation_url=organisation_url,
    )
    _check_source_numbers(view, numbers)
    cover = _cover(brief, view)
    pages = content_pages(view)
    spec = PackageSpec(
        metadata=_metadata(brief, view, described=_images_described(brief, facts_only)),
        spine=tuple(_render_page(page, pages, view, theme, cover) for page in pages),
        nav=NAV.uid,
        cover=cover.resource,
        resources=(_stylesheet(theme), *images.resources()),
        toc=tuple(NavPoint(p.file_name, p.label, f"toc-{p.uid}") for p in _contents(pages)),
    )
    return build_package(spec, modified)


NAV = Page("nav.xhtml", "nav", "Contents", "nav", "epub/nav.xhtml")


def content_pages(view: BriefView) -> list[Page]:
    """Return the spine's documents in reading order: the contents follow the title page."""
    pages = [
        Page("cover.xhtml", "cover", "Cover", "cover", "epub/cover.xhtml"),
        Page("title.xhtml", "title", "Title page", "title", "epub/title.xhtml"),
        NAV,
    ]
    for number, section in enumerate(view.sections, start=1):
        uid = f"section-{number:02d}"
        label = f"{section.label}: {section.title}"
        pages.append(Page(f"{uid}.xhtml", uid, label, section.kind, "epub/section.xhtml", section))
    if view.sources:
        pages.append(Page(SOURCES, "sources", "Sources", "sources", "epub/sources.xhtml"))
    return pages


def _contents(pages: list[Page]) -> list[Page]:
    """Return the pages the table of contents lists: all but the cover and itself."""
    return [page for page in pages if page.kind not in ("cover", "nav")]


def landmarks(pages: list[Page]) -> list[Landmark]:
    """Return the landmarks: cover, title page, contents, start of the text, sources."""
    marks = [
        Landmark("cover", pages[0].file_name, "Cover"),
        Landmark("titlepage", pages[1].file_name, "Title page"),
        Landmark("toc", f"{NAV.file_name}#toc", "Contents"),
    ]
    body = [page for page in pages if page.section is not None]
    if body:
        marks.append(Landmark("bodymatter", body[0].file_name, "Start of content"))
    if pages[-1].file_name == SOURCES:
        marks.append(Landmark("bibliography", SOURCES, "Sources"))
    return marks


def _render_page(
    page: Page, pages: list[Page], view: BriefView, theme: Theme, cover: Cover
) -> Resource:
    """Render one content document through its template."""
    xhtml = theme.render(
        page.template,
        view=view,
        page=page,
        section=page.section,
        contents=_contents(pages),
        landmarks=landmarks(pages),
        cover=cover,
        stylesheet=STYLESHEET,
    )
    return Resource(page.file_name, XHTML, xhtml.encode("utf-8"), page.uid)


def _cover(brief: Brief, view: BriefView) -> Cover:
    """Return the source's cover image, or draw one from the title page's words."""
    if brief.meta.cover:
        path = packaged_file(brief.folder, brief.folder / brief.meta.cover)
        name = f"images/cover{path.suffix.lower()}"
        resource = Resource(name, _media_type(path), path.read_bytes(), "cover-image")
        return Cover(resource, f"Cover of {brief.meta.title}")
    text = CoverText.of(view)
    return Cover(
        Resource("images/cover.png", "image/png", render_cover(text), "cover-image"), text.alt()
    )


def packaged_file(folder: Path, path: Path) -> Path:
    """Return the real path of an image, refusing anything outside the brief's folder."""
    target = path.resolve()
    if not target.is_relative_to(folder.resolve()):
        raise BriefkitError(f"{path}: image is outside the brief's folder {folder}")
    if not target.is_file():
        raise BriefkitError(f"{path}: image does not exist")
    if target.suffix.lower() not in IMAGE_TYPES:
        raise BriefkitError(f"{path}: image is not a supported type")
    return target


def _media_type(path: Path) -> str:
    """Return the media type of a supported image."""
    return IMAGE_TYPES[path.suffix.lower()]


def _stylesheet(theme: Theme) -> Resource:
    """Return the theme's EPUB stylesheet."""
    return Resource(STYLESHEET, "text/css", theme.style("epub.css").read_bytes(), "css")


def source_numbers(brief: Brief, facts_only: bool) -> dict[str, int]:
    """Number the sources as the view does: cited ones in citation order, then the rest."""
    cited = citation_order(brief.included(facts_only), brief.footnotes)
    keys = cited + [key for key in brief.meta.sources if key not in cited]
    return {key: number for number, key in enumerate(keys, start=1)}


def _check_source_numbers(view: BriefView, numbers: dict[str, int]) -> None:
    """Make sure citations link to the entry that carries their number."""
    shown = {source.key: source.number for source in view.sources}
    if shown != numbers:
        raise RuntimeError(f"source numbers differ from the view's: {numbers} != {shown}")


def _images_described(brief: Brief, facts_only: bool) -> bool:
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


def _metadata(brief: Brief, view: BriefView, *, described: bool) -> Metadata:
    """Return the package metadata of a brief."""
    meta = brief.meta
    return Metadata(
        identifier=publication_id(brief, view.facts_only),
        title=meta.title,
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
