"""briefkit's Python API: what the command line does, for scripts and notebooks.

Every command is a thin caller of these functions: load and check sources, render and build
briefs, import material as a brief (:func:`import_source`), compose and send a brief's message.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from briefkit.commands.importing.command import import_source as import_source
from briefkit.config import Workspace, find_workspace
from briefkit.errors import ParameterError
from briefkit.model.choices import EmailBody, Format, Paper, PdfVariant, SmtpSecurity, choose
from briefkit.sources import loader
from briefkit.sources.loader import LoadedBrief

# Rendering and building are imported by the calls that need them, so checking stays quick.
if TYPE_CHECKING:
    from email.message import EmailMessage

    from briefkit.building.pipeline import BuildPool, BuildProgress, BuildReport
    from briefkit.commands.check import CheckReport
    from briefkit.delivery.catalogue.publish import PublishReport
    from briefkit.delivery.catalogue.server import PreviewServer
    from briefkit.delivery.mail.lists.bounces import BounceReport
    from briefkit.delivery.mail.lists.endpoint import UnsubscribeApp
    from briefkit.delivery.mail.lists.readers import DistributionList
    from briefkit.delivery.mail.lists.send import ListProgress, ListReport
    from briefkit.delivery.mail.lists.suppression import Suppressed
    from briefkit.delivery.mail.smtp import SendReport, SmtpServer
    from briefkit.model.brief import Brief

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
    from briefkit.building.jobs import render_alone
    from briefkit.building.plan import Request, editions, plan_brief

    content = brief.raise_for_errors() if isinstance(brief, LoadedBrief) else brief
    space = open_workspace(workspace, near=content.folder)
    request = Request(
        formats=(str(format),),
        editions=editions(facts_only),
        paper=paper,
        print_marks=print_marks,
        pdf_variant=pdf_variant,
        modified=modified,
    )
    plan = plan_brief(space, content.path, request)
    (output,) = plan.outputs
    rendered = render_alone(plan, content, output)
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
    from briefkit.building.pipeline import build as run_build
    from briefkit.building.plan import Request, editions, make_plan, requested_formats

    request = Request(
        paths=tuple(Path(p) for p in paths or []),
        formats=requested_formats(formats),
        editions=editions(facts_only),
        paper=paper,
        print_marks=print_marks,
        pdf_variant=pdf_variant,
        out=Path(out) if out is not None else None,
        strict=strict,
        force=force,
        jobs=jobs,
        tracebacks=tracebacks,
    )
    return run_build(make_plan(open_workspace(workspace), request), progress, pool)


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
    facts-only edition too) and out default to briefkit.toml's [publish] table. Drafts
    (draft: true) are left out: the report's drafts names them.
    """
    from briefkit.building.pipeline import build as run_build
    from briefkit.building.plan import Request, editions
    from briefkit.delivery.catalogue.publish import publish_catalogue, publishing_plan, served

    space, site = served(open_workspace(workspace), base_url, title)
    both = space.config.publish.facts_only if facts_only is None else facts_only
    request = Request(
        paths=tuple(Path(p) for p in paths or []),
        # Both editions in one plan: a file of one can never overwrite a file of the other.
        editions=editions(False, both=both),
        out=Path(out) if out is not None else space.root / space.config.publish.out,
        strict=strict,
        force=force,
        jobs=jobs,
        tracebacks=tracebacks,
    )
    plan, drafts = publishing_plan(space, request)  # drafts are left out, and said so
    return publish_catalogue(plan, run_build(plan, progress), site, drafts)


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


def compose_email(
    brief: LoadedBrief | Brief,
    *,
    to: Iterable[str] = (),
    cc: Iterable[str] = (),
    sender: str | None = None,
    attach: Iterable[Format | str] = (),
    body: EmailBody | str = EmailBody.FULL,
    facts_only: bool = False,
    workspace: WorkspaceLike = None,
    correction: bool = False,
    link: bool = False,
) -> EmailMessage:
    """Return a brief's message: plain-text and HTML bodies, and the attachments asked for.

    sender defaults to ``from`` in ``[email]`` of briefkit.toml. Attachments are rendered as
    ``build`` renders them. Nothing is written or sent; correction as ``email --correction``,
    link (to the copies published at ``[publish] base_url``, instead of attaching) as --link.
    """
    from briefkit.delivery.mail.compose import (
        MailOptions,
        addresses,
        compose,
        mail_plan,
        sender_for,
    )

    content = brief.raise_for_errors() if isinstance(brief, LoadedBrief) else brief
    space = open_workspace(workspace, near=content.folder)
    options = MailOptions(
        sender=sender_for(space, sender),
        to=addresses(to, "to"),
        cc=addresses(cc, "cc"),
        body=choose(EmailBody, body, "body"),
        correction=correction,
        link=link,
    )
    return compose(content, mail_plan(space, content, attach, facts_only), options)


def compose_kindle_email(
    brief: LoadedBrief | Brief,
    to: str,
    *,
    sender: str | None = None,
    facts_only: bool = False,
    workspace: WorkspaceLike = None,
) -> EmailMessage:
    """Return a Send-to-Kindle message: the brief's EPUB under a plain name, a short body."""
    from briefkit.delivery.mail.compose import (
        KINDLE_FORMAT,
        addresses,
        compose_kindle,
        mail_plan,
        sender_for,
    )

    content = brief.raise_for_errors() if isinstance(brief, LoadedBrief) else brief
    space = open_workspace(workspace, near=content.folder)
    (address,) = addresses([to], "to")
    plan = mail_plan(space, content, [KINDLE_FORMAT], facts_only)
    return compose_kindle(content, plan, sender_for(space, sender), address)


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
        raise ParameterError("port", f"{{name}} {port} is not a port number (1 to 65535)")
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
    from briefkit.delivery.mail.lists.readers import read_list

    return read_list(Path(path))


def send_email_to_list(
    message: EmailMessage,
    readers: DistributionList | PathLike,
    server: SmtpServer | None = None,
    *,
    brief: LoadedBrief | Brief,
    facts_only: bool = False,
    workspace: WorkspaceLike = None,
    rate: float | None = None,
    progress: ListProgress | None = None,
    log: PathLike | None = None,
) -> ListReport:
    """Send message to each reader of a list alone, skipping those its send log has reached.

    brief is the message's (facts_only: its facts-only edition), by which the send log knows
    it; rate is messages a minute (default: [email] rate). The send log (default: beside the
    list) records each address the server accepts; a run that stops raises ListSendError, and
    running again sends only to the readers not yet reached. Readers on the suppression list
    are skipped (logged).
    """
    from briefkit.delivery.mail.lists.send import list_mail_for, send_to_list
    from briefkit.delivery.mail.lists.suppression import without_suppressed
    from briefkit.delivery.mail.smtp import credentials_from

    if isinstance(readers, str | os.PathLike):
        readers = read_distribution_list(readers)
    mail = list_mail_for(space := open_workspace(workspace), brief, message, facts_only)
    readers = without_suppressed(readers, space, _log.info)
    via = server or smtp_server(workspace=space)
    return send_to_list(
        message, readers, via, credentials_from(), mail=mail, rate=rate, progress=progress, log=log
    )


def suppress(
    addresses: list[str], reason: str = "", *, remove: bool = False, workspace: WorkspaceLike = None
) -> list[Suppressed]:
    """Add addresses to the suppression list (reason: default "added by hand"), or remove them."""
    from briefkit.delivery.mail.lists.suppression import change

    return change(open_workspace(workspace), addresses, reason, remove=remove)


def process_bounces(mailboxes: Iterable[PathLike], workspace: WorkspaceLike = None) -> BounceReport:
    """Suppress what mbox files and Maildir folders report: permanent failures, unsubscribes."""
    from briefkit.delivery.mail.lists.bounces import process_bounces as process

    return process([Path(box) for box in mailboxes], open_workspace(workspace))


def unsubscribe_app(workspace: WorkspaceLike = None) -> UnsubscribeApp:
    """Return the one-click unsubscribe WSGI app; BRIEFKIT_UNSUBSCRIBE_SECRET must be set."""
    from briefkit.delivery.mail.lists.endpoint import unsubscribe_app as make

    return make(open_workspace(workspace))
