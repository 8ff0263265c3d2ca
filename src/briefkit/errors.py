"""Findings about sources and the errors that carry them to the user."""

from __future__ import annotations

import json
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

    def as_dict(self) -> dict[str, object]:
        """Return the finding as a JSON-ready mapping."""
        return {
            "path": str(self.path),
            "line": self.line,
            "col": self.col,
            "severity": str(self.severity),
            "message": self.message,
        }


def findings_json(findings: list[Finding]) -> str:
    """Serialise findings as a JSON document."""
    return json.dumps({"findings": [f.as_dict() for f in findings]}, indent=2, ensure_ascii=False)


def has_errors(findings: list[Finding]) -> bool:
    """Tell whether any finding is an error."""
    return any(f.severity is Severity.ERROR for f in findings)


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
        return has_errors(self.items)


class BriefkitError(Exception):
    """An error caused by the user's input, reported without a traceback."""


class SourceInvalid(BriefkitError):
    """A source failed validation; its findings say why."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("\n".join(f.format() for f in findings))
        self.findings = findings
