"""A distribution list: one address a line, or CSV with ``email`` and optional ``name`` columns.

Every address is checked before anything is sent; each problem is reported at its line, as
``list.csv:LINE: error: ...``. An address listed twice gets one message.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from email.headerregistry import Address
from pathlib import Path

from briefkit.delivery.mail_address import address_problem, header_problem, parse_address
from briefkit.errors import BriefkitError

MAX_LIST_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Recipient:
    """One reader of a distribution list, and the line that names them."""

    address: Address
    line: int

    @property
    def key(self) -> str:
        """Return the address as the send log records it, in lower case."""
        return self.address.addr_spec.lower()


@dataclass
class DistributionList:
    """The readers of a list file, each once, and what was odd about the file."""

    path: Path
    recipients: list[Recipient]
    warnings: list[str] = field(default_factory=list)


def read_list(path: Path) -> DistributionList:
    """Read and check a distribution list; refuse it, naming every bad line, if any is bad."""
    text = _read(path)
    rows = _csv_rows(text, path) if _is_csv(path, text) else _plain_rows(text)
    recipients: list[Recipient] = []
    errors: list[str] = []
    warnings: list[str] = []
    seen: dict[str, int] = {}
    for line, value, name in rows:
        problem = _problem(value, name)
        if problem:
            errors.append(f"{path}:{line}: error: {problem}")
            continue
        address = parse_address(value)
        recipient = Recipient(
            Address(name or address.display_name, addr_spec=address.addr_spec), line
        )
        if recipient.key in seen:
            warnings.append(
                f"{path}:{line}: warning: {value} is already on line {seen[recipient.key]}: "
                "it gets one message"
            )
            continue
        seen[recipient.key] = line
        recipients.append(recipient)
    if errors:
        raise BriefkitError("\n".join(errors))
    if not recipients:
        raise BriefkitError(f"{path}: error: the list has no addresses")
    return DistributionList(path, recipients, warnings)


def _problem(value: str, name: str) -> str | None:
    """Say what is wrong with a row's address and name, if anything."""
    if not value:
        return "the row has no address"
    problem = address_problem(value)
    if problem:
        return f"{value!r} {problem}"
    problem = header_problem(name)
    return f"the name {name!r} {problem}" if problem else None


def _read(path: Path) -> str:
    """Return the text of a list file, or say why it cannot be read."""
    try:
        size = path.stat().st_size
        if size > MAX_LIST_BYTES:
            raise BriefkitError(f"{path}: the list is {size:,} bytes; the limit is 10 MB")
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError as exc:
        raise BriefkitError(f"{path}: no such file") from exc
    except UnicodeDecodeError as exc:
        raise BriefkitError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise BriefkitError(f"{path}: cannot read the list ({exc.strerror or exc})") from exc


def _is_csv(path: Path, text: str) -> bool:
    """Tell whether a list is CSV: by its name, or by an ``email`` column in its first line."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    header = [cell.strip().lower() for cell in first.split(",")]
    return path.suffix.lower() == ".csv" or ("email" in header and len(header) > 1)


def _plain_rows(text: str) -> list[tuple[int, str, str]]:
    """Return (line, address, name) for each line that is not blank or a # comment."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        value = line.strip()
        if value and not value.startswith("#"):
            rows.append((number, value, ""))
    return rows


def _csv_rows(text: str, path: Path) -> list[tuple[int, str, str]]:
    """Return (line, address, name) for each row of a CSV list with an ``email`` column."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = {(name or "").strip().lower(): name for name in reader.fieldnames or []}
    if "email" not in columns:
        raise BriefkitError(f"{path}:1: error: a CSV list needs an 'email' column")
    rows = []
    for row in reader:
        email = (row.get(columns["email"]) or "").strip()
        name = (row.get(columns["name"]) or "").strip() if "name" in columns else ""
        if email or name:
            rows.append((reader.line_num, email, name))
    return rows
