"""``briefkit watch``: build, then rebuild whenever a source, image, theme file or setting changes.

Briefs build in this one process by default, so WeasyPrint is imported once and keeps its fonts
and parsed stylesheets between rebuilds. Each rebuild is an ordinary incremental build: the cache
skips briefs whose source, images, theme, settings and options are unchanged.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TextIO

import watchfiles

from briefkit.commands.build import BriefResult, BuildOptions, BuildReport, build
from briefkit.config import CONFIG_NAME, Config, Workspace, load_config
from briefkit.errors import BriefkitError
from briefkit.rendering.theme import shared_theme
from briefkit.sources.images import IMAGE_TYPES

SOURCE_SUFFIXES = frozenset({".md", *IMAGE_TYPES})
# Editors' swap and backup files and atomic-write temporaries: never inputs, often written.
_TEMPORARY_SUFFIXES = (".tmp", ".swp", ".swo", ".swx", ".bak", ".part", "~", "___jb_tmp___")
_TEMPORARY_NAMES = frozenset({"4913", ".DS_Store"})

OptionsFor = Callable[[Workspace], BuildOptions]


class StopEvent(Protocol):
    """Anything with ``is_set()``, such as a threading.Event, that tells the watcher to stop."""

    def is_set(self) -> bool:
        """Tell whether to stop."""
        ...


@dataclass(frozen=True)
class BriefDone:
    """One brief was built, found up to date, or failed."""

    result: BriefResult


@dataclass(frozen=True)
class Problem:
    """Something went wrong outside any one brief: settings, a missing folder, a name clash."""

    message: str


@dataclass(frozen=True)
class Watching:
    """The watcher is waiting for changes in these folders and files."""

    paths: tuple[Path, ...]


@dataclass(frozen=True)
class RoundDone:
    """A build finished; changed is empty for the first one."""

    changed: tuple[Path, ...]
    report: BuildReport | None
    seconds: float


WatchEvent = BriefDone | Problem | Watching | RoundDone


def watch(
    paths: Sequence[Path],
    workspace: Workspace,
    options: BuildOptions | OptionsFor,
    on_event: Callable[[WatchEvent], None],
    stop_event: StopEvent | None = None,
    *,
    debounce_ms: int = 1600,
    step_ms: int = 50,
    poll_ms: int = 500,
) -> None:
    """Build, then rebuild on each change until stop_event is set or Ctrl-C interrupts.

    options is either fixed, or a function of briefkit.toml that is called again when the file
    changes. Ctrl-C raises KeyboardInterrupt. A change is acted on once no further change has
    come for step_ms, or debounce_ms after the first one in a burst.
    """
    session = Session(list(paths), workspace, options)
    rebuild(session, on_event, ())
    pending: set[Path] = set()
    while not (stop_event is not None and stop_event.is_set()):
        roots = session.roots()
        on_event(Watching((*roots, session.config_path)))
        for changes in watchfiles.watch(
            *roots,
            watch_filter=session.wanted,
            debounce=debounce_ms,
            step=step_ms,
            stop_event=stop_event,
            rust_timeout=poll_ms,
            # An empty yield every poll_ms lets briefkit.toml and new folders be noticed.
            yield_on_timeout=True,
        ):
            changed = pending | {Path(name) for _, name in changes}
            if session.reload_config(on_event):
                changed.add(session.config_path)
            moved = set(session.roots()) ^ set(roots)
            if moved:
                # Watch the new set of folders first, then build what changed meanwhile; the
                # theme's templates are looked up afresh, as a templates folder may be new.
                shared_theme.cache_clear()
                pending = changed | moved
                break
            pending = set()
            if changed:
                rebuild(session, on_event, tuple(sorted(changed)))


def rebuild(
    session: Session, on_event: Callable[[WatchEvent], None], changed: tuple[Path, ...]
) -> None:
    """Run one incremental build and report it; problems are reported, never raised."""
    started = time.perf_counter()
    report: BuildReport | None = None
    try:
        report = build(
            session.paths,
            session.workspace,
            session.options,
            on_result=lambda result: on_event(BriefDone(result)),
        )
    except (BriefkitError, OSError) as exc:
        on_event(Problem(str(exc)))
    on_event(RoundDone(changed, report, time.perf_counter() - started))


class Session:
    """What the watcher knows: the sources asked for and the workspace as last loaded."""

    def __init__(
        self, paths: list[Path], workspace: Workspace, options: BuildOptions | OptionsFor
    ) -> None:
        self.paths = paths
        self.workspace = workspace
        self._options = options
        self._config_stamp = _stamp(self.config_path)

    @property
    def config_path(self) -> Path:
        """Return where briefkit.toml is, or would be."""
        return self.workspace.config_path or self.workspace.root / CONFIG_NAME

    @property
    def options(self) -> BuildOptions:
        """Return the build options under the current settings."""
        if isinstance(self._options, BuildOptions):
            return self._options
        return self._options(self.workspace)

    @property
    def out_dir(self) -> Path:
        """Return the output folder, whose changes are the watcher's own."""
        folder = self.options.out_dir or self.workspace.root / self.workspace.config.build.out
        return folder.resolve()

    def source_folders(self) -> list[Path]:
        """Return the folders holding the sources asked for (images sit beside their brief)."""
        if not self.paths:
            briefings = self.workspace.briefings
            return [briefings.resolve()] if briefings.is_dir() else []
        folders = [path if path.is_dir() else path.parent for path in self.paths]
        return [folder.resolve() for folder in folders if folder.is_dir()]

    def theme_folders(self) -> list[Path]:
        """Return the workspace's own and configured templates and styles folders that exist."""
        candidates = [self.workspace.templates, self.workspace.styles]
        theme = self.workspace.theme_folder()
        if theme is not None:
            candidates += [theme / "templates", theme / "styles"]
        return [c.resolve() for c in candidates if c.is_dir()]

    def roots(self) -> tuple[Path, ...]:
        """Return the folders to watch recursively, leaving out those inside another."""
        folders = sorted(set(self.source_folders() + self.theme_folders()))
        return tuple(f for f in folders if not any(f.is_relative_to(o) and f != o for o in folders))

    def wanted(self, change: watchfiles.Change, name: str) -> bool:
        """Tell whether a changed file can change a brief: sources, images, theme files."""
        path = Path(name)
        if is_temporary(path.name):
            return False
        is_source = path.suffix.lower() in SOURCE_SUFFIXES
        if path.is_relative_to(self.out_dir) and not is_source:
            return False
        for folder in self.theme_folders():
            if path.is_relative_to(folder):
                return not _hidden(path.relative_to(folder))
        for folder in self.source_folders():
            if path.is_relative_to(folder):
                return is_source and not _hidden(path.relative_to(folder))
        return False

    def reload_config(self, on_event: Callable[[WatchEvent], None]) -> bool:
        """Reload briefkit.toml if it changed; keep the old settings if the new ones are bad."""
        path = self.config_path
        stamp = _stamp(path)
        if stamp == self._config_stamp:
            return False
        self._config_stamp = stamp
        try:
            config = load_config(path) if path.is_file() else Config()
        except BriefkitError as exc:
            on_event(Problem(f"{exc}\n{path}: the previous settings stay in use until it is fixed"))
            return False
        self.workspace = Workspace(self.workspace.root, config, path if path.is_file() else None)
        return True


def is_temporary(name: str) -> bool:
    """Tell whether a file name is an editor's swap or backup file or a write in progress."""
    return (
        name in _TEMPORARY_NAMES
        or name.startswith((".#", "#"))
        or name.endswith(_TEMPORARY_SUFFIXES)
        or (name.startswith(".") and name.endswith(".tmp"))
    )


def _hidden(relative: Path) -> bool:
    """Tell whether a path lies in a hidden folder or is a hidden file, as sources never do."""
    return any(part.startswith(".") for part in relative.parts)


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """Return what tells a file's versions apart without reading it; None if it is missing."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


class WatchPrinter:
    """Print watch events: a line per rebuilt brief, problems on standard error."""

    def __init__(
        self,
        quiet: bool = False,
        verbose: bool = False,
        out: TextIO | None = None,
        err: TextIO | None = None,
    ) -> None:
        self.quiet = quiet
        self.verbose = verbose
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self._announced = False

    def __call__(self, event: WatchEvent) -> None:
        """Print one event."""
        if isinstance(event, BriefDone):
            self._result(event.result)
        elif isinstance(event, Problem):
            self._print(self.err, event.message)
        elif isinstance(event, Watching):
            self._watching(event)
        else:
            self._round(event)

    def _result(self, result: BriefResult) -> None:
        """Print what happened to one brief: its findings, warnings and outcome."""
        for finding in result.findings:
            self._print(self.err, finding.format())
        for warning in result.warnings:
            self._print(self.err, f"{result.source}: warning: {warning}")
        if result.failed:
            self._print(self.err, f"{_clock()} {result.source}: error: {result.error}")
        elif not result.skipped and not self.quiet:
            outputs = ", ".join(_shown(p) for p in result.outputs)
            self._print(
                self.out, f"{_clock()} built {result.source} → {outputs} in {_secs(result)}"
            )
        elif self.verbose:
            self._print(self.out, f"{_clock()} up to date {result.source}")

    def _watching(self, event: Watching) -> None:
        """Say what is watched, once (after every restart with --verbose)."""
        if self.quiet or (self._announced and not self.verbose):
            return
        self._announced = True
        shown = ", ".join(_shown(p) for p in event.paths)
        self._print(self.out, f"watching {shown} for changes; press Ctrl-C to stop")

    def _round(self, event: RoundDone) -> None:
        """Summarise the first build, and say so when a change rebuilt nothing."""
        if self.quiet or event.report is None:
            return
        results = event.report.results
        if not event.changed:
            built = sum(1 for r in results if not r.skipped and not r.failed)
            skipped = sum(1 for r in results if r.skipped)
            failed = sum(1 for r in results if r.failed)
            self._print(
                self.out,
                f"{built} built, {skipped} up to date, {failed} failed in {event.seconds:.2f} s",
            )
        elif self.verbose:
            names = ", ".join(_shown(p) for p in event.changed)
            rebuilt = any(not r.skipped for r in results)
            self._print(
                self.out, f"changed: {names}" + ("" if rebuilt else " (nothing to rebuild)")
            )

    @staticmethod
    def _print(stream: TextIO, line: str) -> None:
        """Write a line at once, so that a pipe or log sees it as it happens."""
        stream.write(line + "\n")
        stream.flush()


def _clock() -> str:
    """Return the local time of day, to tell rebuilds apart."""
    return time.strftime("%H:%M:%S")


def _secs(result: BriefResult) -> str:
    """Return how long a brief took."""
    return f"{result.seconds:.2f} s"


def _shown(path: Path) -> str:
    """Show a path relative to the current folder when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd())) or "."
    except ValueError:
        return str(path)
