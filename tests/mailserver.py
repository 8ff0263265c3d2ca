"""A real mail server for the tests: aiosmtpd on 127.0.0.1, with TLS from trustme and AUTH.

Loaded as a pytest plugin by conftest.py, so its fixtures serve every email test.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any, cast

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

REFUSAL = "550 5.1.1 No such mailbox here"


@dataclass
class Received:
    """One message the server accepted: its envelope and its bytes."""

    sender: str
    recipients: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        """Return the message as a mail client parses it."""
        return email.message_from_bytes(self.data, policy=email.policy.default)


def body(message: EmailMessage, kind: str) -> str:
    """Return a message's plain or html body as text, with the line ends a reader sees."""
    part = message.get_body((kind,))
    assert part is not None, f"no {kind} body"
    return str(part.get_content()).replace("\r\n", "\n")


@dataclass
class Inbox:
    """What the server received, and how it behaves: recipients it refuses, a slow RCPT."""

    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    rcpt_delay: float = 0.0
    logins: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        # A slow server answers RCPT late: a client killed meanwhile has sent no message.
        if self.rcpt_delay:
            await asyncio.sleep(self.rcpt_delay)
        if address in self.refuse:
            return REFUSAL
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        with self.lock:
            self.received.append(
                Received(
                    str(envelope.mail_from),
                    list(envelope.rcpt_tos),
                    bytes(cast(bytes, envelope.original_content or envelope.content)),
                )
            )
        return "250 2.0.0 Accepted"

    def to(self, address: str) -> list[Received]:
        """Return the messages whose envelope went to address."""
        with self.lock:
            return [r for r in self.received if address in r.recipients]


@dataclass
class Authority:
    """A test certificate authority, the server certificate it issued, and the CA file."""

    ca: trustme.CA
    server: trustme.LeafCert
    ca_file: Path

    def server_context(self) -> ssl.SSLContext:
        """Return the TLS context the server presents its certificate with."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.server.configure_cert(context)
        return context


def authority(folder: Path) -> Authority:
    """Make a CA and a certificate for 127.0.0.1 and localhost; write the CA for SSL_CERT_FILE."""
    ca = trustme.CA()
    leaf = ca.issue_cert("127.0.0.1", "localhost")
    ca_file = folder / "test-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return Authority(ca, leaf, ca_file)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class MailServer:
    """aiosmtpd on 127.0.0.1: plain, STARTTLS or implicit TLS, with or without a login."""

    def __init__(
        self,
        inbox: Inbox,
        *,
        security: str = "none",
        tls: Authority | None = None,
        login: tuple[str, str] | None = None,
    ) -> None:
        self.inbox = inbox
        self.port = free_port()
        self.security = security
        self.login = login
        kwargs: dict[str, Any] = {}
        if login is not None:
            kwargs.update(authenticator=self._authenticate, auth_required=True)
        if security == "starttls" and tls is not None:
            kwargs.update(tls_context=tls.server_context(), require_starttls=True)
        if security == "ssl" and tls is not None:
            # aiosmtpd counts only STARTTLS as TLS when it decides to offer AUTH; this
            # connection is TLS from its first byte.
            kwargs.update(ssl_context=tls.server_context(), auth_require_tls=False)
        self.controller = Controller(inbox, hostname="127.0.0.1", port=self.port, **kwargs)

    def _authenticate(
        self, server: Any, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        """Accept only the test login."""
        if not isinstance(data, LoginPassword) or self.login is None:
            return AuthResult(success=False, handled=False)
        user, password = data.login.decode(), data.password.decode()
        ok = (user, password) == self.login
        if ok:
            self.inbox.logins.append(user)
        return AuthResult(success=ok, handled=False)

    def __enter__(self) -> MailServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    def toml(self, sender: str = "Policy Desk <desk@example.org>") -> str:
        """Return an [email] table pointing briefkit at this server."""
        return (
            f'[email]\nfrom = "{sender}"\nsmtp_host = "127.0.0.1"\n'
            f'smtp_port = {self.port}\nsmtp_security = "{self.security}"\n'
        )


def configure(workspace: Path, server: MailServer, extra: str = "") -> None:
    """Add the server's [email] table to a workspace's briefkit.toml."""
    config = workspace / "briefkit.toml"
    config.write_text(config.read_text() + "\n" + server.toml() + extra)


@pytest.fixture
def inbox() -> Inbox:
    """Return an empty inbox for a test's server."""
    return Inbox()


@pytest.fixture
def plain_server(inbox: Inbox, samples_workspace: Path) -> Iterator[MailServer]:
    """Run a server without TLS or login, and point the sample workspace at it."""
    with MailServer(inbox) as server:
        configure(samples_workspace, server)
        yield server


@pytest.fixture
def tls(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    """Return a test certificate authority and the server certificate it issued."""
    return authority(tmp_path_factory.mktemp("ca"))
