"""Find the characters a written PDF draws as .notdef, the empty box of a font that lacks them.

WeasyPrint gives a character no font has a code of its own in the font it fell back to, and
maps that code to glyph 0 (.notdef) in the font's encoding CMap; other fonts use Identity-H,
where code 0 is glyph 0. The check reads each font's encoding once, then scans the pages'
content streams, and the forms they draw, for the codes each font shows inside text objects:
a code is undrawn when its glyph is 0 or beyond the glyphs the embedded font holds, so what
is reported is what a viewer draws, and the font's ToUnicode map names the character.
WeasyPrint's own warning for each .notdef it writes is a second source, for what the scan
cannot judge (fonts other than Type 0 and Type 3).

The scan reads bytes, as ``pdf_content`` does: WeasyPrint writes text as hexadecimal strings,
and parsing the streams into operators would cost more than the rest of the finishing. Only
font changes, saved and restored states, text objects, forms and strings are looked at; a
literal string or an inline image is skipped whole, so nothing inside one reads as an operator.
"""

from __future__ import annotations

import re
import struct
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from briefkit.errors import Finding, Findings, Severity
from briefkit.model.brief import Brief
from briefkit.sources.limits import Reporter
from briefkit.text.font_packages import remedy
from briefkit.text.fonts import Place, first_places

# WeasyPrint's warning for a character it draws as .notdef (weasyprint/draw/text.py).
_REPORTED = re.compile(
    r'\.notdef glyph rendered for Unicode string unsupported by fonts: ".*" \(U\+([0-9A-F]+)\)',
    re.S,
)
# Each alternative starts with one of a few bytes, so the pattern skips the long runs of
# hexadecimal glyph codes between operators at the speed of a byte search.
_OPERATORS = re.compile(
    rb"\((?:[^()\\]|\\.|\((?:[^()\\]|\\.)*\))*\)"  # a literal string, skipped
    # A name, whole, so no operator is read inside one; group 2 says whether a Tf or a Do uses it.
    rb"|/([^\s/<>\[\]()%{}]*)(?:\s+([-+.\d]+\s+Tf|Do)(?!\w))?"
    rb"|(q|Q|BT|ET)(?!\w)"  # group 3: state saved, restored; text begun, ended
    rb"|BI(?!\w).*?EI(?!\w)",  # an inline image, skipped
    re.S,
)
_HEX = re.compile(rb"<([0-9A-Fa-f\s]*)>")
_WHITESPACE = re.compile(rb"\s+")
_CIDCHAR = re.compile(rb"begincidchar(.*?)endcidchar", re.S)
_CIDRANGE = re.compile(rb"begincidrange(.*?)endcidrange", re.S)
_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
_CODE_TO_CID = re.compile(rb"<([0-9A-Fa-f]+)>\s*(\d+)")
_RANGE_TO_CID = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\d+)")
_CODE_TO_TEXT = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>")
_RANGE_TO_TEXT = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>")
# Pages named in a finding, before the rest are counted.
_PAGES_NAMED = 3
# Forms drawn inside forms: deeper than this, a document is not WeasyPrint's.
_MOST_NESTED = 16

Key = tuple[int, int]  # an object's number and generation
Shown = dict[Key, bytearray]  # the codes each font shows, as bytes


@dataclass(frozen=True)
class Undrawn:
    """A character the PDF draws as .notdef, and the pages it does so on (none if unknown)."""

    char: str | None  # None when the font's ToUnicode map does not name it
    pages: tuple[int, ...] = ()


@dataclass(frozen=True)
class _Font:
    """What the check needs of one font: its code width and which codes draw no glyph."""

    width: int  # bytes per code: 2 for Type 0, 1 for Type 3
    undrawn: Callable[[int], bool]
    font: Any


def reported_characters(warnings: list[str]) -> tuple[set[str], list[str]]:
    """Take WeasyPrint's .notdef warnings out of warnings; return their characters and the rest.

    WeasyPrint warns once for every .notdef it draws: the findings name each character once.
    """
    chars: set[str] = set()
    rest: list[str] = []
    for warning in warnings:
        found = _REPORTED.fullmatch(warning)
        if found:
            chars.add(chr(int(found[1], 16)))
        else:
            rest.append(warning)
    return chars, rest


def undrawn_findings(brief: Brief, undrawn: list[Undrawn]) -> list[Finding]:
    """Return a warning for each character the PDF draws as .notdef, where the source holds it.

    A character the source does not hold as written (a YAML escape, a word of briefkit.toml
    or of the theme) is named at the top of the file, with its pages.
    """
    text = brief.raw.decode("utf-8-sig", errors="replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # lines as the check counts them
    places = first_places(text, [u.char for u in undrawn if u.char])
    findings = Findings(brief.path)
    report = Reporter(findings)
    # In the order the source holds them, so those shown past the flood's limit come last.
    for item in sorted(undrawn, key=lambda u: _order(places.get(u.char or ""))):
        if "notdef" in report.done:
            break
        place = places.get(item.char or "")
        shown = f"{item.char} (U+{ord(item.char):04X})" if item.char else "a character"
        message = f"the PDF draws {shown} as an empty box (.notdef){_on_pages(item.pages)}"
        if place is None:
            place = Place(1, 1)
            message += ", from text outside the source as written" if item.char else ""
        message += place.elsewhere()
        message += f": {remedy(item.char)}" if item.char else ": its font does not name it"
        report.record("notdef", Severity.WARNING, place.line, message, place.col)
    return findings.items


def _order(place: Place | None) -> tuple[int, int]:
    """Return where a place stands in the source, a character from outside it last."""
    return (place.line, place.col) if place else (1 << 30, 0)


def _on_pages(pages: tuple[int, ...]) -> str:
    """Say which pages draw a character: " on pages 2, 5 and 7", the rest counted past three."""
    if not pages:
        return ""
    if len(pages) == 1:
        return f" on page {pages[0]}"
    if len(pages) <= _PAGES_NAMED:
        return f" on pages {', '.join(str(page) for page in pages[:-1])} and {pages[-1]}"
    named = ", ".join(str(page) for page in pages[:_PAGES_NAMED])
    return f" on pages {named} and {len(pages) - _PAGES_NAMED} more"


def undrawn_glyphs(pdf: Any, reported: Iterable[str] = ()) -> list[Undrawn]:
    """Return every character the pages draw as .notdef, and those WeasyPrint reported."""
    fonts: dict[Key, _Font | None] = {}
    pages: dict[str | None, list[int]] = {}
    for number, page in enumerate(pdf.pages, start=1):
        shown: Shown = {}
        for stream in _streams(page.obj.get("/Contents")):
            _scan(stream, page.obj.get("/Resources"), shown, _MOST_NESTED)
        for key, codes in shown.items():
            font = _font(fonts, key, pdf)
            for char in _undrawn_chars(font, codes) if font else ():
                seen = pages.setdefault(char, [])
                if number not in seen:
                    seen.append(number)
    for char in reported:
        pages.setdefault(char, [])
    found = [Undrawn(char, tuple(numbers)) for char, numbers in pages.items()]
    # By the first page each stands on; those only WeasyPrint reported, last.
    return sorted(found, key=lambda u: (u.pages[:1] or (len(pdf.pages) + 1,), u.char or ""))


def _streams(contents: Any) -> list[Any]:
    """Return the content streams a page's /Contents names."""
    from pikepdf import Array, Stream

    if isinstance(contents, Array):
        return [item for item in contents if isinstance(item, Stream)]
    return [contents] if isinstance(contents, Stream) else []


def _scan(stream: Any, resources: Any, shown: Shown, depth: int) -> None:
    """Add the codes each font shows in one content stream, and the forms it draws, to shown."""
    data = stream.read_bytes()
    fonts: dict[bytes, Key | None] = {}
    saved: list[Key | None] = []
    font: Key | None = None
    in_text = False
    start = 0
    for found in _OPERATORS.finditer(data):
        if in_text and font is not None:
            _collect(data[start : found.start()], shown.setdefault(font, bytearray()))
        start = found.end()
        name, use, operator = found.group(1, 2, 3)
        if use == b"Do" and depth > 0:
            _draw_form(resources, name, shown, depth)
        elif use is not None:
            if name not in fonts:
                fonts[name] = _resource_key(resources, "/Font", name)
            font = fonts[name]
        elif operator == b"q":
            saved.append(font)
        elif operator == b"Q":
            font = saved.pop() if saved else font
        elif operator is not None:
            in_text = operator == b"BT"
    if in_text and font is not None:
        _collect(data[start:], shown.setdefault(font, bytearray()))


def _collect(text: bytes, codes: bytearray) -> None:
    """Append the bytes of the hexadecimal strings in text (a piece of a text object) to codes.

    The strings are read together, their digits in pairs: WeasyPrint writes four digits a
    code (two in a Type 3 font), never an odd number.
    """
    digits = b"".join(_HEX.findall(text))
    if not digits:
        return
    if not digits.isalnum():
        digits = _WHITESPACE.sub(b"", digits)
    codes += bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode("ascii"))


def _draw_form(resources: Any, name: bytes, shown: Shown, depth: int) -> None:
    """Scan the form XObject a Do draws, with its own resources, one level deeper."""
    from pikepdf import Dictionary, Stream

    xobjects = resources.get("/XObject") if isinstance(resources, Dictionary) else None
    form = xobjects.get("/" + name.decode("latin-1")) if isinstance(xobjects, Dictionary) else None
    if isinstance(form, Stream) and form.get("/Subtype") == "/Form":
        _scan(form, form.get("/Resources", resources), shown, depth - 1)


def _resource_key(resources: Any, kind: str, name: bytes) -> Key | None:
    """Return the object a resource name stands for, by number, if there is one."""
    from pikepdf import Dictionary

    group = resources.get(kind) if isinstance(resources, Dictionary) else None
    found = group.get("/" + name.decode("latin-1")) if isinstance(group, Dictionary) else None
    if found is None or not found.is_indirect:
        return None
    return int(found.objgen[0]), int(found.objgen[1])


def _font(fonts: dict[Key, _Font | None], key: Key, pdf: Any) -> _Font | None:
    """Return what the check knows of a font, read once per document."""
    if key not in fonts:
        font = pdf.get_object(key)
        subtype = font.get("/Subtype")
        fonts[key] = (
            _type0(font) if subtype == "/Type0" else _type3(font) if subtype == "/Type3" else None
        )
    return fonts[key]


def _type0(font: Any) -> _Font | None:
    """Return a composite font's codes: two bytes, through its encoding to a CID and a glyph."""
    from pikepdf import Name, Stream

    encoding = font.get("/Encoding")
    if isinstance(encoding, Stream):
        cids: dict[int, int] | None = _code_cids(encoding.read_bytes())
    elif isinstance(encoding, Name) and str(encoding) in ("/Identity-H", "/Identity-V"):
        cids = None
    else:
        return None  # another predefined CMap: WeasyPrint's own report covers it
    descendant = font.DescendantFonts[0]
    glyphs = descendant.get("/CIDToGIDMap")
    table = glyphs.read_bytes() if isinstance(glyphs, Stream) else None
    count = _glyph_count(descendant.get("/FontDescriptor"))

    def undrawn(code: int) -> bool:
        # A code its encoding does not map is CID 0, which is .notdef.
        cid = code if cids is None else cids.get(code, 0)
        glyph = cid if table is None else int.from_bytes(table[2 * cid : 2 * cid + 2] or b"\0")
        return glyph == 0 or (count is not None and glyph >= count)

    return _Font(2, undrawn, font)


def _type3(font: Any) -> _Font:
    """Return a Type 3 (bitmap) font's codes: one byte, drawn only when a glyph procedure exists."""
    from pikepdf import Dictionary

    names: dict[int, str] = {}
    encoding = font.get("/Encoding")
    code = 0
    for item in encoding.get("/Differences", []) if isinstance(encoding, Dictionary) else []:
        if isinstance(item, int):
            code = int(item)
        else:
            names[code] = str(item)
            code += 1
    procedures = font.get("/CharProcs")
    drawn = {str(key) for key in procedures} if isinstance(procedures, Dictionary) else set()
    return _Font(1, lambda code: names.get(code) not in drawn, font)


def _code_cids(cmap: bytes) -> dict[int, int]:
    """Read the code-to-CID pairs of an encoding CMap."""
    cids: dict[int, int] = {}
    for block in _CIDRANGE.findall(cmap):
        for low, high, first in _RANGE_TO_CID.findall(block):
            for code in range(int(low, 16), int(high, 16) + 1):
                cids[code] = int(first) + code - int(low, 16)
    for block in _CIDCHAR.findall(cmap):
        for code, cid in _CODE_TO_CID.findall(block):
            cids[int(code, 16)] = int(cid)
    return cids


def _glyph_count(descriptor: Any) -> int | None:
    """Return how many glyphs the embedded TrueType or OpenType font holds, from its maxp table."""
    from pikepdf import Dictionary, Stream

    if not isinstance(descriptor, Dictionary):
        return None
    program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
    if not isinstance(program, Stream):
        return None
    data = program.read_bytes()
    if len(data) < 12:
        return None
    (tables,) = struct.unpack_from(">H", data, 4)
    for index in range(tables):
        record = 12 + 16 * index
        if data[record : record + 4] == b"maxp" and len(data) >= record + 16:
            (offset,) = struct.unpack_from(">I", data, record + 8)
            if len(data) >= offset + 6:
                return int(struct.unpack_from(">H", data, offset + 4)[0])
    return None  # a bare CFF program: no count to judge by


def _undrawn_chars(font: _Font, shown: bytearray) -> list[str | None]:
    """Return the characters of the codes a font shows that draw no glyph, named by ToUnicode."""
    if font.width == 2:
        codes = array("H", bytes(shown[: len(shown) - len(shown) % 2]))
        codes.byteswap()  # PDF codes are big-endian
        distinct = set(codes)
    else:
        distinct = set(shown)
    bad = sorted(code for code in distinct if font.undrawn(code))
    if not bad:
        return []
    names = _to_unicode(font.font)
    return list(dict.fromkeys(names.get(code) for code in bad))


def _to_unicode(font: Any) -> dict[int, str]:
    """Read the characters a font's ToUnicode CMap gives its codes."""
    from pikepdf import Stream

    cmap = font.get("/ToUnicode")
    if not isinstance(cmap, Stream):
        return {}
    data = cmap.read_bytes()
    names: dict[int, str] = {}
    for block in _BFRANGE.findall(data):
        for low, high, first in _RANGE_TO_TEXT.findall(block):
            base = _utf16(first)
            for code in range(int(low, 16), int(high, 16) + 1):
                step = code - int(low, 16)
                names[code] = base[:-1] + chr(ord(base[-1]) + step) if base else ""
    for block in _BFCHAR.findall(data):
        for code, text in _CODE_TO_TEXT.findall(block):
            names[int(code, 16)] = _utf16(text)
    return names


def _utf16(digits: bytes) -> str:
    """Decode a ToUnicode destination: UTF-16BE in hexadecimal."""
    return bytes.fromhex(digits.decode("ascii")).decode("utf-16-be", errors="replace")
