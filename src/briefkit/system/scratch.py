"""Temporary folders named by their process, so what a killed build leaves is found and removed.

WeasyPrint and the workers keep temporary files while a build runs. Each process that builds
keeps them in a folder of its own, ``briefkit-PID-...`` in the system's temporary folder,
removed as the process ends; a killed process cannot remove its own, so every build first
removes those whose process is gone.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
from pathlib import Path

from briefkit.system.output import process_alive

PREFIX = "briefkit-"
_SCRATCH = re.compile(r"^briefkit-(\d+)-")
_own: list[Path] = []


def remove_abandoned_scratch(base: Path) -> None:
    """Remove the temporary folders in base whose processes are no longer running."""
    for old in base.glob(f"{PREFIX}*"):
        match = _SCRATCH.match(old.name)
        if match and old.is_dir() and not process_alive(int(match.group(1))):
            shutil.rmtree(old, ignore_errors=True)


def new_scratch(base: Path) -> Path:
    """Make a temporary folder in base named by this process, after removing abandoned ones."""
    remove_abandoned_scratch(base)
    return Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=base))


def use_process_scratch() -> Path:
    """Make this process keep its temporary files in a folder of its own, until it exits.

    The folder lasts as long as the process, not one build: WeasyPrint's font configuration,
    kept warm between builds, keeps its files there.
    """
    if _own:
        return _own[0]
    folder = new_scratch(_system_temporary_folder())
    _own.append(folder)
    tempfile.tempdir = str(folder)
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _system_temporary_folder() -> Path:
    """Return the folder tempfile would choose, without the test file it writes to choose it.

    A process killed between writing that file and removing it would leave it behind.
    """
    if tempfile.tempdir is not None:
        return Path(tempfile.tempdir)
    named = (os.environ.get(name) for name in ("TMPDIR", "TEMP", "TMP"))
    return Path(next((folder for folder in named if folder), "/tmp"))
