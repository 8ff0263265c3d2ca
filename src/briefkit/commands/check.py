"""``briefkit check``: validate sources without rendering anything."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from briefkit.config import Workspace
from briefkit.errors import Finding, Severity
from briefkit.sources.discover import find_sources
from briefkit.sources.loader import load_brief


@dataclass
class CheckReport:
    """Every finding for the sources checked."""

    sources: list[Path]
    findings: list[Finding]

    def count(self, severity: Severity) -> int:
        """Return how many findings have a severity."""
        return sum(1 for f in self.findings if f.severity is severity)

    def failed(self, strict: bool) -> bool:
        """Tell whether the check fails; with strict, warnings fail it too."""
        return self.count(Severity.ERROR) > 0 or (strict and self.count(Severity.WARNING) > 0)

    def summary(self) -> str:
        """Return one line counting sources, errors and warnings."""
        errors, warnings = self.count(Severity.ERROR), self.count(Severity.WARNING)
        return (
            f"checked {_plural(len(self.sources), 'brief')}: "
            f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"
        )


def check(paths: list[Path], workspace: Workspace) -> CheckReport:
    """Load every source under paths and collect what is wrong with them."""
    sources = [s.path for s in find_sources(paths or [workspace.briefings], workspace.briefings)]
    defaults = workspace.config.brief_defaults()
    findings: list[Finding] = []
    for source in sources:
        findings.extend(load_brief(source, defaults).findings)
    return CheckReport(sources, findings)


def _plural(count: int, word: str) -> str:
    """Return '1 word' or 'n words'."""
    return f"{count} {word}{'' if count == 1 else 's'}"
