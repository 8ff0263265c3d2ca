"""briefkit's Python API: what the command line does, for scripts and notebooks.

Every command is a thin caller of these functions: load a source and see its findings,
render a brief to the bytes of one format, build a folder of briefs into an output folder,
or compose a brief's message and send it to its readers.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from briefkit.config import Workspace, find_workspace
from briefkit.errors import UsageError
from briefkit.model.choices import (
    Attachment,
    EmailBody,
    Format,
    Paper,
    PdfVariant,
    SmtpSecurity,
    choose,
    choose_all,
)
from briefkit.sources import loader
from briefkit.sources.loader import LoadedBrief

# Rendering and building are imported by the calls that need them, so checking stays quick.
if TYPE_CHECKING:
    from email.headerregistry import Address
    from email.message import EmailMessage

    from briefkit.building.pipeline import BuildPool, BuildProgress, BuildReport
    from briefkit.commands.check import CheckReport
    from briefkit.delivery.catalogue.publish import PublishReport
    from briefkit.delivery.catalogue.server import PreviewServer
    from briefkit.delivery.mail.list_send import ListProgress, ListReport
    from briefkit.delivery.mail.recipients import DistributionList
    from briefkit.delivery.mail.smtp import SendReport, SmtpServer
    from briefkit.model.brief import Brief
    from briefkit.rendering.render import RenderOptions

PathLike = str | os.PathLike[str]
WorkspaceLike = Workspace | PathLike | None
_log = logging.getLogger("briefkit")


def open_workspace(where: WorkspaceLike = None, *, near: PathLike | None = None) -> Workspace:
    """Return a workspace: as given, found from a folder, or found walking up from near."""
    if isinstance(where, Workspace):
        return where
    if where is not None:
        return find_workspace(Path(where))
    return find_workspace(Path(near) if near is not None else None)


def load(
    path: PathLike,
    *,
    workspace: WorkspaceLike = None,
    raise_errors: bool = False,
    strict: bool = False,
) -> LoadedBrief:
    """Load and check a briefing source file; its findings say what is wrong, if anything.

    The workspace (default: the one holding the file) supplies front-matter defaults. With
    raise_errors, a source with errors (or, with strict, warnings) raises SourceError.
    """
    source = Path(path)
    space = open_workspace(workspace, near=source.parent)
    loaded = loader.load_brief(source, space.config.brief_defaults())
    if raise_errors:
        loaded.raise_for_errors(strict=strict)
    return loaded


def load_text(
    text: str,
    *,
    base_dir: PathLike,
    name: str = "brief.md",
    workspace: WorkspaceLike = None,
    raise_errors: bool = False,
    strict: bool = False,
) -> LoadedBrief:
    """Load and check a source given as text, as if it were the file base_dir/name."""
    folder = Path(base_dir)
    space = open_workspace(workspace, near=folder)
    loaded = loader.load_text(text, folder / name, space.config.brief_defaults())
    if raise_errors:
        loaded.raise_for_errors(strict=strict)
    return loaded


def check(
    paths: Iterable[PathLike] | None = None, *, workspace: WorkspaceLike = None
) -> CheckReport:
    """Check sources (default: the workspace's briefings/) and return every finding."""
    from briefkit.commands.check import check as run_check

    return run_check([Path(p) for p in paths or []], open_workspace(workspace))


def render(
    brief: LoadedBrief | Brief,
    format: Format | str,
    *,
    workspace: WorkspaceLike = None,
    facts_only: bool = False,
    paper: Paper | str | None = None,
    print_marks: bool = False,
    pdf_variant: PdfVariant | str | None = None,
    modified: dt.datetime | None = None,
) -> bytes:
    """Return the bytes of one format of a loaded brief, rendered in a worker process.

    The workspace (default: the brief's) supplies labels, theme, defaults and the time limit
    (past it, TimeLimitExceeded); a brief with errors raises SourceError; the renderer's
    warnings go to the ``briefkit`` logger.
    """
    from briefkit.rendering.render import imprint_for, render_limited
    from briefkit.rendering.theme import Theme
    from briefkit.system.clock import build_time

    content = brief.raise_for_errors() if isinstance(brief, LoadedBrief) else brief
    fmt = choose(Format, format, "format")
    space = open_workspace(workspace, near=content.folder)
    options = _render_options(space, facts_only, paper, print_marks, pdf_variant)
    edition = imprint_for(space.config, modified or build_time(), space.logo())
    limit = space.config.build.time_limit
    rendered = render_limited(Theme.for_workspace(space), content, fmt, edition, options, limit)
    for warning in rendered.warnings:
        _log.warning("%s: %s", content.path, warning)
    return rendered.data


def build(
    paths: Iterable[PathLike] | None = None,
    *,
    workspace: WorkspaceLike = None,
    out: PathLike | None = None,
    formats: Iterable[Format | str] | Format | str | None = None,
    facts_only: bool = False,
    paper: Paper | str | None = None,
    print_marks: bool = False,
    pdf_variant: PdfVariant | str | None = None,
    strict: bool = False,
    force: bool = False,
    jobs: int | None = None,
    progress: BuildProgress | None = None,
    tracebacks: bool = False,
    pool: BuildPool | None = None,
) -> BuildReport:
    """Build briefs into the output folder, skipping those that are up to date.

    paths are files or folders (default: the workspace's briefings/); the workspace (default:
    the current folder's) supplies every setting not given here; a pool keeps workers warm.
    """
    from briefkit.building.pipeline import BuildOptions
    from briefkit.building.pipeline import build as run_build

    space = open_workspace(workspace)
    settings = space.config.build
    if jobs is not None and jobs < 0:
        raise UsageError(f"jobs must be 0 (one worker per core) or more, not {jobs}")
    options = BuildOptions(
        formats=choose_all(Format, formats or settings.formats, "format"),
        render=_render_options(space, facts_only, paper, print_marks, pdf_variant),
        out_dir=Path(out) if out is not None else None,
        strict=strict,
        force=force,
        jobs=settings.jobs if jobs is None else jobs,
        tracebacks=tracebacks,
    )
    return run_build([Path(p) for p in paths or []], space, options, progress, pool)


def publish(
    paths: Iterable[PathLike] | None = None,
    *,
    workspace: WorkspaceLike = None,
    out: PathLike | None = None,
    base_url: str | None = None,
    title: str | None = None,
    facts_only: bool | None = None,
    strict: bool = False,
    force: bool = False,
    jobs: int | None = None,
    progress: BuildProgress | None = None,
    tracebacks: bool = False,
) -> PublishReport:
    """Build briefs into a folder (with :func:`build`) and write its OPDS catalogues and page.

    base_url is where the folder will be served from; it, title, facts_only (each brief's
    facts-only edition too) and out default to briefkit.toml's [publish] table.
    """
    from briefkit.delivery.catalogue.publish import publish_catalogue, served

    space, site = served(open_workspace(workspace), base_url, title)
    folder = Path(out) if out is not None else space.root / space.config.publish.out
    both = space.config.publish.facts_only if facts_only is None else facts_only
    edition = partial(
        build,
        list(paths or []),
        workspace=space,
        out=folder,
        formats=(Format.EPUB, Format.PDF),
        strict=strict,
        force=force,
        jobs=jobs,
        progress=progress,
        tracebacks=tracebacks,
    )
    builds = [(facts, edition(facts_only=facts)) for facts in ((False, True) if both else (False,))]
    return publish_catalogue(space, folder, builds, site)


def preview_server(
    folder: PathLike,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    log: Callable[[str], None] | None = None,
) -> PreviewServer:
    """Return a listening preview server of a published folder; log gets a line a request."""
    from briefkit.delivery.catalogue.server import PreviewServer

    return PreviewServer(Path(folder), host=host, port=port, log=log)


def _render_options(
    space: Workspace,
    facts_only: bool,
    paper: Paper | str | None,
    print_marks: bool,
    pdf_variant: PdfVariant | str | None,
) -> RenderOptions:
    """Return render options from the choices given, the workspace's settings filling in."""
    from briefkit.rendering.render import RenderOptions

    settings = space.config.build
    return RenderOptions(
        facts_only=facts_only,
        paper=choose(Paper, paper or settings.paper, "paper size"),
        print_marks=print_marks,
        pdf_variant=choose(PdfVariant, pdf_variant or settings.pdf_variant, "PDF variant"),
    )


def compose_email(
    brief: LoadedBrief | Brief,
    *,
    to: Iterable[str] = (),
    cc: Iterable[str] = (),
    sender: str | None = None,
    attach: Iterable[Attachment | str] = (),
    body: EmailBody | str = EmailBody.FULL,
    facts_only: bool = False,
    workspace: WorkspaceLike = None,
    correction: bool = False,
) -> EmailMessage:
    """Return a brief's message: plain-text and HTML bodies, and the attachments asked for.

    sender defaults to ``from`` in ``[email]`` of briefkit.toml. Attachments are rendered as
    ``build`` renders them. Nothing is written or sent; correction as ``email --correction``.
    """
    from briefkit.delivery.mail.compose import MailOptions, compose

    content = brief.raise_for_errors() if isinstance(brief, LoadedBrief) else brief
    space = open_workspace(workspace, near=content.folder)
    options = MailOptions(
        sender=_sender(space, sender),
        to=_addresses(to, "--to"),
        cc=_addresses(cc, "--cc"),
        attach=choose_all(Attachment, attach, "attachment"),
        body=choose(EmailBody, body, "body"),
        render=_render_options(space, facts_only, None, False, None),
        correction=correction,
    )
    return compose(content, space, options)


def compose_kindle_email(
    brief: LoadedBrief | Brief,
    to: str,
    *,
    sender: str | None = None,
    facts_only: bool = False,
    workspace: WorkspaceLike = None,
) -> EmailMessage:
    """Return a Send-to-Kindle message: the brief's EPUB under a plain name, a short body."""
    from briefkit.delivery.mail.compose import compose_kindle

    content = brief.raise_for_errors() if isinstance(brief, LoadedBrief) else brief
    space = open_workspace(workspace, near=content.folder)
    (address,) = _addresses([to], "--kindle")
    render = _render_options(space, facts_only, None, False, None)
    return compose_kindle(content, space, _sender(space, sender), address, render)


def write_email(message: EmailMessage, path: PathLike) -> Path:
    """Write a message to an .eml file that mail clients open, atomically; return its path."""
    from briefkit.delivery.mail.message import as_bytes
    from briefkit.system.output import write_atomic

    target = Path(path)
    write_atomic(target, as_bytes(message))
    return target


def smtp_server(
    *,
    host: str | None = None,
    port: int | None = None,
    security: SmtpSecurity | str | None = None,
    workspace: WorkspaceLike = None,
) -> SmtpServer:
    """Return the mail server to send through: as given, else from ``[email]`` in briefkit.toml."""
    from briefkit.delivery.mail.smtp import SmtpServer

    settings = open_workspace(workspace).config.email
    chosen = choose(SmtpSecurity, security or settings.smtp_security, "SMTP security")
    port = settings.smtp_port if port is None else port
    if not 0 < port < 65536:
        raise UsageError(f"SMTP port {port} is not a port number (1 to 65535)")
    return SmtpServer(host or settings.smtp_host, port, chosen)


def send_email(
    message: EmailMessage, server: SmtpServer | None = None, *, workspace: WorkspaceLike = None
) -> SendReport:
    """Send a message to its To and Cc addresses; the login comes from the environment.

    Raises SendError when the server cannot be reached or refuses the message; the report
    names any recipient the server refused.
    """
    from briefkit.delivery.mail.smtp import connection, credentials_from, send

    chosen = server or smtp_server(workspace=workspace)
    with connection(chosen, credentials_from()) as client:
        return send(client, chosen, message)


def read_distribution_list(path: PathLike) -> DistributionList:
    """Read a distribution list; every invalid address is reported at its line."""
    from briefkit.delivery.mail.recipients import read_list

    return read_list(Path(path))


def send_email_to_list(
    message: EmailMessage,
    readers: DistributionList | PathLike,
    server: SmtpServer | None = None,
    *,
    workspace: WorkspaceLike = None,
    rate: float | None = None,
    progress: ListProgress | None = None,
    log: PathLike | None = None,
) -> ListReport:
    """Send message to each reader of a list alone, skipping those its send log has reached.

    rate is messages a minute. The send log (default: beside the list) records each address
    the server accepts; a run that stops raises ListSendError, and running again sends only
    to the readers not yet reached.
    """
    from briefkit.delivery.mail.list_send import send_to_list
    from briefkit.delivery.mail.smtp import credentials_from

    if rate is not None and rate <= 0:
        raise UsageError(f"rate must be more than 0 messages a minute, not {rate}")
    if isinstance(readers, str | os.PathLike):
        readers = read_distribution_list(readers)
    chosen = server or smtp_server(workspace=workspace)
    where = Path(log) if log is not None else None
    return send_to_list(
        message, readers, chosen, credentials_from(), rate=rate, progress=progress, log=where
    )


def _sender(space: Workspace, sender: str | None) -> Address:
    """Return the sender given, or the workspace's; say how to give one when neither is."""
    from briefkit.model.address import parse_address

    value = sender or space.config.email.sender
    if not value:
        raise UsageError("no sender: give --from ADDR, or set from in [email] of briefkit.toml")
    return parse_address(value, "the sender")


def _addresses(values: Iterable[str], what: str) -> tuple[Address, ...]:
    """Return the addresses given, each checked."""
    from briefkit.model.address import parse_address

    return tuple(parse_address(value, f"{what} address") for value in values)
