"""Messages built by the standard library: headers, the two bodies, related images, attachments.

Every header goes through ``email.message.EmailMessage`` with the default policy, which folds
and encodes it; no header is ever built from strings. Text that would end a header (a line
break in a title or an address) is refused before the message exists.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, localtime, make_msgid
from typing import cast

from briefkit.delivery.mail.body import Bodies
from briefkit.errors import BriefkitError
from briefkit.model.address import safe_header
from briefkit.sources.markup.slugs import slug

# Message-IDs of a list's messages are name-based UUIDs in this namespace (see list_message_id).
_ID_NAMESPACE = uuid.UUID("5b0f6c1e-6f2d-4c1a-9a7e-2f64d8b1c0a3")
_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
MEGABYTE = 1_000_000


@dataclass(frozen=True)
class Attached:
    """A file a message carries: its name, its bytes and its media type."""

    filename: str
    data: bytes
    media_type: str


@dataclass(frozen=True)
class Headers:
    """Who a message is from and to, and what it is about."""

    subject: str
    sender: Address
    to: tuple[Address, ...]
    cc: tuple[Address, ...] = ()
    language: str | None = None


def start(headers: Headers) -> EmailMessage:
    """Return a message with its headers set and no body yet."""
    message = EmailMessage()
    message["Subject"] = safe_header(headers.subject, "the subject")
    message["From"] = headers.sender
    message["To"] = headers.to
    if headers.cc:
        message["Cc"] = headers.cc
    message["Date"] = format_datetime(localtime())
    message["Message-ID"] = make_msgid(domain=headers.sender.domain)
    return message


def _finish(message: EmailMessage, headers: Headers) -> EmailMessage:
    """Set the headers that setting content would clear or move into a part."""
    if headers.language:
        message["Content-Language"] = safe_header(headers.language, "the brief's language")
    return message


def brief_message(headers: Headers, bodies: Bodies, attachments: list[Attached]) -> EmailMessage:
    """Return a brief's message: text and HTML alternatives, the HTML's images, attachments."""
    message = start(headers)
    message.set_content(bodies.text)
    message.add_alternative(bodies.html, subtype="html")
    if bodies.images:
        html = cast(EmailMessage, message.get_body(("html",)))
        for image in bodies.images:
            maintype, subtype = image.media_type.split("/", 1)
            html.add_related(
                image.data,
                maintype,
                subtype,
                cid=f"<{image.cid}>",
                disposition="inline",
                filename=safe_header(image.filename, "an image's part name"),
            )
    attach(message, attachments)
    return _finish(message, headers)


def kindle_message(headers: Headers, text: str, epub: Attached) -> EmailMessage:
    """Return a Send-to-Kindle message: a short text body and the EPUB, nothing else."""
    message = start(headers)
    message.set_content(text)
    attach(message, [epub])
    return _finish(message, headers)


def attach(message: EmailMessage, attachments: list[Attached]) -> None:
    """Add files to a message as attachments under the names briefkit gave them."""
    for item in attachments:
        maintype, subtype = item.media_type.split("/", 1)
        filename = safe_header(item.filename, "an attachment's name")
        message.add_attachment(item.data, maintype, subtype, filename=filename)


def check_size(attachments: list[Attached], limit_mb: float) -> None:
    """Refuse attachments larger in total than mail servers accept."""
    total = sum(len(item.data) for item in attachments)
    if total > limit_mb * MEGABYTE:
        names = ", ".join(f"{a.filename} ({len(a.data) / MEGABYTE:.1f} MB)" for a in attachments)
        raise BriefkitError(
            f"the attachments come to {total / MEGABYTE:.1f} MB ({names}), more than the "
            f"{limit_mb:g} MB a message may carry (max_attachments_mb in [email] of "
            "briefkit.toml): attach fewer formats; nothing was sent"
        )


def plain_filename(stem: str, suffix: str) -> str:
    """Return a file name of plain ASCII letters, digits, dots and dashes, as Kindle wants.

    A part's file name stands in a header, so it never carries a source's own characters:
    no line break, control character, bidirectional control or ``=?``.
    """
    name = stem if _PLAIN_NAME.fullmatch(stem) else slug(stem) or "brief"
    return f"{name}.{suffix}"


def readdress(message: EmailMessage, recipient: Address, message_id: str) -> None:
    """Address a list's message to one reader alone, with its own date and Message-ID."""
    for name in ("To", "Cc", "Date", "Message-ID"):
        del message[name]
    message["To"] = recipient
    message["Date"] = format_datetime(localtime())
    message["Message-ID"] = message_id


def list_message_id(message: EmailMessage, name: str, key: str) -> str:
    """Return the Message-ID of a list's message to one reader (by address_key): every run's.

    name is the send log's name of the message (the brief and edition), not its subject, so
    the ID stays the same whatever the title. Should a server accept a message and the run die
    before the send log records it, the copy the next run sends carries the same Message-ID,
    which mail clients show once.
    """
    sender = cast(Address, message["From"].addresses[0])
    unique = "\n".join((name, key))
    return f"<{uuid.uuid5(_ID_NAMESPACE, unique)}@{sender.domain}>"


def as_bytes(message: EmailMessage) -> bytes:
    """Return a message as it travels, with CRLF line ends: what an .eml file holds."""
    return message.as_bytes(policy=SMTP)


def wire(message: EmailMessage, international: bool) -> bytes:
    """Return the bytes a list's message is signed and sent as.

    Headers set raw (the List-* links, folded by briefkit) are kept as they are: refolding
    would cut a long link into encoded words, which no mail client follows. An international
    address needs UTF-8 headers (SMTPUTF8), as smtplib's own send_message gives them.
    """
    policy = SMTP.clone(refold_source="none", utf8=international)
    return message.as_bytes(policy=policy)
