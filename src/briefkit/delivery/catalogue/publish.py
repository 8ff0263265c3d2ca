"""Publish built briefs as a static catalogue folder that web servers serve and e-readers read.

The pipeline, in :func:`publish_catalogue`, runs after the build of one plan has put each
brief's EPUB and PDF (of one edition, or of both) in the folder, and reads which file is which
from the plan's outputs, never from file names: each brief that built is loaded for its
metadata, its cover is taken out of its EPUB and thumbnailed, the catalogue is assembled, and
its images, OPDS 1.2 and OPDS 2.0 feeds and web page are written, each only when its bytes
differ, all while holding the folder's build lock. Files an earlier publish wrote that the
catalogue no longer has are removed. When a brief failed to build, the catalogue is left as
it was.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field, fields, replace
from pathlib import Path, PurePosixPath

from briefkit.building.cache import locked
from briefkit.building.pipeline import BuildReport
from briefkit.building.plan import Plan, PlannedOutput, Request, make_plan
from briefkit.config import Config, Workspace, site_address
from briefkit.delivery.catalogue.atom import atom_feeds
from briefkit.delivery.catalogue.covers import THUMBNAIL_TYPE, Image, from_epub, pixels, thumbnail
from briefkit.delivery.catalogue.entries import (
    CATALOG_XML,
    EPUB,
    HTML,
    INDEX_HTML,
    PDF,
    Catalogue,
    Corrected,
    Description,
    FeedWords,
    FileRef,
    Labelled,
    Publication,
    Site,
    unique_keys,
)
from briefkit.delivery.catalogue.json_feed import json_feeds
from briefkit.delivery.catalogue.manifest import Manifest, digest, file_digest
from briefkit.delivery.catalogue.page import render_page
from briefkit.errors import BriefkitError, ParameterError
from briefkit.files import read_regular
from briefkit.model.brief import Brief
from briefkit.model.edition import FULL, Edition
from briefkit.paths import shown
from briefkit.rendering.citing import thumbnail_name
from briefkit.rendering.epub.metadata import publication_id
from briefkit.rendering.formats import get_format
from briefkit.sources.discover import SourceFile, find_sources
from briefkit.sources.limits import MAX_SOURCE_BYTES
from briefkit.sources.loader import is_draft, load_brief
from briefkit.system.output import refuse_escapes, write_if_changed
from briefkit.text.languages import language_for

DEFAULT_TITLE = "Briefs"
# The formats a catalogue serves, by their names in the registry: e-readers take the EPUB,
# browsers the HTML page.
CATALOGUE_FORMATS = ("epub", "pdf", "html")
# The Word edition, published only when the workspace asks ([publish] word = true).
WORD_FORMAT = "docx"


@dataclass
class PublishReport:
    """What publishing did: the builds, and each catalogue file written, unchanged or removed."""

    build: BuildReport
    folder: Path
    catalogue_url: str
    publications: int = 0
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    # The sources left out because their front matter says draft: true.
    drafts: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Tell whether every brief built and the catalogue was brought up to date."""
        return self.build.ok

    @property
    def briefs(self) -> int:
        """Return how many briefs the catalogue lists (an edition each, or two)."""
        return len({r.source for r in self.build.results}) if self.publications else 0


@dataclass
class _Collected:
    """What publishing gathers on the way: the files to write, briefs loaded, covers seen."""

    manifest: Manifest
    files: dict[PurePosixPath, bytes] = field(default_factory=dict)
    covers: dict[PurePosixPath, bytes] = field(default_factory=dict)
    descriptions: dict[PurePosixPath, tuple[str, Description]] = field(default_factory=dict)
    briefs: dict[Path, Brief] = field(default_factory=dict)
    # The content hash of each source as the build read it: the catalogue describes that.
    built: dict[Path, bytes] = field(default_factory=dict)


def site_for(config: Config, base_url: str | None, title: str | None) -> Site:
    """Return where the catalogue is served and its title: the options, then briefkit.toml."""
    settings = config.publish
    address = base_url or settings.base_url
    if not address:
        raise ParameterError(
            "base_url",
            "publishing needs the address the folder will be served from: give {name} "
            "or set base_url in the [publish] table of briefkit.toml",
        )
    try:
        address = site_address(address)
    except ValueError as exc:
        raise ParameterError("base_url", f"{{name}} {address!r} {exc}") from None
    organisation = config.organisation
    name = title or settings.title or organisation.name or DEFAULT_TITLE
    return Site(
        base_url=address,
        title=name,
        author=organisation.name or name,
        author_url=organisation.url,
        # The catalogue speaks the workspace's language; each brief keeps its own.
        words=FeedWords(language_for(config.defaults.language or "en")),
    )


def served(space: Workspace, base_url: str | None, title: str | None) -> tuple[Workspace, Site]:
    """Return the workspace as its briefs are published, and the site they are served from.

    The briefs' "Cite this brief" names where they are served: the address given, if any.
    """
    site = site_for(space.config, base_url, title)
    serving = space.config.publish.model_copy(update={"base_url": site.base_url})
    return replace(space, config=space.config.model_copy(update={"publish": serving})), site


def publishing_plan(space: Workspace, request: Request) -> tuple[Plan, list[SourceFile]]:
    """Plan the catalogue's formats of the briefs asked for, drafts left out; return both."""
    found = find_sources(request.paths or [space.briefings], space.briefings)
    drafts = [source for source in found if is_draft(source.path)]
    published = [source for source in found if source not in drafts]
    if not published:
        # Refused before the build makes the folder: there would be nothing in it.
        raise BriefkitError(_nothing_to_publish(drafts))
    word = (WORD_FORMAT,) if space.config.publish.word else ()
    formats = CATALOGUE_FORMATS + word
    plan = make_plan(space, replace(request, formats=formats, publishing=True), published)
    _refuse_catalogue_names(plan)
    return plan, drafts


def _refuse_catalogue_names(plan: Plan) -> None:
    """Refuse a brief whose HTML edition would be written where the catalogue's page goes."""
    page = plan.out_dir / INDEX_HTML
    for output in plan.outputs:
        if output.path == page:
            raise BriefkitError(
                f"{output.source}: its HTML edition would be written as {shown(output.path)}, "
                "the catalogue's own page: rename the source (index.md is the one name a "
                "brief at the top of briefings/ cannot have)"
            )


def publish_catalogue(
    plan: Plan, build: BuildReport, site: Site, drafts: list[SourceFile] | None = None
) -> PublishReport:
    """Write the catalogue of the briefs a plan built into its folder; drafts were left out."""
    started = time.perf_counter()
    folder = plan.out_dir
    left_out = drafts or []
    report = PublishReport(build, folder, site.url(CATALOG_XML), drafts=[d.path for d in left_out])
    if not build.ok:
        return report
    if not build.results:
        raise BriefkitError(_nothing_to_publish(left_out))
    with locked(folder):
        # Another build into the folder waits while the catalogue reads and writes it.
        publications = _write_catalogue(plan, site, report, _withdrawn(plan, left_out))
    report.publications = publications
    report.seconds = build.seconds + time.perf_counter() - started
    return report


def _nothing_to_publish(drafts: list[SourceFile]) -> str:
    """Say why there is nothing to publish: no sources, or drafts alone."""
    if not drafts:
        return "nothing to publish: no briefing sources (*.md) found"
    names = ", ".join(str(draft.path) for draft in drafts[:3])
    more = f" and {len(drafts) - 3} more" if len(drafts) > 3 else ""
    return (
        f"nothing to publish: every brief is a draft ({names}{more}); set draft: false in "
        "its front matter to publish it"
    )


def _withdrawn(plan: Plan, drafts: list[SourceFile]) -> set[str]:
    """Return the names in the folder of briefs that are drafts now: what they once published.

    A brief is known by its full edition's path without suffix, as the catalogue's record
    knows it, so the files of a brief published before and made a draft since are removed.
    """
    paths = (plan.file_path(draft, FULL, ".epub") for draft in drafts)
    return {path.relative_to(plan.out_dir).with_suffix("").as_posix() for path in paths}


def _write_catalogue(plan: Plan, site: Site, report: PublishReport, withdrawn: set[str]) -> int:
    """Describe every built edition and write the catalogue's files; return how many editions."""
    folder = plan.out_dir
    built = {r.source: r.digest for r in report.build.results if r.digest is not None}
    collected = _Collected(Manifest.read(folder), built=built)
    publications = [
        _publication(plan.config, folder, files, collected) for files in _editions(plan)
    ]
    catalogue = Catalogue.of(site, _anchored(publications))
    files = collected.files
    page_size = plan.config.publish.page_size
    files.update(atom_feeds(catalogue, page_size))
    files.update(json_feeds(catalogue, page_size))
    files[INDEX_HTML] = render_page(catalogue, plan.theme, plan.config.labels)
    # Every file is judged before any is written, so a link leading out stops the whole catalogue.
    refuse_escapes(folder, [folder / path for path in files])
    for path, data in files.items():
        target = folder / path
        written = write_if_changed(target, data, root=folder)
        (report.written if written else report.unchanged).append(target)
    stems = _stems(publications)
    owners = {
        file.path: stems[p.source]
        for p in publications
        for file in (*p.downloads, p.cover, p.thumbnail)
    }
    digests = {path: digest(data) for path, data in files.items()}
    # An EPUB or PDF that cannot be read as a regular file is recorded so, and never removed.
    digests |= {path: file_digest(folder, path) or "" for path in owners if path not in files}
    report.removed = collected.manifest.stale(set(digests), set(stems.values()), withdrawn)
    collected.manifest.save(digests, owners, collected.covers, collected.descriptions)
    return len(publications)


def _editions(plan: Plan) -> list[dict[str, PlannedOutput]]:
    """Return each built edition's planned files by format name, briefs in the plan's order."""
    grouped: dict[tuple[Path, Edition], dict[str, PlannedOutput]] = {}
    for output in plan.outputs:
        grouped.setdefault((output.source, output.edition), {})[output.format] = output
    return list(grouped.values())


def _publication(
    config: Config, folder: Path, files: dict[str, PlannedOutput], collected: _Collected
) -> Publication:
    """Describe one built edition of a brief, and add its cover and thumbnail to the files."""
    epub = files["epub"]
    source = epub.source
    edition = _inside(folder, epub.path)
    description = _description(config, source, edition, epub.edition, collected)
    stem = edition.with_suffix("")
    packaged = from_epub(epub.path)
    cover = packaged.cover
    cover_path = stem.with_name(f"{stem.name}.cover{cover.suffix}")
    thumbnail_path = stem.with_name(thumbnail_name(stem.name))
    small = _thumbnail(thumbnail_path, cover, collected.manifest)
    collected.files[cover_path] = cover.data
    collected.files[thumbnail_path] = small.data
    collected.covers[thumbnail_path] = cover.data
    pdf, html, word = files.get("pdf"), files.get("html"), files.get(WORD_FORMAT)
    return Publication(
        **{f.name: getattr(description, f.name) for f in fields(Description)},
        title=packaged.title,
        source=source,
        epub=FileRef(edition, EPUB, epub.path.stat().st_size),
        pdf=_file_ref(folder, pdf.path, PDF) if pdf else None,
        html=_file_ref(folder, html.path, HTML) if html else None,
        docx=_file_ref(folder, word.path, get_format(WORD_FORMAT).media_type) if word else None,
        cover=FileRef(cover_path, cover.media_type, len(cover.data), cover.width, cover.height),
        thumbnail=FileRef(
            thumbnail_path, small.media_type, len(small.data), small.width, small.height
        ),
    )


def _file_ref(folder: Path, path: Path, media_type: str) -> FileRef:
    """Return a reference to a file of the folder, with its size."""
    return FileRef(_inside(folder, path), media_type, path.stat().st_size)


def _description(
    config: Config, source: Path, edition: PurePosixPath, shown: Edition, collected: _Collected
) -> Description:
    """Return what the catalogue says of an edition: kept from last time if its source is the same.

    The build has checked the source already; it is read again only when it changed.
    """
    defaults = json.dumps(config.brief_defaults(), sort_keys=True, default=str)
    raw = read_regular(source, MAX_SOURCE_BYTES)
    _refuse_changed(source, raw, collected)
    key = digest(raw + b"\0" + defaults.encode() + f"\0{shown.facts_only}".encode())
    described = collected.manifest.description(edition, key)
    if described is None:
        if source not in collected.briefs:
            loaded = load_brief(source, config.brief_defaults())
            collected.briefs[source] = loaded.raise_for_errors()
        described = describe(collected.briefs[source], shown)
    collected.descriptions[edition] = (key, described)
    return described


def _refuse_changed(source: Path, raw: bytes, collected: _Collected) -> None:
    """Refuse a source whose bytes are not those its build read: it changed meanwhile."""
    read = hashlib.sha256(raw).digest()
    if collected.built.get(source, read) != read:
        raise BriefkitError(
            f"{shown(source)} changed while it was being published, so its catalogue entry "
            "would describe another version than its files: publish again"
        )


def describe(brief: Brief, edition: Edition) -> Description:
    """Return what the catalogue says of one edition of a brief."""
    meta = brief.meta
    return Description(
        identifier=publication_id(brief, edition),
        subtitle=meta.subtitle,
        authors=tuple(author.name for author in meta.authors),
        organisation=meta.organisation,
        series=meta.series,
        number=meta.number,
        summary=meta.summary,
        keywords=tuple(meta.keywords),
        classification=meta.classification,
        language=meta.language,
        issued=meta.date,
        facts_only=edition.facts_only,
        labelled=_labelled(brief, edition),
        corrections=tuple(Corrected(c.date, c.text) for c in meta.newest_corrections),
    )


def _thumbnail(path: PurePosixPath, cover: Image, manifest: Manifest) -> Image:
    """Return the cover's thumbnail: the one made last time from the same cover, or a new one."""
    kept = manifest.thumbnail(path, cover.data)
    if kept is None:
        return thumbnail(cover)
    return Image(kept, THUMBNAIL_TYPE, *pixels(kept, path))


def _labelled(brief: Brief, edition: Edition) -> Labelled:
    """Count an edition's sections of each kind, and name who wrote its commentary."""
    included = edition.sections(brief)
    commentary = [s for s in included if s.kind == "commentary"]
    writers = [s.by or brief.meta.organisation for s in commentary]
    return Labelled(
        facts=len(included) - len(commentary),
        commentary=len(commentary),
        commentators=tuple(dict.fromkeys(w for w in writers if w)),
        omitted=edition.omitted(brief),
    )


def _stems(publications: list[Publication]) -> dict[Path, str]:
    """Return each brief's name in the folder: its full edition's path without suffix."""
    return {
        p.source: p.epub.path.with_suffix("").as_posix() for p in publications if not p.facts_only
    }


def _anchored(publications: list[Publication]) -> list[Publication]:
    """Give each brief's editions the id of its card on the page, from its name in the folder."""
    stems = _stems(publications)
    keys = unique_keys(list(stems.values()), "brief")
    return [replace(p, anchor=f"brief-{keys[stems[p.source]]}") for p in publications]


def _inside(folder: Path, path: Path) -> PurePosixPath:
    """Return a file's path below the folder; refuse one that a link puts outside it."""
    try:
        return PurePosixPath(path.resolve().relative_to(folder.resolve()).as_posix())
    except ValueError:
        raise BriefkitError(
            f"{shown(path)}: a symbolic link leads out of {shown(folder)}, so this file is "
            "not in the published folder: remove the link"
        ) from None
