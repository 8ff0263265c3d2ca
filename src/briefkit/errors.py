"""Findings about sources, and the errors that carry problems to the user."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


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
        """Return the finding as ``path:line:col: severity: message``."""
        return f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message}"

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
    return json.dumps({"findings": items}, indent=2, ensure_ascii=False)


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


class SourceError(BriefkitError):
    """A source has problems that stop it being rendered; ``findings`` lists them all."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("\n".join(f.format() for f in findings))
        self.findings = findings
