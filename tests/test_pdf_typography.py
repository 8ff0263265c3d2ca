"""The PDF's typography, measured from pdftotext: hyphens, measure, names, figures, pages."""

from __future__ import annotations

import itertools
import re
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, build_samples
from longbrief import write_long_brief
from pdftools import outline, pages, poppler
from pdftypo import AUTO_HYPHEN, lines, measure, other_text, running_text

pytestmark = pytest.mark.slow

_LABEL = re.compile(r"\s*(FACT|COMMENTARY)(\s+·.*)?\s*")
LATIN = ["india-japan-2025-11", "talent-mobility-2025-11", "de-indien-japan-2025-11", "long"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Build every sample and a thirty-page brief once."""
    root = tmp_path_factory.mktemp("typography")
    shutil.copytree(ROOT / "briefings", root / "briefings")
    long_brief = write_long_brief(root / "briefings" / "long")
    report = build_samples(root)
    assert report.ok
    outputs = {r.outputs[0].stem: r.outputs[0] for r in report.results}
    outputs["long"] = outputs.pop(long_brief.stem)
    return outputs


def test_running_text_is_set_at_60_to_75_characters_a_line(built: dict[str, Path]) -> None:
    for name in LATIN:
        figures = measure(built[name])
        assert figures.full_lines >= 10, name
        assert 60 <= figures.median_characters <= 75, (name, figures)
    assert len(pages(built["long"])) >= 28  # the long brief is long


def test_no_hyphenation_in_titles_headings_captions_notes_or_sources(
    built: dict[str, Path],
) -> None:
    for name, pdf in built.items():
        hyphenated = [line.text for line in other_text(lines(pdf)) if line.auto_hyphenated]
        assert hyphenated == [], name


def test_capitalised_words_are_never_hyphenated(built: dict[str, Path]) -> None:
    for name, pdf in built.items():
        for line in running_text(lines(pdf)):
            if line.auto_hyphenated:
                last = line.text.rstrip(AUTO_HYPHEN).split()[-1]
                assert not last[:1].isupper(), (name, line.text)


def test_a_japanese_name_is_never_broken(built: dict[str, Path]) -> None:
    for name in ("talent-mobility-2025-11", "long"):
        text = poppler("pdftotext", str(built[name]), "-")
        assert text.count("高市早苗") >= 2, name
        assert text.count("高市") == text.count("高市早苗"), name


def test_figures_are_numbered_with_credit_on_its_own_line(built: dict[str, Path]) -> None:
    text = poppler("pdftotext", "-layout", str(built["long"]), "-")
    numbers = [int(n) for n in re.findall(r"Figure (\d+)\s+Milestones referred to at", text)]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 10
    assert re.search(r"Milestones referred to at the meeting\s*\n\s*Credit:", text)


def test_no_more_than_a_quarter_page_is_left_empty_before_a_figure(
    built: dict[str, Path],
) -> None:
    for name, pdf in built.items():
        bbox = poppler("pdftotext", "-bbox", str(pdf), "-")
        height = float(re.findall(r'<page width="[\d.]+" height="([\d.]+)"', bbox)[0])
        bottom = height - 24 * 72 / 25.4  # the foot of the text area, above the footer
        texts = pages(pdf)
        for number, page in enumerate(re.split(r"<page ", bbox)[2:-1], start=1):
            rows = [row for row in texts[number].splitlines() if row.strip()]
            if not re.match(r"\s*Figure \d+", rows[1]):  # the next page opens with a figure
                continue
            body = [float(y) for y in re.findall(r'yMax="([\d.]+)"', page) if float(y) < bottom]
            assert max(body) > 0.75 * bottom, (name, number)


def test_every_page_names_the_kind_of_text_it_carries(built: dict[str, Path]) -> None:
    all_pages = pages(built["long"])
    heads = [page.strip().splitlines()[0] for page in all_pages[1:]]
    assert all(re.search(r"\b(CONTENTS|FACT|COMMENTARY|SOURCES)\b", head) for head in heads)
    assert any("COMMENTARY (CONTINUED)" in head for head in heads)
    for page in all_pages[1:]:
        head, body = page.strip().split("\n", 1)
        if "(CONTINUED)" in head:  # a page that does not open with a section's label
            assert not re.match(r"\s*(FACT|COMMENTARY)\s*(·.*)?\n", body.lstrip("\n"))


def test_bookmarks_carry_the_label(built: dict[str, Path]) -> None:
    titles = outline(built["talent-mobility-2025-11"])
    assert "Fact: The people in this brief" in titles
    assert "Commentary: Analyst’s view: from intent to numbers" in titles


def test_short_tables_stay_on_one_page(built: dict[str, Path]) -> None:
    # "What was discussed" has six rows: in every round its first and last rows share a page.
    for page in pages(built["long"]):
        assert ("Indo-Pacific   " in page) == ("Shared heritage" in page)


def test_a_section_never_starts_in_the_last_five_lines_of_a_page(built: dict[str, Path]) -> None:
    line = 10.5 * 1.45  # a line of running text, in points
    box = r'<line xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</line>'
    for name, pdf in built.items():
        layout = poppler("pdftotext", "-bbox-layout", str(pdf), "-")
        height = float(re.findall(r'<page width="[\d.]+" height="([\d.]+)"', layout)[0])
        bottom = height - 24 * 72 / 25.4
        for page in re.split(r"<page ", layout)[2:]:
            rows = [
                (float(top), float(low) - float(top), " ".join(re.findall(r">([^<]+)</word>", w)))
                for top, low, w in re.findall(box, page, re.S)
            ]
            for (top, _, text), (_, next_height, _) in itertools.pairwise(rows):
                # A section's label, not a contents entry's: a heading follows it.
                if re.fullmatch(_LABEL, text) and next_height > 1.2 * line:
                    assert bottom - top >= 5 * line, (name, text, top)
