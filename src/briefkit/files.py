"""The one way briefkit opens a file a source, a list or an output folder names: safely, once.

Such files are data anyone could have placed: a symbolic link to a secret, a device that never
ends (``/dev/zero``), a FIFO that never answers. Each is opened without following a symbolic
link (``O_NOFOLLOW``), without waiting on a FIFO (``O_NONBLOCK``), judged by ``fstat`` of what
was opened (a regular file, or nothing), and read with its bytes counted as they arrive, so a
file that grows or lies about its size is stopped at the limit. Callers use the bytes read here
everywhere: a path opened twice can name another file the second time.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from briefkit.errors import BriefkitError

_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_FOLDER = os.O_RDONLY | os.O_NOFOLLOW | os.O_DIRECTORY | os.O_CLOEXEC
_CHUNK = 1 << 20


class FileRefused(BriefkitError):
    """A file cannot be used: missing, a link, not a regular file, too large, or unreadable."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def read_regular(path: Path, limit: int, *, within: Path | None = None) -> bytes:
    """Return the bytes of a regular file of at most limit bytes, opened once, never a link.

    With within, path must lie inside that folder and no folder on the way from it may be a
    symbolic link: each is opened in turn from the one before (``openat``), so a folder
    swapped for a link while this runs leads nowhere.
    """
    with open_regular(path, within=within) as descriptor:
        return _read_all(descriptor, path, limit)


@contextlib.contextmanager
def open_regular(path: Path, *, within: Path | None = None) -> Iterator[int]:
    """Open a regular file for reading without following links; yield its descriptor."""
    descriptor = _open(path, within)
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise FileRefused(path, "is not a regular file")
        yield descriptor
    finally:
        os.close(descriptor)


def open_append(path: Path, *, readable: bool = False) -> int:
    """Open (or create) a regular file for appending, never through a link; return it.

    With readable the descriptor reads too, from the start: a log read, then added to.
    """
    access = os.O_RDWR if readable else os.O_WRONLY
    flags = access | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        descriptor = os.open(path, flags, 0o644)
    except OSError as exc:
        raise FileRefused(path, _reason(exc)) from exc
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise FileRefused(path, "is not a regular file")
    return descriptor


def read_open(descriptor: int, path: Path, limit: int) -> bytes:
    """Read an open regular file to its end, refusing more than limit bytes."""
    return _read_all(descriptor, path, limit)


def _open(path: Path, within: Path | None) -> int:
    """Open path for reading, from within folder by folder when given."""
    try:
        if within is None:
            return os.open(path, _READ)
        return _open_within(path, within)
    except OSError as exc:
        raise FileRefused(path, _reason(exc)) from exc


def _open_within(path: Path, folder: Path) -> int:
    """Open a file inside folder, refusing a symbolic link at every step."""
    root = folder.resolve()
    absolute = path if path.is_absolute() else Path.cwd() / path
    try:
        parts = Path(os.path.normpath(absolute)).relative_to(root).parts
    except ValueError:
        raise FileRefused(path, "is outside the brief's folder") from None
    if not parts:
        raise FileRefused(path, "is outside the brief's folder")
    current = os.open(root, _FOLDER)
    try:
        for part in parts[:-1]:
            following = os.open(part, _FOLDER, dir_fd=current)
            os.close(current)
            current = following
        return os.open(parts[-1], _READ, dir_fd=current)
    finally:
        os.close(current)


def _read_all(descriptor: int, path: Path, limit: int) -> bytes:
    """Read to the end, refusing more than limit bytes, counted as they are read."""
    if os.fstat(descriptor).st_size > limit:
        raise FileRefused(path, f"is larger than the limit of {limit:,} bytes")
    chunks: list[bytes] = []
    total = 0
    while True:
        try:
            chunk = os.read(descriptor, min(_CHUNK, limit + 1 - total))
        except OSError as exc:
            raise FileRefused(path, _reason(exc)) from exc
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise FileRefused(path, f"is larger than the limit of {limit:,} bytes")


def _reason(exc: OSError) -> str:
    """Say in words why a file could not be opened."""
    if exc.errno == errno.ELOOP:
        return "is a symbolic link (links are not followed)"
    if exc.errno == errno.ENOTDIR:
        return "lies under a symbolic link, or under something that is not a folder"
    if exc.errno == errno.ENOENT:
        return "does not exist"
    if exc.errno == errno.ENXIO:
        return "is not a regular file"
    return f"cannot be read ({exc.strerror or exc})"
