"""The one place that writes files: atomically, so a reader never sees a half-written output.

An output folder is data anyone could have arranged: a folder inside it may be a symbolic link
to somewhere else. Given the output folder as root, a write is refused unless the file's folder,
once every link on the way is resolved, lies inside that folder's real place.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from briefkit.errors import BriefkitError
from briefkit.files import FileRefused, read_regular
from briefkit.paths import shown

TEMPORARY_SUFFIX = ".tmp"
_TEMPORARY = re.compile(r"^\..+\.(\d+)\.[^.]+\.tmp$")


def write_atomic(path: Path, data: bytes, root: Path | None = None) -> None:
    """Write data to a temporary file beside path, flush it to disk, then rename it over path.

    With root, path's folder must lie inside root once resolved (see :func:`refuse_escapes`);
    nothing is made otherwise, not even a folder.
    """
    if root is not None:
        refuse_escapes(root, [path])
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


def refuse_escapes(root: Path, paths: Iterable[Path]) -> None:
    """Refuse files whose folder a symbolic link leads out of root, naming the first such link.

    Every folder on the way from root to each file's own is resolved in turn; links that stay
    inside root are fine.
    """
    real_root = _real(root)
    # Each folder once: a build's hundreds of files lie in a few folders.
    for folder, path in {path.parent: path for path in paths}.items():
        link = _leading_out(root, real_root, folder)
        if link is not None:
            raise BriefkitError(
                f"{shown(link)}: a symbolic link leads out of {shown(root)}, so {shown(path)} "
                "would be written outside it: remove the link"
            )


def _leading_out(root: Path, real_root: Path | None, folder: Path) -> Path | None:
    """Return the first folder from root to folder that resolves outside root, or None."""
    try:
        parts = folder.absolute().relative_to(root.absolute()).parts
    except ValueError:
        return folder
    step = root
    for part in parts:
        step = step / part
        real = _real(step)
        if real is None or real_root is None or not real.is_relative_to(real_root):
            return step
    return None


def _real(path: Path) -> Path | None:
    """Return where path really is, links resolved; None for a loop or an impossible name."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return None


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


def write_if_changed(path: Path, data: bytes, root: Path | None = None) -> bool:
    """Write data atomically unless the file already holds exactly these bytes; tell if it wrote.

    An unchanged file keeps its modification time, so a sync to a web server copies nothing.
    The file is compared only if it is a regular file (never a link, a FIFO or a device) of
    no more bytes than data; anything else is replaced.
    """
    with contextlib.suppress(FileRefused):
        if read_regular(path, len(data)) == data:
            return False
    write_atomic(path, data, root)
    return True
