"""Read PDFs the way a user's tools do: poppler's pdftotext, pdfinfo, pdffonts, pdftohtml."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path


def poppler(*args: str) -> str:
    """Run a poppler tool and return its standard output."""
    return subprocess.run(list(args), capture_output=True, text=True, check=True).stdout


def text(pdf: Path) -> str:
    """Return the PDF's text in reading order, pages separated by form feeds."""
    return poppler("pdftotext", "-layout", str(pdf), "-")


def pages(pdf: Path) -> list[str]:
    """Return the text of each page."""
    return text(pdf).split("\f")[:-1]


def info(pdf: Path, *flags: str) -> dict[str, str]:
    """Return pdfinfo's fields."""
    fields = {}
    for line in poppler("pdfinfo", *flags, str(pdf)).splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return fields


def fonts(pdf: Path) -> list[list[str]]:
    """Return pdffonts' rows: name, type..., emb, sub, uni, object, id."""
    return [line.split() for line in poppler("pdffonts", str(pdf)).splitlines()[2:]]


def outline(pdf: Path) -> list[str]:
    """Return the titles of the PDF's bookmarks, in order, nested ones included."""
    xml = poppler("pdftohtml", "-xml", "-i", "-stdout", "-q", str(pdf))
    return re.findall(r'<item page="\d+">([^<]*)</item>', xml)


def xmp(pdf: Path) -> str:
    """Return the PDF's XMP metadata."""
    return poppler("pdfinfo", "-meta", str(pdf))


def attachments(pdf: Path) -> list[str]:
    """Return the names of files embedded in the PDF."""
    lines = poppler("pdfdetach", "-list", str(pdf)).splitlines()[1:]
    return [line.split(":", 1)[1].strip() for line in lines]
