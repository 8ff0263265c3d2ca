"""Incremental builds: skip an output whose inputs and settings hash to what last built it.

The cache is kept per output file, beside the outputs, so building one format never forgets
another, the findings of each source are kept for ``--strict``, and the outputs of a source
that is gone can be found and removed.

The cache file is data anyone could have written, and it names paths: it only says what was
used last time. An output is judged fresh by reading the files this build reads anyway, and
only those: the source, images inside the source's folder, the workspace's logo (the theme and
the settings are in the context). An entry naming anything else is stale, and nothing it names
is opened.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from briefkit.errors import BriefkitError, Finding
from briefkit.files import FileRefused, open_append, read_regular
from briefkit.paths import shown
from briefkit.sources.images import IMAGE_TYPES, MAX_IMAGE_BYTES
from briefkit.sources.limits import MAX_SOURCE_BYTES
from briefkit.system.output import write_atomic
from briefkit.system.store import code_digest

CACHE_NAME = ".briefkit-cache.json"
LOCK_NAME = ".briefkit.lock"
# Far above the cache of hundreds of briefs; a larger file is taken as damaged, not parsed.
MAX_CACHE_BYTES = 64 * 1024 * 1024
_SCHEMA = 2


@dataclass
class Entry:
    """What built one output last time; an empty key means its last build failed."""

    source: str
    key: str
    inputs: list[str]
    size: int
    findings: list[dict[str, object]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def finding_list(self) -> list[Finding]:
        """Return the source's findings as they were when this output was built."""
        return [Finding.from_dict(item) for item in self.findings]


class BuildCache:
    """Content hashes of each output's inputs, kept in the output folder."""

    def __init__(self, path: Path, entries: dict[str, Entry], damaged: bool = False) -> None:
        self.path = path
        self.entries = entries
        self.damaged = damaged
        # The content hash of each source as fresh() read it, for those found up to date.
        self.read: dict[Path, bytes] = {}

    @classmethod
    def load(cls, out_dir: Path) -> BuildCache:
        """Read the cache of an output folder; a missing or damaged one is empty.

        A damaged cache (not JSON, or JSON of another shape) is noted, so the build can say
        why it rebuilds everything; it is then written afresh.
        """
        path = out_dir / CACHE_NAME
        if not os.path.lexists(path):
            return cls(path, {})
        try:
            # Never through a link, never a FIFO or a device: this file is only data.
            data = json.loads(read_regular(path, MAX_CACHE_BYTES))
        except (FileRefused, ValueError):
            return cls(path, {}, damaged=True)
        entries = _entries(data)
        return cls(path, entries, damaged=_damaged(data, entries))

    def fresh(
        self, output: Path, context: str, source: Path, logo: Path | None = None
    ) -> Entry | None:
        """Return the entry of an output built from exactly these inputs and settings.

        source is the one this build makes the output from and logo the workspace's; the
        entry's inputs are read only if each is one of the files this build reads anyway.
        """
        entry = self.entries.get(_key(output))
        if entry is None or not entry.key or entry.source != _key(source):
            return None
        try:
            if output.stat().st_size != entry.size:
                return None
        except OSError:
            return None
        digests = _current_digests(entry.inputs, source, logo)
        if digests is None:
            return None
        if entry.key != _hashed(context, digests):
            return None
        if _key(source) in digests:
            self.read[source] = digests[_key(source)]
        return entry

    def record(
        self,
        output: Path,
        source: Path,
        inputs: list[Path],
        context: str,
        findings: list[Finding],
        warnings: list[str],
        digests: dict[Path, bytes],
    ) -> None:
        """Remember what built an output; digests hash the inputs as the render read them.

        A source saved again during its build must not count as built, so nothing is read here.
        """
        self.entries[_key(output)] = Entry(
            source=_key(source),
            key=_hashed(context, {_key(path): digests[path] for path in inputs}),
            inputs=[_key(p) for p in inputs],
            size=output.stat().st_size,
            findings=[f.as_dict() for f in findings],
            warnings=list(warnings),
        )

    def failed(self, output: Path, source: Path) -> None:
        """Mark an output as not up to date, while remembering that it is ours."""
        entry = self.entries.get(_key(output))
        if entry is not None:
            entry.key = ""
        elif output.exists():
            self.entries[_key(output)] = Entry(_key(source), "", [], output.stat().st_size)

    def prune(self) -> list[Path]:
        """Remove the outputs of sources that no longer exist; return the files removed.

        A file is removed only while it is the one this cache recorded (same size), so an
        output the user replaced by hand is left alone, and only inside the output folder: a
        cache file is data anyone could have written, and may name any path.
        """
        removed: list[Path] = []
        folder = self.path.parent.resolve()
        for name, entry in list(self.entries.items()):
            if Path(entry.source).exists():
                continue
            output = Path(name)
            with contextlib.suppress(OSError, RuntimeError, ValueError):
                inside = output.resolve().is_relative_to(folder)
                if inside and output.stat().st_size == entry.size:
                    output.unlink()
                    removed.append(output)
            del self.entries[name]
        return sorted(removed)

    def save(self) -> None:
        """Write the cache atomically."""
        data = {
            "schema": _SCHEMA,
            "outputs": {k: asdict(v) for k, v in sorted(self.entries.items())},
        }
        text = json.dumps(data, indent=1, ensure_ascii=False)
        write_atomic(self.path, text.encode("utf-8"), root=self.path.parent)


def _entries(data: Any) -> dict[str, Entry]:
    """Return the entries of a cache document, skipping anything of the wrong shape."""
    if not isinstance(data, dict) or data.get("schema") != _SCHEMA:
        return {}
    outputs = data.get("outputs")
    if not isinstance(outputs, dict):
        return {}
    entries: dict[str, Entry] = {}
    for name, value in outputs.items():
        try:
            entry = Entry(**value)
            entry.finding_list()
        except (TypeError, ValueError, KeyError):
            continue
        if _well_typed(entry):
            entries[name] = entry
    return entries


def _well_typed(entry: Entry) -> bool:
    """Tell whether every field of an entry read from JSON holds what this version writes."""
    texts = [entry.source, entry.key]
    lists = [entry.inputs, entry.warnings]
    return (
        all(isinstance(text, str) for text in texts)
        and all(isinstance(items, list) for items in [*lists, entry.findings])
        and all(isinstance(item, str) for items in lists for item in items)
        and type(entry.size) is int
    )


def _damaged(data: Any, entries: dict[str, Entry]) -> bool:
    """Tell whether a cache document is of another shape than this version writes."""
    if not isinstance(data, dict) or data.get("schema") != _SCHEMA:
        return True
    outputs = data.get("outputs")
    return not isinstance(outputs, dict) or len(entries) != len(outputs)


def _key(path: Path) -> str:
    """Return the name a file is known by in the cache: its absolute, resolved path."""
    return str(path.resolve())


@contextlib.contextmanager
def locked(out_dir: Path) -> Iterator[None]:
    """Hold the output folder's lock: a second build into it waits for the first to end."""
    descriptor = _open_lock(out_dir)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)


def _open_lock(out_dir: Path) -> int:
    """Open (or create) the output folder's lock file: a regular file, never through a link."""
    lock = out_dir / LOCK_NAME
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        return open_append(lock)
    except FileRefused as exc:
        cause = exc.__cause__
        if isinstance(cause, OSError) and cause.errno not in (errno.ELOOP, errno.ENXIO):
            raise _unwritable(out_dir, cause) from exc
        # A link or a FIFO put there: following it would write elsewhere, or wait forever.
        raise BriefkitError(
            f"{shown(lock)}: {exc.reason}, so the output folder cannot be locked: remove it"
        ) from exc
    except OSError as exc:
        raise _unwritable(out_dir, exc) from exc


def _unwritable(out_dir: Path, exc: OSError) -> BriefkitError:
    """Say that nothing can be written into the output folder, and why."""
    # A read-only or full disk, or a file where the folder should be: nothing was written.
    return BriefkitError(f"{out_dir}: cannot write into the output folder ({exc.strerror or exc})")


def _hashed(context: str, digests: dict[str, bytes]) -> str:
    """Hash briefkit's code, the build context, and each input's name and content hash."""
    hasher = hashlib.sha256(f"{code_digest()}\n{context}\n".encode())
    for name, digest in digests.items():
        hasher.update(name.encode() + b"\0" + digest)
    return hasher.hexdigest()


def _current_digests(names: list[str], source: Path, logo: Path | None) -> dict[str, bytes] | None:
    """Return the content hash of each input an entry names, as they are now.

    None when one is not a file this build reads anyway, or cannot be read as the build reads
    it: the entry is then stale, and what it names is never opened.
    """
    digests: dict[str, bytes] = {}
    folder = source.parent.resolve()
    for name in names:
        data = _read_input(name, source, folder, logo)
        if data is None:
            return None
        digests[name] = hashlib.sha256(data).digest()
    return digests


def _read_input(name: str, source: Path, folder: Path, logo: Path | None) -> bytes | None:
    """Read an input the cache names if the build reads it anyway: source, images or logo."""
    path = Path(name)
    try:
        if name == _key(source):
            return read_regular(source, MAX_SOURCE_BYTES)
        if logo is not None and name == _key(logo):
            return read_regular(path, MAX_IMAGE_BYTES)
        if path.suffix.lower() in IMAGE_TYPES and path.is_relative_to(folder):
            return read_regular(path, MAX_IMAGE_BYTES, within=folder)
    except (FileRefused, ValueError):  # ValueError: a name holding a NUL
        return None
    return None
