"""`briefkit check`: every rejection rule, data-driven from tests/briefs/bad/*.md and .expect."""

from __future__ import annotations

import io
import itertools
import json
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import briefkit
from briefkit.errors import Severity
from briefkit.sources.loader import load_brief
from briefkit.text import font_packages
from conftest import BRIEFS, MINIMAL, ROOT, SAMPLES, Run, expected_findings, write

BAD = sorted((BRIEFS / "bad").glob("*.md"))


@pytest.mark.parametrize("source", BAD, ids=[p.stem for p in BAD])
def test_bad_source_gives_exact_finding(source: Path) -> None:
    findings = load_brief(source).findings
    expected = expected_findings(source)
    assert len(findings) == len(expected), [f.format() for f in findings]
    for finding, (line, col, severity, text) in zip(findings, expected, strict=True):
        assert (finding.line, finding.col, str(finding.severity)) == (line, col, severity)
        assert text in finding.message


@pytest.mark.parametrize("source", BAD, ids=[p.stem for p in BAD])
def test_errors_refuse_the_brief_and_warnings_do_not(source: Path) -> None:
    loaded = load_brief(source)
    has_error = any(f.severity is Severity.ERROR for f in loaded.findings)
    assert (loaded.brief is None) == has_error


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_samples_pass_strict_check(sample: Path, run_cli: Run) -> None:
    result = run_cli("check", "--strict", str(sample))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors, 0 warnings" in result.stdout


def test_check_reports_path_line_and_exits_1(run_cli: Run) -> None:
    result = run_cli("check", str(BRIEFS / "bad" / "unknown-kind.md"))
    assert result.returncode == 1
    assert re.search(
        r"unknown-kind\.md:9:15: error: .*allowed kinds: \.fact, \.commentary", result.stdout
    )
    assert "Traceback" not in result.stdout + result.stderr


def test_warnings_pass_unless_strict(tmp_path: Path, run_cli: Run) -> None:
    source = BRIEFS / "bad" / "warn-no-citation.md"
    assert run_cli("check", str(source)).returncode == 0
    strict = run_cli("check", "--strict", str(source))
    assert strict.returncode == 1
    assert "warning: fact section 'Unsourced' cites no source" in strict.stdout


def test_a_source_never_cited_is_named_at_its_entry_and_fails_strict(run_cli: Run) -> None:
    source = BRIEFS / "bad" / "warn-uncited-source.md"
    assert run_cli("check", str(source)).returncode == 0
    strict = run_cli("check", "--strict", str(source))
    assert strict.returncode == 1
    expected = "warn-uncited-source.md:6:3: warning: source 'background' is never cited"
    assert expected in strict.stdout


def test_json_format_lists_the_same_findings(run_cli: Run) -> None:
    result = run_cli("check", "--format", "json", str(BRIEFS / "bad" / "invalid-date.md"))
    assert result.returncode == 1
    data = json.loads(result.stdout)
    finding = data["findings"][0]
    assert finding["line"] == 4 and finding["severity"] == "error"
    assert finding["path"].endswith("invalid-date.md")


def test_check_defaults_to_the_workspace_briefings(workspace: Path, run_cli: Run) -> None:
    write(workspace / "briefings" / "ok.md", MINIMAL)
    write(workspace / "briefings" / "sub" / "bad.md", "---\ntitle: x\n---\n")
    result = run_cli("check", cwd=workspace / "briefings" / "sub")
    assert result.returncode == 1
    assert "checked 2 briefs" in result.stdout
    assert "bad.md:1:1: error: front matter is missing required key 'date'" in result.stdout


def test_missing_path_is_a_usage_error(run_cli: Run, tmp_path: Path) -> None:
    result = run_cli("check", str(tmp_path / "nope.md"))
    assert result.returncode == 2
    assert "no such file or folder" in result.stderr
    assert "Traceback" not in result.stderr


def _first_section_html(folder: Path, text: str) -> str:
    """Load a brief whose first section says text and return its HTML page's first section."""
    loaded = briefkit.load(write(folder / "b.md", MINIMAL.replace("Something happened", text)))
    page = briefkit.render(loaded, "html").decode()
    return page[page.index('<section class="section') : page.index("</section>")]


def test_raw_html_is_shown_as_text_not_markup(tmp_path: Path) -> None:
    html = _first_section_html(tmp_path, "<script>alert(1)</script> <b>bold</b> happened")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_jinja_syntax_in_text_is_not_evaluated(tmp_path: Path) -> None:
    html = _first_section_html(tmp_path, "{{ 7*7 }} {% if 1 %}x{% endif %}")
    assert "{{ 7*7 }}" in html and "49" not in html


def test_characters_without_any_font_are_named(tmp_path: Path) -> None:
    # Khitan small script: no bundled font, and no font Debian's Noto packages install, has it.
    khitan = "\U00018b00\U00018b01"
    source = write(tmp_path / "glyph.md", MINIMAL.replace("Something happened", f"Seal {khitan}"))
    found = [(f.line, f.col, f.message) for f in load_brief(source).findings]
    remedy = "none of Debian's Noto font packages draws it"
    assert (11, 6, f"no font can draw {khitan[0]} (U+18B00): {remedy}") in found
    assert (11, 7, f"no font can draw {khitan[1]} (U+18B01): {remedy}") in found
    devanagari = write(tmp_path / "deva.md", MINIMAL.replace("Something happened", "मोदी"))
    assert not [f for f in load_brief(devanagari).findings if "no font" in f.message]


# CJK Extension G: no Noto font has it, bundled or Debian's (fonts-noto-cjk stops at
# Extension B), so these findings are the same on every machine.
EXT_G = "\U00030000"


def test_an_undrawable_character_is_named_at_its_line_and_column(tmp_path: Path) -> None:
    text = MINIMAL.replace("Something happened", f"Seal {EXT_G} and {EXT_G}")
    text = text.replace("date:", 'subtitle: "A \\U00030001 escape"\ndate:')
    source = write(tmp_path / "b.md", text + f"\nOnce more, {EXT_G}.\n")
    found = [(f.line, f.col, f.message) for f in load_brief(source).findings]
    remedy = "none of Debian's Noto font packages draws it"
    first = f"no font can draw {EXT_G} (U+30000), here and in 2 more places: {remedy}"
    assert (12, 6, first) in found
    assert (3, 1, f"no font can draw \U00030001 (U+30001): {remedy}") in found


def test_a_flood_of_undrawable_characters_is_shown_ten_times(tmp_path: Path) -> None:
    many = "".join(chr(0x30000 + n) for n in range(40))
    source = write(tmp_path / "b.md", MINIMAL.replace("Something happened", many))
    fonts = [f for f in load_brief(source).findings if "no font can draw" in f.message]
    assert [(f.line, f.col) for f in fonts] == [(11, col) for col in range(1, 12)]
    assert fonts[-1].message.startswith("and more like this from here on")


PACKAGES = {
    "中": "fonts-noto-cjk",
    "한": "fonts-noto-cjk",
    "😀": "fonts-noto-color-emoji",
    "🚀": "fonts-noto-color-emoji",
    "ب": "fonts-noto-core",
    "ጀ": "fonts-noto-core",
}


@pytest.mark.parametrize(("char", "package"), PACKAGES.items())
def test_a_character_is_pointed_at_the_package_that_draws_it(
    char: str, package: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As on a machine with none of Debian's Noto packages: a plain pip install.
    monkeypatch.setattr(font_packages, "find_font_file", lambda name: None)
    monkeypatch.setattr(font_packages, "missing_glyphs", lambda text: list(text))
    assert font_packages.remedy(char) == f"install Debian's {package}, which draws it"
    assert font_packages.remedy(EXT_G) == "none of Debian's Noto font packages draws it"


def test_the_package_table_is_sorted_and_its_ranges_apart() -> None:
    ranges = font_packages.PACKAGE_RANGES
    assert all(start <= end for start, end, _ in ranges)
    assert all(a[1] < b[0] for a, b in itertools.pairwise(ranges))


PIECES = [*"#[]{}()!^@*_`|>-:. ab1é日", "\n", "\t", "{.fact}", "[@s]", "[^n]", "[^n]: ", "## "]


@settings(max_examples=300, deadline=None)
@given(body=st.lists(st.sampled_from(PIECES), max_size=60).map("".join))
def test_any_body_gives_findings_never_an_exception(body: str) -> None:
    folder = Path("/nonexistent-briefkit-folder")
    text = f"---\ntitle: T\ndate: 2025-11-24\nsources:\n  s: {{title: S}}\n---\n{body}"
    loaded = briefkit.load_text(text, base_dir=folder, workspace=folder)
    lines = text.count("\n") + 1
    for finding in loaded.findings:
        assert 1 <= finding.line <= lines, finding.format()


def test_a_file_that_is_not_markdown_is_named_not_decoded(tmp_path: Path, run_cli: Run) -> None:
    image = tmp_path / "img.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    result = run_cli("check", str(image))
    assert result.returncode == 2
    assert "img.png: not a briefing source (expected a .md file)" in result.stderr
    assert "UTF-8" not in result.stderr + result.stdout


def test_pandoc_citations_render_as_numbered_references(tmp_path: Path) -> None:
    html = _first_section_html(
        tmp_path,
        "Seen [see @src, p. 4], again [@src p. 5], once more [-@src], and as @src notes,",
    )
    assert '[see <a href="#_src1">1</a>, p. 4]' in html
    assert '[<a href="#_src1">1</a>, p. 5]' in html
    assert '<span class="narrative-citation">A source <span class="citation" id="_cite4">' in html
    assert "@src" not in html


def test_a_character_only_an_unrelated_font_has_is_still_named(tmp_path: Path) -> None:
    # U+23B7 is drawn by DejaVu, which this machine may have, but by none of briefkit's fonts:
    # the finding is the same whatever else is installed.
    source = write(tmp_path / "b.md", MINIMAL.replace("Something happened", "Root \u23b7"))
    messages = [f.message for f in load_brief(source).findings]
    assert any(m.startswith("no font can draw \u23b7 (U+23B7):") for m in messages), messages


def test_a_bracketed_span_marks_the_language_of_its_words(tmp_path: Path) -> None:
    html = _first_section_html(tmp_path, "Modi ([नरेन्द्र मोदी]{lang=hi}) met [@src]")
    assert '<span lang="hi">नरेन्द्र मोदी</span>' in html


# Figure widths ----------------------------------------------------------------------------

SAFE_LENGTH = re.compile(r"\d+(\.\d+)?(%|mm|cm|in|px)")
WIDTH_PIECES = [*"0123456789.-+%;:()\"' ", "mm", "cm", "in", "inch", "px", "pt", "em", "e5", "url"]


@settings(max_examples=500, deadline=None)
@given(
    written=st.one_of(st.text(max_size=30), st.lists(st.sampled_from(WIDTH_PIECES)).map("".join))
)
def test_a_width_is_read_into_numbers_or_refused(written: str) -> None:
    from briefkit.model.figure_width import FigureWidth, WidthError, parse_width
    from briefkit.rendering.fragments import css_length

    try:
        width = parse_width(written)
    except WidthError:
        return
    assert isinstance(width, FigureWidth)
    assert SAFE_LENGTH.fullmatch(css_length(width)), css_length(width)
    share, length = width.share, width.millimetres
    assert (0 < share <= 1) if share is not None else (length is not None and 1 <= length <= 1000)


def _with_chart(folder: Path, markdown: str) -> briefkit.LoadedBrief:
    """Load a minimal brief whose first section shows chart.png as markdown says."""
    from PIL import Image

    Image.new("RGB", (1600, 900), "white").save(folder / "chart.png")
    text = MINIMAL.replace(
        "Something happened [@src].", f"Something happened [@src].\n\n{markdown}"
    )
    return briefkit.load(write(folder / "b.md", text))


def test_a_width_reaches_the_page_as_numbers_and_a_unit(tmp_path: Path) -> None:
    loaded = _with_chart(tmp_path, "![A chart](chart.png){width=12.50cm}\n\n![Small](chart.png)")
    page = briefkit.render(loaded, "html").decode()
    sized, plain = re.findall(r"<figure [^>]*>", page)
    assert sized == (
        '<figure class="figure figure--sized" style="--figure-ratio: 1.7778; '
        '--figure-natural: 1600px; width: 12.5cm">'
    )
    assert plain == (
        '<figure class="figure" style="--figure-ratio: 1.7778; --figure-natural: 1600px">'
    )


def test_a_width_that_is_not_a_checked_value_never_reaches_an_output(tmp_path: Path) -> None:
    loaded = _with_chart(tmp_path, "![A chart](chart.png){width=60%}")
    assert loaded.brief is not None
    (figure,) = [t for t in loaded.brief.sections[0].tokens if t.type == "figure"]
    image = (figure.children or [])[0]
    image.meta["width"] = "1px;background:url(file:///etc/hostname)"  # as if the check were skipped
    image.attrs["width"] = "1px;background:red"
    image.attrs["style"] = "background:red"
    page = briefkit.render(loaded, "html").decode()
    with zipfile.ZipFile(io.BytesIO(briefkit.render(loaded, "epub"))) as epub:
        chapter = next(epub.read(n) for n in epub.namelist() if n.endswith("text-01.xhtml"))
    for section in (page[page.index("<figure") : page.index("</figure>")], chapter.decode()):
        assert "background" not in section and "figure--sized" not in section
        assert "<figure " in section and "width:" not in section


def test_a_flood_of_bad_widths_is_shown_ten_times(tmp_path: Path) -> None:
    loaded = _with_chart(tmp_path, "![A chart](chart.png){width=0%}\n\n" * 500)
    widths = [f for f in loaded.findings if "image width" in f.message]
    assert [f.line for f in widths] == [13 + 2 * n for n in range(11)]
    assert widths[-1].message.startswith("and more like this from here on")


def test_an_image_shown_many_times_is_read_once_and_each_bad_use_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefkit.files import read_regular as real

    reads: list[Path] = []

    def counting(path: Path, *args: object, **kwargs: object) -> bytes:
        reads.append(path)
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("briefkit.sources.images.read_regular", counting)
    chart = next((ROOT / "briefings" / "images").glob("*.png"))
    (tmp_path / "chart.png").write_bytes(chart.read_bytes())
    shown = "\n\n".join(["![A chart](chart.png)", "![Missing](gone.png)"] * 500)
    write(tmp_path / "many.md", MINIMAL + "\n" + shown + "\n")
    loaded = load_brief(tmp_path / "many.md")
    assert sorted(path.name for path in reads) == ["chart.png", "gone.png"]
    missing = [f for f in loaded.findings if "gone.png" in f.message]
    assert len(missing) == 500


# DOI and corrections ------------------------------------------------------------------------


def _front(extra: str) -> str:
    """Return the minimal brief with front-matter lines added after its date (line 3)."""
    return MINIMAL.replace("date: 2025-11-24\n", f"date: 2025-11-24\n{extra}", 1)


def test_a_doi_and_corrections_are_read_and_ordered_newest_first(tmp_path: Path) -> None:
    source = write(
        tmp_path / "corrected.md",
        _front(
            "doi: 10.5555/mgmm.2025.11\ncorrections:\n"
            "  - date: 2025-11-26\n    text: >-\n      The first,\n      folded.\n"
            "  - date: 2025-11-28\n    text: The latest.\n"
            "  - date: 2025-11-26\n    text: A second on the first day.\n"
        ),
    )
    loaded = load_brief(source)
    assert loaded.findings == []
    assert loaded.brief is not None
    meta = loaded.brief.meta
    assert meta.doi == "10.5555/mgmm.2025.11"
    assert [c.text for c in meta.newest_corrections] == [
        "The latest.",
        "A second on the first day.",
        "The first, folded.",
    ]
    assert meta.latest_correction is not None and meta.latest_correction.text == "The latest."


def test_a_correction_dated_tomorrow_passes_and_two_days_on_is_refused(tmp_path: Path) -> None:
    import datetime as dt

    today = dt.datetime.now(dt.UTC).date()
    ahead = [(today + dt.timedelta(days=n)).isoformat() for n in (1, 2)]
    entries = "".join(f"  - date: {day}\n    text: Fixed.\n" for day in ahead)
    loaded = load_brief(write(tmp_path / "ahead.md", _front(f"corrections:\n{entries}")))
    assert [(f.line, f.col) for f in loaded.findings] == [(7, 5)]
    assert f"correction 2 is dated {ahead[1]}, after today" in loaded.findings[0].message


def test_a_long_correction_a_long_doi_and_too_many_corrections_are_refused(
    tmp_path: Path,
) -> None:
    from briefkit.model.brief import CORRECTION_LENGTH, DOI_LENGTH, MOST_CORRECTIONS

    many = "".join(
        f"  - date: 2025-11-25\n    text: Number {n}.\n" for n in range(MOST_CORRECTIONS + 1)
    )
    long_text = "word " * (CORRECTION_LENGTH // 5 + 1)
    cases = {
        "doi": (f"doi: 10.5555/{'x' * DOI_LENGTH}\n", 4, "must be at most 200 characters"),
        "text": (
            f"corrections:\n  - date: 2025-11-25\n    text: {long_text}\n",
            6,
            "must be at most 1,000 characters",
        ),
        "many": (f"corrections:\n{many}", 4, "should have at most 20 items"),
    }
    for name, (extra, line, words) in cases.items():
        (finding,) = load_brief(write(tmp_path / f"{name}.md", _front(extra))).findings
        assert (finding.line, str(finding.severity)) == (line, "error"), finding.format()
        assert words in finding.message, finding.format()
