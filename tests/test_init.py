"""`briefkit init` and `briefkit new`: the files they create, and what they refuse to do."""

from __future__ import annotations

import datetime as dt
import filecmp
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import briefkit
from briefkit.commands.scaffold import init_workspace, new_brief
from briefkit.config import Build, Email, Labels, Publish, find_workspace, load_config
from briefkit.errors import BriefkitError
from briefkit.resources import builtin_styles, builtin_templates
from briefkit.sources.loader import load_brief
from briefkit.sources.markup.slugs import slug
from conftest import Run, write
from pdftools import text

TRICKY_TITLES = [
    'He said "no": what now?',
    "- starts with a dash",
    "Colon: then # a hash",
    "'Single' quotes and ‘curly’ ones",
    "India–Japan: « talks » à Paris",
    "भारत और जापान",
    "Back\\slash and {{ 7 * 7 }} and {% raw %}",
    "[not a list], {not: a map}",
    "&anchor *alias !tag %directive @at `tick`",
    "yes",
    "null",
    "2025-11-24",
    "12345",
    "Emoji 🌏 and a tab-free line",
]


@pytest.fixture
def empty(tmp_path: Path) -> Path:
    """Return an empty folder outside any workspace."""
    folder = tmp_path / "empty"
    folder.mkdir()
    return folder


def _files(folder: Path) -> set[str]:
    """Return every file under folder, relative to it."""
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


# init


@pytest.mark.slow
def test_init_then_build_gives_the_example_as_pdf_and_epub(empty: Path, run_cli: Run) -> None:
    made = run_cli("init", "ws", cwd=empty)
    assert made.returncode == 0, made.stderr
    assert "created ws/briefkit.toml" in made.stdout
    assert "created ws/briefings/example.md" in made.stdout
    assert "next: cd ws && briefkit build" in made.stdout
    built = run_cli("build", cwd=empty / "ws")
    assert built.returncode == 0, built.stdout + built.stderr
    assert "Traceback" not in built.stderr
    assert (empty / "ws/out/example.epub").stat().st_size > 0
    assert "An example brief" in text(empty / "ws/out/example.pdf")


def test_init_creates_config_example_and_gitignore(empty: Path, run_cli: Run) -> None:
    result = run_cli("init", cwd=empty)
    assert result.returncode == 0, result.stderr
    assert _files(empty) == {"briefkit.toml", "briefings/example.md", ".gitignore"}
    assert "out/" in (empty / ".gitignore").read_text().splitlines()
    assert "next: briefkit build" in result.stdout


def test_init_config_loads_and_spells_out_the_defaults(empty: Path, run_cli: Run) -> None:
    name = 'Policy "Unit" \\ Délégation #1'
    assert run_cli("init", "--organisation", name, cwd=empty).returncode == 0
    config = load_config(empty / "briefkit.toml")
    assert config.organisation.name == name
    assert config.organisation.url == "https://example.org/"
    assert (config.labels, config.build, config.email) == (Labels(), Build(), Email())
    # Label words are left to each brief's language; the file shows them commented out.
    assert config.labels.fact is None and '# fact = "Fact"' in (empty / "briefkit.toml").read_text()
    raw = tomllib.loads((empty / "briefkit.toml").read_text())
    assert set(raw) == {"organisation", "defaults", "labels", "build", "email"}
    assert "from" not in raw["email"] and not any("password" in k for k in raw["email"])


def test_init_example_passes_strict_check(empty: Path, run_cli: Run) -> None:
    assert run_cli("init", cwd=empty).returncode == 0
    result = run_cli("check", "--strict", cwd=empty)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "checked 1 brief: 0 errors, 0 warnings" in result.stdout
    loaded = load_brief(empty / "briefings/example.md")
    assert loaded.brief is not None
    assert [s.kind for s in loaded.brief.sections] == ["fact", "commentary"]
    assert loaded.brief.meta.sources


def test_init_refuses_to_overwrite_and_changes_nothing(empty: Path, run_cli: Run) -> None:
    write(empty / "briefkit.toml", "# mine\n")
    result = run_cli("init", cwd=empty)
    assert result.returncode == 1
    assert "briefkit.toml: already exists; nothing was changed" in result.stderr
    assert "Traceback" not in result.stderr
    assert (empty / "briefkit.toml").read_text() == "# mine\n"
    assert _files(empty) == {"briefkit.toml"}


def test_init_names_every_file_in_the_way(empty: Path, run_cli: Run) -> None:
    write(empty / "ws/briefkit.toml", "")
    write(empty / "ws/briefings/example.md", "")
    result = run_cli("init", "ws", cwd=empty)
    assert result.returncode == 1
    assert "ws/briefkit.toml, ws/briefings/example.md: already exist" in result.stderr


def test_init_adds_out_and_site_to_an_existing_gitignore(empty: Path, run_cli: Run) -> None:
    write(empty / ".gitignore", "*.pyc")
    result = run_cli("init", cwd=empty)
    assert result.returncode == 0, result.stderr
    assert (empty / ".gitignore").read_text() == "*.pyc\nout/\nsite/\n"
    assert "added out/, site/ to .gitignore" in result.stdout


def test_init_leaves_a_gitignore_that_already_ignores_both(empty: Path, run_cli: Run) -> None:
    write(empty / ".gitignore", "/out/\nsite/\n")
    assert run_cli("init", cwd=empty).returncode == 0
    assert (empty / ".gitignore").read_text() == "/out/\nsite/\n"


def test_init_gitignore_covers_the_build_and_the_publish_folders(empty: Path) -> None:
    init_workspace(empty)
    ignored = (empty / ".gitignore").read_text().splitlines()
    assert {f"{Build().out}/", f"{Publish().out}/"} <= set(ignored)
    assert Publish().out == "site"


def test_init_example_is_a_draft_that_builds_but_is_never_published(
    empty: Path, run_cli: Run
) -> None:
    assert run_cli("init", cwd=empty).returncode == 0
    loaded = load_brief(empty / "briefings/example.md")
    assert loaded.brief is not None and loaded.brief.meta.draft is True
    result = run_cli("publish", "--base-url", "https://briefs.example.org/", cwd=empty)
    assert result.returncode == 1
    assert (
        "nothing to publish: every brief is a draft (briefings/example.md); set draft: false"
        in result.stderr
    )
    assert "Traceback" not in result.stderr and not (empty / "site").exists()


def test_the_schema_knows_drafts_and_the_example_passes_it(empty: Path, run_cli: Run) -> None:
    import json

    from jsonschema import Draft202012Validator

    from briefkit.errors import Findings
    from briefkit.sources.frontmatter import split_source

    init_workspace(empty)
    schema = json.loads(run_cli("schema").stdout)
    assert schema["properties"]["draft"]["type"] == "boolean"
    path = empty / "briefings/example.md"
    split = split_source(path.read_text(), Findings(path))
    assert split is not None and split.front["draft"] is True
    validator = Draft202012Validator(schema)

    def about_draft(front: dict[str, object]) -> list[str]:
        return [e.message for e in validator.iter_errors(front) if "draft" in e.path]

    assert about_draft(split.front) == []
    # YAML's true or false only: a quoted "true" is text, not a draft.
    assert about_draft({**split.front, "draft": "true"}) == ["'true' is not of type 'boolean'"]


def test_init_refuses_a_file_as_folder(empty: Path, run_cli: Run) -> None:
    write(empty / "ws", "")
    result = run_cli("init", "ws", cwd=empty)
    assert result.returncode == 2
    assert "ws: not a folder" in result.stderr


def test_init_with_theme_copies_templates_styles_and_fonts(empty: Path, run_cli: Run) -> None:
    result = run_cli("init", "--with-theme", cwd=empty)
    assert result.returncode == 0, result.stderr
    assert "created templates/" in result.stdout and "created styles/" in result.stdout
    templates = _files(builtin_templates())
    assert _files(empty / "templates") == {t for t in templates if not t.startswith("scaffold")}
    assert _files(empty / "styles") == _files(builtin_styles())
    assert any(
        name.startswith("fonts/") and name.endswith(".ttf") for name in _files(empty / "styles")
    )
    compare = filecmp.dircmp(empty / "styles", builtin_styles())
    assert not compare.diff_files


@pytest.mark.slow
def test_init_with_theme_copies_are_the_ones_used(empty: Path, run_cli: Run) -> None:
    assert run_cli("init", "--with-theme", cwd=empty).returncode == 0
    legend = empty / "templates/partials/legend.html"
    legend.write_text(legend.read_text().replace("How to read this brief", "Read me first"))
    result = run_cli("build", "--format", "pdf", cwd=empty)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Read me first" in text(empty / "out/example.pdf")


def test_init_with_theme_refuses_when_a_theme_file_exists(empty: Path, run_cli: Run) -> None:
    write(empty / "styles/base.css", "/* mine */\n")
    result = run_cli("init", "--with-theme", cwd=empty)
    assert result.returncode == 1
    assert "styles/base.css: already exists" in result.stderr
    assert not (empty / "briefkit.toml").exists()
    assert (empty / "styles/base.css").read_text() == "/* mine */\n"


# new


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("India–Japan talks", "india-japan-talks"),
        ("Modi's visit: what's next?", "modis-visit-whats-next"),
        ("Café, crème & Ørsted", "cafe-creme-orsted"),
        ("  G20 2025 / Johannesburg  ", "g20-2025-johannesburg"),
        ("word " * 30, "-".join(["word"] * 12)),
        ("भारत और जापान", ""),
    ],
)
def test_slug_is_ascii_words_joined_by_hyphens(title: str, expected: str) -> None:
    assert slug(title) == expected


def test_new_creates_the_brief_named_after_its_title(workspace: Path, run_cli: Run) -> None:
    result = run_cli("new", "India–Japan talks", cwd=workspace)
    assert result.returncode == 0, result.stderr
    assert "created briefings/india-japan-talks.md" in result.stdout
    loaded = load_brief(workspace / "briefings/india-japan-talks.md")
    assert loaded.brief is not None
    assert loaded.brief.meta.title == "India–Japan talks"
    assert loaded.brief.meta.date == dt.date.today()
    assert [s.kind for s in loaded.brief.sections] == ["fact", "commentary"]


def test_new_brief_passes_strict_check(workspace: Path, run_cli: Run) -> None:
    assert run_cli("new", "A brief: to fill in", cwd=workspace).returncode == 0
    result = run_cli("check", "--strict", cwd=workspace)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "checked 1 brief: 0 errors, 0 warnings" in result.stdout


@pytest.mark.parametrize("title", TRICKY_TITLES)
def test_new_title_loads_back_exactly(workspace: Path, title: str) -> None:
    path = new_brief(find_workspace(), title)
    loaded = load_brief(path)
    assert loaded.findings == []
    assert loaded.brief is not None
    assert loaded.brief.meta.title == title


def test_new_title_with_leading_dash_through_the_command_line(
    workspace: Path, run_cli: Run
) -> None:
    result = run_cli("new", "--", "- dash: 'quoted' #1", cwd=workspace)
    assert result.returncode == 0, result.stderr
    loaded = load_brief(workspace / "briefings/dash-quoted-1.md")
    assert loaded.brief is not None and loaded.brief.meta.title == "- dash: 'quoted' #1"


def test_new_without_ascii_letters_is_named_by_date(workspace: Path, run_cli: Run) -> None:
    result = run_cli("new", "भारत और जापान", "--date", "2025-11-24", cwd=workspace)
    assert result.returncode == 0, result.stderr
    loaded = load_brief(workspace / "briefings/brief-2025-11-24.md")
    assert loaded.brief is not None
    assert (loaded.brief.meta.title, loaded.brief.meta.date) == (
        "भारत और जापान",
        dt.date(2025, 11, 24),
    )


def test_new_refuses_to_overwrite(workspace: Path, run_cli: Run) -> None:
    write(workspace / "briefings/talks.md", "mine\n")
    result = run_cli("new", "Talks", cwd=workspace)
    assert result.returncode == 1
    assert "briefings/talks.md: already exists" in result.stderr
    assert "Traceback" not in result.stderr
    assert (workspace / "briefings/talks.md").read_text() == "mine\n"


def test_new_leaves_the_workspace_defaults_to_apply_at_build_time(workspace: Path) -> None:
    write(
        workspace / "briefkit.toml",
        '[organisation]\nname = "Asia \\"Desk\\""\n\n'
        '[defaults]\nauthors = [{ name = "A. Writer", role = "Analyst: Asia" }]\n',
    )
    path = new_brief(find_workspace(), "Defaults")
    front = path.read_text().split("---")[1]
    assert "organisation" not in front and "authors" not in front
    brief = briefkit.load(path).brief
    assert brief is not None
    assert brief.meta.organisation == 'Asia "Desk"'
    assert [(a.name, a.role) for a in brief.meta.authors] == [("A. Writer", "Analyst: Asia")]
    # A later change to briefkit.toml reaches the brief.
    write(workspace / "briefkit.toml", '[organisation]\nname = "Renamed Unit"\n')
    assert briefkit.load(path).raise_for_errors().meta.organisation == "Renamed Unit"


def test_new_brief_passes_the_front_matter_schema(workspace: Path, run_cli: Run) -> None:
    import json

    from jsonschema import Draft202012Validator

    from briefkit.errors import Findings
    from briefkit.sources.frontmatter import split_source

    path = new_brief(find_workspace(), "Schema check")
    schema = json.loads(run_cli("schema").stdout)
    split = split_source(path.read_text(), Findings(path))
    assert split is not None
    # The front matter as briefkit reads it: numbers are numbers, dates are text.
    errors = list(Draft202012Validator(schema).iter_errors(split.front))
    assert errors == [], [e.message for e in errors]


def test_new_outside_a_workspace_refuses_and_says_why(tmp_path: Path, run_cli: Run) -> None:
    result = run_cli("new", "Lost", cwd=tmp_path)
    assert result.returncode == 2
    assert "no briefkit.toml in" in result.stderr and "briefkit init" in result.stderr
    assert not (tmp_path / "briefings").exists()


def test_new_organisation_option_wins(workspace: Path, run_cli: Run) -> None:
    result = run_cli("new", "Mine", "--organisation", "Other: Org", cwd=workspace)
    assert result.returncode == 0, result.stderr
    brief = load_brief(workspace / "briefings/mine.md").brief
    assert brief is not None and brief.meta.organisation == "Other: Org"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["two\nlines"], "the title must be one line of text"),
        (["   "], "the title must not be empty"),
        (["Dated", "--date", "2025-13-01"], "--date '2025-13-01' is not a date"),
    ],
)
def test_new_refuses_bad_input_with_status_2(
    workspace: Path, run_cli: Run, args: list[str], message: str
) -> None:
    result = run_cli("new", *args, cwd=workspace)
    assert result.returncode == 2
    assert message in result.stderr
    assert not list((workspace / "briefings").iterdir())


def test_new_brief_is_data_not_a_template(workspace: Path) -> None:
    path = new_brief(find_workspace(), "{{ 7 * 7 }} {% if true %}x{% endif %}")
    assert "{{ 7 * 7 }} {% if true %}x{% endif %}" in path.read_text()


def test_new_never_overwrites_even_through_the_api(workspace: Path) -> None:
    new_brief(find_workspace(), "Once")
    with pytest.raises(BriefkitError, match="already exists"):
        new_brief(find_workspace(), "Once")


# help


@pytest.mark.parametrize("command", ["init", "new", "watch"])
def test_help_has_an_example_and_loads_no_renderer(command: str) -> None:
    code = (
        "import sys\n"
        "from briefkit.cli import main\n"
        f"sys.argv = ['briefkit', {command!r}, '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('weasyprint' in sys.modules, 'watchfiles' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert f"Example: briefkit {command}" in result.stdout
    assert result.stdout.rstrip().endswith("False False")


def test_init_with_theme_in_a_workspace_adds_what_it_lacks(empty: Path, run_cli: Run) -> None:
    assert run_cli("init", cwd=empty).returncode == 0
    write(empty / "styles/base.css", "/* mine */\n")
    result = run_cli("init", "--with-theme", cwd=empty)
    assert result.returncode == 0, result.stderr
    assert "theme files the workspace lacked; kept the 1 it has" in result.stdout
    assert (empty / "styles/base.css").read_text() == "/* mine */\n"
    assert (empty / "templates/partials/legend.html").is_file()
    assert (empty / "styles/fonts/NotoSerif-Regular.ttf").is_file()
