"""Render a brief as an EPUB 3 publication.

The reading order is: cover, title page (summary, key points, legend), contents, one document
per section with its footnotes at the end, and the sources. Every document comes from a
template in ``templates/epub/``; the Markdown is rendered once, by the shared view.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from briefkit.model.brief import Brief
from briefkit.rendering.cover import CoverText, cover_alt, render_cover
from briefkit.rendering.epub.metadata import package_metadata
from briefkit.rendering.epub.package import NavPoint, PackageSpec, Resource, build_package
from briefkit.rendering.fetcher import Fetcher, media_type
from briefkit.rendering.font_subset import (
    EmbeddedFont,
    FontFormat,
    embedded_fonts,
    font_face_css,
    visible_text,
)
from briefkit.rendering.formats import RenderRequest
from briefkit.rendering.fragments import Note
from briefkit.rendering.markup.epub import EpubRenderer
from briefkit.rendering.theme import Theme
from briefkit.rendering.view import BriefView, SectionView

XHTML = "application/xhtml+xml"
STYLESHEET = "styles/epub.css"
FONT_STYLESHEET = "styles/fonts.css"
SOURCES = "sources.xhtml"


@dataclass(frozen=True)
class Page:
    """A content document: where it lives, how the contents name it, and its template."""

    file_name: str
    uid: str
    label: str
    kind: str
    template: str
    section: SectionView | None = None
    repeated_notes: tuple[Note, ...] = ()


NAV_FILE = "nav.xhtml"
NAV_UID = "nav"


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

    fetcher: Fetcher
    names: dict[Path, str] = field(default_factory=dict)

    def add(self, path: Path) -> str:
        """Return the package path of an image file, after checking it may be packaged."""
        target = self.fetcher.check(path)
        if target not in self.names:
            stem = re.sub(r"[^A-Za-z0-9_-]+", "-", target.stem).strip("-")[:40] or "image"
            number = len(self.names) + 1
            self.names[target] = f"images/{number:02d}-{stem}{target.suffix.lower()}"
        return self.names[target]

    def resources(self) -> list[Resource]:
        """Return the images as package resources, in the order the text first uses them."""
        return [
            Resource(name, media_type(path), self.fetcher.read(path), f"image-{number:02d}")
            for number, (path, name) in enumerate(self.names.items(), start=1)
        ]


def render_epub(request: RenderRequest) -> bytes:
    """Return the EPUB file's bytes."""
    brief, theme, fetcher = request.brief, request.theme, request.fetcher
    images = PackageImages(fetcher)
    view = request.view(EpubRenderer, images.add, lambda anchor: f"{SOURCES}#{anchor}")
    cover = _cover(brief, view, fetcher)
    pages = content_pages(view, repeated_notes(view))
    spine = tuple(_render_page(page, pages, view, theme, cover) for page in pages)
    fonts = embedded_fonts(
        visible_text(document.data for document in spine), theme, fetcher, FontFormat.SFNT
    )
    spec = PackageSpec(
        metadata=package_metadata(brief, view, request.imprint.certified_by),
        spine=spine,
        nav=NAV_UID,
        cover=cover.resource,
        resources=(_stylesheet(theme), *_fonts(theme, fonts), *images.resources()),
        toc=tuple(NavPoint(p.file_name, p.label, f"toc-{p.uid}") for p in _contents(pages)),
        cover_page=(pages[0].file_name, pages[0].label),
    )
    return build_package(spec, request.imprint.modified)


def content_pages(view: BriefView, repeats: dict[str, list[Note]] | None = None) -> list[Page]:
    """Return the spine's documents in reading order: the contents follow the title page."""
    _ = view.language.gettext
    pages = [
        Page("cover.xhtml", "cover", _("Cover"), "cover", "epub/cover.xhtml"),
        Page("title.xhtml", "title", _("Title page"), "title", "epub/title.xhtml"),
        Page(NAV_FILE, NAV_UID, _("Contents"), "nav", "epub/nav.xhtml"),
    ]
    for number, section in enumerate(view.sections, start=1):
        uid = f"section-{number:02d}"
        label = _("{label}: {title}").format(label=section.label, title=section.title)
        again = tuple((repeats or {}).get(section.anchor, []))
        template = "epub/section.xhtml"
        pages.append(Page(f"{uid}.xhtml", uid, label, section.kind, template, section, again))
    if view.sources:
        pages.append(Page(SOURCES, "sources", _("Sources"), "sources", "epub/sources.xhtml"))
    return pages


def repeated_notes(view: BriefView) -> dict[str, list[Note]]:
    """Return, by section anchor, the notes a section calls that an earlier section called first.

    The view gives each note to the section that calls it first, and names every note a
    section calls, those its notes call included; a section document must hold every note it
    links to, so a note called again later is repeated in that later document.
    """
    notes = {note.footnote: note for note in view.notes}
    repeats: dict[str, list[Note]] = {}
    for section in view.sections:
        own = {note.footnote for note in section.notes}
        repeats[section.anchor] = [notes[called] for called in section.calls if called not in own]
    return repeats


def _contents(pages: list[Page]) -> list[Page]:
    """Return the pages the table of contents lists: all but the cover and itself."""
    return [page for page in pages if page.kind not in ("cover", "nav")]


def landmarks(pages: list[Page], view: BriefView) -> list[Landmark]:
    """Return the landmarks: cover, title page, contents, start of the text, sources."""
    marks = [
        Landmark("cover", pages[0].file_name, pages[0].label),
        Landmark("titlepage", pages[1].file_name, pages[1].label),
        Landmark("toc", f"{NAV_FILE}#toc", pages[2].label),
    ]
    body = [page for page in pages if page.section is not None]
    if body:
        start = view.language.gettext("Start of content")
        marks.append(Landmark("bodymatter", body[0].file_name, start))
    if pages[-1].file_name == SOURCES:
        marks.append(Landmark("bibliography", SOURCES, pages[-1].label))
    return marks


def _render_page(
    page: Page, pages: list[Page], view: BriefView, theme: Theme, cover: Cover
) -> Resource:
    """Render one content document through its template."""
    xhtml = theme.render(
        page.template,
        view.language,
        view=view,
        page=page,
        section=page.section,
        contents=_contents(pages),
        landmarks=landmarks(pages, view),
        cover=cover,
        stylesheet=STYLESHEET,
        font_stylesheet=FONT_STYLESHEET,
    )
    return Resource(page.file_name, XHTML, xhtml.encode("utf-8"), page.uid)


def _cover(brief: Brief, view: BriefView, fetcher: Fetcher) -> Cover:
    """Return the source's cover image, or draw one from the title page's words."""
    if brief.meta.cover:
        path = fetcher.check(brief.folder / brief.meta.cover)
        name = f"images/cover{path.suffix.lower()}"
        resource = Resource(name, media_type(path), fetcher.read(path), "cover-image")
        alt = view.language.gettext("Cover of {title}").format(title=view.edition_title)
        return Cover(resource, alt)
    text = CoverText.of(view)
    drawn = Resource("images/cover.png", "image/png", render_cover(text), "cover-image")
    return Cover(drawn, cover_alt(text, view.language))


def _stylesheet(theme: Theme) -> Resource:
    """Return the theme's EPUB stylesheet."""
    return Resource(STYLESHEET, "text/css", theme.style("epub.css").read_bytes(), "css")


def _fonts(theme: Theme, fonts: list[EmbeddedFont]) -> list[Resource]:
    """Return the embedded fonts and the stylesheet that declares them."""
    # The font stylesheet is in styles/, the fonts in fonts/.
    css = font_face_css(theme, fonts, lambda font: f"../fonts/{font.file_name}")
    sheet = Resource(FONT_STYLESHEET, "text/css", css.encode("utf-8"), "fonts-css")
    files = [
        Resource(f"fonts/{font.file_name}", font.media_type, font.data, f"font-{number:02d}")
        for number, font in enumerate(fonts, start=1)
    ]
    return [sheet, *files]
