"""Words in another language, [नरेन्द्र मोदी]{lang=hi}, marked as such in every format."""

from __future__ import annotations

import re

import pytest

from test_epub import MULTILINGUAL, XML_LANG, Epub, rendered, text
from test_web import page

pytestmark = pytest.mark.slow

NAMES = [("hi", "नरेन्द्र मोदी"), ("ja", "高市早苗")]


def test_epub_marks_each_span_with_lang_and_xml_lang() -> None:
    root = Epub(rendered(MULTILINGUAL)).xhtml("text-01.xhtml")
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


# The PDF's tags carry the same languages: tests/test_pdf_tags.py walks the structure tree.
