"""``briefkit build``: load the config, read the sources, build each brief, render, write.

Briefs build in parallel worker processes; each worker imports WeasyPrint once and keeps its
fonts and stylesheets for every brief it renders.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from briefkit.building.cache import BuildCache
from briefkit.building.clock import build_time
from briefkit.building.output import write_atomic
from briefkit.config import Config, Workspace
from briefkit.errors import BriefkitError, Finding, Severity
from briefkit.rendering.render import RenderOptions, render_brief
from briefkit.rendering.theme import Theme, shared_theme
from briefkit.sources.discover import UsageError, find_sources
from briefkit.sources.loader import load_brief


@dataclass(frozen=True)
class BuildOptions:
    """How a build runs: what to render, where to, and how hard to look."""

    render: RenderOptions = field(default_factory=RenderOptions)
    out_dir: Path | None = None
    strict: bool = False
    force: bool = False
    jobs: int = 0
    verbose: bool = False


@dataclass(frozen=True)
class Job:
    """One brief to build, with everything a worker process needs."""

    source: Path
    outputs: dict[str, Path]
    theme_folders: tuple[Path, ...]
    theme_digest: str
    config: Config
    options: BuildOptions


@dataclass
class BriefResult:
    """What happened to one brief."""

    source: Path
    outputs: list[Path] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    inputs: list[Path] = field(default_factory=list)
    error: str | None = None
    skipped: bool = False
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        """Tell whether the brief failed to build."""
        return self.error is not None


@dataclass
class BuildReport:
    """The outcome of a build, brief by brief."""

    results: list[BriefResult]

    @property
    def failed(self) -> bool:
        """Tell whether any brief failed."""
        return any(r.failed for r in self.results)


def build(
    paths: list[Path],
    workspace: Workspace,
    options: BuildOptions,
    on_result: Callable[[BriefResult], None] | None = None,
) -> BuildReport:
    """Build every brief under paths, skipping those whose outputs are up to date."""
    config = workspace.config
    sources = find_sources(paths or [workspace.briefings])
    theme = Theme.for_workspace(workspace)
    out_dir = options.out_dir or workspace.root / config.build.out
    jobs = [
        Job(
            source,
            output_paths(source, out_dir, options.render.formats),
            theme.folders,
            theme.digest,
            config,
            options,
        )
        for source in sources
    ]
    _refuse_clashes(jobs)
    cache = BuildCache.load(out_dir)
    context = _context(config, theme, options)
    results: list[BriefResult] = []
    todo: list[Job] = []
    for job in jobs:
        if not options.force and cache.fresh(job.source, context, job.outputs):
            results.append(BriefResult(job.source, list(job.outputs.values()), skipped=True))
            _notify(on_result, results[-1])
        else:
            todo.append(job)
    for result in _run(todo, options.jobs, on_result):
        results.append(result)
        if result.failed:
            cache.forget(result.source)
        else:
            cache.record(result.source, result.inputs, context, result.outputs)
    if todo:
        cache.save()
    order = {job.source: index for index, job in enumerate(jobs)}
    return BuildReport(sorted(results, key=lambda r: order[r.source]))


def build_options(
    workspace: Workspace,
    *,
    formats: list[str] | None = None,
    out: Path | None = None,
    strict: bool = False,
    facts_only: bool = False,
    paper: str | None = None,
    print_marks: bool = False,
    pdf_variant: str | None = None,
    force: bool = False,
    jobs: int | None = None,
    verbose: bool = False,
) -> BuildOptions:
    """Combine command-line choices with briefkit.toml; the command line wins."""
    config = workspace.config
    render = RenderOptions(
        formats=tuple(dict.fromkeys(formats or config.build.formats)),
        facts_only=facts_only,
        paper=paper or config.build.paper,
        print_marks=print_marks,
        pdf_variant=pdf_variant or config.build.pdf_variant,
        logo=workspace.logo(),
    )
    return BuildOptions(
        render=render,
        out_dir=out,
        strict=strict,
        force=force,
        jobs=jobs or config.build.jobs,
        verbose=verbose,
    )


def run_build(paths: list[Path], workspace: Workspace, options: BuildOptions, quiet: bool) -> bool:
    """Build with progress on the terminal and a closing table; return whether all succeeded."""
    from briefkit.cli.printer import BuildConsole

    started = time.perf_counter()
    # Found once here for the progress bar; build() then only checks these files exist.
    sources = find_sources(paths or [workspace.briefings])
    console = BuildConsole(len(sources), quiet=quiet, verbose=options.verbose)
    with console.running():
        # An empty list would mean "the workspace's briefings/" to build(); here it means none.
        report = build(sources, workspace, options, console.result) if sources else BuildReport([])
    console.summary(report, time.perf_counter() - started)
    return not report.failed


def output_paths(source: Path, out_dir: Path, formats: tuple[str, ...]) -> dict[str, Path]:
    """Return where each format of a brief is written: DIR/<stem>.<format>."""
    return {fmt: out_dir / f"{source.stem}.{fmt}" for fmt in formats}


def _refuse_clashes(jobs: list[Job]) -> None:
    """Refuse two sources that would write the same output file."""
    seen: dict[str, Path] = {}
    for job in jobs:
        other = seen.setdefault(job.source.stem, job.source)
        if other != job.source:
            raise UsageError(
                f"{job.source} and {other} would both be written as '{job.source.stem}.*': "
                "rename one, or build them into different --out folders"
            )


def _context(config: Config, theme: Theme, options: BuildOptions) -> str:
    """Return everything besides the files that decides an output: config, theme, options."""
    return "\n".join([config.model_dump_json(by_alias=True), theme.digest, repr(options.render)])


def _notify(callback: Callable[[BriefResult], None] | None, result: BriefResult) -> None:
    """Pass a result to the caller's callback, if any."""
    if callback is not None:
        callback(result)


def _run(
    jobs: list[Job], workers: int, on_result: Callable[[BriefResult], None] | None
) -> list[BriefResult]:
    """Build jobs here when there is one, else in a pool of worker processes."""
    count = min(workers or os.cpu_count() or 1, len(jobs))
    results: list[BriefResult] = []
    if count <= 1:
        for job in jobs:
            results.append(build_one(job))
            _notify(on_result, results[-1])
        return results
    with ProcessPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(build_one, job) for job in jobs]
        for future in as_completed(futures):
            results.append(future.result())
            _notify(on_result, results[-1])
    return results


def build_one(job: Job) -> BriefResult:
    """Validate, render and write one brief; never raise."""
    started = time.perf_counter()
    result = BriefResult(job.source)
    try:
        _build_into(job, result)
    except BriefkitError as exc:
        result.error = str(exc)
    except Exception as exc:  # a bug in one brief must not stop the others
        detail = traceback.format_exc() if job.options.verbose else ""
        result.error = f"internal error: {type(exc).__name__}: {exc}\n{detail}".rstrip()
    result.seconds = time.perf_counter() - started
    return result


def _build_into(job: Job, result: BriefResult) -> None:
    """Fill result by loading, rendering and writing one brief."""
    loaded = load_brief(job.source, job.config.brief_defaults())
    result.findings = loaded.findings
    problems = [f for f in loaded.findings if _fails(f, job.options.strict)]
    if loaded.brief is None or problems:
        count = len(problems) or 1
        result.error = f"not built: {count} problem{'s' if count != 1 else ''} in the source"
        return
    theme = shared_theme(job.theme_folders, job.theme_digest)
    rendered = render_brief(loaded.brief, theme, job.config, job.options.render, build_time())
    result.warnings = rendered.warnings
    # Every format is rendered before anything is written: a failure leaves the old files.
    for fmt, data in rendered.files.items():
        write_atomic(job.outputs[fmt], data)
        result.outputs.append(job.outputs[fmt])
    logo = job.options.render.logo
    result.inputs = [job.source, *loaded.brief.images, *([logo] if logo else [])]


def _fails(finding: Finding, strict: bool) -> bool:
    """Tell whether a finding stops the build."""
    return finding.severity is Severity.ERROR or (strict and finding.severity is Severity.WARNING)
