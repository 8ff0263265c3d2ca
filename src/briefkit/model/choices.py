"""The choices a build offers, typed once for the command line, briefkit.toml and the API."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from briefkit.errors import UsageError


class Format(StrEnum):
    """An output format."""

    PDF = "pdf"
    EPUB = "epub"
    HTML = "html"


class Paper(StrEnum):
    """A paper size for the PDF."""

    A4 = "a4"
    LETTER = "letter"


class PdfVariant(StrEnum):
    """The standard a PDF is made to: tagged PDF/UA-1, archival PDF/A-3b, or print-ready X-4.

    X-4 is made to what PDF/X-4 asks (CMYK output intent, trim and bleed boxes, text in black
    ink) and implies print production, but does not declare PDF/X-4: no checker here confirms it.
    """

    UA1 = "ua-1"
    A3B = "a-3b"
    X4 = "x-4"


class SmtpSecurity(StrEnum):
    """How a connection to the mail server is protected."""

    STARTTLS = "starttls"
    SSL = "ssl"
    NONE = "none"


class EmailBody(StrEnum):
    """How much of each section a message's body shows."""

    FULL = "full"
    SUMMARY = "summary"


class Attachment(StrEnum):
    """A format that can be attached to a message (the HTML is its body)."""

    PDF = "pdf"
    EPUB = "epub"


Choice = TypeVar("Choice", bound=StrEnum)


def choose(kind: type[Choice], value: str | Choice, what: str) -> Choice:
    """Return the member value names, or refuse it and name the allowed values."""
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise UsageError(f"unknown {what} {str(value)!r}: choose one of {allowed}") from None


def choose_all(kind: type[Choice], values: object, what: str) -> tuple[Choice, ...]:
    """Return the members values names, once each and in order; a lone string is one value."""
    items = [values] if isinstance(values, str) else list(values)  # type: ignore[call-overload]
    return tuple(dict.fromkeys(choose(kind, item, what) for item in items))
