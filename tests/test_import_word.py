"""briefkit import's Word reader: a draft's text, notes, pictures and properties, and bad files."""

from __future__ import annotations

import copy
import datetime as dt
import io
import struct
import time
import tracemalloc
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from PIL import Image

from briefkit.commands.importing import word
from briefkit.commands.importing.extracted import Extracted
from briefkit.commands.importing.word import read_word
from briefkit.errors import BriefkitError
from conftest import Run

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_FOOTNOTES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:footnotes xmlns:w="{_W}">
<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>
<w:footnote w:type="continuationSeparator" w:id="0">
<w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>
<w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve">
Roughly USD 68 billion at the rate cited when the plan was announced.</w:t></w:r></w:p></w:footnote>
</w:footnotes>"""
_FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
_ENDNOTES_TYPE = _FOOTNOTES_TYPE.replace("footnotes", "endnotes")
ALT = "Narendra Modi and Sanae Takaichi seated facing each other at the Johannesburg summit"
LINK = "https://www.mea.gov.in/bilateral-documents.htm"
SECTIONS = [
    "The first meeting in Johannesburg",
    "Security in the Indo-Pacific",
    "Technology, defence and AI",
    "Investment and skilled workers",
    "Outlook",
]


def png(colour: str = "teal") -> bytes:
    """Return a small PNG."""
    buffer = io.BytesIO()
    Image.new("RGB", (16, 9), colour).save(buffer, "PNG")
    return buffer.getvalue()


def add_footnote(document: docx.document.Document, paragraph: Paragraph) -> None:
    """Add the footnotes part and call its one note at the end of a paragraph."""
    part = Part(
        PackURI("/word/footnotes.xml"),
        _FOOTNOTES_TYPE,
        _FOOTNOTES.encode(),
        document.part.package,
    )
    document.part.relate_to(part, RELATIONSHIP_TYPE.FOOTNOTES)
    reference = OxmlElement("w:footnoteReference")
    reference.set(qn("w:id"), "1")
    paragraph.add_run()._r.append(reference)


def add_link(paragraph: Paragraph, text: str, address: str) -> None:
    """Add a hyperlink run to a paragraph."""
    relation = paragraph.part.relate_to(address, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), relation)
    run = OxmlElement("w:r")
    value = OxmlElement("w:t")
    value.text = text
    run.append(value)
    link.append(run)
    paragraph._p.append(link)


def draft(title: bool = True, picture: bytes | None = None) -> docx.document.Document:
    """Return a Word draft modelled on the seed article: reported sections, then Outlook."""
    document = docx.Document()
    document.styles.add_style("toc 1", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph(f"{SECTIONS[0]}\t2", style="toc 1")
    if title:
        document.add_paragraph("India and Japan open a new phase", style="Title")
    document.add_paragraph("A first meeting of the two prime ministers", style="Subtitle")
    document.add_paragraph("Notes from the G20 summit, prepared for the Asia desk.")
    document.add_heading(SECTIONS[0], level=1)
    opening = document.add_paragraph("Narendra Modi met Sanae Takaichi on 23 November 2025, ")
    opening.add_run("her first meeting with him").italic = True
    opening.add_run(" since she became prime minister in October.")
    document.add_heading(SECTIONS[1], level=1)
    document.add_paragraph("Both called for a free, open and rules-based Indo-Pacific.")
    document.add_heading("Maritime security", level=3)
    document.add_paragraph("Supply chains and sea lanes were named as shared concerns.")
    document.add_heading(SECTIONS[2], level=1)
    document.add_paragraph("Areas discussed:")
    for item in ("emerging defence technology", "secure communications", "semiconductors"):
        document.add_paragraph(item, style="List Bullet")
    support = document.add_paragraph("Japan backed the AI summit India hosts in ")
    support.add_run("February 2026").bold = True
    support.add_run("; see the ")
    add_link(support, "joint statements", LINK)
    support.add_run(".")
    document.add_picture(io.BytesIO(picture or png()))
    document.inline_shapes[0]._inline.docPr.set("descr", ALT)
    document.add_paragraph("The two prime ministers in Johannesburg", style="Caption")
    document.add_heading(SECTIONS[3], level=1)
    plan = document.add_paragraph(
        "The ten-year Joint Vision of August 2025 aims at 10 trillion yen"
    )
    add_footnote(document, plan)
    plan.add_run(" of Japanese investment in India.")
    table = document.add_table(rows=3, cols=2)
    for row, cells in enumerate(
        [
            ("Area", "Commitment"),
            ("Investment", "10 trillion yen in ten years"),
            ("AI", "Summit, February 2026"),
        ]
    ):
        for col, text in enumerate(cells):
            table.cell(row, col).text = text
    document.add_heading(SECTIONS[4], level=1)
    document.add_paragraph(
        "We think this meeting shows India setting the agenda in Asia rather than following it."
    )
    properties = document.core_properties
    properties.title = "Properties title of the India–Japan draft"
    properties.author = "Asha Rao; Kenji Mori"
    properties.created = dt.datetime(2025, 11, 24, 9, 0)
    properties.modified = dt.datetime(2025, 11, 25, 17, 30)
    properties.language = "en-GB"
    return document


def save(document: docx.document.Document, path: Path) -> Path:
    """Save a document and return its path."""
    document.save(str(path))
    return path


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Extracted:
    """Return the draft as the Word reader reads it."""
    return read_word(save(draft(), tmp_path_factory.mktemp("word") / "draft.docx"))


def test_takes_the_title_and_subtitle_out_of_the_text(extracted: Extracted) -> None:
    assert extracted.title == "India and Japan open a new phase"
    assert extracted.subtitle == "A first meeting of the two prime ministers"
    assert "new phase" not in extracted.html
    assert "first meeting of the two" not in extracted.html


def test_reads_the_core_properties(extracted: Extracted) -> None:
    assert extracted.authors == ("Asha Rao", "Kenji Mori")
    assert extracted.date == dt.date(2025, 11, 25)
    assert extracted.language == "en-GB"


def test_a_byline_of_author_and_date_paragraphs_wins_over_the_properties(
    tmp_path: Path,
) -> None:
    document = draft()
    for style in ("Author", "Date"):
        document.styles.add_style(style, WD_STYLE_TYPE.PARAGRAPH)
    subtitle = next(p for p in document.paragraphs if p.style.name == "Subtitle")
    for text, style in (
        ("Priya Nair", "Author"),
        ("Tomas Ek", "Author"),
        ("24 November 2025", "Date"),
    ):
        subtitle.insert_paragraph_before(text, style=style)
    read = read_word(save(document, tmp_path / "byline.docx"))
    assert read.authors == ("Priya Nair", "Tomas Ek")
    assert read.date == dt.date(2025, 11, 24)
    assert "Priya" not in read.html and "24 November 2025" not in read.html


def test_falls_back_on_the_properties_title(tmp_path: Path) -> None:
    found = read_word(save(draft(title=False), tmp_path / "draft.docx"))
    assert found.title == "Properties title of the India–Japan draft"


def test_makes_each_heading_1_a_section_and_deeper_headings_subsections(
    extracted: Extracted,
) -> None:
    assert [f"<h2>{title}</h2>" in extracted.html for title in SECTIONS] == [True] * 5
    assert extracted.html.count("<h2>") == len(SECTIONS)
    assert "<h3>Maritime security</h3>" in extracted.html
    assert extracted.html.startswith("<p>Notes from the G20 summit")


def test_keeps_emphasis_links_lists_and_tables(extracted: Extracted) -> None:
    assert "<em>her first meeting with him</em>" in extracted.html
    assert "<strong>February 2026</strong>" in extracted.html
    assert f'<a href="{LINK}">joint statements</a>' in extracted.html
    assert "<ul><li>emerging defence technology</li>" in extracted.html
    table = extracted.html[extracted.html.index("<table>") : extracted.html.index("</table>")]
    assert "<p>Investment</p>" in table and "<p>10 trillion yen in ten years</p>" in table


def test_turns_footnotes_into_notes_and_calls(extracted: Extracted) -> None:
    assert '10 trillion yen<a class="note" href="#1">1</a> of Japanese' in extracted.html
    assert list(extracted.notes) == ["1"]
    assert "USD 68 billion" in extracted.notes["1"]
    assert "Roughly" not in extracted.html
    assert "↑" not in extracted.notes["1"] + extracted.html
    assert "<sup>" not in extracted.html and "<ol>" not in extracted.html


def test_keeps_an_image_with_its_alt_text(extracted: Extracted) -> None:
    (picture,) = extracted.pictures
    assert (picture.name, picture.media_type, picture.data) == ("image-1.png", "image/png", png())
    assert f'<img alt="{ALT}" src="image-1.png">' in extracted.html
    assert extracted.removed == ()


def test_marks_captions_for_the_figure_before_them(extracted: Extracted) -> None:
    figure = f'<p><img alt="{ALT}" src="image-1.png"></p>'
    caption = '<p class="caption">The two prime ministers in Johannesburg</p>'
    assert figure + caption in extracted.html


def test_leaves_out_a_table_of_contents(extracted: Extracted) -> None:
    assert extracted.html.count(SECTIONS[0]) == 1


def shown_again(document: docx.document.Document, times: int) -> None:
    """Show the document's first image again, times more, each in a paragraph of its own."""
    drawing = document.inline_shapes[0]._inline.getparent()
    for _ in range(times):
        document.add_paragraph().add_run()._r.append(copy.deepcopy(drawing))


def test_keeps_an_image_shown_twice_once(tmp_path: Path) -> None:
    document = draft()
    shown_again(document, 1)
    found = read_word(save(document, tmp_path / "draft.docx"))
    assert len(found.pictures) == 1
    assert found.html.count('src="image-1.png"') == 2


def test_stops_unpacking_an_image_shown_too_often(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = draft()
    shown_again(document, 20)
    monkeypatch.setattr(word, "MAX_WORD_IMAGES_UNPACKED", 3 * len(png()))
    found = read_word(save(document, tmp_path / "draft.docx"))
    assert found.html.count('src="image-1.png"') == 4
    assert [line for line in found.removed if "unpack to more than the limit" in line]
    assert len(found.removed) == 1


def test_drops_an_image_beyond_the_pixel_limit(tmp_path: Path) -> None:
    huge = io.BytesIO()
    Image.new("1", (8000, 6000)).save(huge, "PNG")
    found = read_word(save(draft(picture=huge.getvalue()), tmp_path / "draft.docx"))
    assert found.pictures == ()
    assert "<img" not in found.html
    assert [line for line in found.removed if "8000×6000 pixels" in line]


def test_drops_an_image_of_another_type_and_says_so(tmp_path: Path) -> None:
    bitmap = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(bitmap, "BMP")
    found = read_word(save(draft(picture=bitmap.getvalue()), tmp_path / "draft.docx"))
    assert found.pictures == ()
    assert "<img" not in found.html
    assert [line for line in found.removed if "image/bmp" in line and ALT in line]


def refused(path: Path, *words: str) -> None:
    """Assert the Word reader refuses a file in bounded time and memory, naming it and why."""
    started = time.monotonic()
    tracemalloc.start()
    try:
        with pytest.raises(BriefkitError) as caught:
            read_word(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 10
    assert peak < 32 * 1024 * 1024
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    for expected in words:
        assert expected in message


def package(path: Path, entries: dict[str, bytes], kind: int = zipfile.ZIP_DEFLATED) -> Path:
    """Write a zip of the given entries."""
    with zipfile.ZipFile(path, "w", kind) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def test_refuses_an_encrypted_document(tmp_path: Path) -> None:
    path = tmp_path / "secret.docx"
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(4096))
    refused(path, "encrypted")


def test_refuses_a_damaged_file(tmp_path: Path) -> None:
    whole = save(draft(), tmp_path / "whole.docx").read_bytes()
    path = tmp_path / "cut.docx"
    path.write_bytes(whole[: len(whole) // 2])
    refused(path, "not a Word document")


def test_refuses_a_part_damaged_inside(tmp_path: Path) -> None:
    path = save(draft(), tmp_path / "draft.docx")
    with zipfile.ZipFile(path) as archive:
        entry = archive.getinfo("word/document.xml")
    data = bytearray(path.read_bytes())
    start = entry.header_offset + 30 + len(entry.filename.encode())
    data[start : start + 64] = bytes(range(64))
    path.write_bytes(bytes(data))
    refused(path, "damaged")


def parts(path: Path) -> dict[str, bytes]:
    """Return every part of a package by name."""
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def xml_bytes(entries: dict[str, bytes]) -> int:
    """Return how many bytes the XML parts of a package unpack to, by their names."""
    return sum(len(data) for name, data in entries.items() if name.endswith((".xml", ".rels")))


def test_refuses_more_xml_than_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = save(draft(), tmp_path / "draft.docx")
    monkeypatch.setattr(word, "MAX_WORD_XML", xml_bytes(parts(path)) - 1)
    refused(path, "bytes of XML; the limit is")


def test_counts_xml_under_another_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    entries = parts(save(draft(), tmp_path / "draft.docx"))
    monkeypatch.setattr(word, "MAX_WORD_XML", xml_bytes(entries) - 1)
    entries["word/media/photo.png"] = entries.pop("word/document.xml")
    entries["_rels/.rels"] = entries["_rels/.rels"].replace(
        b'Target="word/document.xml"', b'Target="word/media/photo.png"'
    )
    refused(package(tmp_path / "disguised.docx", entries), "bytes of XML; the limit is")


def test_refuses_a_zip_that_is_not_word(tmp_path: Path) -> None:
    path = package(tmp_path / "notes.docx", {"notes.txt": b"Talks went well."})
    refused(path, "cannot be read as a Word document")


def test_refuses_a_document_whose_xml_expands_without_end(tmp_path: Path) -> None:
    entries = parts(save(draft(), tmp_path / "whole.docx"))
    laughs = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 12))
    entries["word/document.xml"] = (
        f'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY l0 "ha">{laughs}]>'
        f'<w:document xmlns:w="{_W}"><w:body><w:p><w:r><w:t>&l11;</w:t></w:r></w:p>'
        "</w:body></w:document>"
    ).encode()
    refused(package(tmp_path / "laughs.docx", entries), "cannot be read as a Word document")


def test_refuses_tables_nested_too_deep(tmp_path: Path) -> None:
    entries = parts(save(draft(), tmp_path / "whole.docx"))
    cell = "<w:p><w:r><w:t>deep</w:t></w:r></w:p>"
    nested = "<w:tbl><w:tr><w:tc>" * 100 + cell + "</w:tc></w:tr></w:tbl>" * 100
    entries["word/document.xml"] = (
        f'<w:document xmlns:w="{_W}"><w:body>{nested}</w:body></w:document>'
    ).encode()
    refused(package(tmp_path / "deep.docx", entries), "nests tables or other content too deep")


def test_refuses_a_zip_bomb_by_its_directory(tmp_path: Path) -> None:
    path = package(tmp_path / "bomb.docx", {"word/document.xml": bytes(200 * 1024 * 1024)})
    assert path.stat().st_size < 1024 * 1024
    refused(path, "unpacks to 209,715,200 bytes")


def test_refuses_a_zip_part_larger_than_it_says(tmp_path: Path) -> None:
    # The directory and the local header say 100 bytes; the part inflates to 100 MiB.
    path = package(tmp_path / "liar.docx", {"word/document.xml": bytes(100 * 1024 * 1024)})
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.index(signature)
        struct.pack_into("<I", data, at + offset, 100)
    path.write_bytes(bytes(data))
    # Read to its end at once, as mammoth reads, the part inflates whole before zipfile cuts it.
    refused(path, "CRC")


def test_refuses_a_zip_with_a_password(tmp_path: Path) -> None:
    path = save(draft(), tmp_path / "draft.docx")
    data = bytearray(path.read_bytes())
    at = data.index(b"PK\x01\x02")  # the first part's flags, as the directory gives them
    data[at + 8] |= 0x1
    path.write_bytes(bytes(data))
    refused(path, "encrypted", "needs a password")


def test_refuses_too_many_parts(tmp_path: Path) -> None:
    entries = {f"word/media/{n}.png": b"" for n in range(word.MAX_WORD_ENTRIES + 1)}
    refused(package(tmp_path / "many.docx", entries), "holds 1,001 files")


def test_refuses_a_compression_word_never_uses(tmp_path: Path) -> None:
    path = package(tmp_path / "bzip.docx", {"word/document.xml": b"<x/>"}, zipfile.ZIP_BZIP2)
    refused(path, "word/document.xml")


def test_refuses_a_file_over_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = save(draft(), tmp_path / "draft.docx")
    monkeypatch.setattr(word, "MAX_WORD_BYTES", path.stat().st_size - 1)
    refused(path, "larger than the limit")


def test_refuses_a_link(tmp_path: Path) -> None:
    link = tmp_path / "link.docx"
    link.symlink_to(save(draft(), tmp_path / "draft.docx"))
    refused(link, "symbolic link")


def test_imported_draft_passes_check_but_for_its_unconfirmed_kinds(
    workspace: Path, run_cli: Run
) -> None:
    save(draft(), workspace / "draft.docx")
    result = run_cli("import", "draft.docx", cwd=workspace)
    assert result.returncode == 0, result.stderr
    brief = workspace / "briefings" / "india-and-japan-open-a-new-phase.md"
    text = brief.read_text(encoding="utf-8")
    assert "\nauthors:\n- Asha Rao\n- Kenji Mori\n" in text and "\ndate: 2025-11-25\n" in text
    assert "## Outlook {.commentary .unconfirmed}" in text
    assert "10 trillion yen[^1] of Japanese" in text and "\n[^1]: Roughly USD 68 billion" in text
    assert "| Investment | 10 trillion yen in ten years |" in text
    image = "images/india-and-japan-open-a-new-phase-1.png"
    assert f"![{ALT}]({image} " in text
    assert (brief.parent / image).read_bytes() == png()
    checked = run_cli("check", cwd=workspace)
    assert checked.returncode == 0, checked.stdout
    warnings = [line for line in checked.stdout.splitlines() if ": warning: " in line]
    assert len(warnings) == len(SECTIONS) + 1  # and the text before the first heading
    assert all("is unconfirmed" in line for line in warnings)
    brief.write_text(text.replace(" .unconfirmed", ""), encoding="utf-8")
    strict = run_cli("check", "--strict", cwd=workspace)
    assert strict.returncode == 0, strict.stdout
    assert "0 errors, 0 warnings" in strict.stdout


def test_never_opens_a_linked_image(tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(png("red"))
    document = draft()
    blip = document.inline_shapes[0]._inline.graphic.graphicData.pic.blipFill.blip
    linked = document.part.relate_to(secret.as_uri(), RELATIONSHIP_TYPE.IMAGE, is_external=True)
    del blip.attrib[qn("r:embed")]
    blip.set(qn("r:link"), linked)
    found = read_word(save(document, tmp_path / "draft.docx"))
    assert found.pictures == ()
    assert "<img" not in found.html
    assert [line for line in found.removed if "external file access is disabled" in line]


def test_names_endnotes_apart_from_footnotes(tmp_path: Path) -> None:
    document = draft()
    endnotes = _FOOTNOTES.replace("footnote", "endnote").replace("Roughly", "Near")
    part = Part(
        PackURI("/word/endnotes.xml"), _ENDNOTES_TYPE, endnotes.encode(), document.part.package
    )
    document.part.relate_to(part, RELATIONSHIP_TYPE.ENDNOTES)
    reference = OxmlElement("w:endnoteReference")
    reference.set(qn("w:id"), "1")
    document.add_paragraph("Investment grows.").add_run()._r.append(reference)
    found = read_word(save(document, tmp_path / "draft.docx"))
    assert sorted(found.notes) == ["1", "e1"]
    assert "Near USD 68 billion" in found.notes["e1"]
    assert 'Investment grows.<a class="note" href="#e1">e1</a>' in found.html


def test_import_of_an_encrypted_draft_exits_1_and_writes_nothing(
    workspace: Path, run_cli: Run
) -> None:
    (workspace / "secret.docx").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(512))
    result = run_cli("import", "secret.docx", cwd=workspace)
    assert result.returncode == 1
    assert result.stderr.startswith("secret.docx: is encrypted (password-protected)")
    assert "Traceback" not in result.stderr
    assert list((workspace / "briefings").iterdir()) == []
