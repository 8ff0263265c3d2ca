"""A figure's width as a brief asks for it: a share of the text's width, or a length on paper.

A source writes it as pandoc does, ``![alt](chart.png){width=60%}``; it is read here into
numbers and a unit, and every output writes its own markup from those, never from the text a
source wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class WidthUnit(StrEnum):
    """A unit a figure's width may be given in: pandoc's, spelled as CSS spells them."""

    PERCENT = "%"
    MILLIMETRE = "mm"
    CENTIMETRE = "cm"
    INCH = "in"
    PIXEL = "px"


# Millimetres in one of each length; a pixel is CSS's and pandoc's, a 96th of an inch.
_MILLIMETRES = {
    WidthUnit.MILLIMETRE: Decimal(1),
    WidthUnit.CENTIMETRE: Decimal(10),
    WidthUnit.INCH: Decimal("25.4"),
    WidthUnit.PIXEL: Decimal("25.4") / 96,
}
# A figure is at most as wide as the text. A length over it is drawn at the text's width; one
# over a metre is no page's and a slip of the keyboard. Under 1 mm or 1 % nothing can be seen.
MOST_PERCENT = Decimal(100)
LEAST_PERCENT = Decimal(1)
MOST_MILLIMETRES = Decimal(1000)
LEAST_MILLIMETRES = Decimal(1)
# Digits, an optional fraction, then letters or %: bounded, so a width is read in one step.
_WRITTEN = re.compile(r"(?P<number>\d{1,7}(?:\.\d{1,4})?|\.\d{1,4})(?P<unit>[A-Za-z%]{0,8})")
_ALIASES = {"inch": WidthUnit.INCH}
UNITS_NAMED = "%, mm, cm, in or px"
EXAMPLES = "a share of the text's width such as width=60%, or a length such as width=12cm"


class WidthError(ValueError):
    """A width a source wrote that cannot be used; the message says why."""


@dataclass(frozen=True)
class FigureWidth:
    """A width within the limits: more than nothing, and at most the text's or a metre."""

    amount: Decimal
    unit: WidthUnit

    def __post_init__(self) -> None:
        """Refuse a width outside the limits, however it was made."""
        problem = _out_of_range(self.amount, self.unit)
        if problem:
            raise WidthError(problem)

    @property
    def share(self) -> Decimal | None:
        """Return the share of the text's width (0.6 for 60 %), or None for a length."""
        return self.amount / 100 if self.unit is WidthUnit.PERCENT else None

    @property
    def millimetres(self) -> Decimal | None:
        """Return the length in millimetres, or None for a share of the text's width."""
        scale = _MILLIMETRES.get(self.unit)
        return None if scale is None else self.amount * scale

    def pixels_in(self, column: int) -> Decimal:
        """Return the CSS pixels (96 an inch) it spans in a column that many pixels wide."""
        if self.unit is WidthUnit.PERCENT:
            return self.amount / 100 * column
        return self.amount * _MILLIMETRES[self.unit] / _MILLIMETRES[WidthUnit.PIXEL]

    @property
    def number(self) -> str:
        """Return the amount as plain digits, without exponent or trailing zeros: 60, 12.5."""
        text = format(self.amount.normalize(), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text


def parse_width(written: str) -> FigureWidth:
    """Read a width as a source wrote it (60%, 12cm, 3in, 80mm, 600px), or say what is wrong."""
    text = written.strip()
    match = _WRITTEN.fullmatch(text)
    if match is None:
        lead = "must be more than 0" if text.startswith("-") else "is not a width"
        raise WidthError(f"{lead}: write {EXAMPLES}")
    unit = _unit(match["unit"], match["number"])
    return FigureWidth(Decimal(match["number"]), unit)


def _unit(written: str, number: str) -> WidthUnit:
    """Return the unit a width names, or say which ones may be used."""
    if not written:
        raise WidthError(
            f"has no unit: write width={number}% for a share of the text's width, or a length "
            f"in mm, cm, in or px (width={number}mm)"
        )
    name = written.lower()
    if name in _ALIASES:
        return _ALIASES[name]
    try:
        return WidthUnit(name)
    except ValueError:
        message = f"is in '{written}', which briefkit does not take: use {UNITS_NAMED}"
        raise WidthError(message) from None


def _out_of_range(amount: Decimal, unit: WidthUnit) -> str | None:
    """Return why an amount is too small or too large for its unit, or None."""
    if not amount.is_finite() or amount <= 0:
        return "must be more than 0"
    if unit is WidthUnit.PERCENT:
        if amount > MOST_PERCENT:
            return "is more than 100%: a figure is at most as wide as the text (width=100%)"
        if amount < LEAST_PERCENT:
            return "is less than 1% of the text's width: too narrow to be seen"
        return None
    length = amount * _MILLIMETRES[unit]
    if length > MOST_MILLIMETRES:
        return "is more than a metre: no page is that wide (width=100% is the text's width)"
    if length < LEAST_MILLIMETRES:
        return "is less than 1 mm: too narrow to be seen"
    return None
