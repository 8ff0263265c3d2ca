"""Read a saved web page: its main text through trafilatura, its metadata, its local images.

trafilatura, a well-kept extraction library, finds the article among the navigation,
headers and footers, cookie banners, share buttons, comments, scripts and styles of a page;
it also reads the page's metadata (title, date, authors, canonical address, site name)
from ``<title>``, Open Graph, ``article:published_time`` and JSON-LD. Nothing is fetched:
images come from files beside the page (see :mod:`pictures`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import lxml.html  # type: ignore[import-untyped]
from lxml.etree import _Element  # type: ignore[import-untyped]

from briefkit.commands.importing.clean import READING_TIME
from briefkit.commands.importing.extracted import Extracted
from briefkit.commands.importing.pictures import local_pictures
from briefkit.errors import BriefkitError
from briefkit.files import read_regular

# A saved article with its inline scripts and styles is rarely over 3 MB.
MAX_PAGE_BYTES = 10 * 1024 * 1024
# Lines that say how long a page takes to read sit among the article's own paragraphs, so the
# extraction keeps them; they are known by their class, or by their words (READING_TIME).
_READING_TIME_CLASSES = ("reading-time", "read-time", "readtime", "reading_time")


def read_page(path: Path) -> Extracted:
    """Return the main text and metadata of a saved .html or .htm page."""
    import trafilatura
    from trafilatura.readability_lxml import is_probably_readerable
    from trafilatura.utils import load_html

    tree = load_html(read_regular(path, MAX_PAGE_BYTES))
    # Readability's test (paragraphs of some length, outside navigation and banners) tells
    # an article from a page of links, where extraction would take the menu for the text.
    if tree is None or not is_probably_readerable(tree):
        raise _no_main_text(path)
    language = tree.get("lang")
    meta = trafilatura.extract_metadata(tree)
    found = trafilatura.extract(
        tree,
        output_format="html",
        include_comments=False,
        include_tables=True,
        include_images=True,
        include_formatting=True,
        include_links=True,
        deduplicate=True,
        prune_xpath=[_class_xpath(name) for name in _READING_TIME_CLASSES],
    )
    body = _body(found)
    if body is None:
        raise _no_main_text(path)
    html, removed = _fragment(body)
    pictures, left = local_pictures([img.get("src") or "" for img in body.iter("img")], path.parent)
    return Extracted(
        html=html,
        source=str(path),
        title=meta.title or None,
        date=_date(meta.date),
        authors=tuple(name.strip() for name in (meta.author or "").split(";") if name.strip()),
        url=meta.url or None,
        publisher=meta.sitename or None,
        language=language.strip() if language and language.strip() else None,
        pictures=pictures,
        removed=(*removed, *left),
    )


def _no_main_text(path: Path) -> BriefkitError:
    """Return the error of a page with no article in it."""
    return BriefkitError(
        f"{path}: no main text found: no paragraphs of an article, only navigation, "
        "banners or links; save the article's own page"
    )


def _class_xpath(name: str) -> str:
    """Return an XPath for elements of a class."""
    return f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]"


def _body(found: str | None) -> _Element | None:
    """Return the body of trafilatura's HTML, or None when it holds no text."""
    if not found:
        return None
    body = lxml.html.document_fromstring(found).body
    return body if body is not None and body.text_content().strip() else None


def _fragment(body: _Element) -> tuple[str, list[str]]:
    """Return the body's content as an HTML fragment, reading-time lines taken out."""
    removed: list[str] = []
    for paragraph in list(body.iter("p")):
        text = paragraph.text_content()
        if READING_TIME.match(text):
            removed.append(f"reading-time line '{text.strip()}'")
            paragraph.drop_tree()
    parts = [lxml.html.tostring(child, encoding="unicode") for child in body]
    return (body.text or "") + "".join(parts), removed


def _date(text: str | None) -> dt.date | None:
    """Return the date trafilatura found (YYYY-MM-DD), or None."""
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None
