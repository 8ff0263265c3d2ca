"""Send a brief to a distribution list: one message a reader, at a steady pace, never twice.

Each reader gets a message addressed to them alone, so no one sees another's address. The
send log records each address as soon as the server accepts its message; a run that stops
halfway is run again to reach the rest. A correction goes only to the readers the log says
had the earlier version, and to each of them once.

Each copy carries the list's headers and the visible unsubscribe line with its reader's own
links (lists.headers), is signed with DKIM when a key is configured, and goes from the bounce
address: the bytes signed are the bytes sent.
"""

from __future__ import annotations

import copy
import os
import smtplib
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from briefkit.delivery.mail.lists.headers import (
    ListMail,
    ReaderLine,
    list_mail_for,
    set_list_headers,
    unsubscribe_links,
)
from briefkit.delivery.mail.lists.log import Correcting, LogNotWritten, SendLog, log_path
from briefkit.delivery.mail.lists.readers import DistributionList, Recipient
from briefkit.delivery.mail.message import list_message_id, readdress, wire
from briefkit.delivery.mail.smtp import (
    Credentials,
    SendError,
    SmtpServer,
    connection,
    is_international,
    send_data,
)
from briefkit.errors import BriefkitError, ParameterError

__all__ = ["ListMail", "list_mail_for", "send_to_list"]


class ListProgress(Protocol):
    """Told how many messages a run will send, then of each as the server answers."""

    def sending(self, count: int, reached: int) -> None:
        """Receive the number of messages to send, and of readers reached by earlier runs."""

    def sent(self, address: str, refused: str) -> None:
        """Receive one reader's outcome: refused is the server's reason, or "" if accepted."""


@dataclass
class ListReport:
    """What a run did: readers reached now and before, and those the server refused."""

    source: Path
    log: Path
    total: int
    reached_before: int
    sent: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Tell whether every reader on the list has now been reached."""
        return not self.refused and self.reached_before + len(self.sent) == self.total

    @property
    def remaining(self) -> int:
        """Return how many readers are still to be reached."""
        return self.total - self.reached_before - len(self.sent)


class ListSendError(SendError):
    """A run stopped before reaching every reader; its report says how far it got."""

    def __init__(self, message: str, report: ListReport) -> None:
        super().__init__(message)
        self.report = report


class Pace:
    """Space messages evenly at a rate a minute; no rate means no waiting."""

    def __init__(self, per_minute: float | None) -> None:
        self.interval = 60.0 / per_minute if per_minute else 0.0
        self.last: float | None = None

    def wait(self) -> None:
        """Sleep until the next message is due."""
        now = time.monotonic()
        if self.last is not None and now < self.last + self.interval:
            time.sleep(self.last + self.interval - now)
        self.last = time.monotonic()


def send_to_list(
    message: EmailMessage,
    readers: DistributionList,
    server: SmtpServer,
    credentials: Credentials | None,
    *,
    mail: ListMail,
    rate: float | None = None,  # None: the list's rate, [email] rate
    progress: ListProgress | None = None,
    log: Path | str | os.PathLike[str] | None = None,
    correcting: Correcting | None = None,
) -> ListReport:
    """Send a copy of message to each reader not yet reached, recording each one accepted.

    The send log stays locked from before it is read until the last message, so a second run
    to the same list at the same time is refused (SendLogBusy) and sends nothing. A
    correction goes to the readers of the list the log says had the earlier version.
    """
    if rate is not None and rate <= 0:
        raise ParameterError("rate", f"{{name}} must be more than 0 messages a minute, not {rate}")
    key = correcting.key if correcting else None
    where = Path(log) if log is not None else log_path(readers.path)
    with SendLog(where, str(message["Subject"]), key, mail.brief) as record:
        reached = record.reached()
        wanted = _wanted(readers, record, correcting)
        todo = [r for r in wanted if r.key not in reached]
        total = len(wanted)
        report = ListReport(readers.path, record.path, total, total - len(todo))
        if progress is not None:
            progress.sending(len(todo), report.reached_before)
        if todo:
            sending = _Sending(message, mail, server, record, report, progress)
            sending.each(todo, credentials, mail.rate if rate is None else rate)
    return report


def _wanted(
    readers: DistributionList, record: SendLog, correcting: Correcting | None
) -> list[Recipient]:
    """Return the readers a message is for: all, or for a correction those who had the brief."""
    if correcting is None:
        return list(readers.recipients)
    earlier = record.earlier(correcting.earlier_subject)
    wanted = [r for r in readers.recipients if r.key in earlier]
    if not wanted:
        raise BriefkitError(
            f"{record.path} records no reader of this list who was sent "
            f"{correcting.earlier_subject!r}: a correction goes only to readers who had the "
            "earlier version; nothing was sent"
        )
    return wanted


class _Sending:
    """One run's message, list, server and log: sends each reader their own copy."""

    def __init__(
        self,
        message: EmailMessage,
        mail: ListMail,
        server: SmtpServer,
        record: SendLog,
        report: ListReport,
        progress: ListProgress | None,
    ) -> None:
        self.own = copy.deepcopy(message)
        self.line = ReaderLine(self.own, mail)  # rendered once, each reader's link put in
        self.mail = mail
        self.server = server
        self.record = record
        self.report = report
        self.progress = progress

    def each(
        self, todo: list[Recipient], credentials: Credentials | None, rate: float | None
    ) -> None:
        """Send one copy to each reader in turn; stop at the first that cannot be recorded."""
        pace = Pace(rate)
        report = self.report
        try:
            with connection(self.server, credentials) as client:
                for reader in todo:
                    pace.wait()
                    message_id = self.address(reader)
                    refused = self.deliver(client, reader)
                    if refused:
                        report.refused[reader.address.addr_spec] = refused
                    else:
                        report.sent.append(reader.address.addr_spec)
                        _record(self.record, reader, message_id, report)
                    if self.progress is not None:
                        self.progress.sent(reader.address.addr_spec, refused)
        except ListSendError:
            raise
        except SendError as exc:
            raise ListSendError(f"{exc}; {stopped(report)}", report) from exc

    def address(self, reader: Recipient) -> str:
        """Make the copy the reader's: To, Date, Message-ID, list headers, line; return the ID."""
        # Each correction is a message of its own: its Message-ID names it too.
        message_id = list_message_id(self.own, self.mail.brief, _id_key(reader, self.record))
        readdress(self.own, reader.address, message_id)
        mailto, https = unsubscribe_links(self.mail, reader.address)
        set_list_headers(self.own, self.mail, mailto, https)
        self.line.put(https or mailto)
        return message_id

    def deliver(self, client: smtplib.SMTP, reader: Recipient) -> str:
        """Sign the reader's copy if asked and send its bytes; return any refusal."""
        sender = self.mail.bounce or self.own["From"].addresses[0]
        envelope = str(sender.addr_spec)
        international = is_international(self.own, envelope, reader.address)
        data = wire(self.own, international)
        if self.mail.signer is not None:
            data = self.mail.signer.sign(self.own, data)
        return send_data(client, self.server, data, envelope, reader.address, international)


def _id_key(reader: Recipient, record: SendLog) -> str:
    """Return what a reader's Message-ID is made from: the address, and any correction."""
    return reader.key if record.correction is None else f"{reader.key}\n{record.correction}"


def _record(record: SendLog, reader: Recipient, message_id: str, report: ListReport) -> None:
    """Record a reader the server accepted; if the log cannot say so, stop the run."""
    try:
        record.record(reader.key, message_id)
    except LogNotWritten as exc:
        # Sending on would leave more readers the log cannot vouch for, each sent again later.
        address = reader.address.addr_spec
        raise ListSendError(
            f"{exc}: the mail server accepted the message to {address}, but the log does not "
            f"record it, so the run stopped before sending to anyone else; the next run will "
            f"send {address} a second copy (with the same Message-ID, which mail clients show "
            f"once); {stopped(report)}",
            report,
        ) from exc


def stopped(report: ListReport) -> str:
    """Say how far a run that stopped got, and how to go on."""
    return (
        f"stopped with {report.remaining} of {report.total} readers still to reach "
        f"({len(report.sent)} reached in this run); run the same command again to send to "
        f"the rest: {report.log} records who has the message"
    )
