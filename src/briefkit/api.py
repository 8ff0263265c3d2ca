"""briefkit's Python API: what the command line does, for scripts and notebooks.

Every command is a thin caller of these functions: load a source and see its findings,
render a brief to the bytes of one format, or build a folder of briefs into an output folder.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from briefkit.config import Workspace, find_workspace
from briefkit.errors import UsageError
from briefkit.model.choices import Format, Paper, PdfVariant, choose, choose_all
from briefkit.sources import loader
from briefkit.sources.loader import LoadedBrief

# Rendering and building are imported by the calls that need them, so checking stays quick.
if TYPE_CHECKING:
    from briefkit.commands.build import BuildProgress, BuildReport
    from briefkit.commands.check import CheckReport
    from briefkit.delivery.catalogue_publish import PublishReport
    from briefkit.delivery.catalogue_server import PreviewServer
    from briefkit.model.brief import Brief
    from briefkit.rendering.render import RenderOptions

PathLike = str | os.PathLike[str]
WorkspaceLike = Workspace | PathLike | None
_log = logging.getLogger("briefkit")


def open_workspace(where: WorkspaceLike = None, *, near: PathLike | None = None) -> Workspace:
    """Return a workspace: as given, found from a folder, or found walking up from near."""
    if isinstance(where, Workspace):
        return where
    if where is not None:
        return find_workspace(Path(where))
    return find_workspace(Path(near) if near is not None else None)


def load(
    path: PathLike,
    *,
    workspace: WorkspaceLike = None,
    raise_errors: bool = False,
    strict: bool = False,
) -> LoadedBrief:
    """Load and check a briefing source file; its findings say what is wrong, if anything.

    The workspace (default: the one holding the file) supplies front-matter defaults. With
    raise_errors, a source with errors (or, with strict, warnings) raises SourceError.
    """
    source = Path(path)
    space = open_workspace(workspace, near=source.parent)
    loaded = loader.load_brief(source, space.config.brief_defaults())
    if raise_errors:
        loaded.raise_for_errors(strict=strict)
    return loaded


def load_text(
    text: str,
    *,
    base_dir: PathLike,
    name: str = "brief.md",
    workspace: WorkspaceLike = None,
    raise_errors: bool = False,
    strict: bool = False,
) -> LoadedBrief:
    """Load and check a source given as text, as if it were the file base_dir/name."""
    folder = Path(base_dir)
    space = open_workspace(workspace, near=folder)
    loaded = loader.load_text(text, folder / name, space.config.brief_defaults())
    if raise_errors:
        loaded.raise_for_errors(strict=strict)
    return loaded


def check(
    paths: Iterable[PathLike] | None = None, *, workspace: WorkspaceLike = None
) -> CheckReport:
    """Check sources (default: the workspace's briefings/) and return every finding."""
    from briefkit.commands.check import check as run_check

    return run_check([Path(p) for p in paths or []], open_workspace(workspace))


def render(
    brief: LoadedBrief | Brief,
    format: Format | str,
    *,
    workspace: WorkspaceLike = None,
    facts_only: bool = False,
    paper: Paper | str | None = None,
    print_marks: bool = False,
    pdf_variant: PdfVariant | str | None = None,
    modified: dt.datetime | None = None,
) -> bytes:
    """Return the bytes of one format of a loaded brief; nothing is written.

    The workspace (default: the one holding the brief) supplies labels, theme and defaults.
    A brief with errors raises SourceError; the renderer's warnings go to the ``briefkit``
    logger.
    """
    from briefkit.building.clock import build_time
    from briefkit.rendering.render import edition_for, renderer_for
    from briefkit.rendering.theme import Theme

    content = brief.raise_for_errors() if isinstance(brief, LoadedBrief) else brief
    fmt = choose(Format, format, "format")
    space = open_workspace(workspace, near=content.folder)
    options = _render_options(space, facts_only, paper, print_marks, pdf_variant)
    edition = edition_for(space.config, facts_only, modified or build_time(), space.logo())
    rendered = renderer_for(Theme.for_workspace(space)).render(content, fmt, edition, options)
    for warning in rendered.warnings:
        _log.warning("%s: %s", content.path, warning)
    return rendered.data


def build(
    paths: Iterable[PathLike] | None = None,
    *,
    workspace: WorkspaceLike = None,
    out: PathLike | None = None,
    formats: Iterable[Format | str] | Format | str | None = None,
    facts_only: bool = False,
    paper: Paper | str | None = None,
    print_marks: bool = False,
    pdf_variant: PdfVariant | str | None = None,
    strict: bool = False,
    force: bool = False,
    jobs: int | None = None,
    progress: BuildProgress | None = None,
    tracebacks: bool = False,
) -> BuildReport:
    """Build briefs into the output folder, skipping those that are up to date.

    paths are files or folders (default: the workspace's briefings/); the workspace (default:
    the one holding the current folder) supplies every setting not given here.
    """
    from briefkit.commands.build import BuildOptions
    from briefkit.commands.build import build as run_build

    space = open_workspace(workspace)
    settings = space.config.build
    if jobs is not None and jobs < 0:
        raise UsageError(f"jobs must be 0 (one worker per core) or more, not {jobs}")
    options = BuildOptions(
        formats=choose_all(Format, formats or settings.formats, "format"),
        render=_render_options(space, facts_only, paper, print_marks, pdf_variant),
        out_dir=Path(out) if out is not None else None,
        strict=strict,
        force=force,
        jobs=settings.jobs if jobs is None else jobs,
        tracebacks=tracebacks,
    )
    return run_build([Path(p) for p in paths or []], space, options, progress)


def publish(
    paths: Iterable[PathLike] | None = None,
    *,
    workspace: WorkspaceLike = None,
    out: PathLike | None = None,
    base_url: str | None = None,
    title: str | None = None,
    facts_only: bool | None = None,
    strict: bool = False,
    force: bool = False,
    jobs: int | None = None,
    progress: BuildProgress | None = None,
    tracebacks: bool = False,
) -> PublishReport:
    """Build briefs into a folder and write its OPDS catalogues, covers and web page.

    base_url is the address the folder will be served from. It, title, facts_only (publish
    each brief's facts-only edition too) and out default to briefkit.toml's [publish] table.
    Briefs are built with :func:`build` into the folder, so unchanged ones are not rebuilt,
    and no catalogue file is rewritten unless its bytes change.
    """
    from briefkit.delivery.catalogue_publish import publish_catalogue, site_for

    space = open_workspace(workspace)
    settings = space.config.publish
    site = site_for(space.config, base_url, title)
    folder = Path(out) if out is not None else space.root / settings.out
    sources = list(paths or [])
    editions = (
        (False, True) if (settings.facts_only if facts_only is None else facts_only) else (False,)
    )
    builds = [
        (
            edition,
            build(
                sources,
                workspace=space,
                out=folder,
                formats=(Format.EPUB, Format.PDF),
                facts_only=edition,
                strict=strict,
                force=force,
                jobs=jobs,
                progress=progress,
                tracebacks=tracebacks,
            ),
        )
        for edition in editions
    ]
    return publish_catalogue(space, folder, builds, site)


def preview_server(
    folder: PathLike,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    log: Callable[[str], None] | None = None,
) -> PreviewServer:
    """Return a preview server for a published folder, listening; call serve_forever() or start().

    It serves only the folder's files, with the content types e-reader apps expect, and
    answers OpenSearch queries over the catalogue; log receives a line per request.
    """
    from briefkit.delivery.catalogue_server import PreviewServer

    return PreviewServer(Path(folder), host=host, port=port, log=log)


def _render_options(
    space: Workspace,
    facts_only: bool,
    paper: Paper | str | None,
    print_marks: bool,
    pdf_variant: PdfVariant | str | None,
) -> RenderOptions:
    """Return render options from the choices given, the workspace's settings filling in."""
    from briefkit.rendering.render import RenderOptions

    settings = space.config.build
    return RenderOptions(
        facts_only=facts_only,
        paper=choose(Paper, paper or settings.paper, "paper size"),
        print_marks=print_marks,
        pdf_variant=choose(PdfVariant, pdf_variant or settings.pdf_variant, "PDF variant"),
    )
