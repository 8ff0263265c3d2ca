"""The choices a build offers, typed once for the command line, briefkit.toml and the API."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from briefkit.errors import UsageError


class Format(StrEnum):
    """briefkit's own output formats, for callers; any name in the format registry is a format."""

    PDF = "pdf"
    EPUB = "epub"
    HTML = "html"
    DOCX = "docx"


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


@dataclass(frozen=True)
class Variant:
    """How one output is made beyond its edition: paper, print marks and PDF standard.

    Only the PDF is shaped by a variant today; a format says which of these fields shape it,
    and only those name its file and key its cache entry.
    """

    paper: Paper = Paper.A4
    print_marks: bool = False
    pdf_variant: PdfVariant = PdfVariant.UA1

    @property
    def marked(self) -> bool:
        """Tell whether pages carry print marks and bleed: asked for, or implied by X-4."""
        return self.print_marks or self.pdf_variant is PdfVariant.X4

    def file_tags(self, fields: frozenset[str]) -> tuple[str, ...]:
        """Return what the fields a format is shaped by add to its file name, in a fixed order.

        The A4, unmarked, PDF/UA-1 brief is x.pdf; others are x-letter.pdf, x-print.pdf,
        x-pdfa.pdf, x-x4.pdf (X-4 implies the marks), x-letter-print.pdf and so on.
        """
        tags: list[str] = []
        if "paper" in fields and self.paper is not Paper.A4:
            tags.append(self.paper.value)
        if "pdf_variant" in fields and self.pdf_variant is PdfVariant.A3B:
            tags.append("pdfa")
        if "pdf_variant" in fields and self.pdf_variant is PdfVariant.X4:
            tags.append("x4")
        elif "print_marks" in fields and self.print_marks:
            tags.append("print")
        return tuple(tags)

    def shaping(self, fields: frozenset[str]) -> str:
        """Return the fields a format is shaped by and their values, for its cache key."""
        values = {"paper": self.paper.value, "print_marks": str(self.print_marks)}
        values["pdf_variant"] = self.pdf_variant.value
        return ";".join(f"{name}={values[name]}" for name in sorted(fields & values.keys()))


class SmtpSecurity(StrEnum):
    """How a connection to the mail server is protected."""

    STARTTLS = "starttls"
    SSL = "ssl"
    NONE = "none"


class EmailBody(StrEnum):
    """How much of each section a message's body shows."""

    FULL = "full"
    SUMMARY = "summary"


Choice = TypeVar("Choice", bound=StrEnum)


def choose(kind: type[Choice], value: str | Choice, what: str) -> Choice:
    """Return the member value names, or refuse it and name the allowed values."""
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise UsageError(f"unknown {what} {str(value)!r}: choose one of {allowed}") from None
