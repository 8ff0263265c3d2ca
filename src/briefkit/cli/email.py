"""``briefkit email``: write a brief's message to an .eml file to check, or send it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from briefkit.cli.common import Quiet, Verbose, _printer, _reported
from briefkit.model.choices import EmailBody, SmtpSecurity

if TYPE_CHECKING:
    from email.message import EmailMessage

    from briefkit.cli.printer import Printer
    from briefkit.config import Workspace
    from briefkit.delivery.mail.lists.headers import ListMail
    from briefkit.delivery.mail.lists.log import Correcting
    from briefkit.delivery.mail.lists.readers import DistributionList, Recipient
    from briefkit.delivery.mail.smtp import SmtpServer
    from briefkit.model.brief import Brief

Addresses = list[str] | None


def email(
    ctx: typer.Context,
    source: Annotated[
        Path, typer.Argument(metavar="SOURCE", help="The briefing source (.md) to send.")
    ],
    to: Annotated[
        Addresses, typer.Option("--to", metavar="ADDR", help="Recipient; repeat for several.")
    ] = None,
    cc: Annotated[
        Addresses, typer.Option("--cc", metavar="ADDR", help="Copy to; repeat for several.")
    ] = None,
    list_file: Annotated[
        Path | None,
        typer.Option(
            "--list",
            metavar="FILE",
            help="Distribution list (one address a line, or CSV with email and name columns): "
            "one message per reader, recorded in a send log beside the list.",
        ),
    ] = None,
    sender: Annotated[
        str | None,
        typer.Option("--from", metavar="ADDR", help="Sender (default: from in [email])."),
    ] = None,
    attach: Annotated[
        list[str] | None,
        typer.Option(
            "--attach",
            metavar="FORMAT",
            help="Attach the brief as a format: pdf, epub, docx...; repeat for more.",
        ),
    ] = None,
    link: Annotated[
        bool,
        typer.Option(
            "--link",
            help="Link to the published copies ([publish] base_url) instead of attaching.",
        ),
    ] = False,
    body: Annotated[
        EmailBody,
        typer.Option(help="Each section in full, or its first paragraph (summary)."),
    ] = EmailBody.FULL,
    facts_only: Annotated[
        bool, typer.Option(help="Leave every commentary section out, attachments included.")
    ] = False,
    eml: Annotated[
        Path | None,
        typer.Option(
            metavar="PATH", help="Where the message is written (default: out/<name>.eml)."
        ),
    ] = None,
    send: Annotated[
        bool, typer.Option("--send", help="Send it; without this the .eml is only written.")
    ] = False,
    smtp_host: Annotated[
        str | None,
        typer.Option(metavar="HOST", help="Mail server (default: smtp_host in [email])."),
    ] = None,
    smtp_port: Annotated[
        int | None, typer.Option(metavar="PORT", help="Its port (default: smtp_port in [email]).")
    ] = None,
    smtp_security: Annotated[
        SmtpSecurity | None,
        typer.Option(help="TLS after connecting, TLS from the start, or none (a local relay)."),
    ] = None,
    kindle: Annotated[
        str | None,
        typer.Option(
            metavar="ADDR", help="Send-to-Kindle address: the EPUB alone, with a short body."
        ),
    ] = None,
    rate: Annotated[
        float | None,
        typer.Option(min=0.001, metavar="N", help="With --list: messages a minute at most."),
    ] = None,
    correction: Annotated[
        bool,
        typer.Option(
            "--correction",
            help="With --list: send the corrected brief to the readers its send log says had "
            "the earlier version, 'Correction:' in the subject and the latest correction on top.",
        ),
    ] = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Write a brief's message (text and HTML, labelled) to an .eml file, or send it.

    Without --send the message is only written, to open in a mail client first. The login
    comes from BRIEFKIT_SMTP_USER and BRIEFKIT_SMTP_PASSWORD, never from options or files.

    Example: briefkit email briefings/note.md --to desk@example.org --attach pdf --send

    After a correction: briefkit email briefings/note.md --list readers.csv --correction --send
    """
    with _reported(ctx), _printer(ctx) as printer:
        from briefkit import api
        from briefkit.delivery.mail.compose import eml_path
        from briefkit.paths import shown

        _check_recipients(ctx)
        space = api.open_workspace(near=source.parent)
        loaded = api.load(source, workspace=space)
        for finding in loaded.warnings:
            printer.problem(finding.format())
        brief = loaded.raise_for_errors()
        readers = api.read_distribution_list(list_file) if list_file else None
        for warning in readers.warnings if readers else []:
            printer.problem(warning)
        readers = _suppressed(printer, readers, [*(to or []), *(cc or [])], space)
        mail = _list_mail(brief, space, sender, facts_only) if readers and send else None
        correcting, first_reader = None, readers.recipients[0] if readers else None
        if correction and readers:
            correcting, first_reader = _correcting(brief, readers, facts_only, space)
        if kindle:
            message = _kindle_message(brief, kindle, sender, facts_only, space)
        else:
            first = [str(first_reader.address)] if first_reader else []
            message = api.compose_email(
                brief,
                to=to or first,
                cc=cc or [],
                sender=sender,
                attach=attach or [],
                body=body,
                facts_only=facts_only,
                workspace=space,
                correction=correction,
                link=link,
            )
        path = api.write_email(message, eml or eml_path(space, source, facts_only))
        if brief.meta.draft:
            printer.say(_draft_notice(shown(source), readers is not None))
        if not send:
            _wrote(printer, shown(path), readers, correcting is not None)
            return
        server = api.smtp_server(
            host=smtp_host, port=smtp_port, security=smtp_security, workspace=space
        )
        if server.security is SmtpSecurity.NONE:
            printer.problem(
                f"warning: the connection to {server} is not encrypted (--smtp-security none): "
                "use it only for a relay on this machine"
            )
        if readers:
            _send_list(printer, message, readers, server, rate, correcting, mail)
        else:
            _send_one(printer, message, server, shown(path))


def _kindle_message(
    brief: Brief, kindle: str, sender: str | None, facts_only: bool, space: Workspace
) -> EmailMessage:
    """Return the Send-to-Kindle message; a bad address is the --kindle option's."""
    from briefkit import api
    from briefkit.errors import ParameterError

    try:
        return api.compose_kindle_email(
            brief, kindle, sender=sender, facts_only=facts_only, workspace=space
        )
    except ParameterError as exc:
        if exc.parameter != "to":
            raise
        raise ParameterError("kindle", exc.template) from None


def _suppressed(
    printer: Printer, readers: DistributionList | None, given: list[str], space: Workspace
) -> DistributionList | None:
    """Skip a list's suppressed readers, saying how many; warn of a suppressed --to or --cc."""
    from briefkit.delivery.mail.lists.suppression import suppression_path

    path = suppression_path(space)
    if readers is None:
        _warn_suppressed(printer, given, path)
        return None
    return _honoured(printer, readers, path)


def _honoured(printer: Printer, readers: DistributionList, path: Path) -> DistributionList:
    """Return the readers not on the suppression list; say how many are, refuse if all are."""
    from briefkit.delivery.mail.lists.suppression import honour
    from briefkit.errors import BriefkitError
    from briefkit.paths import shown

    honoured = honour(readers, path)
    if honoured.skipped:
        printer.say(honoured.summary(shown(path)))
    if not honoured.readers.recipients:
        raise BriefkitError(
            f"every reader of {shown(readers.path)} is on the suppression list {shown(path)}: "
            "nothing was sent"
        )
    return honoured.readers


def _warn_suppressed(printer: Printer, given: list[str], path: Path) -> None:
    """Warn of each --to or --cc address on the suppression list: it is sent to all the same."""
    from briefkit.delivery.mail.lists.suppression import read_suppressed
    from briefkit.model.address import address_key, checked_address
    from briefkit.paths import shown

    suppressed = read_suppressed(path) if given else {}
    for text in given:
        address = checked_address(text.strip())
        key = None if isinstance(address, str) else address_key(address.addr_spec)
        entry = suppressed.get(key) if key else None
        if entry is not None:
            printer.problem(
                f"warning: {entry.address} is on the suppression list {shown(path)} "
                f"({entry.reason or 'no reason given'}, {entry.day or 'no date'}): it gets the "
                "message all the same, as you named it"
            )


def _check_recipients(ctx: typer.Context) -> None:
    """Refuse options that do not go together, and a message with no one to go to."""
    from briefkit.errors import UsageError

    given = ctx.params
    ways = [name for name in ("to", "list_file", "kindle") if given[name]]
    if given["cc"] and not given["to"]:
        raise UsageError("--cc goes with --to: a --list or --kindle message has one reader")
    if not ways:
        raise UsageError("say who gets the message: --to ADDR, --list FILE or --kindle ADDR")
    if len(ways) > 1:
        raise UsageError("give one of --to, --list and --kindle: a message goes one way")
    if given["kindle"] and (
        given["attach"] or given["link"] or given["body"] is not EmailBody.FULL
    ):
        raise UsageError("--kindle sends the EPUB alone: --attach, --link and --body do not apply")
    if given["link"] and given["attach"]:
        raise UsageError(
            "--link and --attach do not go together: --link links to the published brief "
            "instead of attaching it"
        )
    if given["rate"] is not None and not given["list_file"]:
        raise UsageError("--rate paces a --list run; a single message needs none")
    if given["correction"] and not given["list_file"]:
        raise UsageError(
            "--correction goes with --list: the list's send log says who had the earlier version"
        )


def _correcting(
    brief: Brief, readers: DistributionList, facts_only: bool, space: Workspace
) -> tuple[Correcting, Recipient]:
    """Return the correction to send and the first reader it is for (who had the brief).

    Refused when the send log records no reader of the list who had the earlier version.
    """
    from briefkit.delivery.mail.compose import correcting
    from briefkit.delivery.mail.lists.headers import brief_key
    from briefkit.delivery.mail.lists.log import earlier_readers, log_path
    from briefkit.errors import BriefkitError
    from briefkit.model.edition import Edition

    found = correcting(brief, space, facts_only)
    log = log_path(readers.path)
    key = brief_key(space, brief.path, Edition(facts_only))
    earlier = earlier_readers(log, found.earlier_subject, key)
    first = next((r for r in readers.recipients if r.key in earlier), None)
    if first is None:
        raise BriefkitError(
            f"{log} records no reader of this list who was sent {found.earlier_subject!r}: a "
            "correction goes only to readers who had the earlier version; send the brief "
            "itself with --list first; nothing was sent"
        )
    return found, first


def _list_mail(brief: Brief, space: Workspace, sender: str | None, facts_only: bool) -> ListMail:
    """Return what a list send needs, refused (no secret, no DKIM key) before any rendering."""
    from briefkit.delivery.mail.compose import sender_for
    from briefkit.delivery.mail.lists.headers import list_mail
    from briefkit.model.edition import Edition

    return list_mail(space, brief, sender_for(space, sender), Edition(facts_only))


def _wrote(
    printer: Printer, path: Path, readers: DistributionList | None, correction: bool
) -> None:
    """Say where the message is, and how to send it."""
    printer.say(f"wrote {path}: open it in a mail client to check it, then send it with --send")
    if readers and correction:
        printer.say(
            f"with --send each reader of {readers.path} whom its send log records as sent the "
            "earlier version gets the correction, once; this one is addressed to the first"
        )
    elif readers:
        count = len(readers.recipients)
        printer.say(
            f"with --send each of the {count} readers of {readers.path} gets a message of "
            "their own; this one is addressed to the first"
        )


def _draft_notice(source: Path, to_list: bool) -> str:
    """Say that the brief is a draft, and where --send would take it."""
    if to_list:
        return f"{source} is a draft (draft: true): with --send it goes to no list"
    return f"{source} is a draft (draft: true): it goes to the address given, for review"


def _send_one(printer: Printer, message: EmailMessage, server: SmtpServer, path: Path) -> None:
    """Send one message; if it fails, say so and where the message is kept."""
    from briefkit import api
    from briefkit.delivery.mail.smtp import SendError
    from briefkit.errors import BriefkitError

    try:
        report = api.send_email(message, server)
    except SendError as exc:
        raise BriefkitError(f"{exc}\nthe message was not sent; it is kept in {path}") from exc
    if report.accepted:
        printer.say(f"sent to {', '.join(report.accepted)} through {server}")
    if report.refused:
        refusals = [f"the mail server refused {a}: {why}" for a, why in report.refused.items()]
        raise BriefkitError("\n".join([*refusals, f"the message is kept in {path}"]))


def _send_list(
    printer: Printer,
    message: EmailMessage,
    readers: DistributionList,
    server: SmtpServer,
    rate: float | None,
    correcting: Correcting | None,
    mail: ListMail | None,
) -> None:
    """Send a message to each reader of a list not yet reached, with a progress bar."""
    from briefkit.delivery.mail.lists.send import send_to_list
    from briefkit.delivery.mail.smtp import credentials_from
    from briefkit.paths import shown

    try:
        # As api.send_email_to_list does, with what the options have checked already.
        assert mail is not None  # made before anything was rendered
        report = send_to_list(
            message, readers, server, credentials_from(), mail=mail, rate=rate,
            progress=printer, correcting=correcting,
        )  # fmt: skip
    except KeyboardInterrupt:
        printer.end_bar()
        printer.problem(
            f"interrupted: {shown(readers.path)}'s send log records who has the message; "
            "run the same command again to send to the rest"
        )
        raise
    printer.end_bar()
    printer.say(
        f"sent {len(report.sent)} messages through {server}; "
        f"{report.reached_before} readers had it already; log: {shown(report.log)}"
    )
    if report.refused:
        printer.problem(
            f"{len(report.refused)} refused by the server (the next run tries them again): "
            + ", ".join(report.refused)
        )
        raise typer.Exit(1)
