"""Incremental builds: skip an output whose inputs and settings hash to what last built it.

The cache is kept per output file, beside the outputs, so building one format never forgets
another, the findings of each source are kept for ``--strict``, and the outputs of a source
that is gone can be found and removed.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from briefkit import __version__
from briefkit.building.output import write_atomic
from briefkit.errors import BriefkitError, Finding

CACHE_NAME = ".briefkit-cache.json"
LOCK_NAME = ".briefkit.lock"
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

    @classmethod
    def load(cls, out_dir: Path) -> BuildCache:
        """Read the cache of an output folder; a missing or damaged one is empty.

        A damaged cache (not JSON, or JSON of another shape) is noted, so the build can say
        why it rebuilds everything; it is then written afresh.
        """
        path = out_dir / CACHE_NAME
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path, {})
        except (OSError, ValueError):
            return cls(path, {}, damaged=True)
        try:
            data = json.loads(text)
        except ValueError:
            return cls(path, {}, damaged=True)
        entries = _entries(data)
        return cls(path, entries, damaged=_damaged(data, entries))

    def fresh(self, output: Path, context: str) -> Entry | None:
        """Return the entry of an output built from exactly these inputs and settings."""
        entry = self.entries.get(_key(output))
        if entry is None or not entry.key:
            return None
        try:
            if output.stat().st_size != entry.size:
                return None
        except OSError:
            return None
        return entry if entry.key == input_key([Path(p) for p in entry.inputs], context) else None

    def record(
        self,
        output: Path,
        source: Path,
        inputs: list[Path],
        context: str,
        findings: list[Finding],
        warnings: list[str],
        digests: dict[Path, bytes] | None = None,
    ) -> None:
        """Remember what built an output; digests are the inputs' as the render read them."""
        self.entries[_key(output)] = Entry(
            source=_key(source),
            key=input_key(inputs, context, digests),
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
            with contextlib.suppress(OSError):
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
        write_atomic(self.path, json.dumps(data, indent=1, ensure_ascii=False).encode("utf-8"))


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
        if isinstance(name, str) and all(isinstance(p, str) for p in entry.inputs):
            entries[name] = entry
    return entries


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
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        handle = (out_dir / LOCK_NAME).open("a")
    except OSError as exc:
        # A read-only or full disk, or a file where the folder should be: nothing was written.
        raise BriefkitError(
            f"{out_dir}: cannot write into the output folder ({exc.strerror or exc})"
        ) from exc
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@cache
def code_digest() -> str:
    """Hash briefkit's own code, so that a changed briefkit (not only a new version) rebuilds."""
    hasher = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):
        hasher.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return hasher.hexdigest()


def input_key(inputs: list[Path], context: str, digests: dict[Path, bytes] | None = None) -> str:
    """Hash briefkit's code, the build context and every input file's path and content.

    digests gives the content hash of inputs as they were read for the output (a source
    saved again during its build must not count as built); the others are read now.
    """
    hasher = hashlib.sha256(f"{code_digest()}\n{context}\n".encode())
    known = digests or {}
    for path in inputs:
        hasher.update(_key(path).encode() + b"\0")
        hasher.update(known.get(path) or content_digest(path))
    return hasher.hexdigest()


def content_digest(path: Path) -> bytes:
    """Return the hash of a file's content as it is now, or a mark that it cannot be read."""
    try:
        return hashlib.sha256(path.read_bytes()).digest()
    except OSError:
        return b"<missing>"
