"""The catalogue as OPDS 1.2 feeds: Atom documents built with lxml, every namespace declared.

``catalog.xml`` is the root acquisition feed: every publication, newest first, with facets for
each series and year and links to the two navigation feeds. Each navigation feed lists the
collections of its kind; each collection has an acquisition feed of its own. Acquisition feeds
come in pages (see :mod:`paging`), each with the facets and links of the first.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from lxml import etree  # type: ignore[import-untyped]  # ebooklib's own dependency

from briefkit.config import DEFAULT_PAGE_SIZE
from briefkit.delivery.catalogue.entries import (
    ATOM_ACQUISITION,
    ATOM_NAVIGATION,
    CATALOG_JSON,
    CATALOG_XML,
    HTML,
    INDEX_HTML,
    OPDS_JSON,
    SERIES_NAV,
    Catalogue,
    Collection,
    Publication,
    Site,
    href,
    navigation_feed,
    updated,
)
from briefkit.delivery.catalogue.paging import RELATIONS, Page, pages
from briefkit.rendering.linked_data import IPTC_GENRES, genres
from briefkit.system.clock import w3c

ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/terms/"
OPDS_NS = "http://opds-spec.org/2010/catalog"
THR_NS = "http://purl.org/syndication/thread/1.0"
OPENSEARCH_NS = "http://a9.com/-/spec/opensearch/1.1/"
OPEN_ACCESS = "http://opds-spec.org/acquisition/open-access"
IMAGE = "http://opds-spec.org/image"
THUMBNAIL = "http://opds-spec.org/image/thumbnail"
FACET = "http://opds-spec.org/facet"

# Atom is each feed's default namespace, as apps that read element names literally expect.
NAMESPACES = {None: ATOM_NS, "dc": DC_NS, "opds": OPDS_NS, "thr": THR_NS}
PARSER = etree.XMLParser(resolve_entities=False, no_network=True)
Element = Any  # an lxml element: lxml comes without type hints


def atom(name: str) -> str:
    """Return the qualified name of an Atom element."""
    return f"{{{ATOM_NS}}}{name}"


def atom_feeds(
    catalogue: Catalogue, page_size: int = DEFAULT_PAGE_SIZE
) -> dict[PurePosixPath, bytes]:
    """Return every Atom feed of the catalogue, by path: collections, navigation, then root."""
    files: dict[PurePosixPath, bytes] = {}
    for collection in (*catalogue.series, *catalogue.years):
        for page in pages(collection.feed(".xml"), collection.publications, page_size):
            files[page.path] = serialise(collection_feed(catalogue.site, collection, page))
    for name, title, collections in catalogue.navigation():
        path = navigation_feed(name, ".xml")
        files[path] = serialise(_navigation(catalogue.site, path, title, collections))
    for page in pages(CATALOG_XML, catalogue.publications, page_size):
        files[page.path] = serialise(_root(catalogue, page))
    return files


def feed_element(
    site: Site,
    path: PurePosixPath,
    title: str,
    kind: str,
    publications: tuple[Publication, ...],
    up: PurePosixPath | None = None,
    page: Page | None = None,
) -> Element:
    """Return a feed's head: id, title, updated, author, self, start and up links, paging links.

    Every page of a feed has the id of its first: they are parts of one feed.
    """
    root = etree.Element(atom("feed"), nsmap=NAMESPACES)
    _text(root, "id", site.feed_id(page.first if page else path))
    _text(root, "title", title)
    _text(root, "updated", w3c(updated(publications)))
    author = etree.SubElement(root, atom("author"))
    _text(author, "name", site.author)
    if site.author_url:
        _text(author, "uri", site.author_url)
    # self is absolute, the feed's address for good; every other link is relative.
    link(root, "self", site.url(path), kind)
    link(root, "start", href(CATALOG_XML, path), ATOM_ACQUISITION, site.title)
    if up is not None:
        up_kind = ATOM_ACQUISITION if up == CATALOG_XML else ATOM_NAVIGATION
        link(root, "up", href(up, path), up_kind)
    # RFC 5005 paging: the first, previous, next and last pages, as there are any.
    for rel, target in page.neighbours() if page else ():
        link(root, rel, href(target, path), kind)
    return root


def collection_feed(site: Site, collection: Collection, page: Page) -> Element:
    """Return a page of the acquisition feed of one series or one year."""
    path = page.path
    up = navigation_feed(collection.navigation, ".xml")
    root = feed_element(
        site, path, collection.name, ATOM_ACQUISITION, collection.publications, up, page
    )
    for publication in page.publications:
        root.append(entry(site, publication, path))
    return root


def entry(site: Site, publication: Publication, document: PurePosixPath) -> Element:
    """Return the OPDS catalogue entry of a publication, its links relative to the document."""
    item = etree.Element(atom("entry"), nsmap=NAMESPACES)
    _text(item, "title", publication.title)
    _text(item, "id", publication.identifier)
    _text(item, "updated", w3c(publication.updated))
    for name in publication.authors or (publication.organisation,):
        if name:
            _text(etree.SubElement(item, atom("author")), "name", name)
    etree.SubElement(item, f"{{{DC_NS}}}language").text = publication.language
    etree.SubElement(item, f"{{{DC_NS}}}issued").text = publication.issued.isoformat()
    if publication.organisation:
        etree.SubElement(item, f"{{{DC_NS}}}publisher").text = publication.organisation
    if publication.series:
        scheme = site.url(navigation_feed(SERIES_NAV, ".xml"))
        _category(item, publication.series, scheme)
    for keyword in publication.keywords:
        _category(item, keyword)
    for genre in genres(publication.labelled.kinds):
        # The kinds of text the brief holds, as IPTC genres: scheme and term make the address.
        _category(item, genre.code, IPTC_GENRES, genre.name)
    summary = site.words.with_corrections(publication.summary or publication.subtitle, publication)
    if summary:
        _text(item, "summary", summary).set("type", "text")
    for image, rel in ((publication.cover, IMAGE), (publication.thumbnail, THUMBNAIL)):
        link(item, rel, href(image.path, document), image.media_type)
    for download in publication.downloads:
        link(item, OPEN_ACCESS, href(download.path, document), download.media_type)
        item[-1].set("length", str(download.size))
    page = f"{href(INDEX_HTML, document)}#{publication.anchor}"
    link(item, "alternate", page, HTML, publication.title)
    return item


def link(parent: Element, rel: str, target: str, kind: str, title: str | None = None) -> Element:
    """Add an Atom link."""
    element = etree.SubElement(parent, atom("link"), {"rel": rel, "href": target, "type": kind})
    if title:
        element.set("title", title)
    return element


def serialise(root: Element) -> bytes:
    """Return an XML document as indented UTF-8."""
    etree.indent(root)
    return bytes(etree.tostring(root, encoding="UTF-8", xml_declaration=True)) + b"\n"


def _root(catalogue: Catalogue, page: Page) -> Element:
    """Return a page of catalog.xml: its publications, the navigation feeds and the facets."""
    site = catalogue.site
    path = page.path
    everything = catalogue.publications
    root = feed_element(site, path, site.title, ATOM_ACQUISITION, everything, page=page)
    for name, title, _ in catalogue.navigation():
        target = href(navigation_feed(name, ".xml"), path)
        link(root, "subsection", target, ATOM_NAVIGATION, title)
    # The OPDS 2.0 twin of this very page.
    link(root, "alternate", href(page.twin(CATALOG_JSON), path), OPDS_JSON)
    link(root, "alternate", href(INDEX_HTML, path), HTML)
    groups = ((site.words.series_group, catalogue.series), (site.words.year_group, catalogue.years))
    for group, collections in groups:
        for collection in collections:
            facet = link(root, FACET, href(collection.feed(".xml"), path), ATOM_ACQUISITION)
            facet.set("title", collection.name)
            facet.set(f"{{{OPDS_NS}}}facetGroup", group)
            facet.set(f"{{{THR_NS}}}count", str(len(collection.publications)))
    for publication in page.publications:
        root.append(entry(site, publication, path))
    return root


def whole_feed(path: PurePosixPath, read: Callable[[PurePosixPath], bytes | None]) -> bytes | None:
    """Return a paged feed of the folder as one document: its first page and every later entry.

    For the preview server's search, which looks through every entry of the root feed. The
    entries of a later page have their links made relative to the first page again, and the
    paging links go. ``next`` is followed to pages inside the folder only, each once; a page
    that cannot be read or parsed ends the feed there. A feed of one page is returned as it is.
    """
    data = read(path)
    if data is None:
        return None
    root = etree.fromstring(data, PARSER)
    page, current, seen = path, root, {path}
    while (target := _next_page(current, page)) is not None and target not in seen:
        seen.add(target)
        later = read(target)
        try:
            current = etree.fromstring(later, PARSER) if later is not None else None
        except etree.XMLSyntaxError:
            current = None
        if current is None:
            break
        for item in current.iterchildren(atom("entry")):
            for element in item.iterchildren(atom("link")):
                element.set("href", _rebased(element.get("href", ""), target, path))
            root.append(item)
        page = target
    if len(seen) == 1:
        return data
    for element in root.findall(atom("link")):
        if element.get("rel") in RELATIONS:
            root.remove(element)
    return serialise(root)


def _next_page(feed: Element, page: PurePosixPath) -> PurePosixPath | None:
    """Return the path in the folder of the page after this one, if it names one inside it."""
    links = feed.iterchildren(atom("link"))
    found = next((e.get("href", "") for e in links if e.get("rel") == "next"), "")
    target = _in_folder(found, page)
    return None if target is None or target.parts[:1] in ((), ("..",)) else target


def _rebased(target: str, page: PurePosixPath, first: PurePosixPath) -> str:
    """Return a relative link written in one page as written in another page of the folder."""
    found = _in_folder(target, page)
    if found is None:
        return target
    fragment = urlsplit(target).fragment
    return href(found, first) + (f"#{fragment}" if fragment else "")


def _in_folder(target: str, document: PurePosixPath) -> PurePosixPath | None:
    """Return the path a relative link in a document of the folder names; None if absolute."""
    parts = urlsplit(target)
    if not parts.path or parts.scheme or parts.netloc or parts.path.startswith("/"):
        return None
    return PurePosixPath(
        posixpath.normpath(posixpath.join(document.parent.as_posix(), unquote(parts.path)))
    )


def _navigation(
    site: Site, path: PurePosixPath, title: str, collections: tuple[Collection, ...]
) -> Element:
    """Return a navigation feed: an entry per collection, leading to its acquisition feed."""
    everything = tuple(p for c in collections for p in c.publications)
    root = feed_element(site, path, title, ATOM_NAVIGATION, everything, CATALOG_XML)
    for collection in collections:
        item = etree.SubElement(root, atom("entry"))
        _text(item, "title", collection.name)
        _text(item, "id", site.feed_id(collection.feed(".xml")))
        _text(item, "updated", w3c(updated(collection.publications)))
        _text(item, "content", site.words.count(collection.briefs)).set("type", "text")
        target = href(collection.feed(".xml"), path)
        link(item, "subsection", target, ATOM_ACQUISITION, collection.name)
    return root


def _text(parent: Element, name: str, text: str) -> Element:
    """Add an Atom element holding text."""
    element = etree.SubElement(parent, atom(name))
    element.text = text
    return element


def _category(
    parent: Element, term: str, scheme: str | None = None, label: str | None = None
) -> None:
    """Add a category: a series or a genre (with its scheme), or a keyword."""
    element = etree.SubElement(parent, atom("category"), {"term": term, "label": label or term})
    if scheme:
        element.set("scheme", scheme)
