"""Paged acquisition feeds: an e-reader follows `next` from the root to the end, as KOReader."""

from __future__ import annotations

import json
import posixpath
import shutil
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote
from xml.etree import ElementTree as ET

import feedparser
import pytest

import briefkit
from briefkit.config import load_config
from briefkit.delivery.catalogue.atom import whole_feed
from briefkit.delivery.catalogue.entries import FEEDS
from briefkit.delivery.catalogue.paging import page_path, pages
from briefkit.delivery.catalogue.server import answer
from conftest import EPOCH, MINIMAL, Run, write
from test_publish import _opds_validator

BASE = "https://example.org/briefs/"
ATOM = "http://www.w3.org/2005/Atom"
NAMESPACES = {
    ATOM,
    "http://purl.org/dc/terms/",
    "http://opds-spec.org/2010/catalog",
    "http://purl.org/syndication/thread/1.0",
}
OPDS_JSON = "application/opds+json"
FACET = "http://opds-spec.org/facet"
PAGING = ("first", "previous", "next", "last")
# Seven briefs, each with its own day: two in 2024, five in 2025, in two series.
DATES = ["2024-03-01", "2024-06-01", "2025-01-10", "2025-02-10", "2025-03-10", "2025-04-10"]
DATES.append("2025-05-10")
NEWEST_FIRST = [f"Brief {n}" for n in range(7, 0, -1)]


def _brief(number: int) -> str:
    """Return a generated brief: its number in its title, its own date, one of two series."""
    front = f"date: {DATES[number - 1]}\nseries: {'Odd' if number % 2 else 'Even'} Notes"
    return MINIMAL.replace("title: A minimal brief", f"title: Brief {number}").replace(
        "date: 2025-11-24", front
    )


def _workspace(root: Path, numbers: range) -> None:
    """Write a workspace of generated briefs that publishes with pages of three."""
    shutil.rmtree(root / "briefings", ignore_errors=True)
    for number in numbers:
        write(root / "briefings" / f"brief-{number}.md", _brief(number))
    write(
        root / "briefkit.toml",
        f'[organisation]\nname = "Test Unit"\n\n[publish]\nbase_url = "{BASE}"\npage_size = 3\n',
    )


def _publish(root: Path) -> briefkit.PublishReport:
    """Publish the workspace for real, as the command does."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        report = briefkit.publish(jobs=2)
    assert report.ok, [r.error for r in report.build.failed]
    return report


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Publish seven generated briefs, three to a page."""
    root = tmp_path_factory.mktemp("paging")
    _workspace(root, range(1, 8))
    _publish(root)
    yield root / "site"


def _follow(document: str, target: str | None) -> str | None:
    """Return the folder path a relative link in a document of the folder leads to."""
    if target is None:
        return None
    assert "://" not in target, target  # links between pages are relative
    return posixpath.normpath(posixpath.join(posixpath.dirname(document), unquote(target)))


def _atom_page(site: Path, path: str) -> tuple[dict[str, str], list[Any]]:
    """Parse a page of an Atom feed as an e-reader app would: its links by relation, entries."""
    parsed = feedparser.parse((site / path).read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    links: dict[str, str] = {}
    for link in parsed.feed.links:
        if link.rel in PAGING or link.rel == "self":
            assert link.rel not in links, (path, link.rel)
            links[link.rel] = link.href
    assert links["self"] == BASE + path
    return links, list(parsed.entries)


def _json_page(site: Path, path: str) -> tuple[dict[str, str], list[Any]]:
    """Read a page of an OPDS 2.0 feed: its links by relation, and its publications."""
    feed = json.loads((site / path).read_text(encoding="utf-8"))
    links: dict[str, str] = {}
    for link in feed["links"]:
        if link["rel"] in PAGING or link["rel"] == "self":
            assert link["rel"] not in links, (path, link["rel"])
            assert link["type"] == OPDS_JSON
            links[link["rel"]] = link["href"]
    assert links["self"] == BASE + path
    return links, feed["publications"]


def _walk(site: Path, start: str, read: Any) -> list[tuple[str, dict[str, str], list[Any]]]:
    """Follow next links from a feed's first page to its last, as KOReader does."""
    walked: list[tuple[str, dict[str, str], list[Any]]] = []
    path: str | None = start
    while path is not None:
        assert path not in [seen for seen, _, _ in walked], f"{path}: the pages loop"
        links, items = read(site, path)
        walked.append((path, links, items))
        path = _follow(path, links.get("next"))
    return walked


def _check_paging(walked: list[tuple[str, dict[str, str], list[Any]]], size: int) -> None:
    """Check every page's first, previous, next and last links against the walk."""
    paths = [path for path, _, _ in walked]
    for number, (path, links, items) in enumerate(walked):
        assert 0 < len(items) <= size, path
        if len(walked) == 1:
            assert set(links) == {"self"}, path  # a feed of one page has no paging links
            continue
        assert _follow(path, links["first"]) == paths[0]
        assert _follow(path, links["last"]) == paths[-1]
        assert _follow(path, links.get("previous")) == (paths[number - 1] if number else None)
        assert _follow(path, links.get("next")) == (
            paths[number + 1] if number + 1 < len(paths) else None
        )
    # Every page but the last is full.
    assert all(len(items) == size for _, _, items in walked[:-1])


def _walk_root(site: Path, suffix: str, read: Any) -> list[tuple[str, dict[str, str], list[Any]]]:
    """Walk the root feed of one format: three pages of three, two and one, paged alike."""
    walked = _walk(site, f"catalog{suffix}", read)
    paths = ["catalog", "feeds/catalog.page-2", "feeds/catalog.page-3"]
    assert [path for path, _, _ in walked] == [f"{path}{suffix}" for path in paths]
    _check_paging(walked, 3)
    # Each entry's links are relative to its own page, wherever that page lies.
    for path, _, items in walked:
        for item in items:
            links = item.links if suffix == ".xml" else [*item["links"], *item["images"]]
            for link in links:
                target = _follow(path, link["href"].partition("#")[0])
                assert target is not None and (site / target).is_file(), (path, link["href"])
    return walked


def _atom_titles(walked: list[tuple[str, dict[str, str], list[Any]]]) -> list[str]:
    """Return the titles of the entries met on the walk, in the order met."""
    return [entry.title for _, _, entries in walked for entry in entries]


def _json_titles(walked: list[tuple[str, dict[str, str], list[Any]]]) -> list[str]:
    """Return the titles of the publications met on the walk, in the order met."""
    return [p["metadata"]["title"] for _, _, found in walked for p in found]


@pytest.mark.slow
def test_following_next_from_the_atom_root_finds_every_edition_once_newest_first(
    site: Path,
) -> None:
    walked = _walk_root(site, ".xml", _atom_page)
    assert _atom_titles(walked) == NEWEST_FIRST
    ids = [entry.id for _, _, entries in walked for entry in entries]
    assert len(set(ids)) == 7
    # Every page keeps the root's navigation and facets, links to its own OPDS 2.0 twin, and
    # is part of one feed: the root's id.
    for path, _, _ in walked:
        parsed = feedparser.parse((site / path).read_bytes())
        rels = [link.rel for link in parsed.feed.links]
        assert rels.count("subsection") == 2 and rels.count(FACET) == 4, path
        [twin] = [link.href for link in parsed.feed.links if link.type == OPDS_JSON]
        assert _follow(path, twin) == path.replace(".xml", ".json")
        assert parsed.feed.id == feedparser.parse((site / "catalog.xml").read_bytes()).feed.id


@pytest.mark.slow
def test_following_next_from_the_opds_2_root_finds_every_edition_once_newest_first(
    site: Path,
) -> None:
    walked = _walk_root(site, ".json", _json_page)
    assert _json_titles(walked) == NEWEST_FIRST
    for number, (path, _, _) in enumerate(walked, start=1):
        metadata = json.loads((site / path).read_text(encoding="utf-8"))["metadata"]
        assert (metadata["numberOfItems"], metadata["itemsPerPage"]) == (7, 3)
        assert metadata["currentPage"] == number


@pytest.mark.slow
def test_every_collection_feed_pages_alike_in_both_formats(site: Path) -> None:
    root = feedparser.parse((site / "catalog.xml").read_bytes())
    facets = {link.title: link.href for link in root.feed.links if link.rel == FACET}
    wanted = {
        "Odd Notes": ["Brief 7", "Brief 5", "Brief 3", "Brief 1"],
        "Even Notes": ["Brief 6", "Brief 4", "Brief 2"],
        "2025": ["Brief 7", "Brief 6", "Brief 5", "Brief 4", "Brief 3"],
        "2024": ["Brief 2", "Brief 1"],
    }
    assert set(facets) == set(wanted)
    for name, titles in wanted.items():
        start = _follow("catalog.xml", facets[name])
        assert start is not None
        atom = _walk(site, start, _atom_page)
        opds = _walk(site, start.replace(".xml", ".json"), _json_page)
        for walked, found in ((atom, _atom_titles(atom)), (opds, _json_titles(opds))):
            _check_paging(walked, 3)
            assert found == titles, name
            assert len(walked) == -(-len(titles) // 3)


@pytest.mark.slow
def test_every_page_is_well_formed_and_every_json_page_validates(site: Path) -> None:
    validator = _opds_validator()
    xml = sorted(site.rglob("*.xml"))
    # The root in three pages, two navigation feeds, series in 2 + 1, years in 2 + 1.
    assert len(xml) == 3 + 2 + 3 + 3
    for path in xml:
        text = path.read_bytes()
        assert text.startswith(
            b"<?xml version='1.0' encoding='UTF-8'?>\n<feed xmlns=\"" + ATOM.encode()
        )
        for element in ET.fromstring(text).iter():
            assert element.tag[1:].split("}")[0] in NAMESPACES, (path, element.tag)
    feeds = sorted(p for p in site.rglob("*.json") if not p.name.startswith("."))
    assert sorted(p.with_suffix(".xml") for p in feeds) == xml
    for path in feeds:
        errors = list(validator.iter_errors(json.loads(path.read_text(encoding="utf-8"))))
        assert not errors, (path.name, [f"{list(e.absolute_path)}: {e.message}" for e in errors])


@pytest.mark.slow
def test_a_republish_with_fewer_briefs_removes_the_pages_no_longer_there(
    tmp_path: Path,
) -> None:
    _workspace(tmp_path, range(1, 8))
    _publish(tmp_path)
    site = tmp_path / "site"
    assert (site / "feeds" / "catalog.page-3.json").is_file()
    _workspace(tmp_path, range(5, 8))  # three briefs left: one page of each feed
    report = _publish(tmp_path)
    removed = sorted(p.relative_to(site).as_posix() for p in report.removed)
    pages_removed = [name for name in removed if ".page-" in name]
    assert pages_removed == [
        f"feeds/{feed}.page-{n}.{suffix}"
        for feed, last in (("catalog", 3), ("series-odd-notes", 2), ("year-2025", 2))
        for n in range(2, last + 1)
        for suffix in ("json", "xml")
    ]
    assert not list(site.rglob("*.page-*"))
    walked = _walk(site, "catalog.xml", _atom_page)
    assert len(walked) == 1 and _atom_titles(walked) == ["Brief 7", "Brief 6", "Brief 5"]
    assert _json_titles(_walk(site, "catalog.json", _json_page)) == _atom_titles(walked)


def test_pages_split_newest_first_with_stable_paths_apart_from_any_feed() -> None:
    first = FEEDS / "series-notes.xml"
    items: Any = tuple(range(7))  # any items page alike
    split = pages(first, items, 3)
    assert [page.publications for page in split] == [items[0:3], items[3:6], items[6:]]
    assert [page.path for page in split] == [
        first,
        FEEDS / "series-notes.page-2.xml",
        FEEDS / "series-notes.page-3.xml",
    ]
    assert split[1].neighbours() == [
        ("first", first),
        ("previous", first),
        ("next", split[2].path),
        ("last", split[2].path),
    ]
    # A series named "Notes 2" has the feed series-notes-2.xml: never a page of another.
    assert page_path(first, 2) != FEEDS / "series-notes-2.xml"
    assert page_path(PurePosixPath("catalog.xml"), 2) == FEEDS / "catalog.page-2.xml"
    assert [page.neighbours() for page in pages(first, (), 3)] == [[]]
    assert len(pages(first, items[:6], 3)) == 2  # no empty page after a full one


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "'publish.page_size' is too small"),
        ("5000", "'publish.page_size' is too large"),
        ('"50"', "'publish.page_size' must be a whole number"),
        ("2.5", "'publish.page_size' must be a whole number"),
    ],
)
def test_a_page_size_that_is_not_a_sensible_whole_number_is_refused_at_its_line(
    tmp_path: Path, value: str, message: str
) -> None:
    config = write(tmp_path / "briefkit.toml", f'[publish]\ntitle = "A"\npage_size = {value}\n')
    with pytest.raises(briefkit.BriefkitError) as refused:
        load_config(config)
    assert f"briefkit.toml:3: error: {message}" in str(refused.value)


def test_the_command_refuses_a_bad_page_size_without_a_traceback(
    workspace: Path, run_cli: Run
) -> None:
    config = workspace / "briefkit.toml"
    config.write_text(config.read_text() + "\n[publish]\npage_size = -1\n", encoding="utf-8")
    result = run_cli("publish", "--base-url", BASE)
    assert result.returncode == 1
    assert "briefkit.toml:5: error: 'publish.page_size' is too small" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (workspace / "site").exists()


def test_page_size_defaults_to_fifty(tmp_path: Path) -> None:
    config = write(tmp_path / "briefkit.toml", '[publish]\ntitle = "A"\n')
    assert load_config(config).publish.page_size == 50


@pytest.mark.slow
def test_the_preview_server_searches_every_page_and_its_results_link_to_the_files(
    site: Path,
) -> None:
    reply = answer(site.resolve(), "/search?q=brief", "127.0.0.1:8000")
    assert reply.status == 200
    found = feedparser.parse(reply.body)
    assert not found.bozo and [e.title for e in found.entries] == NEWEST_FIRST
    assert not {link.rel for link in found.feed.links} & set(PAGING)
    # Results are served from the root, so the links of entries from feeds/ are rebased.
    for entry in found.entries:
        for link in entry.links:
            target = link.href.partition("#")[0]
            assert (site / unquote(target)).is_file(), (entry.title, link.href)
    only = feedparser.parse(answer(site.resolve(), "/search?q=brief+1", "h").body)
    assert [e.title for e in only.entries] == ["Brief 1"]  # from the last page


def _paged(entry: str, following: str | None, folder: str = "") -> bytes:
    """Return a small Atom page of one entry, linking to the page after it when there is one."""
    link = f'<link rel="next" href="{following}"/>' if following else ""
    up = "../" if folder else ""
    return (
        f'<feed xmlns="{ATOM}"><title>T</title>{link}<entry><title>{entry}</title>'
        f'<link rel="alternate" href="{up}index.html#{entry}"/></entry></feed>'
    ).encode()


@pytest.mark.parametrize(
    ("pages_of", "titles"),
    [
        # A loop of pages ends where it meets a page again.
        (
            {
                "catalog.xml": _paged("a", "feeds/b.xml"),
                "feeds/b.xml": _paged("b", "../catalog.xml", "feeds"),
            },
            ["a", "b"],
        ),
        # Out of the folder, an address elsewhere, a page missing or broken: the feed ends there.
        ({"catalog.xml": _paged("a", "../etc/passwd")}, ["a"]),
        ({"catalog.xml": _paged("a", "https://example.org/b.xml")}, ["a"]),
        ({"catalog.xml": _paged("a", "feeds/missing.xml")}, ["a"]),
        ({"catalog.xml": _paged("a", "feeds/b.xml"), "feeds/b.xml": b"<feed"}, ["a"]),
    ],
)
def test_joining_pages_follows_next_inside_the_folder_only_and_each_page_once(
    pages_of: dict[str, bytes], titles: list[str]
) -> None:
    read = {PurePosixPath(path): data for path, data in pages_of.items()}.get
    joined = whole_feed(PurePosixPath("catalog.xml"), read)
    assert joined is not None
    root = ET.fromstring(joined)
    assert [e.findtext(f"{{{ATOM}}}title") for e in root.iter(f"{{{ATOM}}}entry")] == titles
    # The second page's entry link, written in feeds/b.xml, leads from catalog.xml as it did.
    entries = root.iter(f"{{{ATOM}}}entry")
    hrefs = [link.get("href") for entry in entries for link in entry.iter(f"{{{ATOM}}}link")]
    assert hrefs == ["index.html#" + title for title in titles]
