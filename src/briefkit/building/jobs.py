"""One brief's share of a build: load and check it, render its formats, then write them.

A job renders in a worker process and returns the bytes; the build's own process writes
them once every job of the brief is back. A brief whose formats were split over several
jobs (one brief, two cores: its PDF in one worker, its EPUB in another) is therefore still
written whole or not at all, as when one job renders every format.
"""

from __future__ import annotations

import time
import traceback
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from pathlib import Path

from briefkit.building.plan import Plan, PlannedOutput
from briefkit.errors import BriefkitError, Finding, failing
from briefkit.model.brief import Brief
from briefkit.rendering.formats import Rendered
from briefkit.rendering.render import Renderer
from briefkit.sources.loader import LoadedBrief, load_brief
from briefkit.system.output import write_atomic
from briefkit.system.workers import started_apart

# The format that takes most of a brief's time, given a worker of its own when workers idle.
SLOWEST = "pdf"


@dataclass
class BriefResult:
    """What happened to one brief."""

    source: Path
    outputs: list[Path] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    skipped: bool = False
    seconds: float = 0.0
    # The content hash of the source as this build read it, if it read it whole.
    digest: bytes | None = None

    @property
    def failed(self) -> bool:
        """Tell whether the brief failed to build."""
        return self.error is not None


@dataclass
class JobResult:
    """One job's share of a brief, as a worker sends it back, with the build's plumbing."""

    source: Path
    outputs: tuple[PlannedOutput, ...]
    findings: list[Finding] = field(default_factory=list)
    inputs: list[Path] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    # The renderer's warnings, by output file rendered.
    rendered: dict[Path, list[str]] = field(default_factory=dict)
    # Rendered bytes by output file, until the build's process writes them.
    pending: dict[Path, bytes] = field(default_factory=dict, repr=False)
    # By output file, the content hash of each input as it was before that file rendered.
    digests: dict[Path, dict[Path, bytes]] = field(default_factory=dict, repr=False)

    @property
    def failed(self) -> bool:
        """Tell whether the brief failed to build."""
        return self.error is not None


@dataclass(frozen=True)
class Job:
    """Some of one brief's planned outputs to render, with the plan a worker needs."""

    source: Path
    # Every planned output of the brief, and those of them this job renders.
    outputs: tuple[PlannedOutput, ...]
    todo: tuple[PlannedOutput, ...]
    # The plan without its outputs: what every job shares.
    plan: Plan
    # The brief as the build's own process loaded it, when its outputs are split over jobs.
    loaded: LoadedBrief | None = None


def split_by_format(jobs: list[Job], workers: int) -> list[Job]:
    """Give each PDF a job of its own when there are fewer briefs than workers.

    The PDF takes most of a brief's time; alone in its worker, the other formats are made
    beside it instead of after it.
    """
    if len(jobs) >= workers:
        return jobs
    split: list[Job] = []
    for job in jobs:
        slow = tuple(output for output in job.todo if output.format == SLOWEST)
        rest = tuple(output for output in job.todo if output.format != SLOWEST)
        if not slow or not rest:
            split.append(job)
            continue
        split += [replace(job, todo=slow), replace(job, todo=rest)]
    return split


def loaded_once(jobs: list[Job]) -> list[Job]:
    """Load here, once, each brief whose outputs are split over several jobs, for all of them.

    The build's process does this while its workers import their engines, so the load is off
    the brief's critical path and not repeated in each worker.
    """
    counts = Counter(job.source for job in jobs)
    shared: dict[Path, LoadedBrief | None] = {}
    for job in jobs:
        if counts[job.source] > 1 and job.source not in shared:
            shared[job.source] = _load_here(job)
    return [replace(job, loaded=shared.get(job.source)) for job in jobs]


def _load_here(job: Job) -> LoadedBrief | None:
    """Return a job's brief loaded in this process, or None to leave the load to the job."""
    try:
        return load_brief(job.source, job.plan.config.brief_defaults())
    except Exception:  # the job loads it again and reports what went wrong, as for any brief
        return None


def build_one(job: Job) -> JobResult:
    """Load, check and render some of one brief's outputs, keeping the bytes; never raise."""
    started = time.perf_counter()
    result = JobResult(job.source, job.outputs)
    try:
        _render_into(job, result)
    except BriefkitError as exc:
        result.error = str(exc)
    except Exception as exc:  # a bug in one brief must not stop the others
        detail = traceback.format_exc() if job.plan.tracebacks else ""
        result.error = f"internal error: {type(exc).__name__}: {exc}\n{detail}".rstrip()
    if result.failed:
        result.pending.clear()
    result.seconds = time.perf_counter() - started
    return result


def stopped(job: Job, why: str) -> JobResult:
    """Return the result of a job whose worker was stopped (at the time limit) or died."""
    return JobResult(job.source, job.outputs, error=f"not built: {why}")


def render_output(plan: Plan, brief: Brief, output: PlannedOutput) -> Rendered:
    """Render one planned output of a loaded brief in this process; nothing is written."""
    renderer = Renderer(plan.theme, plan.time_limit)
    imprint = plan.imprint_of(output)
    return renderer.render(brief, output.format, imprint, output.edition, output.variant)


def render_alone(plan: Plan, brief: Brief, output: PlannedOutput) -> Rendered:
    """Render one planned output in a worker process stopped at the plan's time limit."""
    with rendering_apart(plan, brief, output) as rendered:
        return rendered()


def rendering_apart(
    plan: Plan, brief: Brief, output: PlannedOutput
) -> AbstractContextManager[Callable[[], Rendered]]:
    """Start rendering one planned output in a worker now; the block gets what waits for it.

    The worker imports the format's engine itself, while the caller goes on with its own work.
    """
    return started_apart(lambda: render_output(plan, brief, output), plan.time_limit)


def _render_into(job: Job, result: JobResult) -> None:
    """Fill result by loading, checking and rendering some of one brief's outputs."""
    plan = job.plan
    loaded = job.loaded or load_brief(job.source, plan.config.brief_defaults())
    result.findings = loaded.findings
    problems = failing(loaded.findings, plan.strict)
    if loaded.brief is None or problems:
        result.error = not_built(len(problems))
        return
    if plan.publishing and loaded.brief.meta.draft:
        # Publish left drafts out as it found them; the build's own read has the last word.
        result.error = "not published: it is a draft (draft: true); publish again to take it down"
        return
    images = [*loaded.brief.images, *([plan.logo] if plan.logo else [])]
    result.inputs = [job.source, *(image.path for image in images)]
    # The source and images as they were read and rendered: a file changed later than this
    # is rebuilt by the next build.
    digests = {image.path: image.digest for image in images}
    digests[job.source] = bytes.fromhex(loaded.brief.digest)
    for output in job.todo:
        rendered = render_output(plan, loaded.brief, output)
        result.pending[output.path] = rendered.data
        result.rendered[output.path] = rendered.warnings
        result.digests[output.path] = digests
        result.findings = sorted({*result.findings, *rendered.findings})
    # What rendering finds in the source (a character the PDF cannot draw) fails --strict too.
    problems = failing(result.findings, plan.strict)
    if problems:
        result.error = not_built(len(problems))


class Assembler:
    """Gather the jobs of each brief; write a brief's files once all of its jobs are back."""

    def __init__(self, jobs: list[Job], out_dir: Path) -> None:
        self.out_dir = out_dir
        self._waiting: dict[Path, int] = {}
        for job in jobs:
            self._waiting[job.source] = self._waiting.get(job.source, 0) + 1
        self._parts: dict[Path, list[JobResult]] = {}

    def add(self, part: JobResult) -> JobResult | None:
        """Take one job's result; return the brief's, written, when it was the last job."""
        parts = self._parts.setdefault(part.source, [])
        parts.append(part)
        if len(parts) < self._waiting[part.source]:
            return None
        result = _merged(parts)
        if not result.failed:
            _write(result, self.out_dir)
        result.pending.clear()
        return result


def _merged(parts: list[JobResult]) -> JobResult:
    """Return one brief's result from its jobs': the first failure fails the brief."""
    first = parts[0]
    # Each job found what the source holds, and the PDF's job what only rendering finds.
    findings = sorted({finding for part in parts for finding in part.findings})
    merged = JobResult(first.source, first.outputs, findings, inputs=first.inputs)
    merged.error = next((part.error for part in parts if part.failed), None)
    merged.seconds = max(part.seconds for part in parts)
    rendered = {path: w for part in parts for path, w in part.rendered.items()}
    pending = {path: data for part in parts for path, data in part.pending.items()}
    for part in parts:
        merged.digests.update(part.digests)
    # In the brief's own order of outputs, whichever job came back first.
    for output in first.outputs:
        if output.path in pending:
            merged.pending[output.path] = pending[output.path]
        if output.path in rendered:
            merged.rendered[output.path] = rendered[output.path]
    return merged


def _write(result: JobResult, out_dir: Path) -> None:
    """Write every rendered file of a brief, inside out_dir only; a file not written fails it."""
    try:
        for path, data in result.pending.items():
            write_atomic(path, data, root=out_dir)
    except BriefkitError as exc:
        result.error = str(exc)


def not_built(count: int) -> str:
    """Say that a brief was not built because of problems in its source."""
    count = count or 1
    return f"not built: {count} problem{'s' if count != 1 else ''} in the source"
