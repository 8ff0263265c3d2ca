"""The output plan: file names per edition and variant, one path per file, what keys the cache."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

import briefkit
from briefkit.building.plan import (
    SHAPING_NONE,
    SHAPING_THROUGH_PLAN,
    Request,
    editions,
    make_plan,
    settings_key,
)
from briefkit.config import Config, find_workspace
from briefkit.errors import BriefkitError, ParameterError
from briefkit.model.choices import Variant
from briefkit.model.edition import FULL
from briefkit.rendering.formats import OutputFormat, Rendered, RenderRequest, registry
from briefkit.rendering.theme import Theme
from conftest import MINIMAL, write


def _names(workspace: Path, **asked: Any) -> list[str]:
    """Return the names of the files a build of briefings/x.md plans, given what was asked."""
    write(workspace / "briefings" / "x.md", MINIMAL)
    plan = make_plan(find_workspace(workspace), Request(**asked))
    return [output.path.relative_to(workspace / "out").as_posix() for output in plan.outputs]


@pytest.mark.parametrize(
    ("asked", "names"),
    [
        ({}, ["x.pdf", "x.epub"]),
        ({"paper": "letter"}, ["x-letter.pdf", "x.epub"]),
        ({"print_marks": True}, ["x-print.pdf", "x.epub"]),
        ({"paper": "letter", "print_marks": True}, ["x-letter-print.pdf", "x.epub"]),
        ({"pdf_variant": "a-3b"}, ["x-pdfa.pdf", "x.epub"]),
        # X-4 implies the marks, so its name says x4 alone.
        ({"pdf_variant": "x-4", "print_marks": True}, ["x-x4.pdf", "x.epub"]),
        ({"paper": "letter", "formats": ("pdf", "html")}, ["x-letter.pdf", "x.html"]),
        (
            {"paper": "letter", "editions": editions(True)},
            ["x-facts-only-letter.pdf", "x-facts-only.epub"],
        ),
        (
            {"editions": editions(False, both=True)},
            ["x.pdf", "x.epub", "x-facts-only.pdf", "x-facts-only.epub"],
        ),
    ],
)
def test_each_variant_and_edition_has_a_file_name_of_its_own(
    workspace: Path, asked: dict[str, Any], names: list[str]
) -> None:
    assert _names(workspace, **asked) == names


def test_the_workspace_settings_fill_in_what_was_not_asked(workspace: Path) -> None:
    write(workspace / "briefkit.toml", '[build]\npaper = "letter"\nformats = ["pdf"]\n')
    assert _names(workspace) == ["x-letter.pdf"]
    assert _names(workspace, paper="a4") == ["x.pdf"]


def test_an_epub_key_ignores_the_paper_and_a_pdf_key_does_not(workspace: Path) -> None:
    write(workspace / "briefings" / "x.md", MINIMAL)
    space = find_workspace(workspace)
    a4 = {o.format: o.key for o in make_plan(space, Request()).outputs}
    letter = {o.format: o.key for o in make_plan(space, Request(paper="letter")).outputs}
    assert a4["epub"] == letter["epub"]
    assert a4["pdf"] != letter["pdf"]


def test_two_outputs_on_one_path_are_refused_before_anything_renders(workspace: Path) -> None:
    # The full edition of a-facts-only.md and the facts-only edition of a.md share a name.
    write(workspace / "briefings" / "a.md", MINIMAL)
    write(workspace / "briefings" / "a-facts-only.md", MINIMAL)
    message = r"briefings/a-facts-only\.md \(full epub\) and briefings/a\.md \(facts-only epub\)"
    with pytest.raises(briefkit.UsageError, match=message):
        briefkit.publish(base_url="https://example.org/b/", facts_only=True, jobs=1)
    assert not (workspace / "site").exists()


def test_a_bad_jobs_count_names_the_parameter_in_python_and_the_flag_on_the_command_line(
    workspace: Path, run_cli: Any
) -> None:
    with pytest.raises(ParameterError, match=re.escape("jobs= must be 0")):
        briefkit.build(jobs=-1)
    write(workspace / "briefings" / "one.md", MINIMAL)
    result = run_cli("email", "briefings/one.md", "--to", "a@example.org")
    assert result.returncode == 2
    assert "no sender: give one (--from)" in result.stderr
    with pytest.raises(ParameterError, match=re.escape("no sender: give one (sender=)")):
        briefkit.compose_email(briefkit.load(workspace / "briefings" / "one.md"), to=["a@b.org"])


def _settings(model: BaseModel, prefix: str = "") -> list[str]:
    """Return the dotted name of every setting of a settings model, down to its leaves."""
    names: list[str] = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        dotted = f"{prefix}{name}"
        names += _settings(value, f"{dotted}.") if isinstance(value, BaseModel) else [dotted]
    return names


def _listed(name: str, listed: set[str]) -> bool:
    """Tell whether a setting, or a table holding it, is listed."""
    parts = name.split(".")
    return any(".".join(parts[:end]) in listed for end in range(1, len(parts) + 1))


def test_every_setting_shapes_some_format_or_is_listed_as_shaping_none() -> None:
    # A new setting must be named by the formats it shapes (their cache keys) or listed as
    # shaping no output; otherwise changing it would keep stale files.
    shaping = {path for fmt in registry().values() for path in fmt.settings}
    listed = shaping | set(SHAPING_NONE) | set(SHAPING_THROUGH_PLAN)
    missed = [name for name in _settings(Config()) if not _listed(name, listed)]
    assert missed == []
    # And no list names a setting that does not exist.
    every = set(_settings(Config()))
    for name in listed:
        assert any(s == name or s.startswith(f"{name}.") for s in every), name
    assert not shaping & set(SHAPING_NONE)


class _Odd(OutputFormat):
    """A format whose list of settings names one briefkit does not have."""

    name = "odd"
    suffix = ".odd"
    media_type = "text/plain"
    settings = ("labels.colour",)

    def render(self, request: RenderRequest) -> Rendered:
        """Render nothing: the plan refuses the format first."""
        return Rendered(b"")


def test_a_format_naming_a_setting_briefkit_lacks_is_refused_by_name(workspace: Path) -> None:
    theme = Theme.for_workspace(find_workspace(workspace))
    with pytest.raises(BriefkitError, match=re.escape("format 'odd' names 'labels.colour'")):
        settings_key(Config(), _Odd(), theme, FULL, Variant())


@pytest.mark.slow
def test_publish_takes_each_edition_and_file_from_the_plan(workspace: Path) -> None:
    write(workspace / "briefings" / "x.md", MINIMAL)
    settings = '[organisation]\nname = "Test Unit"\n\n[build]\npaper = "letter"\n'
    write(workspace / "briefkit.toml", settings)
    report = briefkit.publish(base_url="https://example.org/b/", facts_only=True, jobs=1)
    assert report.ok and (report.briefs, report.publications) == (1, 2)
    (result,) = report.build.results
    names = sorted(path.name for path in result.outputs)
    assert names == [
        "x-facts-only-letter.pdf",
        "x-facts-only.epub",
        "x-facts-only.html",
        "x-letter.pdf",
        "x.epub",
        "x.html",
    ]
    feed = (workspace / "site" / "catalog.xml").read_text()
    assert "x-letter.pdf" in feed and "x-facts-only-letter.pdf" in feed
