"""The catalogue as OPDS 2.0 feeds (``application/opds+json``), twins of the Atom feeds.

Each Atom feed has a JSON feed of the same name and content: ``catalog.json`` with every
publication, the navigation and the facets; a navigation feed per kind of collection; an
acquisition feed per collection. The tests validate every one against the OPDS 2.0 schemas.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import Any

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
from briefkit.rendering.linked_data import IPTC_GENRES, genres
from briefkit.system.clock import w3c

Json = dict[str, Any]


def json_feeds(catalogue: Catalogue) -> dict[PurePosixPath, bytes]:
    """Return every OPDS 2.0 feed of the catalogue, by path: collections, navigation, root."""
    site = catalogue.site
    files: dict[PurePosixPath, bytes] = {}
    for collection in (*catalogue.series, *catalogue.years):
        path = collection.feed(".json")
        up = navigation_feed(collection.navigation, ".json")
        feed = _head(site, path, collection.name, collection.publications, ATOM_ACQUISITION, up)
        feed["publications"] = [_publication(p, path, site.words) for p in collection.publications]
        files[path] = _dump(feed)
    for name, title, collections in catalogue.navigation():
        path = navigation_feed(name, ".json")
        everything = tuple(p for c in collections for p in c.publications)
        feed = _head(site, path, title, everything, ATOM_NAVIGATION, CATALOG_JSON)
        feed["navigation"] = [_collection_link(c, path) for c in collections]
        files[path] = _dump(feed)
    files[CATALOG_JSON] = _dump(_root(catalogue))
    return files


def _root(catalogue: Catalogue) -> Json:
    """Return catalog.json: navigation, facets and every publication."""
    site = catalogue.site
    feed = _head(site, CATALOG_JSON, site.title, catalogue.publications, ATOM_ACQUISITION)
    feed["metadata"]["numberOfItems"] = len(catalogue.publications)
    navigation = [
        _link(href(navigation_feed(name, ".json"), CATALOG_JSON), OPDS_JSON, "subsection", title)
        for name, title, _ in catalogue.navigation()
    ]
    if navigation:
        feed["navigation"] = navigation
    groups = ((site.words.series_group, catalogue.series), (site.words.year_group, catalogue.years))
    facets = [
        {
            "metadata": {"title": group},
            "links": [_collection_link(c, CATALOG_JSON) for c in collections],
        }
        for group, collections in groups
        if collections
    ]
    if facets:
        feed["facets"] = facets
    feed["publications"] = [
        _publication(p, CATALOG_JSON, site.words) for p in catalogue.publications
    ]
    return feed


def _head(
    site: Site,
    path: PurePosixPath,
    title: str,
    publications: tuple[Publication, ...],
    atom_kind: str,
    up: PurePosixPath | None = None,
) -> Json:
    """Return a feed's metadata and links: self (absolute), start, up and its Atom twin."""
    links = [
        _link(site.url(path), OPDS_JSON, "self"),
        _link(href(CATALOG_JSON, path), OPDS_JSON, "start", site.title),
        _link(href(path.with_suffix(".xml"), path), atom_kind, "alternate"),
    ]
    if up is not None:
        links.append(_link(href(up, path), OPDS_JSON, "up"))
    metadata = {
        "identifier": site.feed_id(path),
        "title": title,
        "modified": w3c(updated(publications)),
    }
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
