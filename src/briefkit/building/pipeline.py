"""``briefkit build``: load the settings, find the sources, check each brief, render, write.

The pipeline, step by step, in :func:`build`: the workspace's settings and theme are read,
the sources found and each given its output files, outputs whose inputs are unchanged are
skipped, the rest are loaded, checked and rendered (in parallel worker processes that each
keep WeasyPrint loaded; one brief's PDF and other formats in two, when briefs are fewer than
cores), each brief's files are written once all of them rendered, and the cache records what
was made. Outputs of sources that no longer exist are removed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from briefkit.building.cache import BuildCache, locked
from briefkit.building.jobs import (
    Assembler,
    Job,
    JobSettings,
    build_one,
    not_built,
    split_by_format,
    stopped,
)
from briefkit.building.jobs import BriefResult as BriefResult
from briefkit.config import Workspace
from briefkit.errors import UsageError, failing
from briefkit.model.brief import CheckedImage
from briefkit.model.choices import Format, PdfVariant
from briefkit.paths import shown
from briefkit.rendering.render import RenderOptions, preload_pdf_engine, release_engines
from briefkit.rendering.theme import Theme
from briefkit.sources.discover import SourceFile, find_sources
from briefkit.system.clock import build_time
from briefkit.system.output import refuse_escapes, remove_abandoned
from briefkit.system.scratch import use_process_scratch
from briefkit.system.workers import WorkerPool, run_jobs, worker_count

FACTS_ONLY_SUFFIX = "-facts-only"
# The worker processes briefs render in; a caller that builds again and again keeps one.
BuildPool = WorkerPool[Job, BriefResult]


@dataclass(frozen=True)
class BuildOptions:
    """How a build runs: what to render, where to, and how hard to look."""

    formats: tuple[Format, ...] = (Format.PDF, Format.EPUB)
    render: RenderOptions = field(default_factory=RenderOptions)
    out_dir: Path | None = None
    strict: bool = False
    force: bool = False
    jobs: int = 0
    tracebacks: bool = False


@dataclass
class BuildReport:
    """The outcome of a build, brief by brief, and the outputs of vanished sources removed."""

    results: list[BriefResult]
    removed: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def built(self) -> list[BriefResult]:
        """Return the briefs rendered in this build."""
        return [r for r in self.results if not r.skipped and not r.failed]

    @property
    def skipped(self) -> list[BriefResult]:
        """Return the briefs whose outputs were up to date."""
        return [r for r in self.results if r.skipped and not r.failed]

    @property
    def failed(self) -> list[BriefResult]:
        """Return the briefs that failed."""
        return [r for r in self.results if r.failed]

    @property
    def ok(self) -> bool:
        """Tell whether every brief built or was up to date."""
        return not self.failed


class BuildProgress(Protocol):
    """Told how many briefs a build has, then of each brief as it finishes."""

    def planned(self, count: int) -> None:
        """Receive the number of briefs about to be built or checked."""

    def finished(self, result: BriefResult) -> None:
        """Receive the result of one brief."""


def build(
    paths: list[Path],
    workspace: Workspace,
    options: BuildOptions,
    progress: BuildProgress | None = None,
    pool: BuildPool | None = None,
) -> BuildReport:
    """Build every brief under paths (default: the workspace's briefings/).

    Briefs render in worker processes stopped at the time limit: the pool's when one is
    given (a watcher keeps one warm), else ones started for this build.
    """
    started = time.perf_counter()
    theme = Theme.for_workspace(workspace)
    logo = workspace.logo()
    out_dir = options.out_dir or workspace.root / workspace.config.build.out
    sources = find_sources(paths or [workspace.briefings], workspace.briefings)
    if progress is not None:
        progress.planned(len(sources))
    plan = plan_outputs(sources, out_dir, options)
    refuse_escapes(out_dir, [path for outputs in plan.values() for path in outputs.values()])
    # One build at a time writes an output folder, so two never mix their files or cache.
    with locked(out_dir):
        remove_abandoned(out_dir)
        use_process_scratch()
        cache = BuildCache.load(out_dir)
        results, jobs = _split_fresh(
            plan, cache, workspace, theme, logo, options, progress, out_dir
        )
        report = _before_report(cache, progress)
        assembler = Assembler(jobs, out_dir)
        if any(Format.PDF in job.todo for job in jobs):
            preload_pdf_engine()

        def done(part: BriefResult) -> None:
            result = assembler.add(part)
            if result is not None:
                results[result.source] = result
                report(result)
                _remember(cache, result, plan[result.source], workspace, theme, options)

        run_jobs(
            build_one,
            jobs,
            workers=options.jobs,
            limit=workspace.config.build.time_limit,
            stopped=stopped,
            on_done=done,
            on_exit=release_engines,
            pool=pool,
        )
        removed = cache.prune()
        if jobs or removed or cache.damaged:
            cache.save()
    ordered = [results[source] for source in plan]
    return BuildReport(ordered, removed, time.perf_counter() - started, _notes(cache, options))


def _notes(cache: BuildCache, options: BuildOptions) -> list[str]:
    """Return what a build says once, besides each brief's own findings."""
    notes = [f"{shown(cache.path)} could not be read; it was written afresh"] * cache.damaged
    if Format.PDF in options.formats and options.render.pdf_variant is PdfVariant.X4:
        from briefkit.rendering.pdf.printing import NOT_DECLARED

        notes.append(NOT_DECLARED)
    return notes


def _split_fresh(
    plan: dict[Path, dict[Format, Path]],
    cache: BuildCache,
    workspace: Workspace,
    theme: Theme,
    logo: CheckedImage | None,
    options: BuildOptions,
    progress: BuildProgress | None,
    out_dir: Path,
) -> tuple[dict[Path, BriefResult], list[Job]]:
    """Return the results of briefs whose outputs are up to date, and jobs for the rest."""
    settings = JobSettings(
        theme,
        workspace.config,
        logo,
        options.render,
        options.strict,
        options.tracebacks,
        build_time(),
        out_dir,
    )
    results: dict[Path, BriefResult] = {}
    jobs: list[Job] = []
    logo_path = logo.path if logo else None
    for source, outputs in plan.items():
        todo = tuple(
            fmt
            for fmt, path in outputs.items()
            if options.force
            or not cache.fresh(path, _context(workspace, theme, options, fmt), source, logo_path)
        )
        if todo:
            jobs.append(Job(source, outputs, todo, settings))
        else:
            results[source] = _skipped(source, outputs, cache, options.strict, progress)
    if options.jobs == 1:
        return results, jobs
    jobs = split_by_format(jobs, worker_count(options.jobs))
    # Longest sources first, PDFs before the rest, so no worker is left with a long brief
    # while the others idle.
    jobs.sort(key=lambda job: (_size(job.source), Format.PDF in job.todo), reverse=True)
    return results, jobs


def _size(path: Path) -> int:
    """Return a file's size, or 0 if it cannot be read (its build will say why)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def plan_outputs(
    sources: list[SourceFile], out_dir: Path, options: BuildOptions
) -> dict[Path, dict[Format, Path]]:
    """Return each source's output file per format; refuse two sources sharing a file."""
    suffix = FACTS_ONLY_SUFFIX if options.render.facts_only else ""
    plan: dict[Path, dict[Format, Path]] = {}
    owners: dict[Path, Path] = {}
    for source in sources:
        stem = source.relative.with_suffix("")
        outputs = {
            fmt: out_dir / stem.parent / f"{stem.name}{suffix}.{fmt}" for fmt in options.formats
        }
        for path in outputs.values():
            other = owners.setdefault(path, source.path)
            if other != source.path:
                raise UsageError(
                    f"{source.path} and {other} would both be written as {shown(path)}: "
                    "rename one, or build them into different --out folders"
                )
        plan[source.path] = outputs
    return plan


def _skipped(
    source: Path,
    outputs: dict[Format, Path],
    cache: BuildCache,
    strict: bool,
    progress: BuildProgress | None,
) -> BriefResult:
    """Return the result of a brief whose outputs are all up to date."""
    entries = [cache.entries[str(path.resolve())] for path in outputs.values()]
    result = BriefResult(source, list(outputs.values()), skipped=True)
    if entries:
        result.findings = entries[0].finding_list()
        result.warnings = [w for entry in entries for w in entry.warnings]
    problems = failing(result.findings, strict)
    if problems:
        # --strict judges the findings kept from the last build, so skipping cannot hide them.
        result.error = not_built(len(problems))
    if progress is not None:
        progress.finished(result)
    return result


def _remember(
    cache: BuildCache,
    result: BriefResult,
    outputs: dict[Format, Path],
    workspace: Workspace,
    theme: Theme,
    options: BuildOptions,
) -> None:
    """Record what built the outputs a brief's job rendered, or that they failed."""
    if result.failed:
        for path in outputs.values():
            cache.failed(path, result.source)
        return
    for fmt, warnings in result.rendered.items():
        context = _context(workspace, theme, options, fmt)
        cache.record(
            outputs[fmt],
            result.source,
            result.inputs,
            context,
            result.findings,
            warnings,
            result.digests[fmt],
        )


def _before_report(
    cache: BuildCache, progress: BuildProgress | None
) -> Callable[[BriefResult], None]:
    """Return what completes a result before it is reported: the warnings of kept outputs."""

    def complete(result: BriefResult) -> None:
        kept = [path for path in result.outputs if path.suffix[1:] not in result.rendered]
        for path in kept:
            entry = cache.entries.get(str(path.resolve()))
            result.warnings.extend(entry.warnings if entry else [])
        for warnings in result.rendered.values():
            result.warnings.extend(warnings)
        if progress is not None:
            progress.finished(result)

    return complete


def _context(workspace: Workspace, theme: Theme, options: BuildOptions, fmt: Format) -> str:
    """Return everything besides the files that decides one output: settings, theme, options."""
    # The catalogue's settings shape no brief, but for base_url, which "Cite this brief" shows:
    # changing the others must not rebuild every output.
    settings = workspace.config.model_dump_json(by_alias=True, exclude={"publish"})
    site = f"base_url={workspace.config.publish.base_url}"
    return "\n".join([settings, site, theme.digest, fmt, options.render.key(fmt)])
