"""Measurements made inside one warm process, run as a child of run.py; each prints JSON.

Each renders in this process (the workspace's time limit set to 0): what is measured is
briefkit's own work beside WeasyPrint's, and the memory of a process that renders again and
again, not the start of a worker process for each render.

python bench/inprocess.py pdf WORKSPACE REPEATS      briefkit's PDF vs bare WeasyPrint
python bench/inprocess.py bare-peak WORKSPACE 1      peak RSS of one bare WeasyPrint render
python bench/inprocess.py warm-build WORKSPACE N     N forced builds in warm workers, as watch
python bench/inprocess.py warm-email WORKSPACE N     N .eml files made in a warm worker
python bench/inprocess.py profile WORKSPACE RENDERS  a profile of warm PDF renders, as text

The warm modes keep their workers as ``briefkit watch`` does (a pool forked once, each worker
under the time limit, one job at a time): what a CLI call would take if it could hand its
work to such a worker, without the call's own start.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import briefkit
from briefkit.building.pipeline import BuildPool
from briefkit.config import Workspace
from briefkit.rendering.pdf.engine import PdfDocument, PdfEngine
from briefkit.rendering.render import release_engines
from briefkit.system.pool import WorkerPool
from briefkit.system.workers import in_this_process, worker_count


def rss_mb() -> float:
    """Return this process's resident set size, from /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def tree_rss_mb(pid: int) -> float:
    """Return the resident set size of a process and all its descendants, from /proc."""
    total = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            total += int(line.split()[1]) / 1024
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            total += tree_rss_mb(int(child))
    return total


def in_process(folder: Path) -> Workspace:
    """Return the workspace with no time limit, so that briefs render in this process."""
    space = briefkit.open_workspace(folder)
    build = space.config.build.model_copy(update={"time_limit": 0})
    return replace(space, config=space.config.model_copy(update={"build": build}))


class _Captured(Exception):
    """Raised in place of a layout, once what briefkit hands WeasyPrint is kept."""


def capture_weasyprint_input(brief: Any, space: Workspace, layout: bool = True) -> dict[str, Any]:
    """Render the brief's PDF once (or stop before the layout), keeping the engine's input."""
    captured: dict[str, Any] = {}
    original = PdfEngine.render

    def spy(engine: PdfEngine, document: PdfDocument) -> Any:
        captured.update(engine=engine, document=document)
        if not layout:
            raise _Captured
        return original(engine, document)

    PdfEngine.render = spy  # type: ignore[method-assign, assignment]
    try:
        briefkit.render(brief, "pdf", workspace=space)
    except _Captured:
        pass
    finally:
        PdfEngine.render = original  # type: ignore[method-assign]
    return captured


def compare_pdf(workspace: Path, repeats: int) -> dict[str, Any]:
    """Time briefkit's PDF render against one bare WeasyPrint pass over the same HTML."""
    source = next((workspace / "briefings").glob("*.md"))
    brief = briefkit.load(source, raise_errors=True)
    space = in_process(workspace)
    # One block around every render keeps one engine (and its font files) for all of them.
    with in_this_process():
        return _compare_pdf(brief, space, repeats)


def _compare_pdf(brief: Any, space: Workspace, repeats: int) -> dict[str, Any]:
    """Time briefkit's render and the bare one, in turns, with one warm engine."""
    bare = _bare_render(capture_weasyprint_input(brief, space))

    def full() -> None:
        briefkit.render(brief, "pdf", workspace=space)

    bare()  # warm WeasyPrint's caches for the bare path too
    times: dict[str, list[float]] = {"briefkit": [], "bare": []}
    for round_number in range(repeats):
        pair = [("briefkit", full), ("bare", bare)]
        for name, work in pair[round_number % 2 :] + pair[: round_number % 2]:
            gc.collect()  # neither pays for collecting the other's garbage
            started = time.perf_counter()
            work()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


def _bare_render(given: dict[str, Any]) -> Callable[[], None]:
    """Return what lays out briefkit's HTML once with WeasyPrint alone, as briefkit would."""
    from weasyprint import HTML

    engine: PdfEngine = given["engine"]
    # The same HTML, base URL, fetcher, parsed stylesheets, fonts and PDF settings (tags and
    # PDF/UA metadata, which WeasyPrint makes); one layout, nothing of briefkit's after it.
    document: PdfDocument = given["document"]
    sheets = engine.stylesheets(document.variant)
    fetch = document.fetcher.for_weasyprint()
    settings = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}

    def bare() -> None:
        page = HTML(string=document.html, base_url=document.base, url_fetcher=fetch)
        page.write_pdf(stylesheets=sheets, font_config=engine.font_config, **settings)

    return bare


def bare_peak(workspace: Path, _: int) -> dict[str, Any]:
    """Return the peak RSS of this process after one bare WeasyPrint render of a brief's HTML.

    briefkit makes the HTML but lays nothing out, so the peak is WeasyPrint's, on top of a
    process that has imported briefkit and loaded the brief (before_mb).
    """
    source = next((workspace / "briefings").glob("*.md"))
    brief = briefkit.load(source, raise_errors=True)
    space = in_process(workspace)
    with in_this_process():
        bare = _bare_render(capture_weasyprint_input(brief, space, layout=False))
        before = rss_mb()
        bare()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"peak_mb": peak, "before_mb": before}


def warm_build(workspace: Path, rebuilds: int) -> dict[str, Any]:
    """Build once in a pool kept as watch keeps it, then time forced rebuilds (PDF + EPUB).

    Returns each rebuild's wall time, and the RSS of this process and its workers after it.
    """
    space = briefkit.open_workspace(workspace)
    times, after = [], []
    with BuildPool(worker_count(0), release_engines) as pool:
        briefkit.build(workspace=space, formats=["pdf", "epub"], force=True, pool=pool)
        for _ in range(rebuilds):
            started = time.perf_counter()
            briefkit.build(workspace=space, formats=["pdf", "epub"], force=True, pool=pool)
            times.append(time.perf_counter() - started)
            after.append(tree_rss_mb(os.getpid()))
    return {"seconds": times, "rss_mb": after}


# A worker's one in-process block, held for its life, so its engine stays warm between jobs
# as a build worker's does.
_WORKER_BLOCK = contextlib.ExitStack()


@functools.cache
def _hold_engine() -> None:
    """Open the worker's in-process block, on its first job only."""
    _WORKER_BLOCK.enter_context(in_this_process())


def email_job(source: Path) -> float:
    """Write a brief's .eml with its PDF attached, rendering in this worker; return seconds."""
    started = time.perf_counter()
    _hold_engine()
    space = in_process(source.parent.parent)
    brief = briefkit.load(source, raise_errors=True)
    message = briefkit.compose_email(
        brief, to=["desk@example.org"], sender="bench@example.org", attach=["pdf"], workspace=space
    )
    briefkit.write_email(message, source.parent.parent / "out" / f"{source.stem}.eml")
    return time.perf_counter() - started


def warm_email(workspace: Path, repeats: int) -> dict[str, Any]:
    """Make one brief's .eml in a warm worker, once to warm it, then repeats times, timed."""
    source = next((workspace / "briefings").glob("*.md"))
    limit = briefkit.open_workspace(workspace).config.build.time_limit
    times = []
    with WorkerPool[Path, float](1) as pool:
        for _ in range(repeats + 1):
            started = time.perf_counter()
            pool.run(email_job, [source], limit=limit, stopped=_email_stopped)
            times.append(time.perf_counter() - started)
    # The worker's own figure leaves out the pipe; the whole round trip is what a call waits.
    return {"seconds": times[1:]}


def _email_stopped(source: Path, why: str) -> float:
    """Fail the measurement when the worker was stopped."""
    raise RuntimeError(f"{source}: {why}")


WARM_PROFILE = "warm-pdf-renders.txt"  # in bench/profiles/


def profile_warm_pdf(workspace: Path, renders: int) -> dict[str, Any]:
    """Render a brief's PDF once, then profile renders more of it with pyinstrument."""
    from pyinstrument import Profiler

    brief = briefkit.load(next((workspace / "briefings").glob("*.md")), raise_errors=True)
    space = in_process(workspace)
    profiler = Profiler()
    with in_this_process():
        briefkit.render(brief, "pdf", workspace=space)  # the first render makes the engine
        with profiler:
            for _ in range(renders):
                briefkit.render(brief, "pdf", workspace=space)
    output = Path(__file__).resolve().parent / "profiles" / WARM_PROFILE
    output.write_text(profiler.output_text(), encoding="utf-8")
    return {"profile": str(output)}


def main() -> None:
    """Run the measurement named on the command line and print its JSON."""
    mode, folder, count = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    work = {
        "pdf": compare_pdf,
        "bare-peak": bare_peak,
        "warm-build": warm_build,
        "warm-email": warm_email,
        "profile": profile_warm_pdf,
    }[mode]
    print(json.dumps(work(folder, count)))


if __name__ == "__main__":
    main()
