"""`briefkit bounces`: permanent failures and unsubscribe replies suppress; nothing else does."""

from __future__ import annotations

import mailbox
import os
import subprocess
import time
from pathlib import Path

import pytest

from briefkit.delivery.mail.lists import bounces
from briefkit.delivery.mail.lists.suppression import read_suppressed
from briefkit.delivery.mail.lists.tokens import reader_token
from conftest import Run, write
from mailserver import Inbox, MailServer
from test_suppression import ENV, READERS, SECRET, received_by, send

LIST_ID = "weekly.example.org"
NO_SECRET = {**ENV, "BRIEFKIT_UNSUBSCRIBE_SECRET": ""}

DSN = """\
From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
To: desk@example.org
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="REPORT"

--REPORT
Content-Type: text/plain

I'm sorry to have to inform you that your message could not be delivered.

--REPORT
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net
Arrival-Date: Thu, 3 Dec 2026 10:00:00 +0000

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{recipient}
Action: {action}
Status: {status}
Diagnostic-Code: smtp; {status} mailbox says no

--REPORT
Content-Type: text/rfc822-headers

From: Policy Desk <desk@example.org>
To: {recipient}
Subject: India and Japan

--REPORT--
"""


def dsn(recipient: str, status: str, action: str) -> bytes:
    return DSN.format(recipient=recipient, status=status, action=action).encode()


def reply(sender: str, subject: str, extra: str = "") -> bytes:
    return (
        f"From: {sender}\nTo: desk@example.org\nSubject: {subject}\n{extra}"
        "Content-Type: text/plain\n\nPlease take me off.\n"
    ).encode()


def unsubscribe(sender: str, token_of: str) -> bytes:
    return reply(
        sender, f"unsubscribe {LIST_ID} {reader_token(SECRET.encode(), LIST_ID, token_of)}"
    )


# reader2 bounced for good, reader3 only for now, reader4 asked to leave with their own token,
# reader5 with another's; reader6 is away. Only reader2 and reader4 are suppressed.
MAIL = [
    dsn("reader2@example.org", "5.1.1", "failed"),
    dsn("reader3@example.org", "4.2.2", "delayed"),
    reply("Reader Six <reader6@example.org>", "Out of office", "Auto-Submitted: auto-replied\n"),
    unsubscribe("Reader Four <reader4@example.org>", "reader4@example.org"),
    unsubscribe("reader5@example.org", "reader1@example.org"),
]
SUMMARY = [
    "reader2@example.org: bounced (5.1.1): added to suppressed.txt",
    "reader4@example.org: unsubscribed (by mail, weekly.example.org): added to suppressed.txt",
    "read 5 messages: 2 addresses added to suppressed.txt, 0 already on it, 3 messages left alone",
    "  left alone: 1 × a temporary failure or a delay (4.x.x), or a success",
    "  left alone: 1 × an unsubscribe reply with a token that is not its sender's",
    "  left alone: 1 × neither a delivery report nor an unsubscribe reply",
]


def make_mbox(path: Path, messages: list[bytes]) -> Path:
    box = mailbox.mbox(path)
    for message in messages:
        box.add(message)
    box.flush()
    box.close()
    return path


def make_maildir(path: Path, messages: list[bytes]) -> Path:
    box = mailbox.Maildir(path, create=True)
    for message in messages:
        box.add(message)
    return path


def bounce(
    run_cli: Run, *paths: Path, env: dict[str, str] = ENV
) -> subprocess.CompletedProcess[str]:
    return run_cli("bounces", *map(str, paths), env=env)


@pytest.mark.parametrize("make", [make_mbox, make_maildir], ids=["mbox", "maildir"])
def test_permanent_failures_and_valid_unsubscribes_are_suppressed(
    run_cli: Run, workspace: Path, make: object
) -> None:
    assert callable(make)
    box = make(workspace / "bounces", MAIL)
    result = bounce(run_cli, box)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == SUMMARY
    found = read_suppressed(workspace / "suppressed.txt")
    assert sorted(found) == ["reader2@example.org", "reader4@example.org"]
    assert found["reader2@example.org"].reason == "bounced (5.1.1)"
    again = bounce(run_cli, box)
    assert "read 5 messages: 0 addresses added to suppressed.txt, 2 already on it" in again.stdout


def test_bounced_and_unsubscribed_readers_receive_nothing_on_the_next_send(
    run_cli: Run, plain_server: MailServer, inbox: Inbox, samples_workspace: Path
) -> None:
    listed = write(samples_workspace / "readers.txt", "\n".join(READERS) + "\n")
    assert bounce(run_cli, make_mbox(samples_workspace / "in.mbox", MAIL)).returncode == 0
    result = send(run_cli, listed)
    assert result.returncode == 0, result.stderr
    assert (
        "skipped 2 readers on the suppression list suppressed.txt: 1 unsubscribed, 1 bounced"
        in (result.stdout)
    )
    assert received_by(inbox) == [
        r for r in READERS if r not in ("reader2@example.org", "reader4@example.org")
    ]


def test_without_the_secret_unsubscribe_replies_are_left_alone(
    run_cli: Run, workspace: Path
) -> None:
    result = bounce(run_cli, make_mbox(workspace / "in.mbox", MAIL), env=NO_SECRET)
    assert result.returncode == 0, result.stderr
    assert "  left alone: 2 × an unsubscribe reply (no secret to check its token)" in (
        result.stdout.splitlines()
    )
    assert sorted(read_suppressed(workspace / "suppressed.txt")) == ["reader2@example.org"]


def test_a_mailbox_that_is_a_link_is_refused(run_cli: Run, workspace: Path) -> None:
    real = make_mbox(workspace / "real.mbox", MAIL)
    link = workspace / "link.mbox"
    link.symlink_to(real)
    result = bounce(run_cli, Path("link.mbox"))
    assert result.returncode == 1
    assert result.stderr.strip() == "link.mbox: error: a symbolic link (links are not followed)"
    assert not (workspace / "suppressed.txt").exists()


def test_a_fifo_mailbox_is_refused_at_once(run_cli: Run, workspace: Path) -> None:
    os.mkfifo(workspace / "fifo.mbox")
    started = time.monotonic()
    result = bounce(run_cli, workspace / "fifo.mbox")
    assert result.returncode == 1
    assert "fifo.mbox: error: the mailbox is not a regular file" in result.stderr
    assert time.monotonic() - started < 20


def test_a_maildir_reads_regular_files_only(run_cli: Run, workspace: Path) -> None:
    box = make_maildir(workspace / "Maildir", [dsn("reader2@example.org", "5.1.1", "failed")])
    outside = write(
        workspace / "outside.eml", dsn("reader3@example.org", "5.1.1", "failed").decode()
    )
    (box / "new" / "1.link").symlink_to(outside)
    os.mkfifo(box / "cur" / "2.fifo")
    result = bounce(run_cli, box)
    assert result.returncode == 0, result.stderr
    assert sorted(read_suppressed(workspace / "suppressed.txt")) == ["reader2@example.org"]
    assert "read 1 messages" in result.stdout


def test_a_folder_that_is_no_maildir_is_refused(run_cli: Run, workspace: Path) -> None:
    (workspace / "empty").mkdir()
    result = bounce(run_cli, workspace / "empty")
    assert result.returncode == 1
    assert "empty: error: not a Maildir folder (it has no cur/ or new/)" in result.stderr


def test_hostile_mail_is_counted_not_obeyed(tmp_path: Path) -> None:
    nested = b"Content-Type: multipart/mixed; boundary=b0\n\n" + b"".join(
        f"--b{n}\nContent-Type: multipart/mixed; boundary=b{n + 1}\n\n".encode()
        for n in range(5000)
    )
    wrapped = b"".join(b"Content-Type: message/rfc822\n\n" for _ in range(5000)) + b"Subject: x\n\n"
    huge = dsn("reader2@example.org", "5.1.1", "failed") + b"x" * (bounces.MAX_MESSAGE_BYTES + 10)
    forged = dsn("Someone <reader3@example.org>, reader4@example.org", "5.1.1", "failed")
    injected = dsn("reader5@example.org\n\tx", "5.1.1", "failed")
    box = make_mbox(tmp_path / "hostile.mbox", [nested, wrapped, huge, forged, injected])
    started = time.monotonic()
    report = bounces.read_bounces([box], SECRET.encode())
    assert time.monotonic() - started < 10
    assert report.suppress == {}
    assert report.messages == 5
    assert report.left["nested too deep to read"] == 2
    assert report.left["too large to read"] == 1
    assert report.left["a permanent failure naming no usable address"] == 2


def test_a_subject_that_only_mentions_unsubscribe_is_left_alone() -> None:
    subject = reply("reader1@example.org", "How do I unsubscribe from this?")
    assert bounces.judge(subject, SECRET.encode()).address is None
    token = reader_token(SECRET.encode(), LIST_ID, "reader1@example.org")
    quoted = reply("reader1@example.org", f"Re: unsubscribe {LIST_ID} {token}")
    assert bounces.judge(quoted, SECRET.encode()).address == "reader1@example.org"


def test_twenty_thousand_reports_are_read_in_seconds(tmp_path: Path) -> None:
    box = tmp_path / "big.mbox"
    with box.open("wb") as stream:
        for n in range(20_000):
            failed = n % 2 == 1
            stream.write(b"From MAILER-DAEMON Thu Dec  3 10:00:00 2026\n")
            stream.write(
                dsn(f"r{n}@example.org", *(("5.1.1", "failed") if failed else ("4.2.2", "delayed")))
            )
    started = time.monotonic()
    report = bounces.read_bounces([box], SECRET.encode())
    assert time.monotonic() - started < 30  # about 4 s here
    assert (report.messages, len(report.suppress)) == (20_000, 10_000)
