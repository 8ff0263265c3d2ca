"""``briefkit publish`` and ``briefkit serve``: a catalogue folder for e-reader apps, previewed.

Both are thin callers of the Python API (``briefkit.publish`` and
``briefkit.preview_server``); ``cli/__init__.py`` registers them.
"""

from __future__ import annotations

import ipaddress
import signal
from pathlib import Path
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
from briefkit.paths import shown

if TYPE_CHECKING:
    from briefkit.cli.printer import Printer
    from briefkit.delivery.catalogue.publish import PublishReport


def publish(
    ctx: typer.Context,
    paths: PathsArg = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Folder to publish into (default: [publish] out, site/)."),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            help="Address the folder will be served from, e.g. https://example.org/briefs/ "
            "(default: [publish] base_url)."
        ),
    ] = None,
    title: Annotated[
        str | None,
        typer.Option(help="The catalogue's title (default: [publish] title, or the organisation)."),
    ] = None,
    facts_only: Annotated[
        bool | None,
        typer.Option(
            "--facts-only/--no-facts-only",
            help="Also publish each brief's facts-only edition (default: [publish] facts_only).",
        ),
    ] = None,
    strict: StrictOption = False,
    force: ForceOption = False,
    jobs: JobsOption = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Build every brief into a folder with OPDS catalogues, for e-reader apps and the web.

    The folder gets each brief's EPUB, PDF and HTML page, a cover and a thumbnail,
    catalog.xml (OPDS 1.2), catalog.json (OPDS 2.0), feeds by series and by year, and
    index.html. Drafts (draft: true in the front matter) are left out. Unchanged briefs are not
    rebuilt and unchanged files not rewritten, so a sync to a web server copies
    only what changed. E-reader apps subscribe to BASE_URL/catalog.xml. When a brief fails to
    build, the catalogue is left as it was and the command exits with status 1.

    Example: briefkit publish --out site --base-url https://example.org/briefs/
    """
    with _reported(ctx), _printer(ctx) as printer:
        from briefkit import api

        report = api.publish(
            paths,
            out=out,
            base_url=base_url,
            title=title,
            facts_only=facts_only,
            strict=strict,
            force=force,
            jobs=jobs,
            progress=printer,
            tracebacks=_is(ctx, "verbose"),
        )
        for draft in report.drafts:
            printer.say(f"left out {shown(draft)}: a draft (draft: true in its front matter)")
        printer.summary(report.build)
        _published(printer, report)
        if not report.ok:
            raise typer.Exit(1)


def serve(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="A folder made by briefkit publish.")],
    host: Annotated[
        str,
        typer.Option(
            help="Address to listen on: 127.0.0.1 is this machine only (default); 0.0.0.0 "
            "lets phones and e-readers on your network in."
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int,
        typer.Option("--port", "-p", min=0, max=65535, help="Port; 0 picks a free one."),
    ] = 8000,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Preview a published folder over HTTP, to try it from a phone or an e-reader app.

    This is a preview server, not a web server for production: put the folder on one to
    publish it. It serves the folder's files and nothing outside it (no hidden files, no
    symlinks leading out), with the content types e-reader apps expect, and adds OpenSearch:
    every Atom feed links /opensearch.xml, and /search?q=WORDS lists the briefs whose title,
    summary, series or keywords hold every word. A line is printed per request; press Ctrl-C
    to stop.

    Example: briefkit serve site --port 8000
    """
    with _reported(ctx):
        from briefkit import api

        printer = _printer(ctx)
        server = api.preview_server(folder, host=host, port=port, log=printer.say)
        printer.say(f"serving {shown(folder)} at {server.url}: a preview server, Ctrl-C stops it")
        printer.say(f"catalogue for e-reader apps: {server.url}catalog.xml")
        if not _loopback(host):
            printer.say("listening on the network: from another device, use this machine's address")
        # Ctrl-C stops the server even where SIGINT was ignored, as in a background job.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            printer.say("stopped")
        finally:
            server.close()


def _published(printer: Printer, report: PublishReport) -> None:
    """Say what publishing did to the catalogue, and where apps find it."""
    if not report.ok:
        failed = len({r.source for r in report.build.failed})
        noun = "brief" if failed == 1 else "briefs"
        printer.problem(f"catalogue not updated: {failed} {noun} failed; fix and publish again")
        return
    if printer.verbose:
        for path in report.written:
            printer.say(f"wrote {shown(path)}")
    for path in report.removed:
        printer.say(f"removed {shown(path)}: no longer in the catalogue")
    printer.say(
        f"published {report.briefs} brief{'' if report.briefs == 1 else 's'} "
        f"({report.publications} publications) in {shown(report.folder)}: "
        f"{len(report.written)} catalogue files written, {len(report.unchanged)} unchanged"
    )
    printer.say(f"catalogue for e-reader apps: {report.catalogue_url}")


def _loopback(host: str) -> bool:
    """Tell whether an address to listen on is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
