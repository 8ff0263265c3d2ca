"""Draw a sober policy-brief cover with Pillow: a navy masthead band, the title and the date.

The image depends only on the text it shows and the fonts, so the same brief gives the same
PNG bytes. Text is set in the bundled Noto fonts; a character none of them has (Japanese, say)
is drawn with one of the system fonts the setup installs (``rendering.fonts``).
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from briefkit.resources import builtin_fonts
from briefkit.system.store import file_stamp, stored
from briefkit.text.fonts import FontFile, coverage, system_font_for

if TYPE_CHECKING:
    from briefkit.rendering.view import BriefView
    from briefkit.text.languages import Language

WIDTH, HEIGHT = 1600, 2560
MARGIN = 150
BAND_HEIGHT = 720
FOOTER_HEIGHT = 150
NAVY = (20, 36, 62)
INK = (20, 33, 52)
MUTED = (74, 85, 99)
PAPER = (250, 249, 246)
ON_NAVY = (255, 255, 255)
ON_NAVY_MUTED = (196, 207, 222)

# Each style tries the Latin face, then the Devanagari one, then an installed font.
_STYLES = {
    "serif-bold": (("NotoSerif-Bold.ttf", "NotoSerifDevanagari-Bold.ttf"), True),
    "sans": (("NotoSans-Regular.ttf", "NotoSansDevanagari-Regular.ttf"), False),
    "sans-bold": (("NotoSans-Bold.ttf", "NotoSansDevanagari-Bold.ttf"), True),
}
# Scripts written without spaces may break between any two characters.
_UNSPACED = r"\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
_BREAK_UNITS = re.compile(rf"[{_UNSPACED}]|[^\s{_UNSPACED}]+|\s+")

# Runs of right-to-left letters (with the marks between them), of spaces, and of the rest.
_RTL_LETTERS = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff"
_BIDI_PIECES = re.compile(rf"[{_RTL_LETTERS}]+|\s+|[^\s{_RTL_LETTERS}]+")

Colour = tuple[int, int, int]


@dataclass(frozen=True)
class CoverText:
    """The words a generated cover shows."""

    title: str
    subtitle: str | None
    organisation: str | None
    series: str | None
    date: str
    classification: str | None
    direction: str = "ltr"

    @classmethod
    def of(cls, view: BriefView) -> CoverText:
        """Take the cover's words from a brief's view."""
        meta = view.meta
        return cls(
            title=view.edition_title,
            subtitle=meta.subtitle,
            organisation=meta.organisation,
            series=view.series_line or None,
            date=view.date_text,
            classification=meta.classification,
            direction=view.language.direction,
        )


def cover_alt(text: CoverText, language: Language) -> str:
    """Describe a generated cover in words, in the brief's language, for its alt text."""
    _ = language.gettext
    parts = [_("Cover: {title}").format(title=text.title)]
    parts += [p for p in (text.organisation, text.series, text.date) if p]
    if text.classification:
        parts.append(_("Classification: {marking}").format(marking=text.classification))
    return ". ".join(parts) + "."


def render_cover(text: CoverText) -> bytes:
    """Return the cover as PNG bytes, drawn once for each text and version of its fonts.

    Drawing and compressing the image takes a third of a second, the same for every build of
    an unchanged brief, so the PNG is kept in the store (``building.store``).
    """
    return stored("covers", _cover_inputs(text), lambda: _draw_cover(text))


def _cover_inputs(text: CoverText) -> list[str]:
    """Return everything that shapes a cover: its words, the fonts that set them, and Pillow."""
    from PIL import __version__, features

    faces = {
        _runs(char, style)[0][1]
        for line, style in _styled_text(text)
        for char in set(line + "…")  # a clipped line ends with an ellipsis
    }
    stamps = sorted(f"{file_stamp(face.path)}\0{face.index}" for face in faces)
    return [repr(text), __version__, str(features.version("raqm")), *stamps]


def _styled_text(text: CoverText) -> list[tuple[str, str]]:
    """Return each piece of a cover's text with the style it is set in."""
    return [
        ((text.organisation or "").upper(), "sans-bold"),
        (text.series or "", "sans"),
        (text.title, "serif-bold"),
        (text.subtitle or "", "sans"),
        (text.date, "sans-bold"),
        ((text.classification or "").upper(), "sans-bold"),
    ]


def _draw_cover(text: CoverText) -> bytes:
    """Draw the cover and return it as PNG bytes."""
    from PIL import Image, ImageDraw  # Pillow is needed only when a cover is drawn.

    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    canvas = _Canvas(ImageDraw.Draw(image), rtl=text.direction == "rtl")
    canvas.rect((0, 0, WIDTH, BAND_HEIGHT), fill=NAVY)
    canvas.rect((0, HEIGHT - FOOTER_HEIGHT, WIDTH, HEIGHT), fill=NAVY)
    _draw_masthead(canvas, text)
    bottom = _draw_title(canvas, text)
    _draw_subtitle(canvas, text, bottom)
    _draw_dateline(canvas, text)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False, compress_level=6)
    return out.getvalue()


def _draw_masthead(canvas: _Canvas, text: CoverText) -> None:
    """Write the organisation and series in the navy band."""
    if text.organisation:
        lines = _clip(_wrap(text.organisation.upper(), "sans-bold", 72, WIDTH - 2 * MARGIN), 2)
        for number, line in enumerate(lines):
            canvas.line((MARGIN, 250 + 96 * number), line, "sans-bold", 72, ON_NAVY)
        rule = 250 + 96 * (len(lines) - 1) + 60
        canvas.rect((MARGIN, rule, MARGIN + 220, rule + 8), fill=ON_NAVY_MUTED)
    if text.series:
        # The series sits at the foot of the band, just above the title.
        lines = _clip(_wrap(text.series, "sans", 50, WIDTH - 2 * MARGIN), 2)
        baseline = BAND_HEIGHT - 110 - 70 * (len(lines) - 1)
        for line in lines:
            canvas.line((MARGIN, baseline), line, "sans", 50, ON_NAVY_MUTED)
            baseline += 70


def _draw_title(canvas: _Canvas, text: CoverText) -> int:
    """Set the title as large as fits in seven lines; return the last baseline."""
    width = WIDTH - 2 * MARGIN
    size = 136
    lines = _wrap(text.title, "serif-bold", size, width)
    while size > 72 and (len(lines) > 7 or _widest(lines, "serif-bold", size) > width):
        size -= 8
        lines = _wrap(text.title, "serif-bold", size, width)
    lines = _clip(lines, 7)
    baseline = BAND_HEIGHT + 120 + size
    for line in lines:
        canvas.line((MARGIN, baseline), line, "serif-bold", size, INK)
        baseline += round(size * 1.2)
    return baseline - round(size * 1.2)


def _draw_subtitle(canvas: _Canvas, text: CoverText, title_bottom: int) -> None:
    """Set the subtitle under the title, stopping above the dateline."""
    if not text.subtitle:
        return
    baseline = title_bottom + 130
    room = max(0, (HEIGHT - 620 - baseline) // 76 + 1)
    for line in _clip(_wrap(text.subtitle, "sans", 54, WIDTH - 2 * MARGIN), room):
        canvas.line((MARGIN, baseline), line, "sans", 54, MUTED)
        baseline += 76


def _draw_dateline(canvas: _Canvas, text: CoverText) -> None:
    """Draw a rule, the date, and the classification in a box: right of the date, or below."""
    rule = HEIGHT - 500
    canvas.rect((MARGIN, rule, WIDTH - MARGIN, rule + 5), fill=INK)
    baseline = rule + 130
    canvas.line((MARGIN, baseline), text.date, "sans-bold", 58, INK)
    if not text.classification:
        return
    marking = text.classification.upper()
    size = 44
    while size > 24 and _line_width(marking, "sans-bold", size) + 56 > WIDTH - 2 * MARGIN:
        size -= 4
    box = _line_width(marking, "sans-bold", size) + 56
    left = WIDTH - MARGIN - box
    if left < MARGIN + _line_width(text.date, "sans-bold", 58) + 60:
        left, baseline = MARGIN, baseline + 130
    canvas.rect((left, baseline - 64, left + box, baseline + 24), outline=INK, width=5)
    canvas.line((left + 28, baseline), marking, "sans-bold", size, INK)


class _Canvas:
    """A Pillow drawing that mirrors the layout, right for left, for a right-to-left cover."""

    def __init__(self, draw: Any, rtl: bool) -> None:
        self.draw = draw
        self.rtl = rtl

    def rect(self, box: tuple[int, int, int, int], **style: Any) -> None:
        """Draw a rectangle, mirrored in a right-to-left layout."""
        left, top, right, bottom = box
        if self.rtl:
            left, right = WIDTH - right, WIDTH - left
        self.draw.rectangle((left, top, right, bottom), **style)

    def line(self, origin: tuple[int, int], line: str, style: str, size: int, fill: Colour) -> None:
        """Draw one line on a baseline, each run of script in a font that has it.

        In a right-to-left layout the line ends where a left-to-right one would start, and its
        runs are set from right to left, each in its own direction.
        """
        x, y = origin
        runs = _runs(line, style)
        if self.rtl:
            x = WIDTH - x - _line_width(line, style, size)
            runs = _visual_order(
                [(piece, face) for run, face in runs for piece in _BIDI_PIECES.findall(run)]
            )
        for run, font_file in runs:
            font = _font(font_file, size)
            shaping = {"direction": "rtl" if _right_to_left(run) else "ltr"} if _can_shape() else {}
            self.draw.text((x, y), run, font=font, fill=fill, anchor="ls", **shaping)
            x += round(font.getlength(run, **shaping))


def _visual_order(pieces: list[tuple[str, FontFile]]) -> list[tuple[str, FontFile]]:
    """Order a right-to-left line's pieces from left to right as they are seen.

    Right-to-left words and the spaces between them are reversed; a stretch of left-to-right
    text (a number, a Latin name), spaces inside it included, keeps its own order.
    """
    blocks: list[list[tuple[str, FontFile]]] = []
    for index, piece in enumerate(pieces):
        text = piece[0]
        following = next((p[0] for p in pieces[index + 1 :] if not p[0].isspace()), "")
        inside = text.isspace() and _left_to_right(following) and _open_stretch(blocks)
        if (_left_to_right(text) or inside) and _open_stretch(blocks):
            blocks[-1].append(piece)
        else:
            blocks.append([piece])
    return [piece for block in reversed(blocks) for piece in block]


def _left_to_right(text: str) -> bool:
    """Tell whether a piece is left-to-right text (not a space, not right-to-left letters)."""
    return bool(text) and not text.isspace() and not _right_to_left(text)


def _open_stretch(blocks: list[list[tuple[str, FontFile]]]) -> bool:
    """Tell whether the last block is a left-to-right stretch that may go on."""
    return bool(blocks) and _left_to_right(blocks[-1][0][0])


def _right_to_left(run: str) -> bool:
    """Tell whether a run of text is written right to left (Arabic, Hebrew)."""
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in run)


@cache
def _can_shape() -> bool:
    """Tell whether Pillow can shape text and set its direction."""
    from PIL import features

    return bool(features.check("raqm"))


def _wrap(text: str, style: str, size: int, width: int) -> list[str]:
    """Break text into lines no wider than width, at spaces or between CJK characters."""
    lines: list[str] = []
    current = ""
    for unit in _BREAK_UNITS.findall(" ".join(text.split())):
        candidate = current + unit
        if current.strip() and _line_width(candidate.rstrip(), style, size) > width:
            lines.append(current.rstrip())
            current = unit.lstrip()
        else:
            current = candidate
    if current.strip():
        lines.append(current.rstrip())
    return lines


def _clip(lines: list[str], most: int) -> list[str]:
    """Keep at most that many lines, ending the last with an ellipsis if text was left out."""
    kept = lines[: max(most, 0)]
    if kept and len(lines) > len(kept):
        kept[-1] = kept[-1].rstrip(" ,;:.") + "…"
    return kept


def _widest(lines: list[str], style: str, size: int) -> int:
    """Return the width of the widest line."""
    return max((_line_width(line, style, size) for line in lines), default=0)


def _line_width(line: str, style: str, size: int) -> int:
    """Return the drawn width of a line."""
    return sum(round(_font(f, size).getlength(run)) for run, f in _runs(line, style))


def _runs(line: str, style: str) -> list[tuple[str, FontFile]]:
    """Split a line into runs that one font can draw; spaces stay with the run they are in."""
    faces, bold = _STYLES[style]
    chain = [FontFile(builtin_fonts() / name) for name in faces]
    runs: list[tuple[str, FontFile]] = []
    for char in line:
        current = runs[-1][1] if runs else None
        if current is not None and (char.isspace() or ord(char) in coverage(current)):
            runs[-1] = (runs[-1][0] + char, current)
            continue
        font_file = next((f for f in chain if ord(char) in coverage(f)), None)
        font_file = font_file or system_font_for(char, bold) or chain[0]
        runs.append((char, font_file))
    return runs


@cache
def _font(font_file: FontFile, size: int) -> Any:
    """Load a font face at a size, with complex-script shaping where Pillow has it."""
    from PIL import ImageFont, features

    engine = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
    return ImageFont.truetype(
        str(font_file.path), size, index=font_file.index, layout_engine=engine
    )
