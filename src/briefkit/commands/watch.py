"""``briefkit watch``: build, then rebuild whenever a source, image, theme file or setting changes.

Each rebuild plans the watcher's request afresh (briefkit.toml may have changed) and runs the
pipeline on it: an ordinary incremental build, whose cache skips outputs whose source, images,
theme, settings and options are unchanged.
Its worker processes (two, by the command's default: a brief's PDF renders in one while its
other formats render in the other) last the whole session, so WeasyPrint is loaded once and
keeps its fonts and parsed stylesheets between rebuilds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

import watchfiles

from briefkit.building.pipeline import BriefResult, BuildPool, BuildReport, build
from briefkit.building.plan import Request, make_plan, resolve_jobs, resolve_out
from briefkit.config import CONFIG_NAME, Config, Workspace, load_config
from briefkit.errors import BriefkitError
from briefkit.rendering.render import release_engines
from briefkit.sources.discover import hidden
from briefkit.sources.images import IMAGE_TYPES
from briefkit.system.workers import worker_count

# Workers the command keeps warm unless told otherwise: a brief's PDF and its other formats.
DEFAULT_WORKERS = 2
SOURCE_SUFFIXES = frozenset({".md", *IMAGE_TYPES})
# Editors' swap and backup files and atomic-write temporaries: never inputs, often written.
_TEMPORARY_SUFFIXES = (".tmp", ".swp", ".swo", ".swx", ".bak", ".part", "~", "___jb_tmp___")
_TEMPORARY_NAMES = frozenset({"4913", ".DS_Store"})
# What tells a file's versions apart without reading it: inode, modification time, size.
Stamp = tuple[int, int, int] | None


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
    on_event: Callable[[WatchEvent], None],
    stop_event: StopEvent | None = None,
    *,
    request: Request | None = None,
    debounce_ms: int = 1600,
    step_ms: int = 10,
    poll_ms: int = 500,
) -> None:
    """Build, then rebuild on each change until stop_event is set or Ctrl-C interrupts.

    request is planned afresh for every build; what it leaves out comes from briefkit.toml,
    read again when it changes. Ctrl-C raises KeyboardInterrupt. A change is acted on once no
    further change has come for step_ms, or debounce_ms after the first one in a burst.
    """
    session = Session(workspace, replace(request or Request(), paths=tuple(paths)))
    with session.workers:
        _watch(session, on_event, stop_event, debounce_ms, step_ms, poll_ms)


def _watch(
    session: Session,
    on_event: Callable[[WatchEvent], None],
    stop_event: StopEvent | None,
    debounce_ms: int,
    step_ms: int,
    poll_ms: int,
) -> None:
    """Build, then rebuild on each change, in the session's workers."""
    before = session.snapshot()
    rebuild(session, on_event, ())
    pending: set[Path] = set()
    while not (stop_event is not None and stop_event.is_set()):
        roots = session.roots()
        on_event(Watching((*roots, session.config_path)))
        started = False
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
            if not started:
                # A file saved after the last build began and before this watcher started
                # has no event: its stamp tells.
                changed |= session.changed_since(before)
                started = True
            if session.reload_config(on_event):
                changed.add(session.config_path)
            moved = set(session.roots()) ^ set(roots)
            if moved:
                # Watch the new set of folders first, then build what changed meanwhile.
                pending = changed | moved
                break
            pending = set()
            if changed:
                before = session.snapshot()
                rebuild(session, on_event, tuple(sorted(changed)))


def rebuild(
    session: Session, on_event: Callable[[WatchEvent], None], changed: tuple[Path, ...]
) -> None:
    """Run one incremental build and report it; problems are reported, never raised."""
    started = time.perf_counter()
    report: BuildReport | None = None
    try:
        plan = make_plan(session.workspace, session.request)
        report = build(plan, _Reporter(on_event), session.workers)
    except (BriefkitError, OSError) as exc:
        on_event(Problem(str(exc)))
    on_event(RoundDone(changed, report, time.perf_counter() - started))


class _Reporter:
    """Turn a build's progress into watch events."""

    def __init__(self, on_event: Callable[[WatchEvent], None]) -> None:
        self.on_event = on_event

    def planned(self, count: int) -> None:
        """Say nothing: a watcher reports briefs as they finish."""
        del count

    def finished(self, result: BriefResult) -> None:
        """Report one brief."""
        self.on_event(BriefDone(result))


class Session:
    """What the watcher knows: the sources asked for and the workspace as last loaded."""

    def __init__(self, workspace: Workspace, request: Request) -> None:
        self.workspace = workspace
        self.request = request
        self._config_stamp = _stamp(self.config_path)
        # Kept for the whole session, so WeasyPrint stays loaded in its workers.
        size = worker_count(resolve_jobs(workspace, request.jobs))
        self.workers = BuildPool(size, release_engines)

    @property
    def config_path(self) -> Path:
        """Return where briefkit.toml is, or would be."""
        return self.workspace.config_path or self.workspace.root / CONFIG_NAME

    @property
    def out_dir(self) -> Path:
        """Return the output folder, whose changes are the watcher's own."""
        return resolve_out(self.workspace, self.request.out).resolve()

    @property
    def paths(self) -> tuple[Path, ...]:
        """Return the sources and folders asked for (none: the workspace's briefings/)."""
        return self.request.paths

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
                return not hidden(path, folder)
        for folder in self.source_folders():
            if path.is_relative_to(folder):
                return is_source and not hidden(path, folder)
        return False

    def snapshot(self) -> dict[Path, Stamp]:
        """Return the stamp of every file under the watched folders whose change counts."""
        files: dict[Path, Stamp] = {}
        for root in self.roots():
            for path in root.rglob("*"):
                if self.wanted(watchfiles.Change.modified, str(path)) and path.is_file():
                    files[path] = _stamp(path)
        return files

    def changed_since(self, before: dict[Path, Stamp]) -> set[Path]:
        """Return the files added, changed or removed since the snapshot before."""
        now = self.snapshot()
        return {path for path in before.keys() | now.keys() if before.get(path) != now.get(path)}

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


def _stamp(path: Path) -> Stamp:
    """Return what tells a file's versions apart without reading it; None if it is missing."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)
