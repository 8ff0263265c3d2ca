"""Temporary folders named by their process, so what a killed build leaves is found and removed.

WeasyPrint and the workers keep temporary files while a build runs. Each call that renders keeps
them in a folder of its own, ``briefkit-PID-...`` in the system's temporary folder, made and
removed within the call; a killed process cannot remove its own, so every new one first removes
those whose process is gone. Nothing here changes ``tempfile.tempdir`` or the environment of
the process that called: a library call leaves the process as it found it.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from briefkit.system.output import process_alive

PREFIX = "briefkit-"
_SCRATCH = re.compile(r"^briefkit-(\d+)-")


@dataclass
class _CallScratch:
    """A call's temporary folder, and what must let go of it before it is removed."""

    folder: Path
    on_removal: list[Callable[[], None]] = field(default_factory=list)


# Per thread (and asyncio task): two calls in two threads each have their own.
_current: ContextVar[_CallScratch | None] = ContextVar("briefkit_scratch", default=None)


def remove_abandoned_scratch(base: Path | None = None) -> None:
    """Remove the temporary folders (in base, or the system's) whose processes are gone."""
    for old in (base or system_temporary_folder()).glob(f"{PREFIX}*"):
        match = _SCRATCH.match(old.name)
        if match and old.is_dir() and not process_alive(int(match.group(1))):
            shutil.rmtree(old, ignore_errors=True)


def new_scratch(base: Path | None = None) -> Path:
    """Make a temporary folder named by this process (in the system's), removing abandoned ones."""
    base = base or system_temporary_folder()
    remove_abandoned_scratch(base)
    return Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=base))


@contextlib.contextmanager
def call_scratch() -> Iterator[Path]:
    """Keep the block's temporary files in a folder of its own, removed as the block ends.

    A block inside another (a call made by a call) keeps its files in the outer one's.
    """
    outer = _current.get()
    if outer is not None:
        yield outer.folder
        return
    scratch = _CallScratch(new_scratch())
    token = _current.set(scratch)
    try:
        yield scratch.folder
    finally:
        _current.reset(token)
        for let_go in reversed(scratch.on_removal):
            let_go()
        shutil.rmtree(scratch.folder, ignore_errors=True)


def scratch_subfolder(prefix: str, on_removal: Callable[[], None]) -> Path | None:
    """Return a new folder in the current call's scratch, or None outside one.

    on_removal is called before the scratch is removed, to drop what keeps files there.
    """
    scratch = _current.get()
    if scratch is None:
        return None
    scratch.on_removal.append(on_removal)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=scratch.folder))


def leave_call_scratch() -> None:
    """Forget the calling thread's scratch: a forked worker keeps its files in its pool's."""
    _current.set(None)


def system_temporary_folder() -> Path:
    """Return the folder tempfile would choose, without setting tempfile.tempdir or writing.

    ``tempfile.gettempdir()`` remembers its choice in ``tempfile.tempdir`` for the rest of the
    process, and writes a test file to choose it (a process killed between writing and
    removing it would leave it behind).
    """
    if tempfile.tempdir is not None:
        return Path(tempfile.tempdir)
    named = (os.environ.get(name) for name in ("TMPDIR", "TEMP", "TMP"))
    return Path(next((folder for folder in named if folder), "/tmp"))
