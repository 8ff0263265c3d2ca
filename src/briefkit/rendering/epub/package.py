"""Assemble an EPUB container with ebooklib, then make it valid and byte-for-byte reproducible.

ebooklib 0.20 writes the package document, the NCX and the container, but some of what it does
has to be worked around, and all of that is done here:

- ``EpubHtml`` re-parses a chapter with an HTML parser, drops the ``<head>`` it was given and
  rebuilds one, and writes nothing (or raises) for an empty body. Content documents are
  therefore added as plain items, so the XHTML the templates made is packaged as it is.
- Its own navigation document would list every element with ``epub:type`` and an id in a
  page-list unless ``epub3_pages`` is off; the navigation document comes from a template too,
  and the option is off all the same.
- It always names an NCX in the spine's ``toc``; one is included, for EPUB 2 reading systems.
- By default it makes up a random identifier and gives every creator the same id; both are
  set explicitly here.
- It writes ``dcterms:modified`` from the local wall clock with a "Z" appended, and never sets
  ``xml:lang`` on ``<package>``. :func:`finish_package` corrects the package document after
  ebooklib has written it.
- Its zip entries carry the wall clock. :func:`finish_package` re-zips every entry with the
  build's time, in ebooklib's fixed order, ``mimetype`` first and stored.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from briefkit.system.archive import stamped_zip
from briefkit.system.clock import utc, w3c
from briefkit.version import __version__

OPF_NS = "http://www.idpf.org/2007/opf"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MIMETYPE = b"application/epub+zip"


@dataclass(frozen=True)
class Resource:
    """A file inside the package: its path below the package folder, type and bytes."""

    file_name: str
    media_type: str
    data: bytes
    uid: str


@dataclass(frozen=True)
class NavPoint:
    """An entry of the table of contents."""

    href: str
    text: str
    uid: str


@dataclass(frozen=True)
class Metadata:
    """What the package document says about the publication."""

    identifier: str
    title: str
    language: str
    date: str
    subtitle: str | None = None
    creators: tuple[str, ...] = ()
    publisher: str | None = None
    subjects: tuple[str, ...] = ()
    # The genres of the publication's sections, as IPTC genre addresses.
    types: tuple[str, ...] = ()
    description: str | None = None
    series: str | None = None
    series_position: str | None = None
    direction: str = "ltr"
    properties: tuple[tuple[str, str], ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class PackageSpec:
    """Everything that goes into one EPUB; nav is the uid of the navigation document."""

    metadata: Metadata
    spine: tuple[Resource, ...]
    nav: str
    cover: Resource
    resources: tuple[Resource, ...]
    toc: tuple[NavPoint, ...]
    cover_page: tuple[str, str] | None = None


def build_package(spec: PackageSpec, modified: dt.datetime) -> bytes:
    """Return the EPUB's bytes for a package description."""
    from ebooklib import epub

    book = _book(spec)
    buffer = io.BytesIO()
    options = {"epub3_pages": False, "epub3_landmark": False, "raise_exceptions": True}
    epub.write_epub(buffer, book, options)
    return finish_package(buffer.getvalue(), spec.metadata.language, modified)


def _book(spec: PackageSpec) -> Any:
    """Return an ebooklib book holding the spec's metadata, files, spine and contents."""
    from ebooklib import epub

    book = epub.EpubBook()
    _add_metadata(book, spec.metadata)
    if spec.metadata.direction == "rtl":
        # Pages turn from right to left (the spine's page-progression-direction).
        book.set_direction("rtl")
    book.set_cover(spec.cover.file_name, spec.cover.data, create_page=False)
    if spec.cover_page:
        # The EPUB 2 guide names the cover page, so converters (calibre) that draw a cover of
        # their own from the cover image leave this one out instead of showing two.
        href, title = spec.cover_page
        book.guide.append({"type": "cover", "href": href, "title": title})
    book.add_item(epub.EpubNcx())
    for resource in spec.resources:
        book.add_item(_item(resource))
    spine = [_item(document) for document in spec.spine]
    for item in spine:
        if item.id == spec.nav:
            item.properties = ["nav"]
        book.add_item(item)
    book.spine = spine
    book.toc = [epub.Link(point.href, point.text, point.uid) for point in spec.toc]
    return book


def _item(resource: Resource) -> Any:
    """Return an ebooklib item that writes the resource's bytes unchanged."""
    from ebooklib import epub

    return epub.EpubItem(
        uid=resource.uid,
        file_name=resource.file_name,
        media_type=resource.media_type,
        content=resource.data,
    )


def _add_metadata(book: Any, meta: Metadata) -> None:
    """Write Dublin Core, series and accessibility metadata into the book."""
    add = book.add_metadata
    book.set_identifier(meta.identifier)
    book.set_title(meta.title)
    book.set_language(meta.language)
    book.set_unique_metadata(
        "OPF", "generator", "", {"name": "generator", "content": f"briefkit {__version__}"}
    )
    if meta.subtitle:
        add("DC", "title", meta.subtitle, {"id": "subtitle"})
        add(None, "meta", "subtitle", {"refines": "#subtitle", "property": "title-type"})
    for number, name in enumerate(meta.creators, start=1):
        # A distinct id per creator: ebooklib's default id is the same for every author.
        book.add_author(name, role="aut", uid=f"creator{number}")
    add("DC", "date", meta.date)
    if meta.publisher:
        add("DC", "publisher", meta.publisher)
    for subject in meta.subjects:
        add("DC", "subject", subject)
    for kind in meta.types:
        add("DC", "type", kind)
    if meta.description:
        add("DC", "description", meta.description)
    if meta.series:
        add(None, "meta", meta.series, {"property": "belongs-to-collection", "id": "series"})
        add(None, "meta", "series", {"refines": "#series", "property": "collection-type"})
        if meta.series_position:
            position = {"refines": "#series", "property": "group-position"}
            add(None, "meta", meta.series_position, position)
        # calibre's own series metadata, for the tools that read only that.
        add(None, "meta", "", {"name": "calibre:series", "content": meta.series})
        if meta.series_position and re.fullmatch(r"\d+(\.\d+)?", meta.series_position):
            # calibre keeps a series index as a decimal number.
            index = {"name": "calibre:series_index", "content": meta.series_position}
            add(None, "meta", "", index)
    for name, value in meta.properties:
        add(None, "meta", value, {"property": name})


def finish_package(raw: bytes, language: str, modified: dt.datetime) -> bytes:
    """Correct ebooklib's package document and re-zip every entry reproducibly."""
    with zipfile.ZipFile(io.BytesIO(raw)) as source:
        entries = [(info.filename, source.read(info)) for info in source.infolist()]
    fixed = [
        (name, _fix_package_document(data, language, modified) if name.endswith(".opf") else data)
        for name, data in entries
        if name != "mimetype"
    ]
    return stamped_zip([("mimetype", MIMETYPE), *fixed], modified, frozenset({"mimetype"}))


def _fix_package_document(data: bytes, language: str, modified: dt.datetime) -> bytes:
    """Set the package's language and its modification time in UTC."""
    from lxml import etree  # type: ignore[import-untyped]  # ebooklib's own dependency

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(data, parser)
    root.set(XML_LANG, language)
    for meta in root.iter(f"{{{OPF_NS}}}meta"):
        if meta.get("property") == "dcterms:modified":
            meta.text = w3c(utc(modified))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
