"""Read a Word draft (.docx) as the main text in simple HTML, with what the file says of itself.

mammoth turns the document into HTML by a style map, so Word's Title and Subtitle become the
brief's title and subtitle and its headings become sections, whatever they look like. The
file is read once, never through a link, and its zip directory is checked before anything is
unpacked: no part may unpack to more than the directory says (zipfile stops there and fails
the part's CRC check), mammoth reads each XML part as a stream and each image through
:class:`_Images` in bounded reads, so what the directory promises bounds time and memory.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import mammoth  # type: ignore[import-untyped]
from lxml import etree  # type: ignore[import-untyped]
from lxml import html as lxml_html

from briefkit.commands.importing.bylines import take_each, take_text, written_date
from briefkit.commands.importing.extracted import Extracted, Picture
from briefkit.errors import BriefkitError
from briefkit.files import read_regular
from briefkit.sources.images import MAX_IMAGE_BYTES, image_problem

# A draft carries its photographs: a few compressed images of a few MB each, beside text that
# rarely reaches a megabyte of XML. The brief's own source limit (1 MiB) is for text alone.
MAX_WORD_BYTES = 64 * 1024 * 1024
# Everything the file unpacks to, told by its directory before anything is unpacked.
MAX_WORD_UNPACKED = 128 * 1024 * 1024
# Images are unpacked each time the text shows them: an image shown thousands of times
# would be unpacked thousands of times.
MAX_WORD_IMAGES_UNPACKED = MAX_WORD_UNPACKED
# A document has a dozen parts and one more per image.
MAX_WORD_ENTRIES = 1000
# All its XML together: a 100-page draft's is a megabyte or two. mammoth holds it as a DOM,
# many times that size: 8 MiB of it took 14 s and 330 MB here, and makes a text that is
# already past a brief's own limit.
MAX_WORD_XML = 8 * 1024 * 1024

# An OLE compound file: a password-protected .docx (encrypted inside one), or a Word 97 .doc.
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CHUNK = 64 * 1024
_PEEK = 64
# What zipfile raises for a damaged package: zlib's own error comes through unwrapped.
_DAMAGED = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_STYLE_MAP = "\n".join(
    [
        "p[style-name='Title'] => h1.briefkit-title:fresh",
        "p[style-name='Subtitle'] => p.briefkit-subtitle:fresh",
        # pandoc's reference document, and drafts made from it, name the byline so.
        "p[style-name='Author'] => p.briefkit-author:fresh",
        "p[style-name='Date'] => p.briefkit-date:fresh",
        "p[style-name='Heading 1'] => h2:fresh",
        "p[style-name='Heading 2'] => h2:fresh",
        *(f"p[style-name='Heading {level}'] => h3:fresh" for level in range(3, 10)),
        # The writer makes a caption right after a figure that figure's caption.
        "p[style-name='Caption'] => p.caption:fresh",
        # A table of contents repeats the headings; the brief makes its own.
        "p[style-name='TOC Heading'] => !",
        *(f"p[style-name='TOC {level}'] => !" for level in range(1, 10)),
    ]
)
# Warnings about styles only say some formatting had no mapping: the text is kept all the same.
_STYLE_WARNINGS = ("Unrecognised paragraph style", "Unrecognised run style")
_IMAGE_SUFFIXES = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif"}
_CORE = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
}
_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
# The note kinds mammoth writes, by the prefix of the names the brief gives them.
_NOTES = {"footnote-": "", "endnote-": "e"}


class WordError(BriefkitError):
    """A .docx that cannot be read: encrypted, corrupt, not Word, or too large."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")


@dataclass
class _Images:
    """The images mammoth meets, kept as pictures or listed as removed, in document order."""

    pictures: list[Picture] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    # Bytes unpacked so far, and each kept image's name by its digest.
    read: int = 0
    _names: dict[str, str] = field(default_factory=dict)

    def convert(self, image: Any) -> list[Any]:
        """Return the <img> mammoth writes for an image, or nothing for one not kept."""
        name = self.keep(image)
        if name is None:
            return []
        attributes = {"src": name}
        if image.alt_text:
            attributes["alt"] = image.alt_text
        return [mammoth.html.element("img", attributes)]

    def keep(self, image: Any) -> str | None:
        """Keep a PNG, JPEG or GIF within the image limits; return its name, or None."""
        described = f"an image ({image.content_type})"
        if image.alt_text:
            described = f"an image ({image.content_type}, alt text {image.alt_text!r})"
        suffix = _IMAGE_SUFFIXES.get(image.content_type)
        if suffix is None:
            self.removed.append(f"{described}: only PNG, JPEG and GIF images are kept")
            return None
        if self.read > MAX_WORD_IMAGES_UNPACKED:
            self.removed.append(f"{described}: the images shown unpack to more than the limit")
            return None
        with image.open() as stream:
            data = stream.read(MAX_IMAGE_BYTES + 1)
        self.read += len(data)
        digest = hashlib.sha256(data).hexdigest()
        if digest not in self._names:
            problem = _image_problem(data, suffix)
            if problem:
                self.removed.append(f"{described} {problem}")
                return None
            self._names[digest] = f"image-{len(self.pictures) + 1}{suffix}"
            self.pictures.append(Picture(self._names[digest], data, image.content_type))
        return self._names[digest]


def _image_problem(data: bytes, suffix: str) -> str | None:
    """Return why an image cannot be kept, or None if it fits the limits of a brief's images."""
    if len(data) > MAX_IMAGE_BYTES:
        return f"is larger than the limit of {MAX_IMAGE_BYTES:,} bytes"
    return image_problem(data, suffix)


@dataclass(frozen=True)
class _Core:
    """What a Word file's core properties say of it."""

    title: str | None = None
    authors: tuple[str, ...] = ()
    date: dt.date | None = None
    language: str | None = None


def read_word(path: Path) -> Extracted:
    """Return the main text, notes, pictures and properties of a Word (.docx) file."""
    data = read_regular(path, MAX_WORD_BYTES)
    if data.startswith(_OLE):
        raise WordError(
            path,
            "is encrypted (password-protected) or an old Word 97-2003 document: remove the "
            "password, or save it as .docx, and import it again",
        )
    images = _Images()
    with _open_package(path, data) as archive:
        _check_entries(path, archive)
        core = _core(path, archive)
    body, messages = _convert(path, data, images.convert)
    root = lxml_html.fragment_fromstring(body, create_parent="div")
    title = take_text(root, "//h1[@class='briefkit-title']")
    subtitle = take_text(root, "//p[@class='briefkit-subtitle']")
    # The byline the reader sees names the authors better than the file's creator, which is
    # often whoever saved it last.
    authors = take_each(root, "//p[@class='briefkit-author']")
    dated = written_date(take_text(root, "//p[@class='briefkit-date']"))
    notes = _take_notes(root)
    removed = _unwrap_anchors(root)
    return Extracted(
        html=_inner_html(root),
        source=str(path),
        title=title or core.title,
        subtitle=subtitle,
        date=dated or core.date,
        authors=authors or core.authors,
        language=core.language,
        notes=notes,
        pictures=tuple(images.pictures),
        # A thing missing many times is said once.
        removed=tuple(dict.fromkeys((*images.removed, *messages, *removed))),
    )


def _open_package(path: Path, data: bytes) -> zipfile.ZipFile:
    """Open the package by its directory; nothing is unpacked yet."""
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except _DAMAGED as exc:
        raise _damaged(path, exc) from exc


def _damaged(path: Path, exc: Exception) -> WordError:
    """Return the error for a package zipfile cannot read."""
    return WordError(path, f"is not a Word document: damaged, or not a zip file ({exc})")


def _check_entries(path: Path, archive: zipfile.ZipFile) -> None:
    """Refuse a package whose directory promises too much, or what Word never writes."""
    entries = archive.infolist()
    if len(entries) > MAX_WORD_ENTRIES:
        raise WordError(path, f"holds {len(entries):,} files; the limit is {MAX_WORD_ENTRIES:,}")
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > MAX_WORD_UNPACKED:
        raise WordError(path, f"unpacks to {unpacked:,} bytes; the limit is {MAX_WORD_UNPACKED:,}")
    for entry in entries:
        if entry.flag_bits & 0x1:
            raise WordError(path, f"is encrypted (its part {entry.filename} needs a password)")
        if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # bzip2 and LZMA unpack each chunk read without bound; Word uses neither.
            raise WordError(path, f"packs {entry.filename} in a way Word never does")
    try:
        xml = sum(entry.file_size for entry in entries if _is_xml(archive, entry))
    except _DAMAGED as exc:
        raise _damaged(path, exc) from exc
    if xml > MAX_WORD_XML:
        raise WordError(path, f"holds {xml:,} bytes of XML; the limit is {MAX_WORD_XML:,}")


def _is_xml(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bool:
    """Tell whether a part is XML by its first bytes, whatever its name says.

    mammoth finds the document, its notes and styles through relationships that may name
    any part: one called image.png may hold the document, so names cannot be trusted.
    """
    with archive.open(entry) as stream:
        start = stream.read(_PEEK)
    for mark in _BOMS:
        start = start.removeprefix(mark)
    return start.lstrip(b" \t\r\n\0").startswith(b"<")


def _read_part(archive: zipfile.ZipFile, name: str) -> bytes | None:
    """Return one part in bounded chunks, or None if the package has no such part."""
    try:
        entry = archive.getinfo(name)
    except KeyError:
        return None
    chunks = []
    with archive.open(entry) as stream:
        while chunk := stream.read(_CHUNK):
            chunks.append(chunk)
    return b"".join(chunks)


def _convert(
    path: Path, data: bytes, convert_image: Callable[[Any], list[Any]]
) -> tuple[str, tuple[str, ...]]:
    """Return mammoth's HTML of a package and the warnings that mean something was lost."""
    try:
        result = mammoth.convert_to_html(
            io.BytesIO(data),
            style_map=_STYLE_MAP,
            convert_image=convert_image,
            # The file's own style map and linked files are the author's, not the analyst's.
            include_embedded_style_map=False,
            external_file_access=False,
        )
    except RecursionError as exc:
        # mammoth reads by recursion: a hundred tables inside one another exhaust the stack.
        raise WordError(path, "nests tables or other content too deep to read") from exc
    except Exception as exc:
        # mammoth reads untrusted XML with code of its own and raises whatever that meets
        # (IOError for a zip that is not Word, ExpatError, KeyError, ...): every one of them
        # means this file cannot be read as a Word document.
        raise WordError(path, f"cannot be read as a Word document ({exc})") from exc
    messages = tuple(
        f"Word: {message.message}"
        for message in result.messages
        if not message.message.startswith(_STYLE_WARNINGS)
    )
    return str(result.value), messages


def _take_notes(root: Any) -> dict[str, str]:
    """Turn mammoth's list of notes into notes by name and its calls into note links."""
    notes: dict[str, str] = {}
    for item in root.xpath(
        "//ol/li[starts-with(@id, 'footnote-') or starts-with(@id, 'endnote-')]"
    ):
        name = _note_name(item.get("id"))
        for back in item.xpath(
            ".//a[starts-with(@href, '#footnote-ref-') or starts-with(@href, '#endnote-ref-')]"
        ):
            back.drop_tree()
        notes[name] = _inner_html(item).strip()
        listing = item.getparent()
        item.drop_tree()
        if not len(listing):
            listing.drop_tree()
    for call in root.xpath(
        "//a[starts-with(@href, '#footnote-') or starts-with(@href, '#endnote-')]"
    ):
        _make_call(call, _note_name(call.get("href")[1:]))
    return notes


def _note_name(html_id: str) -> str:
    """Return the brief's name of the note mammoth gives an HTML id: 3 or e3."""
    for prefix, mark in _NOTES.items():
        if html_id.startswith(prefix):
            return mark + html_id[len(prefix) :]
    return html_id


def _make_call(call: Any, name: str) -> None:
    """Turn mammoth's <sup><a>[1]</a></sup> into the contract's <a class="note">."""
    note = lxml_html.Element("a", {"class": "note", "href": f"#{name}"})
    note.text = name
    wrapper = call.getparent()
    if wrapper.tag == "sup" and len(wrapper) == 1 and not (wrapper.text or "").strip():
        note.tail = wrapper.tail
        wrapper.getparent().replace(wrapper, note)
    else:
        note.tail = call.tail
        wrapper.replace(call, note)


def _unwrap_anchors(root: Any) -> tuple[str, ...]:
    """Keep the text of bookmarks and of links to places inside the document; say which."""
    removed = []
    for anchor in root.xpath("//a[not(@href) or starts-with(@href, '#')][not(@class='note')]"):
        href = anchor.get("href")
        if href:
            text = " ".join(anchor.text_content().split())
            removed.append(f"a link to {href} inside the document, kept as text: {text!r}")
        anchor.drop_tag()
    return tuple(removed)


def _inner_html(element: Any) -> str:
    """Return the HTML inside an element, without the element itself."""
    return escape(element.text or "", quote=False) + "".join(
        etree.tostring(child, encoding="unicode", method="html") for child in element
    )


def _core(path: Path, archive: zipfile.ZipFile) -> _Core:
    """Return what docProps/core.xml says: title, authors, date, language."""
    try:
        data = _read_part(archive, "docProps/core.xml")
        root = etree.fromstring(data, _XML) if data else None
    except _DAMAGED as exc:
        raise _damaged(path, exc) from exc
    except etree.XMLSyntaxError as exc:
        raise WordError(path, f"has unreadable document properties ({exc})") from exc
    if root is None:
        return _Core()
    title = _core_text(root, "dc:title")
    creator = _core_text(root, "dc:creator") or ""
    return _Core(
        title=title,
        # Word separates several authors with semicolons.
        authors=tuple(name.strip() for name in creator.split(";") if name.strip()),
        date=_core_date(_core_text(root, "dcterms:modified"))
        or _core_date(_core_text(root, "dcterms:created")),
        language=_core_text(root, "dc:language"),
    )


def _core_text(root: Any, name: str) -> str | None:
    """Return the text of one core property, whitespace collapsed, or None if empty."""
    found = root.find(name, _CORE)
    if found is None:
        return None
    return " ".join("".join(found.itertext()).split()) or None


def _core_date(text: str | None) -> dt.date | None:
    """Return the date of a W3CDTF time stamp (2025-11-23T10:00:00Z), or None."""
    try:
        return dt.date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None
