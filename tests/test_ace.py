"""DAISY Ace, the accessibility checker for EPUB, run in headless Chromium over every edition."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT
from test_epub import EDITION_IDS, EDITIONS, rendered

pytestmark = [pytest.mark.slow, pytest.mark.ace]

# `npm install` names the command after the package (`ace-cli`); older releases called it `ace`.
ACE = next(
    (p for p in (ROOT / "node_modules/.bin/ace", ROOT / "node_modules/.bin/ace-cli") if p.exists()),
    None,
)
CHROMIUM = os.environ.get("PUPPETEER_EXECUTABLE_PATH") or shutil.which("chromium")
# Without a conformance claim Ace still wants these; certifier details are optional.
REQUIRED_METADATA = {
    "schema:accessMode",
    "schema:accessibilityFeature",
    "schema:accessibilityHazard",
    "schema:accessibilitySummary",
    "schema:accessModeSufficient",
}


def _violations(report: dict[str, object]) -> list[str]:
    """Return one line per failed Ace check: document, rule, impact and what it found."""
    lines = []
    for document in report["assertions"]:  # type: ignore[attr-defined]
        for check in document["assertions"]:
            result = check["earl:result"]
            if result["earl:outcome"] != "pass":
                lines.append(
                    f"{document['earl:testSubject']['url']}: {check['earl:test']['dct:title']} "
                    f"({check['earl:test']['earl:impact']}) {result.get('dct:description', '')}"
                )
    return lines


@pytest.mark.skipif(
    ACE is None,
    reason="DAISY Ace is not installed: run `PUPPETEER_SKIP_DOWNLOAD=1 npm install` "
    "at the repository root",
)
@pytest.mark.parametrize(
    ("path", "facts_only"),
    EDITIONS,
    ids=EDITION_IDS,
)
def test_ace_finds_no_accessibility_violations(
    path: Path, facts_only: bool, tmp_path: Path
) -> None:
    epub = tmp_path / f"{path.stem}.epub"
    epub.write_bytes(rendered(path, facts_only))
    out = tmp_path / "ace"
    # Ace starts Chromium through puppeteer, which takes the browser from this variable and
    # already passes --no-sandbox; no browser is downloaded (PUPPETEER_SKIP_DOWNLOAD).
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": CHROMIUM or "/usr/bin/chromium"}
    command = [str(ACE), "--silent", "--force", "--outdir", str(out), str(epub)]
    result = _ace(command, env)
    if result.returncode != 0 and not (out / "report.json").exists():
        # Ace failed before it judged anything (its browser did not start or answer in time,
        # as happens now and then on a busy machine): a second try, not a second opinion.
        result = _ace([*command, "--verbose"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert _violations(report) == []
    assert report["earl:result"]["earl:outcome"] == "pass"
    metadata = report["a11y-metadata"]
    assert set(metadata["present"]) >= REQUIRED_METADATA
    assert not metadata["empty"]


def _ace(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run Ace, waiting at most ten minutes."""
    return subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=600, check=False
    )
