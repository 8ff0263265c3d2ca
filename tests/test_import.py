"""briefkit import: a saved article page, pasted text and bad input, to a brief that builds."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path

import pytest

from briefkit.commands.importing.clean import Cleaner, keeps_no_break
from briefkit.commands.importing.command import import_source
from briefkit.commands.importing.extracted import Extracted, Picture
from briefkit.commands.importing.kinds import suggest_kind
from briefkit.commands.importing.writer import write_brief
from briefkit.errors import BriefkitError
from briefkit.sources.loader import load_brief, load_text
from conftest import ROOT, Run, write

PAGE = Path(__file__).resolve().parent / "briefs" / "import"
# Pasted browser text in the seed article's shape (page furniture, a caption printed twice,
# reported sections, then the publisher's unlabelled outlook), in words of our own.
PASTED = ROOT / "tests" / "briefs" / "import" / "pasted-article.txt"
NAME = "tokyo-and-new-delhi-agree-to-speed-up-defence-and-technology"
CAPTION = "Narendra Modi and Sanae Takaichi at the G20 summit in Johannesburg, 23 November 2025."
BOILERPLATE = [
    "top of page",
    "bottom of page",
    "cookie",
    "Share on",
    "LinkedIn",
    "Great article",
    "Post comment",
    "Comments",
    "min read",
    "Subscribe",
    "Related articles",
    "All rights reserved",
    "Privacy",
    "dataLayer",
    "track()",
    "font-family",
    "@context",
]


@pytest.fixture
def imported(workspace: Path, run_cli: Run) -> Path:
    """Import the saved article page into the workspace; return the brief written."""
    shutil.copytree(PAGE, workspace / "saved")
    result = run_cli("import", "saved/article.html", cwd=workspace)
    assert result.returncode == 0, result.stderr
    assert f"wrote briefings/{NAME}.md from saved/article.html" in result.stdout
    return workspace / "briefings" / f"{NAME}.md"


def test_import_keeps_the_article_and_leaves_the_page_around_it(imported: Path) -> None:
    text = imported.read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[1]
    for words in BOILERPLATE:
        assert words not in body, words
    assert body.count(CAPTION) == 1  # printed twice on the page, under the image and as text
    assert "intelligence" in body and "\u200b" not in text
    # The page's no-break space between two words is a plain space (trafilatura's and ours).
    assert "the two leaders" in body
    assert "| Area | What the readout mentions |\n| --- | --- |\n| Defence |" in body
    assert "## Meridian Outlook {.commentary .unconfirmed" in body
    assert "## The Indo-Pacific {.fact .unconfirmed}" in body
    assert "## Introduction {.fact .unconfirmed}" in body


def test_import_saves_the_local_image_with_its_alt_text(imported: Path) -> None:
    saved = imported.parent / "images" / f"{NAME}-1.png"
    assert saved.read_bytes() == (PAGE / "images" / "meeting.png").read_bytes()
    text = imported.read_text(encoding="utf-8")
    assert (
        f"![The two prime ministers shake hands in front of their flags](images/{NAME}-1.png"
        in text
    )


def test_import_front_matter_names_the_page_as_the_first_source(imported: Path) -> None:
    loaded = load_brief(imported)
    assert loaded.brief is not None
    meta = loaded.brief.meta
    assert meta.title == "Tokyo and New Delhi agree to speed up defence and technology work"
    assert meta.date.isoformat() == "2025-11-24"
    assert [author.name for author in meta.authors] == ["Asha Verma"]
    key, entry = next(iter(meta.sources.items()))
    assert key == "meridian-policy-review"
    assert entry.url == "https://review.example.org/2025/11/tokyo-new-delhi-talks"
    assert entry.publisher == "Meridian Policy Review"
    assert entry.date == "2025-11-24" and entry.accessed is not None
    assert [s.kind for s in loaded.brief.sections] == ["fact"] * 4 + ["commentary"]
    assert loaded.brief.sections[-1].by == "Meridian Policy Review"


def test_imported_brief_passes_check_but_for_its_unconfirmed_kinds_then_builds(
    imported: Path, workspace: Path, run_cli: Run
) -> None:
    result = run_cli("check", cwd=workspace)
    assert result.returncode == 0, result.stdout
    warnings = [line for line in result.stdout.splitlines() if ": warning: " in line]
    assert len(warnings) == 5
    assert all(".unconfirmed" in line and f"briefings/{NAME}.md:" in line for line in warnings)
    assert re.search(
        rf"{NAME}\.md:\d+:\d+: warning: section 'Meridian Outlook': \.commentary", result.stdout
    )
    assert run_cli("check", "--strict", cwd=workspace).returncode == 1
    text = imported.read_text(encoding="utf-8")
    imported.write_text(text.replace(" .unconfirmed", ""), encoding="utf-8")
    strict = run_cli("check", "--strict", cwd=workspace)
    assert strict.returncode == 0, strict.stdout
    assert "0 errors, 0 warnings" in strict.stdout
    built = run_cli("build", "--format", "pdf", cwd=workspace)
    assert built.returncode == 0, built.stdout + built.stderr
    assert (workspace / "out" / f"{NAME}.pdf").stat().st_size > 10_000


def test_import_says_what_to_confirm(workspace: Path, run_cli: Run) -> None:
    shutil.copytree(PAGE, workspace / "saved")
    result = run_cli("import", "saved/article.html", "-o", "briefings/talks.md", cwd=workspace)
    assert result.returncode == 0, result.stderr
    assert "cleaned: 1 removed zero-width character" in result.stdout
    assert (
        "briefings/talks.md:16: title and kind of 'Introduction' suggested: .fact" in result.stdout
    )
    assert re.search(
        r"talks\.md:\d+: kind of 'Meridian Outlook' suggested: \.commentary", result.stdout
    )
    assert (workspace / "briefings" / "images" / "talks-1.png").is_file()


def test_pasted_text_loses_page_furniture_and_repeated_captions(tmp_path: Path) -> None:
    report = import_source(PASTED, tmp_path / "pasted.md")
    text = report.path.read_text(encoding="utf-8")
    for furniture in ("top of page", "bottom of page", "\nComments"):
        assert furniture not in text
    assert text.count("Photo: the two prime ministers before their talks") == 1
    assert "## The MGMM Outlook {.commentary .unconfirmed}" in text
    loaded = load_brief(report.path)
    assert not loaded.errors, loaded.errors


def test_pasted_text_keeps_its_no_break_spaces_where_they_belong(tmp_path: Path) -> None:
    pasted = tmp_path / "pasted.txt"
    body = "Turnout rose to 61\u00a0% on 23\u00a0November, said the Prime\u00a0Minister."
    pasted.write_text(f"A title\n\n{body} It was\tlong   awaited.\n", encoding="utf-8")
    text = import_source(pasted, tmp_path / "pasted.md").path.read_text(encoding="utf-8")
    assert "61\u00a0% on 23\u00a0November, said the Prime Minister." in text
    assert "It was long awaited [@source]." in text


def test_import_escapes_what_markdown_would_read(tmp_path: Path) -> None:
    write(
        tmp_path / "page.html",
        "<html><head><title>Marks</title></head><body><article><h1>Marks</h1><p>"
        + "Readers wrote to desk@example.org and @press, quoting *stars*, _lines_, [links], "
        "<b>bold</b> {.fact} and &amp;amp; as they were typed, with "
        '<a href="javascript:alert(1)">a script</a> and <a href="file:///etc/passwd">a file</a>.'
        + " Long enough to be an article's paragraph." * 5
        + "</p><h2>Heading {.commentary}</h2><p>"
        + "# Not a heading, and 1. not a list either; just a sentence. " * 4
        + "</p></article></body></html>",
    )
    report = import_source(tmp_path / "page.html", tmp_path / "marks.md")
    loaded = load_brief(report.path)
    assert not loaded.errors, loaded.errors
    assert loaded.brief is not None
    text = report.path.read_text(encoding="utf-8")
    assert "javascript:" not in text and "file:" not in text
    assert "a script and a file" in text
    assert [s.title for s in loaded.brief.sections] == ["Introduction", "Heading {.commentary}"]
    assert any("javascript:alert(1)" in line for line in report.dropped)


def test_text_repeating_a_figure_s_alt_text_becomes_its_caption_once(tmp_path: Path) -> None:
    png = (PAGE / "images" / "meeting.png").read_bytes()
    material = Extracted(
        html='<p>The leaders met.</p><p><img src="a.png" alt="The leaders"></p><p>The leaders</p>'
        "<p>The leaders</p>",
        source="draft.docx",
        title="Draft",
        pictures=(Picture("a.png", png, "image/png"),),
    )
    written = write_brief(material, "draft", dt.date(2025, 11, 24))
    assert '![The leaders](images/draft-1.png "The leaders")' in written.text
    assert written.text.count('The leaders"') == 1 and "\n\nThe leaders\n" not in written.text
    assert written.images == {"images/draft-1.png": png}


def test_clean_keeps_no_break_spaces_where_they_belong() -> None:
    cleaner = Cleaner()
    text = "10\u00a0%, 23\u00a0November, Prime\u00a0Minister, Quoi\u00a0? «\u00a0oui\u00a0»"
    assert (
        cleaner.text(text)
        == "10\u00a0%, 23\u00a0November, Prime Minister, Quoi\u00a0? «\u00a0oui\u00a0»"
    )
    assert keeps_no_break("a\u00a0%", 1) and not keeps_no_break("a\u00a0b", 1)
    assert cleaner.text("e\u0301vite\u202e\u200b") == "évite"
    assert cleaner.report() == [
        "1 no-break space made a plain space",
        "1 removed bidirectional control character",
        "1 removed zero-width character",
    ]


@pytest.mark.parametrize(
    ("title", "language", "kind"),
    [
        ("The MGMM Outlook", "en", "commentary"),
        ("Our view", "en-GB", "commentary"),
        ("Kommentar der Redaktion", "de", "commentary"),
        ("Notre point de vue", "fr", "commentary"),
        ("今後の展望", "ja", "commentary"),
        ("تحليل", "ar", "commentary"),
        ("Trade figures", "en", "fact"),
    ],
)
def test_kind_suggested_by_the_heading_in_each_language(
    title: str, language: str, kind: str
) -> None:
    assert suggest_kind(title, "The ministers met on Monday.", language) == kind


def test_kind_suggested_by_the_opinion_check_under_a_plain_heading() -> None:
    assert (
        suggest_kind("What it means", "In our view this is clearly the start.", "en")
        == "commentary"
    )


def test_unconfirmed_mark_loads_with_a_warning_at_its_heading(tmp_path: Path) -> None:
    text = (
        "---\ntitle: T\ndate: 2025-11-24\n---\n\n## Our view {.commentary .unconfirmed}\n\nWe do.\n"
    )
    loaded = load_text(text, tmp_path / "b.md")
    assert loaded.brief is not None and loaded.brief.sections[0].kind == "commentary"
    (warning,) = loaded.warnings
    assert (warning.line, warning.col) == (6, 13)
    assert "remove .unconfirmed" in warning.message
    typo = load_text(text.replace(".unconfirmed", ".unconfirmd"), tmp_path / "b.md")
    assert "did you mean '.unconfirmed'" in typo.errors[0].message


def test_import_refuses_a_page_with_no_main_text(workspace: Path, run_cli: Run) -> None:
    write(
        workspace / "menu.html",
        "<html><head><title>Home</title><script>var a = 1;</script></head><body><nav>"
        '<a href="/a">World</a> <a href="/b">Asia</a></nav><div class="cookie-banner">We use '
        "cookies.</div><footer>© 2025</footer></body></html>",
    )
    _refused(run_cli, workspace, "menu.html", "menu.html: no main text found")


def test_import_refuses_a_file_over_the_size_limit(workspace: Path, run_cli: Run) -> None:
    with (workspace / "huge.html").open("wb") as stream:
        stream.truncate(11 * 1024 * 1024)
    _refused(run_cli, workspace, "huge.html", "huge.html: is larger than the limit")


def test_import_refuses_an_unsupported_type(workspace: Path, run_cli: Run) -> None:
    write(workspace / "brief.pdf", "%PDF-1.7\n")
    _refused(run_cli, workspace, "brief.pdf", "brief.pdf: cannot import a '.pdf' file")


def test_import_refuses_to_overwrite_and_writes_nothing(workspace: Path, run_cli: Run) -> None:
    shutil.copytree(PAGE, workspace / "saved")
    write(workspace / "briefings" / f"{NAME}.md", "mine\n")
    _refused(run_cli, workspace, "saved/article.html", f"briefings/{NAME}.md: already exists")
    assert (workspace / "briefings" / f"{NAME}.md").read_text() == "mine\n"


def test_import_refuses_an_existing_image_and_writes_nothing(tmp_path: Path) -> None:
    write(tmp_path / "out" / "images" / "talks-1.png", "mine")
    with pytest.raises(BriefkitError, match=r"talks-1\.png: already exists"):
        import_source(PAGE / "article.html", tmp_path / "out" / "talks.md")
    assert not (tmp_path / "out" / "talks.md").exists()


def _refused(run_cli: Run, workspace: Path, source: str, message: str) -> None:
    """Import source, expecting a refusal: exit 1, a message naming it, nothing new written."""
    before = sorted(os.walk(workspace / "briefings"))
    result = run_cli("import", source, cwd=workspace)
    assert result.returncode == 1, result.stdout
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(os.walk(workspace / "briefings")) == before


def _page(folder: Path, body: str) -> Path:
    """Write a saved page around body, with a paragraph long enough to read as an article."""
    text = "The ministers met in Johannesburg and agreed to meet again in Tokyo next year. " * 4
    return write(
        folder / "page.html",
        "<html><head><title>Page</title>"
        '<link rel="canonical" href="https://news.example.org/2025/page"></head><body><article>'
        f"<h1>Page</h1><p>{text}</p>{body}</article></body></html>",
    )


def test_import_fetches_nothing_and_takes_no_image_from_outside_the_folder(
    tmp_path: Path, listener: tuple[int, list[bytes]]
) -> None:
    port, seen = listener
    (tmp_path / "page").mkdir()
    shutil.copy(PAGE / "images" / "meeting.png", tmp_path / "outside.png")
    (tmp_path / "page" / "link.png").symlink_to(tmp_path / "outside.png")
    page = _page(
        tmp_path / "page",
        f'<p><img src="http://127.0.0.1:{port}/remote.png" alt="remote"></p>'
        '<p><img src="../outside.png" alt="outside"></p><p><img src="link.png" alt="link"></p>'
        f'<p>See <a href="http://127.0.0.1:{port}/more">the full readout</a> and '
        '<a href="/2025/other">an earlier report</a>.</p>',
    )
    report = import_source(page, tmp_path / "brief.md")
    assert seen == []
    assert report.images == []
    assert not (tmp_path / "images").exists()
    text = report.path.read_text(encoding="utf-8")
    assert "remote.png" not in text and "outside" not in text and "link.png" not in text
    # A link is kept as a link, a relative one made whole from the page's own address.
    assert f"[the full readout](http://127.0.0.1:{port}/more)" in text
    assert "[an earlier report](https://news.example.org/2025/other)" in text
    assert len([line for line in report.dropped if line.startswith("image ")]) == 3


def test_notes_become_footnotes_that_call_no_other_note(tmp_path: Path) -> None:
    material = Extracted(
        html='<h1>Draft</h1><p>The figure is about USD 68 billion<a class="note" href="#n1">1'
        '</a>.</p><h1>More</h1><p>Again<a class="note" href="#n1">1</a>.</p>',
        source="draft.docx",
        notes={"n1": '<p>At the rate then quoted<a class="note" href="#n1">1</a>.</p><p>Two.</p>'},
    )
    written = write_brief(material, "draft", dt.date(2025, 11, 24))
    assert "billion[^1] [@source]." in written.text and "Again[^1] [@source]." in written.text
    assert written.text.endswith("[^1]: At the rate then quoted.\n\n    Two.\n")
    loaded = load_text(written.text, tmp_path / "draft.md")
    assert not loaded.errors, loaded.errors


def test_import_refuses_material_of_more_sections_than_a_brief_holds(tmp_path: Path) -> None:
    source = write(tmp_path / "long.md", "## Part\n\nSome text.\n\n" * 501)
    with pytest.raises(BriefkitError, match="would have 501 sections, over a brief's limit"):
        import_source(source, tmp_path / "brief.md")
    assert not (tmp_path / "brief.md").exists()


def test_markdown_is_imported_with_its_local_images(tmp_path: Path) -> None:
    shutil.copy(PAGE / "images" / "meeting.png", tmp_path / "meeting.png")
    source = write(
        tmp_path / "notes.md",
        "# Notes\n\nThe leaders met.\n\n![The leaders](meeting.png)\n\n## Our view\n\nWe agree.\n",
    )
    report = import_source(source, tmp_path / "out" / "brief.md")
    assert report.images == [tmp_path / "out" / "images" / "brief-1.png"]
    loaded = load_brief(report.path)
    assert loaded.brief is not None
    assert [(s.title, s.kind) for s in loaded.brief.sections] == [
        ("Introduction", "fact"),
        ("Our view", "commentary"),
    ]


def test_import_refuses_main_text_far_longer_than_a_brief_before_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefkit.commands.importing import command

    monkeypatch.setattr(command, "MAX_MATERIAL_BYTES", 1000)
    with pytest.raises(BriefkitError, match=r"article\.html: its main text is [\d,]+ bytes"):
        import_source(PAGE / "article.html", tmp_path / "brief.md")
    assert list(tmp_path.iterdir()) == []


def test_the_api_offers_import_source() -> None:
    import briefkit

    assert briefkit.import_source is import_source
    assert briefkit.ImportReport.__name__ == "ImportReport"
