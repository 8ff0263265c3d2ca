"""What each list message carries: List-* headers, the unsubscribe line, DKIM, bounce address."""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import dkim  # type: ignore[import-untyped]
import listunsub
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

import briefkit
from briefkit.delivery.mail import dkim as mail_dkim
from briefkit.delivery.mail.lists import send as list_send
from briefkit.delivery.mail.lists.log import SendLog
from briefkit.delivery.mail.lists.send import ListReport
from briefkit.delivery.mail.lists.tokens import reader_token
from briefkit.errors import BriefkitError
from conftest import Run, write
from mailserver import Inbox, MailServer, Received, body, configure
from test_email_list import NO_LOGIN, SAMPLE, SECRET, correct, log_lines, send_list

READERS = ["ana@example.org", "bo@example.org", "cy@example.org"]
LIST_ID = "indo-pacific-briefs.example.org"
UNSUBSCRIBE = "https://lists.example.org/unsubscribe"
LIST_SETTINGS = (
    f'unsubscribe_url = "{UNSUBSCRIBE}"\nreply_to = "Desk <replies@example.org>"\n'
    'bounce_address = "bounces@example.org"\ndkim_selector = "brief"\n'
)


@pytest.fixture
def key(tmp_path: Path) -> tuple[Path, bytes]:
    """Make a test RSA key: its PEM file, and the DNS TXT record that publishes its public half."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = tmp_path / "dkim.pem"
    pem.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    public = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem, b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


def verified(data: bytes, record: bytes) -> bool:
    """Verify a message's DKIM signature, the key looked up at brief._domainkey.example.org."""

    def dns(name: bytes, timeout: int = 5) -> bytes | None:
        return record if name == b"brief._domainkey.example.org." else None

    return bool(dkim.verify(data, dnsfunc=dns))


def send_to_readers(
    workspace: Path, server: MailServer, monkeypatch: pytest.MonkeyPatch, extra: str = ""
) -> ListReport:
    """Send the sample brief to READERS through the API, with the list settings given."""
    configure(workspace, server, extra)
    for name, value in NO_LOGIN.items():
        monkeypatch.setenv(name, value)
    listed = write(workspace / "readers.txt", "\n".join(READERS) + "\n")
    brief = briefkit.load(SAMPLE)
    message = briefkit.compose_email(brief, to=[READERS[0]])
    return briefkit.send_email_to_list(message, listed, brief=brief)


def https_link(received: Received) -> str:
    """Return the https: link of a received message's List-Unsubscribe."""
    (link,) = listunsub.parse_header(str(received.message["List-Unsubscribe"])).https
    return link


def test_each_list_message_carries_list_headers_a_line_and_a_verified_dkim_signature(
    samples_workspace: Path,
    inbox: Inbox,
    key: tuple[Path, bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pem, record = key
    monkeypatch.setenv("BRIEFKIT_DKIM_KEY", str(pem))
    with MailServer(inbox) as server:
        report = send_to_readers(samples_workspace, server, monkeypatch, LIST_SETTINGS)
    assert report.sent == READERS
    for reader in READERS:
        (received,) = inbox.to(reader)
        message = received.message
        assert received.sender == "bounces@example.org"  # the envelope: where bounces go
        assert message["List-Id"] == f'"Indo-Pacific Briefs" <{LIST_ID}>'
        assert message["Precedence"] == "bulk" and message["Auto-Submitted"] is None
        assert message["Reply-To"] == "Desk <replies@example.org>"
        signatures = [str(s) for s in message.get_all("DKIM-Signature", [])]
        problems = listunsub.audit(
            str(message["List-Unsubscribe"]),
            str(message["List-Unsubscribe-Post"]),
            dkim_signatures=signatures,
        )
        assert problems == []
        (signature,) = signatures
        assert "c=relaxed/relaxed" in " ".join(signature.split())
        assert verified(received.data, record)
        forged = received.data.replace(b"\r\nSubject: ", b"\r\nSubject: Re: ", 1)
        assert forged != received.data and not verified(forged, record)
        # The reader's own token, in both links, and no one else's.
        token = reader_token(SECRET.encode(), LIST_ID, reader)
        link = https_link(received)
        assert parse_qs(urlsplit(link).query) == {
            "list": [LIST_ID],
            "address": [reader],
            "token": [token],
        }
        assert link.startswith(f"{UNSUBSCRIBE}?")
        (mailto,) = listunsub.parse_header(str(message["List-Unsubscribe"])).mailto
        parsed = listunsub.parse_mailto(mailto)
        assert parsed.to == ("desk@example.org",)
        assert parsed.get("subject") == f"unsubscribe {LIST_ID} {token}"
        for other in READERS:
            if other != reader:
                assert reader_token(SECRET.encode(), LIST_ID, other).encode() not in received.data
        # The visible line, in both bodies, with the same link.
        plain, page = body(message, "plain"), body(message, "html")
        assert " ".join(plain.split()).endswith(
            f"You receive this brief as a reader of Indo-Pacific Briefs. To unsubscribe: {link}"
        )
        assert f"\n{link}\n" in plain  # the link whole, on a line of its own
        assert f'href="{html.escape(link)}"' in page
        assert "You receive this brief as a reader of Indo-Pacific Briefs." in page
        assert "briefkit:unsubscribe" not in page


def test_without_an_https_address_the_line_and_header_give_the_mailto(
    samples_workspace: Path, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    with MailServer(inbox) as server:
        send_to_readers(samples_workspace, server, monkeypatch)
    (received,) = inbox.to(READERS[1])
    message = received.message
    header = listunsub.parse_header(str(message["List-Unsubscribe"]))
    assert header.https == () and message["List-Unsubscribe-Post"] is None
    assert message["DKIM-Signature"] is None and message["Reply-To"] is None
    assert received.sender == "desk@example.org"
    (mailto,) = header.mailto
    assert mailto in body(message, "plain") and html.escape(mailto) in body(message, "html")


def test_a_list_send_without_the_secret_is_refused_before_anything_is_sent(
    run_cli: Run, plain_server: MailServer, inbox: Inbox, samples_workspace: Path
) -> None:
    listed = write(samples_workspace / "readers.txt", "\n".join(READERS) + "\n")
    env = {**NO_LOGIN, "BRIEFKIT_UNSUBSCRIBE_SECRET": ""}
    result = run_cli("email", SAMPLE, "--list", str(listed), "--send", env=env)
    assert result.returncode == 1
    assert "BRIEFKIT_UNSUBSCRIBE_SECRET is not set" in result.stderr
    assert "secrets.token_urlsafe(32)" in result.stderr and "Traceback" not in result.stderr
    assert inbox.received == [] and not listed.with_name("readers.txt.sent.log").exists()
    written = run_cli("email", SAMPLE, "--list", str(listed), env=env)  # not a send: no secret
    assert written.returncode == 0, written.stderr


def test_a_dkim_key_missing_unreadable_or_a_link_is_refused(
    tmp_path: Path, key: tuple[Path, bytes]
) -> None:
    pem, _ = key
    with pytest.raises(BriefkitError, match="BRIEFKIT_DKIM_KEY is not"):
        mail_dkim.signer_from("brief", "example.org", {})
    link = tmp_path / "link.pem"
    link.symlink_to(pem)
    not_a_key = write(tmp_path / "not.pem", "hello\n")
    big = tmp_path / "big.pem"
    big.write_bytes(b"x" * (mail_dkim.MAX_KEY_BYTES + 1))
    for path, said in (
        (tmp_path / "none.pem", "does not exist"),
        (link, "symbolic link"),
        (not_a_key, "is not a PEM RSA private key"),
        (big, "larger than the limit"),
    ):
        with pytest.raises(BriefkitError, match=said) as refused:
            mail_dkim.signer_from("brief", "example.org", {"BRIEFKIT_DKIM_KEY": str(path)})
        assert str(path) in str(refused.value) and "nothing was sent" in str(refused.value)
    assert mail_dkim.signer_from(None, "example.org", {}) is None
    signer = mail_dkim.signer_from("brief", "example.org", {"BRIEFKIT_DKIM_KEY": str(pem)})
    assert signer is not None and "BEGIN" not in repr(signer)


def test_the_list_rate_is_the_default(
    samples_workspace: Path, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    rates: list[float | None] = []
    real = list_send.Pace

    def recorded(per_minute: float | None) -> list_send.Pace:
        rates.append(per_minute)
        return real(None)  # no waiting in the test

    monkeypatch.setattr(list_send, "Pace", recorded)
    with MailServer(inbox) as server:
        send_to_readers(samples_workspace, server, monkeypatch, "rate = 45\n")
    assert rates == [45]


def test_renaming_the_title_sends_nothing_again_and_a_correction_still_reaches_readers(
    run_cli: Run, plain_server: MailServer, inbox: Inbox, samples_workspace: Path
) -> None:
    listed = write(samples_workspace / "readers.txt", "\n".join(READERS) + "\n")
    assert send_list(run_cli, listed).returncode == 0
    assert {entry["brief"] for entry in log_lines(listed)} == {
        "briefings/india-japan-2025-11.md#full"
    }
    source = samples_workspace / SAMPLE
    source.write_text(
        source.read_text().replace("title: India and Japan", "title: Japan and India")
    )
    again = send_list(run_cli, listed)
    assert again.returncode == 0, again.stderr
    assert "3 readers already have this message" in again.stdout
    assert len(inbox.received) == 3
    correct(samples_workspace, ("2025-11-26", "A figure was wrong."))
    corrected = send_list(run_cli, listed, "--correction")
    assert corrected.returncode == 0, corrected.stderr
    assert sorted(r for m in inbox.received[3:] for r in m.recipients) == READERS


def test_a_log_from_before_lines_named_their_brief_still_counts_by_subject(tmp_path: Path) -> None:
    log = tmp_path / "list.txt.sent.log"
    old = {"time": "2025-11-24T16:00:00Z", "to": "a@example.org", "subject": "Brief 1"}
    log.write_text(json.dumps(old) + "\n")
    with SendLog(log, "Brief 1", brief="briefings/a.md#full") as same:
        assert same.reached() == {"a@example.org"}
        same.record("b@example.org", "<1@example.org>")
    with SendLog(log, "Brief 1, renamed", brief="briefings/a.md#full") as renamed:
        assert renamed.reached() == {"b@example.org"}  # the old line knew only its subject
    with SendLog(log, "Brief 1", brief="briefings/a.md#facts-only") as other:
        assert other.reached() == {"a@example.org"}


def test_a_theme_s_own_body_without_the_partial_still_shows_the_line(
    samples_workspace: Path, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        samples_workspace / "templates" / "email" / "body.html",
        "<!DOCTYPE html>\n<html><body><h1>{{ view.meta.title }}</h1></body></html>\n",
    )
    with MailServer(inbox) as server:
        send_to_readers(samples_workspace, server, monkeypatch)
    (received,) = inbox.to(READERS[2])
    page = body(received.message, "html")
    (mailto,) = listunsub.parse_header(str(received.message["List-Unsubscribe"])).mailto
    assert page.index(html.escape(mailto)) < page.index("</body>")
    assert page.count("You receive this brief as a reader of") == 1


def _make_draft(workspace: Path) -> None:
    """Mark the sample brief a draft."""
    source = workspace / SAMPLE
    text = source.read_text()
    source.write_text(text.replace("date: 2025-11-24\n", "date: 2025-11-24\ndraft: true\n", 1))


def test_a_draft_goes_to_no_list_but_may_go_to_one_reviewer(
    run_cli: Run, plain_server: MailServer, inbox: Inbox, samples_workspace: Path
) -> None:
    _make_draft(samples_workspace)
    listed = write(samples_workspace / "readers.txt", "\n".join(READERS) + "\n")
    refused = run_cli("email", SAMPLE, "--list", str(listed), "--send", env=NO_LOGIN)
    assert refused.returncode == 1
    assert f"{SAMPLE} is a draft (draft: true in its front matter): drafts go to no list" in (
        refused.stderr
    )
    assert "nothing was sent" in refused.stderr and "Traceback" not in refused.stderr
    assert inbox.received == [] and not listed.with_name("readers.txt.sent.log").exists()
    # Written to check, it says where --send would not take it.
    written = run_cli("email", SAMPLE, "--list", str(listed), env=NO_LOGIN)
    assert written.returncode == 0, written.stderr
    assert f"{SAMPLE} is a draft (draft: true): with --send it goes to no list" in written.stdout
    reviewed = run_cli("email", SAMPLE, "--to", "editor@example.org", "--send", env=NO_LOGIN)
    assert reviewed.returncode == 0, reviewed.stderr
    assert "is a draft (draft: true): it goes to the address given, for review" in reviewed.stdout
    assert [r.recipients for r in inbox.received] == [["editor@example.org"]]


def test_the_api_refuses_to_send_a_draft_to_a_list(
    samples_workspace: Path, monkeypatch: pytest.MonkeyPatch, inbox: Inbox
) -> None:
    _make_draft(samples_workspace)
    monkeypatch.chdir(samples_workspace)
    with MailServer(inbox) as server, pytest.raises(BriefkitError, match="is a draft"):
        send_to_readers(samples_workspace, server, monkeypatch)
    assert inbox.received == []
