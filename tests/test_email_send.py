"""`briefkit email` against a real SMTP server on 127.0.0.1: plain, STARTTLS, TLS, AUTH, errors."""

from __future__ import annotations

import io
import subprocess
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest

from conftest import Run, write
from mailserver import (
    REFUSAL,
    Authority,
    Inbox,
    MailServer,
    body,
    configure,
    free_port,
)
from test_epub import epubcheck, needs_java, problems

SAMPLE = "briefings/india-japan-2025-11.md"
EML = Path("out/india-japan-2025-11.eml")
NO_LOGIN = {"BRIEFKIT_SMTP_USER": "", "BRIEFKIT_SMTP_PASSWORD": ""}
LOGIN = {"BRIEFKIT_SMTP_USER": "analyst", "BRIEFKIT_SMTP_PASSWORD": "s3cret-Pa55"}


def send(
    run_cli: Run, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return run_cli("email", SAMPLE, *args, env={**NO_LOGIN, **(env or {})})


def only(inbox: Inbox) -> EmailMessage:
    assert len(inbox.received) == 1, inbox.received
    return inbox.received[0].message


def test_without_send_only_writes_the_eml(
    run_cli: Run, plain_server: MailServer, inbox: Inbox
) -> None:
    result = send(run_cli, "--to", "minister@example.org")
    assert result.returncode == 0, result.stderr
    assert f"wrote {EML}" in result.stdout and "--send" in result.stdout
    assert inbox.received == []
    message = EML.read_bytes()
    assert b"\r\nTo: minister@example.org\r\n" in message
    assert b"multipart/alternative" in message


def test_sends_both_bodies_to_to_and_cc(
    run_cli: Run, plain_server: MailServer, inbox: Inbox
) -> None:
    result = send(
        run_cli, "--to", "Minister <minister@example.org>", "--cc", "office@example.org", "--send"
    )
    assert result.returncode == 0, result.stderr
    assert "not encrypted" in result.stderr  # --smtp-security none says so
    assert "sent to minister@example.org, office@example.org" in result.stdout
    received = inbox.received[0]
    assert received.sender == "desk@example.org"
    assert received.recipients == ["minister@example.org", "office@example.org"]
    message = only(inbox)
    assert message["To"] == "Minister <minister@example.org>"
    assert message["Cc"] == "office@example.org"
    assert message["From"] == "Policy Desk <desk@example.org>"
    assert message["Subject"].startswith("Indo-Pacific Briefs · No. 2025/11: India and Japan")
    assert message["Message-ID"] and message["Date"]
    assert message.get_content_type() == "multipart/alternative"
    text = body(message, "plain")
    html = body(message, "html")
    assert "FACT\nThe meeting in Johannesburg" in text
    assert "COMMENTARY · MGMM Editorial Board\nThe MGMM Outlook" in text
    assert 'label--fact"' in html and ">Fact<" in html and ">Commentary<" in html
    assert " · MGMM Editorial Board" in html
    assert EML.exists()  # a copy of what was sent


# aiosmtpd warns that implicit TLS requires AUTH "without TLS": it counts only STARTTLS.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_with_login_from_the_environment(
    run_cli: Run, samples_workspace: Path, inbox: Inbox, tls: Authority, security: str
) -> None:
    login = (LOGIN["BRIEFKIT_SMTP_USER"], LOGIN["BRIEFKIT_SMTP_PASSWORD"])
    with MailServer(inbox, security=security, tls=tls, login=login) as server:
        configure(samples_workspace, server)
        env = {**LOGIN, "SSL_CERT_FILE": str(tls.ca_file)}
        result = send(run_cli, "--to", "minister@example.org", "--send", env=env)
    assert result.returncode == 0, result.stderr
    assert inbox.logins == ["analyst"]
    assert only(inbox)["To"] == "minister@example.org"
    for secret in login:
        assert secret not in result.stdout + result.stderr


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_an_unverified_certificate_is_refused(
    run_cli: Run, samples_workspace: Path, inbox: Inbox, tls: Authority, security: str
) -> None:
    with MailServer(inbox, security=security, tls=tls) as server:
        configure(samples_workspace, server)
        # No SSL_CERT_FILE: the test authority is not trusted, so the server is not either.
        result = send(run_cli, "--to", "minister@example.org", "--send")
    assert result.returncode == 1
    assert "could not be verified" in result.stderr and "SSL_CERT_FILE" in result.stderr
    assert f"kept in {EML}" in result.stderr and EML.exists()
    assert "Traceback" not in result.stderr
    assert inbox.received == []


def test_a_wrong_password_is_reported_without_printing_it(
    run_cli: Run, samples_workspace: Path, inbox: Inbox, tls: Authority
) -> None:
    with MailServer(inbox, security="starttls", tls=tls, login=("analyst", "right")) as server:
        configure(samples_workspace, server)
        env = {**LOGIN, "SSL_CERT_FILE": str(tls.ca_file)}
        result = send(run_cli, "--to", "minister@example.org", "--send", env=env)
    assert result.returncode == 1
    assert "refused the login in BRIEFKIT_SMTP_USER and BRIEFKIT_SMTP_PASSWORD" in result.stderr
    assert LOGIN["BRIEFKIT_SMTP_PASSWORD"] not in result.stdout + result.stderr
    assert inbox.received == []


def test_a_server_that_needs_a_login_says_how_to_give_one(
    run_cli: Run, samples_workspace: Path, inbox: Inbox, tls: Authority
) -> None:
    with MailServer(inbox, security="starttls", tls=tls, login=("analyst", "right")) as server:
        configure(samples_workspace, server)
        result = send(
            run_cli, "--to", "a@example.org", "--send", env={"SSL_CERT_FILE": str(tls.ca_file)}
        )
    assert result.returncode == 1
    assert "set BRIEFKIT_SMTP_USER and BRIEFKIT_SMTP_PASSWORD" in result.stderr


def test_a_login_is_never_sent_unencrypted(
    run_cli: Run, plain_server: MailServer, inbox: Inbox
) -> None:
    result = send(run_cli, "--to", "a@example.org", "--send", env=LOGIN)
    assert result.returncode == 1
    assert "unencrypted" in result.stderr
    assert inbox.received == []


def test_a_refused_recipient_is_named_and_the_message_kept(
    run_cli: Run, plain_server: MailServer, inbox: Inbox
) -> None:
    inbox.refuse.add("gone@example.org")
    result = send(run_cli, "--to", "minister@example.org", "--to", "gone@example.org", "--send")
    assert result.returncode == 1
    assert f"the mail server refused gone@example.org: {REFUSAL}" in result.stderr
    assert f"kept in {EML}" in result.stderr and EML.exists()
    assert "sent to minister@example.org" in result.stdout
    assert inbox.received[0].recipients == ["minister@example.org"]


def test_every_recipient_refused(run_cli: Run, plain_server: MailServer, inbox: Inbox) -> None:
    inbox.refuse.add("gone@example.org")
    result = send(run_cli, "--to", "gone@example.org", "--send")
    assert result.returncode == 1
    assert "refused gone@example.org" in result.stderr
    assert inbox.received == []


def test_a_server_that_is_not_listening(run_cli: Run, samples_workspace: Path) -> None:
    port = free_port()
    result = send(
        run_cli, "--to", "a@example.org", "--send", "--smtp-host", "127.0.0.1",
        "--smtp-port", str(port), "--smtp-security", "none", "--from", "desk@example.org",
    )  # fmt: skip
    assert result.returncode == 1
    assert f"cannot connect to the mail server at 127.0.0.1:{port}" in result.stderr
    assert f"kept in {EML}" in result.stderr and EML.exists()
    assert "Traceback" not in result.stderr


def test_a_line_break_in_the_title_sends_nothing(
    run_cli: Run, plain_server: MailServer, inbox: Inbox, samples_workspace: Path
) -> None:
    source = samples_workspace / SAMPLE
    text = source.read_text().replace(
        "title: India and Japan widen their partnership at the Johannesburg G20",
        'title: "India and Japan\\nBcc: everyone@example.org"',
    )
    source.write_text(text)
    result = send(run_cli, "--to", "a@example.org", "--send")
    assert result.returncode == 1
    assert "the brief's title" in result.stderr and "line break" in result.stderr
    assert "Traceback" not in result.stderr
    assert inbox.received == [] and not EML.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "say who gets the message"),
        (["--to", "a@example.org", "--kindle", "k@kindle.com"], "give one of"),
        (["--cc", "a@example.org"], "--cc goes with --to"),
        (["--kindle", "k@kindle.com", "--attach", "pdf"], "--kindle sends the EPUB alone"),
        (["--to", "a@example.org", "--rate", "10"], "--rate paces a --list run"),
        (["--to", "not an address"], "the --to address 'not an address' is not a mail address"),
        (["--kindle", "not an address"], "the --kindle address 'not an address' is not a"),
        (["--to", "a@example.org\r\nBcc: b@example.org"], "line break"),
    ],
)
def test_usage_errors(
    run_cli: Run, plain_server: MailServer, inbox: Inbox, args: list[str], message: str
) -> None:
    result = send(run_cli, *args, "--send")
    assert result.returncode in (1, 2), result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert inbox.received == []


def test_no_sender_is_a_usage_error(run_cli: Run, samples_workspace: Path) -> None:
    result = send(run_cli, "--to", "a@example.org")
    assert result.returncode == 2
    assert "no sender: give one (--from), or set from in [email]" in result.stderr


def test_a_bad_sender_in_briefkit_toml_names_its_line(
    run_cli: Run, samples_workspace: Path
) -> None:
    write(
        samples_workspace / "briefkit.toml",
        '[organisation]\nname = "X"\n\n[email]\nfrom = "desk"\n',
    )
    result = send(run_cli, "--to", "a@example.org")
    assert result.returncode == 1
    assert "briefkit.toml:5: error: 'email.from'" in result.stderr


@pytest.mark.slow
@needs_java
def test_attachments_are_the_build_outputs_and_open(
    run_cli: Run, plain_server: MailServer, inbox: Inbox, tmp_path: Path
) -> None:
    result = send(run_cli, "--to", "a@example.org", "--attach", "pdf", "--attach", "epub", "--send")
    assert result.returncode == 0, result.stderr
    message = only(inbox)
    assert message.get_content_type() == "multipart/mixed"
    files = {part.get_filename(): part for part in message.iter_attachments()}
    assert set(files) == {"india-japan-2025-11.pdf", "india-japan-2025-11.epub"}
    assert files["india-japan-2025-11.pdf"].get_content_type() == "application/pdf"
    assert files["india-japan-2025-11.epub"].get_content_type() == "application/epub+zip"
    pdf = tmp_path / "received.pdf"
    pdf.write_bytes(files["india-japan-2025-11.pdf"].get_content())
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    assert "FACT" in text.stdout and "COMMENTARY" in text.stdout
    epub = files["india-japan-2025-11.epub"].get_content()
    messages, _ = epubcheck(epub, tmp_path)
    assert problems(messages) == []
    html = body(message, "html")
    assert "india-japan-2025-11.pdf, india-japan-2025-11.epub" in html  # the footer names them


@pytest.mark.slow
def test_facts_only_attachments_are_named_so(
    run_cli: Run, plain_server: MailServer, inbox: Inbox
) -> None:
    result = send(run_cli, "--to", "a@example.org", "--attach", "epub", "--facts-only", "--send")
    assert result.returncode == 0, result.stderr
    message = only(inbox)
    assert [p.get_filename() for p in message.iter_attachments()] == [
        "india-japan-2025-11-facts-only.epub"
    ]
    assert "(facts only)" in message["Subject"]
    assert "FACTS-ONLY EDITION" in body(message, "plain")
    assert Path("out/india-japan-2025-11-facts-only.eml").exists()


@pytest.mark.slow
@needs_java
def test_kindle_message_is_the_epub_alone(
    run_cli: Run, plain_server: MailServer, inbox: Inbox, tmp_path: Path
) -> None:
    result = send(run_cli, "--kindle", "reader@kindle.com", "--send")
    assert result.returncode == 0, result.stderr
    message = only(inbox)
    assert message["To"] == "reader@kindle.com"
    parts = [part.get_content_type() for part in message.walk()]
    assert parts == ["multipart/mixed", "text/plain", "application/epub+zip"]
    (epub,) = message.iter_attachments()
    assert epub.get_filename() == "india-japan-2025-11.epub"
    assert 'filename="india-japan-2025-11.epub"' in epub["Content-Disposition"]
    text = body(message, "plain")
    assert "India and Japan widen their partnership" in text and "EPUB" in text
    data = epub.get_content()
    assert zipfile.ZipFile(io.BytesIO(data)).read("mimetype") == b"application/epub+zip"
    messages, _ = epubcheck(data, tmp_path)
    assert problems(messages) == []


@pytest.mark.slow
def test_attachments_over_the_limit_are_refused(
    run_cli: Run, plain_server: MailServer, inbox: Inbox, samples_workspace: Path
) -> None:
    config = samples_workspace / "briefkit.toml"
    config.write_text(config.read_text() + "max_attachments_mb = 0.01\n")
    result = send(run_cli, "--to", "a@example.org", "--attach", "epub", "--send")
    assert result.returncode == 1
    assert "more than the 0.01 MB a message may carry" in result.stderr
    assert "india-japan-2025-11.epub" in result.stderr
    assert inbox.received == [] and not EML.exists()
