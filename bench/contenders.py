"""The commands each contender runs to make a PDF and an EPUB of every brief of a corpus.

Each measurement runs its commands one after another, as a shell loop would, and reads the
wall time and, from wait4, the CPU time and peak memory of each process and its children.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from corpus import Corpus

BIN = Path(sys.executable).parent
BRIEFKIT = str(BIN / "briefkit")
WEASYPRINT = str(BIN / "weasyprint")
# The typst package is Python bindings without a command; this is the smallest command.
TYPST_COMPILE = "import sys, typst; typst.compile(sys.argv[1], output=sys.argv[2])"

BRIEFKIT_NAME = "briefkit"
PANDOC2_NAME = "pandoc 2 + WeasyPrint"
PANDOC3_NAME = "pandoc 3 + Typst"
PANDOC2_OUT, PANDOC3_OUT = "out-pandoc2", "out-pandoc3"  # each peer's outputs, in the corpus


class MissingTool(Exception):
    """A peer's program is not installed."""


@dataclass(frozen=True)
class Measurement:
    """Wall time, CPU time (user + system, children included) and peak RSS of one run."""

    wall: float
    cpu: float
    peak_mb: float


def debian_pandoc() -> str:
    """Return Debian's pandoc (2.x), or say how to install it."""
    found = shutil.which("pandoc", path="/usr/bin")
    if not found:
        raise MissingTool("Debian's pandoc is missing: run make bench (or setup-system.sh --bench)")
    return found


def pypi_pandoc() -> str:
    """Return the pandoc 3 binary that pypandoc-binary ships, or say how to install it."""
    spec = importlib.util.find_spec("pypandoc")
    if spec is None or spec.origin is None:
        raise MissingTool("pypandoc-binary is missing: pip install -e '.[bench]'")
    binary = Path(spec.origin).parent / "files" / "pandoc"
    if not binary.exists():
        raise MissingTool(f"{binary} is missing: install pypandoc-binary, not pypandoc")
    return str(binary)


def run_commands(commands: list[list[str]], cwd: Path) -> Measurement:
    """Run commands in turn, failing on the first error; return what they took together."""
    cpu = 0.0
    peak = 0
    started = time.perf_counter()
    for command in commands:
        process = subprocess.Popen(
            command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        assert process.stderr is not None
        errors = process.stderr.read()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            message = errors.decode(errors="replace")[-2000:]
            raise RuntimeError(f"{' '.join(command)} failed in {cwd}:\n{message}")
        cpu += usage.ru_utime + usage.ru_stime
        peak = max(peak, usage.ru_maxrss)
    return Measurement(time.perf_counter() - started, cpu, peak / 1024)


def briefkit_build(corpus: Corpus, force: bool = True, fresh: bool = False) -> Measurement:
    """Build every brief of the corpus to PDF and EPUB in one briefkit call."""
    if fresh:
        shutil.rmtree(corpus.workspace / "out", ignore_errors=True)
    command = [BRIEFKIT, "build", "-q", "-f", "pdf", "-f", "epub", *(["--force"] if force else [])]
    return run_commands([command], corpus.workspace)


def citeproc(corpus: Corpus) -> list[str]:
    """Return pandoc's bibliography option for a corpus with sources, none for a plain one."""
    return [] if corpus.plain else ["--citeproc"]


def briefkit_email(corpus: Corpus) -> Measurement:
    """Write the corpus's first brief's message, its PDF attached, to an .eml file."""
    source = corpus.workspace / "briefings" / corpus.peer_sources[0].name
    command = [BRIEFKIT, "email", "-q", str(source), "--to", "desk@example.org"]
    command += ["--from", "bench@example.org", "--attach", "pdf", "--eml", "out/brief.eml"]
    return run_commands([command], corpus.workspace)


def briefkit_publish(corpus: Corpus, fresh: bool = False) -> Measurement:
    """Publish every brief of the corpus with its catalogues; fresh: into an empty folder."""
    if fresh:
        shutil.rmtree(corpus.workspace / "site", ignore_errors=True)
    command = [BRIEFKIT, "publish", "-q", "--out", "site", "--base-url", "https://example.org/"]
    return run_commands([command], corpus.workspace)


def pandoc_weasyprint(corpus: Corpus) -> Measurement:
    """Make each brief's PDF through HTML and WeasyPrint, then its EPUB, with pandoc 2."""
    pandoc = [debian_pandoc(), *citeproc(corpus)]
    commands = []
    for source in corpus.peer_sources:
        html, pdf, epub = (f"{PANDOC2_OUT}/{source.stem}.{ext}" for ext in ("html", "pdf", "epub"))
        commands += [
            [*pandoc, source.name, "--standalone", "-o", html],
            [WEASYPRINT, "--quiet", html, pdf],
            [*pandoc, source.name, "-o", epub],
        ]
    (corpus.peers / PANDOC2_OUT).mkdir(exist_ok=True)
    return run_commands(commands, corpus.peers)


def pandoc_typst(corpus: Corpus) -> Measurement:
    """Make each brief's PDF through Typst, then its EPUB, with pandoc 3."""
    pandoc = [pypi_pandoc(), *citeproc(corpus)]
    commands = []
    for source in corpus.peer_sources:
        # Typst reads images relative to the .typ file, so it sits beside the source.
        typ = f"{source.stem}.typ"
        pdf, epub = (f"{PANDOC3_OUT}/{source.stem}.{ext}" for ext in ("pdf", "epub"))
        commands += [
            [*pandoc, source.name, "--standalone", "-t", "typst", "-o", typ],
            [sys.executable, "-c", TYPST_COMPILE, typ, pdf],
            [*pandoc, source.name, "-o", epub],
        ]
    (corpus.peers / PANDOC3_OUT).mkdir(exist_ok=True)
    return run_commands(commands, corpus.peers)


CONTENDERS: dict[str, Callable[[Corpus], Measurement]] = {
    BRIEFKIT_NAME: briefkit_build,
    PANDOC2_NAME: pandoc_weasyprint,
    PANDOC3_NAME: pandoc_typst,
}


def alternate(
    runs: Mapping[str, Callable[[], Measurement]], repeats: int, once: Collection[str] = ()
) -> dict[str, list[Measurement]]:
    """Run each contender repeats times, taking turns, the order rotating every round.

    Those named in once run in the first round only, where a round of theirs takes too long.
    """
    names = list(runs)
    results: dict[str, list[Measurement]] = {name: [] for name in names}
    for round_number in range(repeats):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            if round_number == 0 or name not in once:
                results[name].append(runs[name]())
    return results


def median_wall(measurements: list[Measurement]) -> float:
    """Return the median wall time of runs."""
    return statistics.median(m.wall for m in measurements)


def median_cpu_share(measurements: list[Measurement]) -> float:
    """Return the median of CPU time over wall time: 2.0 means both cores busy throughout."""
    return statistics.median(m.cpu / m.wall for m in measurements)


def first_pdfs(corpus: Corpus) -> dict[str, Path]:
    """Return where each contender writes the corpus's first PDF."""
    stem = corpus.peer_sources[0].stem
    return {
        BRIEFKIT_NAME: corpus.workspace / "out" / f"{stem}.pdf",
        PANDOC2_NAME: corpus.peers / PANDOC2_OUT / f"{stem}.pdf",
        PANDOC3_NAME: corpus.peers / PANDOC3_OUT / f"{stem}.pdf",
    }
