"""What a reader of a foreign format hands on: the main text as simple HTML, and what it knows.

Every reader (a saved web page, a Word file, plain text) produces an :class:`Extracted`; one
writer turns any of them into a brief source, so sections, kinds, front matter and clean
text are decided in one place whatever the material was.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Picture:
    """An image the material holds, by the name its <img src> uses in the HTML."""

    name: str
    data: bytes
    media_type: str


@dataclass(frozen=True)
class Extracted:
    """The main text of some material, boilerplate gone, and its metadata.

    ``html`` is a fragment of simple HTML: h1-h6, p, em/i, strong/b, a[href], ul/ol/li,
    blockquote, table/thead/tbody/tr/th/td, figure/img[src,alt]/figcaption, br, sup, and
    footnote calls as ``<a class="note" href="#NAME">`` whose text is in ``notes[NAME]`` (a
    fragment of the same HTML). Every <img src> names a ``pictures`` entry.
    """

    html: str
    source: str
    title: str | None = None
    subtitle: str | None = None
    date: dt.date | None = None
    authors: tuple[str, ...] = ()
    url: str | None = None
    publisher: str | None = None
    language: str | None = None
    notes: dict[str, str] = field(default_factory=dict)
    pictures: tuple[Picture, ...] = ()
    # What the reader removed or could not keep, for the report the command prints.
    removed: tuple[str, ...] = ()
