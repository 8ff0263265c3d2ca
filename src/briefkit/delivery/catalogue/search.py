"""Searching the catalogue, for the preview server: OpenSearch, and feeds of matching briefs.

A static folder cannot answer queries, so search belongs to ``briefkit serve``: it links an
OpenSearch description from every Atom feed it serves, and answers a query with an
acquisition feed of the entries of ``catalog.xml`` whose title, summary or categories (series
and keywords) contain every word asked for, in any case. The entries are the published ones,
copied as they are, so a result links to the very files the catalogue does.
"""

from __future__ import annotations

import copy
import unicodedata
import uuid

from lxml import etree  # type: ignore[import-untyped]  # ebooklib's own dependency

from briefkit.delivery.catalogue.atom import (
    NAMESPACES,
    OPENSEARCH_NS,
    PARSER,
    Element,
    atom,
    link,
    serialise,
)
from briefkit.delivery.catalogue.entries import (
    ATOM_ACQUISITION,
    CATALOG_XML,
    OPENSEARCH,
    FeedWords,
)
from briefkit.rendering.linked_data import IPTC_GENRES

SEARCH_PATH = "/search"
DESCRIPTION_PATH = "/opensearch.xml"
ATOM_TYPE = "application/atom+xml"
_SHORT_NAME = 16  # OpenSearch allows at most 16 characters


def description(catalogue: bytes, base: str, words: FeedWords | None = None) -> bytes:
    """Return the OpenSearch description of the catalogue served at base (ending in "/")."""
    title = _title(etree.fromstring(catalogue, PARSER))
    root = etree.Element(_os("OpenSearchDescription"), nsmap={None: OPENSEARCH_NS})
    etree.SubElement(root, _os("ShortName")).text = title[:_SHORT_NAME].strip()
    summary = (words or FeedWords()).search.format(title=title)
    etree.SubElement(root, _os("Description")).text = summary
    etree.SubElement(root, _os("InputEncoding")).text = "UTF-8"
    etree.SubElement(root, _os("OutputEncoding")).text = "UTF-8"
    template = f"{base}{SEARCH_PATH.lstrip('/')}?q={{searchTerms}}"
    # Some apps look for the OPDS profile, others for any Atom feed.
    for kind in (ATOM_ACQUISITION, ATOM_TYPE):
        etree.SubElement(root, _os("Url"), {"type": kind, "template": template})
    return serialise(root)


def results(catalogue: bytes, terms: str, words: FeedWords | None = None) -> bytes:
    """Return an acquisition feed of the catalogue's entries that match every search term."""
    terms = _searchable(terms)
    source = etree.fromstring(catalogue, PARSER)
    wanted = _folded(terms).split()
    found = [e for e in source.findall(atom("entry")) if wanted and _matches(e, wanted)]
    catalogue_id = source.findtext(atom("id"), "")
    root = etree.Element(atom("feed"), nsmap={**NAMESPACES, "opensearch": OPENSEARCH_NS})
    feed_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{catalogue_id}?q={terms}")
    etree.SubElement(root, atom("id")).text = feed_id.urn
    title = (words or FeedWords()).results.format(title=_title(source), terms=terms.strip())
    etree.SubElement(root, atom("title")).text = title
    for name in ("updated", "author"):
        element = source.find(atom(name))
        if element is not None:
            root.append(copy.deepcopy(element))
    link(root, "start", CATALOG_XML.as_posix(), ATOM_ACQUISITION)
    link(root, "up", CATALOG_XML.as_posix(), ATOM_ACQUISITION)
    link(root, "search", DESCRIPTION_PATH, OPENSEARCH)
    etree.SubElement(root, f"{{{OPENSEARCH_NS}}}totalResults").text = str(len(found))
    query = etree.SubElement(root, f"{{{OPENSEARCH_NS}}}Query", {"role": "request"})
    query.set("searchTerms", terms)
    root.extend(found)
    return serialise(root)


def with_search_link(feed: bytes) -> tuple[bytes, str]:
    """Return a served Atom feed with a link to the OpenSearch description, and its type.

    The type is the one the feed's self link declares (acquisition or navigation); a file
    that is not an Atom feed is returned as it is, typed application/xml.
    """
    try:
        root = etree.fromstring(feed, PARSER)
    except etree.XMLSyntaxError:
        return feed, "application/xml"
    if root.tag != atom("feed"):
        return feed, "application/xml"
    links = root.findall(atom("link"))
    kind = next((e.get("type", "") for e in links if e.get("rel") == "self"), "") or ATOM_TYPE
    search = etree.Element(atom("link"), {"rel": "search", "href": DESCRIPTION_PATH})
    search.set("type", OPENSEARCH)
    root.insert(root.index(links[-1]) + 1 if links else 0, search)
    return serialise(root), kind


def _searchable(terms: str) -> str:
    """Return a query without control characters and noncharacters.

    XML cannot hold most of them (lxml refuses ESC or U+FFFE in the feed's title and query),
    and no title or summary is searched for them.
    """
    return "".join(char for char in terms if char in "\t\n" or not _unsearchable(char))


def _unsearchable(char: str) -> bool:
    """Tell whether a character is a control, a surrogate or a noncharacter."""
    code = ord(char)
    noncharacter = 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE
    return noncharacter or unicodedata.category(char) in ("Cc", "Cs")


def _matches(entry: Element, wanted: list[str]) -> bool:
    """Tell whether an entry's title, summary or categories hold every wanted word."""
    texts = [entry.findtext(atom("title"), ""), entry.findtext(atom("summary"), "")]
    for category in entry.findall(atom("category")):
        # A genre says what kind of text a brief holds, not what it is about: "current"
        # would otherwise find every brief that reports a fact.
        if category.get("scheme") != IPTC_GENRES:
            texts += [category.get("term", ""), category.get("label", "")]
    haystack = _folded(" ".join(texts))
    return all(word in haystack for word in wanted)


def _folded(text: str) -> str:
    """Return text normalised for matching regardless of case and compatibility forms."""
    return unicodedata.normalize("NFKC", text).casefold()


def _title(feed: Element) -> str:
    """Return a feed's title."""
    return str(feed.findtext(atom("title"), "")).strip()


def _os(name: str) -> str:
    """Return the qualified name of an OpenSearch element."""
    return f"{{{OPENSEARCH_NS}}}{name}"
