"""Words in another language, [नरेन्द्र मोदी]{lang=hi}, marked as such in every format."""

from __future__ import annotations

import datetime as dt
import re
import zlib

import pytest

from briefkit.config import find_workspace
from briefkit.model.choices import Format
from briefkit.rendering.render import Renderer, RenderOptions
from briefkit.rendering.theme import Theme
from briefkit.rendering.view import Edition
from test_epub import MULTILINGUAL, XML_LANG, Epub, load, rendered, text
from test_web import page

pytestmark = pytest.mark.slow

NAMES = [("hi", "नरेन्द्र मोदी"), ("ja", "高市早苗")]


def test_epub_marks_each_span_with_lang_and_xml_lang() -> None:
    root = Epub(rendered(MULTILINGUAL)).xhtml("section-01.xhtml")
    spans = [(s.get("lang"), s.get(XML_LANG), text(s)) for s in root.iter() if s.get("lang")]
    # The document's own language, then the names in the paragraph and in the table.
    assert spans[0][:2] == ("en-GB", "en-GB")
    assert [(lang, name) for lang, _, name in spans[1:]] == NAMES * 2
    assert all(lang == xml_lang for lang, xml_lang, _ in spans)


def test_html_marks_each_span_with_lang() -> None:
    html = page(MULTILINGUAL).decode()
    found = re.findall(r'<span lang="([^"]+)">([^<]+)</span>', html)
    assert found == NAMES * 2
    assert "xml:lang" not in html


def structure_text(pdf: bytes) -> bytes:
    """Return the PDF's streams inflated, where its tags (in object streams) are."""
    out = b""
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            out += zlib.decompressobj().decompress(pdf[match.end() :])
        except zlib.error:
            continue
    return out


def test_pdf_tags_carry_each_span_language() -> None:
    brief = load(MULTILINGUAL)
    workspace = find_workspace(brief.folder)
    edition = Edition(workspace.config.labels, dt.datetime(2025, 11, 24, tzinfo=dt.UTC))
    renderer = Renderer(Theme.for_workspace(workspace))
    pdf = renderer.render(brief, Format.PDF, edition, RenderOptions()).data
    tags = structure_text(pdf)
    spans = re.findall(rb"/S /Span[^>]*?/Lang \(([a-z-]+)\)", tags)
    assert sorted(set(spans)) == [b"hi", b"ja"]
    assert len(spans) >= 4  # in the paragraph and in the table, each once at least
