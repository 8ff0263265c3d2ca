"""Finish the PDF WeasyPrint wrote: complete its tags, then declare only what holds.

PDF/UA-1 is declared (``pdfuaid:part`` in the XMP metadata) when the completed tags leave
nothing short, for the PDF/UA and the PDF/A-3b variants alike; otherwise the declaration is
removed and the build says why. PDF/A-3b also gets the extension schema PDF/A asks for the
``pdfuaid`` property, and its attachment listed once in ``/AF``.

A PDF that draws a character as .notdef (the empty box of a font that lacks it) declares no
conformance at all: PDF/UA-1 asks that text be shown with glyphs that say what it is, and
PDF/A-2 and later forbid any reference to .notdef (ISO 19005-2, 6.2.11.8), so the PDF/A
identification is withdrawn too, and a PDF/X one with it.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

from briefkit.model.choices import PdfVariant
from briefkit.rendering.linked_data import SectionPart
from briefkit.rendering.pdf.glyphs import Undrawn, undrawn_glyphs
from briefkit.rendering.pdf.weasyprint.layout import TagSource
from briefkit.rendering.pdf.xmp import (
    Element,
    describe_schema,
    describe_sections,
    extension_schemas,
    parse_xmp,
    serialised,
)

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PDFAID = "http://www.aiim.org/pdfa/ns/id/"
PDFUAID = "http://www.aiim.org/pdfua/ns/id/"
PDFXID = "http://www.npes.org/pdfx/ns/id/"


def finish_pdf(
    data: bytes,
    sources: list[TagSource],
    variant: PdfVariant,
    prepare: Callable[[Any], None] | None = None,
    *,
    reported: set[str] | None = None,
    sections: Sequence[SectionPart] = (),
) -> tuple[bytes, list[str], list[Undrawn]]:
    """Return the finished PDF, why it cannot claim what it does not, and what it cannot draw.

    prepare, when given, edits the PDF first (print production: boxes, colour). reported
    holds the characters WeasyPrint said it drew as .notdef; sections are listed in the XMP.
    """
    import pikepdf

    from briefkit.rendering.pdf.objects import finish_objects, saved
    from briefkit.rendering.pdf.structure.tags import complete_tags

    with pikepdf.open(io.BytesIO(data)) as pdf:
        if prepare is not None:
            prepare(pdf)
        undrawn = undrawn_glyphs(pdf, reported or ())
        problems = complete_tags(pdf, sources)
        _list_attachments_once(pdf)
        finish_objects(pdf, variant)
        metadata = pdf.Root.get("/Metadata")
        if metadata is not None:
            xmp = parse_xmp(metadata.read_bytes())
            declare_ua(xmp, accessible=not problems and not undrawn)
            describe_sections(xmp, sections)
            if undrawn:
                withdraw_claims(xmp)
            metadata.write(serialised(xmp))
        out = io.BytesIO(saved(pdf))
    # A PDF/A-3b brief asked for no PDF/UA claim, so it is not told when it gets none.
    warned = problems if variant is PdfVariant.UA1 else []
    notes = [f"not declared PDF/UA-1: {problem}" for problem in warned]
    return out.getvalue(), notes + _undrawn_notes(undrawn, variant), undrawn


def _undrawn_notes(undrawn: list[Undrawn], variant: PdfVariant) -> list[str]:
    """Say which declarations characters drawn as .notdef took away, if any did."""
    if not undrawn:
        return []
    count = f"{len(undrawn)} character{'s' if len(undrawn) > 1 else ''}"
    claims = "PDF/A-3b or PDF/UA-1" if variant is PdfVariant.A3B else "PDF/UA-1"
    return [f"not declared {claims}: it draws {count} as empty boxes (.notdef), named above"]


def _list_attachments_once(pdf: object) -> None:
    """List each associated file once in the catalogue's /AF (WeasyPrint lists it twice)."""
    from pikepdf import Array

    root = pdf.Root  # type: ignore[attr-defined]
    files = root.get("/AF")
    if not isinstance(files, Array):
        return
    seen: set[tuple[int, int]] = set()
    unique = Array()
    for item in files:
        if item.objgen not in seen:
            seen.add(item.objgen)
            unique.append(item)
    root.AF = unique


def declare_ua(root: Element, *, accessible: bool) -> None:
    """Make XMP metadata declare PDF/UA-1 when accessible, and not otherwise."""
    from lxml import etree  # type: ignore[import-untyped]  # ebooklib's own dependency

    rdf = root.find(f"{{{RDF}}}RDF")
    if rdf is None:
        return
    for description in rdf.findall(f"{{{RDF}}}Description"):
        description.attrib.pop(f"{{{PDFUAID}}}part", None)
        for element in description.findall(f"{{{PDFUAID}}}part"):
            description.remove(element)
    if accessible:
        # New elements declare their own prefixes: PDF/A validators read the usual ones.
        about = {f"{{{RDF}}}about": "", f"{{{PDFUAID}}}part": "1"}
        etree.SubElement(rdf, f"{{{RDF}}}Description", about, nsmap={"pdfuaid": PDFUAID})
        if any(d.get(f"{{{PDFAID}}}part") for d in rdf.findall(f"{{{RDF}}}Description")):
            _describe_ua_schema(rdf)


def _describe_ua_schema(rdf: object) -> None:
    """Add the PDF/A extension schema that defines pdfuaid:part (PDF/A knows no pdfuaid)."""
    part = ("part", "Integer", "internal", "Part of ISO 14289 the file conforms to")
    title = "PDF/UA Universal Accessibility Schema"
    describe_schema(extension_schemas(rdf), title, PDFUAID, "pdfuaid", [part])


def withdraw_claims(root: Element) -> None:
    """Take the PDF/A and PDF/X identification out of XMP metadata (PDF/UA is declare_ua's)."""
    claims = tuple(f"{{{namespace}}}" for namespace in (PDFAID, PDFXID))
    for description in root.iter(f"{{{RDF}}}Description"):
        for name in [name for name in description.attrib if name.startswith(claims)]:
            del description.attrib[name]
        for element in [e for e in description if str(e.tag).startswith(claims)]:
            description.remove(element)
