"""How build results reach the terminal: a progress bar on a terminal, plain lines elsewhere."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from briefkit.commands.build import BriefResult, BuildReport


class BuildConsole:
    """Report each brief as it finishes and summarise the build at the end."""

    def __init__(self, total: int, quiet: bool = False, verbose: bool = False) -> None:
        from rich.console import Console

        # Off a terminal, lines are never cut to 80 columns: logs and CI keep whole paths.
        self.out = Console(highlight=False, soft_wrap=True)
        if not self.out.is_terminal:
            self.out = Console(highlight=False, soft_wrap=True, width=400)
        self.err = Console(stderr=True, highlight=False, soft_wrap=True)
        self.total = total
        self.quiet = quiet
        self.verbose = verbose
        self._progress: object | None = None
        self._task: object | None = None

    @contextmanager
    def running(self) -> Iterator[BuildConsole]:
        """Show a progress bar while briefs build, when writing to a terminal."""
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        if self.quiet or not self.out.is_terminal or self.total < 2:
            yield self
            return
        with Progress(
            TextColumn("building"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            console=self.out,
            transient=True,
        ) as progress:
            self._progress = progress
            self._task = progress.add_task("", total=self.total)
            yield self
        self._progress = None

    def result(self, result: BriefResult) -> None:
        """Print what happened to one brief."""
        from rich.markup import escape

        for finding in result.findings:
            self.err.print(escape(finding.format()))
        for warning in result.warnings:
            self.err.print(escape(f"{result.source}: warning: {warning}"))
        if result.failed:
            self.err.print(escape(f"{result.source}: error: {result.error}"))
        elif not self.quiet and self.verbose:
            verb = "skipped (up to date)" if result.skipped else f"built in {result.seconds:.2f} s"
            self.out.print(escape(f"{result.source}: {verb}"))
        if self._progress is not None:
            self._progress.update(self._task, advance=1, description=result.source.name)  # type: ignore[attr-defined]

    def summary(self, report: BuildReport, seconds: float) -> None:
        """Print a table of outputs with sizes and times, then one closing line."""
        if self.quiet:
            return
        if not report.results:
            self.out.print("no briefing sources (*.md) found")
            return
        from rich.table import Table

        table = Table(box=None, pad_edge=False, show_edge=False)
        for column, justify in (("brief", "left"), ("output", "left"), ("size", "right")):
            table.add_column(column, justify=justify, no_wrap=True)  # type: ignore[arg-type]
        table.add_column("time", justify="right", no_wrap=True)
        for result in report.results:
            _rows(table, result)
        self.out.print(table)
        built = sum(1 for r in report.results if not r.skipped and not r.failed)
        skipped = sum(1 for r in report.results if r.skipped)
        failed = sum(1 for r in report.results if r.failed)
        self.out.print(
            f"{built} built, {skipped} up to date (skipped), {failed} failed in {seconds:.2f} s"
        )


def _rows(table: object, result: BriefResult) -> None:
    """Add one row per output of a brief."""
    add = table.add_row  # type: ignore[attr-defined]
    if result.failed:
        add(_display(result.source), "failed", "", "")
        return
    time_text = "skipped" if result.skipped else f"{result.seconds:.2f} s"
    for index, path in enumerate(result.outputs):
        add(
            _display(result.source) if index == 0 else "",
            _display(path),
            _size(path),
            time_text if index == 0 else "",
        )


def _display(path: Path) -> str:
    """Show a path relative to the current folder when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


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
