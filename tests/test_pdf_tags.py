"""The PDF's tags hold what PDF/UA-1 asks, read back with pikepdf and checked with pdfua."""

from __future__ import annotations

import re
from pathlib import Path

import page
import pytest
from pdfua import validate
from pikepdf import Name, Stream

import briefkit
from conftest import MINIMAL, ROOT, build_samples, write
from pdftags import (
    attribute,
    elements,
    empty_headings,
    links_outside_link_elements,
    list_problems,
    marked_content,
    open_pdf,
    orphans,
    parent_tree_mismatches,
    tree,
    unmapped_glyphs,
)
from pdftools import attachments, poppler, xmp

pytestmark = pytest.mark.slow

# pdfua 0.1.3's empty-heading rule stops on any heading whose /K is an array (it asks a
# pikepdf Array for an attribute); pdftags.empty_headings makes the same check instead.
PDFUA_CANNOT_RUN = {"UA-14-001"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Build every sample once, and the first one again as PDF/A-3b."""
    root = tmp_path_factory.mktemp("tags")
    report = build_samples(root)
    assert report.ok and not any(r.warnings for r in report.results)
    a3b = build_samples(
        root,
        paths=[root / "briefings" / "india-japan-2025-11.md"],
        pdf_variant="a-3b",
        out=root / "a3b",
    )
    assert a3b.ok
    outputs = {r.outputs[0].stem: r.outputs[0] for r in report.results}
    outputs["a-3b"] = a3b.results[0].outputs[0]
    return outputs


def test_every_marked_content_is_an_artifact_or_in_the_tree(built: dict[str, Path]) -> None:
    for name, path in built.items():
        with open_pdf(path) as pdf:
            assert orphans(pdf) == [], name
            assert parent_tree_mismatches(pdf) == [], name
            # Running heads, footers and rules are there, as artifacts, on every page.
            assert all(page.artifacts for page in marked_content(pdf)), name


def test_running_heads_and_leader_dots_are_not_read(built: dict[str, Path]) -> None:
    structure = poppler("pdfinfo", "-struct-text", str(built["india-japan-2025-11"]))
    assert "Page 2 of" not in structure and "India–Japan at the G20" not in structure
    assert '". "' not in structure  # the contents' leader dots
    assert re.search(r'"Johannesburg"\s+(Object \d+ 0\s+)*(Span \(inline\)\s+)?"\d+"', structure)


def test_one_tree_for_the_document_not_one_a_page(built: dict[str, Path]) -> None:
    with open_pdf(built["india-japan-2025-11"]) as pdf:
        assert len(pdf.pages) > 2
        (document,) = tree(pdf).kids
        parts = [e for e in document.walk() if e.role == "Part"]
        assert len(parts) == 1 and len(parts[0].pages) > 1
        # Seven sections, summary, key points, sources and the reference to cite: each once,
        # whatever the pages.
        assert len(elements(pdf, "Sect")) == 11


def test_footnotes_are_notes_beside_their_calls(built: dict[str, Path]) -> None:
    with open_pdf(built["talent-mobility-2025-11"]) as pdf:
        notes = elements(pdf, "Note")
        assert len(notes) == 2
        assert [str(n.obj.ID) for n in notes] == ["note-1", "note-2"]
        for element in tree(pdf).walk():
            roles = [kid.role for kid in element.kids]
            for index, role in enumerate(roles):
                if role == "Note":
                    assert roles[index - 1] == "Reference"
                    assert element.role in ("P", "TD")
        assert all(note.kids[0].role == "Lbl" for note in notes)


def test_table_header_cells_have_a_scope(built: dict[str, Path]) -> None:
    with open_pdf(built["talent-mobility-2025-11"]) as pdf:
        headers = elements(pdf, "TH")
        assert len(headers) == 6
        assert {str(attribute(h, "/Scope")) for h in headers} == {"/Column"}


def test_words_in_another_language_carry_their_lang(built: dict[str, Path]) -> None:
    with open_pdf(built["talent-mobility-2025-11"]) as pdf:
        assert str(pdf.Root.Lang) == "en"
        langs = [str(e.obj.Lang) for e in tree(pdf).walk() if "/Lang" in e.obj]
        assert langs.count("hi") >= 4 and langs.count("ja") >= 4
    structure = poppler("pdfinfo", "-struct-text", str(built["talent-mobility-2025-11"]))
    assert re.search(r"Span.*\n\s+(Span.*\n\s+)?\"高市早苗\"", structure)


def test_lists_hold_items_and_items_a_label_and_a_body(built: dict[str, Path]) -> None:
    for name, path in built.items():
        with open_pdf(path) as pdf:
            assert list_problems(pdf) == [], name
    # The legend (a dl of terms and descriptions): one item a term, its words the label.
    structure = poppler("pdfinfo", "-struct-text", str(built["india-japan-2025-11"]))
    legend = r'"How to read this brief"\s+L \(block\)\s+LI \(block\)\s+Lbl \(block\)\s+'
    assert re.search(legend + r'(Span \(inline\)\s+)+"FACT"\s+LBody \(block\)', structure)


def test_a_theme_s_own_lists_are_lists_of_items(workspace: Path) -> None:
    # A theme's legend: terms and descriptions without a div per entry, two terms for one
    # description, and a list holding a paragraph that is no item.
    write(
        workspace / "templates" / "partials" / "legend.html",
        "<dl><dt>Fact</dt><dd>Reported.</dd><dt>View</dt><dt>Opinion</dt><dd>Ours.</dd></dl>"
        "<ul><li>An item</li><p>Not an item</p><li>Another item</li></ul>",
    )
    write(workspace / "briefings" / "brief.md", MINIMAL)
    report = briefkit.build(workspace=workspace, formats="pdf", jobs=1)
    (result,) = report.results
    assert result.error is None and not result.warnings
    with open_pdf(result.outputs[0]) as pdf:
        assert list_problems(pdf) == []
    assert page.validate_pdf(result.outputs[0], profile="ua1").failures == []
    structure = poppler("pdfinfo", "-struct-text", str(result.outputs[0]))
    entry = r'LI \(block\)\s+Lbl \(block\)\s+(Span.*\s+)*"{}"\s+'
    assert re.search(entry.format("Fact") + r'LBody \(block\)\s+(Span.*\s+)*"Reported."', structure)
    two_terms = entry.format("View") + r'Lbl \(block\)\s+(Span.*\s+)*"Opinion"\s+LBody'
    assert re.search(two_terms, structure)
    assert re.search(
        r'LI \(block\)\s+LBody \(block\)\s+P \(block\)\s+(Span.*\s+)*"Not an', structure
    )


def test_each_link_annotation_is_in_its_link_element_and_prints(built: dict[str, Path]) -> None:
    for name, path in built.items():
        with open_pdf(path) as pdf:
            assert links_outside_link_elements(pdf) == [], name
            annotations = [a for page in pdf.pages for a in page.obj.get("/Annots", [])]
            assert annotations, name
            # Printed as on screen: the Print flag set, Hidden and NoView not (PDF/UA-1 7.18.1).
            assert {int(a.get("/F", 0)) & 0b100110 for a in annotations} == {0b100}, name


def test_the_bookmarks_show_when_the_pdf_opens(built: dict[str, Path]) -> None:
    for name, path in built.items():
        with open_pdf(path) as pdf:
            assert str(pdf.Root.PageMode) == "/UseOutlines", name
            assert int(pdf.Root.Outlines.Count) > 0, name


def test_every_glyph_maps_to_text_and_shaped_words_read_as_written(
    built: dict[str, Path],
) -> None:
    for name, path in built.items():
        with open_pdf(path) as pdf:
            assert unmapped_glyphs(pdf) == {}, name
    # A Devanagari vowel sign is drawn before its consonant, and conjuncts are one glyph:
    # the words come back whole, not as glyphs in the order they are drawn.
    text = poppler("pdftotext", "-raw", str(built["talent-mobility-2025-11"]), "-")
    assert "विशेष सामरिक और वैश्विक साझेदारी" in text
    for name in ("नरेन्द्र मोदी", "सानाए ताकाइची", "जोहान्सबर्ग"):
        assert name in text


def test_a_glyph_a_substitution_makes_maps_to_the_character_it_replaces() -> None:
    from fontTools.ttLib import TTFont

    from briefkit.rendering.pdf.unicode import UNKNOWN, glyph_characters
    from briefkit.text.fonts import find_font_file

    path = find_font_file("NotoSansCJK-Regular.ttc")
    assert path is not None
    # The vertical form of the long-vowel mark: no cmap entry, a name that spells nothing.
    font = TTFont(path, fontNumber=0, lazy=True)
    order = font.getGlyphOrder()
    vertical = order.index("cid65339")
    data = path.read_bytes()
    assert glyph_characters(data, 0, [vertical, 0]) == {vertical: "ー", 0: UNKNOWN}


def test_pdf_a_images_ask_for_no_smoothing(built: dict[str, Path]) -> None:
    with open_pdf(built["a-3b"]) as pdf:
        images = [
            o for o in pdf.objects if isinstance(o, Stream) and o.get("/Subtype") == Name.Image
        ]
        assert images
        assert not [o for o in images if o.get("/Interpolate", False)]


def test_pdfua_finds_nothing(built: dict[str, Path]) -> None:
    for name, path in built.items():
        report = validate(str(path))
        assert [(f.rule_id, f.message) for f in report.findings] == [], name
        assert {o.rule_id for o in report.skipped} <= PDFUA_CANNOT_RUN, name
        with open_pdf(path) as pdf:
            assert empty_headings(pdf) == [], name


def test_pdf_ua_is_declared_for_both_variants(built: dict[str, Path]) -> None:
    assert re.search(r'pdfuaid:part(="1"|>1<)', xmp(built["india-japan-2025-11"]))
    metadata = xmp(built["a-3b"])
    assert re.search(r'pdfaid:part(="3"|>3<)', metadata)
    assert re.search(r'pdfuaid:part(="1"|>1<)', metadata)
    # PDF/A knows no pdfuaid property: the file defines it in an extension schema.
    assert "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>" in metadata
    assert attachments(built["a-3b"]) == ["india-japan-2025-11.md"]
    with open_pdf(built["a-3b"]) as pdf:
        assert len(pdf.Root.AF) == 1


def test_a_brief_that_cannot_meet_pdf_ua_does_not_claim_it(workspace: Path) -> None:
    from PIL import Image

    Image.new("RGB", (40, 20), "navy").save(workspace / "briefings" / "chart.png")
    write(
        workspace / "briefings" / "bare.md",
        MINIMAL.replace(
            "Something happened [@src].", "Something happened [@src].\n\n![](chart.png)"
        ),
    )
    report = briefkit.build(workspace=workspace, formats="pdf", jobs=1)
    (result,) = report.results
    assert result.error is None
    assert any(
        "not declared PDF/UA-1: an image has no alternative text" in w for w in result.warnings
    )
    assert "pdfuaid:part" not in xmp(result.outputs[0])


@pytest.mark.parametrize("font", sorted((ROOT / "styles" / "fonts").glob("*.ttf")), ids=str)
def test_every_bundled_fonts_unmapped_glyphs_can_be_looked_up(font: Path) -> None:
    # Devanagari fonts split a glyph into several (a multiple substitution): a Hindi brief
    # whose glyphs needed looking up stopped the PDF.
    from fontTools.ttLib import TTFont

    from briefkit.rendering.pdf.unicode import glyph_characters

    loaded = TTFont(font, lazy=True)
    mapped = set(loaded.getBestCmap().values())
    unmapped = [i for i, name in enumerate(loaded.getGlyphOrder()) if i and name not in mapped]
    found = glyph_characters(font.read_bytes(), 0, unmapped)
    assert set(found) == set(unmapped)
