"""Prepare a PDF for a print shop: trim and bleed boxes, and for X-4 its colour.

Every print build (``--print``, and ``--pdf-variant x-4``, which implies it) gets a BleedBox
3 mm outside the trim: WeasyPrint draws the crop marks in the band ``styles/print-marks.css``
adds around the sheet, and would put the BleedBox 10 pt out, over the marks.

The X-4 build is made to what PDF/X-4 asks of colour: a CMYK output intent (the theme's
``colour/print-cmyk.icc``, FOGRA39 coated offset by default), text and rules in black ink
(``styles/print-cmyk.css``), and no device RGB: every RGB colour left (photographs, charts, the
commentary's hatch, the crop marks) is named by the theme's ``colour/srgb.icc``. A workspace's
theme replaces either with its print shop's profile. It does not declare PDF/X-4: no checker
installable here validates PDF/X, and briefkit declares no standard a checker has not confirmed,
so the version keys WeasyPrint writes are taken out again.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from pikepdf import Array, Dictionary, Name, Object, Pdf, Stream, String

from briefkit.errors import BriefkitError
from briefkit.rendering.pdf.xmp import parse_xmp, serialised
from briefkit.rendering.theme import Theme

BLEED_MM = 3.0
POINTS_PER_MM = 72 / 25.4
# The theme's colour profiles, found as its stylesheets are (styles/colour/README.md).
CMYK_PROFILE = "colour/print-cmyk.icc"
SRGB_PROFILE = "colour/srgb.icc"
# What a build of x-4 PDFs tells its user, once.
NOT_DECLARED = (
    "x-4 PDFs are made to what PDF/X-4 asks (CMYK output intent, trim and bleed boxes, "
    "text in black ink) but do not declare PDF/X-4, since no PDF/X checker runs here: "
    "ask the print shop to preflight them (for instance with Acrobat's PDF/X-4 profile)"
)

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XMP_MM = "http://ns.adobe.com/xap/1.0/mm/"
# Where WeasyPrint writes the PDF/X version (pdfxid:, and the older pdfx: of Acrobat 7).
PDFX_KEYS = (
    "{http://www.npes.org/pdfx/ns/id/}GTS_PDFXVersion",
    "{http://ns.adobe.com/pdfx/1.3/}GTS_PDFXVersion",
    "{http://ns.adobe.com/pdfx/1.3/}GTS_PDFXConformance",
)


@dataclass(frozen=True)
class Profiles:
    """The ICC profiles of an X-4 PDF: the press's CMYK, and the sRGB that names RGB left."""

    cmyk: bytes
    srgb: bytes


def prepare_print(pdf: Pdf, *, profiles: Profiles | None) -> None:
    """Set each page's bleed box; with profiles (X-4) also its output intent and colour."""
    set_bleed_boxes(pdf, BLEED_MM)
    if profiles is not None:
        add_output_intent(pdf, profiles.cmyk)
        name_rgb(pdf, profiles.srgb)
        undeclare_pdfx(pdf)


@lru_cache(maxsize=4)
def theme_profiles(theme: Theme) -> Profiles:
    """Return the theme's colour profiles for X-4, read once per theme (its digest names it)."""
    return Profiles(_profile(theme, CMYK_PROFILE, "CMYK"), _profile(theme, SRGB_PROFILE, "RGB"))


def _profile(theme: Theme, name: str, space: str) -> bytes:
    """Return one of the theme's ICC profiles, or say why the file is not one of that space."""
    from PIL import ImageCms

    path = theme.style(name)
    data = path.read_bytes()
    try:
        found = ImageCms.ImageCmsProfile(io.BytesIO(data)).profile.xcolor_space.strip()
    except (OSError, ImageCms.PyCMSError):
        found = None
    if found != space:
        raise BriefkitError(f"theme: {path} is not an ICC profile for {space} colour")
    return data


def set_bleed_boxes(pdf: Pdf, bleed_mm: float) -> None:
    """Put each page's BleedBox bleed_mm outside its TrimBox, inside the sheet."""
    bleed = bleed_mm * POINTS_PER_MM
    for page in pdf.pages:
        trim = page.obj.get("/TrimBox")
        if trim is None:
            continue
        x0, y0, x1, y1 = _corners(trim)
        page.obj.BleedBox = Array([x0 - bleed, y0 - bleed, x1 + bleed, y1 + bleed])


def _corners(box: Object) -> tuple[float, float, float, float]:
    """Return a box's lower-left and upper-right corners, whichever order it lists them in."""
    left, bottom, right, top = (float(value) for value in box)
    return min(left, right), min(bottom, top), max(left, right), max(bottom, top)


def add_output_intent(pdf: Pdf, icc: bytes) -> None:
    """Name the printing condition the CMYK colours are made for, with its profile."""
    name = String(profile_name(icc))
    destination = Stream(pdf, icc)
    destination.N = 4
    intent = Dictionary(
        Type=Name.OutputIntent,
        S=Name.GTS_PDFX,
        OutputConditionIdentifier=name,
        OutputCondition=name,
        Info=name,
        DestOutputProfile=destination,
    )
    pdf.Root.OutputIntents = Array([pdf.make_indirect(intent)])


def profile_name(icc: bytes) -> str:
    """Return an ICC profile's description, the name print shops know it by."""
    from PIL import ImageCms

    description = ImageCms.ImageCmsProfile(io.BytesIO(icc)).profile.profile_description
    return str(description or "").strip() or "Custom"


def name_rgb(pdf: Pdf, icc: bytes) -> None:
    """Make every RGB colour sRGB by name: PDF/X allows no device RGB beside a CMYK intent."""
    stream = Stream(pdf, icc)
    stream.N = 3
    srgb = pdf.make_indirect(Array([Name.ICCBased, stream]))
    for resources in _resource_dicts(pdf):
        spaces = resources.get("/ColorSpace")
        if not isinstance(spaces, Dictionary):
            spaces = resources.ColorSpace = Dictionary()
        # Colour set with rg/RG, and images and shadings left in DeviceRGB, take this space.
        spaces.DefaultRGB = srgb
        for item in _painted(resources):
            if _is_rgb(item):
                item.ColorSpace = srgb


def _resource_dicts(pdf: Pdf) -> Iterator[Dictionary]:
    """Yield the resources of every page, form, pattern and soft mask, each once."""
    seen: set[tuple[int, int]] = set()
    owners: list[Object] = [page.obj for page in pdf.pages]
    while owners:
        owner = owners.pop()
        if owner.is_indirect:
            if owner.objgen in seen:
                continue
            seen.add(owner.objgen)
        resources = owner.get("/Resources")
        if not isinstance(resources, Dictionary):
            continue
        yield resources
        owners.extend(_children(resources))


def _children(resources: Dictionary) -> Iterator[Object]:
    """Yield what a resource dictionary names that has resources of its own."""
    for category in ("/XObject", "/Pattern"):
        named = resources.get(category)
        if isinstance(named, Dictionary):
            yield from (item for item in named.values() if isinstance(item, Dictionary | Stream))
    states = resources.get("/ExtGState")
    if isinstance(states, Dictionary):
        for state in states.values():
            mask = state.get("/SMask") if isinstance(state, Dictionary) else None
            if isinstance(mask, Dictionary) and isinstance(mask.get("/G"), Stream):
                yield mask.G


def _painted(resources: Dictionary) -> Iterator[Object]:
    """Yield the images and shadings a resource dictionary names, those of patterns too."""
    images = resources.get("/XObject")
    if isinstance(images, Dictionary):
        yield from (item for item in images.values() if item.get("/Subtype") == Name.Image)
    shadings = resources.get("/Shading")
    if isinstance(shadings, Dictionary):
        yield from shadings.values()
    patterns = resources.get("/Pattern")
    if isinstance(patterns, Dictionary):
        yield from (p.Shading for p in patterns.values() if p.get("/Shading") is not None)


def _is_rgb(item: Object) -> bool:
    """Tell whether an image or shading paints RGB values without naming their space."""
    space = item.get("/ColorSpace")
    if space == Name.DeviceRGB:
        return True
    # WeasyPrint 70 labels a gradient DeviceCMYK beside a CMYK intent, yet its colour
    # functions return sRGB's three values.
    function = item.get("/Function")
    return space == Name.DeviceCMYK and function is not None and _outputs(function) == 3


def _outputs(function: Object) -> int:
    """Return how many values a shading's function returns (types 2 and 3, as WeasyPrint writes)."""
    parts = function.get("/Functions")
    if isinstance(parts, Array) and len(parts):
        return _outputs(parts[0])
    first = function.get("/C0")
    return len(first) if isinstance(first, Array) else 1


def undeclare_pdfx(pdf: Pdf) -> None:
    """Remove the PDF/X version WeasyPrint declares; give the XMP a document ID of its content."""
    for key in ("/GTS_PDFXVersion", "/GTS_PDFXConformance"):
        if key in pdf.docinfo:
            del pdf.docinfo[key]
    # WeasyPrint's file ID hashes its random document ID, and saving keeps the first half:
    # without it, saving draws both halves from the content.
    if "/ID" in pdf.trailer:
        del pdf.trailer["/ID"]
    metadata = pdf.Root.get("/Metadata")
    if metadata is None:
        return
    root = parse_xmp(metadata.read_bytes())
    for description in root.iter(f"{{{RDF}}}Description"):
        for key in PDFX_KEYS:
            description.attrib.pop(key, None)
            for element in description.findall(key):
                description.remove(element)
        for element in description.findall(f"{{{XMP_MM}}}DocumentID"):
            # WeasyPrint draws a random one; the same brief must give the same bytes.
            element.text = f"xmp.did:{_content_id(pdf)}"
    metadata.write(serialised(root))


def _content_id(pdf: Pdf) -> uuid.UUID:
    """Return an ID drawn from what the pages show, the same for the same brief."""
    digest = hashlib.sha256()
    for page in pdf.pages:
        contents = page.obj.get("/Contents")
        for stream in contents if isinstance(contents, Array) else [contents]:
            if isinstance(stream, Stream):
                digest.update(stream.read_raw_bytes())
    return uuid.UUID(bytes=digest.digest()[:16], version=4)
