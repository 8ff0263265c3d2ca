"""A list's send log: each address recorded the moment the server accepts its message to it.

The log lies next to the list (``list.csv`` → ``list.csv.sent.log``), one JSON object a line
(time, address, subject, Message-ID), appended, flushed and synced to disk after every accepted
message. A run that stops at any instant (server down, Ctrl-C, a kill) leaves every accepted
address recorded, so the next run sends only to the others. A line cut short by a crash is
ignored and fenced off by the next run. One log serves every brief sent to the list: a line
counts for the message with the same subject only.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from briefkit.errors import BriefkitError

LOG_SUFFIX = ".sent.log"


def log_path(list_path: Path) -> Path:
    """Return the send log of a distribution list: beside it, named after it."""
    return list_path.with_name(f"{list_path.name}{LOG_SUFFIX}")


class SendLog:
    """The addresses one message (known by its subject) has reached, and a way to add one."""

    def __init__(self, path: Path, subject: str) -> None:
        self.path = path
        self.subject = subject
        self._stream: BinaryIO | None = None

    def reached(self) -> set[str]:
        """Return the addresses (in lower case) the log records for this message."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return set()
        except OSError as exc:
            raise BriefkitError(f"{self.path}: cannot read the send log ({exc.strerror})") from exc
        # Only whole lines count: a last line without its newline was cut short by a crash.
        lines = data.split(b"\n")[:-1]
        found = set()
        for line in lines:
            entry = _entry(line)
            if entry is not None and entry.get("subject") == self.subject:
                found.add(str(entry.get("to", "")).lower())
        return found

    def __enter__(self) -> SendLog:
        """Open the log for appending, fencing off a line a crash cut short."""
        created = not self.path.exists()
        try:
            self._stream = self.path.open("ab")
            if not created and self.path.stat().st_size and not _ends_with_newline(self.path):
                self._write(b"\n")
        except OSError as exc:
            raise BriefkitError(f"{self.path}: cannot write the send log ({exc.strerror})") from exc
        if created:
            _sync_folder(self.path.parent)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        """Close the log."""
        if self._stream is not None:
            self._stream.close()
            self._stream = None

    def record(self, address: str, message_id: str) -> None:
        """Append that the server accepted the message to address, and sync it to disk."""
        entry = {
            "time": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "to": address,
            "subject": self.subject,
            "message_id": message_id,
        }
        self._write(json.dumps(entry, ensure_ascii=False).encode("utf-8") + b"\n")

    def _write(self, data: bytes) -> None:
        """Write bytes in one call, then flush and fsync them."""
        if self._stream is None:
            raise RuntimeError("the send log is not open")
        self._stream.write(data)
        self._stream.flush()
        os.fsync(self._stream.fileno())


def _entry(line: bytes) -> dict[str, object] | None:
    """Return one log line's entry, or None for a line that is not one."""
    try:
        entry = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return entry if isinstance(entry, dict) else None


def _ends_with_newline(path: Path) -> bool:
    """Tell whether a file's last byte is a newline."""
    with path.open("rb") as stream:
        stream.seek(-1, os.SEEK_END)
        return stream.read(1) == b"\n"


def _sync_folder(folder: Path) -> None:
    """Sync a folder, so a log it has just gained survives a crash too."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
