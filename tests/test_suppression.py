"""The suppression list: readers who left or bounced get nothing; `briefkit suppress` keeps it."""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

import pytest

from briefkit.delivery.mail.lists import suppression
from briefkit.delivery.mail.lists.readers import read_list
from briefkit.errors import BriefkitError
from conftest import Run, write
from mailserver import Inbox, MailServer
from test_email_list import NO_LOGIN, READERS, SAMPLE

# The same secret as test_email_list's list sends: the endpoint and bounce tests make tokens.
SECRET = "test-secret-0123456789abcdef"
ENV = {**NO_LOGIN, "BRIEFKIT_UNSUBSCRIBE_SECRET": SECRET}


@pytest.fixture
def listed(samples_workspace: Path) -> Path:
    """Return the six readers' list, for a send with the secret a list send needs."""
    return write(samples_workspace / "readers.txt", "\n".join(READERS) + "\n")


def send(run_cli: Run, path: Path) -> subprocess.CompletedProcess[str]:
    """Send the sample to a list, as test_email_list does, with the unsubscribe secret."""
    return run_cli("email", SAMPLE, "--list", str(path), "--send", env=ENV)


def received_by(inbox: Inbox) -> list[str]:
    return sorted(r for m in inbox.received for r in m.recipients)


def test_the_file_format_reads_addresses_dates_and_reasons(tmp_path: Path) -> None:
    listed = write(
        tmp_path / "suppressed.txt",
        "# address\tdate\treason\n\nasha@example.org\t2026-12-03\tunsubscribed (one-click, x)\n"
        "Kenji@Bücher.example\t2026-12-04\tbounced (5.1.1)\nplain@example.org\n",
    )
    found = suppression.read_suppressed(listed)
    assert sorted(found) == ["asha@example.org", "kenji@xn--bcher-kva.example", "plain@example.org"]
    assert found["asha@example.org"].kind == "unsubscribed"
    assert found["kenji@xn--bcher-kva.example"].kind == "bounced"
    assert (found["plain@example.org"].day, found["plain@example.org"].kind) == ("", "other")
    assert suppression.read_suppressed(tmp_path / "missing.txt") == {}


def test_bad_lines_are_each_named_by_file_and_line(tmp_path: Path) -> None:
    listed = write(
        tmp_path / "suppressed.txt",
        "ok@example.org\nnot-an-address\t2026-12-03\tx\nNa Me <n@example.org>\n"
        "d@example.org\t3 December\tx\n",
    )
    with pytest.raises(BriefkitError) as refused:
        suppression.read_suppressed(listed)
    assert str(refused.value).splitlines() == [
        f"{listed}:2: error: 'not-an-address' is not a mail address such as name@example.org",
        f"{listed}:3: error: 'Na Me <n@example.org>' is not a bare address such as "
        "name@example.org",
        f"{listed}:4: error: '3 December' is not a date such as 2026-12-03",
    ]


def test_a_suppression_list_that_is_a_link_or_a_fifo_is_refused(tmp_path: Path) -> None:
    secret = write(tmp_path / "secret.txt", "a@example.org\n")
    link = tmp_path / "suppressed.txt"
    link.symlink_to(secret)
    with pytest.raises(BriefkitError, match="symbolic link"):
        suppression.read_suppressed(link)
    with pytest.raises(BriefkitError, match="symbolic link"):
        suppression.add(link, ["b@example.org"], "x")
    assert secret.read_text() == "a@example.org\n"
    fifo = tmp_path / "fifo.txt"
    os.mkfifo(fifo)
    with pytest.raises(BriefkitError, match="not a regular file"):
        suppression.read_suppressed(fifo)


def test_additions_are_checked_so_no_line_can_be_forged(tmp_path: Path) -> None:
    listed = tmp_path / "suppressed.txt"
    for address in ["a@example.org\nb@example.org", "a@example.org\tx"]:
        with pytest.raises(BriefkitError, match="nothing was changed"):
            suppression.add(listed, [address], "x")
    with pytest.raises(BriefkitError, match="reason"):
        suppression.add(listed, ["a@example.org"], "x\nb@example.org\t2026-01-01\ty")
    assert not listed.exists()


def test_writers_at_once_lose_no_address(tmp_path: Path) -> None:
    listed = tmp_path / "suppressed.txt"

    def add_some(start: int) -> None:
        for n in range(start, start + 20):
            suppression.add(listed, [f"r{n}@example.org"], "unsubscribed")

    def add_and_remove() -> None:  # each removal replaces the file while others append
        for n in range(20):
            suppression.add(listed, [f"gone{n}@example.org"], "x")
            suppression.take_off(listed, [f"gone{n}@example.org"])

    threads = [threading.Thread(target=add_some, args=(n * 100,)) for n in range(4)]
    threads.append(threading.Thread(target=add_and_remove))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(suppression.read_suppressed(listed)) == sorted(
        f"r{n}@example.org" for start in range(0, 400, 100) for n in range(start, start + 20)
    )


def test_honour_takes_suppressed_readers_out_in_any_spelling(tmp_path: Path) -> None:
    listed = read_list(write(tmp_path / "list.txt", "a@example.org\nB@bücher.example\nc@x.org\n"))
    path = write(tmp_path / "s.txt", "b@xn--bcher-kva.example\t2026-12-03\tbounced (5.1.1)\n")
    honoured = suppression.honour(listed, path)
    assert [r.address.addr_spec for r in honoured.readers.recipients] == [
        "a@example.org",
        "c@x.org",
    ]
    assert honoured.summary(Path("s.txt")) == (
        "skipped 1 reader on the suppression list s.txt: 1 bounced"
    )


def test_suppressed_readers_receive_nothing_and_the_run_says_how_many(
    run_cli: Run, plain_server: MailServer, inbox: Inbox, listed: Path, samples_workspace: Path
) -> None:
    write(
        samples_workspace / "suppressed.txt",
        "reader2@example.org\t2026-12-01\tunsubscribed (one-click, x)\n"
        "READER5@example.org\t2026-12-02\tbounced (5.1.1)\n"
        "reader6@example.org\t2026-12-02\tunsubscribed (by mail, x)\n",
    )
    result = send(run_cli, listed)
    assert result.returncode == 0, result.stderr
    assert (
        "skipped 3 readers on the suppression list suppressed.txt: 2 unsubscribed, 1 bounced"
        in result.stdout
    )
    assert received_by(inbox) == [
        "reader1@example.org",
        "reader3@example.org",
        "reader4@example.org",
    ]


def test_a_suppression_list_named_in_the_config_is_honoured(
    run_cli: Run, plain_server: MailServer, inbox: Inbox, listed: Path, samples_workspace: Path
) -> None:
    config = samples_workspace / "briefkit.toml"
    config.write_text(
        config.read_text().replace("[email]\n", '[email]\nsuppression = "lists/gone.txt"\n')
    )
    write(samples_workspace / "lists" / "gone.txt", "reader1@example.org\n")
    result = send(run_cli, listed)
    assert result.returncode == 0, result.stderr
    assert "skipped 1 reader on the suppression list lists/gone.txt: 1 added by hand" in (
        result.stdout
    )
    assert "reader1@example.org" not in received_by(inbox)
    assert len(inbox.received) == 5


def test_a_bad_suppression_list_stops_the_send_before_any_message(
    run_cli: Run, plain_server: MailServer, inbox: Inbox, listed: Path, samples_workspace: Path
) -> None:
    write(samples_workspace / "suppressed.txt", "reader1@example.org\nnonsense\n")
    result = send(run_cli, listed)
    assert result.returncode == 1
    assert "suppressed.txt:2: error: 'nonsense' is not a mail address" in result.stderr
    assert "nothing was sent" in result.stderr
    assert "Traceback" not in result.stderr
    assert inbox.received == []


def test_a_list_all_suppressed_sends_nothing_and_says_so(
    run_cli: Run, plain_server: MailServer, inbox: Inbox, listed: Path, samples_workspace: Path
) -> None:
    write(samples_workspace / "suppressed.txt", "\n".join(READERS) + "\n")
    result = send(run_cli, listed)
    assert result.returncode == 1
    assert "every reader of readers.txt is on the suppression list" in result.stderr
    assert inbox.received == []


def test_a_suppressed_to_address_is_warned_of_and_still_sent(
    run_cli: Run, plain_server: MailServer, inbox: Inbox, samples_workspace: Path
) -> None:
    write(samples_workspace / "suppressed.txt", "desk@example.org\t2026-12-01\tunsubscribed\n")
    result = run_cli("email", SAMPLE, "--to", "Desk <Desk@example.org>", "--send", env=ENV)
    assert result.returncode == 0, result.stderr
    assert (
        "warning: desk@example.org is on the suppression list suppressed.txt (unsubscribed, "
        "2026-12-01): it gets the message all the same, as you named it"
    ) in result.stderr
    assert received_by(inbox) == ["Desk@example.org"]


def test_suppress_adds_and_remove_takes_back(run_cli: Run, workspace: Path) -> None:
    added = run_cli("suppress", "a@example.org", "B@example.org", "--reason", "asked by phone")
    assert added.returncode == 0, added.stderr
    assert added.stdout.splitlines() == [
        "added a@example.org to suppressed.txt",
        "added B@example.org to suppressed.txt",
    ]
    lines = (workspace / "suppressed.txt").read_text().splitlines()
    assert lines[0].startswith("# address\tdate\treason")
    assert [line.split("\t")[::2] for line in lines[1:]] == [
        ["a@example.org", "asked by phone"],
        ["B@example.org", "asked by phone"],
    ]
    again = run_cli("suppress", "A@example.org", "c@example.org")
    assert again.stdout.splitlines() == [
        "A@example.org is already on suppressed.txt",
        "added c@example.org to suppressed.txt",
    ]
    assert suppression.read_suppressed(workspace / "suppressed.txt")["c@example.org"].reason == (
        "added by hand"
    )
    removed = run_cli("suppress", "--remove", "b@example.org", "z@example.org")
    assert removed.returncode == 0, removed.stderr
    assert removed.stdout.splitlines() == [
        "removed b@example.org from suppressed.txt",
        "z@example.org was not on suppressed.txt",
    ]
    assert sorted(suppression.read_suppressed(workspace / "suppressed.txt")) == [
        "a@example.org",
        "c@example.org",
    ]


def test_suppress_refuses_a_bad_address_changing_nothing(run_cli: Run, workspace: Path) -> None:
    result = run_cli("suppress", "ok@example.org", "Name <n@example.org>")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "'Name <n@example.org>' is not a bare address such as name@example.org; nothing was changed"
    )
    assert not (workspace / "suppressed.txt").exists()
