"""Finish the .docx pandoc wrote: its properties from the brief, its bytes reproducible.

pandoc's sandbox has no clock, so it dates the document 1970; its zip entries copied from
the reference document keep that file's times. Here every entry gets the edition's time
(the brief's latest correction, SOURCE_DATE_EPOCH or the build's clock) and the core
properties (title, authors, subject, keywords, language, dates) are written from the brief.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree  # type: ignore[import-untyped]

from briefkit.system.archive import stamped_zip
from briefkit.system.clock import utc, w3c

CORE = "docProps/core.xml"
BODY = "word/document.xml"
# pandoc names a picture by its address: for an image inside the document, all its bytes again.
_PICTURE_ADDRESS = re.compile(rb'(<pic:cNvPr) descr="data:[^"]*"')
_NS = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}


@dataclass(frozen=True)
class Properties:
    """The core properties Word shows under File > Info."""

    title: str
    creator: str
    subject: str
    keywords: str
    language: str
    created: dt.datetime
    modified: dt.datetime


def finish(data: bytes, properties: Properties, media: Callable[[str, bytes], bytes]) -> bytes:
    """Return the package with its core properties written and every entry stamped alike.

    media(name, body) returns an entry with any image's own bytes in place of its stand-in.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entries = [(info.filename, source.read(info)) for info in source.infolist()]
    written = [(name, media(name, _finished(name, body, properties))) for name, body in entries]
    return stamped_zip(written, properties.modified)


def _finished(name: str, body: bytes, properties: Properties) -> bytes:
    """Return one entry as the finished package holds it."""
    if name == CORE:
        return core_xml(properties)
    if name == BODY:
        # The picture's description is the alt text, on the drawing (wp:docPr) already.
        return _PICTURE_ADDRESS.sub(rb"\1", body)
    return body


def core_xml(properties: Properties) -> bytes:
    """Return docProps/core.xml holding the brief's properties."""
    root = etree.Element(_name("cp", "coreProperties"), nsmap=_NS)
    for prefix, tag, value in (
        ("dc", "title", properties.title),
        ("dc", "creator", properties.creator),
        ("dc", "subject", properties.subject),
        ("cp", "keywords", properties.keywords),
        ("dc", "language", properties.language),
        ("cp", "lastModifiedBy", properties.creator),
    ):
        etree.SubElement(root, _name(prefix, tag)).text = value
    for tag, moment in (("created", properties.created), ("modified", properties.modified)):
        element = etree.SubElement(root, _name("dcterms", tag))
        element.set(_name("xsi", "type"), "dcterms:W3CDTF")
        element.text = w3c(utc(moment))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _name(prefix: str, tag: str) -> str:
    """Return an element's name in its namespace."""
    return f"{{{_NS[prefix]}}}{tag}"
