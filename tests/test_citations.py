"""Citations as every format prints them, from tests/briefs/citations/*.md and their .expect.

Each .expect holds, one a line, what the paragraphs of its brief's first section print. Every
format must print the same words: the PDF (read back with pdftotext), the EPUB, the web page
and both bodies of a message.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

import briefkit
from briefkit.model.brief import Brief
from briefkit.sources.references.citations import (
    CitationItem,
    arrange,
    bracketed,
    narrative_column,
    starts_sentence,
)
from conftest import BRIEFS
from mailserver import body
from pdftools import text

CASES = sorted((BRIEFS / "citations").glob("*.md"))


def _words(markup: str) -> str:
    """Return the text of HTML or XHTML, its tags removed and its spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", markup)).split())


def _pdf(brief: Brief, folder: Path) -> str:
    pdf = folder / "brief.pdf"
    pdf.write_bytes(briefkit.render(brief, "pdf"))
    return " ".join(text(pdf).split())


def _epub(brief: Brief, folder: Path) -> str:
    with zipfile.ZipFile(io.BytesIO(briefkit.render(brief, "epub"))) as epub:
        names = sorted(n for n in epub.namelist() if "/text-" in n)
        return _words(" ".join(epub.read(name).decode() for name in names))


def _web(brief: Brief, folder: Path) -> str:
    return _words(briefkit.render(brief, "html").decode())


def _mail(kind: str) -> Callable[[Brief, Path], str]:
    def words(brief: Brief, folder: Path) -> str:
        message = briefkit.compose_email(brief, to=["desk@example.org"], sender="a@example.org")
        shown = body(message, kind)
        return _words(shown) if kind == "html" else " ".join(shown.split())

    return words


FORMATS: dict[str, Callable[[Brief, Path], str]] = {
    "pdf": _pdf,
    "epub": _epub,
    "html": _web,
    "email-html": _mail("html"),
    "email-text": _mail("plain"),
}


@pytest.mark.slow
@pytest.mark.parametrize("shown", FORMATS, ids=list(FORMATS))
@pytest.mark.parametrize("source", CASES, ids=[p.stem for p in CASES])
def test_every_format_prints_the_same_citations(source: Path, shown: str, tmp_path: Path) -> None:
    brief = briefkit.load(source, raise_errors=True, strict=True)
    printed = FORMATS[shown](brief, tmp_path)
    at = 0
    for case in source.with_suffix(".expect").read_text(encoding="utf-8").splitlines():
        found = printed.find(case, at)
        assert found >= 0, f"{case!r} not printed in order in: {printed[at : at + 400]!r}"
        at = found + len(case)


NUMBERS = {key: number for number, key in enumerate("abcdefgh", start=1)}


@pytest.mark.parametrize(
    ("keys", "printed"),
    [
        ("a", "[1]"),
        ("ba", "[1, 2]"),
        ("cab", "[1–3]"),
        ("dcba", "[1–4]"),
        ("eba", "[1, 2, 5]"),
        ("abdeg", "[1, 2, 4, 5, 7]"),
        ("abcefgh", "[1–3, 5–8]"),
        ("aab", "[1, 2]"),
    ],
)
def test_numbers_print_in_number_order_with_runs_of_three_as_ranges(
    keys: str, printed: str
) -> None:
    parts, separator = arrange([CitationItem(key) for key in keys], NUMBERS)
    assert bracketed(parts, separator, lambda _key, number: str(number)) == printed


def test_words_of_an_item_move_with_its_number_and_part_items_with_semicolons() -> None:
    items = [
        CitationItem("e", "see", "p. 4"),
        CitationItem("c"),
        CitationItem("a"),
        CitationItem("b"),
        CitationItem("e", "", "p. 9"),
    ]
    parts, separator = arrange(items, NUMBERS)
    written = bracketed(parts, separator, lambda key, number: f"<{key}{number}>", str.upper)
    assert written == "[<a1>–<c3>; SEE <e5>, P. 4; <e5>, P. 9]"


@pytest.mark.parametrize(
    ("before", "starts"),
    [
        ("", True),
        ("The talks went well. ", True),
        ("Did they? ", True),
        ('"', True),
        ("**Note.** ", True),
        ("As ", False),
        ("see e.g. ", False),
        ("cf. ", False),
        ("the U.S. ", False),
        ("J. ", False),
        ("In 2025. ", True),
        ("(", False),
    ],
)
def test_a_sentence_starts_at_a_paragraph_or_after_a_full_stop_not_an_abbreviation(
    before: str, starts: bool
) -> None:
    assert starts_sentence(before + "@a", len(before)) is starts


@pytest.mark.parametrize(
    ("line", "column"),
    [
        ("As @a notes", 4),
        ("As [@a] and @a note", 13),
        ("[see @a, p. 4] @a", 16),
        ("@ab and @a", 9),
        ("x@a \\@a @a", 9),
        ("[@a](https://example.org/) is a link", 2),
        ("[@a] only", None),
        ("[see @b; @a] only", None),
    ],
)
def test_a_narrative_citation_is_found_where_it_stands_on_its_line(
    line: str, column: int | None
) -> None:
    assert narrative_column(line, "a") == column


def test_a_source_cited_first_in_a_heading_is_numbered_first(tmp_path: Path) -> None:
    # A reader meets the heading before the text beneath it, so its citation comes first.
    source = (
        "---\ntitle: Heading first\ndate: 2025-11-24\n"
        "sources:\n  a: {title: Source A}\n  b: {title: Source B}\n---\n\n"
        "## What B reported [@b] {.fact}\n\nAs A also reported [@a], and B [@b].\n"
    )
    brief = briefkit.load_text(source, base_dir=tmp_path, raise_errors=True, strict=True).brief
    page = _words(briefkit.render(brief, "html").decode())
    assert "As A also reported [2], and B [1]." in page
    assert page.index("Source B") < page.index("Source A")


TWICE = (
    "---\ntitle: Cited twice\ndate: 2025-11-24\n"
    "sources:\n  a: {title: Source A, url: 'https://example.org/reports/2025/a.html'}\n---\n\n"
    "## What A reported {.fact}\n\nA reported it [@a].\n\n"
    "## What A added {.fact}\n\nAnd added more [see @a, p. 4].\n"
)


def test_the_page_links_each_source_back_to_its_citations(tmp_path: Path) -> None:
    brief = briefkit.load_text(TWICE, base_dir=tmp_path, raise_errors=True, strict=True).brief
    page = html.unescape(briefkit.render(brief, "html").decode())
    assert re.findall(r'<span class="citation" id="(_cite\d+)">', page) == [
        "_cite1",
        "_cite2",
    ]
    back = re.findall(
        r'<a class="backlink" role="doc-backlink" href="([^"]+)" aria-label="([^"]+)">([^<]+)</a>',
        page,
    )
    assert back == [
        ("#_cite1", "Back to the text (1): Fact: What A reported", "1"),
        ("#_cite2", "Back to the text (2): Fact: What A added", "2"),
    ]
    # The shown address breaks after its slashes and dots; the link is the address as written.
    assert (
        'href="https://example.org/reports/2025/a.html">https://<wbr>example.<wbr>org/<wbr>'
        "reports/<wbr>2025/<wbr>a.<wbr>html</a>"
    ) in page


@pytest.mark.slow
def test_the_message_and_the_pdf_have_no_way_back_from_a_source(tmp_path: Path) -> None:
    # The message's bodies stay as they were: plain numbers, no ids; the PDF's links are as
    # its checkers passed them.
    brief = briefkit.load_text(TWICE, base_dir=tmp_path, raise_errors=True, strict=True).brief
    message = briefkit.compose_email(brief, to=["desk@example.org"], sender="a@example.org")
    for kind in ("html", "plain"):
        shown = body(message, kind)
        assert "_cite" not in shown and "backlink" not in shown
        assert "Back to the text" not in shown
    printed = _pdf(brief, tmp_path)
    assert "Back to the text" not in printed
    assert "[1]" in printed and "[see 1, p. 4]" in printed
