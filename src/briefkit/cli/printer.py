r"""The one printer of results, for build, watch and email alike.

Problems go to standard error and results to standard output. On a terminal a progress bar
runs on standard error while briefs build or a list's messages go out, and every line is
printed through the same console, above the bar; elsewhere each brief (or message) gets
one plain line as it finishes. Text from sources is printed literally: rich's markup and
emoji codes are off, and control characters are shown escaped (``\x1b``), never sent to the
terminal, which would act on them (every line, cell and bar label goes through ``_text``).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.text import Text

from briefkit.errors import printable
from briefkit.paths import shown

if TYPE_CHECKING:
    from briefkit.building.pipeline import BriefResult, BuildReport


def _console(stderr: bool) -> Console:
    """Return a console that prints text literally; off a terminal, lines are never cut."""
    console = Console(stderr=stderr, highlight=False, markup=False, emoji=False, soft_wrap=True)
    if not console.is_terminal:
        console = Console(
            stderr=stderr, highlight=False, markup=False, emoji=False, soft_wrap=True, width=400
        )
    return console


class Printer:
    """Report briefs as they finish, problems as they come, and each build at its end."""

    def __init__(self, quiet: bool = False, verbose: bool = False, clock: bool = False) -> None:
        self.out = _console(stderr=False)
        self.err = _console(stderr=True)
        self.quiet = quiet
        self.verbose = verbose
        self.clock = clock
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Printer:
        """Return the printer; its progress bar ends with the block."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Remove the progress bar, however the block ended."""
        self._end_bar()

    def planned(self, count: int) -> None:
        """Start a progress bar for a build of several briefs, on a terminal."""
        self._start_bar("building", count)

    def sending(self, count: int, reached: int) -> None:
        """Say how many readers a list's earlier runs reached; start a bar for the rest."""
        if reached:
            self.say(f"{reached} readers already have this message (see the send log)")
        self._start_bar("sending", count)

    def sent(self, address: str, refused: str) -> None:
        """Print what the server said to one reader's message, and advance the bar."""
        if refused:
            self.problem(f"refused {address}: {refused}")
        elif self._bar is None:
            self.say(f"sent to {address}")
        if self._bar is not None:
            self._bar.update(self._task, advance=1, description=printable(address))

    def _start_bar(self, doing: str, count: int) -> None:
        """Start a progress bar on standard error for several items, on a terminal only."""
        if self.quiet or self.verbose or self.clock or count < 2 or not self.err.is_terminal:
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self._bar = Progress(
            TextColumn(doing),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            console=self.err,
            transient=True,
        )
        self._task = self._bar.add_task("", total=count)
        self._bar.start()

    def finished(self, result: BriefResult) -> None:
        """Print what happened to one brief: its findings, warnings and outcome."""
        for finding in result.findings:
            self.problem(finding.format())
        for warning in result.warnings:
            self.problem(f"{shown(result.source)}: warning: {warning}")
        if result.failed:
            self.problem(f"{self._stamp()}{shown(result.source)}: error: {result.error}")
        elif self._bar is None:
            self._line(result)
        if self._bar is not None:
            self._bar.update(self._task, advance=1, description=printable(result.source.name))

    def _line(self, result: BriefResult) -> None:
        """Print the one plain line of a brief that built or was up to date."""
        if not result.skipped:
            outputs = ", ".join(str(shown(p)) for p in result.outputs)
            self.say(f"built {shown(result.source)} → {outputs} in {result.seconds:.2f} s")
        elif self.verbose or not self.clock:
            self.say(f"up to date {shown(result.source)}")

    def problem(self, message: str) -> None:
        """Print a problem on standard error."""
        self.err.print(_text(message))

    def say(self, message: str, stamped: bool = True) -> None:
        """Print a line on standard output, unless quiet; a watcher's lines carry the time."""
        if not self.quiet:
            self.out.print(_text(f"{self._stamp() if stamped else ''}{message}"))

    def summary(self, report: BuildReport) -> None:
        """End the progress bar; print the removed outputs, a table of outputs and a count."""
        self._end_bar()
        if self.quiet:
            return
        for note in report.notes:
            self.problem(f"warning: {note}")
        for path in report.removed:
            self.say(f"removed {shown(path)}: its source is gone")
        if not report.results:
            self.say("no briefing sources (*.md) found", stamped=False)
            return
        if not self.clock:
            self.out.print(_table(report))
        self.say(counts(report), stamped=False)

    def watching(self, paths: tuple[Path, ...], again: bool) -> None:
        """Say what a watcher watches: once, or after every restart when verbose."""
        if not again or self.verbose:
            folders = ", ".join(str(shown(p)) or "." for p in paths)
            self.say(f"watching {folders} for changes; press Ctrl-C to stop", stamped=False)

    def changed(self, paths: tuple[Path, ...], report: BuildReport | None) -> None:
        """Say, when verbose, which files a watcher saw change and whether that rebuilt anything."""
        if self.verbose and report is not None:
            names = ", ".join(str(shown(p)) for p in paths)
            rebuilt = any(not r.skipped for r in report.results)
            note = "" if rebuilt else " (nothing to rebuild)"
            self.say(f"changed: {names}{note}", stamped=False)

    def end_bar(self) -> None:
        """Remove the progress bar, so the lines that follow stand below it."""
        self._end_bar()

    def _end_bar(self) -> None:
        """Remove the progress bar, if one is shown."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def _stamp(self) -> str:
        """Return the time of day before a line, when watching."""
        return time.strftime("%H:%M:%S ") if self.clock else ""


def counts(report: BuildReport) -> str:
    """Return the closing line of a build."""
    return (
        f"{len(report.built)} built, {len(report.skipped)} up to date (skipped), "
        f"{len(report.failed)} failed in {report.seconds:.2f} s"
    )


def _table(report: BuildReport) -> Any:
    """Return a table with a row per output: brief, file, size and time."""
    from rich.table import Table

    table = Table(box=None, pad_edge=False, show_edge=False)
    for column, justify in (("brief", "left"), ("output", "left"), ("size", "right")):
        table.add_column(column, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    table.add_column("time", justify="right", no_wrap=True)
    for result in report.results:
        source = _text(str(shown(result.source)))
        if result.failed:
            table.add_row(source, Text("failed"), "", "")
            continue
        time_text = "skipped" if result.skipped else f"{result.seconds:.2f} s"
        for index, path in enumerate(result.outputs):
            table.add_row(
                source if index == 0 else "",
                _text(str(shown(path))),
                _size(path),
                time_text if index == 0 else "",
            )
    return table


def _text(message: str) -> Text:
    """Return a line for the console, its control characters escaped."""
    return Text(printable(message))


def _size(path: Path) -> str:
    """Return a file's size for people: 812 B, 93.1 kB, 1.2 MB."""
    try:
        size = float(path.stat().st_size)
    except OSError:
        return "?"
    for unit in ("B", "kB", "MB"):
        if size < 1000 or unit == "MB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} MB"
