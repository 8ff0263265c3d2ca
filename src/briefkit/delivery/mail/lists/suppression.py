"""The suppression list: addresses no list message goes to, because they left or bounced.

The file (``[email] suppression``, default ``suppressed.txt`` in the workspace) holds one
address a line, then optionally a tab and the day it was added, then a tab and why::

    # address<TAB>date<TAB>reason
    asha@example.org	2026-12-03	unsubscribed (one-click, weekly.example.org)
    old@example.org	2026-12-04	bounced (5.1.1)

Blank lines and lines starting with ``#`` are ignored. Addresses compare as the send log
compares them (``address_key``). The file is read as a regular file only (never through a
link), up to a limit; each bad line is named by its line. Additions are appended under an
exclusive lock, and a removal rewrites the file atomically under the same lock, so the
unsubscribe endpoint, ``briefkit bounces`` and ``briefkit suppress`` can all add at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from briefkit.config import Workspace
from briefkit.delivery.mail.lists.readers import DistributionList, Recipient
from briefkit.errors import BriefkitError
from briefkit.files import FileRefused, open_append, read_open, read_regular
from briefkit.model.address import address_key, checked_address, header_problem
from briefkit.system.output import write_atomic

# A line is some 60 bytes, so this is a quarter of a million addresses.
MAX_SUPPRESSION_BYTES = 16 * 1024 * 1024
MAX_REASON_CHARACTERS = 400
# How long an addition waits for another writer to finish before giving up.
LOCK_SECONDS = 10.0
BY_HAND = "added by hand"
HEADER = "# address\tdate\treason: list messages never go to these addresses (briefkit)\n"


@dataclass(frozen=True)
class Suppressed:
    """One suppressed address: when and why it was added, and its line."""

    address: str
    day: str
    reason: str
    line: int

    @property
    def key(self) -> str:
        """Return the address as the send log compares it."""
        return address_key(self.address)

    @property
    def kind(self) -> str:
        """Return the kind of reason: unsubscribed, bounced, or other."""
        first = self.reason.split(" ", 1)[0].lower()
        return first if first in ("unsubscribed", "bounced") else "other"


@dataclass(frozen=True)
class Honoured:
    """A list with its suppressed readers taken out, and who they were."""

    readers: DistributionList
    skipped: list[Suppressed]

    def summary(self, path: Path) -> str:
        """Say how many readers were skipped, and why, in one line."""
        kinds = Counter(entry.kind for entry in self.skipped)
        words = {"unsubscribed": "unsubscribed", "bounced": "bounced", "other": "added by hand"}
        parts = ", ".join(f"{kinds[kind]} {words[kind]}" for kind in words if kinds[kind])
        count = len(self.skipped)
        readers = "reader" if count == 1 else "readers"
        return f"skipped {count} {readers} on the suppression list {path}: {parts}"


def suppression_path(space: Workspace) -> Path:
    """Return a workspace's suppression list: ``[email] suppression``, in the workspace."""
    return space.root / space.config.email.suppression


def change(
    space: Workspace, addresses: Iterable[str], reason: str, *, remove: bool = False
) -> list[Suppressed]:
    """Add addresses to a workspace's suppression list, or take them off; return the changed."""
    path = suppression_path(space)
    return take_off(path, addresses) if remove else add(path, addresses, reason or BY_HAND)


def read_suppressed(path: Path) -> dict[str, Suppressed]:
    """Return the suppressed addresses by key; a missing file suppresses no one."""
    if not path.exists() and not path.is_symlink():
        return {}
    try:
        data = read_regular(path, MAX_SUPPRESSION_BYTES)
    except FileRefused as exc:
        raise BriefkitError(f"{path}: error: the suppression list {exc.reason}") from exc
    return _parsed(path, data)


def honour(readers: DistributionList, path: Path) -> Honoured:
    """Return the list without the readers on the suppression list at path."""
    try:
        suppressed = read_suppressed(path)
    except BriefkitError as exc:
        raise BriefkitError(f"{exc}\nnothing was sent") from exc
    kept: list[Recipient] = []
    skipped: list[Suppressed] = []
    for reader in readers.recipients:
        found = suppressed.get(reader.key)
        if found is None:
            kept.append(reader)
        else:
            skipped.append(found)
    return Honoured(replace(readers, recipients=kept), skipped)


def without_suppressed(
    readers: DistributionList, space: Workspace, tell: Callable[[str], object]
) -> DistributionList:
    """Return the list without its suppressed readers, telling how many were skipped."""
    path = suppression_path(space)
    found = honour(readers, path)
    if found.skipped:
        tell(found.summary(path))
    return found.readers


def _parsed(path: Path, data: bytes) -> dict[str, Suppressed]:
    """Return the entries of a suppression list's bytes, refusing it naming every bad line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BriefkitError(f"{path}: error: not UTF-8 text ({exc.reason})") from exc
    found: dict[str, Suppressed] = {}
    errors: list[str] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        entry = _entry(line.rstrip("\r"), number)
        if isinstance(entry, str):
            errors.append(f"{path}:{number}: error: {entry}")
        else:
            found.setdefault(entry.key, entry)
    if errors:
        raise BriefkitError("\n".join(errors))
    return found


def _entry(line: str, number: int) -> Suppressed | str:
    """Return one line's entry, or say what is wrong with it."""
    address, day, reason = [*line.split("\t", 2), "", ""][:3]
    address = address.strip()
    problem = address_problem(address)
    if problem:
        return f"{address!r} {problem}"
    if day.strip() and _day_problem(day.strip()):
        return f"{day.strip()!r} is not a date such as 2026-12-03"
    return Suppressed(address, day.strip(), reason.strip(), number)


def address_problem(text: str) -> str | None:
    """Say why text is not one bare address (name@example.org), or return None."""
    found = checked_address(text)
    if isinstance(found, str):
        return found
    if found.display_name or found.addr_spec != text:
        return "is not a bare address such as name@example.org"
    return None


def reason_problem(reason: str) -> str | None:
    """Say why text cannot be a reason on a suppression line, or return None."""
    if "\t" in reason:
        return "contains a tab"
    if len(reason) > MAX_REASON_CHARACTERS:
        return f"is longer than {MAX_REASON_CHARACTERS} characters"
    return header_problem(reason)


def _day_problem(day: str) -> bool:
    """Tell whether text is not an ISO date."""
    try:
        dt.date.fromisoformat(day)
    except ValueError:
        return True
    return False


def add(path: Path, addresses: Iterable[str], reason: str) -> list[Suppressed]:
    """Append each address not yet suppressed, with today's date and reason; return the new.

    Addresses must be bare and reason a single line: both are checked here, as they may come
    from a request or a message anyone could have sent.
    """
    wanted = _checked(addresses, reason)
    with locked(path) as descriptor:
        present = _parsed(path, read_open(descriptor, path, MAX_SUPPRESSION_BYTES))
        new = _new_entries(wanted, present, reason)
        if new:
            _append(descriptor, path, _lines(new, header=os.fstat(descriptor).st_size == 0))
    return new


def take_off(path: Path, addresses: Iterable[str]) -> list[Suppressed]:
    """Take addresses off the list, rewriting it atomically; return the entries taken off."""
    keys = {address_key(a) for a in _checked(addresses, "")}
    with locked(path) as descriptor:
        data = read_open(descriptor, path, MAX_SUPPRESSION_BYTES)
        present = _parsed(path, data)
        gone = [entry for key, entry in present.items() if key in keys]
        if gone:
            kept = _without(data.decode("utf-8-sig"), keys)
            write_atomic(path, kept.encode("utf-8"))
    return gone


def _checked(addresses: Iterable[str], reason: str) -> list[str]:
    """Return the addresses, refusing a bad one or a bad reason."""
    wanted = [a.strip() for a in addresses]
    for address in wanted:
        problem = address_problem(address)
        if problem:
            raise BriefkitError(f"{address!r} {problem}; nothing was changed")
    problem = reason_problem(reason)
    if problem:
        raise BriefkitError(f"the reason {reason!r} {problem}; nothing was changed")
    return wanted


def _new_entries(
    wanted: list[str], present: dict[str, Suppressed], reason: str
) -> list[Suppressed]:
    """Return entries for the addresses not on the list yet, each once."""
    today = dt.datetime.now(dt.UTC).date().isoformat()
    new: dict[str, Suppressed] = {}
    for address in wanted:
        key = address_key(address)
        if key not in present and key not in new:
            new[key] = Suppressed(address, today, reason, 0)
    return list(new.values())


def _lines(entries: list[Suppressed], *, header: bool) -> bytes:
    """Return the lines that record entries, after the header for a new file."""
    text = "".join(f"{e.address}\t{e.day}\t{e.reason}\n" for e in entries)
    return ((HEADER if header else "") + text).encode("utf-8")


def _without(text: str, keys: set[str]) -> str:
    """Return a list's text without the lines of the given addresses."""
    kept = []
    for line in text.split("\n"):
        address = line.split("\t", 1)[0].strip()
        if address_problem(address) or address_key(address) not in keys:
            kept.append(line)
    return "\n".join(kept)


@contextlib.contextmanager
def locked(path: Path) -> Iterator[int]:
    """Open (or create) the list and hold its lock; yield a descriptor reading from its start.

    A removal replaces the file, so a writer that waited for the lock checks it still holds
    the file the name gives, and opens it again if not.
    """
    deadline = time.monotonic() + LOCK_SECONDS
    while True:
        descriptor = _open(path)
        try:
            _lock(descriptor, path, deadline)
            if _same_file(descriptor, path):
                break
        except BaseException:
            os.close(descriptor)
            raise
        os.close(descriptor)
    try:
        yield descriptor
    finally:
        os.close(descriptor)


def _open(path: Path) -> int:
    """Open the list for reading and appending, as a regular file, never through a link."""
    try:
        return open_append(path, readable=True)
    except FileRefused as exc:
        raise BriefkitError(f"{path}: error: the suppression list {exc.reason}") from exc


def _lock(descriptor: int, path: Path, deadline: float) -> None:
    """Take the list's lock, waiting for another writer until the deadline."""
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise BriefkitError(
                    f"{path}: error: another process has held the suppression list for "
                    f"{LOCK_SECONDS:g} seconds; nothing was changed: try again"
                ) from None
            time.sleep(0.02)


def _same_file(descriptor: int, path: Path) -> bool:
    """Tell whether an open descriptor is still the file the path names."""
    try:
        named = os.lstat(path)
    except FileNotFoundError:
        return False
    opened = os.fstat(descriptor)
    return (named.st_dev, named.st_ino) == (opened.st_dev, opened.st_ino)


def _append(descriptor: int, path: Path, data: bytes) -> None:
    """Write all of data to the end of the list and sync it, or say why it could not be."""
    try:
        while data:
            data = data[os.write(descriptor, data) :]
        os.fsync(descriptor)
    except OSError as exc:
        raise BriefkitError(
            f"{path}: error: cannot write the suppression list ({exc.strerror or exc})"
        ) from exc
