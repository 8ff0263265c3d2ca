"""Turn titles into ASCII names: file names for new briefs and anchors for sections."""

from __future__ import annotations

import re
import unicodedata

MAX_SLUG = 60
# Letters that Unicode does not decompose into a base letter and an accent.
_FOLD = str.maketrans(
    {"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE", "đ": "d"}
    | {"Đ": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D", "ı": "i"}
)
_APOSTROPHES = re.compile(r"['’ʼ]")


def slug(title: str) -> str:
    """Return an ASCII file name stem for a title: "India–Japan talks" gives india-japan-talks."""
    folded = unicodedata.normalize("NFKD", _APOSTROPHES.sub("", title).translate(_FOLD))
    kept = "".join(
        c.lower() if c.isascii() and c.isalnum() else "-"
        for c in folded
        if not unicodedata.combining(c)
    )
    words = [w for w in kept.split("-") if w]
    text = ""
    for word in words:
        longer = f"{text}-{word}" if text else word
        if len(longer) > MAX_SLUG:
            break
        text = longer
    return text or (words[0][:MAX_SLUG] if words else "")
