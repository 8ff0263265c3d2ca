"""What the last publish wrote into a folder, kept in it: files to prune, work to reuse.

Two things are costly and rarely change, so they are kept from one publish to the next:
shrinking a full-size cover (a tenth of a second to decode it), and reading a source again
for its description (its checks load every font). A thumbnail is made again only when its
cover's bytes changed, and a source read again only when its bytes or the defaults it
inherits did; a new briefkit version starts afresh.

A file the catalogue had last time and not now is removed, if it is still as it was: a feed
or the page; the files of an edition no longer published (facts-only, turned off); and the
cover and thumbnail of a brief whose source is gone (the build removed its EPUB and PDF).
The files of a brief merely left out of this publish (PATHS naming others) are kept; those of
a brief made a draft since (draft: true) are removed, its EPUB, PDF and HTML page with them. Nothing
here names a file outside the folder, which may be copied to a public web server.

The manifest is data anyone could have written: one of another shape, or with values of the
wrong types, counts as absent; and every file it leads to is read as a regular file inside the
folder, never through a link, a FIFO or a device.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from briefkit.delivery.catalogue.entries import Description
from briefkit.files import FileRefused, open_regular, read_regular
from briefkit.sources.images import MAX_IMAGE_BYTES
from briefkit.system.output import write_if_changed
from briefkit.version import __version__

MANIFEST = ".briefkit-catalogue.json"
# Far above the record of hundreds of briefs; a larger file is taken as damaged, not parsed.
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
_SCHEMA = 1
_CHUNK = 1 << 20


def digest(data: bytes) -> str:
    """Return the SHA-256 of some bytes, in hex."""
    return hashlib.sha256(data).hexdigest()


@dataclass
class Manifest:
    """Each catalogue file's hash and brief, each thumbnail's cover, each edition's description.

    A brief is known by the path of its full edition without suffix ("2025/note").
    """

    folder: Path
    files: dict[str, str] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)
    thumbnails: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        """Read a folder's manifest; a missing, damaged or older one is empty."""
        try:
            data = json.loads(read_regular(folder / MANIFEST, MAX_MANIFEST_BYTES))
        except (FileRefused, ValueError):
            return cls(folder)
        if not isinstance(data, dict) or data.get("schema") != _SCHEMA:
            return cls(folder)
        files, owners = _strings(data.get("files")), _strings(data.get("owners"))
        if data.get("briefkit") != __version__:
            return cls(folder, files, owners)  # it may make thumbnails and descriptions anew
        descriptions = data.get("descriptions")
        return cls(
            folder,
            files,
            owners,
            _strings(data.get("thumbnails")),
            descriptions if isinstance(descriptions, dict) else {},
        )

    def thumbnail(self, path: PurePosixPath, cover: bytes) -> bytes | None:
        """Return the thumbnail last made from this very cover, if it is still in the folder."""
        name = path.as_posix()
        if self.thumbnails.get(name) != digest(cover):
            return None
        try:
            data = read_regular(self.folder / path, MAX_IMAGE_BYTES, within=self.folder)
        except FileRefused:
            return None
        return data if digest(data) == self.files.get(name) else None

    def description(self, edition: PurePosixPath, key: str) -> Description | None:
        """Return the description kept for an edition (by its EPUB) of a source known by key."""
        kept = self.descriptions.get(edition.as_posix())
        if not isinstance(kept, dict) or kept.get("key") != key:
            return None
        return Description.from_json(kept.get("description"))

    def stale(
        self, kept: set[PurePosixPath], published: set[str], withdrawn: set[str] | None = None
    ) -> list[Path]:
        """Remove what the catalogue had last time and has no longer (see above); return it.

        published names the briefs this publish lists, each by its full edition's stem;
        withdrawn those it leaves out as drafts now, whose files go as a gone brief's do.
        """
        gone = withdrawn or set()
        removed = []
        root = self.folder.resolve()
        for name, written in sorted(self.files.items()):
            path = self.folder / name
            if PurePosixPath(name) in kept or not _inside(root, path):
                continue
            brief = self.owners.get(name)
            left_out = brief and brief not in published and brief not in gone
            if left_out and (self.folder / f"{brief}.epub").exists():
                continue  # a brief left out of this publish, not gone
            # A file replaced by hand since is left alone.
            with contextlib.suppress(OSError):
                if file_digest(self.folder, PurePosixPath(name)) == written:
                    path.unlink()
                    removed.append(path)
        return removed

    def save(
        self,
        files: dict[PurePosixPath, str],
        owners: dict[PurePosixPath, str],
        covers: dict[PurePosixPath, bytes],
        descriptions: dict[PurePosixPath, tuple[str, Description]],
    ) -> None:
        """Record the catalogue's files and briefs, the thumbnails' covers, the descriptions.

        files holds the hash of every file the catalogue has: those it wrote, and the EPUBs
        and PDFs it lists; owners names the brief of each file that belongs to one.
        """
        document = {
            "schema": _SCHEMA,
            "briefkit": __version__,
            "files": {p.as_posix(): d for p, d in sorted(files.items())},
            "owners": {p.as_posix(): brief for p, brief in sorted(owners.items())},
            "thumbnails": {p.as_posix(): digest(d) for p, d in sorted(covers.items())},
            "descriptions": {
                p.as_posix(): {"key": key, "description": d.as_json()}
                for p, (key, d) in sorted(descriptions.items())
            },
        }
        text = json.dumps(document, indent=1, ensure_ascii=False) + "\n"
        write_if_changed(self.folder / MANIFEST, text.encode("utf-8"), root=self.folder)


def file_digest(folder: Path, path: PurePosixPath) -> str | None:
    """Return the SHA-256 of a regular file inside folder, read in chunks; None if refused."""
    hasher = hashlib.sha256()
    try:
        with open_regular(folder / path, within=folder) as descriptor:
            while chunk := os.read(descriptor, _CHUNK):
                hasher.update(chunk)
    except (FileRefused, OSError, ValueError):
        return None
    return hasher.hexdigest()


def _inside(root: Path, path: Path) -> bool:
    """Tell whether a path a manifest names lies inside the (resolved) folder, links resolved."""
    try:
        return path.resolve().is_relative_to(root)
    except (OSError, RuntimeError, ValueError):  # a loop of links, or a name holding a NUL
        return False


def _strings(value: object) -> dict[str, str]:
    """Return the string-to-string entries of a mapping read from JSON."""
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}
