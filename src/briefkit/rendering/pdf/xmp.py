"""The PDF's sections as XMP metadata: each one's kind, genre, title and attribution, in order.

Besides the labels a reader sees and the tags a screen reader reads, the XMP says what kind
of text each section is, for archives and catalogues that read metadata alone:

- ``dc:type``, Dublin Core's "nature or genre of the resource", holds the IPTC genre address
  of each kind of section the edition holds (``rendering/linked_data.py``): Dublin Core is a
  schema PDF/A predefines, so any XMP reader knows it;
- ``briefkit:sections`` (namespace ``https://briefkit.org/ns/1.0/``) is an ordered array
  (``rdf:Seq``) of one structure per section, in reading order, whose fields are in
  ``https://briefkit.org/ns/1.0/section/`` (prefix ``briefkitSection``): ``kind`` (``fact``
  or ``commentary``, as the source writes it), ``genre`` (the IPTC genre address), ``title``
  and, for commentary, ``by`` (its attribution).

PDF/A lets a file use a namespace it does not predefine only when the XMP describes it, so a
PDF/A brief also carries the extension schema of ``briefkit:sections`` and of its structure
(ISO 19005-1, 6.7.8), in the same ``pdfaExtension:schemas`` bag as the one for PDF/UA.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from briefkit.rendering.linked_data import SectionPart, genres

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DC = "http://purl.org/dc/elements/1.1/"
BRIEFKIT = "https://briefkit.org/ns/1.0/"
SECTION = "https://briefkit.org/ns/1.0/section/"
PDFAID = "http://www.aiim.org/pdfa/ns/id/"
EXTENSION = "http://www.aiim.org/pdfa/ns/extension/"
SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
PROPERTY = "http://www.aiim.org/pdfa/ns/property#"
TYPE = "http://www.aiim.org/pdfa/ns/type#"
FIELD = "http://www.aiim.org/pdfa/ns/field#"
PDFA_PREFIXES = {
    "pdfaExtension": EXTENSION,
    "pdfaSchema": SCHEMA,
    "pdfaProperty": PROPERTY,
    "pdfaType": TYPE,
    "pdfaField": FIELD,
}
# The structure's fields: name, XMP value type, and what it holds.
FIELDS = (
    ("kind", "Text", "The section's kind as the source labels it: fact or commentary"),
    ("genre", "URI", "The section's IPTC genre (http://cv.iptc.org/newscodes/genre/)"),
    ("title", "Text", "The section's title"),
    ("by", "Text", "Whose view a commentary section is"),
)
Element = Any  # an lxml element: lxml comes without type hints
# A property an extension schema describes: name, value type, category and description.
Property = tuple[str, str, str, str]


def parse_xmp(xmp: bytes) -> Element:
    """Return XMP metadata as an element tree to edit, entities left unresolved."""
    from lxml import etree  # type: ignore[import-untyped]  # ebooklib's own dependency

    return etree.fromstring(xmp, etree.XMLParser(remove_blank_text=False, resolve_entities=False))


def serialised(root: Element) -> bytes:
    """Return edited XMP metadata as bytes, each namespace declared where it is used."""
    from lxml import etree

    etree.cleanup_namespaces(root)
    return bytes(etree.tostring(root.getroottree(), encoding="utf-8"))


def describe_sections(root: Element, parts: Sequence[SectionPart]) -> None:
    """List the sections in XMP metadata and name their genres."""
    from lxml import etree

    rdf = root.find(f"{{{RDF}}}RDF")
    if not parts or rdf is None:
        return
    prefixes = {"dc": DC, "briefkit": BRIEFKIT, "briefkitSection": SECTION}
    description = etree.SubElement(
        rdf, f"{{{RDF}}}Description", {f"{{{RDF}}}about": ""}, nsmap=prefixes
    )
    _genres(description, parts)
    _sections(description, parts)
    if any(d.get(f"{{{PDFAID}}}part") for d in rdf.findall(f"{{{RDF}}}Description")):
        _describe_sections_schema(extension_schemas(rdf))


def _genres(description: Element, parts: Sequence[SectionPart]) -> None:
    """Add dc:type: the IPTC genre of each kind of section the PDF holds."""
    bag = _add(_add(description, f"{{{DC}}}type"), f"{{{RDF}}}Bag")
    for genre in genres(part.kind for part in parts):
        _add(bag, f"{{{RDF}}}li", genre.uri)


def _sections(description: Element, parts: Sequence[SectionPart]) -> None:
    """Add briefkit:sections: one structure per section, in reading order."""
    sequence = _add(_add(description, f"{{{BRIEFKIT}}}sections"), f"{{{RDF}}}Seq")
    for part in parts:
        item = _add(sequence, f"{{{RDF}}}li", **{f"{{{RDF}}}parseType": "Resource"})
        _add(item, f"{{{SECTION}}}kind", part.kind)
        _add(item, f"{{{SECTION}}}genre", part.genre.uri)
        _add(item, f"{{{SECTION}}}title", part.title)
        if part.by:
            _add(item, f"{{{SECTION}}}by", part.by)


def extension_schemas(rdf: Element) -> Element:
    """Return the bag of PDF/A extension schemas, adding it if the XMP has none yet.

    A property may appear once: every schema the file describes is in the one bag.
    """
    from lxml import etree

    found = rdf.find(f"{{{RDF}}}Description/{{{EXTENSION}}}schemas/{{{RDF}}}Bag")
    if found is not None:
        return found
    # PDF/A validators read the usual prefixes: the description declares them.
    description = etree.SubElement(
        rdf, f"{{{RDF}}}Description", {f"{{{RDF}}}about": ""}, nsmap=PDFA_PREFIXES
    )
    return _add(_add(description, f"{{{EXTENSION}}}schemas"), f"{{{RDF}}}Bag")


def describe_schema(
    bag: Element, title: str, namespace: str, prefix: str, properties: Sequence[Property]
) -> Element:
    """Add a PDF/A extension schema, its properties described, to the bag; return it."""
    from lxml import etree

    resource = {f"{{{RDF}}}parseType": "Resource"}
    schema = etree.SubElement(bag, f"{{{RDF}}}li", resource, nsmap=PDFA_PREFIXES)
    _add(schema, f"{{{SCHEMA}}}schema", title)
    _add(schema, f"{{{SCHEMA}}}namespaceURI", namespace)
    _add(schema, f"{{{SCHEMA}}}prefix", prefix)
    sequence = _add(_add(schema, f"{{{SCHEMA}}}property"), f"{{{RDF}}}Seq")
    for name, value_type, category, description in properties:
        item = _add(sequence, f"{{{RDF}}}li", **resource)
        _add(item, f"{{{PROPERTY}}}name", name)
        _add(item, f"{{{PROPERTY}}}valueType", value_type)
        _add(item, f"{{{PROPERTY}}}category", category)
        _add(item, f"{{{PROPERTY}}}description", description)
    return schema


def _describe_sections_schema(bag: Element) -> None:
    """Add the extension schema of briefkit:sections and its Section structure to the bag."""
    # Derived from the document's content, so "internal", as PDF/A calls such properties.
    listed = ("sections", "Seq Section", "internal", "The brief's sections in reading order")
    title = "briefkit sections: each section's kind, in order"
    schema = describe_schema(bag, title, BRIEFKIT, "briefkit", [listed])
    resource = {f"{{{RDF}}}parseType": "Resource"}
    types = _add(_add(schema, f"{{{SCHEMA}}}valueType"), f"{{{RDF}}}Seq")
    section = _add(types, f"{{{RDF}}}li", **resource)
    _add(section, f"{{{TYPE}}}type", "Section")
    _add(section, f"{{{TYPE}}}namespaceURI", SECTION)
    _add(section, f"{{{TYPE}}}prefix", "briefkitSection")
    _add(section, f"{{{TYPE}}}description", "A section of a brief, labelled with its kind")
    fields = _add(_add(section, f"{{{TYPE}}}field"), f"{{{RDF}}}Seq")
    for name, value_type, text in FIELDS:
        field = _add(fields, f"{{{RDF}}}li", **resource)
        _add(field, f"{{{FIELD}}}name", name)
        _add(field, f"{{{FIELD}}}valueType", value_type)
        _add(field, f"{{{FIELD}}}description", text)


def _add(parent: Element, name: str, text: str | None = None, **attrs: str) -> Element:
    """Add an element holding text, if given, to a parent."""
    from lxml import etree

    element = etree.SubElement(parent, name, attrs)
    element.text = text
    return element
