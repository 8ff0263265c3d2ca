"""Take a converted draft's title block (title, subtitle, authors, date) out of its text."""

from __future__ import annotations

import datetime as dt
from typing import Any

# How a byline's Date paragraph may write its date; any other leaves the file's own date.
DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%B %d, %Y", "%d %b %Y", "%b %d, %Y")


def take_text(root: Any, xpath: str) -> str | None:
    """Remove the elements an XPath finds; return their text joined, or None if none."""
    return " ".join(take_each(root, xpath)) or None


def take_each(root: Any, xpath: str) -> tuple[str, ...]:
    """Remove the elements an XPath finds; return each one's text, empty ones left out."""
    found = root.xpath(xpath)
    texts = [" ".join(element.text_content().split()) for element in found]
    for element in found:
        element.drop_tree()
    return tuple(text for text in texts if text)


def written_date(text: str | None) -> dt.date | None:
    """Return the date a byline writes (2025-11-23, 23 November 2025, November 23, 2025)."""
    if not text:
        return None
    for written in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, written).date()
        except ValueError:
            continue
    return None
