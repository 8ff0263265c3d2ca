"""``briefkit init`` and ``briefkit new``: start a workspace, or a brief in one, from templates.

The text of every file created lives in ``templates/scaffold/``; this module only fills it in.
Values a user types are data: they reach YAML and TOML through the ``quoted`` filter.
"""

from __future__ import annotations

import datetime as dt
import shutil
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import jinja2

from briefkit.config import CONFIG_NAME, Build, Email, Labels, Publish, Workspace
from briefkit.errors import BriefkitError, UsageError
from briefkit.paths import shown
from briefkit.resources import builtin_styles, builtin_templates
from briefkit.sources.markup.slugs import slug

SCAFFOLD = "scaffold"
EXAMPLE = Path("briefings") / "example.md"
PLACEHOLDER_ORGANISATION = "Your organisation"
PLACEHOLDER_URL = "https://example.org/"


@dataclass
class Created:
    """The files a scaffold command wrote or extended, in the order it did so."""

    created: list[Path] = field(default_factory=list)
    extended: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    # The lines added to an existing .gitignore (out/, site/).
    ignored: list[str] = field(default_factory=list)


def init_workspace(
    folder: Path,
    *,
    organisation: str | None = None,
    with_theme: bool = False,
    today: dt.date | None = None,
) -> Created:
    """Create briefkit.toml, an example brief and .gitignore in folder; refuse to overwrite.

    In an existing workspace, --with-theme adds the theme files it lacks and keeps the rest.
    """
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder}: not a folder")
    if with_theme and (folder / CONFIG_NAME).is_file():
        return _add_theme(folder)
    name = _one_line(organisation, "the organisation") if organisation else None
    date = today or dt.date.today()
    context = {
        "organisation": name or PLACEHOLDER_ORGANISATION,
        "url": PLACEHOLDER_URL,
        "language": "en",
        "labels": Labels(),
        "build": Build(),
        "email": Email(),
        "date": date,
        "out": Build().out,
        "publish_out": Publish().out,
    }
    files = {
        folder / CONFIG_NAME: render("briefkit.toml", **context),
        folder / EXAMPLE: render("example.md", **context),
    }
    copies = _theme_copies(folder) if with_theme else {}
    _refuse_existing([*files, *copies])
    done = Created()
    for path, text in files.items():
        _write_new(path, text)
        done.created.append(path)
    for target, source in copies.items():
        _copy_new(source, target)
    done.created.extend(_top_folders(folder, copies))
    _ignore_outputs(folder / ".gitignore", render("gitignore", **context), done)
    return done


def new_brief(
    workspace: Workspace,
    title: str,
    *,
    organisation: str | None = None,
    date: dt.date | None = None,
) -> Path:
    """Create briefings/<slug>.md with what a brief must carry; never overwrite.

    The workspace's defaults (organisation, authors, series, language) are not copied in:
    they apply when the brief is built, so a later change to briefkit.toml reaches it.
    """
    if workspace.config_path is None:
        raise UsageError(
            f"no {CONFIG_NAME} in {shown(workspace.root)} or above: start a workspace with "
            "'briefkit init', then run 'briefkit new' inside it"
        )
    title = _one_line(title, "the title")
    day = date or dt.date.today()
    path = workspace.briefings / f"{slug(title) or f'brief-{day.isoformat()}'}.md"
    _refuse_existing([path])
    text = render(
        "new.md",
        title=title,
        date=day,
        organisation=_one_line(organisation, "the organisation") if organisation else None,
    )
    _write_new(path, text)
    return path


def render(name: str, **context: object) -> str:
    """Render a scaffold template; the files are plain text, never HTML-escaped."""
    return _env().get_template(name).render(**context)


def quoted(value: object) -> str:
    """Return value as a double-quoted string that YAML and TOML both read back exactly."""
    text = str(value)
    out = ['"']
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif _needs_escape(char):
            code = ord(char)
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _needs_escape(char: str) -> bool:
    """Tell whether a character must be escaped: controls, line separators, BOM."""
    return unicodedata.category(char) in ("Cc", "Zl", "Zp", "Cs") or char == "\ufeff"


@cache
def _env() -> jinja2.Environment:
    """Return the environment of scaffold templates: no autoescape, undefined names fail."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(builtin_templates() / SCAFFOLD),
        autoescape=False,  # the output is TOML, YAML and Markdown, not HTML
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["quoted"] = quoted
    return env


def _one_line(value: str, what: str) -> str:
    """Return value stripped, refusing empty text, line breaks and control characters."""
    text = value.strip()
    if not text:
        raise UsageError(f"{what} must not be empty")
    bad = next((c for c in text if _needs_escape(c)), None)
    if bad is not None:
        raise UsageError(f"{what} must be one line of text (it contains U+{ord(bad):04X})")
    return text


def _add_theme(folder: Path) -> Created:
    """Copy the built-in theme files an existing workspace lacks; keep the ones it has."""
    done = Created()
    for target, source in _theme_copies(folder).items():
        if target.exists() or target.is_symlink():
            done.kept.append(target)
        else:
            _copy_new(source, target)
            done.created.append(target)
    return done


def _theme_copies(folder: Path) -> dict[Path, Path]:
    """Map each built-in theme file (templates, styles, fonts) to its copy in folder."""
    copies: dict[Path, Path] = {}
    for source_dir, name in ((builtin_templates(), "templates"), (builtin_styles(), "styles")):
        for source in sorted(source_dir.rglob("*")):
            relative = source.relative_to(source_dir)
            if source.is_file() and relative.parts[0] != SCAFFOLD:
                copies[folder / name / relative] = source
    return copies


def _top_folders(folder: Path, copies: dict[Path, Path]) -> list[Path]:
    """Return the top folders of the copied theme files, to report them briefly."""
    tops = {folder / target.relative_to(folder).parts[0] for target in copies}
    return sorted(tops)


def _refuse_existing(paths: list[Path]) -> None:
    """Refuse to go on when any file to be created exists; nothing has been written yet."""
    existing = [p for p in paths if p.exists() or p.is_symlink()]
    if existing:
        names = ", ".join(str(shown(p)) for p in existing[:3])
        more = f" and {len(existing) - 3} more" if len(existing) > 3 else ""
        verb = "exists" if len(existing) == 1 else "exist"
        raise BriefkitError(f"{names}{more}: already {verb}; nothing was changed")


def _write_new(path: Path, text: str) -> None:
    """Write a file that must not exist yet, even if another process creates it meanwhile."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
    except FileExistsError as exc:
        raise BriefkitError(f"{shown(path)}: already exists; not overwritten") from exc
    except OSError as exc:
        raise BriefkitError(f"{path}: cannot write the file ({exc.strerror or exc})") from exc


def _copy_new(source: Path, target: Path) -> None:
    """Copy a theme file to a path that must not exist yet."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with source.open("rb") as reader, target.open("xb") as writer:
            shutil.copyfileobj(reader, writer)
    except FileExistsError as exc:
        raise BriefkitError(f"{shown(target)}: already exists; not overwritten") from exc
    except OSError as exc:
        raise BriefkitError(f"{target}: cannot write the file ({exc.strerror or exc})") from exc


def _ignore_outputs(path: Path, text: str, done: Created) -> None:
    """Create .gitignore, or add the output and publish folders to an existing one lacking them."""
    if not path.exists():
        _write_new(path, text)
        done.created.append(path)
        return
    try:
        existing = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BriefkitError(f"{path}: cannot read the file ({exc})") from exc
    lines = [line.strip() for line in existing.splitlines()]
    wanted = [line for line in text.splitlines() if line and not line.startswith("#")]
    missing = [line for line in wanted if line not in lines and f"/{line}" not in lines]
    if missing:
        separator = "" if not existing or existing.endswith("\n") else "\n"
        try:
            with path.open("a", encoding="utf-8", newline="\n") as stream:
                stream.write(separator + "\n".join(missing) + "\n")
        except OSError as exc:
            raise BriefkitError(f"{path}: cannot write the file ({exc.strerror or exc})") from exc
        done.extended.append(path)
        done.ignored.extend(missing)
