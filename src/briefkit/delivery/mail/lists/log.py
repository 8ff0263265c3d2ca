"""A list's send log: each address recorded the moment the server accepts its message to it.

The log lies next to the list (``list.csv`` → ``list.csv.sent.log``), one JSON object a line
(time, address, brief, subject, Message-ID), appended, flushed and synced to disk after every
accepted message. A run that stops at any instant (server down, Ctrl-C, a kill) leaves every
accepted address recorded, so the next run sends only to the others. A line cut short by a
crash is ignored and fenced off by the next run. One log serves every brief sent to the list:
a line counts for the same brief only, known by its source in the workspace and its edition
(``briefings/note.md#full``), so a brief whose title changes is not sent again. A line written
before lines named the brief (it has a subject and no brief) still counts for a message with
the same subject. A correction's lines also name the
correction (its date and a digest of its text), so each correction reaches a reader once, and
the brief's own lines say who had the earlier version.

A run holds an exclusive lock on the log from before it reads it until its last message, so
two runs to one list never both send: the second is refused at once. The log is opened as a
regular file only (never through a link, never a device or FIFO) and read up to a limit.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from briefkit.errors import BriefkitError
from briefkit.files import FileRefused, open_append, read_open, read_regular
from briefkit.model.address import address_key

LOG_SUFFIX = ".sent.log"
# A line is about 200 bytes, so this is some 300,000 messages: far more than a list's runs.
MAX_LOG_BYTES = 64 * 1024 * 1024


class SendLogBusy(BriefkitError):
    """Another run holds the send log: it is sending to the same list now."""


class LogNotWritten(BriefkitError):
    """A line could not be written to the send log (a full disk, an I/O error)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: cannot write the send log ({reason})")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class Correcting:
    """A correction sent to a list: the earlier version's subject, and which correction."""

    earlier_subject: str
    key: str


def correction_key(day: dt.date, text: str) -> str:
    """Return how the send log names a correction: its date and a digest of its text."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return f"{day.isoformat()} {digest}"


def log_path(list_path: Path) -> Path:
    """Return the send log of a distribution list: beside it, named after it."""
    return list_path.with_name(f"{list_path.name}{LOG_SUFFIX}")


class SendLog:
    """The addresses one message (its brief, or its subject) has reached, and a way to add one.

    Open it with ``with``: that locks the log for this run and reads it. Without a brief the
    message is known by its subject alone.
    """

    def __init__(
        self, path: Path, subject: str, correction: str | None = None, brief: str | None = None
    ) -> None:
        self.path = path
        self.subject = subject
        self.correction = correction
        self.brief = brief
        self._descriptor: int | None = None
        self._reached: set[str] = set()
        self._data = b""

    def reached(self) -> set[str]:
        """Return the addresses (as address_key gives them) the log records for this message."""
        self._opened()
        return set(self._reached)

    def earlier(self, subject: str) -> set[str]:
        """Return the addresses the log records for a brief sent under subject, uncorrected."""
        self._opened()
        return _recorded(self._data, _Message(subject, None, self.brief))

    def __enter__(self) -> SendLog:
        """Open and lock the log, read it, and fence off a line a crash cut short."""
        descriptor = self._open()
        try:
            self._lock(descriptor)
            data = self._read(descriptor)
        except BaseException:
            os.close(descriptor)
            raise
        self._descriptor = descriptor
        try:
            self._fence(data)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        self._data = data
        self._reached = _recorded(data, _Message(self.subject, self.correction, self.brief))
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        """Close the log, which releases its lock."""
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None

    def record(self, address: str, message_id: str) -> None:
        """Append that the server accepted the message to address, and sync it to disk."""
        entry = {
            "time": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "to": address,
            **({"brief": self.brief} if self.brief is not None else {}),
            "subject": self.subject,
            "message_id": message_id,
        }
        if self.correction is not None:
            entry["correction"] = self.correction
        self._write(json.dumps(entry, ensure_ascii=False).encode("utf-8") + b"\n")

    def _open(self) -> int:
        """Open (or create) the log as a regular file, for reading and appending."""
        try:
            return open_append(self.path, readable=True)
        except FileRefused as exc:
            raise BriefkitError(
                f"{self.path}: the send log {exc.reason}; nothing was sent"
            ) from exc

    def _lock(self, descriptor: int) -> None:
        """Take the log for this run alone, or refuse at once if another run has it."""
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SendLogBusy(
                f"{self.path}: another run is sending to this list now (it holds the send "
                "log's lock); nothing was sent: let that run finish, then run the same "
                "command again to reach anyone it missed"
            ) from None
        except OSError as exc:
            raise BriefkitError(
                f"{self.path}: cannot lock the send log ({exc.strerror}); nothing was sent"
            ) from exc

    def _read(self, descriptor: int) -> bytes:
        """Return the log's bytes, refusing a log beyond its limit."""
        size = os.fstat(descriptor).st_size
        if size > MAX_LOG_BYTES:
            raise BriefkitError(
                f"{self.path}: the send log is {size:,} bytes, more than the limit of "
                f"{MAX_LOG_BYTES:,} (64 MiB, some 300,000 messages); nothing was sent: keep "
                "only the lines of the brief being sent (its subject), or give the list a new "
                "name to start a new log"
            )
        try:
            return read_open(descriptor, self.path, MAX_LOG_BYTES)
        except FileRefused as exc:
            raise BriefkitError(
                f"{self.path}: the send log {exc.reason}; nothing was sent"
            ) from exc

    def _fence(self, data: bytes) -> None:
        """End a line a crash cut short, so the next line starts on its own; sync a new log."""
        if not data:
            _sync_folder(self.path.parent)  # a log just made must survive a crash too
        elif not data.endswith(b"\n"):
            try:
                self._write(b"\n")
            except LogNotWritten as exc:
                raise BriefkitError(f"{exc}; nothing was sent") from exc

    def _opened(self) -> int:
        """Return the open log's descriptor; the log is used only inside ``with``."""
        if self._descriptor is None:
            raise RuntimeError("the send log is not open")
        return self._descriptor

    def _write(self, data: bytes) -> None:
        """Write bytes to the end of the log and sync them, or say why they could not be."""
        try:
            _append(self._opened(), data)
        except OSError as exc:
            raise LogNotWritten(self.path, exc.strerror or str(exc)) from exc


def _append(descriptor: int, data: bytes) -> None:
    """Write all of data to the end of a file (a full disk can take part of it), then sync."""
    while data:
        data = data[os.write(descriptor, data) :]
    os.fsync(descriptor)


def earlier_readers(path: Path, subject: str, brief: str | None = None) -> set[str]:
    """Return who a log records a brief sent to under subject, reading it without a lock.

    For a look before sending (a message written, not sent): a log that does not exist yet
    records no one, and none is made.
    """
    if not path.exists() and not path.is_symlink():
        return set()
    try:
        data = read_regular(path, MAX_LOG_BYTES)
    except FileRefused as exc:
        raise BriefkitError(f"{path}: the send log {exc.reason}") from exc
    return _recorded(data, _Message(subject, None, brief))


@dataclass(frozen=True)
class _Message:
    """What a log's line must name to count for a message: brief or subject, and correction."""

    subject: str
    correction: str | None
    brief: str | None

    def counts(self, entry: dict[str, object]) -> bool:
        """Tell whether a line records this message: the same brief, or an old line's subject.

        A line with no correction is the brief itself, as first sent.
        """
        if entry.get("correction") != self.correction:
            return False
        if "brief" in entry and self.brief is not None:
            return entry["brief"] == self.brief
        # A line from before lines named their brief, or a send that names none: the subject.
        return entry.get("subject") == self.subject


def _recorded(data: bytes, message: _Message) -> set[str]:
    """Return the addresses whole lines of a log record for a message."""
    # Only whole lines count: a last line without its newline was cut short by a crash.
    found = set()
    for line in data.split(b"\n")[:-1]:
        entry = _entry(line)
        if entry is not None and message.counts(entry):
            found.add(address_key(str(entry.get("to", ""))))
    return found


def _entry(line: bytes) -> dict[str, object] | None:
    """Return one log line's entry, or None for a line that is not one."""
    try:
        entry = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return entry if isinstance(entry, dict) else None


def _sync_folder(folder: Path) -> None:
    """Sync a folder, so a log it has just gained survives a crash too."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
