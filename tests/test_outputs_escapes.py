"""Nothing briefkit prints carries a terminal's control characters raw: they are shown escaped.

A source can hold ESC sequences (OSC 52 writes the terminal's clipboard), and a file name can
too; a terminal acts on them. Findings, the printer's lines and tables, and the JSON of
``check --format json`` show them as ``\\x1b`` (or ``\\u001b``), keeping tab and newline.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from briefkit.cli.printer import Printer
from briefkit.errors import Finding, Severity, findings_json, printable
from conftest import MINIMAL, Run, write

OSC52 = "\x1b]52;c;aGk=\x07"
# Every C0 control but tab and newline, DEL, and every C1 control.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def test_controls_are_shown_as_escapes_and_tab_and_newline_kept() -> None:
    assert printable(f"a{OSC52}b") == "a\\x1b]52;c;aGk=\\x07b"
    assert printable("\r\x00\x7f\x85\x9b") == "\\x0d\\x00\\x7f\\x85\\x9b"
    assert printable("tab\there\nnext ü → 日本") == "tab\there\nnext ü → 日本"


def test_a_finding_shows_its_path_and_message_escaped() -> None:
    finding = Finding(Path("a\x1b[2J.md"), 3, 4, Severity.ERROR, f"section 'x{OSC52}\x9b31m'")
    line = finding.format()
    assert line == "a\\x1b[2J.md:3:4: error: section 'x\\x1b]52;c;aGk=\\x07\\x9b31m'"
    assert str(finding) == line and not RAW.search(line)


def test_json_findings_escape_every_control_and_read_back_the_same() -> None:
    message = f"x{OSC52}\x7f\x85\x9by"
    finding = Finding(Path("a.md"), 1, 1, Severity.WARNING, message)
    text = findings_json([finding])
    assert not RAW.search(text)
    assert "\\u001b]52;c;aGk=\\u0007\\u007f\\u0085\\u009by" in text
    assert json.loads(text)["findings"][0]["message"] == message


def test_the_printer_escapes_every_line_it_prints(capsys: pytest.CaptureFixture[str]) -> None:
    printer = Printer()
    printer.say(f"said {OSC52}")
    printer.problem(f"problem \x9b2J{OSC52}")
    out, err = capsys.readouterr()
    assert not RAW.search(out + err)
    assert "said \\x1b]52;c;aGk=\\x07" in out
    assert "problem \\x9b2J\\x1b]52;c;aGk=\\x07" in err


@pytest.mark.slow
def test_check_and_build_print_no_raw_controls(workspace: Path, run_cli: Run) -> None:
    hostile = MINIMAL.replace("## What happened {.fact}", f"## What {OSC52}happened {{.news}}")
    write(workspace / "briefings" / "bad.md", hostile)
    write(workspace / "briefings" / "e\x1b[2Jvil.md", MINIMAL)
    for command in (["check"], ["check", "--format", "json"], ["build", "--format", "html"]):
        result = run_cli(*command)
        assert result.returncode == 1, result.stderr
        assert "bad.md" in result.stdout + result.stderr
        assert not RAW.search(result.stdout + result.stderr), (command, result.stdout)
    built = run_cli("build", "--format", "html")
    assert "e\\x1b[2Jvil.md" in built.stdout
