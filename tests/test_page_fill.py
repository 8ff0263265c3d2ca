"""Full pages and full lines: page fill and line lengths on A4 and Letter, from pdftotext.

Every sample, the thirty-page brief and a generated brief of many short sections (one
paragraph, short tables, lists, notes, emphasis, links and citations inside sentences) are
built once on each paper. Every page but the first and the last is at least 80% full, notes
counted, unless what opens the next page is a figure or table taller than the room left; no
line of running text but a paragraph's last is under 70% of its measure; at most one line in
fifteen ends in a hyphen WeasyPrint added, never two in a row; dates, titles and subtitles do
not break badly.
"""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, build_samples
from longbrief import write_long_brief
from pdftools import poppler
from pdftypo import body_height, layout, measure, page_fill, short_lines

pytestmark = pytest.mark.slow

PAPERS = ("a4", "letter")
GENERATED = "many-short-sections"
LONG_WORDS = "long-words"  # a paragraph dense with long words, to hyphenate often
# Long enough to leave "2025" alone on the title's last line, before the fix, on both papers.
TITLE = "Skilled migration, defence technology and the ¥10 trillion plan for 2025"
SOURCES = 14


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """Build the samples, the long brief and the generated brief on A4 and on Letter."""
    root = tmp_path_factory.mktemp("page-fill")
    shutil.copytree(ROOT / "briefings", root / "briefings")
    long_brief = write_long_brief(root / "briefings" / "long")
    (root / "briefings" / f"{GENERATED}.md").write_text(generated_brief(), encoding="utf-8")
    (root / "briefings" / f"{LONG_WORDS}.md").write_text(long_words_brief(), encoding="utf-8")
    outputs: dict[tuple[str, str], Path] = {}
    for paper in PAPERS:
        report = build_samples(root, paper=paper, out=str(root / "out" / paper))
        assert report.ok, [r.error for r in report.failed]
        for result in report.results:
            stem = result.source.stem  # the Letter PDF is x-letter.pdf; the key is the brief
            outputs[paper, "long" if stem == long_brief.stem else stem] = result.outputs[0]
    return outputs


def test_every_page_but_the_first_and_last_is_at_least_80_percent_full(
    built: dict[tuple[str, str], Path],
) -> None:
    empty = {
        key: [(f.page, round(f.fill, 2)) for f in fills[1:-1] if f.fill < 0.8 and not f.excused]
        for key, pdf in built.items()
        if (fills := page_fill(pdf))
    }
    assert {key: pages for key, pages in empty.items() if pages} == {}


def test_a_page_before_a_figure_or_table_too_tall_for_it_is_excused_only_then(
    built: dict[tuple[str, str], Path],
) -> None:
    # The long brief's six-row table and its figures do not always fit where they fall.
    excused = [f for paper in PAPERS for f in page_fill(built[paper, "long"]) if f.excused]
    assert excused, "the long brief should have a page before a table or figure too tall for it"
    assert all(f.next_opening > f.left for f in excused)


def test_no_line_of_running_text_but_a_paragraphs_last_is_under_70_percent_of_the_measure(
    built: dict[tuple[str, str], Path],
) -> None:
    short = {key: short_lines(pdf) for key, pdf in built.items()}
    assert {key: lines for key, lines in short.items() if lines} == {}


def test_a_run_after_an_inline_element_is_not_hyphenated_at_its_first_word(
    built: dict[tuple[str, str], Path],
) -> None:
    # Before the repair WeasyPrint set "secur-" alone on the section's first line.
    for paper in PAPERS:
        text = poppler("pdftotext", "-layout", str(built[paper, GENERATED]), "-")
        assert re.search(r"^security at sea, resilience in technology, and", text, re.M), paper


def test_at_most_one_line_in_fifteen_is_hyphenated_and_never_two_in_a_row(
    built: dict[tuple[str, str], Path],
) -> None:
    for (paper, name), pdf in built.items():
        figures = measure(pdf)
        assert figures.consecutive == 0, (paper, name, figures)
        if name != LONG_WORDS:  # made to need a hyphen every few lines
            assert figures.hyphen_ratio <= 1 / 15, (paper, name, figures)
    # Without the rule, the paragraph of long words has two hyphenated lines in a row.
    assert all(measure(built[paper, LONG_WORDS]).hyphenated >= 4 for paper in PAPERS)


def test_a_date_in_the_sources_is_never_split(built: dict[tuple[str, str], Path]) -> None:
    for paper in PAPERS:
        text = poppler("pdftotext", "-layout", str(built[paper, GENERATED]), "-")
        sources = text[text.rindex("Sources") :]
        assert sources.count("29 August 2025") == SOURCES, paper
        assert sources.count("24 November 2025") == SOURCES, paper


def test_the_title_and_subtitle_never_end_on_a_word_alone(
    built: dict[tuple[str, str], Path],
) -> None:
    for (paper, name), pdf in built.items():
        pages = layout(pdf)
        body = body_height([line for page in pages for line in page.lines])
        first = pages[0].lines
        for size in (24, 13):  # the title's and the subtitle's sizes, in points
            rows = [line for line in first if abs(line.height / body - size / 10.5) < 0.03]
            if len(rows) > 1 and any(" " in row.text for row in rows):
                assert " " in rows[-1].text, (paper, name, size, [r.text for r in rows])


def test_the_generated_brief_is_what_these_tests_need(built: dict[tuple[str, str], Path]) -> None:
    for paper in PAPERS:
        pdf = built[paper, GENERATED]
        assert len(page_fill(pdf)) >= 12, paper
        text = poppler("pdftotext", "-layout", str(pdf), "-")
        assert re.search(r"^ *Many short sections", text, re.M)
        assert len(re.findall(r"^ *\d+\. ", text, re.M)) >= 10  # notes and sources


# The generated brief: many short sections made from the English samples' sentences.


def generated_brief(sections: int = 40, seed: int = 25) -> str:
    """Return a brief of many short sections, each with one or two paragraphs and a block."""
    pick = random.Random(seed)
    pool = _sentences()
    notes: list[str] = []
    parts = [_front_matter()]
    # A run of text ending before a citation that fits on the line only without its space.
    parts.append(
        "## Section 0: at sea {.fact}\n\nsecurity at sea, resilience in technology, and the "
        "protection of critical supply [@src1] chains. Japan's readiness to *commit ¥10 "
        "trillion* *and to draw* on India's young workforce shows the confidence *that major "
        "powers* now place in India's [@src2] growth.\n"
    )
    for number in range(1, sections + 1):
        kind = "{.commentary}" if number % 5 == 0 else "{.fact}"
        parts.append(f"## Section {number}: {_words(pick.choice(pool), 5)} {kind}\n")
        paragraph = _decorated(" ".join(pick.sample(pool, pick.randint(2, 4))), pick)
        source = f"src{number % SOURCES + 1}"
        if number % 3 == 0:
            notes.append(f"[^n{number}]: {pick.choice(pool)}")
            paragraph += f"[^n{number}]"
        parts.append(f"{paragraph} [@{source}]\n")
        parts.append(_block(number, pool, pick))
    return "\n".join(parts + notes) + "\n"


def long_words_brief(seed: int = 8) -> str:
    """Return a brief of one paragraph in which every other word is long."""
    pick = random.Random(seed)
    long = [
        "interoperability",
        "accountability",
        "telecommunications",
        "responsibilities",
        "intergovernmental",
        "infrastructure",
        "modernisation",
        "manufacturing",
        "semiconductors",
        "professionals",
        "researchers",
        "implementation",
        "coordination",
        "investment",
        "technologies",
        "cooperation",
        "arrangements",
        "administrative",
        "consultations",
        "commitments",
        "understanding",
        "partnership",
        "Indo-Pacific",  # a compound whose second part is a capitalised word's own span
    ]
    short = ["the", "of", "and", "in", "for", "with", "their", "our", "by", "on"]
    text = " ".join(pick.choice(long if pick.random() < 0.55 else short) for _ in range(160))
    return (
        "---\ntitle: Long words\ndate: 2025-11-24\nsources:\n  s:\n    title: S\n---\n\n"
        f"## One {{.fact}}\n\n{text} [@s].\n"
    )


def _front_matter() -> str:
    """Return the generated brief's front matter, with sources dated to the day."""
    sources = "".join(
        f"  src{n}:\n    title: {'A report on the partnership ' * (n % 5)}Source {n}\n"
        f"    publisher: MGMM\n    date: 2025-08-29\n"
        f"    url: https://example.org/{n}\n    accessed: 2025-11-24\n"
        for n in range(1, SOURCES + 1)
    )
    return (
        f"---\ntitle: {TITLE}\nsubtitle: Many short sections, short tables, lists and notes "
        "for a test of full pages\nshort_title: Many short sections\ndate: 2025-11-24\n"
        f"organisation: MGMM\nlanguage: en-GB\nsources:\n{sources}---\n"
    )


def _block(number: int, pool: list[str], pick: random.Random) -> str:
    """Return what follows a section's paragraph: a table, a list, a paragraph or nothing."""
    if number % 4 == 1:
        rows = "".join(
            f"| {pick.choice(pool).split()[0]} | {_words(pick.choice(pool), 8)} |\n"
            for _ in range(pick.randint(2, 4))
        )
        return "| Area | What was said |\n|---|---|\n" + rows
    if number % 4 == 2:
        return "".join(f"- {pick.choice(pool)}\n" for _ in range(pick.randint(2, 4)))
    if number % 4 == 3 and number % 2:
        return _decorated(" ".join(pick.sample(pool, 2)), pick) + "\n"
    return ""


def _decorated(text: str, pick: random.Random) -> str:
    """Put emphasis, links and citations inside a paragraph's sentences, as pasted text has."""
    words = text.split()
    out: list[str] = []
    index = 0
    while index < len(words):
        roll = pick.random()
        if roll < 0.04 and index + 3 < len(words):
            out.append("*" + " ".join(words[index : index + 3]) + "*")
            index += 3
        elif roll < 0.07 and index + 2 < len(words):
            out.append("[" + " ".join(words[index : index + 2]) + "](https://example.org/a)")
            index += 2
        else:
            out.append(words[index] + (" [@src1]" if roll > 0.97 else ""))
            index += 1
    return " ".join(out)


def _sentences() -> list[str]:
    """Return the running text's sentences of the English samples, citations and notes removed."""
    found: list[str] = []
    for name in ("india-japan-2025-11.md", "talent-mobility-2025-11.md"):
        body = (ROOT / "briefings" / name).read_text(encoding="utf-8").split("---\n", 2)[2]
        for block in re.split(r"\n\s*\n", body.strip()):
            if block.startswith(("#", "!", "|", "-", "1.", ">", "[^")):
                continue
            text = re.sub(r"\s*\[[@^][^\]]*\]|[*_]", "", " ".join(block.split()))
            found += [
                s
                for s in re.split(r"(?<=[.;:])\s+", text)
                if len(s) > 30 and not {"{", "@"} & set(s)
            ]
    return found


def _words(text: str, count: int) -> str:
    """Return a text's first words, without the punctuation after the last."""
    return " ".join(text.split()[:count]).rstrip(",.;:")
