"""Mail addresses and header text: checked with the standard library before any header is set."""

from __future__ import annotations

import re
from email.errors import HeaderParseError, MessageDefect
from email.headerregistry import Address
from email.utils import getaddresses

from briefkit.errors import BriefkitError

# A domain of dot-separated labels (international ones included): what a server can route to.
_DOMAIN = re.compile(r"^(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_](?:[\w-]*[^\W_])?$")

_NOT_AN_ADDRESS = "is not a mail address such as name@example.org"
# What Python's str.splitlines() also breaks lines at, and so the email package refuses in a
# header: U+2028 and U+2029 pass the front matter's check for control characters.
_OTHER_BREAKS = "\v\f\x1c\x1d\x1e\x85\u2028\u2029"


class AddressError(BriefkitError):
    """An address that is not a single, well-formed mail address."""


def header_problem(text: str) -> str | None:
    """Say why text cannot stand in a mail header, or return None when it can."""
    if any(c in text for c in "\r\n\0"):
        return "contains a line break (CR or LF)"
    other = next((c for c in text if c in _OTHER_BREAKS), None)
    if other is not None:
        return f"contains a line break (U+{ord(other):04X})"
    if "=?" in text:
        # Mail programs, Python's among them, decode =?charset?q?...?= wherever it stands, and
        # what it decodes to can be a line break that starts a header of its own.
        return "contains '=?', which mail programs decode: it can hide a line break"
    return None


def refuse_line_breaks(value: str, what: str) -> str:
    """Return value, or refuse it if it holds a line break, which would end a mail header."""
    problem = header_problem(value)
    if problem:
        raise BriefkitError(
            f"{what} {value!r} {problem}, which a mail header cannot hold; nothing was sent"
        )
    return value


def address_problem(text: str) -> str | None:
    """Say what is wrong with text as one mail address, or return None when it is fine."""
    problem = header_problem(text)
    if problem:
        return problem
    pairs = getaddresses([text])
    if len(pairs) > 1 and all("@" in spec for _, spec in pairs):
        return "is more than one address: give each on its own"
    name, spec = pairs[0] if len(pairs) == 1 else ("", "")
    if not spec or "@" not in spec:
        return _NOT_AN_ADDRESS
    try:
        address = Address(display_name=name, addr_spec=spec)
    except (HeaderParseError, MessageDefect, ValueError, IndexError) as exc:
        return f"is not a mail address: {str(exc).rstrip(')').split(' (')[0]}"
    if not address.username or not _DOMAIN.match(address.domain):
        return _NOT_AN_ADDRESS
    if getaddresses([str(address)]) != [(name, spec)] or spec.lower() not in text.lower():
        # The text says more than the address it parses to: refuse rather than guess.
        return _NOT_AN_ADDRESS
    return None


def parse_address(text: str, what: str = "address") -> Address:
    """Return one mail address, written as ``name@example.org`` or ``Name <name@example.org>``."""
    cleaned = text.strip()
    problem = address_problem(cleaned)
    if problem:
        raise AddressError(f"{what} {text!r} {problem}")
    name, spec = getaddresses([cleaned])[0]
    return Address(display_name=name, addr_spec=spec)


def named(address: Address, name: str) -> Address:
    """Return the address with a display name (from a distribution list's name column)."""
    refuse_line_breaks(name, "the name")
    return Address(display_name=name.strip(), addr_spec=address.addr_spec)
