"""A store, kept between builds, of what is slow to make and depends only on known inputs.

An entry is named by the hash of briefkit's code and of everything else that shapes it, so
it is never stale, only unused. It lives in the user's cache folder (``$XDG_CACHE_HOME`` or
``~/.cache``, under ``briefkit/``), is written atomically, and a store that cannot be read or
written only means the thing is made again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

from briefkit.errors import BriefkitError
from briefkit.system.output import write_atomic
from briefkit.version import __version__


def store_root() -> Path | None:
    """Return the folder the store keeps its entries in, or None when there is no cache folder."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or ".")
    if not base.is_absolute():  # the XDG rule: a relative setting is ignored
        try:
            base = Path.home() / ".cache"
        except RuntimeError:  # no home folder to be found
            return None
    return base / "briefkit"


def stored(kind: str, parts: Sequence[str], make: Callable[[], bytes]) -> bytes:
    """Return the stored bytes made from these parts, making and storing them if missing."""
    found = load(kind, parts)
    if found is not None:
        return found
    data = make()
    keep(kind, parts, data)
    return data


def load(kind: str, parts: Sequence[str]) -> bytes | None:
    """Return the entry made from these parts, if the store has it."""
    root = store_root()
    if root is None:
        return None
    try:
        return (root / kind / entry_name(parts)).read_bytes()
    except OSError:
        return None


def keep(kind: str, parts: Sequence[str], data: bytes) -> None:
    """Store the entry made from these parts, unless the store cannot be written."""
    root = store_root()
    if root is not None:
        with contextlib.suppress(BriefkitError, OSError):
            write_atomic(root / kind / entry_name(parts), data)


def entry_name(parts: Sequence[str]) -> str:
    """Return the name of the entry made from these parts by this version of briefkit."""
    hasher = hashlib.sha256(code_digest().encode())
    for part in parts:
        encoded = part.encode("utf-8", "surrogatepass")
        # Each part's length goes first, so no two lists of parts hash alike.
        hasher.update(f"{len(encoded)}:".encode() + encoded)
    return hasher.hexdigest()


def file_stamp(path: Path) -> str:
    """Return what names a file's version: its resolved path, size and modification time."""
    status = path.stat()
    return f"{path.resolve()}\0{status.st_size}\0{status.st_mtime_ns}"


@cache
def code_digest() -> str:
    """Hash briefkit's own code, so that a changed briefkit (not only a new version) rebuilds."""
    hasher = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):
        hasher.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return hasher.hexdigest()
