"""Measure briefkit beside its peers on this machine, print every figure and goal.

The peers make the same PDF and EPUB of the same briefs: Debian's pandoc 2 with WeasyPrint
(pandoc to HTML, WeasyPrint to PDF, pandoc again for the EPUB), and pandoc 3 from
pypandoc-binary with Typst from the typst package. Each case runs its contenders in turn,
several rounds, and reports medians. Results go to the terminal and to bench/results.md.

    .venv/bin/python bench/run.py [--quick] [--only CASE,...] [--out FILE]

BENCH_QUICK=1 is --quick.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Collection
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from contenders import (
    BRIEFKIT,
    BRIEFKIT_NAME,
    CONTENDERS,
    PANDOC2_NAME,
    PANDOC3_NAME,
    Measurement,
    alternate,
    briefkit_build,
    first_pdfs,
    median_cpu_share,
    median_wall,
    run_commands,
)
from corpus import ROUNDS_FOR_PAGES, Corpus, make_corpus
from report import Goal, Report, seconds
from watching import watch_latencies

HERE = Path(__file__).resolve().parent
PEERS = [BRIEFKIT_NAME, PANDOC2_NAME, PANDOC3_NAME]
# The cases, in the order they run.
CASES = ["start_up", "pages", "folder_sizes", "rebuild", "warm_pdf", "watch", "memory"]


@dataclass(frozen=True)
class Plan:
    """How many rounds each kind of case gets."""

    repeats: int  # small cases: one short brief, ten briefs, start-up
    big_repeats: int  # long briefs and 40 briefs
    largest: int  # the largest folder (200 briefs; run once, briefkit and the fastest peer)
    rebuilds: int  # forced rebuilds in one process, for memory
    edits: int  # saved edits under briefkit watch


FULL = Plan(repeats=5, big_repeats=2, largest=200, rebuilds=200, edits=5)
QUICK = Plan(repeats=2, big_repeats=1, largest=0, rebuilds=20, edits=3)


class Bench:
    """The cases, each adding its figures and goals to one report."""

    def __init__(self, plan: Plan, base: Path, report: Report) -> None:
        self.plan = plan
        self.base = base
        self.report = report
        self.cores = os.cpu_count() or 1
        self.one_brief: dict[str, list[Measurement]] = {}
        self.folders: dict[int, dict[str, list[Measurement]]] = {}

    def corpus(self, pages: int, count: int) -> Corpus:
        """Write a fresh corpus in its own folder."""
        folder = self.base / f"{pages}p-{count}x-{time.monotonic_ns()}"
        return make_corpus(folder, pages, count)

    def race(
        self, corpus: Corpus, names: list[str], repeats: int, once: Collection[str] = ()
    ) -> dict[str, list[Measurement]]:
        """Run the named contenders on a corpus, alternately; those in once, one round only."""
        runs = {name: partial(CONTENDERS[name], corpus) for name in names}
        return alternate(runs, repeats, once)

    def start_up(self) -> None:
        """Time briefkit --help against importing WeasyPrint."""
        bin_dir = Path(sys.executable).parent
        runs = {
            "help": lambda: run_commands([[str(bin_dir / "briefkit"), "--help"]], self.base),
            "import": lambda: run_commands(
                [[sys.executable, "-c", "import weasyprint"]], self.base
            ),
        }
        results = alternate(runs, self.plan.repeats)
        help_time, import_time = median_wall(results["help"]), median_wall(results["import"])
        self.report.add("`briefkit --help`", seconds(help_time))
        self.report.add("`python -c 'import weasyprint'`", seconds(import_time))
        self.report.goals.append(
            Goal("`--help` / import of WeasyPrint", help_time / import_time, 0.35)
        )

    def pages(self) -> None:
        """Time one brief of each length, PDF + EPUB, cold process, against both peers."""
        for pages in ROUNDS_FOR_PAGES:
            repeats = self.plan.repeats if pages == min(ROUNDS_FOR_PAGES) else self.plan.big_repeats
            corpus = self.corpus(pages, 1)
            results = self.race(corpus, PEERS, repeats)
            if pages == min(ROUNDS_FOR_PAGES):
                self.one_brief = results
            self.report.add(f"one {pages}-page brief, PDF + EPUB, cold", *_walls(results))
            self.report.add("… pages of its PDF", *_page_counts(corpus))
            if pages == max(ROUNDS_FOR_PAGES):
                peak = max(m.peak_mb for m in results[BRIEFKIT_NAME])
                self.report.add(f"peak RSS, one {pages}-page brief", *_peaks(results))
                self.report.goals.append(Goal(f"peak RSS, {pages}-page brief", peak, 250, " MB"))
        ratio = median_wall(self.one_brief[BRIEFKIT_NAME]) / median_wall(
            self.one_brief[PANDOC2_NAME]
        )
        self.report.goals.append(Goal("one brief cold / pandoc 2 + WeasyPrint", ratio, 1.0))

    def folder_sizes(self) -> None:
        """Time folders of briefs in one briefkit call against a peer run for each brief."""
        if self.one_brief:  # the pages case ran
            self.folders[1] = self.one_brief
        sizes = [10, 40] + ([self.plan.largest] if self.plan.largest else [])
        for count in sizes:
            names = PEERS if count <= 40 else [BRIEFKIT_NAME, PANDOC3_NAME]
            repeats = {10: self.plan.repeats, 40: self.plan.big_repeats}.get(count, 1)
            # Forty pandoc 2 + WeasyPrint runs take a minute or more: one round of them.
            once = [PANDOC2_NAME] if count >= 40 else []
            self.folders[count] = self.race(self.corpus(4, count), names, repeats, once)
        for count, results in self.folders.items():
            self.report.add(f"{_briefs(count)} of 4 pages, PDF + EPUB, one call", *_walls(results))
        for count, results in self.folders.items():
            per_brief = [
                seconds(median_wall(results[n]) / count) if n in results else "" for n in PEERS
            ]
            self.report.add(f"… a brief, of {count}", *per_brief)
            shares = [f"{median_cpu_share(results[n]):.2f}" if n in results else "" for n in PEERS]
            self.report.add(f"… CPU time / wall time, {_briefs(count)}", *shares)
        ten = {name: median_wall(runs) for name, runs in self.folders[10].items()}
        self.report.goals.append(
            Goal(
                "ten briefs / ten pandoc 2 + WeasyPrint runs",
                ten[BRIEFKIT_NAME] / ten[PANDOC2_NAME],
                0.25,
            )
        )
        self.report.goals.append(
            Goal(
                "ten briefs / ten pandoc 3 + Typst runs (stretch)",
                ten[BRIEFKIT_NAME] / ten[PANDOC3_NAME],
                1.0,
            )
        )
        self._scaling()

    def _scaling(self) -> None:
        """Judge the largest folder: a brief's time as in the next smaller one, every core busy."""
        largest, below = sorted(self.folders)[-1], sorted(self.folders)[-2]
        per_brief = {c: median_wall(r[BRIEFKIT_NAME]) / c for c, r in self.folders.items()}
        ratio = per_brief[largest] / per_brief[below]
        self.report.goals.append(
            Goal(f"a brief's time, {largest} / {below} briefs (linear)", ratio, 1.1)
        )
        share = median_cpu_share(self.folders[largest][BRIEFKIT_NAME])
        self.report.goals.append(
            Goal(
                f"cores busy, {largest} briefs (CPU / wall)",
                share,
                0.9 * self.cores,
                "",
                at_least=True,
            )
        )

    def rebuild(self) -> None:
        """Time an unchanged rebuild of ten briefs against their first build."""
        corpus = self.corpus(4, 10)
        runs = {
            "first": lambda: briefkit_build(corpus, force=False, fresh=True),
            "unchanged": lambda: briefkit_build(corpus, force=False),
        }
        results = alternate(runs, self.plan.repeats)
        first, unchanged = median_wall(results["first"]), median_wall(results["unchanged"])
        self.report.add("first build, 10 briefs (empty out/)", seconds(first))
        self.report.add("unchanged rebuild, 10 briefs", seconds(unchanged))
        self.report.goals.append(Goal("unchanged rebuild / first build", unchanged / first, 0.15))
        self._check_and_publish(corpus)

    def _check_and_publish(self, corpus: Corpus) -> None:
        """Time checking the ten briefs, and re-publishing them unchanged."""
        publish = [BRIEFKIT, "publish", "--out", "out", "--base-url", "https://example.org/"]
        run_commands([publish], corpus.workspace)  # the catalogue, once
        runs = {
            "check": lambda: run_commands([[BRIEFKIT, "check"]], corpus.workspace),
            "publish": lambda: run_commands([publish], corpus.workspace),
        }
        results = alternate(runs, self.plan.repeats)
        self.report.add("`briefkit check`, 10 briefs", seconds(median_wall(results["check"])))
        self.report.add("unchanged publish, 10 briefs", seconds(median_wall(results["publish"])))

    def warm_pdf(self) -> None:
        """Time briefkit's warm PDF render against one bare WeasyPrint pass, same HTML."""
        corpus = self.corpus(4, 1)
        figures = _child("pdf", corpus.workspace, self.plan.repeats)
        self.report.add("PDF of a 4-page brief, warm, in process", seconds(figures["briefkit"]))
        self.report.add("… bare WeasyPrint `write_pdf` of the same HTML", seconds(figures["bare"]))
        ratio = figures["briefkit"] / figures["bare"]
        self.report.goals.append(Goal("briefkit PDF / bare WeasyPrint render", ratio, 1.15))

    def watch(self) -> None:
        """Time a saved edit under briefkit watch until the new PDF is in place."""
        latencies = watch_latencies(self.corpus(4, 1), self.plan.edits)
        latency = statistics.median(latencies)
        self.report.add("watch: saved edit → new PDF, 4-page brief", seconds(latency))
        self.report.goals.append(Goal("watch: edit → new PDF", latency, 0.4, " s"))

    def memory(self) -> None:
        """Read RSS after each of many forced rebuilds in one process."""
        rss = _child("memory", self.corpus(4, 1).workspace, self.plan.rebuilds)["rss_mb"]
        count = len(rss)
        self.report.add(
            f"RSS after rebuild 1 / 10 / {count}, one process",
            f"{rss[0]:.0f} / {rss[min(9, count - 1)]:.0f} / {rss[-1]:.0f} MB",
        )
        self.report.goals.append(
            Goal(f"RSS growth, rebuild {count} / rebuild 1", rss[-1] / rss[0], 1.1)
        )


def _briefs(count: int) -> str:
    """Return "1 brief" or "10 briefs"."""
    return f"{count} brief" if count == 1 else f"{count} briefs"


def _load() -> str:
    """Return the machine's load averages: other people's work slows every figure alike."""
    return " / ".join(Path("/proc/loadavg").read_text().split()[:3])


def _page_counts(corpus: Corpus) -> list[str]:
    """Return how many pages each contender's PDF of the corpus's first brief has."""
    import pikepdf

    counts = []
    for path in first_pdfs(corpus).values():
        with pikepdf.open(path) as pdf:
            counts.append(str(len(pdf.pages)))
    return counts


def _walls(results: dict[str, list[Measurement]]) -> list[str]:
    """Return each contender's median wall time, blank for those that did not run."""
    return [seconds(median_wall(results[name])) if name in results else "" for name in PEERS]


def _peaks(results: dict[str, list[Measurement]]) -> list[str]:
    """Return each contender's largest peak RSS of any one process."""
    return [f"{max(m.peak_mb for m in results[n]):.0f} MB" if n in results else "" for n in PEERS]


def _child(mode: str, workspace: Path, count: int) -> dict[str, Any]:
    """Run an in-process measurement in a fresh Python and return its JSON."""
    command = [sys.executable, str(HERE / "inprocess.py"), mode, str(workspace), str(count)]
    out = subprocess.run(command, check=True, capture_output=True, text=True, cwd=workspace)
    result: dict[str, Any] = json.loads(out.stdout.splitlines()[-1])
    return result


def main() -> None:
    """Run every case and print and write the report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", default=bool(os.environ.get("BENCH_QUICK")))
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    parser.add_argument(
        "--only", default="", help=f"comma-separated cases to run, of: {', '.join(CASES)}"
    )
    arguments = parser.parse_args()
    only = [name for name in arguments.only.split(",") if name]
    unknown = sorted(set(only) - set(CASES))
    if unknown:
        parser.error(f"unknown case {', '.join(unknown)}: the cases are {', '.join(CASES)}")
    plan = QUICK if arguments.quick else FULL
    started, load_before = time.perf_counter(), _load()
    today = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    heading = (
        f"briefkit benchmark, {today}: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"medians of {plan.repeats} rounds ({plan.big_repeats} for long briefs and 40 briefs, "
        "1 for 200)" + (", quick run" if arguments.quick else "")
    )
    report = Report(heading, ["case", *PEERS])
    with tempfile.TemporaryDirectory(prefix="briefkit-bench-") as temp:
        bench = Bench(plan, Path(temp), report)
        for name in only or CASES:
            case = getattr(bench, name)
            case_started = time.perf_counter()
            case()
            print(f"{case.__name__}: {time.perf_counter() - case_started:.0f} s", file=sys.stderr)
    report.notes += [
        "Peers run one brief after another, as a shell loop would; briefkit uses one worker per "
        "core. pandoc 2 + WeasyPrint runs 40 briefs once, and 200 briefs not at all (it would "
        "take longer than the whole benchmark may); 200 briefs run once, for briefkit and the "
        "fastest peer, pandoc 3 + Typst.",
        "The peers make plainer documents from the same text: no cover, labels, contents page, "
        "PDF/UA tags or embedded font subsets. The bare WeasyPrint render is one layout of "
        "briefkit's own HTML with its stylesheets, fonts and PDF settings (tags, PDF/UA "
        "metadata), with none of briefkit's work before or after it.",
        f"Load averages (1 / 5 / 15 min) before: {load_before}; after: {_load()}.",
    ]
    report.notes.append(f"The whole benchmark took {time.perf_counter() - started:.0f} s.")
    text = report.markdown()
    print(text)
    arguments.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
