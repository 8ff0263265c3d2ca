"""`briefkit publish`: a folder that e-reader apps subscribe to, read back as apps read it."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree import ElementTree as ET

import feedparser
import pytest
from PIL import Image

import briefkit
from briefkit.config import Labels
from briefkit.delivery.catalogue import publish as publishing
from briefkit.delivery.catalogue.atom import atom_feeds
from briefkit.delivery.catalogue.covers import from_epub, thumbnail
from briefkit.delivery.catalogue.entries import (
    Catalogue,
    FeedWords,
    FileRef,
    Labelled,
    Publication,
    Site,
)
from briefkit.delivery.catalogue.json_feed import json_feeds
from briefkit.delivery.catalogue.page import render_page
from briefkit.errors import BriefkitError
from briefkit.model.edition import Edition
from briefkit.rendering.epub.metadata import publication_id
from briefkit.rendering.theme import Theme
from briefkit.sources.loader import is_draft
from briefkit.text.languages import language_for
from chromium import CHROMIUM, Chromium
from conftest import BRIEFS, CORRECTED, EPOCH, MINIMAL, ROOT, Run, write
from pdftools import text as pdf_text

BASE = "https://briefs.example.org/mgmm/"
ACQUISITION = "application/atom+xml;profile=opds-catalog;kind=acquisition"
NAVIGATION = "application/atom+xml;profile=opds-catalog;kind=navigation"
OPEN_ACCESS = "http://opds-spec.org/acquisition/open-access"
ATOM = "http://www.w3.org/2005/Atom"
SCHEMAS = ROOT.parent / "shared" / "opds-schemas"
WORKSPACE_TOML = """\
[organisation]
name = "MGMM"
url = "https://example.org"

[labels]
fact = "Reported fact"
commentary = "Our view"

[publish]
title = "MGMM policy briefs"
base_url = "https://briefs.example.org/mgmm"
facts_only = true
"""


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Publish two samples and a Hindi brief with its own JPEG cover (in a subfolder)."""
    root = tmp_path_factory.mktemp("publish")
    shutil.copytree(ROOT / "briefings" / "images", root / "briefings" / "images")
    for sample in ("india-japan-2025-11.md", "talent-mobility-2025-11.md"):
        shutil.copy(ROOT / "briefings" / sample, root / "briefings" / sample)
    shutil.copytree(BRIEFS / "epub" / "images", root / "briefings" / "2025" / "images")
    shutil.copy(BRIEFS / "epub" / "supplied-cover.md", root / "briefings" / "2025" / "hindi.md")
    (root / "briefkit.toml").write_text(WORKSPACE_TOML, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        report = briefkit.publish(out="site")
        assert report.ok, [r.error for r in report.build.failed]
        yield root


@pytest.fixture(scope="module")
def site(published: Path) -> Path:
    """Return the published folder."""
    return published / "site"


def _feed(site: Path, name: str) -> Any:
    """Parse a feed of the folder as an e-reader app would, with feedparser."""
    parsed = feedparser.parse((site / name).read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def _briefs(root: Path) -> dict[str, briefkit.Brief]:
    """Return the published workspace's briefs by their title."""
    briefs = {}
    for source in sorted((root / "briefings").rglob("*.md")):
        brief = briefkit.load(source, workspace=root).raise_for_errors()
        briefs[brief.meta.title] = brief
    return briefs


def _links(entry: Any, rel: str) -> list[Any]:
    """Return an entry's links of one relation."""
    return [link for link in entry.links if link.rel == rel]


@pytest.mark.slow
def test_catalogue_is_an_opds_acquisition_feed(published: Path, site: Path) -> None:
    feed = _feed(site, "catalog.xml")
    assert feed.version == "atom10"
    assert feed.feed.title == "MGMM policy briefs"
    assert feed.feed.id.startswith("urn:uuid:")
    assert feed.feed.author == "MGMM"
    assert feed.feed.updated == "2025-11-25T00:00:00Z"  # the newest brief's date, not the clock
    rels = {link.rel: link for link in feed.feed.links}
    assert rels["self"].href == f"{BASE}catalog.xml"
    assert rels["self"].type == ACQUISITION
    assert rels["start"].href == "catalog.xml"
    briefs = _briefs(published)
    editions = {
        publication_id(brief, Edition(facts_only)): (brief, facts_only)
        for brief in briefs.values()
        for facts_only in (False, True)
    }
    assert sorted(entry.id for entry in feed.entries) == sorted(editions)
    dates = [entry.published for entry in feed.entries]
    assert dates == sorted(dates, reverse=True)  # newest first
    for entry in feed.entries:
        brief, facts_only = editions[entry.id]
        # The facts-only edition's title says so, as its EPUB's does.
        assert (entry.title == brief.meta.title) is not facts_only
        assert brief.meta.title in entry.title
        assert entry.published == brief.meta.date.isoformat()
        assert entry.updated == f"{brief.meta.date.isoformat()}T00:00:00Z"
        assert entry.dcterms_language == brief.meta.language
        assert [a.name for a in entry.authors] == (
            [a.name for a in brief.meta.authors] or [brief.meta.organisation]
        )
        if brief.meta.summary:
            assert entry.summary == brief.meta.summary
        tags = {(tag.term, tag.scheme) for tag in entry.get("tags", [])}
        assert {(k, None) for k in brief.meta.keywords} <= tags
        if brief.meta.series:
            assert (brief.meta.series, f"{BASE}feeds/series.xml") in tags
        acquisitions = {link.type: link.href for link in _links(entry, OPEN_ACCESS)}
        stem = "-facts-only" if facts_only else ""
        name = brief.path.with_suffix("").name
        assert set(acquisitions) == {"application/epub+zip", "application/pdf", "text/html"}
        assert acquisitions["application/epub+zip"].endswith(f"{name}{stem}.epub")
        assert acquisitions["application/pdf"].endswith(f"{name}{stem}.pdf")
        # The HTML edition, last: an app that takes the first acquisition gets the EPUB.
        assert acquisitions["text/html"].endswith(f"{name}{stem}.html")
        assert _links(entry, OPEN_ACCESS)[-1].type == "text/html"
        assert (site / acquisitions["text/html"]).read_bytes().startswith(b"<!DOCTYPE html>")
        assert from_epub(site / acquisitions["application/epub+zip"]).title == entry.title
        assert len(_links(entry, "http://opds-spec.org/image")) == 1
        assert _links(entry, "http://opds-spec.org/image/thumbnail")[0].type == "image/jpeg"


@pytest.mark.slow
def test_outputs_mirror_the_briefings_folders(site: Path) -> None:
    feed = _feed(site, "catalog.xml")
    hindi = [e for e in feed.entries if e.dcterms_language == "hi"]
    assert len(hindi) == 2
    hrefs = {link.href for entry in hindi for link in entry.links}
    assert {"2025/hindi.epub", "2025/hindi-facts-only.pdf", "2025/hindi.cover.jpg"} <= hrefs


@pytest.mark.slow
def test_navigation_feeds_by_series_and_year_lead_to_every_brief(site: Path) -> None:
    root = _feed(site, "catalog.xml")
    subsections = {link.title: link for link in root.feed.links if link.rel == "subsection"}
    assert set(subsections) == {"By series", "By year"}
    assert all(link.type == NAVIGATION for link in subsections.values())
    everything = {entry.id for entry in root.entries}
    reached: dict[str, set[str]] = {}
    for title, link in subsections.items():
        navigation = _feed(site, link.href)
        self_link = next(lnk for lnk in navigation.feed.links if lnk.rel == "self")
        assert self_link.type == NAVIGATION
        assert navigation.feed.title == title
        reached[title] = set()
        for entry in navigation.entries:
            [target] = [lnk for lnk in entry.links if lnk.rel == "subsection"]
            assert target.type == ACQUISITION
            collection = _feed(site, str(PurePosixPath(link.href).parent / target.href))
            assert collection.feed.title == entry.title
            assert collection.entries, entry.title
            reached[title] |= {e.id for e in collection.entries}
    assert reached["By year"] == everything
    # The Hindi brief has no series, so it is reached by year only.
    series_feed = _feed(site, "feeds/series.xml")
    assert [e.title for e in series_feed.entries] == ["Indo-Pacific Briefs", "Working Briefs"]
    assert len(reached["By series"]) == 4
    facets = [link for link in root.feed.links if link.rel == "http://opds-spec.org/facet"]
    assert {link.title for link in facets} == {"Indo-Pacific Briefs", "Working Briefs", "2025"}


@pytest.mark.slow
def test_xml_is_well_formed_with_atom_as_the_default_namespace(site: Path) -> None:
    allowed = {
        ATOM,
        "http://purl.org/dc/terms/",
        "http://opds-spec.org/2010/catalog",
        "http://purl.org/syndication/thread/1.0",
    }
    feeds = sorted(site.rglob("*.xml"))
    assert len(feeds) == 1 + 2 + 2 + 1  # the root, two navigation feeds, two series, one year
    for path in feeds:
        text = path.read_bytes()
        assert text.startswith(
            b"<?xml version='1.0' encoding='UTF-8'?>\n<feed xmlns=\"" + ATOM.encode()
        )
        root = ET.fromstring(text)
        for element in root.iter():
            assert element.tag.startswith("{"), (path, element.tag)
            assert element.tag[1:].split("}")[0] in allowed, (path, element.tag)


@pytest.mark.slow
def test_catalog_json_matches_the_atom_catalogue(site: Path) -> None:
    atom = _feed(site, "catalog.xml")
    opds = json.loads((site / "catalog.json").read_text(encoding="utf-8"))
    assert [p["metadata"]["identifier"] for p in opds["publications"]] == [
        e.id for e in atom.entries
    ]
    assert opds["metadata"]["title"] == atom.feed.title
    assert opds["metadata"]["numberOfItems"] == 6
    self_link = next(link for link in opds["links"] if link["rel"] == "self")
    assert self_link == {
        "rel": "self",
        "href": f"{BASE}catalog.json",
        "type": "application/opds+json",
    }
    first = opds["publications"][0]
    assert first["metadata"]["published"] == "2025-11-25"
    assert first["metadata"]["belongsTo"]["series"][0] == {"name": "Working Briefs", "position": 7}
    assert {link["rel"] for link in first["links"]} == {OPEN_ACCESS, "alternate"}


def _opds_validator() -> Any:
    """Return a validator of OPDS 2.0 feeds, from the official schemas, loaded offline."""
    if not SCHEMAS.is_dir():
        pytest.skip(f"the OPDS 2.0 schemas are not at {SCHEMAS}; catalog.json not validated")
    from jsonschema import Draft7Validator
    from referencing import Registry, Resource

    def load(path: Path) -> Any:
        # ECMAScript named groups, (?<name>...), are (?P<name>...) in Python.
        return json.loads(re.sub(r"\(\?<(?=[A-Za-z])", "(?P<", path.read_text(encoding="utf-8")))

    documents = [load(path) for path in SCHEMAS.rglob("*.schema.json")]
    registry = Registry().with_resources(
        (document["$id"], Resource.from_contents(document)) for document in documents
    )
    feed = registry.contents("https://drafts.opds.io/schema/feed.schema.json")
    return Draft7Validator(feed, registry=registry, format_checker=Draft7Validator.FORMAT_CHECKER)


@pytest.mark.slow
def test_every_json_feed_validates_against_the_opds_2_schemas(site: Path) -> None:
    validator = _opds_validator()
    feeds = sorted(path for path in site.rglob("*.json") if not path.name.startswith("."))
    assert len(feeds) == 6
    for path in feeds:
        errors = list(validator.iter_errors(json.loads(path.read_text(encoding="utf-8"))))
        assert not errors, (path.name, [f"{list(e.absolute_path)}: {e.message}" for e in errors])


@pytest.mark.slow
def test_the_validator_catches_a_broken_feed(site: Path) -> None:
    validator = _opds_validator()
    feed = json.loads((site / "catalog.json").read_text(encoding="utf-8"))
    for publication in feed["publications"]:
        publication["links"] = [link for link in publication["links"] if link["rel"] != OPEN_ACCESS]
    assert list(validator.iter_errors(feed))


class _Links(HTMLParser):
    """Collect the href and src attributes, the ids, and some facts about an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        self.links += [v for k, v in attrs if k in ("href", "src") and v]
        if found.get("id"):
            self.ids.add(str(found["id"]))


def _references(path: Path) -> list[str]:
    """Return every link a catalogue file makes."""
    if path.suffix == ".json":
        found: list[str] = []

        def walk(value: Any) -> None:
            if isinstance(value, dict):
                found.extend([value["href"]] if isinstance(value.get("href"), str) else [])
                for item in value.values():
                    walk(item)
            elif isinstance(value, list):
                for item in value:
                    walk(item)

        walk(json.loads(path.read_text(encoding="utf-8")))
        return found
    if path.suffix == ".xml":
        root = ET.fromstring(path.read_bytes())
        return [link.get("href", "") for link in root.iter(f"{{{ATOM}}}link")]
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.links


@pytest.mark.slow
def test_every_link_resolves_to_a_file_in_the_folder(site: Path) -> None:
    page = _Links()
    page.feed((site / "index.html").read_text(encoding="utf-8"))
    # The catalogue's documents; the briefs' own HTML pages link where their sources are.
    documents = [
        path
        for path in site.rglob("*")
        if (path.suffix in (".xml", ".json") or path.name == "index.html")
        and not path.name.startswith(".")
    ]
    checked = 0
    for document in documents:
        here = f"{BASE}{document.relative_to(site).as_posix()}"
        for reference in _references(document):
            address = urljoin(here, reference)
            if not address.startswith(BASE):
                assert document.name == "index.html", (document, reference)
                assert address == "https://example.org", reference  # the organisation's site
                continue
            parts = urlsplit(address)
            target = site / unquote(parts.path.removeprefix(urlsplit(BASE).path))
            assert target.is_file(), (document.name, reference)
            assert target.resolve().is_relative_to(site.resolve())
            if parts.fragment:
                assert target.name == "index.html" and parts.fragment in page.ids, reference
            checked += 1
    assert checked > 100


@pytest.mark.slow
def test_covers_come_from_the_epubs_and_thumbnails_from_the_covers(site: Path) -> None:
    for epub in sorted(site.rglob("*.epub")):
        stem = epub.with_suffix("")
        cover = from_epub(epub).cover
        with zipfile.ZipFile(epub) as archive:
            packaged = [archive.read(n) for n in archive.namelist() if "/images/cover." in n]
        assert packaged == [cover.data]
        written = stem.with_name(f"{stem.name}.cover{cover.suffix}")
        assert written.read_bytes() == cover.data
        small = stem.with_name(f"{stem.name}.thumbnail.jpg").read_bytes()
        assert small == thumbnail(cover).data  # the same cover always gives the same bytes
        with Image.open(io.BytesIO(small)) as picture:
            assert picture.format == "JPEG"
            assert picture.width <= 300 and picture.height <= 480
            assert max(picture.width / 300, picture.height / 480) > 0.99
    assert (site / "2025" / "hindi.cover.jpg").read_bytes() == (
        BRIEFS / "epub" / "images" / "cover.jpg"
    ).read_bytes()


@pytest.mark.slow
def test_index_page_lists_every_brief_and_advertises_the_catalogue(site: Path) -> None:
    html = (site / "index.html").read_text(encoding="utf-8")
    page = _Links()
    page.feed(html)
    tags = page.tags
    assert tags[0] == ("html", {"lang": "en", "dir": "ltr"})
    alternates = [a for t, a in tags if t == "link" and a.get("rel") == "alternate"]
    assert {"type": ACQUISITION, "href": "catalog.xml"}.items() <= alternates[0].items()
    assert alternates[1]["type"] == "application/opds+json"
    assert [t for t, _ in tags].count("h1") == 1
    assert [t for t, _ in tags].count("h3") == 3  # one card per brief, both editions on it
    images = [a for t, a in tags if t == "img"]
    assert len(images) == 3 and all(str(a.get("alt")).startswith("Cover of ") for a in images)
    downloads = [a["href"] for t, a in tags if t == "a" and a.get("type") == "application/epub+zip"]
    assert len(downloads) == 6
    pages = [a["href"] for t, a in tags if t == "a" and a.get("type") == "text/html"]
    assert sorted(pages) == sorted(
        f"{name}{edition}.html"
        for name in ("india-japan-2025-11", "talent-mobility-2025-11", "2025/hindi")
        for edition in ("", "-facts-only")
    )
    assert '>HTML</a> <span class="size">' in html
    # The labels are the workspace's words, and say what each brief contains.
    assert '<span class="label label-fact">Reported fact</span> 6 sections' in html
    assert '<span class="label label-commentary">Our view</span> 1 section' in html
    assert "Without its one section of commentary." in html
    assert "The same sections: this brief has no commentary." in html  # the Hindi brief
    # The address breaks after its slashes and dots, never inside a word.
    assert (
        "<code>https://<wbr>briefs.<wbr>example.<wbr>org/<wbr>mgmm/<wbr>catalog.<wbr>xml"
        "</code>" in html
    )
    # Each brief is dated in its own language: en-GB, en and Hindi.
    assert '<time datetime="2025-11-24" lang="en-GB">24 November 2025</time>' in html
    assert '<time datetime="2025-11-25" lang="en">November 25, 2025</time>' in html
    assert '<time datetime="2025-01-15" lang="hi">15 जनवरी 2025</time>' in html


def _publication(source: Path, **given: Any) -> Publication:
    """Return a publication of one EPUB named "a b", with what is given changed."""
    file = FileRef(PurePosixPath("a b.epub"), "application/epub+zip", 1234)
    image = FileRef(PurePosixPath("a b.thumbnail.jpg"), "image/jpeg", 99, 300, 480)
    publication = Publication(
        source=source,
        identifier="urn:uuid:0",
        title="A brief",
        subtitle=None,
        authors=("A. Writer",),
        organisation=None,
        series=None,
        number=None,
        summary=None,
        keywords=(),
        classification=None,
        language="en",
        issued=dt.date(2025, 3, 1),
        facts_only=False,
        labelled=Labelled(2, 0, (), 0),
        corrections=(),
        epub=file,
        pdf=None,
        cover=image,
        thumbnail=image,
        anchor="brief-a",
    )
    return replace(publication, **given)


def test_index_page_escapes_what_sources_say(tmp_path: Path) -> None:
    publication = _publication(
        tmp_path / "a.md",
        title="<script>alert(1)</script> & {{ 7 * 7 }}",
        authors=("A <b>bold</b> author",),
        summary="Said <i>here</i>",
    )
    site = Site(base_url="https://x.example/", title="T & <T>", author="Desk")
    html = render_page(Catalogue.of(site, [publication]), Theme.of((ROOT,)), Labels()).decode()
    assert (
        "<script>alert" not in html
        and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; {{ 7 * 7 }}" in html
    )
    assert "A &lt;b&gt;bold&lt;/b&gt; author" in html and "<title>T &amp; &lt;T&gt;</title>" in html
    assert 'href="a%20b.epub"' in html
    assert "March 1, 2025" in html and "1 kB" in html  # the language "en" writes dates so


def test_index_page_names_the_organisation_once_and_previews_in_chat_apps(tmp_path: Path) -> None:
    thumbnail = FileRef(PurePosixPath("b.thumbnail.jpg"), "image/jpeg", 99, 300, 480)
    own = _publication(
        tmp_path / "a.md",
        organisation="MGMM",
        authors=("Asia Desk",),
        language="en-GB",
        issued=dt.date(2025, 11, 18),
    )
    other = _publication(
        tmp_path / "b.md",
        title="Older",
        organisation="Partner Unit",
        issued=dt.date(2025, 3, 1),
        thumbnail=thumbnail,
        anchor="brief-b",
    )
    words = FeedWords(language_for("en-GB"))
    site = Site(base_url="https://x.example/b/", title="MGMM briefs", author="MGMM", words=words)
    html = render_page(Catalogue.of(site, [other, own]), Theme.of((ROOT,)), Labels()).decode()
    # Named once at the top; a card names only an organisation other than the catalogue's.
    bylines = re.findall(r'<p class="byline">(.*?)</p>', html)
    assert len(bylines) == 2 and "MGMM" not in bylines[0] and "Partner Unit" in bylines[1]
    assert '<p class="publisher">MGMM</p>' in html
    assert '<time datetime="2025-11-18" lang="en-GB">18 November 2025</time>' in bylines[0]
    meta = dict(
        re.findall(r'<meta (?:property|name)="((?:og|twitter):[\w:]+)" content="([^"]*)"', html)
    )
    assert meta == {
        "og:type": "website",
        "og:title": "MGMM briefs",
        "og:description": (
            "MGMM briefs: briefs to read online, download, or follow in an e-reader app."
        ),
        "og:url": "https://x.example/b/",
        "og:site_name": "MGMM",
        "og:locale": "en_GB",
        # The newest brief's cover, as an absolute address.
        "og:image": "https://x.example/b/a%20b.thumbnail.jpg",
        "og:image:alt": "Cover of A brief",
        "twitter:card": "summary",
        "twitter:title": "MGMM briefs",
        "twitter:description": meta["og:description"],
        "twitter:image": "https://x.example/b/a%20b.thumbnail.jpg",
        "twitter:image:alt": "Cover of A brief",
    }


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_index_page_fits_a_phone_and_its_address_breaks_only_after_slashes_and_dots(
    site: Path,
) -> None:
    # Where each line of the catalogue's address ends: the character before each break.
    line_ends = """(() => {
      const code = document.querySelector('.catalogue-url code'); const ends = [];
      let top = null, before = '';
      const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
      while (walker.nextNode()) {
        const node = walker.currentNode;
        for (let i = 0; i < node.length; i++) {
          const range = document.createRange(); range.setStart(node, i); range.setEnd(node, i + 1);
          const at = range.getBoundingClientRect().top;
          if (top !== null && at > top + 2) ends.push(before);
          top = at; before = node.data[i];
        }
      }
      return ends; })()"""
    with Chromium() as browser:
        for width, mobile in ((390, True), (1280, False)):
            browser.open(site / "index.html", width, mobile=mobile)
            assert browser.evaluate("document.documentElement.scrollWidth") <= width
            ends = browser.evaluate(line_ends)
            assert set(ends) <= {"/", "."}, (width, ends)
            if mobile:
                assert ends, "the address fits one line at 390 px: the test proves nothing"


def test_a_brief_named_index_is_refused_before_anything_is_built(
    workspace: Path, run_cli: Run
) -> None:
    write(workspace / "briefings" / "index.md", MINIMAL)
    result = run_cli("publish", "--base-url", "https://example.org/")
    assert result.returncode == 1
    assert (
        "briefings/index.md: its HTML edition would be written as site/index.html, the "
        "catalogue's own page: rename the source" in result.stderr
    )
    assert "Traceback" not in result.stderr and not (workspace / "site").exists()


@pytest.mark.parametrize(
    ("front", "draft"),
    [
        ("draft: true\n", True),
        ("draft: yes\n", True),  # YAML 1.1's true, as the loader reads it
        ("draft: false\n", False),
        ('draft: "true"\n', False),  # text: an error for check, and no draft
        ('"dr\\x61ft": true\n', True),  # a key spelled with an escape is the same key
        ("{}\n", False),
        ("summary: a draft of the plan\n", False),
    ],
)
def test_a_draft_is_told_apart_by_its_front_matter_as_the_loader_reads_it(
    tmp_path: Path, front: str, draft: bool
) -> None:
    source = write(tmp_path / "a.md", MINIMAL.replace("date:", f"{front}date:", 1))
    assert is_draft(source) is draft
    loaded = briefkit.load(source, workspace=tmp_path)
    assert (loaded.brief is not None and loaded.brief.meta.draft) is (draft and loaded.ok)


def test_drafts_build_and_check_but_are_left_out_of_the_catalogue(
    workspace: Path, run_cli: Run
) -> None:
    write(workspace / "briefings" / "one.md", MINIMAL)
    two = write(workspace / "briefings" / "two.md", MINIMAL.replace("A minimal", "Another"))
    first = briefkit.publish(base_url="https://example.org/", jobs=1)
    assert first.publications == 2, first
    site = workspace / "site"
    assert (site / "two.html").is_file()
    two.write_text(two.read_text().replace("date:", "draft: true\ndate:", 1))
    result = run_cli("publish", "--base-url", "https://example.org/", "-j", "1")
    assert result.returncode == 0, result.stderr
    assert "left out briefings/two.md: a draft (draft: true in its front matter)" in result.stdout
    assert "published 1 brief (1 publications)" in result.stdout
    assert [e.title for e in _feed(site, "catalog.xml").entries] == ["A minimal brief"]
    assert "Another" not in (site / "index.html").read_text(encoding="utf-8")
    # What it published before it became a draft is taken down with it.
    assert sorted(p.name for p in site.iterdir() if p.name.startswith("two")) == []
    assert "removed site/two.html: no longer in the catalogue" in result.stdout
    # build builds a draft, and check accepts it.
    built = run_cli("build", "briefings/two.md", "--format", "html", "-j", "1")
    assert built.returncode == 0, built.stderr
    assert (workspace / "out" / "two.html").is_file()
    checked = run_cli("check", "--strict")
    assert checked.returncode == 0 and "checked 2 briefs: 0 errors, 0 warnings" in checked.stdout
    # A draft's flag is YAML's true or false, never text that reads as one.
    two.write_text(two.read_text().replace("draft: true", 'draft: "no"'))
    wrong = run_cli("check")
    assert wrong.returncode == 1
    assert "two.md:3:1: error: 'draft' must be true or false, not 'no'" in wrong.stdout


def test_a_brief_made_a_draft_after_publish_chose_its_sources_is_not_written(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(workspace / "briefings" / "one.md", MINIMAL)
    write(workspace / "briefings" / "two.md", MINIMAL.replace("date:", "draft: true\ndate:", 1))
    # As if two.md was saved as a draft between publish's look at it and the build's read.
    monkeypatch.setattr(publishing, "is_draft", lambda path: False)
    report = briefkit.publish(base_url="https://example.org/", jobs=1)
    assert not report.ok
    (failed,) = report.build.failed
    assert failed.source.name == "two.md" and "it is a draft (draft: true)" in (failed.error or "")
    assert not list((workspace / "site").glob("two*"))


def test_a_source_changed_between_its_build_and_its_catalogue_entry_is_refused(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(workspace / "briefings" / "one.md", MINIMAL)
    assert briefkit.publish(base_url="https://example.org/", jobs=1).ok
    read = publishing.read_regular

    def edited(path: Path, limit: int, **options: Any) -> bytes:
        # As if the writer saved a new title after the build read the source.
        data = read(path, limit, **options)
        renamed = data.replace(b"A minimal brief", b"A renamed brief")
        return renamed if path.name == "one.md" else data

    monkeypatch.setattr(publishing, "read_regular", edited)
    # Whether the build renders the brief again or finds its files up to date.
    for force in (True, False):
        with pytest.raises(BriefkitError, match=r"one\.md changed while it was being published"):
            briefkit.publish(base_url="https://example.org/", jobs=1, force=force)
    assert "A renamed brief" not in (workspace / "site" / "index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_publishing_again_changes_no_file(published: Path, site: Path) -> None:
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in site.rglob("*") if p.is_file()}
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(published)
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        report = briefkit.publish(out="site")
    assert report.ok
    assert all(result.skipped for result in report.build.results)
    assert report.written == [] and report.removed == []
    built = (".epub", ".pdf", ".html")
    catalogue = [
        p
        for p in before
        if not p.name.startswith(".") and (p.suffix not in built or p.name == "index.html")
    ]
    assert sorted(p.relative_to("site") for p in report.unchanged) == sorted(
        p.relative_to(site) for p in catalogue
    )
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in site.rglob("*") if p.is_file()}
    assert after == before


@pytest.mark.slow
def test_the_command_publishes_and_names_the_catalogue_url(published: Path, run_cli: Run) -> None:
    result = run_cli("publish", "--out", "site", cwd=published, env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr
    assert "published 3 briefs (6 publications) in site" in result.stdout
    assert "0 catalogue files written" in result.stdout
    assert f"catalogue for e-reader apps: {BASE}catalog.xml" in result.stdout


@pytest.mark.slow
def test_removed_briefs_and_editions_leave_the_catalogue(workspace: Path) -> None:
    write(workspace / "briefings" / "one.md", MINIMAL)
    two = write(workspace / "briefings" / "two.md", MINIMAL.replace("A minimal", "Another"))
    first = briefkit.publish(base_url="https://example.org/", facts_only=True, jobs=1)
    assert first.publications == 4
    assert (workspace / "site" / "two-facts-only.thumbnail.jpg").is_file()
    two.unlink()
    (workspace / "briefkit.toml").write_text(
        '[organisation]\nname = "Test Unit"\n\n[publish]\ntitle = "Renamed"\n', encoding="utf-8"
    )
    second = briefkit.publish(base_url="https://example.org/", jobs=1)
    # The catalogue's settings rebuild no brief; the gone brief's files all go, and so does
    # the facts-only edition, no longer published.
    assert [r.skipped for r in second.build.results] == [True]
    assert sorted(p.name for p in second.build.removed) == [
        "two-facts-only.epub",
        "two-facts-only.html",
        "two-facts-only.pdf",
        "two.epub",
        "two.html",
        "two.pdf",
    ]
    assert sorted(p.name for p in second.removed) == [
        "one-facts-only.cover.png",
        "one-facts-only.epub",
        "one-facts-only.html",
        "one-facts-only.pdf",
        "one-facts-only.thumbnail.jpg",
        "two-facts-only.cover.png",
        "two-facts-only.thumbnail.jpg",
        "two.cover.png",
        "two.thumbnail.jpg",
    ]
    feed = _feed(workspace / "site", "catalog.xml")
    assert feed.feed.title == "Renamed" and [e.title for e in feed.entries] == ["A minimal brief"]
    left = sorted(
        p.name for p in (workspace / "site").iterdir() if p.name.startswith(("one", "two"))
    )
    assert left == ["one.cover.png", "one.epub", "one.html", "one.pdf", "one.thumbnail.jpg"]
    # An edited source is described afresh, not from what the last publish kept.
    one = workspace / "briefings" / "one.md"
    one.write_text(MINIMAL.replace("title: A minimal brief", "title: A corrected brief"))
    write(workspace / "briefings" / "three.md", MINIMAL.replace("A minimal", "A third"))
    third = briefkit.publish(base_url="https://example.org/", jobs=1)
    assert [r.skipped for r in third.build.results] == [False, False]
    assert [e.title for e in _feed(workspace / "site", "catalog.xml").entries] == [
        "A corrected brief",
        "A third brief",
    ]
    # A brief merely left out of a publish keeps its files; the catalogue lists the others.
    fourth = briefkit.publish(["briefings/one.md"], base_url="https://example.org/", jobs=1)
    assert fourth.removed == []
    assert [e.title for e in _feed(workspace / "site", "catalog.xml").entries] == [
        "A corrected brief"
    ]
    assert (workspace / "site" / "three.epub").is_file()
    assert (workspace / "site" / "three.thumbnail.jpg").is_file()


def test_a_failed_brief_leaves_the_catalogue_as_it_was(workspace: Path, run_cli: Run) -> None:
    write(workspace / "briefings" / "bad.md", MINIMAL.replace("{.fact}", "{.news}"))
    result = run_cli("publish", "--base-url", "https://example.org/briefs/", "-j", "1")
    assert result.returncode == 1
    assert "bad.md:9:" in result.stderr and "unknown kind '.news'" in result.stderr
    assert "catalogue not updated: 1 brief failed; fix and publish again" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (workspace / "site" / "catalog.xml").exists()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("source", "link"),
    [
        # The catalogue's feeds, of a series named to climb out of feeds/.
        ("one.md", "feeds"),
        # A brief's own folder, where the build writes its EPUB and PDF.
        ("2024/one.md", "2024"),
    ],
)
def test_a_link_leading_out_of_the_folder_is_refused_and_nothing_written_through_it(
    workspace: Path, run_cli: Run, source: str, link: str
) -> None:
    write(workspace / "briefings" / source, MINIMAL.replace("date:", "series: ../../up\ndate:"))
    outside = workspace.parent / f"{workspace.name}-outside"
    outside.mkdir()
    (workspace / "site").mkdir()
    (workspace / "site" / link).symlink_to(outside)
    result = run_cli("publish", "--base-url", "https://briefs.example.org/", "-j", "1")
    assert result.returncode == 1
    assert f"site/{link}: a symbolic link leads out of site, so site/{link}/" in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert list(outside.iterdir()) == []
    assert not (workspace / "site" / "catalog.xml").exists()


WRONG_DESCRIPTIONS = [
    {"identifier": 5},
    {"summary": ["a", "list"]},
    {"keywords": [1, 2]},
    {"authors": "A. Writer"},
    {"issued": 20251124},
    {"labelled": {"facts": "many", "commentary": 0, "commentators": [], "omitted": 0}},
    {"labelled": None},
]


@pytest.mark.slow
def test_a_catalogue_record_of_the_wrong_types_counts_as_absent(workspace: Path) -> None:
    write(workspace / "briefings" / "one.md", MINIMAL)
    assert briefkit.publish(base_url="https://example.org/", jobs=1).ok
    record = workspace / "site" / ".briefkit-catalogue.json"
    kept = json.loads(record.read_text(encoding="utf-8"))
    for wrong in WRONG_DESCRIPTIONS:
        document = json.loads(json.dumps(kept))
        for described in document["descriptions"].values():
            described["description"].update(wrong)
        record.write_text(json.dumps(document), encoding="utf-8")
        report = briefkit.publish(base_url="https://example.org/", jobs=1)
        assert report.ok, wrong
        assert [e.title for e in _feed(workspace / "site", "catalog.xml").entries] == [
            "A minimal brief"
        ]
    for damaged in ("[]", '{"schema": 1, "files": 5, "descriptions": []}', "not json"):
        record.write_text(damaged, encoding="utf-8")
        assert briefkit.publish(base_url="https://example.org/", jobs=1).ok


def test_dates_in_year_one_are_written_with_four_digits(tmp_path: Path) -> None:
    publication = _publication(tmp_path / "old.md", issued=dt.date(1, 1, 1))
    catalogue = Catalogue.of(
        Site(base_url="https://x.example/", title="T", author="D"), [publication]
    )
    for name, feed in atom_feeds(catalogue).items():
        parsed = feedparser.parse(feed)
        assert not parsed.bozo, (name, parsed.get("bozo_exception"))
        # feedparser reads a date only in RFC 3339's form, its year in four digits.
        for item in (parsed.feed, *parsed.entries):
            assert item.updated == "0001-01-01T00:00:00Z", name
            assert item.updated_parsed[:3] == (1, 1, 1), name
    document = json.loads(json_feeds(catalogue)[PurePosixPath("catalog.json")])
    assert document["metadata"]["modified"] == "0001-01-01T00:00:00Z"
    [listed] = document["publications"]
    assert listed["metadata"]["modified"] == "0001-01-01T00:00:00Z"
    assert listed["metadata"]["published"] == "0001-01-01"
    html = render_page(catalogue, Theme.of((ROOT,)), Labels()).decode()
    assert '<time datetime="0001-01-01" lang="en">' in html


def test_publishing_needs_a_base_url(workspace: Path, run_cli: Run) -> None:
    write(workspace / "briefings" / "one.md", MINIMAL)
    result = run_cli("publish")
    assert result.returncode == 2
    assert "give --base-url" in result.stderr and "[publish]" in result.stderr
    bad = run_cli("publish", "--base-url", "example.org/briefs")
    assert bad.returncode == 2
    assert "must be an absolute http:// or https:// address" in bad.stderr
    assert not (workspace / "site").exists()


@pytest.mark.parametrize(
    ("table", "line", "message"),
    [
        ('base_url = "ftp://example.org/"', 6, "'publish.base_url' must be an absolute"),
        ('titel = "Briefs"', 6, "unknown setting 'publish.titel'"),
        ('facts_only = "maybe"', 6, "'publish.facts_only' "),
    ],
)
def test_publish_settings_are_checked_at_their_line(
    workspace: Path, run_cli: Run, table: str, line: int, message: str
) -> None:
    config = workspace / "briefkit.toml"
    config.write_text(config.read_text() + f"\n[publish]\ntitle = 'A'\n{table}\n", encoding="utf-8")
    result = run_cli("publish")
    assert result.returncode == 1
    assert f"briefkit.toml:{line}: error: {message}" in result.stderr
    assert "Traceback" not in result.stderr


def test_publish_help_has_an_example(run_cli: Run) -> None:
    result = run_cli("publish", "--help")
    assert result.returncode == 0
    assert "Example: briefkit publish --out site --base-url" in result.stdout
    for option in ("--base-url", "--title", "--facts-only", "--out"):
        assert option in result.stdout


@pytest.mark.slow
def test_a_corrected_brief_s_entry_says_so_and_is_updated_on_its_latest_correction(
    workspace: Path,
) -> None:
    write(workspace / "briefings" / "corrected.md", CORRECTED)
    write(workspace / "briefings" / "plain.md", MINIMAL.replace("A minimal", "An uncorrected"))
    report = briefkit.publish(base_url="https://example.org/b/", jobs=1)
    assert report.ok, [r.error for r in report.build.results]
    site = workspace / "site"
    latest = "Corrected November 28, 2025: The meeting was the leaders' first as prime ministers"
    earlier = "Corrected November 26, 2025: An earlier version gave the investment as 10 billion"
    feed = _feed(site, "catalog.xml")
    # Listed by the date it was issued, updated on its latest correction, as the feed is.
    assert feed.feed.updated == "2025-11-28T00:00:00Z"
    corrected, plain = feed.entries
    assert (corrected.title, corrected.updated) == ("A minimal brief", "2025-11-28T00:00:00Z")
    assert plain.updated == "2025-11-24T00:00:00Z" and "Corrected" not in plain.get("summary", "")
    assert corrected.summary.index(latest) < corrected.summary.index(earlier)
    document = json.loads((site / "catalog.json").read_text(encoding="utf-8"))
    metadata = document["publications"][0]["metadata"]
    assert metadata["modified"] == "2025-11-28T00:00:00Z" and metadata["published"] == "2025-11-24"
    assert metadata["description"].startswith(latest)
    validator = _opds_validator()
    assert not [e.message for e in validator.iter_errors(document)]
    page = (site / "index.html").read_text(encoding="utf-8")
    # Dated, as the brief is, in the brief's own language.
    corrected_on = '<time datetime="2025-11-28" lang="en">November 28, 2025</time>'
    assert f"<strong>Corrected {corrected_on}:</strong>" in page
    # The PDF published cites the DOI; the uncorrected brief, without one, its own address.
    assert "https://example.org/b/plain.pdf" in " ".join(pdf_text(site / "plain.pdf").split())


def test_long_unbroken_words_in_a_card_never_widen_the_page_on_a_phone(tmp_path: Path) -> None:
    run = "Interministerialabstimmungsverfahrensbeschleunigungsgesetz" * 2
    publication = _publication(
        tmp_path / "a.md",
        title=f"The {run} in practice",
        subtitle=run,
        authors=(run,),
        organisation=run,
        series=run,
        number="2025/" + "9" * 60,
        summary=f"See https://example.org/{'a' * 150} and {run}.",
        keywords=(run,),
    )
    site = Site(base_url="https://x.example/", title=run, author=run)
    html = render_page(Catalogue.of(site, [publication]), Theme.of((ROOT,)), Labels())
    (tmp_path / "index.html").write_bytes(html)
    with Chromium() as browser:
        browser.open(tmp_path / "index.html", 390, mobile=True)
        assert browser.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_workspace_may_publish_the_word_edition_and_take_it_down_again(
    workspace: Path,
) -> None:
    write(workspace / "briefings" / "one.md", MINIMAL)
    settings = '[organisation]\nname = "Test Unit"\n\n[publish]\nword = true\n'
    (workspace / "briefkit.toml").write_text(settings, encoding="utf-8")
    first = briefkit.publish(base_url="https://example.org/", jobs=1)
    site = workspace / "site"
    assert first.ok and (site / "one.docx").is_file()
    word = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    (entry,) = _feed(site, "catalog.xml").entries
    links = [(link.type, link.href) for link in entry.links if link.rel.endswith("open-access")]
    assert links[-1] == (word, "one.docx") and links[0][0] == "application/epub+zip"
    page = (site / "index.html").read_text(encoding="utf-8")
    assert re.search(f'<a href="[^"]*one.docx" type="{word}"[^>]*>Word</a>', page)
    # Asked no more, the Word file leaves the folder and the feeds.
    (workspace / "briefkit.toml").write_text(settings.replace("true", "false"), encoding="utf-8")
    second = briefkit.publish(base_url="https://example.org/", jobs=1)
    assert [p.name for p in second.build.removed + second.removed] == ["one.docx"]
    assert not (site / "one.docx").exists()
    assert "one.docx" not in (site / "catalog.xml").read_text(encoding="utf-8")
