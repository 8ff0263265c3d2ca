"""``briefkit build``: make the outputs of a plan, skipping those whose inputs are unchanged.

The pipeline, step by step, in :func:`build`: the plan (building/plan.py) has resolved every
choice and named every output file; outputs whose inputs and settings are unchanged are
skipped, the rest are loaded, checked and rendered (in parallel worker processes that each
keep WeasyPrint loaded; one brief's PDF and other formats in two, when briefs are fewer than
cores), each brief's files are written once all of them rendered, and the cache records what
was made. Outputs of sources that no longer exist are removed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Protocol

from briefkit.building.cache import BuildCache, locked
from briefkit.building.jobs import (
    SLOWEST,
    Assembler,
    Job,
    JobResult,
    build_one,
    loaded_once,
    not_built,
    split_by_format,
    stopped,
)
from briefkit.building.jobs import BriefResult as BriefResult
from briefkit.building.plan import Plan, PlannedOutput
from briefkit.errors import failing
from briefkit.model.choices import PdfVariant
from briefkit.paths import shown
from briefkit.rendering.formats import get_format
from briefkit.rendering.render import release_engines
from briefkit.system.output import refuse_escapes, remove_abandoned
from briefkit.system.pool import WorkerPool, pool_for, run_jobs
from briefkit.system.scratch import remove_abandoned_scratch
from briefkit.system.workers import worker_count

# The worker processes briefs render in; a caller that builds again and again keeps one.
BuildPool = WorkerPool[Job, JobResult]


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
    plan: Plan, progress: BuildProgress | None = None, pool: BuildPool | None = None
) -> BuildReport:
    """Make every output of a plan, skipping those whose inputs are unchanged.

    Briefs render in worker processes stopped at the time limit: the pool's when one is
    given (a watcher keeps one warm), else ones started for this build.
    """
    started = time.perf_counter()
    out_dir = plan.out_dir
    planned = plan.by_source()
    if progress is not None:
        progress.planned(len(planned))
    refuse_escapes(out_dir, [output.path for output in plan.outputs])
    # One build at a time writes an output folder, so two never mix their files or cache.
    with locked(out_dir):
        remove_abandoned(out_dir)
        remove_abandoned_scratch()
        cache = BuildCache.load(out_dir)
        results, jobs = _split_fresh(plan, planned, cache, progress)
        report = _reporter(cache, progress)
        assembler = Assembler(jobs, out_dir)

        def done(part: JobResult) -> None:
            result = assembler.add(part)
            if result is not None:
                results[result.source] = report(result)
                _remember(cache, result)

        with _workers(plan, jobs, pool) as workers:
            run_jobs(
                build_one,
                loaded_once(jobs),
                limit=plan.time_limit,
                stopped=stopped,
                on_done=done,
                pool=workers,
            )
        removed = cache.prune()
        if jobs or removed or cache.damaged:
            cache.save()
    ordered = [results[source] for source in planned]
    return BuildReport(ordered, removed, time.perf_counter() - started, _notes(cache, plan))


@contextmanager
def _workers(plan: Plan, jobs: list[Job], pool: BuildPool | None) -> Iterator[BuildPool | None]:
    """Give the pool the jobs run in, None to run them here; a new pool's workers start now.

    Each new worker imports the engines of the job it will get first while this process loads
    the briefs, instead of after: that import is most of a cold build's wait.
    """
    if pool is not None:
        yield pool
        return
    formats = {output.format for job in jobs for output in job.todo}
    count, limit = len(jobs), plan.time_limit
    prepare = partial(_warm, formats)
    with pool_for(
        count, workers=plan.jobs, limit=limit, on_exit=release_engines, prepare=prepare
    ) as fresh:
        if fresh is not None:
            fresh.start([partial(_warm, {output.format for output in job.todo}) for job in jobs])
        yield fresh


def _warm(formats: Collection[str]) -> None:
    """Load what the first render of each format needs: the engine, not a brief."""
    for name in sorted(formats):
        get_format(name).warm()


def _notes(cache: BuildCache, plan: Plan) -> list[str]:
    """Return what a build says once, besides each brief's own findings."""
    notes = [f"{shown(cache.path)} could not be read; it was written afresh"] * cache.damaged
    if any(_x4(output) for output in plan.outputs):
        from briefkit.rendering.pdf.printing import NOT_DECLARED

        notes.append(NOT_DECLARED)
    return notes


def _x4(output: PlannedOutput) -> bool:
    """Tell whether an output is made to PDF/X-4, which briefkit does not declare."""
    shaped = "pdf_variant" in output.output_format.variant_fields
    return shaped and output.variant.pdf_variant is PdfVariant.X4


def _split_fresh(
    plan: Plan,
    planned: dict[Path, tuple[PlannedOutput, ...]],
    cache: BuildCache,
    progress: BuildProgress | None,
) -> tuple[dict[Path, BriefResult], list[Job]]:
    """Return the results of briefs whose outputs are up to date, and jobs for the rest."""
    shared = plan.shared()
    results: dict[Path, BriefResult] = {}
    jobs: list[Job] = []
    logo = plan.logo.path if plan.logo else None
    for source, outputs in planned.items():
        todo = tuple(
            output
            for output in outputs
            if plan.force or not cache.fresh(output.path, output.key, source, logo)
        )
        if todo:
            jobs.append(Job(source, outputs, todo, shared))
        else:
            results[source] = _skipped(source, outputs, cache, plan.strict, progress)
    if plan.jobs == 1:
        return results, jobs
    jobs = split_by_format(jobs, worker_count(plan.jobs))
    # Longest sources first, PDFs before the rest, so no worker is left with a long brief
    # while the others idle.
    jobs.sort(key=lambda job: (_size(job.source), _slowest(job)), reverse=True)
    return results, jobs


def _slowest(job: Job) -> bool:
    """Tell whether a job renders the format that takes longest."""
    return any(output.format == SLOWEST for output in job.todo)


def _size(path: Path) -> int:
    """Return a file's size, or 0 if it cannot be read (its build will say why)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _skipped(
    source: Path,
    outputs: tuple[PlannedOutput, ...],
    cache: BuildCache,
    strict: bool,
    progress: BuildProgress | None,
) -> BriefResult:
    """Return the result of a brief whose outputs are all up to date."""
    entries = [cache.entries[str(output.path.resolve())] for output in outputs]
    result = BriefResult(source, [output.path for output in outputs], skipped=True)
    result.digest = cache.read.get(source)
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


def _remember(cache: BuildCache, result: JobResult) -> None:
    """Record what built the outputs a brief's jobs rendered, or that they failed."""
    if result.failed:
        for output in result.outputs:
            cache.failed(output.path, result.source)
        return
    for output in result.outputs:
        if output.path not in result.rendered:
            continue
        cache.record(
            output.path,
            result.source,
            result.inputs,
            output.key,
            result.findings,
            result.rendered[output.path],
            result.digests[output.path],
        )


def _source_digest(done: JobResult) -> bytes | None:
    """Return the content hash of a brief's source as its jobs read and rendered it."""
    return next((read[done.source] for read in done.digests.values() if done.source in read), None)


def _reporter(
    cache: BuildCache, progress: BuildProgress | None
) -> Callable[[JobResult], BriefResult]:
    """Return what turns a brief's job result into the result reported, and reports it."""

    def report(done: JobResult) -> BriefResult:
        result = BriefResult(
            done.source,
            [output.path for output in done.outputs],
            done.findings,
            error=done.error,
            seconds=done.seconds,
            digest=_source_digest(done),
        )
        for output in done.outputs:
            if output.path in done.rendered:
                result.warnings.extend(done.rendered[output.path])
            else:
                entry = cache.entries.get(str(output.path.resolve()))
                result.warnings.extend(entry.warnings if entry else [])
        if progress is not None:
            progress.finished(result)
        return result

    return report
