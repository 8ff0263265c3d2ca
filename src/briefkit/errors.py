"""Findings about sources, and the errors that carry problems to the user."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

# C0 controls but tab and newline, DEL and C1 controls: a terminal acts on them (ESC starts an
# escape sequence; OSC 52 writes the clipboard), so text from sources never reaches it raw.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# What JSON leaves raw inside strings (ensure_ascii=False) of those: DEL and C1.
_JSON_RAW_CONTROLS = re.compile("[\x7f-\x9f]")


def printable(text: str) -> str:
    r"""Return text with every control character but tab and newline shown as ``\xNN``."""
    return _CONTROLS.sub(lambda found: f"\\x{ord(found[0]):02x}", text)


class Severity(StrEnum):
    """How serious a finding is."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Finding:
    """One problem in a source file, located by line and column (both 1-based)."""

    path: Path
    line: int
    col: int
    severity: Severity
    message: str

    def format(self) -> str:
        """Return the finding as ``path:line:col: severity: message``, controls escaped."""
        where = printable(str(self.path))
        return f"{where}:{self.line}:{self.col}: {self.severity}: {printable(self.message)}"

    def __str__(self) -> str:
        """Return the finding as its one-line message."""
        return self.format()

    def as_dict(self) -> dict[str, object]:
        """Return the finding as a JSON-ready mapping."""
        return {
            "path": str(self.path),
            "line": self.line,
            "col": self.col,
            "severity": str(self.severity),
            "message": self.message,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Finding:
        """Return the finding a mapping from :meth:`as_dict` describes."""
        return cls(
            Path(str(data["path"])),
            int(str(data["line"])),
            int(str(data["col"])),
            Severity(str(data["severity"])),
            str(data["message"]),
        )


def findings_json(findings: Iterable[Finding]) -> str:
    """Serialise findings as a JSON document."""
    items = [f.as_dict() for f in findings]
    text = json.dumps({"findings": items}, indent=2, ensure_ascii=False)
    # json escapes C0 controls itself; DEL and C1 (which occur only inside strings) are escaped
    # here, so the document is as safe on a terminal as in a file.
    return _JSON_RAW_CONTROLS.sub(lambda found: f"\\u{ord(found[0]):04x}", text)


def failing(findings: Iterable[Finding], strict: bool = False) -> list[Finding]:
    """Return the findings that stop a brief: errors, and with strict also warnings."""
    return [f for f in findings if f.severity is Severity.ERROR or strict]


class Findings:
    """Collect findings for one file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.items: list[Finding] = []

    def error(self, line: int, message: str, col: int = 1) -> None:
        """Record an error at a line of the file."""
        self.items.append(Finding(self.path, line, col, Severity.ERROR, message))

    def warning(self, line: int, message: str, col: int = 1) -> None:
        """Record a warning at a line of the file."""
        self.items.append(Finding(self.path, line, col, Severity.WARNING, message))

    @property
    def failed(self) -> bool:
        """Tell whether an error was recorded."""
        return bool(failing(self.items))


class BriefkitError(Exception):
    """An error caused by the user's input, reported without a traceback."""


class UsageError(BriefkitError):
    """A command or call names something that cannot be used (exit status 2)."""


class ParameterError(UsageError):
    """A bad value of one parameter; the API calls it ``jobs=``, the command line by its flag."""

    def __init__(self, parameter: str, template: str) -> None:
        # Replaced, not formatted: the message may quote what the caller gave, braces and all.
        super().__init__(template.replace("{name}", f"{parameter}="))
        self.parameter = parameter
        self.template = template

    def naming(self, name: str) -> str:
        """Return the message with the parameter called name (a flag such as --jobs)."""
        return self.template.replace("{name}", name)


class SourceError(BriefkitError):
    """A source has problems that stop it being rendered; ``findings`` lists them all."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("\n".join(f.format() for f in findings))
        self.findings = findings
