"""The ``briefkit`` command line: parse options, call the Python API, report, set the exit status.

Heavy modules (WeasyPrint, pydantic, the Markdown parser) are imported inside each command, so
``briefkit --help`` starts quickly.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

from briefkit.cli.common import (
    ForceOption,
    JobsOption,
    PathsArg,
    Quiet,
    StrictOption,
    Verbose,
    _is,
    _printer,
    _reported,
)
from briefkit.cli.email import email
from briefkit.cli.importing import import_brief
from briefkit.cli.lists import bounces, suppress
from briefkit.cli.publish import publish, serve
from briefkit.model.choices import Paper, PdfVariant
from briefkit.version import __version__

if TYPE_CHECKING:
    from briefkit.building.plan import Request
    from briefkit.cli.printer import Printer
    from briefkit.commands.watch import WatchEvent

app = typer.Typer(
    name="briefkit",
    help="Turn Markdown briefing sources into labelled PDF and EPUB policy briefs.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class OutputFormat(StrEnum):
    """How ``check`` prints its findings."""

    text = "text"
    json = "json"


FormatsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--format",
        "-f",
        metavar="NAME",
        help="Output format: pdf, epub, html or an installed plugin's; repeat for several "
        "(default: pdf, epub).",
    ),
]
OutOption = Annotated[
    Path | None, typer.Option("--out", "-o", help="Output folder (default: out/).")
]
FactsOnlyOption = Annotated[
    bool, typer.Option(help="Leave every commentary section out; written as <name>-facts-only.*")
]
PaperOption = Annotated[Paper | None, typer.Option(help="Paper size (default: a4).")]
PrintOption = Annotated[
    bool,
    typer.Option(
        "--print",
        help="For a print shop: trim and 3 mm bleed boxes, crop marks outside the bleed.",
    ),
]
VariantOption = Annotated[
    PdfVariant | None,
    typer.Option(
        help="PDF/UA-1 (default), archival PDF/A-3b, or x-4: print-ready CMYK made to "
        "PDF/X-4 (implies --print; not declared PDF/X-4, which no checker here confirms)."
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


@app.command()
def check(
    ctx: typer.Context,
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
    with _reported(ctx):
        from briefkit import api
        from briefkit.errors import findings_json

        report = api.check(paths)
        if output is OutputFormat.json:
            typer.echo(findings_json(report.findings))
        else:
            for finding in report.findings:
                typer.echo(finding.format())
            _printer(ctx).say(report.summary())
        if report.failed(strict):
            raise typer.Exit(1)


@app.command()
def build(
    ctx: typer.Context,
    paths: PathsArg = None,
    formats: FormatsOption = None,
    out: OutOption = None,
    strict: StrictOption = False,
    facts_only: FactsOnlyOption = False,
    paper: PaperOption = None,
    print_marks: PrintOption = False,
    pdf_variant: VariantOption = None,
    force: ForceOption = False,
    jobs: JobsOption = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Build PDF, EPUB or HTML briefs from sources.

    Outputs mirror the folders of briefings/ under the output folder; the outputs of a
    source that was deleted or renamed are removed.

    Example: briefkit build briefings/ --format pdf --format epub --out out/
    """
    with _reported(ctx), _printer(ctx) as printer:
        from briefkit.building.pipeline import build as run_build
        from briefkit.building.plan import make_plan
        from briefkit.config import find_workspace

        report = run_build(make_plan(find_workspace(), _request(ctx)), printer)
        printer.summary(report)
        if not report.ok:
            raise typer.Exit(1)


@app.command()
def schema(ctx: typer.Context, quiet: Quiet = False, verbose: Verbose = False) -> None:
    """Print the JSON Schema of the front matter, for editors that validate YAML.

    Example: briefkit schema > briefkit-front-matter.schema.json
    """
    with _reported(ctx):
        from briefkit.model.schema import front_matter_schema

        typer.echo(front_matter_schema())


@app.command()
def init(
    ctx: typer.Context,
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
    """Start a workspace: briefkit.toml, briefings/example.md and a .gitignore for out/, site/.

    Nothing is overwritten: if any file to be created exists, init names it, changes nothing
    and exits with status 1. An existing .gitignore is kept, with out/ and site/ added if
    missing. The example brief is a draft, so briefkit publish leaves it out. In an
    existing workspace, --with-theme adds the theme files it lacks and keeps those it has.

    Example: briefkit init policy-briefs --organisation "Policy Unit"
    """
    with _reported(ctx):
        import shlex

        from briefkit.commands.scaffold import init_workspace

        printer = _printer(ctx)
        target = folder or Path()
        done = init_workspace(target, organisation=organisation, with_theme=with_theme)
        if done.kept:
            printer.say(
                f"added {len(done.created)} theme files the workspace lacked; "
                f"kept the {len(done.kept)} it has"
            )
        for path in [] if done.kept else done.created:
            printer.say(f"created {path}{'/' if path.is_dir() else ''}")
        for path in done.extended:
            printer.say(f"added {', '.join(done.ignored)} to {path}")
        here = target.resolve() == Path.cwd().resolve()
        printer.say(f"next: {'' if here else f'cd {shlex.quote(str(target))} && '}briefkit build")


@app.command()
def new(
    ctx: typer.Context,
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
    with _reported(ctx):
        import datetime as dt

        from briefkit import api
        from briefkit.commands.scaffold import new_brief
        from briefkit.errors import UsageError
        from briefkit.paths import shown

        try:
            day = dt.date.fromisoformat(date) if date else None
        except ValueError as exc:
            raise UsageError(f"--date {date!r} is not a date such as 2025-11-24") from exc
        path = shown(new_brief(api.open_workspace(), title, organisation=organisation, date=day))
        printer = _printer(ctx)
        printer.say(f"created {path}")
        printer.say(f"next: edit it, then run: briefkit check {path}")


@app.command()
def watch(
    ctx: typer.Context,
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
        typer.Option(
            "--jobs",
            "-j",
            min=0,
            help="Parallel workers, kept warm (default: 2: a PDF renders beside the EPUB).",
        ),
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
    with _reported(ctx), _printer(ctx, clock=True) as printer:
        from briefkit import api
        from briefkit.commands.watch import DEFAULT_WORKERS
        from briefkit.commands.watch import watch as run_watch

        # Two workers keep WeasyPrint, fonts and stylesheets loaded for the session; a saved
        # brief's PDF renders in one while its other formats render in the other, so its files
        # (written together) are not held up by one format after another.
        request = replace(_request(ctx), jobs=DEFAULT_WORKERS if jobs is None else jobs)
        # Ctrl-C stops watching even where SIGINT was ignored, as in a background job.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            run_watch(paths or [], api.open_workspace(), _on_watch(printer), request=request)
        except KeyboardInterrupt:
            printer.say("stopped", stamped=False)


def _request(ctx: typer.Context) -> Request:
    """Return what the build options on the command line ask for, for the plan to resolve."""
    from briefkit.building.plan import Request, editions

    given = ctx.params
    return Request(
        paths=tuple(given["paths"] or ()),
        formats=tuple(given["formats"]) if given["formats"] else None,
        editions=editions(given["facts_only"]),
        paper=given["paper"],
        print_marks=given["print_marks"],
        pdf_variant=given["pdf_variant"],
        out=given["out"],
        strict=given["strict"],
        force=given.get("force", False),
        jobs=given["jobs"],
        tracebacks=_is(ctx, "verbose"),
    )


def _on_watch(printer: Printer) -> Callable[[WatchEvent], None]:
    """Return what prints each watch event."""
    from briefkit.commands.watch import BriefDone, Problem, RoundDone, Watching

    announced = False

    def on_event(event: WatchEvent) -> None:
        nonlocal announced
        if isinstance(event, BriefDone):
            printer.finished(event.result)
        elif isinstance(event, Problem):
            printer.problem(event.message)
        elif isinstance(event, Watching):
            printer.watching(event.paths, again=announced)
            announced = True
        elif isinstance(event, RoundDone):
            if not event.changed and event.report is not None:
                printer.summary(event.report)
            else:
                printer.changed(event.changed, event.report)

    return on_event


app.command()(email)
app.command(name="import")(import_brief)
app.command()(publish)
app.command()(serve)
app.command()(suppress)
app.command()(bounces)


def _terminate(signum: int, frame: FrameType | None) -> None:
    """Exit on SIGTERM by raising, so temporary files are removed on the way out."""
    raise SystemExit(128 + signum)


def main() -> None:
    """Run the command line."""
    signal.signal(signal.SIGTERM, _terminate)
    app(prog_name="briefkit")


if __name__ == "__main__":  # pragma: no cover
    main()
