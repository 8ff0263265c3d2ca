"""Mail addresses and header text: checked with the standard library before any header is set."""

from __future__ import annotations

import functools
import re
from email.errors import HeaderParseError, MessageDefect
from email.headerregistry import Address
from email.utils import getaddresses

import idna

from briefkit.errors import BriefkitError

# A domain of dot-separated labels (international ones included): what a server can route to.
_DOMAIN = re.compile(r"^(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_](?:[\w-]*[^\W_])?$")
# The plainest address, name@example.org in ASCII: a strict subset of what the parser below
# accepts (the tests hold the two to that), checked without it, as it costs 100 times more.
_ATOM = r"[A-Za-z0-9_%+-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
PLAIN_ADDRESS = re.compile(
    rf"({_ATOM}(?:\.{_ATOM})*)@((?:{_LABEL}\.)+[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?)"
)

_NOT_AN_ADDRESS = "is not a mail address such as name@example.org"
# What Python's str.splitlines() also breaks lines at, and so the email package refuses in a
# header: U+2028 and U+2029 pass the front matter's check for control characters.
_OTHER_BREAKS = "\v\f\x1c\x1d\x1e\x85\u2028\u2029"
# Bidirectional embeddings, overrides and isolates: they make a name read other than it is.
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Anything header_problem refuses, found in one pass: most text holds none of it.
_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{_OTHER_BREAKS}{_BIDI}]|=\\?")


class AddressError(BriefkitError):
    """An address that is not a single, well-formed mail address."""


def header_problem(text: str) -> str | None:
    """Say why text cannot stand in a mail header, or return None when it can."""
    if not _UNSAFE.search(text):
        return None
    if any(c in text for c in "\r\n"):
        return "contains a line break (CR or LF)"
    other = next((c for c in text if c in _OTHER_BREAKS), None)
    if other is not None:
        return f"contains a line break (U+{ord(other):04X})"
    control = next((c for c in text if c < " " or "\x7f" <= c <= "\x9f"), None)
    if control is not None:
        return f"contains a control character (U+{ord(control):04X})"
    bidi = next((c for c in text if c in _BIDI), None)
    if bidi is not None:
        return (
            f"contains a bidirectional control (U+{ord(bidi):04X}): it can disguise what text says"
        )
    # Mail programs, Python's among them, decode =?charset?q?...?= wherever it stands, and
    # what it decodes to can be a line break that starts a header of its own.
    return "contains '=?', which mail programs decode: it can hide a line break"


def safe_header(value: str, what: str) -> str:
    """Return text from a source or a list for a mail header, or refuse it, naming what it is.

    Every header value that a source, a list or a file name supplies passes here: line breaks,
    other control characters, bidirectional controls and ``=?`` are refused.
    """
    problem = header_problem(value)
    if problem:
        raise BriefkitError(
            f"{what} {value!r} {problem}, which a mail header cannot hold; nothing was sent"
        )
    return value


def checked_address(text: str) -> Address | str:
    """Return text as one mail address, or say what is wrong with it."""
    problem = header_problem(text)
    if problem:
        return problem
    plain = PLAIN_ADDRESS.fullmatch(text)
    if plain:
        return Address(username=plain[1], domain=plain[2])
    return parsed_address(text)


def parsed_address(text: str) -> Address | str:
    """Return text parsed by the standard library as one address, or say what is wrong."""
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
    return address


def address_problem(text: str) -> str | None:
    """Say what is wrong with text as one mail address, or return None when it is fine."""
    found = checked_address(text)
    return found if isinstance(found, str) else None


def parse_address(text: str, what: str = "address") -> Address:
    """Return one mail address, written as ``name@example.org`` or ``Name <name@example.org>``."""
    found = checked_address(text.strip())
    if isinstance(found, str):
        raise AddressError(f"{what} {text!r} {found}")
    return found


def address_key(addr_spec: str) -> str:
    """Return the form in which two spellings of one mailbox are equal, as a send log keeps it.

    The domain is taken in its ASCII (IDNA) form, so ``ok@bücher.example`` and
    ``ok@xn--bcher-kva.example`` are one reader; the local part is kept as written, in lower
    case as briefkit has always compared it.
    """
    local, _, domain = addr_spec.rpartition("@")
    return f"{local.lower()}@{ascii_domain(domain)}"


@functools.lru_cache(maxsize=4096)
def ascii_domain(domain: str) -> str:
    """Return a domain in lower-case ASCII: its IDNA 2008 (UTS 46) form where it has one."""
    if domain.isascii():
        return domain.lower()
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except ValueError:  # idna.IDNAError and UnicodeError among them
        pass
    try:
        # IDNA 2008 refuses some names IDNA 2003 allowed (emoji): keep their 2003 form.
        return domain.encode("idna").decode("ascii").lower()
    except ValueError:
        return domain.lower()
