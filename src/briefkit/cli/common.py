"""What every command shares: -q and -v wherever they stand, errors as messages, the printer."""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

if TYPE_CHECKING:
    from briefkit.cli.printer import Printer


def _flag(ctx: typer.Context, param: typer.CallbackParam, value: bool) -> bool:
    """Remember -q or -v for this run, wherever it stands on the command line."""
    if value:
        # ctx.meta is shared by the command and the options before its name, and lives only
        # as long as this one invocation.
        ctx.meta[f"briefkit.{param.name}"] = True
    return value


def _is(ctx: typer.Context, name: str) -> bool:
    """Tell whether -q (quiet) or -v (verbose) was given, before or after the command."""
    return bool(ctx.meta.get(f"briefkit.{name}"))


# -q and -v work before the command name and after it: `briefkit -q build` or `briefkit build -q`.
Quiet = Annotated[bool, typer.Option("-q", "--quiet", callback=_flag, help="Print only problems.")]
Verbose = Annotated[
    bool,
    typer.Option("-v", "--verbose", callback=_flag, help="Print more, and tracebacks of bugs."),
]
PathsArg = Annotated[
    list[Path] | None,
    typer.Argument(help="Source files or folders (default: the workspace's briefings/)."),
]
StrictOption = Annotated[bool, typer.Option(help="Refuse to build a brief with warnings.")]
ForceOption = Annotated[bool, typer.Option(help="Rebuild even when outputs are up to date.")]
# API parameters whose command-line option has another name (the flag may differ again).
_PARAMETERS = {"host": "smtp_host", "port": "smtp_port", "security": "smtp_security"}
JobsOption = Annotated[
    int | None,
    typer.Option("--jobs", "-j", min=0, help="Parallel workers; 0 is one per core (default)."),
]


@contextmanager
def _reported(ctx: typer.Context) -> Iterator[None]:
    """Turn briefkit errors into messages and exit statuses instead of tracebacks."""
    from briefkit.errors import BriefkitError, ParameterError, UsageError

    try:
        yield
    except typer.Exit:
        raise
    except ParameterError as exc:
        # The API names the parameter (jobs=); here it is the command's flag (--jobs).
        _fail(exc.naming(_flag_of(ctx, exc.parameter)), 2)
    except UsageError as exc:
        _fail(str(exc), 2)
    except BriefkitError as exc:
        _fail(str(exc), 1)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except Exception as exc:
        if _is(ctx, "verbose"):
            traceback.print_exc()
        _fail(
            f"briefkit: internal error: {type(exc).__name__}: {exc} "
            "(run with --verbose for a traceback to report)",
            1,
        )


def _flag_of(ctx: typer.Context, parameter: str) -> str:
    """Return the command's flag for an API parameter: --from for sender=, --jobs for jobs=."""
    name = _PARAMETERS.get(parameter, parameter)
    for option in ctx.command.params:
        if option.name == name and option.opts:
            long = [flag for flag in option.opts if flag.startswith("--")]
            return (long or option.opts)[0]
    return f"{parameter}="


def _fail(message: str, status: int) -> NoReturn:
    """Print a message on standard error, control characters shown escaped, and exit."""
    from briefkit.errors import printable

    typer.echo(printable(message), err=True)
    raise typer.Exit(status)


def _printer(ctx: typer.Context, clock: bool = False) -> Printer:
    """Return the printer for this run's -q and -v."""
    from briefkit.cli.printer import Printer

    return Printer(quiet=_is(ctx, "quiet"), verbose=_is(ctx, "verbose"), clock=clock)
