"""One brief's share of a build: load and check it, render its formats, then write them.

A job renders in a worker process and returns the bytes; the build's own process writes
them once every job of the brief is back. A brief whose formats were split over several
jobs (one brief, two cores: its PDF in one worker, its EPUB in another) is therefore still
written whole or not at all, as when one job renders every format.
"""

from __future__ import annotations

import datetime as dt
import time
import traceback
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from briefkit.config import Config
from briefkit.errors import BriefkitError, Finding, failing
from briefkit.model.brief import CheckedImage
from briefkit.model.choices import Format
from briefkit.rendering.citing import published_address
from briefkit.rendering.render import RenderOptions, imprint_for, renderer_for
from briefkit.rendering.theme import Theme
from briefkit.sources.loader import load_brief
from briefkit.system.output import write_atomic


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
    rendered: dict[Format, list[str]] = field(default_factory=dict, repr=False)
    # Rendered bytes by output file, until the build's process writes them.
    pending: dict[Path, bytes] = field(default_factory=dict, repr=False)
    # By format, the content hash of each input as it was before that format rendered.
    digests: dict[Format, dict[Path, bytes]] = field(default_factory=dict, repr=False)

    @property
    def failed(self) -> bool:
        """Tell whether the brief failed to build."""
        return self.error is not None


@dataclass(frozen=True)
class JobSettings:
    """What every job of one build shares: how to render, and how hard to look."""

    theme: Theme
    config: Config
    logo: CheckedImage | None
    render: RenderOptions
    strict: bool
    tracebacks: bool
    modified: dt.datetime
    # The output folder: a PDF's place in it is its place once published ([publish] base_url).
    out_dir: Path | None = None


@dataclass(frozen=True)
class Job:
    """One brief's formats to render, with everything a worker process needs."""

    source: Path
    outputs: dict[Format, Path]
    todo: tuple[Format, ...]
    settings: JobSettings


def split_by_format(jobs: list[Job], workers: int) -> list[Job]:
    """Give each PDF a job of its own when there are fewer briefs than workers.

    The PDF takes most of a brief's time; alone in its worker, the other formats are made
    beside it instead of after it.
    """
    if len(jobs) >= workers:
        return jobs
    split: list[Job] = []
    for job in jobs:
        rest = tuple(fmt for fmt in job.todo if fmt is not Format.PDF)
        if Format.PDF not in job.todo or not rest:
            split.append(job)
            continue
        split += [replace(job, todo=(Format.PDF,)), replace(job, todo=rest)]
    return split


def build_one(job: Job) -> BriefResult:
    """Load, check and render one brief's formats, keeping the bytes; never raise."""
    started = time.perf_counter()
    result = BriefResult(job.source, list(job.outputs.values()))
    try:
        _render_into(job, result)
    except BriefkitError as exc:
        result.error = str(exc)
    except Exception as exc:  # a bug in one brief must not stop the others
        detail = traceback.format_exc() if job.settings.tracebacks else ""
        result.error = f"internal error: {type(exc).__name__}: {exc}\n{detail}".rstrip()
    if result.failed:
        result.pending.clear()
    result.seconds = time.perf_counter() - started
    return result


def stopped(job: Job, why: str) -> BriefResult:
    """Return the result of a job whose worker was stopped (at the time limit) or died."""
    return BriefResult(job.source, list(job.outputs.values()), error=f"not built: {why}")


def _render_into(job: Job, result: BriefResult) -> None:
    """Fill result by loading, checking and rendering one brief's formats."""
    settings = job.settings
    loaded = load_brief(job.source, settings.config.brief_defaults())
    result.findings = loaded.findings
    problems = failing(loaded.findings, settings.strict)
    if loaded.brief is None or problems:
        result.error = not_built(len(problems))
        return
    renderer = renderer_for(settings.theme)
    edition = imprint_for(
        settings.config,
        settings.modified,
        settings.logo,
        _published(job),
    )
    images = [*loaded.brief.images, *([settings.logo] if settings.logo else [])]
    result.inputs = [job.source, *(image.path for image in images)]
    # The source and images as they were read and rendered: a file changed later than this
    # is rebuilt by the next build.
    digests = {image.path: image.digest for image in images}
    digests[job.source] = bytes.fromhex(loaded.brief.digest)
    for fmt in job.todo:
        output = renderer.render(loaded.brief, fmt, edition, settings.render)
        result.pending[job.outputs[fmt]] = output.data
        result.rendered[fmt] = output.warnings
        result.digests[fmt] = digests
        result.findings = sorted({*result.findings, *output.findings})
    # What rendering finds in the source (a character the PDF cannot draw) fails --strict too.
    problems = failing(result.findings, settings.strict)
    if problems:
        result.error = not_built(len(problems))


def _published(job: Job) -> str | None:
    """Return where the brief's PDF is served once published, when briefkit.toml says where."""
    out_dir = job.settings.out_dir
    if out_dir is None or not job.outputs:
        return None
    pdf = next(iter(job.outputs.values())).with_suffix(".pdf").relative_to(out_dir)
    return published_address(job.settings.config.publish.base_url, PurePosixPath(pdf.as_posix()))


class Assembler:
    """Gather the jobs of each brief; write a brief's files once all of its jobs are back."""

    def __init__(self, jobs: list[Job], out_dir: Path) -> None:
        self.out_dir = out_dir
        self._waiting: dict[Path, int] = {}
        for job in jobs:
            self._waiting[job.source] = self._waiting.get(job.source, 0) + 1
        self._parts: dict[Path, list[BriefResult]] = {}

    def add(self, part: BriefResult) -> BriefResult | None:
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


def _merged(parts: list[BriefResult]) -> BriefResult:
    """Return one brief's result from its jobs': the first failure fails the brief."""
    first = parts[0]
    # Each job found what the source holds, and the PDF's job what only rendering finds.
    findings = sorted({finding for part in parts for finding in part.findings})
    merged = BriefResult(first.source, first.outputs, findings, inputs=first.inputs)
    merged.error = next((part.error for part in parts if part.failed), None)
    merged.seconds = max(part.seconds for part in parts)
    rendered = {fmt: w for part in parts for fmt, w in part.rendered.items()}
    for part in parts:
        merged.digests.update(part.digests)
    pending = {path: data for part in parts for path, data in part.pending.items()}
    # In the brief's own order of formats, whichever job came back first.
    for path in first.outputs:
        if path in pending:
            merged.pending[path] = pending[path]
        fmt = Format(path.suffix[1:])
        if fmt in rendered:
            merged.rendered[fmt] = rendered[fmt]
    return merged


def _write(result: BriefResult, out_dir: Path) -> None:
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
