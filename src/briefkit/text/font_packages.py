"""The Debian package whose fonts draw a character, for pointing a user at what to install.

The table is data, one row a run of Unicode blocks: a block is listed under the Debian package
whose Noto fonts have glyphs for three quarters or more of its characters. It was measured
from the cmaps of Debian 12's fonts-noto-core and fonts-noto-extra (20201225), fonts-noto-cjk
and fonts-noto-color-emoji: fonts-noto-extra holds further weights and widths of scripts
fonts-noto-core already draws, so no block is its own. A block no package draws (CJK
Extension G, Khitan Small Script, Kana Supplement...) is not listed.
"""

from __future__ import annotations

import bisect

from briefkit.text.fonts import find_font_file, missing_glyphs

_CORE = "fonts-noto-core"
_CJK = "fonts-noto-cjk"
_EMOJI = "fonts-noto-color-emoji"
# A file each package installs: once it is there, installing the package again draws nothing new.
_INSTALLS = {
    _CORE: "NotoNaskhArabic-Regular.ttf",
    _CJK: "NotoSansCJK-Regular.ttc",
    _EMOJI: "NotoColorEmoji.ttf",
}

# First and last code point of each run of blocks, sorted and apart, and its package.
PACKAGE_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0250, 0x085F, _CORE),
    (0x08A0, 0x10FF, _CORE),
    (0x1100, 0x11FF, _CJK),
    (0x1200, 0x1AAF, _CORE),
    (0x1B00, 0x245F, _CORE),
    (0x2460, 0x259F, _CJK),
    (0x25A0, 0x2E7F, _CORE),
    (0x2E80, 0x2FDF, _CJK),
    (0x2FF0, 0x4DBF, _CJK),
    (0x4DC0, 0x4DFF, _CORE),
    (0x4E00, 0x9FFF, _CJK),
    (0xA000, 0xA95F, _CORE),
    (0xA960, 0xA97F, _CJK),
    (0xA980, 0xABFF, _CORE),
    (0xAC00, 0xD7FF, _CJK),
    (0xF900, 0xFAFF, _CJK),
    (0xFB00, 0xFDFF, _CORE),
    (0xFE10, 0xFE1F, _CJK),
    (0xFE20, 0xFE2F, _CORE),
    (0xFE30, 0xFE6F, _CJK),
    (0xFE70, 0xFEFF, _CORE),
    (0xFF00, 0xFFEF, _CJK),
    (0xFFF0, 0x101FF, _CORE),
    (0x10280, 0x103DF, _CORE),
    (0x10400, 0x1056F, _CORE),
    (0x10600, 0x1077F, _CORE),
    (0x10800, 0x108AF, _CORE),
    (0x108E0, 0x1093F, _CORE),
    (0x10980, 0x10A9F, _CORE),
    (0x10AC0, 0x10BAF, _CORE),
    (0x10C00, 0x10C4F, _CORE),
    (0x10C80, 0x10D3F, _CORE),
    (0x10E60, 0x10EBF, _CORE),
    (0x10F00, 0x10F6F, _CORE),
    (0x10FE0, 0x1124F, _CORE),
    (0x11280, 0x1137F, _CORE),
    (0x11400, 0x114DF, _CORE),
    (0x11580, 0x116CF, _CORE),
    (0x11700, 0x1174F, _CORE),
    (0x11800, 0x1184F, _CORE),
    (0x118A0, 0x118FF, _CORE),
    (0x11A00, 0x11AAF, _CORE),
    (0x11AC0, 0x11AFF, _CORE),
    (0x11C00, 0x11CBF, _CORE),
    (0x11D00, 0x11DAF, _CORE),
    (0x11FC0, 0x1254F, _CORE),
    (0x13000, 0x1342F, _CORE),
    (0x14400, 0x1467F, _CORE),
    (0x16800, 0x16A6F, _CORE),
    (0x16AD0, 0x16B8F, _CORE),
    (0x16E40, 0x16E9F, _CORE),
    (0x16F00, 0x16F9F, _CORE),
    (0x17000, 0x18AFF, _CORE),
    (0x1B170, 0x1B2FF, _CORE),
    (0x1BC00, 0x1BCAF, _CORE),
    (0x1D000, 0x1D24F, _CORE),
    (0x1D2E0, 0x1D37F, _CORE),
    (0x1D400, 0x1DAAF, _CORE),
    (0x1E000, 0x1E02F, _CORE),
    (0x1E100, 0x1E14F, _CORE),
    (0x1E2C0, 0x1E2FF, _CORE),
    (0x1E800, 0x1E8DF, _CORE),
    (0x1E900, 0x1E95F, _CORE),
    (0x1EC70, 0x1ECBF, _CORE),
    (0x1EE00, 0x1EEFF, _CORE),
    (0x1F000, 0x1F0FF, _CORE),
    (0x1F100, 0x1F2FF, _CJK),
    (0x1F300, 0x1F64F, _EMOJI),
    (0x1F650, 0x1F67F, _CORE),
    (0x1F680, 0x1F6FF, _EMOJI),
    (0x1F700, 0x1F8FF, _CORE),
    (0x1F900, 0x1F9FF, _EMOJI),
    (0x1FA00, 0x1FA6F, _CORE),
    (0x1FA70, 0x1FAFF, _EMOJI),
    (0x1FB00, 0x1FBFF, _CORE),
)
_STARTS = [start for start, _, _ in PACKAGE_RANGES]


def package_to_install(char: str) -> str | None:
    """Return the Debian package that would draw char, if one is known and not installed.

    A package already installed that still lacks char covers most of its block, not all.
    """
    package = package_for(char)
    return package if package and find_font_file(_INSTALLS[package]) is None else None


def package_for(char: str) -> str | None:
    """Return the Debian package whose fonts draw char's Unicode block, if one is known."""
    index = bisect.bisect_right(_STARTS, ord(char)) - 1
    if index < 0:
        return None
    _, end, package = PACKAGE_RANGES[index]
    return package if ord(char) <= end else None


def remedy(char: str) -> str:
    """Say what would draw char: the package to install, a font fontconfig missed, or nothing."""
    package = package_to_install(char)
    if package:
        return f"install Debian's {package}, which draws it"
    if not missing_glyphs(char):
        return "a font installed here draws it, but the renderer's fontconfig does not list it"
    return "none of Debian's Noto font packages draws it"
