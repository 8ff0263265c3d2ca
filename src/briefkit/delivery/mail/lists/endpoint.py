"""The one-click unsubscribe endpoint: a WSGI application an organisation hosts itself.

Each list message's ``List-Unsubscribe`` URL carries ``list``, ``address`` and ``token``
(the reader's HMAC, see tokens.py). ``POST`` with the body ``List-Unsubscribe=One-Click``
(RFC 8058: what a mail provider's unsubscribe button sends) records the address on the
suppression list and answers 200 at once, with no confirmation step. ``GET`` shows a page
with a button that posts and changes nothing by itself, as mail scanners open links too. A
missing or wrong token gets 403 and records nothing; other methods get 405.
"""

from __future__ import annotations

import email.parser
import email.policy
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode
from wsgiref.types import StartResponse, WSGIEnvironment

import jinja2

from briefkit.config import Workspace
from briefkit.delivery.mail.lists import suppression
from briefkit.delivery.mail.lists.tokens import SECRET_VARIABLE, secret_from, token_matches
from briefkit.errors import BriefkitError
from briefkit.model.address import header_problem
from briefkit.resources import builtin_templates

# The one-click body is 26 bytes; a multipart form of it, a few hundred.
MAX_BODY_BYTES = 4096
MAX_QUERY_CHARACTERS = 4096
MAX_LIST_ID_CHARACTERS = 255
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
_PARAMETERS = ("list", "address", "token")
_HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
    # The URL carries the reader's token: no other site may see it, frame the page or run code.
    ("Referrer-Policy", "no-referrer"),
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    ),
]
_STATUS = {
    200: "200 OK",
    400: "400 Bad Request",
    403: "403 Forbidden",
    405: "405 Method Not Allowed",
    413: "413 Content Too Large",
    500: "500 Internal Server Error",
}


@dataclass(frozen=True)
class Reader:
    """Who a request is for: a list, an address on it, and a token checked to be theirs."""

    list_id: str
    address: str
    token: str


class UnsubscribeApp:
    """The WSGI application: checks each request's token, then shows the page or records."""

    def __init__(self, suppressed: Path, secret: bytes, templates: jinja2.Environment) -> None:
        self.suppressed = suppressed
        self.secret = secret
        self.templates = templates

    def __call__(self, environ: WSGIEnvironment, start: StartResponse) -> Iterable[bytes]:
        """Answer one request."""
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        if method not in ("GET", "HEAD", "POST"):
            return self._answer(start, 405, "answer.html", {"answer": "method"})
        reader = self._reader(str(environ.get("QUERY_STRING", "")))
        if reader is None:
            return self._answer(start, 403, "answer.html", {"answer": "invalid"})
        if method != "POST":
            action = f"{_path(environ)}?{urlencode(_query(reader))}"
            return self._answer(start, 200, "confirm.html", _shown(reader, action=action))
        refusal = _one_click_refusal(environ)
        if refusal:
            return self._answer(start, 413 if refusal == "too large" else 400, "answer.html",
                                {"answer": refusal})  # fmt: skip
        return self._record(environ, start, reader)

    def _reader(self, query: str) -> Reader | None:
        """Return the reader a query names with their own token, or None."""
        if len(query) > MAX_QUERY_CHARACTERS:
            return None
        try:
            fields = parse_qs(query, max_num_fields=len(_PARAMETERS) + 2)
        except ValueError:
            return None
        values = [fields.get(name, []) for name in _PARAMETERS]
        if any(len(value) != 1 for value in values):
            return None
        reader = Reader(*(value[0] for value in values))
        return reader if self._valid(reader) else None

    def _valid(self, reader: Reader) -> bool:
        """Tell whether a reader's parts are well formed and the token is theirs."""
        list_id = reader.list_id
        if not 0 < len(list_id) <= MAX_LIST_ID_CHARACTERS or header_problem(list_id):
            return False
        if suppression.address_problem(reader.address) or not _TOKEN.fullmatch(reader.token):
            return False
        return token_matches(self.secret, list_id, reader.address, reader.token)

    def _record(
        self, environ: WSGIEnvironment, start: StartResponse, reader: Reader
    ) -> Iterable[bytes]:
        """Add the reader to the suppression list and say so; on failure, say to try again."""
        reason = f"unsubscribed (one-click, {reader.list_id})"
        try:
            suppression.add(self.suppressed, [reader.address], reason)
        except BriefkitError as exc:
            print(f"briefkit unsubscribe: {exc}", file=environ.get("wsgi.errors", sys.stderr))
            return self._answer(start, 500, "answer.html", {"answer": "error"})
        return self._answer(start, 200, "answer.html", _shown(reader, answer="done"))

    def _answer(
        self, start: StartResponse, status: int, template: str, context: Mapping[str, str]
    ) -> list[bytes]:
        """Start the response and return its page."""
        page = self.templates.get_template(f"unsubscribe/{template}").render(**context)
        data = page.encode("utf-8")
        headers = [*_HEADERS, ("Content-Length", str(len(data)))]
        if status == 405:
            headers.append(("Allow", "GET, HEAD, POST"))
        start(_STATUS[status], headers)
        return [data]


def _shown(reader: Reader, **more: str) -> dict[str, str]:
    """Return what a page shows of a reader."""
    return {"list_id": reader.list_id, "address": reader.address, **more}


def _query(reader: Reader) -> dict[str, str]:
    """Return the query that names a reader."""
    return {"list": reader.list_id, "address": reader.address, "token": reader.token}


def _path(environ: WSGIEnvironment) -> str:
    """Return the path the request came to, for the page's form to post back to."""
    return quote(f"{environ.get('SCRIPT_NAME', '')}{environ.get('PATH_INFO', '')}" or "/")


def _one_click_refusal(environ: WSGIEnvironment) -> str | None:
    """Return why a POST is not a one-click unsubscribe ("bad request", "too large"), or None."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return "bad request"
    if length > MAX_BODY_BYTES:
        return "too large"
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    kind = str(environ.get("CONTENT_TYPE", ""))
    return None if _asks_one_click(body, kind) else "bad request"


def _asks_one_click(body: bytes, kind: str) -> bool:
    """Tell whether a form's body says List-Unsubscribe=One-Click, urlencoded or multipart."""
    if kind.lower().startswith("multipart/form-data"):
        return _multipart_one_click(body, kind)
    try:
        fields = parse_qs(body.decode("ascii"), max_num_fields=8)
    except (UnicodeDecodeError, ValueError):
        return False
    return fields.get("List-Unsubscribe") == ["One-Click"]


def _multipart_one_click(body: bytes, kind: str) -> bool:
    """Tell whether a multipart form holds the field List-Unsubscribe with One-Click."""
    if header_problem(kind):
        return False
    parser = email.parser.BytesParser(policy=email.policy.compat32)
    form = parser.parsebytes(f"Content-Type: {kind}\r\n\r\n".encode("ascii", "replace") + body)
    parts = form.get_payload()
    if not isinstance(parts, list):
        return False
    return any(_one_click_field(part) for part in parts[:8])


def _one_click_field(part: object) -> bool:
    """Tell whether one part of a form is the field List-Unsubscribe with One-Click."""
    return (
        isinstance(part, Message)
        and part.get_param("name", header="content-disposition") == "List-Unsubscribe"
        and str(part.get_payload()).strip() == "One-Click"
    )


def unsubscribe_app(space: Workspace, environ: Mapping[str, str] | None = None) -> UnsubscribeApp:
    """Return the endpoint for a workspace, refusing to start without the secret."""
    secret = secret_from(environ)
    if secret is None:
        raise BriefkitError(
            f"{SECRET_VARIABLE} is not set: the unsubscribe endpoint checks each reader's "
            "token with the secret the list was sent with; set it to that secret, then start "
            "the endpoint again"
        )
    path = suppression.suppression_path(space)
    templates = _templates(space)
    for name in ("confirm.html", "answer.html"):
        templates.get_template(f"unsubscribe/{name}")  # a missing template stops it starting
    return UnsubscribeApp(path, secret, templates)


def _templates(space: Workspace) -> jinja2.Environment:
    """Return the pages' templates: the workspace's own first, then briefkit's."""
    loader = jinja2.FileSystemLoader([space.templates, builtin_templates()])
    return jinja2.Environment(
        loader=loader, autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True
    )
