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
import compileall
import datetime as dt
import importlib.util
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
    briefkit_email,
    briefkit_publish,
    first_pdfs,
    median_cpu_share,
    median_wall,
    run_commands,
)
from corpus import Corpus, make_corpus
from report import Goal, Report, Table, seconds
from watching import watch_latencies

HERE = Path(__file__).resolve().parent
PEERS = [BRIEFKIT_NAME, PANDOC2_NAME, PANDOC3_NAME]
# The cases, in the order they run; each but start_up runs on both corpora.
CASES = [
    "start_up",
    "pages",
    "folder_sizes",
    "rebuild",
    "email",
    "publish",
    "warm_pdf",
    "watch",
    "warm",
]
CITED_TITLE = "Corpus with citations: sources as references, `--citeproc` for the peers"
PLAIN_TITLE = "Plain corpus: the same briefs, citations as plain text, no bibliography step"


@dataclass(frozen=True)
class Plan:
    """How many rounds each kind of case gets, and how large its corpora are."""

    repeats: int  # small cases: one short brief, ten briefs, start-up
    big_repeats: int  # long briefs and 40 briefs
    largest: int  # the largest folder (200 briefs; run once, briefkit and the fastest peer)
    rebuilds: int  # forced rebuilds in warm workers, for memory
    edits: int  # saved edits under briefkit watch
    pages: tuple[int, ...]  # the lengths of one brief, in PDF pages
    folders: tuple[int, ...]  # the folders of four-page briefs built and published


FULL = Plan(5, 2, 200, 200, 5, pages=(4, 30, 100), folders=(10, 40))
QUICK = Plan(2, 1, 0, 20, 3, pages=(4, 30), folders=(10,))


class Bench:
    """The cases on one corpus kind, each adding its figures to its table.

    Goals are judged on the plain corpus only, as a user without a bibliography sees them.
    """

    def __init__(self, plan: Plan, base: Path, table: Table, plain: bool, report: Report) -> None:
        self.plan = plan
        self.base = base
        self.table = table
        self.plain = plain
        self.report = report
        self.cores = os.cpu_count() or 1
        self.one_brief: dict[str, list[Measurement]] = {}
        self.folders: dict[int, dict[str, list[Measurement]]] = {}
        self.bare_render = 0.0  # a bare warm WeasyPrint render of a 4-page brief, once timed
        self.client = 0.0  # a cold `briefkit --help`, once timed

    def goal(self, goal: Goal) -> None:
        """Judge a goal, when this is the plain corpus."""
        if self.plain:
            self.report.goals.append(goal)

    def corpus(self, pages: int, count: int) -> Corpus:
        """Write a fresh corpus of this bench's kind in its own folder."""
        kind = "plain" if self.plain else "cited"
        folder = self.base / f"{kind}-{pages}p-{count}x-{time.monotonic_ns()}"
        return make_corpus(folder, pages, count, plain=self.plain)

    def race(
        self, corpus: Corpus, names: list[str], repeats: int, once: Collection[str] = ()
    ) -> dict[str, list[Measurement]]:
        """Run the named contenders on a corpus, alternately; those in once, one round only."""
        runs = {name: partial(CONTENDERS[name], corpus) for name in names}
        return alternate(runs, repeats, once)

    def pages(self) -> None:
        """Time one brief of each length, PDF + EPUB, cold process, against both peers."""
        shortest, longest = min(self.plan.pages), max(self.plan.pages)
        for pages in self.plan.pages:
            repeats = self.plan.repeats if pages == shortest else self.plan.big_repeats
            corpus = self.corpus(pages, 1)
            results = self.race(corpus, PEERS, repeats)
            if pages == shortest:
                self.one_brief = results
            self.table.add(f"one {pages}-page brief, PDF + EPUB, cold", *_walls(results))
            self.table.add("… pages of its PDF", *_page_counts(corpus))
            if pages == longest:
                self._peak(corpus, results)
        ratio = median_wall(self.one_brief[BRIEFKIT_NAME]) / median_wall(
            self.one_brief[PANDOC2_NAME]
        )
        self.goal(Goal("one brief, PDF + EPUB, cold / pandoc 2 + WeasyPrint", ratio, 1.3))

    def _peak(self, corpus: Corpus, results: dict[str, list[Measurement]]) -> None:
        """Set briefkit's peak memory beside the peers' and a bare WeasyPrint render's."""
        pages = corpus.pages
        peak = max(m.peak_mb for m in results[BRIEFKIT_NAME])
        bare = _child("bare-peak", corpus.workspace, 1)
        self.table.add(f"peak RSS, one {pages}-page brief", *_peaks(results))
        self.table.add(
            "… bare WeasyPrint render of its HTML (process before the render)",
            f"{bare['peak_mb']:.0f} MB ({bare['before_mb']:.0f} MB)",
        )
        self.goal(
            Goal(f"peak RSS, {pages}-page brief / bare WeasyPrint", peak / bare["peak_mb"], 1.15)
        )

    def folder_sizes(self) -> None:
        """Time folders of briefs in one briefkit call against a peer run for each brief."""
        if self.one_brief:  # the pages case ran
            self.folders[1] = self.one_brief
        sizes = [*self.plan.folders, *([self.plan.largest] if self.plan.largest else [])]
        for count in sizes:
            names = PEERS if count <= 40 else [BRIEFKIT_NAME, PANDOC3_NAME]
            repeats = {10: self.plan.repeats, 40: self.plan.big_repeats}.get(count, 1)
            # Forty pandoc 2 + WeasyPrint runs take a minute or more: one round of them.
            once = [PANDOC2_NAME] if count >= 40 else []
            self.folders[count] = self.race(self.corpus(4, count), names, repeats, once)
        for count, results in self.folders.items():
            self.table.add(f"{_briefs(count)} of 4 pages, PDF + EPUB, one call", *_walls(results))
        for count, results in self.folders.items():
            per_brief = [
                seconds(median_wall(results[n]) / count) if n in results else "" for n in PEERS
            ]
            self.table.add(f"… a brief, of {count}", *per_brief)
            shares = [f"{median_cpu_share(results[n]):.2f}" if n in results else "" for n in PEERS]
            self.table.add(f"… CPU time / wall time, {_briefs(count)}", *shares)
        ten = {name: median_wall(runs) for name, runs in self.folders[10].items()}
        ratio = ten[BRIEFKIT_NAME] / ten[PANDOC2_NAME]
        self.goal(Goal("ten briefs in one call / ten pandoc 2 + WeasyPrint runs", ratio, 0.4))
        ratio = ten[BRIEFKIT_NAME] / ten[PANDOC3_NAME]
        self.goal(Goal("ten briefs / ten pandoc 3 + Typst runs (moonshot)", ratio, 1.0))
        if len(self.folders) > 2:
            self._scaling()

    def _scaling(self) -> None:
        """Judge the largest folder: a brief's time as in the next smaller one, every core busy."""
        largest, below = sorted(self.folders)[-1], sorted(self.folders)[-2]
        per_brief = {c: median_wall(r[BRIEFKIT_NAME]) / c for c, r in self.folders.items()}
        ratio = per_brief[largest] / per_brief[below]
        self.goal(Goal(f"a brief's time, {largest} / {below} briefs (linear)", ratio, 1.1))
        share = median_cpu_share(self.folders[largest][BRIEFKIT_NAME])
        name = f"cores busy, {largest} briefs (CPU / wall)"
        self.goal(Goal(name, share, 0.9 * self.cores, "", at_least=True))

    def rebuild(self) -> None:
        """Time an unchanged rebuild of ten briefs against their first build, and a check."""
        corpus = self.corpus(4, 10)
        runs = {
            "first": lambda: briefkit_build(corpus, force=False, fresh=True),
            "unchanged": lambda: briefkit_build(corpus, force=False),
            "check": lambda: run_commands([[BRIEFKIT, "check"]], corpus.workspace),
        }
        results = alternate(runs, self.plan.repeats)
        first, unchanged = median_wall(results["first"]), median_wall(results["unchanged"])
        self.table.add("first build, 10 briefs (empty out/)", seconds(first))
        self.table.add("unchanged rebuild, 10 briefs", seconds(unchanged))
        self.table.add("`briefkit check`, 10 briefs", seconds(median_wall(results["check"])))
        self.goal(Goal("unchanged rebuild / first build", unchanged / first, 0.15))

    def email(self) -> None:
        """Time writing one brief's .eml with its PDF attached, in a cold process."""
        corpus = self.corpus(4, 1)
        results = alternate({"email": partial(briefkit_email, corpus)}, self.plan.repeats)
        self.table.add(
            "`email`: one .eml, 4-page PDF attached, cold", seconds(median_wall(results["email"]))
        )

    def publish(self) -> None:
        """Time publishing folders of briefs into an empty folder, then again unchanged."""
        for count in self.plan.folders:
            corpus = self.corpus(4, count)
            runs = {
                "cold": lambda c=corpus: briefkit_publish(c, fresh=True),
                "unchanged": lambda c=corpus: briefkit_publish(c),
            }
            repeats = self.plan.repeats if count <= 10 else self.plan.big_repeats
            results = alternate(runs, repeats)
            cold, unchanged = median_wall(results["cold"]), median_wall(results["unchanged"])
            self.table.add(
                f"`publish` {count} briefs, empty folder / unchanged",
                f"{seconds(cold)} / {seconds(unchanged)}",
            )

    def warm_pdf(self) -> None:
        """Time briefkit's warm PDF render against one bare WeasyPrint pass, same HTML."""
        corpus = self.corpus(4, 1)
        figures = _child("pdf", corpus.workspace, self.plan.repeats)
        self.bare_render = figures["bare"]
        self.table.add("PDF of a 4-page brief, warm, in process", seconds(figures["briefkit"]))
        self.table.add("… bare WeasyPrint `write_pdf` of the same HTML", seconds(figures["bare"]))
        ratio = figures["briefkit"] / figures["bare"]
        self.goal(Goal("warm PDF / bare WeasyPrint render (earlier goal)", ratio, 1.15))

    def watch(self) -> None:
        """Time a saved edit under briefkit watch until the new PDF is in place."""
        latencies = watch_latencies(self.corpus(4, 1), self.plan.edits)
        latency = statistics.median(latencies)
        self.table.add("`watch`: saved edit → new PDF, 4-page brief", seconds(latency))
        if self.bare_render:  # the warm_pdf case ran
            ratio = latency / self.bare_render
            self.goal(Goal("watch: edit → new PDF / bare warm WeasyPrint render", ratio, 1.2))

    def warm(self) -> None:
        """Time builds and an email against workers kept warm as watch keeps them; read memory."""
        one = _child("warm-build", self.corpus(4, 1).workspace, self.plan.rebuilds)
        ten = _child("warm-build", self.corpus(4, 10).workspace, self.plan.repeats)
        mail = _child("warm-email", self.corpus(4, 1).workspace, self.plan.repeats)
        client = self.client or median_wall(
            alternate({"help": lambda: run_commands([[BRIEFKIT, "--help"]], HERE)}, 3)["help"]
        )
        times = [statistics.median(f["seconds"]) for f in (one, ten, mail)]
        names = ["build, 1 brief", "build, 10 briefs", "`email`, .eml with PDF"]
        for name, value in zip(names, times, strict=True):
            self.table.add(
                f"warm workers: {name} / with a client's start",
                f"{seconds(value)} / {seconds(value + client)}",
            )
        rss = one["rss_mb"]
        count = len(rss)
        self.table.add(
            f"RSS of watch's process and workers after rebuild 1 / 10 / {count}",
            f"{rss[0]:.0f} / {rss[min(9, count - 1)]:.0f} / {rss[-1]:.0f} MB",
        )
        self.goal(Goal(f"RSS growth over {count} rebuilds in warm workers", rss[-1] / rss[0], 1.1))
        if 10 in self.folders:
            ratio = (times[1] + client) / median_wall(self.folders[10][PANDOC3_NAME])
            self.goal(
                Goal(
                    "ten briefs, warm workers / ten pandoc 3 + Typst runs (next design)", ratio, 1.0
                )
            )


def start_up(report: Report, table: Table, repeats: int) -> float:
    """Time briefkit --help against importing WeasyPrint; no corpus is read."""
    bin_dir = Path(sys.executable).parent
    runs = {
        "help": lambda: run_commands([[str(bin_dir / "briefkit"), "--help"]], HERE),
        "import": lambda: run_commands([[sys.executable, "-c", "import weasyprint"]], HERE),
    }
    results = alternate(runs, repeats)
    help_time, import_time = median_wall(results["help"]), median_wall(results["import"])
    table.add("`briefkit --help`", seconds(help_time))
    table.add("`python -c 'import weasyprint'`", seconds(import_time))
    report.goals.append(Goal("`--help` / import of WeasyPrint", help_time / import_time, 0.35))
    return help_time


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
    """Run every case on both corpora and print and write the report."""
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
    compile_bytecode()
    started, load_before = time.perf_counter(), _load()
    report = Report(_heading(plan, arguments.quick), ["case", *PEERS])
    with tempfile.TemporaryDirectory(prefix="briefkit-bench-") as temp:
        run_cases(plan, Path(temp), report, only or CASES)
    report.notes += [
        *NOTES,
        f"Load averages (1 / 5 / 15 min) before: {load_before}; after: {_load()}.",
        f"The whole benchmark took {time.perf_counter() - started:.0f} s.",
    ]
    text = report.markdown()
    print(text)
    arguments.out.write_text(text, encoding="utf-8")


def compile_bytecode() -> None:
    """Compile briefkit's modules once, as installing its wheel does.

    A checkout installed in editable mode, where PYTHONDONTWRITEBYTECODE is set, would
    otherwise compile every module in every run: time no installed copy spends.
    """
    spec = importlib.util.find_spec("briefkit")
    assert spec is not None and spec.submodule_search_locations is not None
    compileall.compile_dir(spec.submodule_search_locations[0], quiet=1)


NOTES = [
    "briefkit's modules are compiled to bytecode before the first case, as installing the "
    "wheel compiles them; the peers' Python code (WeasyPrint's command) is compiled already.",
    "Goals are judged on the plain corpus, in this one run. Each case runs on the corpus with "
    "citations, then on the plain one, so both meet the same load.",
    "Peers run one brief after another, as a shell loop would; briefkit uses one worker per "
    "core. pandoc 2 + WeasyPrint runs 40 briefs once, and 200 briefs not at all (it would "
    "take longer than the whole benchmark may); 200 briefs run once, for briefkit and the "
    "fastest peer, pandoc 3 + Typst.",
    "The peers make plainer documents from the same text: no cover, labels, contents page, "
    "PDF/UA tags or embedded font subsets. The bare WeasyPrint render is one layout of "
    "briefkit's own HTML with its stylesheets, fonts and PDF settings (tags, PDF/UA "
    "metadata), with none of briefkit's work before or after it.",
    "Warm workers are a pool kept as `briefkit watch` keeps it (forked once, WeasyPrint "
    "imported and one build done, each job under the time limit); with a client's start adds "
    "a cold `briefkit --help`, what a CLI call that handed its work to such a worker would "
    "still pay. No such service exists yet: this measures the design, not a feature.",
    "In the plain corpus briefkit warns that fact sections cite no source; the warnings are "
    "printed and the briefs built.",
]


def _heading(plan: Plan, quick: bool) -> str:
    """Return the report's first line: when, where, and how many rounds."""
    today = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"briefkit benchmark, {today}: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"medians of {plan.repeats} rounds ({plan.big_repeats} for long briefs and 40 briefs, "
        "1 for 200)" + (", quick run" if quick else "")
    )


def run_cases(plan: Plan, base: Path, report: Report, cases: list[str]) -> None:
    """Run the named cases in CASES order, each on the cited corpus and then the plain one."""
    start_table = report.table("Start-up (no corpus)")
    cited_table, plain_table = report.table(CITED_TITLE), report.table(PLAIN_TITLE)
    benches = [
        Bench(plan, base, cited_table, False, report),
        Bench(plan, base, plain_table, True, report),
    ]
    for name in [case for case in CASES if case in cases]:
        case_started = time.perf_counter()
        if name == "start_up":
            client = start_up(report, start_table, plan.repeats)
            for bench in benches:
                bench.client = client
        else:
            for bench in benches:
                try:
                    getattr(bench, name)()
                except (RuntimeError, subprocess.CalledProcessError) as exc:
                    # One broken case must not cost the figures of the others.
                    report.notes.append(f"The case {name} failed: {str(exc).splitlines()[0]}")
        print(f"{name}: {time.perf_counter() - case_started:.0f} s ({_load()})", file=sys.stderr)


if __name__ == "__main__":
    main()
