"""Find characters that neither the bundled fonts nor the machine's fonts can draw."""

from __future__ import annotations

import bisect
import shutil
import subprocess
import unicodedata
from functools import cache

from briefkit.resources import builtin_fonts

# Scripts below U+0250 and general punctuation are covered by the bundled Noto Serif.
_ALWAYS_COVERED = 0x0250
_PUNCTUATION = range(0x2000, 0x2070)
_SILENT = {"Cc", "Cf", "Zs", "Zl", "Zp", "Co", "Cn"}


def missing_glyphs(text: str) -> list[str]:
    """Return the characters of text that no available font has, in code point order."""
    candidates = sorted(
        c
        for c in set(text)
        if ord(c) >= _ALWAYS_COVERED
        and ord(c) not in _PUNCTUATION
        and unicodedata.category(c) not in _SILENT
    )
    if not candidates:
        return []
    bundled = _bundled_coverage()
    remaining = [c for c in candidates if ord(c) not in bundled]
    if not remaining:
        return []
    starts, ends = _system_coverage()
    return [c for c in remaining if not _in_ranges(ord(c), starts, ends)]


@cache
def _bundled_coverage() -> frozenset[int]:
    """Return the code points the bundled fonts cover."""
    from fontTools.ttLib import TTFont  # Only needed when a brief goes beyond Latin.

    points: set[int] = set()
    for path in sorted(builtin_fonts().glob("*.ttf")):
        with TTFont(path, lazy=True) as font:
            points.update(font.getBestCmap() or {})
    return frozenset(points)


@cache
def _system_coverage() -> tuple[list[int], list[int]]:
    """Return sorted, merged code point ranges of every font fontconfig knows."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return [], []
    result = subprocess.run(
        [fc_list, "--format", "%{charset}\n"], capture_output=True, text=True, check=False
    )
    ranges: list[tuple[int, int]] = []
    for line in result.stdout.splitlines():
        for part in line.split():
            low, _, high = part.partition("-")
            try:
                ranges.append((int(low, 16), int(high or low, 16)))
            except ValueError:
                continue
    return _merge(ranges)


def _merge(ranges: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Merge overlapping ranges into parallel lists of starts and ends."""
    starts: list[int] = []
    ends: list[int] = []
    for low, high in sorted(ranges):
        if ends and low <= ends[-1] + 1:
            ends[-1] = max(ends[-1], high)
        else:
            starts.append(low)
            ends.append(high)
    return starts, ends


def _in_ranges(point: int, starts: list[int], ends: list[int]) -> bool:
    """Tell whether point falls in one of the ranges."""
    index = bisect.bisect_right(starts, point) - 1
    return index >= 0 and point <= ends[index]
