"""Subsets of the theme's fonts for the characters one output shows, to embed in EPUB and HTML.

The stylesheets name two lists of families: serif for text, sans-serif for headings and
labels, each a Latin family followed by its Devanagari, Arabic and Japanese companions. The
Latin family is always embedded, a companion only when the text uses its script; each face
is cut down to the characters of the text that its family draws and the families before it
in the list do not. Printable ASCII is always kept in the Latin families, so that briefs in
the same languages share subsets.

HarfBuzz (through uharfbuzz) cuts the subsets and fontTools packs WOFF2. The same characters
give the same bytes (the fonts' own timestamps are kept), and each subset is kept for the
process, by font file and characters, so a build cuts each font once for each set of
characters however many briefs and formats use it.

Bundled fonts are the theme's (``styles/fonts``), the others the system Noto fonts the setup
installs (``rendering.fonts``); both are read through the render's fetcher, which allows the
system files by name (:func:`system_font_files`), never their folders.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from markupsafe import Markup

from briefkit.errors import BriefkitError
from briefkit.rendering.fetcher import Fetcher
from briefkit.rendering.theme import Theme
from briefkit.rendering.view import css_string
from briefkit.text.fonts import FontFile, coverage, find_font_file

# Printable ASCII, the no-break space, and the hyphens a browser may add when it hyphenates.
_ALWAYS = frozenset(range(0x20, 0x7F)) | {0xA0, 0xAD, 0x2010}
# Joiners and the dotted circle take part in shaping Devanagari and Arabic: every face that
# has them keeps them.
_SHAPING = frozenset({0x200C, 0x200D, 0x25CC})
_KEEP = 64
_SAFE_URL = re.compile(r"[A-Za-z0-9+/=:;,._-]+")


class FontFormat(StrEnum):
    """How fonts are embedded: as the font files are (EPUB), or as WOFF2 (HTML)."""

    SFNT = "sfnt"
    WOFF2 = "woff2"


@dataclass(frozen=True)
class Face:
    """One face of a family the stylesheets name, and the font file that holds it."""

    family: str
    weight: int
    style: str
    file: str
    system: bool = False

    @property
    def style_name(self) -> str:
        """Return the face's name within its family: 'Regular', 'BoldItalic'."""
        name = ("Bold" if self.weight >= 700 else "") + ("Italic" if self.style == "italic" else "")
        return name or "Regular"


def _four(family: str, stem: str) -> tuple[Face, ...]:
    """Return the regular, bold, italic and bold italic faces of a bundled Latin family."""
    return (
        Face(family, 400, "normal", f"{stem}-Regular.ttf"),
        Face(family, 700, "normal", f"{stem}-Bold.ttf"),
        Face(family, 400, "italic", f"{stem}-Italic.ttf"),
        Face(family, 700, "italic", f"{stem}-BoldItalic.ttf"),
    )


def _two(family: str, stem: str, suffix: str = ".ttf", system: bool = False) -> tuple[Face, ...]:
    """Return the regular and bold faces of a family without italics."""
    return (
        Face(family, 400, "normal", f"{stem}-Regular{suffix}", system),
        Face(family, 700, "normal", f"{stem}-Bold{suffix}", system),
    )


@dataclass(frozen=True)
class Family:
    """A family's faces, regular first, and the scripts it is embedded for (None: always)."""

    faces: tuple[Face, ...]
    scripts: tuple[range, ...] | None = None

    def wanted_for(self, points: set[int]) -> bool:
        """Tell whether text with these code points uses one of the family's scripts."""
        if self.scripts is None:
            return bool(points)
        return any(point in script for point in points for script in self.scripts)


DEVANAGARI = (range(0x0900, 0x0980), range(0x1CD0, 0x1D00), range(0xA8E0, 0xA900))
ARABIC = (
    range(0x0600, 0x0780),
    range(0x08A0, 0x0900),
    range(0xFB50, 0xFE00),
    range(0xFE70, 0xFF00),
)
# CJK punctuation, kana, ideographs, Hangul, and full-width forms.
CJK = (range(0x2E80, 0xA000), range(0xAC00, 0xD7B0), range(0xF900, 0xFB00), range(0xFF00, 0xFFF0))

# In the order the stylesheets' font-family lists give them; the first face is the regular.
SERIF = (
    Family(_four("Noto Serif", "NotoSerif")),
    Family(_two("Noto Serif Devanagari", "NotoSerifDevanagari"), DEVANAGARI),
    Family(_two("Noto Naskh Arabic", "NotoNaskhArabic", system=True), ARABIC),
    Family(_two("Noto Serif CJK JP", "NotoSerifCJK", ".ttc", system=True), CJK),
)
SANS = (
    Family(_four("Noto Sans", "NotoSans")),
    Family(_two("Noto Sans Devanagari", "NotoSansDevanagari"), DEVANAGARI),
    Family(_two("Noto Sans Arabic", "NotoSansArabic", system=True), ARABIC),
    Family(_two("Noto Sans CJK JP", "NotoSansCJK", ".ttc", system=True), CJK),
)


@dataclass(frozen=True)
class EmbeddedFont:
    """A face cut down to the characters of one output, ready to package or inline."""

    face: Face
    data: bytes
    media_type: str
    css_format: str
    file_name: str


@dataclass(frozen=True)
class FontFaceRule:
    """What the fonts.css template writes for one embedded face."""

    family: Markup
    weight: int
    style: str
    url: Markup
    format: str


def system_font_files() -> list[Path]:
    """Return the installed system font files that may be embedded, for the fetcher."""
    names = {face.file for family in (*SERIF, *SANS) for face in family.faces if face.system}
    return [path for name in sorted(names) if (path := find_font_file(name)) is not None]


def embedded_fonts(
    text: str, theme: Theme, fetcher: Fetcher, fmt: FontFormat
) -> list[EmbeddedFont]:
    """Return the faces that draw text, each cut down to the characters it draws there.

    A family of another script is embedded only when the text uses that script; it then
    also draws the text's symbols that the families before it lack.
    """
    wanted = characters(text)
    fonts: list[EmbeddedFont] = []
    for chain in (SERIF, SANS):
        remaining = set(wanted)
        for family in chain:
            # A family of another script is looked at only when the text uses that script.
            files = [_font_file(face, theme) for face in family.faces]
            if files[0] is None or not family.wanted_for(remaining):
                continue
            drawn = remaining & coverage(files[0])
            remaining -= drawn
            for face, font_file in zip(family.faces, files, strict=True):
                if font_file is not None:
                    points = frozenset((drawn | _SHAPING) & coverage(font_file))
                    fonts.append(_embed(face, font_file, points, fetcher, fmt))
    return fonts


def characters(text: str) -> frozenset[int]:
    """Return the code points to embed for a text: its own, in both cases, and ASCII.

    Labels and mastheads are set in capitals by the stylesheets, so each character's upper
    and lower case forms are kept too.
    """
    chars = set(text)
    chars |= {cased for char in list(chars) for cased in char.upper() + char.lower()}
    return frozenset({ord(c) for c in chars if unicodedata.category(c) != "Cc"} | _ALWAYS)


def visible_text(documents: Iterable[bytes], css: str = "") -> str:
    """Return the text the bodies of HTML or XHTML documents show, and their CSS's strings."""
    from lxml import html  # type: ignore[import-untyped]  # ebooklib's own dependency

    parts = [html.document_fromstring(document).body.text_content() for document in documents]
    # Generated content ("content: ' · '") is drawn in the same fonts.
    parts += re.findall(r'"([^"\\]*)"', css)
    return "\n".join(parts)


def font_face_css(
    theme: Theme, fonts: list[EmbeddedFont], url: Callable[[EmbeddedFont], str]
) -> str:
    """Return the @font-face rules for embedded fonts, from the theme's fonts.css template."""
    rules = [
        FontFaceRule(
            family=Markup(css_string(font.face.family)),
            weight=font.face.weight,
            style=font.face.style,
            url=Markup(_checked_url(url(font))),
            format=font.css_format,
        )
        for font in fonts
    ]
    return theme.render("fonts.css", rules=rules)


def _checked_url(url: str) -> str:
    """Return a font's address if it can stand unquoted in CSS (a package path or data: URI)."""
    if not _SAFE_URL.fullmatch(url):
        raise BriefkitError(f"refused to write the font address {url[:60]!r} into CSS")
    return url


def _font_file(face: Face, theme: Theme) -> FontFile | None:
    """Return the file of a face: the theme's bundled font, or the installed system font."""
    if face.system:
        found = find_font_file(face.file)
        return FontFile(found) if found is not None else None
    path = theme.optional_style(f"fonts/{face.file}")
    return FontFile(path) if path is not None else None


def _embed(
    face: Face, font_file: FontFile, points: frozenset[int], fetcher: Fetcher, fmt: FontFormat
) -> EmbeddedFont:
    """Return a face cut down to the code points, in the format asked for."""
    data = subset_font(font_file, points, fetcher, fmt)
    if fmt is FontFormat.WOFF2:
        media_type, css_format, suffix = "font/woff2", "woff2", ".woff2"
    elif data[:4] == b"OTTO":
        media_type, css_format, suffix = "font/otf", "opentype", ".otf"
    else:
        media_type, css_format, suffix = "font/ttf", "truetype", ".ttf"
    name = f"{face.family.replace(' ', '')}-{face.style_name}{suffix}"
    return EmbeddedFont(face, data, media_type, css_format, name)


_subsets: OrderedDict[tuple[object, ...], bytes] = OrderedDict()


def subset_font(
    font_file: FontFile, points: frozenset[int], fetcher: Fetcher, fmt: FontFormat
) -> bytes:
    """Return a font face cut down to the code points; the last subsets made are kept."""
    path = fetcher.check(font_file.path)
    stat = path.stat()
    key = (path, font_file.index, stat.st_mtime_ns, stat.st_size, points, fmt)
    if key in _subsets:
        _subsets.move_to_end(key)
        return _subsets[key]
    data = _cut(fetcher.read(path), font_file.index, points, fmt)
    _subsets[key] = data
    if len(_subsets) > _KEEP:
        _subsets.popitem(last=False)
    return data


def _cut(data: bytes, index: int, points: frozenset[int], fmt: FontFormat) -> bytes:
    """Subset a font's bytes with HarfBuzz, keeping its names and licence, dropping hinting.

    HarfBuzz's subsetter (the one WeasyPrint uses for the PDF) takes milliseconds where
    fontTools' takes most of a second a face; fontTools writes the WOFF2.
    """
    import uharfbuzz as hb

    request = hb.SubsetInput()
    request.unicode_set.update(sorted(points))
    request.flags = hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.NOTDEF_OUTLINE
    # Family and style names (kept by default), and the licence's text and address, as the
    # OFL asks of a font that is passed on.
    request.sets(hb.SubsetInputSets.NAME_ID).update({13, 14})
    try:
        sfnt = bytes(hb.subset(hb.Face(hb.Blob(data), index), request).blob.data)
    except RuntimeError as exc:
        raise BriefkitError(f"could not subset a font for embedding: {exc}") from exc
    return _woff2(sfnt) if fmt is FontFormat.WOFF2 else sfnt


# Brotli's quality for WOFF2. fontTools always uses the highest, 11, which takes seconds for a
# Japanese subset; 5 takes a twentieth of the time for files about a tenth larger.
WOFF2_QUALITY = 5


def _woff2(sfnt: bytes) -> bytes:
    """Pack a font as WOFF2 with fontTools, quickly: brotli at WOFF2_QUALITY, tables as they are.

    WOFF2's optional re-encoding of TrueType outlines would save a sixth of a Latin subset,
    at four times the time.
    """
    import brotli
    from fontTools.ttLib import woff2

    class QuickerBrotli:
        """The brotli module as fontTools' WOFF2 writer calls it, at WOFF2_QUALITY."""

        MODE_FONT = brotli.MODE_FONT
        MODE_GENERIC = brotli.MODE_GENERIC
        decompress = staticmethod(brotli.decompress)

        @staticmethod
        def compress(data: bytes, **options: int) -> bytes:
            """Compress as brotli does, at the quicker quality."""
            return bytes(brotli.compress(data, **{**options, "quality": WOFF2_QUALITY}))

    out = io.BytesIO()
    # fontTools' writer reaches brotli through its module's global name.
    original, woff2.brotli = woff2.brotli, QuickerBrotli
    try:
        woff2.compress(io.BytesIO(sfnt), out, transform_tables=set())
    finally:
        woff2.brotli = original
    return out.getvalue()
