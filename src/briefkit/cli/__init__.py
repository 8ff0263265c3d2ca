"""The ``briefkit`` command line: parse options, call the commands, report, set the exit status.

Heavy modules (WeasyPrint, pydantic, the Markdown parser) are imported inside each command, so
``briefkit --help`` starts quickly.
"""

from __future__ import annotations

import signal
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from functools import partial
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from briefkit import __version__

if TYPE_CHECKING:
    from briefkit.commands.build import BuildOptions
    from briefkit.config import Workspace

app = typer.Typer(
    name="briefkit",
    help="Turn Markdown briefing sources into labelled PDF and EPUB policy briefs.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class _State:
    """Options given before the command name."""

    verbose = False
    quiet = False


class OutputFormat(StrEnum):
    """How ``check`` prints its findings."""

    text = "text"
    json = "json"


PathsArg = Annotated[
    list[Path] | None,
    typer.Argument(help="Source files or folders (default: the workspace's briefings/)."),
]


def _set_quiet(value: bool) -> bool:
    """Remember -q given after the command name."""
    _State.quiet = _State.quiet or value
    return value


def _set_verbose(value: bool) -> bool:
    """Remember -v given after the command name."""
    _State.verbose = _State.verbose or value
    return value


# -q and -v work before the command name and after it: `briefkit -q build` or `briefkit build -q`.
Quiet = Annotated[
    bool, typer.Option("-q", "--quiet", callback=_set_quiet, help="Print only problems.")
]
Verbose = Annotated[
    bool,
    typer.Option(
        "-v", "--verbose", callback=_set_verbose, help="Print more, and tracebacks of bugs."
    ),
]


def _version(value: bool) -> None:
    """Print the version and stop."""
    if value:
        typer.echo(f"briefkit {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Turn Markdown briefing sources into labelled PDF and EPUB policy briefs."""


@contextmanager
def _reported() -> Iterator[None]:
    """Turn briefkit errors into messages and exit statuses instead of tracebacks."""
    from briefkit.errors import BriefkitError
    from briefkit.sources.discover import UsageError

    try:
        yield
    except typer.Exit:
        raise
    except UsageError as exc:
        _fail(str(exc), 2)
    except BriefkitError as exc:
        _fail(str(exc), 1)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except Exception as exc:
        if _State.verbose:
            traceback.print_exc()
        _fail(
            f"briefkit: internal error: {type(exc).__name__}: {exc} "
            "(run with --verbose for a traceback to report)",
            1,
        )


def _fail(message: str, status: int) -> NoReturn:
    """Print a message on standard error and exit."""
    typer.echo(message, err=True)
    raise typer.Exit(status)


def _say(message: str) -> None:
    """Print a progress message unless --quiet."""
    if not _State.quiet:
        typer.echo(message)


@app.command()
def check(
    paths: PathsArg = None,
    strict: Annotated[bool, typer.Option(help="Treat warnings as errors.")] = False,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="Print findings as text or JSON.")
    ] = OutputFormat.text,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Validate briefing sources without rendering them.

    Example: briefkit check briefings/ --strict
    """
    with _reported():
        from briefkit.commands.check import check as run_check
        from briefkit.config import find_workspace
        from briefkit.errors import findings_json

        report = run_check(paths or [], find_workspace())
        if output is OutputFormat.json:
            typer.echo(findings_json(report.findings))
        else:
            for finding in report.findings:
                typer.echo(finding.format())
            _say(report.summary())
        if report.failed(strict):
            raise typer.Exit(1)


class Paper(StrEnum):
    """Paper sizes."""

    a4 = "a4"
    letter = "letter"


class Variant(StrEnum):
    """PDF conformance variants."""

    ua1 = "ua-1"
    a3b = "a-3b"


class Format(StrEnum):
    """Output formats."""

    pdf = "pdf"
    epub = "epub"
    html = "html"


FormatsOption = Annotated[
    list[Format] | None,
    typer.Option("--format", "-f", help="Output format; repeat for several (default: pdf, epub)."),
]
OutOption = Annotated[
    Path | None, typer.Option("--out", "-o", help="Output folder (default: out/).")
]
StrictOption = Annotated[bool, typer.Option(help="Refuse to build a brief with warnings.")]
FactsOnlyOption = Annotated[bool, typer.Option(help="Leave every commentary section out.")]
PaperOption = Annotated[Paper | None, typer.Option(help="Paper size (default: a4).")]
PrintOption = Annotated[
    bool, typer.Option("--print", help="Add 3 mm bleed and crop marks for a print shop.")
]
VariantOption = Annotated[
    Variant | None, typer.Option(help="PDF/UA-1 (default) or archival PDF/A-3b.")
]


def _options_for(
    formats: list[Format] | None,
    out: Path | None,
    strict: bool,
    facts_only: bool,
    paper: Paper | None,
    print_marks: bool,
    pdf_variant: Variant | None,
    jobs: int | None,
    force: bool = False,
) -> Callable[[Workspace], BuildOptions]:
    """Return how to turn a workspace's settings and these choices into build options."""
    from briefkit.commands.build import build_options

    return partial(
        build_options,
        formats=[f.value for f in formats] if formats else None,
        out=out,
        strict=strict,
        facts_only=facts_only,
        paper=paper.value if paper else None,
        print_marks=print_marks,
        pdf_variant=pdf_variant.value if pdf_variant else None,
        force=force,
        jobs=jobs,
        verbose=_State.verbose,
    )


@app.command()
def build(
    paths: PathsArg = None,
    formats: FormatsOption = None,
    out: OutOption = None,
    strict: StrictOption = False,
    facts_only: FactsOnlyOption = False,
    paper: PaperOption = None,
    print_marks: PrintOption = False,
    pdf_variant: VariantOption = None,
    force: Annotated[bool, typer.Option(help="Rebuild even when outputs are up to date.")] = False,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", min=1, help="Parallel workers (default: cores).")
    ] = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Build PDF, EPUB or HTML briefs from sources.

    Example: briefkit build briefings/ --format pdf --format epub --out out/
    """
    with _reported():
        from briefkit.commands.build import run_build
        from briefkit.config import find_workspace

        workspace = find_workspace()
        choose = _options_for(
            formats, out, strict, facts_only, paper, print_marks, pdf_variant, jobs, force
        )
        if not run_build(paths or [], workspace, choose(workspace), quiet=_State.quiet):
            raise typer.Exit(1)


@app.command()
def schema(
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Print the JSON Schema of the front matter, for editors that validate YAML.

    Example: briefkit schema > briefkit-front-matter.schema.json
    """
    with _reported():
        from briefkit.model.schema import front_matter_schema

        typer.echo(front_matter_schema())


@app.command()
def init(
    folder: Annotated[
        Path | None, typer.Argument(help="Folder of the new workspace (default: this folder).")
    ] = None,
    organisation: Annotated[
        str | None, typer.Option(help="Publisher named on every brief (default: a placeholder).")
    ] = None,
    with_theme: Annotated[
        bool, typer.Option(help="Also copy the built-in templates, styles and fonts to edit.")
    ] = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Start a workspace: briefkit.toml, briefings/example.md and a .gitignore for out/.

    Nothing is overwritten: if any file to be created exists, init names it, changes nothing
    and exits with status 1. An existing .gitignore is kept, with out/ added if missing.

    Example: briefkit init policy-briefs --organisation "Policy Unit"
    """
    with _reported():
        import shlex

        from briefkit.commands.scaffold import init_workspace

        target = folder or Path()
        done = init_workspace(target, organisation=organisation, with_theme=with_theme)
        for path in done.created:
            _say(f"created {path}{'/' if path.is_dir() else ''}")
        for path in done.extended:
            _say(f"added out/ to {path}")
        here = target.resolve() == Path.cwd().resolve()
        _say(f"next: {'' if here else f'cd {shlex.quote(str(target))} && '}briefkit build")


@app.command()
def new(
    title: Annotated[str, typer.Argument(help="Title of the brief.")],
    organisation: Annotated[
        str | None, typer.Option(help="Publisher (default: briefkit.toml's organisation).")
    ] = None,
    date: Annotated[
        str | None, typer.Option(help="Date of the brief, YYYY-MM-DD (default: today).")
    ] = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Start a brief in briefings/, named after its title, with a fact and a commentary section.

    The file name is the title in plain ASCII: "India–Japan talks" gives
    briefings/india-japan-talks.md. An existing file is never overwritten: new names it and
    exits with status 1. Put -- before a title that starts with a dash.

    Example: briefkit new "India–Japan talks" --date 2025-11-24
    """
    with _reported():
        import datetime as dt

        from briefkit.commands.scaffold import new_brief
        from briefkit.config import find_workspace
        from briefkit.sources.discover import UsageError

        try:
            day = dt.date.fromisoformat(date) if date else None
        except ValueError as exc:
            raise UsageError(f"--date {date!r} is not a date such as 2025-11-24") from exc
        path = new_brief(find_workspace(), title, organisation=organisation, date=day)
        shown = _relative(path)
        _say(f"created {shown}")
        _say(f"next: edit it, then run: briefkit check {shown}")


@app.command()
def watch(
    paths: PathsArg = None,
    formats: FormatsOption = None,
    out: OutOption = None,
    strict: StrictOption = False,
    facts_only: FactsOnlyOption = False,
    paper: PaperOption = None,
    print_marks: PrintOption = False,
    pdf_variant: VariantOption = None,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Parallel workers (default: 1, kept warm)."),
    ] = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Build, then rebuild briefs whenever their sources, images, theme or briefkit.toml change.

    Only briefs whose inputs changed are rebuilt; a template, style or settings change rebuilds
    them all. Problems are printed and watching goes on; changes to the output folder and to
    editors' temporary files are ignored. Press Ctrl-C to stop.

    Example: briefkit watch briefings/ --format pdf
    """
    with _reported():
        from briefkit.commands.watch import WatchPrinter
        from briefkit.commands.watch import watch as run_watch
        from briefkit.config import find_workspace

        # One worker in this process keeps WeasyPrint, fonts and stylesheets loaded.
        choose = _options_for(
            formats, out, strict, facts_only, paper, print_marks, pdf_variant, jobs or 1
        )
        printer = WatchPrinter(quiet=_State.quiet, verbose=_State.verbose)
        try:
            run_watch(paths or [], find_workspace(), choose, printer)
        except KeyboardInterrupt:
            _say("stopped")


def _relative(path: Path) -> Path:
    """Return path relative to the current folder when it is inside it."""
    try:
        return path.resolve().relative_to(Path.cwd())
    except ValueError:
        return path


def _terminate(signum: int, frame: FrameType | None) -> None:
    """Exit on SIGTERM by raising, so temporary files are removed on the way out."""
    raise SystemExit(128 + signum)


def main() -> None:
    """Run the command line."""
    signal.signal(signal.SIGTERM, _terminate)
    app(prog_name="briefkit")


if __name__ == "__main__":  # pragma: no cover
    main()
