"""Measurements made inside one warm process, run as a child of run.py; each prints JSON.

Each renders in this process (the workspace's time limit set to 0): what is measured is
briefkit's own work beside WeasyPrint's, and the memory of a process that renders again and
again, not the start of a worker process for each render.

python bench/inprocess.py pdf WORKSPACE REPEATS      briefkit's PDF vs bare WeasyPrint
python bench/inprocess.py memory WORKSPACE REBUILDS  RSS after each forced rebuild
python bench/inprocess.py profile WORKSPACE RENDERS  a profile of warm PDF renders, as text
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import briefkit
from briefkit.config import Workspace
from briefkit.rendering.pdf.engine import PdfDocument, PdfEngine
from briefkit.system.workers import in_this_process


def rss_mb() -> float:
    """Return this process's resident set size, from /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def in_process(folder: Path) -> Workspace:
    """Return the workspace with no time limit, so that briefs render in this process."""
    space = briefkit.open_workspace(folder)
    build = space.config.build.model_copy(update={"time_limit": 0})
    return replace(space, config=space.config.model_copy(update={"build": build}))


def capture_weasyprint_input(brief: Any, space: Workspace) -> dict[str, Any]:
    """Render the brief's PDF once, keeping what briefkit hands its PDF engine."""
    captured: dict[str, Any] = {}
    original = PdfEngine.render

    def spy(engine: PdfEngine, document: PdfDocument) -> Any:
        captured.update(engine=engine, document=document)
        return original(engine, document)

    PdfEngine.render = spy  # type: ignore[method-assign, assignment]
    try:
        briefkit.render(brief, "pdf", workspace=space)
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
    from weasyprint import HTML

    given = capture_weasyprint_input(brief, space)
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


def rebuild_memory(workspace: Path, rebuilds: int) -> dict[str, Any]:
    """Force-rebuild the workspace's briefs (PDF + EPUB) rebuilds times in this process."""
    os.chdir(workspace)
    space = in_process(workspace)
    after = []
    for _ in range(rebuilds):
        briefkit.build(workspace=space, formats=["pdf", "epub"], force=True, jobs=1)
        after.append(rss_mb())
    return {"rss_mb": after}


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
    work = {"pdf": compare_pdf, "memory": rebuild_memory, "profile": profile_warm_pdf}[mode]
    print(json.dumps(work(folder, count)))


if __name__ == "__main__":
    main()
