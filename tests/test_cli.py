"""The command line as a user meets it: help, version, exit statuses, messages, start-up cost."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from briefkit import __version__
from conftest import MINIMAL, Run, write


def _imports_after(code: str) -> set[str]:
    """Return the modules imported after running code in a fresh interpreter."""
    probe = f"import sys\n{code}\nprint('\\n'.join(sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    return set(result.stdout.split())


def test_version(run_cli: Run) -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"briefkit {__version__}"


def test_help_lists_commands_with_examples(run_cli: Run) -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("build", "check", "schema"):
        assert command in result.stdout
    build_help = run_cli("build", "--help").stdout
    assert "Example: briefkit build" in build_help
    assert "--facts-only" in build_help and "--pdf-variant" in build_help


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["check", "--help"],
        ["build", "--help"],
        ["email", "--help"],
    ],
)
def test_help_does_not_import_weasyprint(argv: list[str]) -> None:
    code = (
        "from briefkit.cli import app\n"
        f"try:\n    app({argv!r}, prog_name='briefkit')\nexcept SystemExit:\n    pass"
    )
    modules = _imports_after(code)
    assert "typer" in modules
    assert "weasyprint" not in modules


def test_check_does_not_import_weasyprint(tmp_path: Path) -> None:
    source = write(tmp_path / "b.md", MINIMAL)
    code = (
        "from briefkit.cli import app\n"
        f"try:\n    app(['check', {str(source)!r}], prog_name='briefkit')\n"
        "except SystemExit:\n    pass"
    )
    modules = _imports_after(code)
    assert "briefkit.sources.loader" in modules
    assert "weasyprint" not in modules
    assert "briefkit.rendering.render" not in modules  # checking needs no renderer


def test_unknown_option_is_a_usage_error(run_cli: Run) -> None:
    result = run_cli("build", "--no-such-option")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_schema_is_json_schema_of_the_front_matter(run_cli: Run) -> None:
    import json

    from jsonschema import Draft202012Validator

    result = run_cli("schema")
    schema = json.loads(result.stdout)
    Draft202012Validator.check_schema(schema)
    assert set(schema["required"]) == {"title", "date"}
    validator = Draft202012Validator(schema)
    assert validator.is_valid({"title": "T", "date": "2025-11-24", "authors": [{"name": "A"}]})
    assert not validator.is_valid({"title": "T"})


def test_malformed_config_names_file_and_line(workspace: Path, run_cli: Run) -> None:
    write(workspace / "briefkit.toml", '[organisation]\nname = "X"\n\n[build]\npaper = "a5"\n')
    result = run_cli("check")
    assert result.returncode == 1
    assert "briefkit.toml:5: error: 'build.paper'" in result.stderr
    assert "Traceback" not in result.stderr
    write(workspace / "briefkit.toml", '[organisation\nname = "X"\n')
    result = run_cli("check")
    assert result.returncode == 1 and "briefkit.toml:1: error:" in result.stderr
    write(workspace / "briefkit.toml", "[labels]\nfactt = 'Reported'\n")
    result = run_cli("check")
    assert "briefkit.toml:2: error: unknown setting 'labels.factt'" in result.stderr


def test_config_is_found_walking_up(workspace: Path, run_cli: Run) -> None:
    write(workspace / "briefings" / "one.md", MINIMAL)
    nested = workspace / "notes" / "deeper"
    nested.mkdir(parents=True)
    result = run_cli("check", cwd=nested)
    assert result.returncode == 0
    assert "checked 1 brief" in result.stdout


def test_printed_text_is_never_read_as_markup_or_emoji(workspace: Path, run_cli: Run) -> None:
    title = "Brief :thumbs_up: [bold]loud[/bold] 100:1"
    write(
        workspace / "briefings" / "long.md",
        MINIMAL.replace("title: A minimal brief", f'title: "{title}"').replace(" [@src]", ""),
    )
    result = run_cli("build", "--format", "html")
    assert result.returncode == 0, result.stderr
    assert "briefings/long.md:9:1: warning: fact section" in result.stderr
    assert "\N{THUMBS UP SIGN}" not in result.stdout + result.stderr
    check = run_cli("check", "--strict")
    assert "long.md:9:1: warning:" in check.stdout
    page = (workspace / "out" / "long.html").read_text()
    assert ":thumbs_up: [bold]loud[/bold] 100:1" in page
