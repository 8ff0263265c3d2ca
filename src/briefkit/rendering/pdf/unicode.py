"""The characters a font's glyphs draw, for glyphs a PDF's ToUnicode map would leave empty.

When shaping draws one cluster of text with several glyphs (a Devanagari ``वि`` is the vowel
sign drawn first, then the consonant), WeasyPrint gives the cluster's text to one glyph and
none to the others, so the ToUnicode map has empty entries, which PDF/UA-1 forbids (7.21.7:
every glyph maps to Unicode). Such a glyph gets what the font says it draws: the character
its ``cmap`` gives it, else the one its name spells (``uni093F.01`` is U+093F), else that of
the glyph a substitution made it from. The text the cluster spells is carried whole by the
marked content's ``ActualText`` (``pdf_text``), so readers get the words, not the glyphs.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

# What a glyph the font gives no character maps to: "a character not known".
UNKNOWN = "\ufffd"
_ROUNDS = 4  # substitutions that feed substitutions: a variant of a half form of a conjunct


def glyph_characters(data: bytes, index: int, glyphs: Iterable[int]) -> dict[int, str]:
    """Return the characters each of the glyphs (by id) draws, as the font names them."""
    from fontTools.agl import toUnicode
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(data), fontNumber=index, lazy=True)
    order = font.getGlyphOrder()
    known: dict[str, str] = {}
    for point, name in sorted(font.getBestCmap().items(), reverse=True):
        known[name] = chr(point)  # the lowest code point wins
    wanted = [order[glyph] for glyph in glyphs if 0 < glyph < len(order)]
    for name in wanted:
        if name not in known and (spelt := toUnicode(name)):
            known[name] = spelt
    if any(name not in known for name in wanted):
        _follow_substitutions(font, known)
    return {
        glyph: known.get(order[glyph], UNKNOWN) if 0 < glyph < len(order) else UNKNOWN
        for glyph in glyphs
    }


def _follow_substitutions(font: Any, known: dict[str, str]) -> None:
    """Give glyphs that substitutions make the characters of the glyphs they replace."""
    if "GSUB" not in font or font["GSUB"].table.LookupList is None:
        return
    made: list[tuple[str, list[str]]] = []
    for lookup in font["GSUB"].table.LookupList.Lookup:
        for table in lookup.SubTable:
            made.extend(_substitutions(getattr(table, "ExtSubTable", table)))
    for _ in range(_ROUNDS):
        learnt = False
        for output, inputs in made:
            if output not in known and all(name in known for name in inputs):
                known[output] = "".join(known[name] for name in inputs)
                learnt = True
        if not learnt:
            return


def _substitutions(table: Any) -> list[tuple[str, list[str]]]:
    """Return each glyph a substitution table makes, with the glyphs it makes it from."""
    if hasattr(table, "mapping"):  # single substitution; a multiple one maps to a list
        # The glyphs one glyph splits into share its characters, not one each: left unknown.
        return [(out, [name]) for name, out in table.mapping.items() if isinstance(out, str)]
    if hasattr(table, "alternates"):
        return [(out, [name]) for name, outs in table.alternates.items() for out in outs]
    if hasattr(table, "ligatures"):
        return [
            (ligature.LigGlyph, [first, *ligature.Component])
            for first, ligatures in table.ligatures.items()
            for ligature in ligatures
        ]
    return []
