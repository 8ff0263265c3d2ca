"""Sign messages with DKIM (RFC 6376): the key from a file the environment names.

``[email] dkim_selector`` turns signing on; ``BRIEFKIT_DKIM_KEY`` names the PEM private key,
read as a regular file only (never through a link) and up to a limit, before anything is sent.
The signature covers the exact bytes sent, relaxed/relaxed, and names in ``h=`` the headers
mail providers look at, those of them the message has.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import dkim  # type: ignore[import-untyped]

from briefkit.errors import BriefkitError
from briefkit.files import FileRefused, read_regular

KEY_VARIABLE = "BRIEFKIT_DKIM_KEY"
# A 4096-bit RSA key in PEM is about 3.3 kB; anything this large is not a key.
MAX_KEY_BYTES = 64 * 1024
SIGNED = (
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "List-Id",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
)
_LABELS = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
)


@dataclass(frozen=True)
class Signer:
    """A DKIM selector, signing domain and private key; its repr never shows the key."""

    selector: str
    domain: str
    key: bytes = field(repr=False)

    def sign(self, message: EmailMessage, data: bytes) -> bytes:
        """Return data, a message's bytes as sent, with its DKIM-Signature header first."""
        present = [name.lower().encode() for name in SIGNED if name in message]
        signature = dkim.sign(
            data,
            self.selector.encode(),
            self.domain.encode(),
            self.key,
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=present,
            linesep=b"\r\n",
        )
        return bytes(signature) + data


def signer_from(
    selector: str | None, domain: str, environ: Mapping[str, str] | None = None
) -> Signer | None:
    """Return the signer [email] and the environment ask for, None for none; refuse a bad key."""
    if not selector:
        return None
    for what, value in (("dkim_selector", selector), ("dkim_domain", domain)):
        if not _LABELS.fullmatch(value):
            raise BriefkitError(
                f"{what} {value!r} in [email] of briefkit.toml is not a DNS name "
                "(letters, digits, dashes, dots); nothing was sent"
            )
    env = os.environ if environ is None else environ
    named = env.get(KEY_VARIABLE, "")
    if not named:
        raise BriefkitError(
            f"dkim_selector is set in [email] of briefkit.toml but {KEY_VARIABLE} is not: set it "
            "to the file of the PEM private key whose public half is published at "
            f"{selector}._domainkey.{domain}; nothing was sent"
        )
    return Signer(selector, domain, _read_key(Path(named)))


def _read_key(path: Path) -> bytes:
    """Return a PEM private key's bytes, refusing a file that is not one."""
    try:
        data = read_regular(path, MAX_KEY_BYTES)
    except FileRefused as exc:
        raise BriefkitError(
            f"{path}: the DKIM key ({KEY_VARIABLE}) {exc.reason}; nothing was sent"
        ) from exc
    except OSError as exc:
        raise BriefkitError(
            f"{path}: cannot read the DKIM key ({KEY_VARIABLE}): {exc.strerror or exc}; "
            "nothing was sent"
        ) from exc
    try:
        dkim.crypto.parse_pem_private_key(data)
    except Exception as exc:  # dkimpy raises several kinds for a file that is not a key
        raise BriefkitError(
            f"{path}: the DKIM key ({KEY_VARIABLE}) is not a PEM RSA private key; make one "
            "with openssl genrsa -out dkim.pem 2048; nothing was sent"
        ) from exc
    return data
