"""A format added through the registry's entry points, as a third party's package would add it.

The package and its distribution's metadata are written at test time into a folder on
PYTHONPATH; nothing of the format is in briefkit's own code.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINIMAL, ROOT, write

PLUGIN = '''
"""A toy format: the titles of an edition's sections, one a line."""

from briefkit.rendering.formats import OutputFormat, Rendered, RenderRequest


class ToyFormat(OutputFormat):
    name = "toy"
    suffix = ".toy"
    media_type = "text/plain"

    def render(self, request: RenderRequest) -> Rendered:
        titles = [section.title for section in request.edition.sections(request.brief)]
        return Rendered("\\n".join(titles).encode())


TOY = ToyFormat()
'''


@pytest.fixture
def plugin(tmp_path: Path) -> Path:
    """Install the toy format's package and its entry point in a folder; return the folder."""
    folder = tmp_path / "site-packages"
    write(folder / "toyfmt" / "__init__.py", PLUGIN)
    info = folder / "toyfmt-0.dist-info"
    write(info / "METADATA", "Metadata-Version: 2.1\nName: toyfmt\nVersion: 0\n")
    write(info / "entry_points.txt", "[briefkit.formats]\ntoy = toyfmt:TOY\n")
    return folder


def _briefkit(workspace: Path, plugin: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the command line with the plugin's folder on the path."""
    path = os.pathsep.join([str(plugin), str(ROOT / "src")])
    return subprocess.run(
        [sys.executable, "-m", "briefkit", *args],
        cwd=workspace,
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_an_installed_format_builds_and_is_cached_like_briefkits_own(
    workspace: Path, plugin: Path
) -> None:
    write(workspace / "briefings" / "x.md", MINIMAL)
    first = _briefkit(workspace, plugin, "build", "--format", "toy")
    assert first.returncode == 0, first.stderr
    assert (workspace / "out" / "x.toy").read_text() == "What happened\nWhat we think"
    again = _briefkit(workspace, plugin, "build", "--format", "toy")
    assert "0 built, 1 up to date (skipped)" in again.stdout, again.stdout
    facts = _briefkit(workspace, plugin, "build", "--format", "toy", "--facts-only")
    assert facts.returncode == 0, facts.stderr
    assert (workspace / "out" / "x-facts-only.toy").read_text() == "What happened"


def test_briefkit_toml_may_name_an_installed_format(workspace: Path, plugin: Path) -> None:
    write(workspace / "briefings" / "x.md", MINIMAL)
    write(workspace / "briefkit.toml", '[build]\nformats = ["toy"]\n')
    built = _briefkit(workspace, plugin, "build")
    assert built.returncode == 0, built.stderr
    assert (workspace / "out" / "x.toy").is_file()


def test_an_unknown_format_is_refused_with_the_names_there_are(
    workspace: Path, plugin: Path
) -> None:
    write(workspace / "briefings" / "x.md", MINIMAL)
    refused = _briefkit(workspace, plugin, "build", "--format", "odt")
    assert refused.returncode == 2
    assert "unknown format 'odt': choose one of pdf, epub, html, docx, toy" in refused.stderr
    assert not (workspace / "out").exists()


def test_nothing_in_briefkits_code_names_the_toy_format() -> None:
    files = [p.read_bytes() for p in (ROOT / "src").rglob("*") if p.is_file()]
    # Text only: code, templates, styles, word lists (a font's bytes may hold anything).
    assert not [data for data in files if b"\0" not in data and b"toy" in data.lower()]
