"""`briefkit email --link`: a message that links to the published brief instead of carrying it."""

from __future__ import annotations

import subprocess
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote

import pytest

import briefkit
from briefkit.errors import BriefkitError, UsageError
from briefkit.text.languages import language_for
from conftest import MINIMAL, Run, write
from mailserver import body

BASE_URL = "https://briefs.example.org/site/"
SENDER = "Policy Desk <desk@example.org>"
# A brief in a folder of briefings/, as publish lays it out, on Letter paper (x-letter.pdf).
SETTINGS = f"""[organisation]
name = "Test Unit"

[build]
paper = "letter"

[publish]
base_url = "{BASE_URL}"
"""
PDF = f"{BASE_URL}2025/note-letter.pdf"
EPUB = f"{BASE_URL}2025/note.epub"


def linked(workspace: Path, text: str = MINIMAL, **options: object) -> EmailMessage:
    """Return the message of briefings/2025/note.md, linked to its published copies."""
    write(workspace / "briefkit.toml", SETTINGS)
    source = write(workspace / "briefings" / "2025" / "note.md", text)
    return briefkit.compose_email(
        briefkit.load(source),
        to=["a@example.org"],
        sender=SENDER,
        link=True,
        **options,  # type: ignore[arg-type]
    )


def attachments(message: EmailMessage) -> list[str]:
    """Return the file names of a message's attachments."""
    return [part.get_filename() or "" for part in message.iter_attachments()]


@pytest.mark.parametrize("shown", ["full", "summary"])
def test_a_linked_message_carries_no_file_and_links_the_published_pdf_and_epub(
    workspace: Path, shown: str
) -> None:
    message = linked(workspace, body=shown)
    assert attachments(message) == []
    assert not any(part.get_content_type() == "application/pdf" for part in message.walk())
    text, html = body(message, "plain"), body(message, "html")
    for address in (PDF, EPUB):
        assert f"\n  {address}\n" in text
        assert f'href="{address}"' in html
    assert "PDF, for print and screen" in text and "EPUB, for e-readers" in text
    words = " ".join(text.split())
    if shown == "summary":
        assert "first paragraph. The full brief is published online:" in words
    else:
        assert "This brief is also published online:" in words


def test_the_links_are_where_briefkit_publish_puts_the_files(workspace: Path) -> None:
    message = linked(workspace)
    report = briefkit.publish(workspace=workspace, out=workspace / "site", jobs=1)
    assert report.ok, [r.error for r in report.build.results]
    html = body(message, "html")
    for address in (PDF, EPUB):
        assert f'href="{address}"' in html
        assert (workspace / "site" / unquote(address.removeprefix(BASE_URL))).is_file()


def test_the_links_are_in_the_brief_s_language(workspace: Path) -> None:
    message = linked(workspace, MINIMAL.replace("title:", "language: ja\ntitle:", 1))
    _ = language_for("ja").gettext
    text, html = body(message, "plain"), body(message, "html")
    for words in ("This brief is also published online:", "EPUB, for e-readers"):
        assert _(words) != words
        assert _(words) in text and _(words) in html


def test_a_facts_only_link_needs_publish_to_publish_that_edition(workspace: Path) -> None:
    with pytest.raises(BriefkitError, match="does not publish the facts-only edition"):
        linked(workspace, facts_only=True)
    write(workspace / "briefkit.toml", SETTINGS + "facts_only = true\n")
    source = workspace / "briefings" / "2025" / "note.md"
    message = briefkit.compose_email(
        briefkit.load(source), to=["a@example.org"], sender=SENDER, link=True, facts_only=True
    )
    assert f"{BASE_URL}2025/note-facts-only.epub" in body(message, "plain")


def test_link_with_attachments_is_refused_naming_both(workspace: Path) -> None:
    with pytest.raises(UsageError, match=r"link= and attach= do not go together"):
        linked(workspace, attach=["pdf"])


def email_cli(
    run_cli: Run, workspace: Path, *options: str, settings: str = SETTINGS
) -> subprocess.CompletedProcess[str]:
    """Run ``briefkit email`` on briefings/note.md with options, settings in briefkit.toml."""
    write(workspace / "briefkit.toml", settings)
    write(workspace / "briefings" / "note.md", MINIMAL)
    return run_cli(
        "email", "briefings/note.md", "--to", "a@example.org", "--from", "d@example.org", *options
    )


def test_email_link_with_attach_exits_2_naming_both_flags(workspace: Path, run_cli: Run) -> None:
    result = email_cli(run_cli, workspace, "--link", "--attach", "pdf")
    assert result.returncode == 2, result.stderr
    assert "--link and --attach do not go together" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (workspace / "out" / "note.eml").exists()


def test_email_link_without_base_url_says_to_set_it(workspace: Path, run_cli: Run) -> None:
    result = email_cli(run_cli, workspace, "--link", settings='[organisation]\nname = "X"\n')
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("briefkit.toml: a message that links to the published brief")
    assert "set base_url in the [publish] table" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (workspace / "out" / "note.eml").exists()


def test_email_link_writes_a_message_without_attachments(workspace: Path, run_cli: Run) -> None:
    result = email_cli(run_cli, workspace, "--link", "--body", "summary")
    assert result.returncode == 0, result.stderr
    eml = (workspace / "out" / "note.eml").read_bytes()
    assert b"Content-Disposition: attachment" not in eml
    assert f"{BASE_URL}note-letter.pdf".encode() in eml
