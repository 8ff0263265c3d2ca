"""The PDF a policy team sends to the printer: read back with poppler's tools."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import briefkit
from conftest import CORRECTED, EPOCH, MINIMAL, ROOT, write
from pdftools import attachments, fonts, info, outline, pages, poppler, text, xmp

pytestmark = pytest.mark.slow


def _build(workspace: Path, **options: object) -> dict[str, Path]:
    """Build the workspace's briefings to PDF and return each output by stem."""
    report = briefkit.build(workspace=workspace, formats="pdf", force=True, jobs=1, **options)  # type: ignore[arg-type]
    assert report.ok, [r.error for r in report.results]
    return {r.outputs[0].stem: r.outputs[0] for r in report.results}


@pytest.fixture(scope="module")
def sample_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Build both samples once for the module."""
    root = tmp_path_factory.mktemp("samples")
    shutil.copytree(ROOT / "briefings", root / "briefings")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        patch.chdir(root)
        return _build(root)


def test_labels_headings_and_legend_are_text(sample_pdfs: dict[str, Path]) -> None:
    content = text(sample_pdfs["india-japan-2025-11"])
    assert content.count("FACT") >= 6  # six fact sections, plus the legend and contents
    assert re.search(r"COMMENTARY\s+·\s+MGMM Editorial Board", content)
    assert "How to read this brief" in content
    for heading in ("The meeting in Johannesburg", "Talent mobility", "The MGMM Outlook"):
        assert heading in content


def test_every_section_has_its_label_directly_above_its_heading(
    sample_pdfs: dict[str, Path],
) -> None:
    lines = [line.strip() for line in text(sample_pdfs["talent-mobility-2025-11"]).splitlines()]
    for heading, label in (
        ("The people in this brief", "FACT"),
        ("Where it fits", "FACT"),
        ("Analyst’s view: from intent to numbers", "COMMENTARY · Asha Rao, Senior Analyst"),
    ):
        index = lines.index(heading)
        above = next(line for line in reversed(lines[:index]) if line)
        assert " ".join(above.split()) == label


def test_footnote_sits_at_the_foot_of_the_page_that_calls_it(
    sample_pdfs: dict[str, Path],
) -> None:
    for number, page in enumerate(pages(sample_pdfs["india-japan-2025-11"]), start=1):
        if re.search(r"roughly USD 68 billion ?1 \[1\]", page):
            tail = page.rstrip().splitlines()[-6:]
            assert any("1. The dollar figure" in line for line in tail), (number, tail)
            break
    else:
        pytest.fail("footnote call not found")


def test_sources_list_resolves_citations(sample_pdfs: dict[str, Path]) -> None:
    content = text(sample_pdfs["india-japan-2025-11"])
    sources = content[content.rindex("Sources") :]
    assert re.search(r"1\.\s+India–Japan strategic ties enter a new phase", sources)
    assert "https://www.mea.gov.in/" in sources
    assert "(accessed 24 November 2025)" in sources
    assert "[1]" in content and "[2]" in content


def test_citations_read_as_a_careful_editor_writes_them(sample_pdfs: dict[str, Path]) -> None:
    india = " ".join(text(sample_pdfs["india-japan-2025-11"]).split())
    assert "framed by what India’s Ministry of External Affairs [2] calls" in india
    talent = " ".join(text(sample_pdfs["talent-mobility-2025-11"]).split())
    assert "[2, 3]" in talent and "[2; 3]" not in talent


def test_figure_caption_and_credit(sample_pdfs: dict[str, Path]) -> None:
    content = text(sample_pdfs["india-japan-2025-11"])
    assert re.search(r"Milestones referred to at the meeting\s+Credit: MGMM", content)


def test_every_font_is_embedded(sample_pdfs: dict[str, Path]) -> None:
    for pdf in sample_pdfs.values():
        rows = fonts(pdf)
        assert rows
        for row in rows:
            assert row[-5] == "yes", row  # emb column


def test_devanagari_and_japanese_render_with_real_fonts(sample_pdfs: dict[str, Path]) -> None:
    pdf = sample_pdfs["talent-mobility-2025-11"]
    names = " ".join(row[0] for row in fonts(pdf))
    assert "Devanagari" in names
    content = text(pdf)
    assert "高市早苗" in content
    assert "मोदी" in content or "मोद" in content


def test_tagged_with_metadata_from_the_brief(sample_pdfs: dict[str, Path]) -> None:
    fields = info(sample_pdfs["india-japan-2025-11"])
    assert fields["Tagged"] == "yes"
    assert fields["Title"] == "India and Japan widen their partnership at the Johannesburg G20"
    assert fields["Author"] == "MGMM Asia Desk"
    assert fields["Subject"].startswith("Narendra Modi and Sanae Takaichi met")
    assert "talent mobility" in fields["Keywords"]
    assert fields["CreationDate"].startswith("Mon Nov 24 00:00:00 2025")
    assert re.search(r'pdfuaid:part(="1"|>1<)', xmp(sample_pdfs["india-japan-2025-11"]))


def test_every_sample_draws_each_character_and_declares_pdf_ua(
    sample_pdfs: dict[str, Path], workspace: Path
) -> None:
    import pikepdf

    from briefkit.rendering.pdf.glyphs import undrawn_glyphs

    # Japanese, Arabic, Devanagari, German; and emoji, from a font of colour bitmaps.
    write(workspace / "briefings" / "emoji.md", MINIMAL.replace("Something", "Rockets 🚀 ✅"))
    for name, pdf in {**sample_pdfs, **_build(workspace)}.items():
        with pikepdf.open(pdf) as document:
            assert undrawn_glyphs(document) == [], name
        assert re.search(r'pdfuaid:part(="1"|>1<)', xmp(pdf)), name


def test_a_glyph_zero_that_a_form_draws_is_found(sample_pdfs: dict[str, Path]) -> None:
    # What the pages draw, not what WeasyPrint's encodings say: code 0 of an Identity-H font
    # is glyph 0, shown here inside a form the page draws.
    import pikepdf
    from pikepdf import Dictionary, Name

    from briefkit.rendering.pdf.glyphs import Undrawn, undrawn_glyphs

    with pikepdf.open(sample_pdfs["india-japan-2025-11"]) as pdf:
        page = pdf.pages[1]
        page.contents_coalesce()
        data = page.obj.Contents.read_bytes().replace(b"[<", b"[<0000><", 1)
        shown = {"BBox": page.mediabox, "Resources": page.obj.Resources}
        form = pdf.make_stream(data, Type=Name.XObject, Subtype=Name.Form, **shown)
        page.obj.Resources = Dictionary(XObject=Dictionary(Drawn=form))
        page.obj.Contents = pdf.make_stream(b"q /Drawn Do Q")
        assert undrawn_glyphs(pdf) == [Undrawn(None, (2,))]


def test_outline_has_an_entry_per_section(sample_pdfs: dict[str, Path]) -> None:
    titles = outline(sample_pdfs["india-japan-2025-11"])
    assert titles == [
        "Summary",
        "Fact: The meeting in Johannesburg",
        "Fact: A free and open Indo-Pacific",
        "Fact: Defence, technology and AI",
        "Fact: Talent mobility",
        "Fact: Economic security and investment",
        "Fact: Shared history",
        "Commentary: The MGMM Outlook",
        "Sources",
        "Cite this brief",
    ]
    nested = outline(sample_pdfs["talent-mobility-2025-11"])
    assert "Why talent mobility now" in nested  # a ### sub-heading, under its section


def test_contents_page_numbers_and_running_heads(sample_pdfs: dict[str, Path]) -> None:
    all_pages = pages(sample_pdfs["india-japan-2025-11"])
    assert any(re.search(r"Talent mobility[ .]+\d", page) for page in all_pages[:2])
    assert "Page 1 of" not in all_pages[0]
    for number, page in enumerate(all_pages[1:], start=2):
        assert f"Page {number} of {len(all_pages)}" in page
        head = page.strip().splitlines()[0]
        assert "India–Japan at the G20" in head and "PUBLIC" in head and "MGMM" in page
        # The head's middle names the kind of text at the top of the page.
        assert re.search(r"\b(CONTENTS|FACT|COMMENTARY|SOURCES)\b", head), head


@pytest.mark.parametrize(
    ("title", "head"),
    [
        ("India–Japan at the G20", "India–Japan at the G20"),
        ("India and Japan widen their partnership at the G20", "India and Japan widen their…"),
        (
            "Extraordinarily comprehensive multilateralisation notwithstanding",
            "Extraordinarily comprehensive…",
        ),
        (
            "日本とインドは、防衛、人工知能、人材の移動、そして投資計画で合意した",
            "日本とインドは、防衛、人工知能、人材の移動…",
        ),
    ],
)
def test_a_running_head_with_no_short_title_is_a_few_words_on_one_line(
    title: str, head: str
) -> None:
    # A head that wraps crowds the page, and outloud reads it as prose hidden as furniture.
    from briefkit.text.running_title import running_title

    assert running_title(title) == head


def test_same_input_and_epoch_give_identical_bytes(workspace: Path) -> None:
    write(workspace / "briefings" / "one.md", MINIMAL)
    first = _build(workspace)["one"].read_bytes()
    second = _build(workspace)["one"].read_bytes()
    assert first == second


def test_facts_only_leaves_commentary_out_and_says_so(samples_workspace: Path) -> None:
    pdf = _build(samples_workspace, facts_only=True)["india-japan-2025-11-facts-only"]
    content = text(pdf)
    assert "The MGMM Outlook" not in content and "COMMENTARY" not in content
    assert "Facts-only edition" in content


def test_letter_paper_and_print_marks(samples_workspace: Path) -> None:
    # A variant's file is named for it, so the A4 file is never replaced.
    built = _build(samples_workspace, paper="letter", print_marks=True)
    pdf = built["india-japan-2025-11-letter-print"]
    boxes = info(pdf, "-box")
    trim = [float(v) for v in boxes["TrimBox"].split()]
    media = [float(v) for v in boxes["MediaBox"].split()]
    assert round(trim[2] - trim[0]) == 612 and round(trim[3] - trim[1]) == 792
    assert media[2] - media[0] > trim[2] - trim[0]  # bleed and marks around the page


def test_pdf_a3b_carries_the_source(samples_workspace: Path) -> None:
    pdf = _build(samples_workspace, pdf_variant="a-3b")["india-japan-2025-11-pdfa"]
    assert attachments(pdf) == ["india-japan-2025-11.md"]
    metadata = xmp(pdf)
    assert re.search(r'pdfaid:part(="3"|>3<)', metadata)
    assert re.search(r'pdfaid:conformance(="B"|>B<)', metadata)


def test_long_words_and_urls_stay_inside_the_page(workspace: Path) -> None:
    word = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 4
    url = "https://example.org/" + "very-long-path-segment/" * 12
    write(
        workspace / "briefings" / "long.md",
        MINIMAL.replace("Something happened", f"{word} <{url}>"),
    )
    pdf = _build(workspace)["long"]
    bbox = poppler("pdftotext", "-bbox", str(pdf), "-")
    page_width = float(re.search(r'<page width="([\d.]+)"', bbox).group(1))  # type: ignore[union-attr]
    right_edges = [float(x) for x in re.findall(r'xMax="([\d.]+)"', bbox)]
    assert right_edges and max(right_edges) < page_width - 30  # inside the right margin


def test_logo_from_config_appears_on_the_title_block(workspace: Path) -> None:
    from PIL import Image

    Image.new("RGB", (120, 60), "navy").save(workspace / "logo.png")
    write(workspace / "briefkit.toml", '[organisation]\nname = "Logo Unit"\nlogo = "logo.png"\n')
    write(workspace / "briefings" / "one.md", MINIMAL)
    report = briefkit.build(formats="pdf", jobs=1)
    assert report.ok
    images = poppler("pdfimages", "-list", str(report.results[0].outputs[0]))
    assert re.search(r"\s120\s+60\s", images)


def test_long_table_splits_between_rows_and_repeats_its_header(workspace: Path) -> None:
    rows = "\n".join(f"| Row {n} | Value {n} |" for n in range(90))
    table = f"| Item heading | Value heading |\n|---|---|\n{rows}\n"
    write(
        workspace / "briefings" / "table.md",
        MINIMAL.replace("Something happened [@src].", table + "\nSee [@src]."),
    )
    all_pages = pages(_build(workspace)["table"])
    with_rows = [page for page in all_pages if "Row " in page]
    assert len(with_rows) >= 2
    for page in with_rows:
        assert "Item heading" in page
    for n in range(90):  # every row once, none cut in half
        assert sum(page.count(f"Row {n} ") + page.count(f"Row {n}\n") for page in all_pages) == 1


def test_label_words_come_from_the_config(workspace: Path) -> None:
    write(workspace / "briefkit.toml", '[labels]\nfact = "Reported"\ncommentary = "Opinion"\n')
    write(workspace / "briefings" / "one.md", MINIMAL)
    content = text(_build(workspace)["one"])
    assert "REPORTED" in content and re.search(r"OPINION\s+·\s+The Desk", content)
    assert "FACT" not in content and "COMMENTARY" not in content


# Runs a build with an audit hook that notes every program the process starts.
_PROGRAMS_STARTED = """
import sys
started = []
def hook(event, args):
    if event in ("subprocess.Popen", "os.posix_spawn", "os.exec", "os.spawn"):
        started.append(str(args[0]))
sys.addaudithook(hook)
import briefkit
report = briefkit.build(formats="pdf", force=True, jobs=1)
assert report.ok, [r.error for r in report.results]
print(repr(started))
"""


def test_building_a_pdf_starts_no_other_program(workspace: Path) -> None:
    write(workspace / "briefings" / "one.md", MINIMAL)
    done = subprocess.run(
        [sys.executable, "-c", _PROGRAMS_STARTED],
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert done.stdout.strip() == "[]", done.stdout


def test_a_note_after_one_too_long_for_its_page_is_kept_with_its_call(workspace: Path) -> None:
    words = "These words fill the lines of a paragraph so that its page breaks fall inside. " * 5
    huge = "A note longer than the room a page leaves for notes, on and on. " * 150
    paragraphs = "\n\n".join(f"{words}Call number {n}[^n{n}] and {words}" for n in range(6))
    notes = "".join(f"[^n{n}]: {huge if n in (2, 4) else f'Short note {n}.'}\n" for n in range(6))
    write(
        workspace / "briefings" / "notes.md",
        MINIMAL.replace("Something happened [@src].", f"{paragraphs} [@src]\n\n{notes}"),
    )
    report = briefkit.build(formats="pdf", force=True, jobs=1)
    assert report.ok, [r.error for r in report.results]
    warned = [w for w in report.results[0].warnings if "could not be kept" in w]
    assert len(warned) == 2, report.results[0].warnings
    all_pages = pages(report.results[0].outputs[0])
    for n in (0, 1, 3, 5):
        page = next(p for p in all_pages if f"Call number {n}" in p)
        assert f"Short note {n}." in page, n


# Figures ------------------------------------------------------------------------------------

# Each figure of the test brief: its caption, its image and the attribute it is given.
FIGURES = [
    ("Default", "wide", ""),
    ("Full", "wide", "{width=100%}"),
    ("Sixty", "wide", "{width=60%}"),
    ("Five", "wide", "{width=5cm}"),
    ("Small", "small", ""),
    ("Tall", "tall", ""),
    ("Towering", "tall", "{width=100%}"),
]
PIXELS = {"wide": (1600, 900), "small": (200, 100), "tall": (600, 1200)}
MM = 72 / 25.4  # points in a millimetre
# pdftohtml gives whole points, and an image is drawn inside its frame's 0.5 pt rules.
SLACK = 1.5


def _figures_brief(folder: Path) -> None:
    """Write a brief showing each of FIGURES, and its images."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    for name, size in PIXELS.items():
        Image.new("RGB", size, "white").save(folder / f"{name}.png")
    shown = "\n\n".join(
        f'![A {image} chart]({image}.png "{caption}"){attribute}'
        for caption, image, attribute in FIGURES
    )
    text = MINIMAL.replace("Something happened [@src].", f"Figures [@src].\n\n{shown}")
    write(folder / "figures.md", text)


def _placed(pdf: Path) -> tuple[dict[str, tuple[float, ...]], tuple[float, float]]:
    """Return each figure's image as drawn, by caption (left, width, height and the caption's
    left, in points), and the page's width and height, from pdftohtml's XML at zoom 1."""
    images = str(pdf.parent / "images")  # pdftohtml writes the images out too
    xml = poppler("pdftohtml", "-xml", "-stdout", "-q", "-zoom", "1", str(pdf), images)
    found: dict[str, tuple[float, ...]] = {}
    size = (0.0, 0.0)
    for page in re.findall(r"<page .*?</page>", xml, re.S):
        height, width = re.findall(r'height="(\d+)" width="(\d+)"', page)[0]
        size = (float(width), float(height))
        drawn = re.findall(r'<image top="(\d+)" left="(\d+)" width="(\d+)" height="(\d+)"', page)
        texts = [
            (int(top), int(left), words)
            for top, left, words in re.findall(
                r'<text top="(\d+)" left="(\d+)"[^>]*>(.*?)</text>', page
            )
        ]
        for top, left, wide, high in drawn:
            # The caption is the first "Figure N" below the image, its words on the same line.
            label = min((t for t in texts if t[0] > int(top) and "Figure" in t[2]), default=None)
            if label is None:
                continue  # an image that is not a figure's
            caption = next(words for t, _, words in texts if t == label[0] and "<b>" not in words)
            found[caption] = (float(left), float(wide), float(high), float(label[1]))
    return found, size


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_a_figure_is_as_wide_as_asked_and_its_caption_starts_with_it(
    workspace: Path, paper: str
) -> None:
    _figures_brief(workspace / "briefings")
    name = "figures" if paper == "a4" else f"figures-{paper}"
    placed, (page_width, page_height) = _placed(_build(workspace, paper=paper)[name])
    assert sorted(placed) == sorted(caption for caption, _, _ in FIGURES), placed
    measure = page_width - 2 * placed["Full"][0]  # the text block, between equal margins
    # A small image is drawn at its own pixels (0.75 pt each), never enlarged unasked.
    wanted = {"Default": measure, "Full": measure, "Sixty": 0.6 * measure, "Five": 50 * MM}
    wanted["Small"] = 200 * 0.75
    for caption, image, _ in FIGURES:
        left, width, height, caption_left = placed[caption]
        assert abs(caption_left - left) <= SLACK, (caption, caption_left, left)
        across, down = PIXELS[image]
        assert abs(height - width * down / across) <= 2 * SLACK, (caption, width, height)
        if caption in wanted:
            assert abs(width - wanted[caption]) <= SLACK, (caption, width, wanted[caption])
    # A tall image takes at most about half a page with its caption; asked to fill the text's
    # width, it is narrowed only so far that it fits on its page with its caption.
    assert 0.3 * page_height <= placed["Tall"][2] <= 0.4 * page_height, placed["Tall"]
    assert 0.55 * page_height <= placed["Towering"][2] <= 0.75 * page_height, placed["Towering"]


def test_the_sample_chart_is_as_wide_as_the_text(sample_pdfs: dict[str, Path]) -> None:
    for name in ("india-japan-2025-11", "talent-mobility-2025-11"):  # captions in English
        placed, (page_width, _) = _placed(sample_pdfs[name])
        assert placed
        for left, width, _, caption_left in placed.values():
            assert (
                abs(width - (page_width - 2 * left)) <= SLACK and abs(caption_left - left) <= SLACK
            )


def test_corrections_stand_under_the_byline_and_the_reference_after_the_sources(
    workspace: Path,
) -> None:
    write(workspace / "briefings" / "corrected.md", CORRECTED)
    pdf = _build(workspace)["corrected"]
    content = " ".join(text(pdf).split())
    byline = content.index("November 24, 2025 · Asha Rao · Kenji Sato")
    latest = content.index(
        "CORRECTIONS Corrected November 28, 2025: The meeting was the leaders’ first as prime "
        "ministers, not their first ever."
    )
    first = content.index("Corrected November 26, 2025: An earlier version gave the investment")
    assert byline < latest < first < content.index("What happened")
    cite = content[content.index("Cite this brief") :]
    assert cite.startswith(
        "Cite this brief Asha Rao and Kenji Sato (2025). A minimal brief. Indo-Pacific Briefs · "
        "No. 2025/11. MGMM. https://doi.org/10.5555/example.2025.11"
    )
    assert content.index("Sources") < content.index("Cite this brief")
    # Created on the brief's date, modified on its latest correction, whatever the epoch says.
    fields = info(pdf)
    assert fields["CreationDate"].startswith("Mon Nov 24 00:00:00 2025")
    assert fields["ModDate"].startswith("Fri Nov 28 00:00:00 2025")
    assert "2025-11-28T00:00:00Z" in xmp(pdf)
    assert "Corrections" in outline(pdf) and "Cite this brief" in outline(pdf)


def test_without_a_doi_the_reference_names_where_the_pdf_is_published(workspace: Path) -> None:
    source = CORRECTED.replace("doi: 10.5555/example.2025.11\n", "")
    write(workspace / "briefings" / "2025" / "corrected.md", source)
    unpublished = " ".join(text(_build(workspace)["corrected"]).split())
    assert "MGMM. Sources" not in unpublished and "https://" not in unpublished
    config = workspace / "briefkit.toml"
    config.write_text(config.read_text() + '\n[publish]\nbase_url = "https://example.org/b"\n')
    published = " ".join(text(_build(workspace)["corrected"]).split())
    assert "No. 2025/11. MGMM. https://example.org/b/2025/corrected.pdf" in published


def test_a_tiny_image_s_caption_keeps_a_readable_measure(
    workspace: Path,
) -> None:
    from PIL import Image

    folder = workspace / "briefings"
    Image.new("RGB", (16, 9), "navy").save(folder / "icon.png")
    caption = "The unit's emblem, as printed on the cover of every brief it sends to ministers"
    text_with = MINIMAL.replace(
        "Something happened [@src].",
        f'Something happened [@src].\n\n![Emblem](icon.png "{caption}")',
    )
    write(folder / "tiny.md", text_with)
    lines = [line for line in text(_build(workspace)["tiny"]).splitlines() if line.strip()]
    # A caption as narrow as a 12 pt image would run a word or two to a line.
    held = [line for line in lines if any(w in line for w in ("emblem", "printed", "ministers"))]
    assert len(held) <= 2, held
