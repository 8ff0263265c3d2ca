"""The output plan: every choice of a build, a render or a message resolved once, file by file.

A caller says what it asked for in a :class:`Request` (paths, format names, editions, paper,
print marks, PDF standard, output folder, how hard to look); :func:`make_plan` resolves it
once, the request first, then briefkit.toml, then the defaults, into an immutable
:class:`Plan`: the theme, the logo, the output folder, the build time, the time limit, and one
:class:`PlannedOutput` per file, with its source, edition, format, variant, path and the key
of exactly what shapes it. Nothing after the plan resolves a default again.

File names: ``<stem><edition><-tags>.<suffix>``, the tags being what the variant fields a
format is shaped by add (``x.pdf``, ``x-letter.pdf``, ``x-print.pdf``, ``x-x4.pdf``,
``x-facts-only-letter.pdf``); two planned files on one path are refused before anything renders.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePath, PurePosixPath

from pydantic import BaseModel

from briefkit.config import Config, Workspace
from briefkit.errors import BriefkitError, ParameterError, UsageError
from briefkit.model.brief import CheckedImage
from briefkit.model.choices import Paper, PdfVariant, Variant, choose
from briefkit.model.edition import FACTS_ONLY, FULL, Edition
from briefkit.paths import shown
from briefkit.rendering.citing import published_address, thumbnail_name
from briefkit.rendering.formats import OutputFormat, get_format
from briefkit.rendering.render import imprint_for
from briefkit.rendering.theme import Theme
from briefkit.rendering.view import Imprint
from briefkit.sources.discover import SourceFile, find_sources
from briefkit.system.clock import build_time

# The settings of briefkit.toml that shape no output file, so changing them rebuilds nothing.
SHAPING_NONE = (
    "email",
    "publish.title",
    "publish.out",
    "publish.facts_only",
    "publish.page_size",
    "publish.word",
    "build.out",
    "build.jobs",
    "build.time_limit",
    "build.formats",
)
# Settings that shape outputs through what the plan resolves from them, not as settings.
SHAPING_THROUGH_PLAN = {
    "build.paper": "the variant",
    "build.pdf_variant": "the variant",
    "build.theme": "the theme's digest",
}


@dataclass(frozen=True)
class Request:
    """What a caller asked for; None leaves the choice to briefkit.toml, then the defaults."""

    paths: tuple[Path, ...] = ()
    formats: tuple[str, ...] | None = None
    editions: tuple[Edition, ...] = (FULL,)
    paper: Paper | str | None = None
    print_marks: bool = False
    pdf_variant: PdfVariant | str | None = None
    out: Path | None = None
    strict: bool = False
    force: bool = False
    jobs: int | None = None
    tracebacks: bool = False
    modified: dt.datetime | None = None
    # A build into a published folder: a brief its build finds to be a draft is not written.
    publishing: bool = False


@dataclass(frozen=True)
class PlannedOutput:
    """One file a plan makes: which edition of which source, in which format and variant."""

    source: Path
    edition: Edition
    format: str
    variant: Variant
    path: Path
    # Exactly what shapes this file besides its inputs: the cache's key for it.
    key: str
    # Where the brief's PDF is served once published ([publish] base_url), for citations.
    published: str | None = None
    # Where its HTML page and its cover thumbnail are served once published, for link previews.
    page: str | None = None
    thumbnail: str | None = None

    @property
    def output_format(self) -> OutputFormat:
        """Return the registry's entry for this file's format."""
        return get_format(self.format)


@dataclass(frozen=True)
class Plan:
    """Every output of one build or call, with the choices they share, resolved once."""

    workspace: Workspace
    theme: Theme
    logo: CheckedImage | None
    imprint: Imprint
    out_dir: Path
    modified: dt.datetime
    time_limit: float
    strict: bool
    force: bool
    jobs: int
    tracebacks: bool
    # The sources, each with its place below the output folder, and the editions asked for.
    sources: tuple[SourceFile, ...]
    editions: tuple[Edition, ...]
    # The variant of the PDF that publish serves, which citations name.
    served: Variant
    outputs: tuple[PlannedOutput, ...] = ()
    # Drafts are refused as the build reads them, not only as publish chose its sources.
    publishing: bool = False

    @property
    def config(self) -> Config:
        """Return the settings the plan was made from."""
        return self.workspace.config

    def by_source(self) -> dict[Path, tuple[PlannedOutput, ...]]:
        """Return each source's planned outputs, sources and outputs in the plan's order."""
        grouped: dict[Path, list[PlannedOutput]] = {}
        for output in self.outputs:
            grouped.setdefault(output.source, []).append(output)
        return {source: tuple(outputs) for source, outputs in grouped.items()}

    def shared(self) -> Plan:
        """Return the plan without its outputs: what every job of it shares, cheap to send."""
        return replace(self, outputs=(), sources=())

    def imprint_of(self, output: PlannedOutput) -> Imprint:
        """Return the imprint one output is rendered with: the plan's, and its own address."""
        return replace(
            self.imprint,
            published=output.published,
            page=output.page,
            thumbnail=output.thumbnail,
        )

    def file_path(
        self, source: SourceFile, edition: Edition, suffix: str, tags: Iterable[str] = ()
    ) -> Path:
        """Return a file's path: out/<folders>/<stem><edition suffix><-tags><suffix>."""
        stem = source.relative.with_suffix("")
        name = "-".join([f"{stem.name}{edition.file_suffix}", *tags])
        return self.out_dir / stem.parent / f"{name}{suffix}"

    def address(self, source: SourceFile, edition: Edition, fmt: str = "pdf") -> str | None:
        """Return where an edition's file (its PDF) is served once published, if base_url is set."""
        return published_address(self.config.publish.base_url, self._served(source, edition, fmt))

    def thumbnail_address(self, source: SourceFile, edition: Edition) -> str | None:
        """Return where publish serves an edition's cover thumbnail, beside its EPUB."""
        epub = self._served(source, edition, "epub")
        thumbnail = epub.with_name(thumbnail_name(epub.stem))
        return published_address(self.config.publish.base_url, thumbnail)

    def _served(self, source: SourceFile, edition: Edition, fmt: str) -> PurePosixPath:
        """Return the path of an edition's file in a format inside the folder publish fills."""
        served = get_format(fmt)
        path = self.file_path(
            source, edition, served.suffix, self.served.file_tags(served.variant_fields)
        )
        return PurePosixPath(path.relative_to(self.out_dir).as_posix())

    def output(
        self, source: SourceFile, edition: Edition, fmt: OutputFormat, variant: Variant
    ) -> PlannedOutput:
        """Return one planned file: its path, its key, and the address its citations give."""
        tags = variant.file_tags(fmt.variant_fields)
        path = self.file_path(source, edition, fmt.suffix, tags)
        published = self.address(source, edition)
        page = self.address(source, edition, "html")
        thumbnail = self.thumbnail_address(source, edition)
        key = settings_key(self.config, fmt, self.theme, edition, variant)
        return PlannedOutput(
            source.path,
            edition,
            fmt.name,
            variant,
            path,
            f"{key}\npublished={published}\npage={page}\nthumbnail={thumbnail}",
            published,
            page,
            thumbnail,
        )


def make_plan(
    workspace: Workspace, request: Request, sources: Sequence[SourceFile] | None = None
) -> Plan:
    """Resolve a request against the workspace into a plan; refuse two files on one path.

    sources default to those the request's paths name (else the workspace's briefings/).
    """
    config = workspace.config
    formats = resolve_formats(workspace, request.formats)
    variant = resolve_variant(workspace, request.paper, request.print_marks, request.pdf_variant)
    if sources is None:
        sources = find_sources(request.paths or [workspace.briefings], workspace.briefings)
    out_dir = resolve_out(workspace, request.out)
    logo = workspace.logo()
    modified = request.modified or build_time()
    plan = Plan(
        workspace=workspace,
        theme=Theme.for_workspace(workspace),
        logo=logo,
        imprint=imprint_for(config, modified, logo),
        out_dir=out_dir,
        modified=modified,
        time_limit=config.build.time_limit,
        strict=request.strict,
        force=request.force,
        jobs=resolve_jobs(workspace, request.jobs),
        tracebacks=request.tracebacks,
        sources=tuple(sources),
        editions=request.editions,
        served=resolve_variant(workspace),
        publishing=request.publishing,
    )
    outputs = tuple(
        plan.output(source, edition, fmt, variant)
        for source in sources
        for edition in request.editions
        for fmt in formats
    )
    _refuse_shared_paths(outputs)
    return replace(plan, outputs=outputs)


def plan_brief(workspace: Workspace, path: Path, request: Request) -> Plan:
    """Return the plan of one loaded brief's outputs, placed as a build would place them."""
    return make_plan(workspace, request, [place(path, workspace)])


def editions(facts_only: bool, both: bool = False) -> tuple[Edition, ...]:
    """Return the editions asked for: the full brief, its facts-only edition, or both."""
    if both:
        return (FULL, FACTS_ONLY)
    return (FACTS_ONLY,) if facts_only else (FULL,)


def requested_formats(values: Iterable[str] | str | None) -> tuple[str, ...] | None:
    """Return the format names a caller gave (a lone name is one), or None for the default."""
    if values is None:
        return None
    names = (values,) if isinstance(values, str) else tuple(str(value) for value in values)
    return names or None


def place(path: Path, workspace: Workspace) -> SourceFile:
    """Return a loaded brief's place below the output folder, as a build would give it.

    A brief loaded from text names a file that may not exist: it is placed by its name.
    """
    if path.is_file():
        (found,) = find_sources([path], workspace.briefings)
        return found
    return SourceFile(path, PurePath(path.name))


def resolve_formats(workspace: Workspace, names: Iterable[str] | None) -> tuple[OutputFormat, ...]:
    """Return the formats asked for (None: briefkit.toml's), once each, in order.

    A name in the registry is a format, whether briefkit's own or a plugin's.
    """
    if names is not None:
        return tuple(dict.fromkeys(get_format(str(name)) for name in names))
    found: dict[OutputFormat, None] = {}
    for name in workspace.config.build.formats:
        try:
            found[get_format(name)] = None
        except UsageError as exc:
            raise workspace.setting_error(["build", "formats"], str(exc)) from None
    return tuple(found)


def resolve_variant(
    workspace: Workspace,
    paper: Paper | str | None = None,
    print_marks: bool = False,
    pdf_variant: PdfVariant | str | None = None,
) -> Variant:
    """Return the variant asked for, briefkit.toml's [build] filling in what was not."""
    settings = workspace.config.build
    return Variant(
        paper=choose(Paper, paper or settings.paper, "paper size"),
        print_marks=print_marks,
        pdf_variant=choose(PdfVariant, pdf_variant or settings.pdf_variant, "PDF variant"),
    )


def resolve_out(workspace: Workspace, out: Path | None) -> Path:
    """Return the output folder: as asked, else briefkit.toml's [build] out."""
    return out if out is not None else workspace.root / workspace.config.build.out


def resolve_jobs(workspace: Workspace, jobs: int | None) -> int:
    """Return how many workers to use: as asked, else briefkit.toml's; refuse a negative count."""
    if jobs is None:
        return workspace.config.build.jobs
    if jobs < 0:
        raise ParameterError(
            "jobs", f"{{name}} must be 0 (one worker per core) or more, not {jobs}"
        )
    return jobs


def settings_key(
    config: Config, fmt: OutputFormat, theme: Theme, edition: Edition, variant: Variant
) -> str:
    """Return what shapes one output besides its files: the settings its format names, and more."""
    values = [f"{path}={_setting(config, path, fmt)}" for path in fmt.settings]
    shaping = variant.shaping(fmt.variant_fields)
    return "\n".join([*values, f"theme={theme.digest}", fmt.name, edition.name, shaping])


def _setting(config: Config, dotted: str, fmt: OutputFormat) -> str:
    """Return the value of a setting a format names by its dotted path, as text that compares."""
    value: object = config
    for part in dotted.split("."):
        if part not in getattr(type(value), "model_fields", {}):
            # A plugin's list may name a setting that is not there: say whose list it is.
            raise BriefkitError(f"format {fmt.name!r} names {dotted!r}, not a setting of briefkit")
        value = getattr(value, part)
    if isinstance(value, BaseModel):
        return value.model_dump_json(by_alias=True)
    return json.dumps(value, default=str, sort_keys=True)


def _refuse_shared_paths(outputs: Iterable[PlannedOutput]) -> None:
    """Refuse a plan in which two outputs would be written to one path."""
    owners: dict[Path, PlannedOutput] = {}
    for output in outputs:
        other = owners.setdefault(output.path, output)
        if other is not output:
            raise UsageError(
                f"{other.source} ({other.edition.name} {other.format}) and {output.source} "
                f"({output.edition.name} {output.format}) would both be written as "
                f"{shown(output.path)}: rename one, or build them into different output folders"
            )
