"""What the last publish wrote into a folder, kept in it: files to prune, thumbnails to reuse.

Decoding a full-size cover to shrink it costs a tenth of a second, so a thumbnail is made
again only when its cover's bytes (or briefkit's version) changed since the last publish;
otherwise the file already in the folder is kept, as long as it is still the one written.
A file that the catalogue no longer has is removed if it is still as it was written.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from briefkit import __version__
from briefkit.building.output import write_if_changed

MANIFEST = ".briefkit-catalogue.json"
_SCHEMA = 1


def digest(data: bytes) -> str:
    """Return the SHA-256 of some bytes, in hex."""
    return hashlib.sha256(data).hexdigest()


@dataclass
class Manifest:
    """Each catalogue file's hash, and the hash of the cover each thumbnail was made from."""

    folder: Path
    files: dict[str, str] = field(default_factory=dict)
    thumbnails: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        """Read a folder's manifest; a missing, damaged or older one is empty."""
        try:
            data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(folder)
        if not isinstance(data, dict) or data.get("schema") != _SCHEMA:
            return cls(folder)
        files, thumbnails = _strings(data.get("files")), _strings(data.get("thumbnails"))
        # A new version may make thumbnails differently: then none is reused.
        return cls(folder, files, thumbnails if data.get("briefkit") == __version__ else {})

    def thumbnail(self, path: PurePosixPath, cover: bytes) -> bytes | None:
        """Return the thumbnail last made from this very cover, if it is still in the folder."""
        name = path.as_posix()
        if self.thumbnails.get(name) != digest(cover):
            return None
        try:
            data = (self.folder / path).read_bytes()
        except OSError:
            return None
        return data if digest(data) == self.files.get(name) else None

    def stale(self, kept: set[PurePosixPath]) -> list[Path]:
        """Remove the files written last time and not kept, if unchanged; return them."""
        removed = []
        root = self.folder.resolve()
        for name, written in sorted(self.files.items()):
            path = self.folder / name
            if PurePosixPath(name) in kept or not path.resolve().is_relative_to(root):
                continue
            # A file replaced by hand since is left alone.
            with contextlib.suppress(OSError):
                if digest(path.read_bytes()) == written:
                    path.unlink()
                    removed.append(path)
        return removed

    def save(self, files: dict[PurePosixPath, bytes], covers: dict[PurePosixPath, bytes]) -> None:
        """Record the files written and the covers of the thumbnails, if that changed anything."""
        document = {
            "schema": _SCHEMA,
            "briefkit": __version__,
            "files": {p.as_posix(): digest(d) for p, d in sorted(files.items())},
            "thumbnails": {p.as_posix(): digest(d) for p, d in sorted(covers.items())},
        }
        text = json.dumps(document, indent=1, ensure_ascii=False) + "\n"
        write_if_changed(self.folder / MANIFEST, text.encode("utf-8"))


def _strings(value: object) -> dict[str, str]:
    """Return the string-to-string entries of a mapping read from JSON."""
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}
