"""``briefkit suppress`` and ``briefkit bounces``: keep readers who left or bounced off lists."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from briefkit.cli.common import Quiet, Verbose, _printer, _reported

if TYPE_CHECKING:
    from briefkit.cli.printer import Printer
    from briefkit.delivery.mail.lists.bounces import BounceReport


def suppress(
    ctx: typer.Context,
    addresses: Annotated[
        list[str], typer.Argument(metavar="ADDR", help="Addresses (name@example.org).")
    ],
    reason: Annotated[
        str,
        typer.Option(metavar="TEXT", help="Why, kept beside each address (default: by hand)."),
    ] = "",
    remove: Annotated[
        bool, typer.Option("--remove", help="Take the addresses off the list instead.")
    ] = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Keep addresses off every list send: add them to the suppression list, or --remove them.

    The list is [email] suppression in briefkit.toml (default: suppressed.txt).

    Example: briefkit suppress asha@example.org --reason "asked by phone"
    """
    with _reported(ctx), _printer(ctx) as printer:
        from briefkit import api
        from briefkit.delivery.mail.lists.suppression import suppression_path
        from briefkit.errors import UsageError
        from briefkit.paths import shown

        if remove and reason:
            raise UsageError("--reason goes with adding: --remove takes addresses off")
        space = api.open_workspace()
        changed = api.suppress(addresses, reason, remove=remove, workspace=space)
        where = shown(suppression_path(space))
        found = {entry.key for entry in changed}
        for address in addresses:
            printer.say(_changed(address, address_key_of(address) in found, remove, where))


def address_key_of(address: str) -> str:
    """Return an address as the suppression list compares it."""
    from briefkit.model.address import address_key

    return address_key(address.strip())


def _changed(address: str, done: bool, remove: bool, where: Path) -> str:
    """Say what happened to one address."""
    if remove:
        return f"removed {address} from {where}" if done else f"{address} was not on {where}"
    return f"added {address} to {where}" if done else f"{address} is already on {where}"


def bounces(
    ctx: typer.Context,
    mailboxes: Annotated[
        list[Path],
        typer.Argument(metavar="MAILBOX", help="mbox files or Maildir folders to read."),
    ],
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Suppress the readers whose mail failed for good, or who replied to unsubscribe.

    Delivery reports with a permanent failure (5.x.x) and unsubscribe replies with the
    reader's valid token (checked with BRIEFKIT_UNSUBSCRIBE_SECRET) add their address to
    the suppression list; everything else is left alone and counted.

    Example: briefkit bounces ~/Mail/bounces.mbox
    """
    with _reported(ctx), _printer(ctx) as printer:
        from briefkit import api
        from briefkit.delivery.mail.lists.suppression import suppression_path
        from briefkit.paths import shown

        space = api.open_workspace()
        report = api.process_bounces(mailboxes, workspace=space)
        _bounced(printer, report, shown(suppression_path(space)))


def _bounced(printer: Printer, report: BounceReport, where: Path) -> None:
    """Say what each message asked for and what was done."""
    added = {entry.key for entry in report.added}
    for address, reason in report.suppress.items():
        state = "added to" if address_key_of(address) in added else "already on"
        printer.say(f"{address}: {reason}: {state} {where}")
    left = sum(report.left.values())
    printer.say(
        f"read {report.messages} messages: {len(report.added)} addresses added to {where}, "
        f"{len(report.suppress) - len(report.added)} already on it, {left} messages left alone"
    )
    for why, count in sorted(report.left.items()):
        printer.say(f"  left alone: {count} × {why}")
