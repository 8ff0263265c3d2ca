"""Incremental builds: skip a brief whose inputs and options hash to what built its outputs."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from briefkit import __version__
from briefkit.building.output import write_atomic

CACHE_NAME = ".briefkit-cache.json"
_SCHEMA = 1


@dataclass
class Entry:
    """What built a brief's outputs last time."""

    key: str
    inputs: list[str]
    outputs: dict[str, int] = field(default_factory=dict)


class BuildCache:
    """Content hashes of each brief's inputs, kept beside the outputs."""

    def __init__(self, path: Path, entries: dict[str, Entry]) -> None:
        self.path = path
        self.entries = entries

    @classmethod
    def load(cls, out_dir: Path) -> BuildCache:
        """Read the cache of an output folder; a missing or damaged cache is empty."""
        path = out_dir / CACHE_NAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("schema") != _SCHEMA:
                return cls(path, {})
            entries = {k: Entry(**v) for k, v in data["entries"].items()}
        except (OSError, ValueError, TypeError, KeyError):
            return cls(path, {})
        return cls(path, entries)

    def fresh(self, source: Path, context: str, outputs: dict[str, Path]) -> bool:
        """Tell whether a brief's outputs were built from exactly these inputs and settings."""
        entry = self.entries.get(str(source.resolve()))
        if entry is None or set(entry.outputs) != {p.name for p in outputs.values()}:
            return False
        for path in outputs.values():
            try:
                if path.stat().st_size != entry.outputs[path.name]:
                    return False
            except OSError:
                return False
        return entry.key == input_key([Path(p) for p in entry.inputs], context)

    def record(self, source: Path, inputs: list[Path], context: str, outputs: list[Path]) -> None:
        """Remember what built a brief's outputs."""
        self.entries[str(source.resolve())] = Entry(
            key=input_key(inputs, context),
            inputs=[str(p.resolve()) for p in inputs],
            outputs={p.name: p.stat().st_size for p in outputs},
        )

    def forget(self, source: Path) -> None:
        """Drop a brief, so its next build is not skipped."""
        self.entries.pop(str(source.resolve()), None)

    def save(self) -> None:
        """Write the cache atomically."""
        data = {
            "schema": _SCHEMA,
            "entries": {k: vars(v) for k, v in sorted(self.entries.items())},
        }
        write_atomic(self.path, json.dumps(data, indent=1).encode("utf-8"))


def input_key(inputs: list[Path], context: str) -> str:
    """Hash the version, the build context and every input file's path and content."""
    hasher = hashlib.sha256(f"{__version__}\n{context}\n".encode())
    for path in inputs:
        hasher.update(str(path.resolve()).encode() + b"\0")
        try:
            hasher.update(path.read_bytes())
        except OSError:
            hasher.update(b"<missing>")
    return hasher.hexdigest()
