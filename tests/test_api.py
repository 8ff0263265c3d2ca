"""The Python API as a script or a notebook uses it: the README's example, choices, no leaks."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import briefkit
from briefkit.cli import app
from conftest import MINIMAL, ROOT, SAMPLES, Run, write
from pdftools import text

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _readme_example() -> str:
    """Return the Python block of the README's "Python API" section."""
    section = README[README.index("\n## Python API") :]
    section = section[: section.index("\n## ", 1)]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "the Python API section has no python example"
    return match.group(1)


@pytest.mark.slow
def test_readme_example_runs_as_printed(samples_workspace: Path) -> None:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(_readme_example(), "README.md", "exec"), {})  # noqa: S102 - our own README
    output = printed.getvalue()
    assert "bytes of PDF" in output
    assert f"{len(SAMPLES)} built, 0 up to date" in output
    assert (samples_workspace / "out" / "india-japan-2025-11.epub").is_file()
    assert "India and Japan widen" in text(samples_workspace / "out" / "india-japan-2025-11.pdf")


def test_load_gives_findings_as_data(workspace: Path) -> None:
    # The fact section cites nothing; the commentary cites the source, so that is cited.
    unsourced = MINIMAL.replace(" [@src]", "").replace("it matters.", "it matters [@src].")
    source = write(workspace / "briefings" / "w.md", unsourced)
    loaded = briefkit.load(source)
    assert loaded.ok and loaded.errors == []
    [warning] = loaded.warnings
    assert (warning.path, warning.line, warning.col) == (source, 9, 1)
    assert warning.severity is briefkit.Severity.WARNING
    with pytest.raises(briefkit.SourceError) as raised:
        briefkit.load(source, raise_errors=True, strict=True)
    assert raised.value.findings == [warning]


def test_load_text_reads_images_beside_base_dir_and_takes_workspace_defaults(
    workspace: Path,
) -> None:
    from PIL import Image

    Image.new("RGB", (10, 10), "navy").save(workspace / "briefings" / "chart.png")
    body = MINIMAL + "\n![A chart](chart.png)\n"
    loaded = briefkit.load_text(body, base_dir=workspace / "briefings", name="pasted.md")
    brief = loaded.raise_for_errors()
    assert brief.meta.organisation == "Test Unit"  # from the workspace's briefkit.toml
    chart = (workspace / "briefings" / "chart.png").resolve()
    assert [image.path for image in brief.images] == [chart]
    page = briefkit.render(loaded, "html").decode()
    assert 'src="data:image/png;base64,' in page
    broken = briefkit.load_text("no front matter", base_dir=workspace, name="pasted.md")
    assert broken.errors[0].format().startswith(f"{workspace / 'pasted.md'}:1:1: ")
    with pytest.raises(briefkit.SourceError):
        briefkit.render(broken, "pdf")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda b: briefkit.render(b, "odt"), "format 'odt': choose one of pdf, epub, html"),
        (lambda b: briefkit.render(b, "pdf", paper="a5"), "paper size 'a5': choose one of a4,"),
        (lambda b: briefkit.build(formats=["pdf", "odt"]), "unknown format 'odt'"),
        (lambda b: briefkit.build(pdf_variant="x"), "PDF variant 'x': choose one of ua-1, a-3b"),
        (lambda b: briefkit.build(jobs=-1), "jobs= must be 0"),
    ],
)
def test_unknown_choices_are_refused_with_the_allowed_values(
    workspace: Path, call: object, message: str
) -> None:
    loaded = briefkit.load(write(workspace / "briefings" / "one.md", MINIMAL))
    with pytest.raises(briefkit.UsageError, match=re.escape(message)):
        call(loaded)  # type: ignore[operator]
    assert not (workspace / "out").exists()


def test_unknown_choices_in_briefkit_toml_and_on_the_command_line(
    workspace: Path, run_cli: Run
) -> None:
    write(workspace / "briefings" / "one.md", MINIMAL)
    write(workspace / "briefkit.toml", '[build]\nformats = ["pdf", "odt"]\n')
    result = run_cli("build")
    assert result.returncode == 1
    assert (
        "briefkit.toml:2: error: 'build.formats': unknown format 'odt': "
        "choose one of pdf, epub, html" in result.stderr
    )
    write(workspace / "briefkit.toml", "")
    result = run_cli("build", "--format", "odt")
    assert result.returncode == 2
    assert "unknown format 'odt': choose one of pdf, epub, html" in result.stderr


def test_quiet_from_one_call_does_not_leak_into_the_next(workspace: Path) -> None:
    write(workspace / "briefings" / "one.md", MINIMAL)
    runner = CliRunner()
    quiet = runner.invoke(app, ["-q", "check"])
    assert quiet.exit_code == 0 and quiet.stdout == ""
    loud = runner.invoke(app, ["check"])
    assert "checked 1 brief: 0 errors, 0 warnings" in loud.stdout


@pytest.mark.slow
def test_a_theme_edited_between_renders_is_used_at_once(workspace: Path) -> None:
    loaded = briefkit.load(write(workspace / "briefings" / "one.md", MINIMAL))
    assert "How to read this brief" in text_of(briefkit.render(loaded, "pdf"), workspace)
    write(workspace / "templates" / "partials" / "legend.html", "<p>House legend</p>\n")
    assert "House legend" in text_of(briefkit.render(loaded, "pdf"), workspace)
    shutil.rmtree(workspace / "templates")
    assert "How to read this brief" in text_of(briefkit.render(loaded, "pdf"), workspace)


def text_of(pdf: bytes, folder: Path) -> str:
    """Return the text of PDF bytes."""
    path = folder / "render.pdf"
    path.write_bytes(pdf)
    return text(path)
