"""Each reader's unsubscribe token: an HMAC of the list and the address.

No one can unsubscribe someone else, and no table of tokens is kept anywhere. The secret
comes from the environment (``BRIEFKIT_UNSUBSCRIBE_SECRET``), never from a file briefkit
writes; whoever has it can make any reader's token, so it is kept as a password is.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Mapping

from briefkit.errors import BriefkitError
from briefkit.model.address import address_key

SECRET_VARIABLE = "BRIEFKIT_UNSUBSCRIBE_SECRET"
# A secret shorter than this is guessable; 32 random bytes in base64 are 43 characters.
MIN_SECRET_CHARACTERS = 16
# 128 bits of the HMAC: far beyond guessing, short enough for a URL and a subject line.
TOKEN_BYTES = 16


def secret_from(environ: Mapping[str, str] | None = None) -> bytes | None:
    """Return the unsubscribe secret from the environment, or None when it is not set.

    A secret set but too short is refused, saying how to make a good one.
    """
    value = (os.environ if environ is None else environ).get(SECRET_VARIABLE, "")
    if not value:
        return None
    if len(value) < MIN_SECRET_CHARACTERS:
        raise BriefkitError(
            f"{SECRET_VARIABLE} is too short to keep tokens unguessable: use at least "
            f"{MIN_SECRET_CHARACTERS} random characters, for example the output of "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    return value.encode("utf-8")


def reader_token(secret: bytes, list_id: str, address: str) -> str:
    """Return a reader's token for one list: URL-safe, 22 characters."""
    message = f"{list_id}\0{address_key(address)}".encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()[:TOKEN_BYTES]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def token_matches(secret: bytes, list_id: str, address: str, token: str) -> bool:
    """Tell whether token is this reader's for this list, in time that does not leak which part."""
    return hmac.compare_digest(reader_token(secret, list_id, address), token)
