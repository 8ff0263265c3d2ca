"""The catalogue as OPDS 2.0 feeds (``application/opds+json``), twins of the Atom feeds.

Each Atom feed has a JSON feed of the same name and content: ``catalog.json`` with every
publication, the navigation and the facets; a navigation feed per kind of collection; an
acquisition feed per collection, in pages as the Atom feeds are (see :mod:`paging`). The
tests validate every one against the OPDS 2.0 schemas.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import Any

from briefkit.config import DEFAULT_PAGE_SIZE
from briefkit.delivery.catalogue.atom import OPEN_ACCESS
from briefkit.delivery.catalogue.entries import (
    ATOM_ACQUISITION,
    ATOM_NAVIGATION,
    CATALOG_JSON,
    HTML,
    INDEX_HTML,
    OPDS_JSON,
    Catalogue,
    Collection,
    FeedWords,
    FileRef,
    Publication,
    Site,
    href,
    navigation_feed,
    updated,
)
from briefkit.delivery.catalogue.paging import Page, pages
from briefkit.rendering.linked_data import IPTC_GENRES, genres
from briefkit.system.clock import w3c

Json = dict[str, Any]


def json_feeds(
    catalogue: Catalogue, page_size: int = DEFAULT_PAGE_SIZE
) -> dict[PurePosixPath, bytes]:
    """Return every OPDS 2.0 feed of the catalogue, by path: collections, navigation, root."""
    site = catalogue.site
    files: dict[PurePosixPath, bytes] = {}
    for collection in (*catalogue.series, *catalogue.years):
        up = navigation_feed(collection.navigation, ".json")
        for page in pages(collection.feed(".json"), collection.publications, page_size):
            files[page.path] = _dump(_collection(site, collection, page, up))
    for name, title, collections in catalogue.navigation():
        path = navigation_feed(name, ".json")
        everything = tuple(p for c in collections for p in c.publications)
        feed = _head(site, path, title, everything, ATOM_NAVIGATION, CATALOG_JSON)
        feed["navigation"] = [_collection_link(c, path) for c in collections]
        files[path] = _dump(feed)
    for page in pages(CATALOG_JSON, catalogue.publications, page_size):
        files[page.path] = _dump(_root(catalogue, page))
    return files


def _collection(site: Site, collection: Collection, page: Page, up: PurePosixPath) -> Json:
    """Return a page of the acquisition feed of one series or one year."""
    path = page.path
    feed = _head(site, path, collection.name, collection.publications, ATOM_ACQUISITION, up, page)
    feed["publications"] = [_publication(p, path, site.words) for p in page.publications]
    return feed


def _root(catalogue: Catalogue, page: Page) -> Json:
    """Return a page of catalog.json: navigation, facets and the page's publications."""
    site = catalogue.site
    path = page.path
    everything = catalogue.publications
    feed = _head(site, path, site.title, everything, ATOM_ACQUISITION, page=page)
    navigation = [
        _link(href(navigation_feed(name, ".json"), path), OPDS_JSON, "subsection", title)
        for name, title, _ in catalogue.navigation()
    ]
    if navigation:
        feed["navigation"] = navigation
    groups = ((site.words.series_group, catalogue.series), (site.words.year_group, catalogue.years))
    facets = [
        {
            "metadata": {"title": group},
            "links": [_collection_link(c, path) for c in collections],
        }
        for group, collections in groups
        if collections
    ]
    if facets:
        feed["facets"] = facets
    feed["publications"] = [_publication(p, path, site.words) for p in page.publications]
    return feed


def _head(
    site: Site,
    path: PurePosixPath,
    title: str,
    publications: tuple[Publication, ...],
    atom_kind: str,
    up: PurePosixPath | None = None,
    page: Page | None = None,
) -> Json:
    """Return a feed's metadata and links: self (absolute), start, up, its Atom twin, paging.

    Every page of a feed has the identifier of its first, and says which page it is.
    """
    links = [
        _link(site.url(path), OPDS_JSON, "self"),
        _link(href(CATALOG_JSON, path), OPDS_JSON, "start", site.title),
        _link(href(path.with_suffix(".xml"), path), atom_kind, "alternate"),
    ]
    if up is not None:
        links.append(_link(href(up, path), OPDS_JSON, "up"))
    metadata: Json = {
        "identifier": site.feed_id(page.first if page else path),
        "title": title,
        "modified": w3c(updated(publications)),
    }
    if page is not None:
        links += [_link(href(target, path), OPDS_JSON, rel) for rel, target in page.neighbours()]
        metadata["numberOfItems"] = page.total
        metadata["itemsPerPage"] = page.size
        metadata["currentPage"] = page.number
    return {"metadata": metadata, "links": links}


def _publication(publication: Publication, document: PurePosixPath, words: FeedWords) -> Json:
    """Return a publication: its metadata, acquisition links and images."""
    links = [
        {**_file_link(download, document), "rel": OPEN_ACCESS} for download in publication.downloads
    ]
    page = f"{href(INDEX_HTML, document)}#{publication.anchor}"
    links.append(_link(page, HTML, "alternate", publication.title))
    images = [_file_link(publication.cover, document), _file_link(publication.thumbnail, document)]
    return {"metadata": _metadata(publication, words), "links": links, "images": images}


def _metadata(publication: Publication, words: FeedWords) -> Json:
    """Return a publication's metadata in the Readium Web Publication Manifest's terms.

    Its description ends with its corrections, and it was modified on the latest one.
    """
    metadata: Json = {
        "@type": "http://schema.org/Book",
        "identifier": publication.identifier,
        "title": publication.title,
    }
    if publication.subtitle:
        metadata["subtitle"] = publication.subtitle
    authors = publication.authors or (
        (publication.organisation,) if publication.organisation else ()
    )
    if authors:
        metadata["author"] = [{"name": name} for name in authors]
    if publication.organisation:
        metadata["publisher"] = {"name": publication.organisation}
    metadata["language"] = publication.language
    metadata["published"] = publication.issued.isoformat()
    metadata["modified"] = w3c(publication.updated)
    description = words.with_corrections(publication.summary, publication)
    if description:
        metadata["description"] = description
    subjects = [{"name": keyword} for keyword in publication.keywords]
    # The kinds of text the brief holds, as IPTC genres: scheme and code make the address.
    subjects += [
        {"name": genre.name, "code": genre.code, "scheme": IPTC_GENRES}
        for genre in genres(publication.labelled.kinds)
    ]
    if subjects:
        metadata["subject"] = subjects
    if publication.series:
        series: Json = {"name": publication.series}
        if publication.number and publication.number.isdigit():
            series["position"] = int(publication.number)
        metadata["belongsTo"] = {"series": [series]}
    return metadata


def _collection_link(collection: Collection, document: PurePosixPath) -> Json:
    """Return the link to a collection's feed, with how many publications it lists."""
    link = _link(href(collection.feed(".json"), document), OPDS_JSON, "subsection", collection.name)
    link["properties"] = {"numberOfItems": len(collection.publications)}
    return link


def _file_link(file: FileRef, document: PurePosixPath) -> Json:
    """Return the link to a file of the folder, with its size and, for images, its pixels."""
    link: Json = {"href": href(file.path, document), "type": file.media_type}
    if file.width and file.height:
        link["width"], link["height"] = file.width, file.height
    link["size"] = file.size
    return link


def _link(target: str, kind: str, rel: str, title: str | None = None) -> Json:
    """Return a link object."""
    link: Json = {"rel": rel, "href": target, "type": kind}
    if title:
        link["title"] = title
    return link


def _dump(feed: Json) -> bytes:
    """Return a feed as indented UTF-8 JSON."""
    return (json.dumps(feed, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
