"""Measure briefkit's speed on this machine and print a table of medians.

Plain standard library: subprocess timing with time.perf_counter, peak memory of child
processes from resource.getrusage. It installs nothing and writes only to a temporary folder.

    .venv/bin/python bench/run.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "briefings" / "india-japan-2025-11.md"
BRIEFKIT = [sys.executable, "-m", "briefkit"]


def timed(
    command: list[str], cwd: Path, repeat: int, before: Callable[[], None] | None = None
) -> float:
    """Run a command repeat times and return the median wall time in seconds."""
    times = []
    for _ in range(repeat):
        if before:
            before()
        started = time.perf_counter()
        subprocess.run(command, cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def make_workspace(folder: Path, count: int) -> Path:
    """Create a workspace with count copies of the sample brief (with its images)."""
    briefings = folder / "briefings"
    shutil.copytree(ROOT / "briefings" / "images", briefings / "images")
    text = SAMPLE.read_text(encoding="utf-8")
    for number in range(count):
        retitled = text.replace("title: India", f"title: Copy {number} of India", 1)
        (briefings / f"brief-{number:02}.md").write_text(retitled, encoding="utf-8")
    (folder / "briefkit.toml").write_text("")
    return folder


def warm_render_seconds(repeat: int) -> tuple[float, int]:
    """Return the median in-process PDF render time of the sample, WeasyPrint already loaded."""
    command = [sys.executable, __file__, "--warm-render", str(repeat)]
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    seconds, pages = out.stdout.split()
    return float(seconds), int(pages)


def measure_warm_render(repeat: int) -> None:
    """Render the sample once to warm up, then print the median of repeat renders and pages."""
    import briefkit

    brief = briefkit.load(SAMPLE, raise_errors=True)
    pdf = briefkit.render(brief, "pdf")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as stream:
        stream.write(pdf)
        stream.flush()
        info = subprocess.run(["pdfinfo", stream.name], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        briefkit.render(brief, "pdf")
        times.append(time.perf_counter() - started)
    print(statistics.median(times), pages)


def main() -> None:
    """Run every measurement and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--warm-render", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.warm_render:
        measure_warm_render(arguments.warm_render)
        return
    repeat = arguments.repeat
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as temp:
        base = Path(temp)
        env_note = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"

        import_ws = timed([sys.executable, "-c", "import weasyprint"], base, repeat)
        help_time = timed([*BRIEFKIT, "--help"], base, repeat)
        rows.append(("python -c 'import weasyprint'", f"{import_ws:.2f} s"))
        rows.append(
            ("briefkit --help", f"{help_time:.2f} s ({help_time / import_ws:.2f} × import)")
        )

        one = make_workspace(base / "one", 1)
        check = timed([*BRIEFKIT, "check"], one, repeat)
        rows.append(("briefkit check, one brief", f"{check:.2f} s"))
        single = timed([*BRIEFKIT, "build", "--force", "-f", "pdf", "-f", "epub"], one, repeat)
        rows.append(("build one brief, PDF + EPUB, cold process", f"{single:.2f} s"))
        warm, pages = warm_render_seconds(repeat)
        rows.append((f"PDF render of a {pages}-page brief, warm", f"{warm * 1000:.0f} ms"))

        many = make_workspace(base / "many", 40)
        forty = timed(
            [*BRIEFKIT, "build", "--force", "-f", "pdf", "-f", "epub"], many, max(1, repeat // 2)
        )
        rows.append(("build 40 briefs, PDF + EPUB", f"{forty:.2f} s ({forty / 40:.2f} s a brief)"))
        unchanged = timed([*BRIEFKIT, "build", "-f", "pdf", "-f", "epub"], many, repeat)
        rows.append(("rebuild 40 briefs, nothing changed", f"{unchanged:.2f} s"))
        publish = [*BRIEFKIT, "publish", "--out", "out", "--base-url", "https://example.org/"]
        subprocess.run(publish, cwd=many, check=True, capture_output=True)  # the catalogue
        republish = timed(publish, many, repeat)
        rows.append(("publish 40 briefs, nothing changed", f"{republish:.2f} s"))
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        rows.append(("peak RSS of any child process", f"{peak:.0f} MB"))

    width = max(len(name) for name, _ in rows)
    print(f"briefkit benchmark ({env_note}; medians of {repeat})")
    print(f"| {'case'.ljust(width)} | result |")
    print(f"|{'-' * (width + 2)}|--------|")
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value} |")


if __name__ == "__main__":
    main()
