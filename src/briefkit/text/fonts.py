"""The fonts briefs are set in: the theme's bundled fonts, then the system fonts setup installs.

The glyph check and the generated cover use these fonts and no others, so a brief checks and
looks the same on every machine that ``scripts/setup-system.sh`` prepared, whatever else
happens to be installed there. The system fonts are Debian's Noto packages: ``fonts-noto-cjk``
(Chinese, Japanese, Korean), ``fonts-noto-color-emoji``, and ``fonts-noto-core`` (Arabic and
most other scripts), found in the Noto folders. The faces the stylesheets name come first;
the rest of the Noto folders are read only for characters those lack.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from briefkit.resources import builtin_fonts
from briefkit.system.store import file_stamp, stored

# Scripts below U+0250 and general punctuation are covered by the bundled Noto Serif.
_ALWAYS_COVERED = 0x0250
_PUNCTUATION = range(0x2000, 0x2070)
_SILENT = {"Cc", "Cf", "Zs", "Zl", "Zp", "Co", "Cn"}
# Variation selectors choose a glyph's style (emoji or text) and are never drawn themselves.
_SELECTORS = (range(0xFE00, 0xFE10), range(0xE0100, 0xE01F0))
NOTO_FOLDERS = (
    Path("/usr/share/fonts/truetype/noto"),
    Path("/usr/share/fonts/opentype/noto"),
    Path("/usr/local/share/fonts/noto"),
)
# The regular and bold faces of the system fonts the stylesheets name, in fallback order.
SYSTEM_FONTS = (
    ("NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc"),
    ("NotoSerifCJK-Regular.ttc", "NotoSerifCJK-Bold.ttc"),
    ("NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf"),
    ("NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf"),
    ("NotoColorEmoji.ttf", "NotoColorEmoji.ttf"),
)


@dataclass(frozen=True)
class FontFile:
    """One face of a font file; index picks a face inside a .ttc collection."""

    path: Path
    index: int = 0


def missing_glyphs(text: str) -> list[str]:
    """Return the characters of text that none of the fonts has, in code point order."""
    candidates = sorted(
        c
        for c in set(text)
        if ord(c) >= _ALWAYS_COVERED
        and ord(c) not in _PUNCTUATION
        and unicodedata.category(c) not in _SILENT
        and not any(ord(c) in selectors for selectors in _SELECTORS)
    )
    if not candidates:
        return []
    bundled = _bundled_coverage()
    remaining = [c for c in candidates if ord(c) not in bundled]
    if not remaining:
        return []
    starts, ends = _system_coverage()
    remaining = [c for c in remaining if not _in_ranges(ord(c), starts, ends)]
    return [c for c in remaining if _other_noto_font(c) is None]


@dataclass(frozen=True)
class Place:
    """Where a character first stands in a text (1-based), and how often it stands elsewhere."""

    line: int
    col: int
    more: int = 0

    def elsewhere(self) -> str:
        """Say how many more places hold the character, if any: ", here and in 2 more places"."""
        if not self.more:
            return ""
        return f", here and in {self.more} more place{'s' if self.more > 1 else ''}"


def first_places(text: str, chars: Collection[str]) -> dict[str, Place]:
    """Return where each of chars first stands in text, and how many more times it does.

    One pass, with every character in one pattern, so thousands of characters cost what one
    does; a character text does not hold (made by a YAML escape) is left out.
    """
    if not chars:
        return {}
    pattern = re.compile("[" + "".join(re.escape(char) for char in chars) + "]")
    firsts: dict[str, int] = {}
    counts: dict[str, int] = {}
    for found in pattern.finditer(text):
        char = found[0]
        if char in counts:
            counts[char] += 1
        else:
            counts[char] = 1
            firsts[char] = found.start()
    breaks = [found.start() for found in re.finditer("\n", text)]
    places: dict[str, Place] = {}
    for char, offset in firsts.items():
        line = bisect.bisect_left(breaks, offset)
        start = breaks[line - 1] + 1 if line else 0
        places[char] = Place(line + 1, offset - start + 1, counts[char] - 1)
    return places


def system_font_for(char: str, bold: bool) -> FontFile | None:
    """Return the first system font the setup installs that has char, if any."""
    for regular, heavy in SYSTEM_FONTS:
        found = find_font_file(heavy if bold else regular)
        if found is not None and ord(char) in coverage(FontFile(found)):
            return FontFile(found)
    return _other_noto_font(char)


def _other_noto_font(char: str) -> FontFile | None:
    """Return a face from the rest of the Noto folders that has char, if any."""
    for path in _noto_files():
        face = FontFile(path)
        if ord(char) in coverage(face):
            return face
    return None


@cache
def _noto_files() -> tuple[Path, ...]:
    """Return the regular faces in the Noto folders, sans-serif before serif."""
    found = [
        path
        for folder in NOTO_FOLDERS
        if folder.is_dir()
        for path in folder.glob("Noto*-Regular.*")
        if path.suffix.lower() in (".ttf", ".otf", ".ttc")
    ]
    return tuple(sorted(found, key=lambda p: ("Serif" in p.name, p.name)))


@cache
def coverage(font_file: FontFile) -> frozenset[int]:
    """Return the code points a font face has glyphs for, read from its cmap once per version.

    Reading a cmap with fontTools takes tens of milliseconds (a CJK face, a hundred), in every
    process, so what each version of a file covers is kept in the store between builds.
    """
    parts = [file_stamp(font_file.path), str(font_file.index)]
    data = stored("coverage", parts, lambda: _encoded(_cmap_points(font_file)))
    try:
        return _decoded(data)
    except ValueError:  # an entry that is not the store's own
        return frozenset(_cmap_points(font_file))


def _cmap_points(font_file: FontFile) -> list[int]:
    """Read the code points of a face's best cmap, in order."""
    from fontTools.ttLib import TTFont  # Only needed when a brief goes beyond Latin.

    with TTFont(font_file.path, fontNumber=font_file.index, lazy=True) as font:
        return sorted(font.getBestCmap() or {})


def _encoded(points: list[int]) -> bytes:
    """Write sorted code points as lines of hexadecimal ranges: ``20 7e``."""
    starts, ends = _ranges(points)
    return "".join(f"{start:x} {end:x}\n" for start, end in zip(starts, ends, strict=True)).encode()


def _decoded(data: bytes) -> frozenset[int]:
    """Read the code points back from their ranges."""
    points: list[int] = []
    for line in data.decode("ascii").splitlines():
        start, end = (int(value, 16) for value in line.split())
        points.extend(range(start, end + 1))
    return frozenset(points)


@cache
def find_font_file(name: str) -> Path | None:
    """Return the installed font file of that name, looked for in the Noto folders."""
    for folder in NOTO_FOLDERS:
        if (folder / name).is_file():
            return folder / name
    return None


@cache
def _bundled_coverage() -> frozenset[int]:
    """Return the code points the bundled fonts cover."""
    points: set[int] = set()
    for path in sorted(builtin_fonts().glob("*.ttf")):
        points.update(coverage(FontFile(path)))
    return frozenset(points)


@cache
def _system_coverage() -> tuple[list[int], list[int]]:
    """Return sorted, merged code point ranges of the system fonts the setup installs."""
    points: set[int] = set()
    for regular, _ in SYSTEM_FONTS:
        found = find_font_file(regular)
        if found is not None:
            points.update(coverage(FontFile(found)))
    return _ranges(sorted(points))


def _ranges(points: list[int]) -> tuple[list[int], list[int]]:
    """Return sorted code points as parallel lists of range starts and ends."""
    starts: list[int] = []
    ends: list[int] = []
    for point in points:
        if ends and point == ends[-1] + 1:
            ends[-1] = point
        else:
            starts.append(point)
            ends.append(point)
    return starts, ends


def _in_ranges(point: int, starts: list[int], ends: list[int]) -> bool:
    """Tell whether point falls in one of the ranges."""
    index = bisect.bisect_right(starts, point) - 1
    return index >= 0 and point <= ends[index]
