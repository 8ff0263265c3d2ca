"""Distribution lists: one message a reader, checked first, a send log that survives a kill."""

from __future__ import annotations

import errno
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefkit.delivery.mail.lists.log import MAX_LOG_BYTES, SendLog, SendLogBusy
from briefkit.delivery.mail.lists.readers import read_list
from briefkit.delivery.mail.lists.send import ListSendError, Pace
from briefkit.errors import BriefkitError
from conftest import Run, write
from mailserver import REFUSAL, Inbox, MailServer, body, configure

SAMPLE = "briefings/india-japan-2025-11.md"
SECRET = "test-secret-0123456789abcdef"
# A list send needs the unsubscribe secret; these runs need no login.
NO_LOGIN = {
    "BRIEFKIT_SMTP_USER": "",
    "BRIEFKIT_SMTP_PASSWORD": "",
    "BRIEFKIT_UNSUBSCRIBE_SECRET": SECRET,
}
READERS = [f"reader{n}@example.org" for n in range(1, 7)]


@pytest.fixture
def readers(samples_workspace: Path) -> Path:
    return write(samples_workspace / "readers.txt", "\n".join(READERS) + "\n")


def send_list(run_cli: Run, listed: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("email", SAMPLE, "--list", str(listed), "--send", *args, env=NO_LOGIN)


def log_lines(listed: Path) -> list[dict[str, str]]:
    log = listed.with_name(listed.name + ".sent.log")
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def test_plain_and_csv_lists(tmp_path: Path) -> None:
    plain = write(tmp_path / "a.txt", "# subscribers\n\na@example.org\nBea Ng <b@example.org>\n")
    assert [str(r.address) for r in read_list(plain).recipients] == [
        "a@example.org",
        "Bea Ng <b@example.org>",
    ]
    csv = write(
        tmp_path / "b.csv", 'name,email\n"Rao, Asha",asha@example.org\n,kenji@example.org\n'
    )
    found = read_list(csv).recipients
    assert [(r.address.display_name, r.address.addr_spec, r.line) for r in found] == [
        ("Rao, Asha", "asha@example.org", 2),
        ("", "kenji@example.org", 3),
    ]


def test_an_address_listed_twice_gets_one_message(tmp_path: Path) -> None:
    listed = read_list(write(tmp_path / "a.txt", "a@example.org\nb@example.org\nA@Example.org\n"))
    assert [r.address.addr_spec for r in listed.recipients] == ["a@example.org", "b@example.org"]
    assert listed.warnings == [
        f"{tmp_path / 'a.txt'}:3: warning: A@Example.org is already on line 1: it gets one message"
    ]


def test_every_bad_line_is_reported_before_anything_is_sent(
    run_cli: Run, plain_server: MailServer, inbox: Inbox, samples_workspace: Path
) -> None:
    listed = write(
        samples_workspace / "list.csv",
        "email,name\nok@example.org,Ok\nnot-an-address,Bad\n,Nobody\n"
        'two@example.org,"Line\nBreak"\nthree@example.org; four@example.org,X\n',
    )
    result = send_list(run_cli, listed.relative_to(samples_workspace))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "list.csv:3: error: 'not-an-address' is not a mail address such as name@example.org",
        "list.csv:4: error: the row has no address",
        "list.csv:6: error: the name 'Line\\nBreak' contains a line break (CR or LF)",
        "list.csv:7: error: 'three@example.org; four@example.org' is not a mail address such as "
        "name@example.org",
    ]
    assert inbox.received == []
    assert not (samples_workspace / "list.csv.sent.log").exists()


def test_an_encoded_line_break_in_a_listed_name_is_refused(tmp_path: Path) -> None:
    listed = write(
        tmp_path / "a.csv",
        'email,name\na@example.org,"=?utf-8?q?=0D=0ABcc:_all@example.org?="\n'
        '"=?utf-8?q?=0D=0A?= <b@example.org>",B\n',
    )
    with pytest.raises(BriefkitError) as refused:
        read_list(listed)
    assert str(refused.value).splitlines() == [
        f"{listed}:2: error: the name '=?utf-8?q?=0D=0ABcc:_all@example.org?=' contains '=?', "
        "which mail programs decode: it can hide a line break",
        f"{listed}:3: error: '=?utf-8?q?=0D=0A?= <b@example.org>' contains '=?', which mail "
        "programs decode: it can hide a line break",
    ]


def test_a_csv_list_needs_an_email_column(tmp_path: Path) -> None:
    with pytest.raises(BriefkitError, match="needs an 'email' column"):
        read_list(write(tmp_path / "a.csv", "address\na@example.org\n"))


def test_each_reader_gets_a_message_of_their_own(
    run_cli: Run, plain_server: MailServer, inbox: Inbox, readers: Path
) -> None:
    result = send_list(run_cli, readers)
    assert result.returncode == 0, result.stderr
    assert "sent 6 messages" in result.stdout
    assert sorted(r for m in inbox.received for r in m.recipients) == sorted(READERS)
    for reader in READERS:
        (received,) = inbox.to(reader)
        assert received.recipients == [reader]
        message = received.message
        assert message["To"] == reader and message["Cc"] is None
        others = [other for other in READERS if other != reader]
        assert not any(other.encode() in received.data for other in others)
    assert len({m.message["Message-ID"] for m in inbox.received}) == 6
    assert [entry["to"] for entry in log_lines(readers)] == READERS
    again = send_list(run_cli, readers)
    assert again.returncode == 0
    assert "6 readers already have this message" in again.stdout
    assert len(inbox.received) == 6


def test_without_send_a_list_writes_one_message_to_check(
    run_cli: Run, plain_server: MailServer, inbox: Inbox, readers: Path
) -> None:
    result = run_cli("email", SAMPLE, "--list", str(readers), env=NO_LOGIN)
    assert result.returncode == 0, result.stderr
    assert "each of the 6 readers" in result.stdout
    assert b"To: reader1@example.org\r\n" in Path("out/india-japan-2025-11.eml").read_bytes()
    assert inbox.received == []


def test_a_run_killed_halfway_then_run_again_reaches_everyone_once(
    plain_server: MailServer, inbox: Inbox, readers: Path
) -> None:
    log = readers.with_name("readers.txt.sent.log")
    inbox.rcpt_delay = 0.3  # time enough to kill the client while a message is on its way
    command = [sys.executable, "-m", "briefkit", "email", SAMPLE, "--list", str(readers), "--send"]
    process = subprocess.Popen(command, env={**os.environ, **NO_LOGIN})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if log.exists() and log.read_text().count("\n") >= 3:
            break
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    first_run = len(inbox.received)
    assert 3 <= first_run < len(READERS)
    inbox.rcpt_delay = 0.0
    result = subprocess.run(command, env={**os.environ, **NO_LOGIN}, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert f"{first_run} readers already have this message" in result.stdout
    for reader in READERS:
        assert len(inbox.to(reader)) == 1, reader
    assert sorted(entry["to"] for entry in log_lines(readers)) == sorted(READERS)


def test_a_log_line_cut_short_is_ignored_and_fenced_off(
    run_cli: Run, plain_server: MailServer, inbox: Inbox, readers: Path
) -> None:
    assert send_list(run_cli, readers).returncode == 0
    log = readers.with_name("readers.txt.sent.log")
    lines = log.read_text().splitlines(keepends=True)
    # As if the run had been killed while writing the last reader's line.
    log.write_text("".join(lines[:-1]) + lines[-1][:25])
    result = send_list(run_cli, readers)
    assert result.returncode == 0, result.stderr
    assert "5 readers already have this message" in result.stdout
    assert len(inbox.to(READERS[-1])) == 2  # the one the log could not vouch for
    assert [entry["to"] for entry in log_lines_skipping_torn(log)] == READERS


def log_lines_skipping_torn(log: Path) -> list[dict[str, str]]:
    entries = []
    for line in log.read_text().splitlines():
        try:
            entries.append(json.loads(line))
        except ValueError:
            continue
    return entries


def test_refused_readers_are_named_and_tried_again_next_run(
    run_cli: Run, plain_server: MailServer, inbox: Inbox, readers: Path
) -> None:
    inbox.refuse.add("reader2@example.org")
    result = send_list(run_cli, readers)
    assert result.returncode == 1
    assert f"refused reader2@example.org: {REFUSAL}" in result.stderr
    assert len(inbox.received) == 5
    inbox.refuse.clear()
    again = send_list(run_cli, readers)
    assert again.returncode == 0, again.stderr
    assert "sent 1 messages" in again.stdout
    assert len(inbox.to("reader2@example.org")) == 1


def test_a_server_that_goes_away_stops_the_run_and_says_how_to_go_on(
    run_cli: Run, samples_workspace: Path, readers: Path, inbox: Inbox
) -> None:
    with MailServer(inbox) as running:
        configure(samples_workspace, running)
    result = send_list(run_cli, readers)
    assert result.returncode == 1
    assert "cannot connect" in result.stderr
    assert (
        "6 of 6 readers still to reach" in result.stderr and "run the same command" in result.stderr
    )


def test_the_log_counts_only_the_same_message(tmp_path: Path) -> None:
    log = tmp_path / "list.txt.sent.log"
    with SendLog(log, "Brief 1") as first:
        first.record("a@example.org", "<1@example.org>")
    with SendLog(log, "Brief 1") as same:
        assert same.reached() == {"a@example.org"}
    with SendLog(log, "Brief 2") as other:
        assert other.reached() == set()


def test_pace_spaces_messages_evenly() -> None:
    pace = Pace(600)  # one every 0.1 s
    started = time.monotonic()
    for _ in range(4):
        pace.wait()
    assert time.monotonic() - started >= 0.3
    assert Pace(None).interval == 0


def send_command(listed: Path) -> list[str]:
    return [sys.executable, "-m", "briefkit", "email", SAMPLE, "--list", str(listed), "--send"]


def test_two_runs_started_together_reach_each_reader_once(
    plain_server: MailServer, inbox: Inbox, samples_workspace: Path
) -> None:
    readers = [f"reader{n}@example.org" for n in range(1, 21)]
    listed = write(samples_workspace / "twenty.txt", "\n".join(readers) + "\n")
    inbox.rcpt_delay = 0.1  # two seconds of sending: the runs overlap
    runs = [
        subprocess.Popen(
            send_command(listed),
            env={**os.environ, **NO_LOGIN},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outcomes = [(run.communicate(timeout=300), run.returncode) for run in runs]
    for reader in readers:
        assert len(inbox.to(reader)) == 1, reader
    assert len(inbox.received) == 20
    for (out, errors), status in outcomes:
        assert "Traceback" not in errors and "internal error" not in errors
        if status != 0:
            assert status == 1
            assert f"{listed}.sent.log: another run is sending to this list now" in errors
            assert "nothing was sent" in errors
        else:
            assert "sent 20 messages" in out or "20 readers already have" in out
    assert sorted(entry["to"] for entry in log_lines(listed)) == sorted(readers)


def test_a_second_run_is_refused_while_the_first_holds_the_log(tmp_path: Path) -> None:
    log = tmp_path / "list.txt.sent.log"
    with SendLog(log, "Brief 1"), pytest.raises(SendLogBusy, match="another run is sending"):
        SendLog(log, "Brief 1").__enter__()
    with SendLog(log, "Brief 1") as after:  # the lock went with the first run
        assert after.reached() == set()


def test_a_full_disk_stops_the_run_at_the_reader_it_cannot_record(
    run_cli: Run, plain_server: MailServer, inbox: Inbox, samples_workspace: Path
) -> None:
    from test_faults import _fill, _mounted

    folder = samples_workspace / "lists"
    with _mounted(folder, f"-t tmpfs -o size=1m tmpfs {folder}"):
        listed = write(folder / "readers.txt", "\n".join(READERS) + "\n")
        log = folder / "readers.txt.sent.log"
        # A log whose one page is full: the next line needs a page the disk no longer has.
        log.write_bytes(b"#" * 4095 + b"\n")
        _fill(folder / "filler")
        result = send_list(run_cli, listed)
        assert result.returncode == 1, result.stdout + result.stderr
        assert (
            f"{log}: cannot write the send log (No space left on device): the mail server "
            "accepted the message to reader1@example.org, but the log does not record it, "
            "so the run stopped before sending to anyone else" in result.stderr
        )
        assert "5 of 6 readers still to reach" in result.stderr
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr
        assert [r.recipients for r in inbox.received] == [["reader1@example.org"]]
        (folder / "filler").unlink()
        again = send_list(run_cli, listed)
    assert again.returncode == 0, again.stderr
    assert "sent 6 messages" in again.stdout  # reader1 again: the log could not vouch for them
    assert len(inbox.received) == 7


def test_a_log_write_that_fails_stops_the_run_before_the_next_reader(
    plain_server: MailServer, inbox: Inbox, readers: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import briefkit
    from briefkit.delivery.mail.lists import log as mail_log

    def no_space(descriptor: int, data: bytes) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    message = briefkit.compose_email(briefkit.load(SAMPLE), to=["a@example.org"])
    monkeypatch.setattr(mail_log, "_append", no_space)
    monkeypatch.setenv("BRIEFKIT_SMTP_USER", "")
    monkeypatch.setenv("BRIEFKIT_SMTP_PASSWORD", "")
    monkeypatch.setenv("BRIEFKIT_UNSUBSCRIBE_SECRET", SECRET)
    with pytest.raises(ListSendError) as stopped:
        briefkit.send_email_to_list(message, readers, brief=briefkit.load(SAMPLE))
    assert "accepted the message to reader1@example.org, but the log does not record it" in str(
        stopped.value
    )
    assert stopped.value.report.sent == ["reader1@example.org"]
    assert [r.recipients for r in inbox.received] == [["reader1@example.org"]]


def refused_at_once(listed: Path) -> subprocess.CompletedProcess[str]:
    """Send to a list whose run must be refused at once: a hang fails this test, not the suite."""
    return subprocess.run(
        send_command(listed),
        env={**os.environ, **NO_LOGIN},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def make_odd_file(path: Path, kind: str, elsewhere: Path) -> str:
    """Put a link, a device or a FIFO at path; return what briefkit should say it is."""
    if kind == "link":
        path.symlink_to(elsewhere)
        return "is a symbolic link (links are not followed)"
    if kind == "device":
        try:
            os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 5))  # another /dev/zero
        except PermissionError:
            pytest.skip("making a device needs root, as in CI")
    else:
        os.mkfifo(path)
    return "is not a regular file"


@pytest.mark.parametrize("kind", ["link", "device", "fifo"])
def test_a_send_log_that_is_not_a_regular_file_is_refused(
    plain_server: MailServer, inbox: Inbox, readers: Path, tmp_path: Path, kind: str
) -> None:
    log = readers.with_name("readers.txt.sent.log")
    elsewhere = write(tmp_path / "elsewhere.txt", "kept\n")
    reason = make_odd_file(log, kind, elsewhere)
    result = refused_at_once(readers)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{log}: the send log {reason}; nothing was sent" in result.stderr
    assert inbox.received == []
    assert elsewhere.read_text() == "kept\n"


@pytest.mark.parametrize("kind", ["link", "device", "fifo"])
def test_a_list_that_is_not_a_regular_file_is_refused(
    plain_server: MailServer, inbox: Inbox, readers: Path, samples_workspace: Path, kind: str
) -> None:
    listed = samples_workspace / "other.txt"
    reason = make_odd_file(listed, kind, readers)
    result = refused_at_once(listed)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.strip() == f"{listed}: error: the list {reason}"
    assert inbox.received == []


def test_a_send_log_over_its_limit_is_refused(
    run_cli: Run, plain_server: MailServer, inbox: Inbox, readers: Path
) -> None:
    log = readers.with_name("readers.txt.sent.log")
    with log.open("wb") as sparse:
        sparse.truncate(MAX_LOG_BYTES + 1)  # takes no disk: a hole
    result = send_list(run_cli, readers)
    assert result.returncode == 1
    assert (
        f"{log}: the send log is 67,108,865 bytes, more than the limit of 67,108,864 (64 MiB"
        in result.stderr
    )
    assert inbox.received == []


def test_one_mailbox_spelt_two_ways_is_one_reader(tmp_path: Path) -> None:
    listed = read_list(
        write(
            tmp_path / "a.txt",
            "ok@xn--bcher-kva.example\nok@bücher.example\nOK@BÜCHER.example\n"
            "a@straße.de\na@strasse.de\n",
        )
    )
    assert [r.address.addr_spec for r in listed.recipients] == [
        "ok@xn--bcher-kva.example",
        "a@straße.de",
        "a@strasse.de",  # another domain (IDNA 2008 keeps ß), so another reader
    ]
    assert [w.split(": warning: ")[1] for w in listed.warnings] == [
        "ok@bücher.example is already on line 1: it gets one message",
        "OK@BÜCHER.example is already on line 1: it gets one message",
    ]


def test_a_reader_the_log_records_in_another_spelling_is_not_sent_again(tmp_path: Path) -> None:
    log = tmp_path / "list.txt.sent.log"
    entry = {"time": "2025-11-24T16:00:00Z", "to": "ok@bücher.example", "subject": "Brief 1"}
    log.write_text(json.dumps(entry, ensure_ascii=False) + "\n")
    (reader,) = read_list(write(tmp_path / "list.txt", "OK@xn--Bcher-kva.example\n")).recipients
    with SendLog(log, "Brief 1") as recorded:
        assert reader.key in recorded.reached()


def test_a_csv_field_python_cannot_read_is_named_by_its_line(tmp_path: Path) -> None:
    row = f'x@example.org,"{"n" * 200_000}"'
    listed = write(tmp_path / "a.csv", f"email,name\na@example.org,A\n{row}\n")
    with pytest.raises(BriefkitError) as refused:
        read_list(listed)
    assert str(refused.value) == (
        f"{listed}:3: error: a field is longer than 131,072 characters, more than any address "
        "or name"
    )


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("Ann\u202eXE.ppa", "contains a bidirectional control (U+202E): it can disguise"),
        ("Ann\u2066Lee", "contains a bidirectional control (U+2066): it can disguise"),
        ("Ann\tLee", "contains a control character (U+0009)"),
        ("Ann\x1bLee", "contains a control character (U+001B)"),
        ("Ann\0Lee", "contains a control character (U+0000)"),
    ],
)
def test_a_listed_name_with_a_control_character_is_refused(
    tmp_path: Path, name: str, problem: str
) -> None:
    listed = write(tmp_path / "a.csv", f'email,name\na@example.org,"{name}"\n')
    with pytest.raises(BriefkitError) as refused:
        read_list(listed)
    assert str(refused.value).startswith(f"{listed}:2: error: the name {name!r} {problem}")


def test_a_long_list_is_checked_in_seconds(tmp_path: Path) -> None:
    count = 100_000
    listed = write(tmp_path / "long.txt", "".join(f"r{n}@example.org\n" for n in range(count)))
    started = time.monotonic()
    checked = read_list(listed)
    elapsed = time.monotonic() - started
    assert len(checked.recipients) == count
    # About 0.5 s here; the parser for every address took 14 s here and minutes elsewhere.
    assert elapsed < 5, f"checking {count:,} addresses took {elapsed:.1f} s"


# Corrections --------------------------------------------------------------------------------

SUBJECT = (
    "Indo-Pacific Briefs · No. 2025/11: India and Japan widen their partnership at the "
    "Johannesburg G20"
)


def correct(workspace: Path, *entries: tuple[str, str]) -> None:
    """Give the sample brief corrections, each a date and a text."""
    source = workspace / SAMPLE
    listed = "".join(f"  - date: {day}\n    text: {json.dumps(text)}\n" for day, text in entries)
    text = source.read_text()
    if "\ncorrections:\n" in text:  # add to the list the brief has
        text = text.replace("\ncorrections:\n", f"\ncorrections:\n{listed}", 1)
    else:
        text = text.replace("date: 2025-11-24\n", f"date: 2025-11-24\ncorrections:\n{listed}", 1)
    source.write_text(text)


def send_correction(run_cli: Run, listed: Path) -> subprocess.CompletedProcess[str]:
    return send_list(run_cli, listed, "--correction")


def test_a_correction_reaches_those_who_had_the_brief_once_each(
    run_cli: Run, plain_server: MailServer, inbox: Inbox, readers: Path, samples_workspace: Path
) -> None:
    assert send_list(run_cli, readers).returncode == 0
    # A reader who joins the list later never had the earlier version: no correction for them.
    readers.write_text(readers.read_text() + "late@example.org\n")
    first = "An earlier version gave the investment as 10 billion yen; it is 10 trillion yen."
    correct(samples_workspace, ("2025-11-26", first))
    result = send_correction(run_cli, readers)
    assert result.returncode == 0, result.stderr
    corrections = inbox.received[6:]
    assert sorted(r for m in corrections for r in m.recipients) == sorted(READERS)
    for received in corrections:
        message = received.message
        assert message["Subject"] == f"Correction: {SUBJECT}"
        plain, html = body(message, "plain"), body(message, "html")
        assert plain.startswith(
            "THIS BRIEF HAS BEEN CORRECTED\n\nCorrected 26 November 2025: An earlier version"
        )
        assert html.index("This brief has been corrected") < html.index('class="masthead')
        assert "it replaces the version sent to you earlier" in " ".join(plain.split())
    # Run again: each reader has this correction already, and nothing is sent.
    again = send_correction(run_cli, readers)
    assert again.returncode == 0, again.stderr
    assert "6 readers already have this message" in again.stdout
    assert len(inbox.received) == 12
    # A second correction is a message of its own, to the same six readers.
    correct(
        samples_workspace, ("2025-11-28", "The meeting was the leaders' first as prime ministers.")
    )
    assert send_correction(run_cli, readers).returncode == 0
    second = inbox.received[12:]
    assert sorted(r for m in second for r in m.recipients) == sorted(READERS)
    assert all(
        "Corrected 28 November 2025: The meeting" in body(m.message, "plain") for m in second
    )
    ids = [m.message["Message-ID"] for m in inbox.received]
    assert len(set(ids)) == 18
    logged = [(e["to"], e.get("correction", "")[:10]) for e in log_lines(readers)]
    assert logged == [(r, "") for r in READERS] + [(r, "2025-11-26") for r in READERS] + [
        (r, "2025-11-28") for r in READERS
    ]


def test_a_correction_is_refused_without_corrections_or_an_earlier_sending(
    run_cli: Run, plain_server: MailServer, inbox: Inbox, readers: Path, samples_workspace: Path
) -> None:
    none = send_correction(run_cli, readers)
    assert none.returncode == 1
    assert "the brief has no corrections to send" in none.stderr
    correct(samples_workspace, ("2025-11-26", "A figure was wrong."))
    never = send_correction(run_cli, readers)
    assert never.returncode == 1
    assert "records no reader of this list who was sent" in never.stderr
    assert "send the brief itself with --list first; nothing was sent" in never.stderr
    alone = run_cli("email", SAMPLE, "--to", READERS[0], "--correction", "--send", env=NO_LOGIN)
    assert alone.returncode == 2
    assert "--correction goes with --list" in alone.stderr
    for result in (none, never, alone):
        assert "Traceback" not in result.stdout + result.stderr
    assert inbox.received == []
    assert not readers.with_name("readers.txt.sent.log").exists()


def test_a_correction_written_not_sent_is_addressed_to_a_reader_who_had_the_brief(
    run_cli: Run, plain_server: MailServer, inbox: Inbox, readers: Path, samples_workspace: Path
) -> None:
    assert send_list(run_cli, readers).returncode == 0
    readers.write_text("late@example.org\n" + readers.read_text())
    correct(samples_workspace, ("2025-11-26", "A figure was wrong."))
    result = run_cli("email", SAMPLE, "--list", str(readers), "--correction", env=NO_LOGIN)
    assert result.returncode == 0, result.stderr
    assert "whom its send log records as sent the earlier version" in result.stdout
    written = Path("out/india-japan-2025-11.eml").read_bytes()
    assert b"To: reader1@example.org\r\n" in written
    assert b"Subject: Correction: " in written
    assert len(inbox.received) == 6


def test_a_correction_s_text_never_reaches_a_header(
    run_cli: Run, plain_server: MailServer, inbox: Inbox, readers: Path, samples_workspace: Path
) -> None:
    assert send_list(run_cli, readers).returncode == 0
    forged = "=?utf-8?q?=0D=0ABcc:_all@example.org?= was wrong."
    correct(samples_workspace, ("2025-11-26", forged))
    assert send_correction(run_cli, readers).returncode == 0
    for received in inbox.received[6:]:
        message = received.message
        assert received.recipients == [message["To"]]
        assert message["Bcc"] is None and "=?" not in message["Subject"]
        assert forged in " ".join(body(message, "plain").split())
