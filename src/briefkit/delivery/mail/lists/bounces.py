"""Read what came back from a list: delivery failures and unsubscribe replies.

``briefkit bounces`` reads mbox files and Maildir folders. A delivery status notification
(RFC 3464, ``multipart/report; report-type=delivery-status``) whose recipient failed for good
(``Action: failed``, ``Status: 5.x.x``) suppresses its ``Final-Recipient``. A reply to the
unsubscribe ``mailto:`` whose subject reads ``unsubscribe <list-id> <token>`` with the
sender's valid token suppresses the sender. Everything else (a temporary failure, an
out-of-office reply, any other mail) is left alone and counted.

The mail is untrusted: each file is opened as a regular file only, never through a link; a
mailbox, a message and the number of messages have limits; a message's parts are looked at
one level deep, with no recursion, and a message nested too deep is not parsed at all.
"""

from __future__ import annotations

import email.parser
import email.policy
import email.utils
import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import BinaryIO

from briefkit.config import Workspace
from briefkit.delivery.mail.lists.suppression import (
    Suppressed,
    add,
    address_problem,
    suppression_path,
)
from briefkit.delivery.mail.lists.tokens import secret_from, token_matches
from briefkit.errors import BriefkitError
from briefkit.files import FileRefused, open_regular, read_regular

MAX_MAILBOX_BYTES = 256 * 1024 * 1024
MAX_MESSAGE_BYTES = 4 * 1024 * 1024
MAX_MESSAGES = 200_000
# A report holds a few parts and messages; far more is a message built to exhaust a parser.
MAX_NESTED_PARTS = 32
MAX_RECIPIENTS = 100
_PIECE_BYTES = 64 * 1024
TOO_LARGE = "too large to read"
# What the unsubscribe mailto's subject says: the list and the reader's token.
UNSUBSCRIBE_SUBJECT = re.compile(r"\bunsubscribe\s+(\S{1,255})\s+([A-Za-z0-9_-]{16,64})\s*$", re.I)
_NESTING = re.compile(rb"^content-type:\s*(?:multipart|message)/", re.I | re.M)
_PARSER = email.parser.BytesParser(policy=email.policy.compat32)


@dataclass(frozen=True)
class Outcome:
    """What one message is: an address to suppress and why, or why it is left alone."""

    address: str | None
    reason: str


@dataclass
class BounceReport:
    """What a run found: addresses to suppress, and the messages left alone, by why."""

    messages: int = 0
    suppress: dict[str, str] = field(default_factory=dict)
    left: Counter[str] = field(default_factory=Counter)
    added: list[Suppressed] = field(default_factory=list)

    def count(self, outcome: Outcome) -> None:
        """Count one message's outcome."""
        self.messages += 1
        if outcome.address is None:
            self.left[outcome.reason] += 1
        else:
            self.suppress.setdefault(outcome.address, outcome.reason)


def process_bounces(mailboxes: list[Path], space: Workspace) -> BounceReport:
    """Read the mailboxes and add what they ask for to the workspace's suppression list.

    Unsubscribe replies are checked with BRIEFKIT_UNSUBSCRIBE_SECRET; without it they are
    left alone (and counted), and delivery failures are still honoured.
    """
    report = read_bounces(mailboxes, secret_from())
    by_reason: dict[str, list[str]] = {}
    for address, reason in report.suppress.items():
        by_reason.setdefault(reason, []).append(address)
    path = suppression_path(space)
    for reason, addresses in by_reason.items():
        report.added.extend(add(path, addresses, reason))
    return report


def read_bounces(mailboxes: list[Path], secret: bytes | None) -> BounceReport:
    """Read every message of the mailboxes and say what each one asks for."""
    report = BounceReport()
    for mailbox in mailboxes:
        for data in messages(mailbox):
            if report.messages >= MAX_MESSAGES:
                raise BriefkitError(
                    f"{mailbox}: error: more than {MAX_MESSAGES:,} messages in all; nothing "
                    "was suppressed: read fewer mailboxes at once"
                )
            report.count(judge(data, secret))
    return report


def messages(path: Path) -> Iterator[bytes | str]:
    """Yield each message of an mbox file or a Maildir folder, or why one cannot be read."""
    if path.is_symlink():
        raise BriefkitError(f"{path}: error: a symbolic link (links are not followed)")
    if path.is_dir():
        yield from _maildir(path)
    else:
        yield from _mbox(path)


def _maildir(folder: Path) -> Iterator[bytes | str]:
    """Yield the messages in a Maildir's new/ and cur/, regular files only."""
    parts = [folder / name for name in ("new", "cur")]
    if not any(p.is_dir() and not p.is_symlink() for p in parts):
        raise BriefkitError(f"{folder}: error: not a Maildir folder (it has no cur/ or new/)")
    for part in parts:
        if not part.is_dir() or part.is_symlink():
            continue
        for name in _names(part):
            yield _maildir_message(part / name, folder)


def _names(folder: Path) -> list[str]:
    """Return the names of a Maildir folder's messages, refusing more than can be read."""
    names = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if _is_message(entry):
                names.append(entry.name)
            if len(names) > MAX_MESSAGES:
                raise BriefkitError(
                    f"{folder}: error: more than {MAX_MESSAGES:,} messages; nothing was "
                    "suppressed: move the messages already read elsewhere first"
                )
    return sorted(names)


def _is_message(entry: os.DirEntry[str]) -> bool:
    """Tell whether a Maildir entry is a message: a regular file, not hidden."""
    return not entry.name.startswith(".") and entry.is_file(follow_symlinks=False)


def _maildir_message(path: Path, folder: Path) -> bytes | str:
    """Return one Maildir message's bytes, or why it cannot be read (it is left alone)."""
    try:
        return read_regular(path, MAX_MESSAGE_BYTES, within=folder)
    except FileRefused as exc:
        # Too large, or swapped for a link or something else since the folder was listed.
        return TOO_LARGE if "larger than" in exc.reason else "not a regular file"


def _mbox(path: Path) -> Iterator[bytes | str]:
    """Yield the messages of an mbox file, each begun by a ``From `` line, read as it goes."""
    try:
        with open_regular(path) as descriptor:
            if os.fstat(descriptor).st_size > MAX_MAILBOX_BYTES:
                raise FileRefused(path, f"is larger than the limit of {MAX_MAILBOX_BYTES:,} bytes")
            yield from _split(os.fdopen(os.dup(descriptor), "rb"))
    except FileRefused as exc:
        raise BriefkitError(f"{path}: error: the mailbox {exc.reason}") from exc


def _split(stream: BinaryIO) -> Iterator[bytes | str]:
    """Yield each message of an mbox stream, or why one larger than a message may be is not."""
    lines: list[bytes] = []
    size, started, at_start = 0, False, True
    try:
        # Read in bounded pieces: a line of a gigabyte must not be held whole.
        while line := stream.readline(_PIECE_BYTES):
            starts, at_start = at_start, line.endswith(b"\n")
            if starts and line.startswith(b"From "):
                if started:
                    yield _joined(lines, size)
                lines, size, started = [], 0, True
                continue
            size += len(line)
            if size <= MAX_MESSAGE_BYTES:
                lines.append(_unquoted(line))
        if started:
            yield _joined(lines, size)
    finally:
        stream.close()


def _joined(lines: list[bytes], size: int) -> bytes | str:
    """Return a message's lines as one, or say it was too large to keep."""
    return b"".join(lines) if size <= MAX_MESSAGE_BYTES else TOO_LARGE


def _unquoted(line: bytes) -> bytes:
    """Undo mboxrd quoting of a body line that began with ``From ``."""
    return line[1:] if re.match(rb">+From ", line) else line


def judge(data: bytes | str, secret: bytes | None) -> Outcome:
    """Say whether one message suppresses an address, or why it is left alone."""
    if isinstance(data, str):
        return Outcome(None, data)
    if len(_NESTING.findall(data)) > MAX_NESTED_PARTS:
        return Outcome(None, "nested too deep to read")
    try:
        message = _PARSER.parsebytes(data)
    except (RecursionError, ValueError, LookupError, TypeError):
        return Outcome(None, "unreadable")
    if _is_report(message):
        return _failure(message)
    return _unsubscribe(message, secret)


def _is_report(message: Message) -> bool:
    """Tell whether a message is a delivery status notification."""
    return (
        message.get_content_type() == "multipart/report"
        and str(message.get_param("report-type", "")).lower() == "delivery-status"
    )


def _failure(message: Message) -> Outcome:
    """Return the recipient a report says failed for good, or why it is left alone."""
    parts = message.get_payload()
    if not isinstance(parts, list):
        return Outcome(None, "a delivery report without its status")
    status = next((p for p in parts if _is_status(p)), None)
    blocks = status.get_payload() if isinstance(status, Message) else None
    if not isinstance(blocks, list):
        return Outcome(None, "a delivery report without its status")
    for block in blocks[1 : 1 + MAX_RECIPIENTS]:
        outcome = _recipient(block) if isinstance(block, Message) else None
        if outcome is not None:
            return outcome
    return Outcome(None, "a temporary failure or a delay (4.x.x), or a success")


def _is_status(part: object) -> bool:
    """Tell whether a report's part is its delivery status."""
    return isinstance(part, Message) and part.get_content_type() == "message/delivery-status"


def _recipient(block: Message) -> Outcome | None:
    """Return the outcome of one recipient's status block that failed for good, else None."""
    action = str(block.get("Action", "")).strip().lower()
    code = str(block.get("Status", "")).strip().split(" ", 1)[0]
    if action != "failed" or not re.fullmatch(r"5\.\d{1,3}\.\d{1,3}", code):
        return None
    final = str(block.get("Final-Recipient", "")).partition(";")[2].strip()
    if address_problem(final):
        return Outcome(None, "a permanent failure naming no usable address")
    return Outcome(final, f"bounced ({code})")


def _unsubscribe(message: Message, secret: bytes | None) -> Outcome:
    """Return the sender of a reply to the unsubscribe mailto with a valid token."""
    subject = " ".join(str(message.get("Subject", "")).split())
    found = UNSUBSCRIBE_SUBJECT.search(subject[:1000])
    if found is None:
        return Outcome(None, "neither a delivery report nor an unsubscribe reply")
    if secret is None:
        return Outcome(None, "an unsubscribe reply (no secret to check its token)")
    sender = _sender(message)
    list_id, token = found[1], found[2]
    if sender is None or not token_matches(secret, list_id, sender, token):
        return Outcome(None, "an unsubscribe reply with a token that is not its sender's")
    return Outcome(sender, f"unsubscribed (by mail, {list_id})")


def _sender(message: Message) -> str | None:
    """Return the bare address a message is from, or None when it names no single one."""
    pairs = email.utils.getaddresses([str(message.get("From", ""))])
    if len(pairs) != 1 or address_problem(pairs[0][1]):
        return None
    return pairs[0][1]
