"""A distribution list: one address a line, or CSV with ``email`` and optional ``name`` columns.

Every address is checked before anything is sent; each problem is reported at its line, as
``list.csv:LINE: error: ...``. An address listed twice gets one message: two spellings of one
domain (``bücher.example`` and ``xn--bcher-kva.example``) are one address.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from email.headerregistry import Address
from pathlib import Path

from briefkit.errors import BriefkitError
from briefkit.files import FileRefused, read_regular
from briefkit.model.address import address_key, checked_address, header_problem

MAX_LIST_BYTES = 10 * 1024 * 1024

Row = tuple[int, str, str]


@dataclass(frozen=True)
class Recipient:
    """One reader of a distribution list, and the line that names them."""

    address: Address
    line: int

    @property
    def key(self) -> str:
        """Return the address as the send log records it: see address_key."""
        return address_key(self.address.addr_spec)


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
        found = _address(value, name)
        if isinstance(found, str):
            errors.append(f"{path}:{line}: error: {found}")
            continue
        recipient = Recipient(found, line)
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


def _address(value: str, name: str) -> Address | str:
    """Return a row's address, named by its name column if it has one, or say what is wrong."""
    if not value:
        return "the row has no address"
    address = checked_address(value)
    if isinstance(address, str):
        return f"{value!r} {address}"
    problem = header_problem(name)
    if problem:
        return f"the name {name!r} {problem}"
    if not name:
        return address
    return Address(display_name=name, username=address.username, domain=address.domain)


def _read(path: Path) -> str:
    """Return the text of a list file, a regular file read once, or say why it cannot be."""
    try:
        return read_regular(path, MAX_LIST_BYTES).decode("utf-8-sig")
    except FileRefused as exc:
        raise BriefkitError(f"{path}: error: the list {exc.reason}") from exc
    except UnicodeDecodeError as exc:
        raise BriefkitError(f"{path}: error: not UTF-8 text ({exc.reason})") from exc


def _is_csv(path: Path, text: str) -> bool:
    """Tell whether a list is CSV: by its name, or by an ``email`` column in its first line."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    header = [cell.strip().lower() for cell in first.split(",")]
    return path.suffix.lower() == ".csv" or ("email" in header and len(header) > 1)


def _plain_rows(text: str) -> list[Row]:
    """Return (line, address, name) for each line that is not blank or a # comment."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        value = line.strip()
        if value and not value.startswith("#"):
            rows.append((number, value, ""))
    return rows


def _csv_rows(text: str, path: Path) -> list[Row]:
    """Return (line, address, name) for each row of a CSV list with an ``email`` column."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        columns = {(name or "").strip().lower(): name for name in reader.fieldnames or []}
        if "email" not in columns:
            raise BriefkitError(f"{path}:1: error: a CSV list needs an 'email' column")
        rows = []
        for row in reader:
            email = (row.get(columns["email"]) or "").strip()
            name = (row.get(columns["name"]) or "").strip() if "name" in columns else ""
            if email or name:
                rows.append((reader.line_num, email, name))
    except csv.Error as exc:
        # The DictReader counts a row once it is read; the reader under it, the line it is on.
        line = reader.reader.line_num
        raise BriefkitError(f"{path}:{line}: error: {_csv_problem(exc)}") from exc
    return rows


def _csv_problem(exc: csv.Error) -> str:
    """Say in words what Python's CSV reader could not read."""
    text = str(exc)
    if text.startswith("field larger than field limit"):
        return (
            f"a field is longer than {csv.field_size_limit():,} characters, "
            "more than any address or name"
        )
    return f"not CSV that can be read ({text})"
