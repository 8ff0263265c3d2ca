"""The one place that writes files: atomically, so a reader never sees a half-written output."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path

from briefkit.errors import BriefkitError

TEMPORARY_SUFFIX = ".tmp"
_TEMPORARY = re.compile(r"^\..+\.(\d+)\.[^.]+\.tmp$")


def write_atomic(path: Path, data: bytes) -> None:
    """Write data to a temporary file beside path, flush it to disk, then rename it over path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # The process id in the name lets a later build remove what a killed one left behind.
    prefix = f".{path.name}.{os.getpid()}."
    handle, name = tempfile.mkstemp(prefix=prefix, suffix=TEMPORARY_SUFFIX, dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        temporary.chmod(0o644)
        temporary.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise BriefkitError(f"{path}: cannot write the file ({exc.strerror or exc})") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


def remove_abandoned(folder: Path) -> list[Path]:
    """Remove the temporary files that killed processes left in folder; return them."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for path in folder.rglob(f".*{TEMPORARY_SUFFIX}"):
        match = _TEMPORARY.match(path.name)
        if match and not process_alive(int(match.group(1))):
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed


def process_alive(pid: int) -> bool:
    """Tell whether a process with this id is running on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write data atomically unless the file already holds exactly these bytes; tell if it wrote.

    An unchanged file keeps its modification time, so a sync to a web server copies nothing.
    """
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except OSError:
        pass  # missing or unreadable: write it
    write_atomic(path, data)
    return True
