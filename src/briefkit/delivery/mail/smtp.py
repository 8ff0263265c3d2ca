"""Send messages through an SMTP server: TLS that verifies the server, a login from the environment.

Credentials come only from ``BRIEFKIT_SMTP_USER`` and ``BRIEFKIT_SMTP_PASSWORD``; they are never
taken from options or files, never printed and never logged (smtplib's debug output stays off).
TLS uses ``ssl.create_default_context()``: the server's certificate and name are verified
against the system's authorities, or the file named by OpenSSL's ``SSL_CERT_FILE``.
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage

from briefkit.errors import BriefkitError
from briefkit.model.choices import SmtpSecurity

USER_VARIABLE = "BRIEFKIT_SMTP_USER"
PASSWORD_VARIABLE = "BRIEFKIT_SMTP_PASSWORD"
TIMEOUT = 60.0
_UNNAMED = "[127.0.0.1]"  # replaced by the connection's own address once connected


class SendError(BriefkitError):
    """The mail server could not be reached, or would not take the message."""


@dataclass(frozen=True)
class SmtpServer:
    """Where messages go, and how the connection is protected."""

    host: str
    port: int
    security: SmtpSecurity

    def __str__(self) -> str:
        """Return ``host:port``."""
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class Credentials:
    """A login for the mail server, as the environment gives it; its repr shows neither part."""

    user: str = field(repr=False)
    password: str = field(repr=False)


@dataclass
class SendReport:
    """Who a message reached, who the server refused and why, and through which server."""

    server: SmtpServer
    accepted: list[str]
    refused: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Tell whether every recipient was accepted."""
        return not self.refused


def credentials_from(environ: Mapping[str, str] | None = None) -> Credentials | None:
    """Return the login the environment gives, None for none; refuse half of one."""
    env = os.environ if environ is None else environ
    user, password = env.get(USER_VARIABLE, ""), env.get(PASSWORD_VARIABLE, "")
    if not user and not password:
        return None
    if not user or not password:
        missing = USER_VARIABLE if not user else PASSWORD_VARIABLE
        raise SendError(f"{missing} is not set: set both {USER_VARIABLE} and {PASSWORD_VARIABLE}")
    return Credentials(user, password)


@contextmanager
def connection(server: SmtpServer, credentials: Credentials | None) -> Iterator[smtplib.SMTP]:
    """Open a connection, protected as the server's security says and logged in if asked."""
    if credentials is not None and server.security is SmtpSecurity.NONE:
        raise SendError(
            f"refusing to send the password in {PASSWORD_VARIABLE} unencrypted to {server}: "
            "protect the connection with starttls or ssl (the SMTP security setting)"
        )
    with _explained(server):
        client = _open(server)
    try:
        with _explained(server):
            _secure_and_log_in(client, server, credentials)
        yield client
    finally:
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()


def send(client: smtplib.SMTP, server: SmtpServer, message: EmailMessage) -> SendReport:
    """Send a message to every address in its To and Cc headers, over an open connection."""
    sender = message["From"].addresses[0].addr_spec
    recipients = [
        address.addr_spec
        for name in ("To", "Cc")
        if message[name] is not None
        for address in message[name].addresses
    ]
    with _explained(server):
        refused = _send(client, message, sender, recipients)
    return SendReport(server, [r for r in recipients if r not in refused], refused)


def send_data(
    client: smtplib.SMTP,
    server: SmtpServer,
    data: bytes,
    envelope: str,
    to: Address,
    international: bool,
) -> str:
    """Send a message's bytes as they are (signed) to one address, from an envelope sender.

    The envelope sender is where delivery failures go: the bounce address, or the sender.
    Return the server's refusal, or "" if accepted.
    """
    options = ["SMTPUTF8", "BODY=8BITMIME"] if international else []
    with _explained(server):
        if options and not client.has_extn("smtputf8"):
            raise SendError(
                f"the mail server at {server} cannot take the address {to.addr_spec} "
                "(it does not offer SMTPUTF8)"
            )
        try:
            refused = client.sendmail(envelope, [to.addr_spec], data, options)
        except smtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients
    return _refusals(refused).get(to.addr_spec, "")


def is_international(message: EmailMessage, envelope: str, to: Address) -> bool:
    """Tell whether a message's addresses need SMTPUTF8: one whose mailbox is not ASCII."""
    sender = message["From"].addresses[0].addr_spec
    return not f"{envelope}{sender}{to.addr_spec}".isascii()


def _send(
    client: smtplib.SMTP, message: EmailMessage, sender: str, recipients: Sequence[str]
) -> dict[str, str]:
    """Send a message; return the recipients the server refused, with its reasons."""
    try:
        refused = client.send_message(message, sender, list(recipients))
    except smtplib.SMTPRecipientsRefused as exc:
        refused = exc.recipients
    return _refusals(refused)


def _refusals(refused: dict[str, tuple[int, bytes]]) -> dict[str, str]:
    """Return the recipients a server refused, each with its reply as one line."""
    return {address: _reply(code, text) for address, (code, text) in refused.items()}


def _open(server: SmtpServer) -> smtplib.SMTP:
    """Connect to the server, in TLS from the start for ``ssl``."""
    # Naming this machine in EHLO would mean looking its name up (nscd, DNS) and telling the
    # server what it is called: greet with the connection's own address instead.
    client: smtplib.SMTP
    if server.security is SmtpSecurity.SSL:
        context = ssl.create_default_context()
        client = smtplib.SMTP_SSL(
            server.host, server.port, local_hostname=_UNNAMED, timeout=TIMEOUT, context=context
        )
    else:
        client = smtplib.SMTP(server.host, server.port, local_hostname=_UNNAMED, timeout=TIMEOUT)
    client.local_hostname = _address_literal(client)
    return client


def _address_literal(client: smtplib.SMTP) -> str:
    """Return this end of the connection as an SMTP address literal ([192.0.2.1], [IPv6:...])."""
    address = str(client.sock.getsockname()[0]) if client.sock is not None else "127.0.0.1"
    return f"[IPv6:{address}]" if ":" in address else f"[{address}]"


def _secure_and_log_in(
    client: smtplib.SMTP, server: SmtpServer, credentials: Credentials | None
) -> None:
    """Start TLS where asked (refusing a server that does not offer it), then log in."""
    client.ehlo()
    if server.security is SmtpSecurity.STARTTLS:
        if not client.has_extn("starttls"):
            raise SendError(
                f"the mail server at {server} does not offer STARTTLS: choose ssl security "
                "for a server that speaks TLS from the start, or none for a relay on this machine"
            )
        client.starttls(context=ssl.create_default_context())
        client.ehlo()
    if credentials is not None:
        client.login(credentials.user, credentials.password)


@contextmanager
def _explained(server: SmtpServer) -> Iterator[None]:
    """Turn socket, TLS and SMTP failures into messages that say what to do."""
    try:
        yield
    except SendError:
        raise
    except ssl.SSLCertVerificationError as exc:
        raise SendError(
            f"the certificate of the mail server at {server} could not be verified "
            f"({exc.verify_message}); for a server with a private authority, set SSL_CERT_FILE "
            "to that authority's certificate"
        ) from exc
    except ssl.SSLError as exc:
        raise SendError(
            f"TLS with the mail server at {server} failed ({exc.reason or exc}): is "
            "the SMTP security right? ssl is usual on port 465, starttls on 587"
        ) from exc
    except smtplib.SMTPAuthenticationError as exc:
        raise SendError(
            f"the mail server at {server} refused the login in {USER_VARIABLE} and "
            f"{PASSWORD_VARIABLE}: {_reply(exc.smtp_code, exc.smtp_error)}"
        ) from exc
    except smtplib.SMTPSenderRefused as exc:
        hint = ""
        if exc.smtp_code == 530:
            hint = f" (set {USER_VARIABLE} and {PASSWORD_VARIABLE} if it needs a login)"
        raise SendError(
            f"the mail server at {server} refused the sender {exc.sender}: "
            f"{_reply(exc.smtp_code, exc.smtp_error)}{hint}"
        ) from exc
    except smtplib.SMTPResponseException as exc:
        raise SendError(
            f"the mail server at {server} refused the message: "
            f"{_reply(exc.smtp_code, exc.smtp_error)}"
        ) from exc
    except smtplib.SMTPServerDisconnected as exc:
        raise SendError(f"the mail server at {server} closed the connection ({exc})") from exc
    except smtplib.SMTPException as exc:
        raise SendError(f"the mail server at {server}: {exc}") from exc
    except socket.gaierror as exc:
        raise SendError(f"cannot find the mail server {server.host!r}: {exc.strerror}") from exc
    except TimeoutError as exc:
        raise SendError(f"the mail server at {server} did not answer in time") from exc
    except OSError as exc:
        raise SendError(
            f"cannot connect to the mail server at {server}: {exc.strerror or exc} "
            "(is it running? check the SMTP host and port, or [email] in briefkit.toml)"
        ) from exc


def _reply(code: int, text: bytes | str) -> str:
    """Return a server's reply as one line: ``550 5.1.1 No such user``."""
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(words.split())}"
