"""Each section's kind as data, read back from every format as machines read it.

The HTML page and every EPUB document carry schema.org JSON-LD, the mail's HTML the same map
as microdata, the EPUB package and the PDF's XMP the genres (and the PDF the sections), and
each OPDS entry the genres the brief holds.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree import ElementTree as ET

import pikepdf
import pytest
from lxml import etree, html  # type: ignore[import-untyped]

import briefkit
from briefkit.config import find_workspace
from briefkit.delivery.catalogue.atom import atom_feeds
from briefkit.delivery.catalogue.entries import Catalogue, Labelled, Site
from briefkit.delivery.catalogue.json_feed import json_feeds
from briefkit.delivery.catalogue.search import results
from briefkit.errors import BriefkitError
from briefkit.model.brief import Brief
from briefkit.model.choices import Format, PdfVariant, Variant
from briefkit.model.edition import Edition
from briefkit.rendering.render import Renderer, imprint_for
from briefkit.rendering.theme import Theme
from conftest import ROOT, write

MODIFIED = dt.datetime(2025, 11, 27, 9, 0, tzinfo=dt.UTC)
SAMPLE = ROOT / "briefings" / "india-japan-2025-11.md"
SCHEMA = "https://schema.org"
OPINION = "http://cv.iptc.org/newscodes/genre/Opinion"
CURRENT = "http://cv.iptc.org/newscodes/genre/Current"
POLICY = "https://example.org/corrections?lang=en#policy"
HOSTILE = "</script><script>alert(1)</script> <!-- & ]]>"
TOML = f"""\
[organisation]
name = "MGMM"
url = "https://example.org/"
corrections_policy = "{POLICY}"
"""
SOURCE = f"""\
---
title: 'Partners {HOSTILE}'
date: 2025-11-24
language: en-GB
series: Working Briefs
number: 7
doi: 10.5555/brief.7
corrections:
  - date: 2025-11-26
    text: An earlier version gave the investment as 10 billion yen; it is 10 trillion yen.
authors:
  - name: Asha Rao
    role: Senior Analyst
    affiliation: MGMM
summary: Two leaders met.
sources:
  mea:
    title: Bilateral relations
---

## What was agreed {{.fact}}

The leaders met [@mea].

## {HOSTILE} {{.fact}}

Figures were given [@mea].

## Our reading {{.commentary}}

A view of the organisation.

## Asha Rao's view {{.commentary by="Asha Rao"}}

A view of an author.

## The board's view {{.commentary by="MGMM Editorial Board"}}

A view of someone the brief names no further.
"""
# Each section: schema.org type, title, and who it is attributed to.
EXPECTED = [
    ("ReportageNewsArticle", "What was agreed", {"@type": "Person", "name": "Asha Rao"}),
    ("ReportageNewsArticle", HOSTILE, {"@type": "Person", "name": "Asha Rao"}),
    ("OpinionNewsArticle", "Our reading", {"@type": "Organization", "name": "MGMM"}),
    ("OpinionNewsArticle", "Asha Rao’s view", {"@type": "Person", "name": "Asha Rao"}),
    ("OpinionNewsArticle", "The board’s view", {"name": "MGMM Editorial Board"}),
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a workspace with a corrections policy and the brief above."""
    root = tmp_path_factory.mktemp("linked")
    write(root / "briefkit.toml", TOML)
    write(root / "briefings" / "partners.md", SOURCE)
    return root


@pytest.fixture(scope="module")
def brief(folder: Path) -> Brief:
    return briefkit.load(folder / "briefings" / "partners.md").raise_for_errors()


def render(brief: Brief, fmt: Format, facts_only: bool = False, **options: Any) -> bytes:
    """Render one format in this process, with the workspace's settings."""
    workspace = find_workspace(brief.folder)
    edition = imprint_for(workspace.config, MODIFIED, None)
    renderer = Renderer(Theme.for_workspace(workspace))
    return renderer.render(brief, fmt, edition, Edition(facts_only), Variant(**options)).data


class _Scripts(HTMLParser):
    """Collect every script element of an HTML page: its attributes and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._open: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self._open = dict(attrs)
            self.scripts.append((self._open, ""))

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._open = None


def page_data(page: bytes) -> dict[str, Any]:
    """Return the one JSON-LD element of an HTML page, parsed as a browser splits it."""
    parser = _Scripts()
    parser.feed(page.decode("utf-8"))
    assert [attrs for attrs, _ in parser.scripts] == [{"type": "application/ld+json"}]
    data: dict[str, Any] = json.loads(parser.scripts[0][1])
    return data


def xhtml_data(document: bytes) -> dict[str, Any]:
    """Return the one JSON-LD element of an EPUB content document, parsed as XML."""
    root = ET.fromstring(document)
    scripts = list(root.iter("{http://www.w3.org/1999/xhtml}script"))
    assert [s.get("type") for s in scripts] == ["application/ld+json"]
    data: dict[str, Any] = json.loads(scripts[0].text or "")
    return data


def epub_documents(epub: bytes) -> dict[str, bytes]:
    """Return the EPUB's content documents by name."""
    archive = zipfile.ZipFile(io.BytesIO(epub))
    return {
        name.removeprefix("EPUB/"): archive.read(name)
        for name in archive.namelist()
        if name.endswith(".xhtml")
    }


def parts(data: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """Return each part's type, headline and attribution (name and type), in position order."""
    assert data["@context"] == SCHEMA and data["@type"] == "Report"
    ordered = sorted(data["hasPart"], key=lambda part: part["position"])
    assert ordered == data["hasPart"]
    assert [part["position"] for part in ordered] == list(range(1, len(ordered) + 1))
    for part in ordered:
        assert part["name"] == part["headline"]
        assert part["genre"] == (OPINION if part["@type"] == "OpinionNewsArticle" else CURRENT)
    return [
        (
            part["@type"],
            part["headline"],
            {key: part["author"][0][key] for key in ("@type", "name") if key in part["author"][0]},
        )
        for part in ordered
    ]


# The HTML page ------------------------------------------------------------------------------


def test_the_page_describes_the_brief_and_each_section_in_order(brief: Brief) -> None:
    data = page_data(render(brief, Format.HTML))
    assert parts(data) == EXPECTED
    assert [part["url"] for part in data["hasPart"]] == [f"#{s.anchor}" for s in brief.sections]
    assert data["headline"] == f"Partners {HOSTILE}"
    assert data["datePublished"] == "2025-11-24" and data["inLanguage"] == "en-GB"
    assert data["reportNumber"] == "7"
    assert data["isPartOf"] == {"@type": "CreativeWorkSeries", "name": "Working Briefs"}
    assert data["author"] == [
        {
            "@type": "Person",
            "name": "Asha Rao",
            "jobTitle": "Senior Analyst",
            "affiliation": {"@type": "Organization", "name": "MGMM"},
        }
    ]
    assert data["publisher"] == {
        "@type": "Organization",
        "name": "MGMM",
        "url": "https://example.org/",
        "correctionsPolicy": POLICY,
    }


def test_corrections_and_the_doi_are_schema_org_data(brief: Brief) -> None:
    data = page_data(render(brief, Format.HTML))
    assert data["correction"] == [
        {
            "@type": "CorrectionComment",
            "datePublished": "2025-11-26",
            "text": "An earlier version gave the investment as 10 billion yen; it is 10 trillion "
            "yen.",
        }
    ]
    assert data["dateModified"] == "2025-11-26"
    assert data["identifier"] == {
        "@type": "PropertyValue",
        "propertyID": "DOI",
        "value": "10.5555/brief.7",
    }
    assert data["sameAs"] == "https://doi.org/10.5555/brief.7"


def test_a_hostile_title_stays_inside_its_json_string(brief: Brief) -> None:
    page = render(brief, Format.HTML)
    # One script element, of data: the titles neither close it nor open another.
    data = page_data(page)
    assert HOSTILE in data["name"] and data["hasPart"][1]["headline"] == HOSTILE
    script = page.decode().split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert not set(script) & set("<>&")
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)" in script


def test_the_facts_only_page_describes_only_its_facts(brief: Brief) -> None:
    data = page_data(render(brief, Format.HTML, facts_only=True))
    assert parts(data) == EXPECTED[:2]
    assert data["name"] == f"Partners {HOSTILE} (facts only)"


def test_a_brief_without_authors_is_by_its_organisation() -> None:
    loaded = briefkit.load(SAMPLE).raise_for_errors()
    brief = replace(loaded, meta=loaded.meta.model_copy(update={"authors": []}))
    data = page_data(render(brief, Format.HTML))
    assert data["author"] == [data["publisher"]] == [{"@type": "Organization", "name": "MGMM"}]
    assert "correctionsPolicy" not in data["publisher"]  # the samples' workspace has none
    assert all(part["author"] == data["author"] for part in data["hasPart"][:-1])


# The EPUB -----------------------------------------------------------------------------------


def test_every_epub_document_describes_the_brief(brief: Brief) -> None:
    # The sections flow in one text document, which opens with the title page.
    documents = epub_documents(render(brief, Format.EPUB))
    page = page_data(render(brief, Format.HTML))
    for name, document in documents.items():
        data = xhtml_data(document)
        assert parts(data) == EXPECTED, name
        # The same map as the page's but for the sections' addresses.
        assert _without_urls(data) == _without_urls(page)
        for part in data["hasPart"]:
            file_name, anchor = part["url"].split("#")
            assert file_name == "text-01.xhtml"
            assert ET.fromstring(documents[file_name]).find(f".//*[@id='{anchor}']") is not None


def test_a_later_part_of_a_long_brief_describes_its_own_sections(
    brief: Brief, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Split at every section, as only a long brief is: no list of every section in every part.
    monkeypatch.setattr("briefkit.rendering.epub.book.TEXT_LIMIT", 1)
    documents = epub_documents(render(brief, Format.EPUB))
    page = page_data(render(brief, Format.HTML))
    whole = {key: value for key, value in page.items() if key not in ("@context", "hasPart")}
    texts = sorted(name for name in documents if name.startswith("text-"))
    assert len(texts) == len(EXPECTED)
    title = xhtml_data(documents["text-01.xhtml"])
    for position, part in enumerate(title["hasPart"], start=1):
        assert part["url"].startswith(f"text-{position:02d}.xhtml#")
    for position, name in enumerate(texts[1:], start=2):
        data = xhtml_data(documents[name])
        assert data["@context"] == SCHEMA and "hasPart" not in data
        assert data["isPartOf"] == whole
        part = {key: value for key, value in data.items() if key not in ("@context", "isPartOf")}
        assert part == title["hasPart"][position - 1]
        assert part["url"].startswith(f"{name}#")


def test_the_package_names_the_genres_the_edition_holds(brief: Brief) -> None:
    for facts_only, genres in ((False, [CURRENT, OPINION]), (True, [CURRENT])):
        epub = render(brief, Format.EPUB, facts_only=facts_only)
        opf = ET.fromstring(zipfile.ZipFile(io.BytesIO(epub)).read("EPUB/content.opf"))
        types = opf.findall(".//{http://purl.org/dc/elements/1.1/}type")
        assert [t.text for t in types] == genres
        data = xhtml_data(epub_documents(epub)["text-01.xhtml"])
        assert parts(data) == (EXPECTED[:2] if facts_only else EXPECTED)


@pytest.mark.slow
def test_epubcheck_accepts_the_json_ld_and_the_genres(brief: Brief, tmp_path: Path) -> None:
    from test_epub import epubcheck, problems

    messages, _ = epubcheck(render(brief, Format.EPUB), tmp_path)
    assert not problems(messages), "\n".join(messages)


# The mail's HTML ----------------------------------------------------------------------------


def test_the_message_carries_the_same_map_as_microdata(brief: Brief) -> None:
    message = briefkit.compose_email(brief, to=["reader@example.org"], sender="desk@example.org")
    body = message.get_body(("html",))
    assert body is not None
    page = body.get_content()
    document = html.fromstring(page)
    # The titles are attribute values here: they open no element, and the message has none
    # of its own that runs or fetches anything.
    assert not document.xpath("//script | //link | //iframe")
    items = document.xpath("//*[@itemscope and not(@itemprop)]")
    assert len(items) == 1
    expected = _without_urls(page_data(render(brief, Format.HTML)))
    assert _microdata(items[0]) == _canonical(expected)


def _microdata(item: Any) -> dict[str, Any]:
    """Return a microdata item as {@type, property: [values]}: text, or items within."""
    found: dict[str, Any] = {"@type": item.get("itemtype", "").removeprefix(f"{SCHEMA}/")}
    for element in item.iterdescendants():
        owner = next(e for e in element.iterancestors() if e.get("itemscope") is not None)
        if owner is not item or element.get("itemprop") is None:
            continue
        if element.get("itemscope") is not None:
            value: Any = _microdata(element)
        else:
            value = element.get("content")
        found.setdefault(element.get("itemprop"), []).append(value)
    return found


def _canonical(node: Any) -> Any:
    """Return JSON-LD as microdata reads it: every property a list, every value text."""
    if not isinstance(node, dict):
        return str(node)
    found: dict[str, Any] = {"@type": node.get("@type", "")}
    for name, value in node.items():
        if not name.startswith("@"):
            found[name] = [_canonical(v) for v in (value if isinstance(value, list) else [value])]
    return found


def _without_urls(node: Any) -> Any:
    """Return JSON-LD without the addresses of sections, which differ from format to format."""
    if isinstance(node, list):
        return [_without_urls(item) for item in node]
    if isinstance(node, dict):
        return {k: _without_urls(v) for k, v in node.items() if k != "url" or "#" not in v}
    return node


# The PDF ------------------------------------------------------------------------------------

XMP_NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "briefkit": "https://briefkit.org/ns/1.0/",
    "s": "https://briefkit.org/ns/1.0/section/",
}


def xmp_of(pdf: bytes) -> Any:
    """Return the PDF's XMP metadata parsed with lxml."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return etree.fromstring(document.Root.Metadata.read_bytes())


def xmp_sections(root: Any) -> list[tuple[str | None, ...]]:
    """Return the XMP's sections: kind, genre, title and attribution of each, in order."""
    items = root.findall(".//briefkit:sections/rdf:Seq/rdf:li", XMP_NS)
    return [
        tuple(
            item.findtext(f"s:{field}", None, XMP_NS) for field in ("kind", "genre", "title", "by")
        )
        for item in items
    ]


@pytest.mark.parametrize("facts_only", [False, True])
def test_the_pdf_lists_its_sections_and_genres_in_xmp(brief: Brief, facts_only: bool) -> None:
    root = xmp_of(render(brief, Format.PDF, facts_only))
    expected = [
        ("fact", CURRENT, "What was agreed", None),
        ("fact", CURRENT, HOSTILE, None),
        ("commentary", OPINION, "Our reading", "MGMM"),
        ("commentary", OPINION, "Asha Rao’s view", "Asha Rao"),
        ("commentary", OPINION, "The board’s view", "MGMM Editorial Board"),
    ]
    assert xmp_sections(root) == (expected[:2] if facts_only else expected)
    genres = root.xpath("//dc:type/rdf:Bag/rdf:li/text()", namespaces=XMP_NS)
    assert genres == ([CURRENT] if facts_only else [CURRENT, OPINION])
    # Each property once: the sections and genres are in one description of their own.
    assert len(root.findall(".//briefkit:sections", XMP_NS)) == 1
    assert len(root.findall(".//dc:type", XMP_NS)) == 1


@pytest.mark.slow
def test_a_pdf_a_3b_describes_its_sections_schema_and_passes_page_validation(
    brief: Brief, tmp_path: Path
) -> None:
    import page

    path = tmp_path / "partners.pdf"
    path.write_bytes(render(brief, Format.PDF, pdf_variant=PdfVariant.A3B))
    root = xmp_of(path.read_bytes())
    assert len(xmp_sections(root)) == 5
    extension = "http://www.aiim.org/pdfa/ns/extension/"
    assert len(root.findall(f".//{{{extension}}}schemas")) == 1  # PDF/UA's and briefkit's
    namespaces = root.xpath("//*[local-name()='namespaceURI']/text()")
    assert {"https://briefkit.org/ns/1.0/", "https://briefkit.org/ns/1.0/section/"} <= set(
        namespaces
    )
    for profile in ("3b", "ua1"):
        report = page.validate_pdf(path, profile=profile)
        assert [(f.rule_id, f.message) for f in report.failures] == [], profile


# The OPDS catalogue -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    """Return a catalogue of three editions: facts and commentary, facts alone, commentary."""
    from test_publish import _publication

    both = _publication(Path("both.md"), labelled=Labelled(3, 2, ("MGMM",), 0))
    facts = replace(both, identifier="urn:uuid:1", labelled=Labelled(3, 0, (), 2), facts_only=True)
    views = replace(both, identifier="urn:uuid:2", labelled=Labelled(0, 1, ("MGMM",), 0))
    site = Site(base_url="https://x.example/", title="Briefs", author="Desk")
    return Catalogue.of(site, [both, facts, views])


GENRES_OF = {
    "urn:uuid:0": ["Current", "Opinion"],
    "urn:uuid:1": ["Current"],
    "urn:uuid:2": ["Opinion"],
}


def test_each_atom_entry_names_the_genres_its_edition_holds(catalogue: Catalogue) -> None:
    feed = ET.fromstring(atom_feeds(catalogue)[PurePosixPath("catalog.xml")])
    atom = "{http://www.w3.org/2005/Atom}"
    for entry in feed.iter(f"{atom}entry"):
        categories = [
            (c.get("term"), c.get("label"))
            for c in entry.iter(f"{atom}category")
            if c.get("scheme") == "http://cv.iptc.org/newscodes/genre/"
        ]
        names = {"Current": "Current Events", "Opinion": "Opinion"}
        expected = [(code, names[code]) for code in GENRES_OF[entry.findtext(f"{atom}id", "")]]
        assert categories == expected


def test_each_json_publication_names_its_genres_and_validates(catalogue: Catalogue) -> None:
    from test_publish import _opds_validator

    validator = _opds_validator()
    for path, data in json_feeds(catalogue).items():
        feed = json.loads(data)
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(feed)]
        assert not errors, (path, errors)
        for publication in feed.get("publications", []):
            metadata = publication["metadata"]
            subjects = [s for s in metadata.get("subject", []) if "scheme" in s]
            assert [s["code"] for s in subjects] == GENRES_OF[metadata["identifier"]]
            assert {s["scheme"] for s in subjects} == {"http://cv.iptc.org/newscodes/genre/"}


def test_search_does_not_match_a_genre(catalogue: Catalogue) -> None:
    feed = atom_feeds(catalogue)[PurePosixPath("catalog.xml")]
    entries = ET.fromstring(results(feed, "current")).findall("{http://www.w3.org/2005/Atom}entry")
    assert entries == []


# Settings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["javascript:alert(1)", "/corrections", "https://example.org/a b", "https://\x1b"]
)
def test_a_corrections_policy_must_be_a_web_address(tmp_path: Path, value: str) -> None:
    from briefkit.config import load_config

    path = write(
        tmp_path / "briefkit.toml",
        f'[organisation]\nname = "X"\ncorrections_policy = {json.dumps(value)}\n',
    )
    with pytest.raises(BriefkitError, match=r":3: error: .*corrections_policy.*absolute http"):
        load_config(path)
