"""``briefkit import``: start a brief from a saved web page, a Word draft or plain text."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from briefkit.cli.common import Quiet, Verbose, _printer, _reported


def import_brief(
    ctx: typer.Context,
    source: Annotated[
        Path, typer.Argument(help="A saved web page (.html, .htm), a Word file (.docx) or text.")
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="The brief to write (default: briefings/<title>.md)."),
    ] = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Start a brief from material: its main text, front matter, sections and images.

    Boilerplate (navigation, banners, share buttons, comments) is left out; each section's
    kind is suggested and marked .unconfirmed, so check warns and check --strict fails until
    you have read it and removed the mark. Nothing is overwritten.

    Example: briefkit import saved/article.html -o briefings/india-japan.md
    """
    with _reported(ctx):
        from briefkit import api
        from briefkit.paths import shown

        report = api.import_source(source, out)
        printer = _printer(ctx)
        printer.say(f"wrote {shown(report.path)} from {shown(report.source)}")
        for image in report.images:
            printer.say(f"wrote {shown(image)}")
        for line in report.cleaned:
            printer.say(f"cleaned: {line}")
        for line in report.dropped:
            printer.say(f"left out: {line}")
        printer.say("confirm each suggestion, then remove its .unconfirmed mark:")
        for line in report.to_confirm():
            printer.say(f"  {line}")
        printer.say(f"next: briefkit check --strict {shown(report.path)}")
