"""The one place that writes files: atomically, so a reader never sees a half-written output."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from briefkit.errors import BriefkitError


def write_atomic(path: Path, data: bytes) -> None:
    """Write data to a temporary file beside path, flush it to disk, then rename it over path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
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
