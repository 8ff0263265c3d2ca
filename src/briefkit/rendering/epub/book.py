"""Render a brief as an EPUB 3 publication.

The reading order is: cover, the text (title page, summary, key points, legend, then every
section, each with its footnotes at its end), the sources, and the contents. The sections flow
in one document, so a short section shares a screen with the next; a long brief is split at a
section boundary once a document holds about 100 kB of text (:data:`TEXT_LIMIT`). Every
document comes from a template in ``templates/epub/``; the Markdown is rendered once, by the
shared view.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
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
from briefkit.rendering.linked_data import linked_data
from briefkit.rendering.markup.epub import EpubRenderer
from briefkit.rendering.theme import Theme
from briefkit.rendering.view import BriefView, SectionView

XHTML = "application/xhtml+xml"
STYLESHEET = "styles/epub.css"
FONT_STYLESHEET = "styles/fonts.css"
SOURCES = "sources.xhtml"
NAV_FILE = "nav.xhtml"
NAV_UID = "nav"
# The text a document holds before the next section starts another, in bytes of XHTML. Adobe's
# RMSDK (older Kobo, Nook and Sony readers) refuses documents over about 300 kB, calibre splits
# at 260 kB, and every reader lays out (and repaginates, at each change of font size) a whole
# document at once; 100 kB, some 15,000 words, keeps a 30-page brief in one document.
TEXT_LIMIT = 100_000
# About what the template writes around a section's text: its element, label and heading.
SECTION_FRAME = 400
_HREF = re.compile(r'href="#([^"]+)"')
_ID = re.compile(r'\sid="([^"]+)"')


@dataclass(frozen=True)
class Page:
    """A content document: where it lives, how the contents name it, its template and sections.

    repeated holds, by section anchor, the notes a section calls that an earlier document holds.
    """

    file_name: str
    uid: str
    label: str
    kind: str
    template: str
    sections: tuple[SectionView, ...] = ()
    title_page: bool = False
    repeated: tuple[tuple[str, tuple[Note, ...]], ...] = ()

    def repeated_notes(self, section: SectionView) -> tuple[Note, ...]:
        """Return the notes a section of this document repeats from an earlier document."""
        return dict(self.repeated).get(section.anchor, ())


@dataclass(frozen=True)
class Entry:
    """An entry of the contents: its document, words and kind, and the section it leads to."""

    file_name: str
    uid: str
    label: str
    kind: str
    section: SectionView | None = None

    @property
    def href(self) -> str:
        """Return where the entry leads: its document, at its section if it has one."""
        return f"{self.file_name}#{self.section.anchor}" if self.section else self.file_name


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
    pages = content_pages(view, TEXT_LIMIT)
    spine = relinked([_render_page(page, pages, view, theme, cover) for page in pages])
    fonts = embedded_fonts(
        visible_text(document.data for document in spine), theme, fetcher, FontFormat.SFNT
    )
    spec = PackageSpec(
        metadata=package_metadata(brief, view, request.imprint.certified_by),
        spine=tuple(spine),
        nav=NAV_UID,
        cover=cover.resource,
        resources=(_stylesheet(theme), *_fonts(theme, fonts), *images.resources()),
        toc=tuple(NavPoint(e.href, e.label, f"toc-{e.uid}") for e in contents(pages, view)),
        cover_page=(pages[0].file_name, pages[0].label),
    )
    return build_package(spec, request.imprint.modified)


def content_pages(view: BriefView, limit: int = TEXT_LIMIT) -> list[Page]:
    """Return the spine's documents in reading order: cover, text, sources, contents."""
    _ = view.language.gettext
    pages = [Page("cover.xhtml", "cover", _("Cover"), "cover", "epub/cover.xhtml")]
    runs = split_sections(view, limit)
    notes = {note.footnote: note for note in view.notes}
    for number, run in enumerate(runs, start=1):
        uid = f"text-{number:02d}"
        label = _("Title page") if number == 1 else run[0].title
        again = repeated_notes(run, notes)
        template = "epub/text.xhtml"
        pages.append(Page(f"{uid}.xhtml", uid, label, "text", template, run, number == 1, again))
    if view.sources:
        pages.append(Page(SOURCES, "sources", _("Sources"), "sources", "epub/sources.xhtml"))
    pages.append(Page(NAV_FILE, NAV_UID, _("Contents"), "nav", "epub/nav.xhtml"))
    return pages


def split_sections(view: BriefView, limit: int = TEXT_LIMIT) -> list[tuple[SectionView, ...]]:
    """Return the sections in runs of about limit bytes, one document each.

    A run ends before the section that would take it past the limit; a section larger than
    that has a run of its own, since a section is never cut. A later part of a long brief
    describes each of its sections in its head (JSON-LD), so there the description counts as
    the text does.
    """
    runs: list[list[SectionView]] = [[]]
    size = 0
    for section in view.sections:
        weight = text_size(section) + (description_size(view, section) if len(runs) > 1 else 0)
        if runs[-1] and size + weight > limit:
            if len(runs) == 1:
                weight += description_size(view, section)
            runs.append([])
            size = 0
        runs[-1].append(section)
        size += weight
    return [tuple(run) for run in runs]


def text_size(section: SectionView) -> int:
    """Return the bytes of XHTML a section's heading, text and notes take, and its frame."""
    parts = [section.title_html, section.body_html, *(note.html for note in section.notes)]
    return SECTION_FRAME + sum(len(str(part).encode("utf-8")) for part in parts)


def description_size(view: BriefView, section: SectionView) -> int:
    """Return the bytes of a section's description in the head of a later part."""
    return len(linked_data(view, None, section).json.encode("utf-8"))


def repeated_notes(
    run: Iterable[SectionView], notes: dict[int, Note]
) -> tuple[tuple[str, tuple[Note, ...]], ...]:
    """Return, by section anchor, the notes a document's sections call that it does not hold.

    The view gives each note to the section that calls it first, and names every note a
    section calls, those its notes call included; a document must hold every note it links
    to, so a note an earlier document holds is repeated in the first section here that calls it.
    """
    sections = list(run)
    held = {note.footnote for section in sections for note in section.notes}
    repeats = []
    for section in sections:
        again = [called for called in section.calls if called not in held]
        held.update(again)
        repeats.append((section.anchor, tuple(notes[called] for called in again)))
    return tuple(repeats)


def contents(pages: list[Page], view: BriefView) -> list[Entry]:
    """Return what the contents list: the title page, each section in its document, Sources."""
    entries = []
    for page in pages:
        if page.kind == "text":
            if page.title_page:
                entries.append(Entry(page.file_name, page.uid, page.label, "title"))
            first = sum(entry.section is not None for entry in entries) + 1
            entries += [
                _entry(page, section, number, view)
                for number, section in enumerate(page.sections, start=first)
            ]
        elif page.kind == "sources":
            entries.append(Entry(page.file_name, page.uid, page.label, page.kind))
    return entries


def _entry(page: Page, section: SectionView, number: int, view: BriefView) -> Entry:
    """Return the contents' entry of a section: its label and title, in its document."""
    label = view.language.gettext("{label}: {title}").format(
        label=section.label, title=section.title
    )
    return Entry(page.file_name, f"section-{number:02d}", label, section.kind, section)


def section_files(pages: list[Page]) -> dict[str, str]:
    """Return the document that holds each section, by the section's anchor."""
    return {section.anchor: page.file_name for page in pages for section in page.sections}


def landmarks(pages: list[Page], view: BriefView) -> list[Landmark]:
    """Return the landmarks: cover, title page, contents, start of the text, sources."""
    text = [page for page in pages if page.kind == "text"]
    nav = next(page for page in pages if page.kind == "nav")
    marks = [
        Landmark("cover", pages[0].file_name, pages[0].label),
        Landmark("titlepage", text[0].file_name, text[0].label),
        Landmark("toc", f"{NAV_FILE}#toc", nav.label),
    ]
    if view.sections:
        start = view.language.gettext("Start of content")
        first = f"{text[0].file_name}#{view.sections[0].anchor}"
        marks.append(Landmark("bodymatter", first, start))
    sources = [page for page in pages if page.file_name == SOURCES]
    marks += [Landmark("bibliography", SOURCES, page.label) for page in sources]
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
        contents=contents(pages, view),
        section_files=section_files(pages),
        landmarks=landmarks(pages, view),
        cover=cover,
        stylesheet=STYLESHEET,
        font_stylesheet=FONT_STYLESHEET,
    )
    return Resource(page.file_name, XHTML, xhtml.encode("utf-8"), page.uid)


def relinked(documents: list[Resource]) -> list[Resource]:
    """Point each link to an id in another document at that document.

    The text's links (a section's ``#anchor``) are written for one document; once a long brief
    is split, a link to a section in another document names that document. The ids and links
    are the renderers' own markup: a source's text is escaped and never forms one.
    """
    homes: dict[str, str] = {}
    for document in documents:
        for found in _ID.findall(document.data.decode("utf-8")):
            homes.setdefault(found, document.file_name)
    return [_relink(document, homes) for document in documents]


def _relink(document: Resource, homes: dict[str, str]) -> Resource:
    """Return a document whose links to ids it does not hold name the document that does."""
    xhtml = document.data.decode("utf-8")
    own = set(_ID.findall(xhtml))

    def address(match: re.Match[str]) -> str:
        target = match.group(1)
        if target in own or target not in homes:
            return match.group(0)
        return f'href="{homes[target]}#{target}"'

    fixed = _HREF.sub(address, xhtml)
    return (
        document
        if fixed == xhtml
        else Resource(document.file_name, document.media_type, fixed.encode("utf-8"), document.uid)
    )


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
