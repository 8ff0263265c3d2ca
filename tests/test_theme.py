"""Themes: the workspace's folder first, a configured theme next, the built-in theme last."""

from __future__ import annotations

from pathlib import Path

import pytest

import briefkit
from briefkit.rendering.theme import Theme
from conftest import MINIMAL, ROOT, write


def _html(workspace: Path) -> str:
    """Build the workspace's briefs as HTML and return the first page."""
    report = briefkit.build(workspace=workspace, formats="html", jobs=1, force=True)
    assert report.ok, [r.error for r in report.results]
    return report.results[0].outputs[0].read_text()


def test_search_order_is_workspace_then_theme_then_builtin(workspace: Path) -> None:
    write(workspace / "briefkit.toml", '[build]\ntheme = "house"\n')
    (workspace / "house" / "styles").mkdir(parents=True)
    theme = Theme.for_workspace(briefkit.open_workspace(workspace))
    assert theme.folders[0] == workspace.resolve()
    assert theme.folders[1] == (workspace / "house").resolve()
    assert theme.folders[-1] == ROOT


def test_workspace_template_overrides_the_builtin_one(workspace: Path) -> None:
    write(workspace / "briefings" / "one.md", MINIMAL)
    write(
        workspace / "templates" / "partials" / "legend.html",
        '<aside class="legend">House legend: {{ view.labels.fact }} and '
        "{{ view.labels.commentary }}</aside>\n",
    )
    page = _html(workspace)
    assert "House legend: Fact and Commentary" in page
    assert "How to read this brief" not in page


def test_override_can_extend_the_builtin_template(workspace: Path) -> None:
    write(workspace / "briefings" / "one.md", MINIMAL)
    write(
        workspace / "templates" / "web.html",
        '{% extends "!default/web.html" %}\n{% block head %}{{ super() }}'
        '<meta name="house" content="yes" />{% endblock %}\n',
    )
    page = _html(workspace)
    assert '<meta name="house" content="yes" />' in page
    assert "<style>" in page  # the built-in block's content is kept


def test_configured_theme_sits_between_workspace_and_builtin(workspace: Path) -> None:
    write(workspace / "briefkit.toml", '[build]\ntheme = "house"\n')
    write(workspace / "briefings" / "one.md", MINIMAL)
    write(workspace / "house" / "templates" / "partials" / "legend.html", "<p>From house</p>\n")
    assert "From house" in _html(workspace)
    write(workspace / "templates" / "partials" / "legend.html", "<p>From workspace</p>\n")
    page = _html(workspace)
    assert "From workspace" in page and "From house" not in page


def test_styles_are_found_the_same_way_and_extra_css_is_added(workspace: Path) -> None:
    write(workspace / "briefings" / "one.md", MINIMAL)
    write(workspace / "styles" / "screen.css", "/* house screen */\n")
    write(workspace / "styles" / "extra.css", "/* house extra */\n")
    page = _html(workspace)
    assert "/* house screen */" in page and "/* house extra */" in page
    assert "max-width: 46rem" not in page  # the built-in screen.css was replaced


def test_source_text_is_escaped_by_the_templates(workspace: Path) -> None:
    write(
        workspace / "briefings" / "one.md",
        MINIMAL.replace("title: A minimal brief", 'title: "<b>Bold</b> & {{ title }}"'),
    )
    page = _html(workspace)
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; {{ title }}" in page


def test_a_template_error_names_the_template_file_and_line(workspace: Path) -> None:
    write(workspace / "briefings" / "one.md", MINIMAL)
    write(
        workspace / "templates" / "partials" / "legend.html",
        "<aside>\n<p>{{ view.lables.fact }}</p>\n</aside>\n",
    )
    report = briefkit.build(workspace=workspace, formats="html", jobs=1)
    [result] = report.failed
    assert result.error == (
        "templates/partials/legend.html:2: 'BriefView' has no attribute 'lables': "
        "did you mean 'labels'?"
    )


def test_a_theme_folder_that_does_not_exist_is_an_error_at_its_line(workspace: Path) -> None:
    import pytest

    write(
        workspace / "briefkit.toml",
        '[organisation]\nname = "X"\n\n[build]\ntheme = "themes/hous"\n',
    )
    with pytest.raises(
        briefkit.BriefkitError, match=r"briefkit\.toml:5: error: 'build\.theme' names 'themes/hous'"
    ):
        briefkit.open_workspace(workspace)


@pytest.mark.parametrize(
    ("toml", "line"),
    [
        ('[organisation]\nname = "X"\n\n[labels]\nfact = "F"\nfactt = "x"\n', 6),
        ('labels.fact = "F"\nlabels.factt = "x"\n\n[organisation]\nname = "X"\n', 2),
        ('labels = { fact = "F", factt = "x" }\n\n[organisation]\nname = "X"\n', 1),
    ],
)
def test_a_mistyped_label_key_is_reported_at_its_own_line(
    workspace: Path, toml: str, line: int
) -> None:
    write(workspace / "briefkit.toml", toml)
    with pytest.raises(briefkit.BriefkitError) as raised:
        briefkit.open_workspace(workspace)
    assert (
        f"briefkit.toml:{line}: error: unknown setting 'labels.factt': did you mean 'fact'?"
        in str(raised.value)
    )


def test_a_folder_that_is_not_a_theme_is_refused(workspace: Path) -> None:
    write(workspace / "briefkit.toml", '[build]\ntheme = "/etc"\n')
    with pytest.raises(briefkit.BriefkitError, match="which is not a theme: a theme folder holds"):
        briefkit.open_workspace(workspace)


def test_an_address_breaks_after_slashes_and_dots_and_stays_escaped() -> None:
    from briefkit.rendering.theme import breakable_url

    marked = str(breakable_url("https://example.org/a-long/path.html?q=<b>&x=1"))
    assert marked == (
        "https://<wbr>example.<wbr>org/<wbr>a-long/<wbr>path.<wbr>html?<wbr>q=<wbr>"
        "&lt;b&gt;&amp;<wbr>x=<wbr>1"
    )
    assert str(breakable_url("https://example.org/")).endswith("org/")
