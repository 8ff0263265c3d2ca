"""What every message to a list carries: List-* headers, Reply-To and the unsubscribe line.

Each reader's message names the list (``List-Id``), says it is bulk mail (``Precedence``) and
how to leave the list: ``List-Unsubscribe`` with a ``mailto:`` whose subject holds the list and
the reader's token, and the one-click ``https:`` address (RFC 8058) when one is configured.
``Auto-Submitted`` is left out: RFC 3834 keeps it for messages a program sends on its own
(replies, notices), and a brief a person chose to send to readers who subscribed is not one.

The bodies are rendered once, before the message is readdressed; the visible line is rendered
once a send from the theme's partials with a placeholder for the link, and each reader's copy
gets the line with their own link: in place of the marker the HTML body's partial leaves, and
at the end of the plain text (where its partial stands). No source text is ever searched or
replaced: the line is spliced at the marker's one known place.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from pathlib import Path
from typing import cast
from urllib.parse import quote, urlencode

from briefkit.config import Workspace
from briefkit.delivery.mail.dkim import Signer, signer_from
from briefkit.delivery.mail.lists.tokens import SECRET_VARIABLE, reader_token, secret_from
from briefkit.errors import BriefkitError
from briefkit.model.address import parse_address, safe_header
from briefkit.model.brief import Brief
from briefkit.model.edition import Edition
from briefkit.rendering.theme import Theme
from briefkit.sources.loader import LoadedBrief
from briefkit.sources.markup.slugs import slug
from briefkit.text.languages import Language, language_for

# What the HTML body's partial leaves where a list's line goes (escaped source text never
# holds "<!--", so only the partial can have put it there).
MARKER = "<!--briefkit:unsubscribe-->"
# What the line is rendered with in place of a reader's link: ASCII, the same escaped or not.
_PLACEHOLDER = "https://briefkit.invalid/unsubscribe-link"
_LIST_ID = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+")
ONE_CLICK = "List-Unsubscribe=One-Click"
# The longest list name List-Id shows (RFC 5322 lines stop at 998 characters; series are short).
MAX_PHRASE = 200
_PARTIALS = ("email/partials/unsubscribe.html", "email/partials/unsubscribe.txt")
_SET_PER_READER = ("List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "Precedence")


@dataclass(frozen=True)
class ListMail:
    """What a send to a list needs besides the message: its name, addresses, secret and key."""

    list_id: str
    name: str
    mailto: Address
    unsubscribe_url: str | None
    reply_to: Address | None
    bounce: Address | None
    signer: Signer | None
    brief: str
    rate: float
    theme: Theme
    language: Language
    secret: bytes = field(repr=False)


def list_mail(
    space: Workspace,
    brief: Brief,
    sender: Address,
    edition: Edition,
    environ: Mapping[str, str] | None = None,
) -> ListMail:
    """Return what sending a brief to a list needs; refuse at once what would stop the send."""
    refuse_draft(brief)
    settings = space.config.email
    secret = secret_from(environ)
    if secret is None:
        raise BriefkitError(
            f"{SECRET_VARIABLE} is not set: each list message carries its reader's unsubscribe "
            "token, made with this secret; make one with python3 -c 'import secrets; "
            f"print(secrets.token_urlsafe(32))', keep it as a password, and set {SECRET_VARIABLE} "
            "to it for every send to the list; nothing was sent"
        )
    name = list_name(space, brief, sender)
    return ListMail(
        list_id=list_id(settings.list_id, name, sender),
        name=name,
        mailto=sender,
        unsubscribe_url=settings.unsubscribe_url,
        reply_to=_address(settings.reply_to, "reply_to"),
        bounce=_address(settings.bounce_address, "bounce_address"),
        signer=signer_from(settings.dkim_selector, settings.dkim_domain or sender.domain, environ),
        brief=brief_key(space, brief.path, edition),
        rate=settings.rate,
        theme=Theme.for_workspace(space),
        language=language_for(brief.meta.language),
        secret=secret,
    )


def refuse_draft(brief: Brief) -> None:
    """Refuse to send a draft to a list: it may go to a reviewer (--to), never to readers."""
    if brief.meta.draft:
        raise BriefkitError(
            f"{brief.path} is a draft (draft: true in its front matter): drafts go to no "
            "list; send it to a reviewer with --to, or set draft: false to send it to the "
            "list; nothing was sent"
        )


def list_mail_for(
    space: Workspace, brief: LoadedBrief | Brief, message: EmailMessage, facts_only: bool
) -> ListMail:
    """Return what sending a brief's message to a list needs, for the Python API."""
    content = brief.raise_for_errors() if isinstance(brief, LoadedBrief) else brief
    sender = cast(Address, message["From"].addresses[0])
    return list_mail(space, content, sender, Edition(facts_only))


def list_name(space: Workspace, brief: Brief, sender: Address) -> str:
    """Return the list's name for readers: the brief's series, else its organisation's name."""
    meta = brief.meta
    name = meta.series or meta.organisation or space.config.organisation.name or sender.domain
    return safe_header(str(name), "the list's name (the brief's series or organisation)")


def list_id(configured: str | None, name: str, sender: Address) -> str:
    """Return the List-Id: as configured, else the list's name slugged at the sender's domain."""
    found = configured or f"{slug(name) or 'briefs'}.{sender.domain}"
    if not _LIST_ID.fullmatch(found) or len(found) > 255:
        raise BriefkitError(
            f"list_id {found!r} in [email] of briefkit.toml is not a List-Id such as "
            "weekly-briefing.example.org (letters, digits, dashes, dots); nothing was sent"
        )
    return found


def brief_key(space: Workspace, source: Path, edition: Edition) -> str:
    """Return how the send log names a brief's message: its source in the workspace, edition."""
    try:
        where = source.resolve().relative_to(space.root.resolve()).as_posix()
    except ValueError:
        where = source.resolve().as_posix()
    return f"{where}#{edition.name}"


def _address(value: str | None, setting: str) -> Address | None:
    """Return an address from [email], or None for a setting left out."""
    return parse_address(value, f"{setting} in [email]") if value else None


def unsubscribe_links(mail: ListMail, address: Address) -> tuple[str, str | None]:
    """Return a reader's mailto: link and their one-click https: link (None without one)."""
    token = reader_token(mail.secret, mail.list_id, address.addr_spec)
    subject = quote(f"unsubscribe {mail.list_id} {token}", safe="")
    mailto = f"mailto:{quote(mail.mailto.addr_spec, safe='@')}?subject={subject}"
    if mail.unsubscribe_url is None:
        return mailto, None
    query = urlencode({"list": mail.list_id, "address": address.addr_spec, "token": token})
    joiner = "&" if "?" in mail.unsubscribe_url else "?"
    return mailto, f"{mail.unsubscribe_url}{joiner}{query}"


def set_list_headers(message: EmailMessage, mail: ListMail, mailto: str, https: str | None) -> None:
    """Give a reader's message the list's headers, with that reader's links."""
    for name in (*_SET_PER_READER, "Reply-To"):
        del message[name]
    # Set raw and folded here, so no URL is ever cut into encoded words (see message.wire).
    message.set_raw("List-Id", f"{_phrase(mail.name)}<{mail.list_id}>")
    links = [f"<{mailto}>"] + ([f"<{https}>"] if https else [])
    message.set_raw("List-Unsubscribe", ",\r\n ".join(links))
    if https:
        message.set_raw("List-Unsubscribe-Post", ONE_CLICK)
    message["Precedence"] = "bulk"
    if mail.reply_to is not None:
        message["Reply-To"] = mail.reply_to


def _phrase(name: str) -> str:
    """Return the list's name as a header phrase and a space: quoted, or encoded words.

    A name too long for one line of a header is left out: the List-Id alone names the list.
    """
    if len(name) > MAX_PHRASE:
        return ""
    if name.isascii():
        return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '" '
    return Header(name, "utf-8").encode(linesep="\r\n") + " "


class ReaderLine:
    """The visible line of a send, rendered once, and each reader's bodies with it."""

    def __init__(self, message: EmailMessage, mail: ListMail) -> None:
        line_html, line_text = (
            mail.theme.render(name, mail.language, unsubscribe=_Shown(mail.name, _PLACEHOLDER))
            for name in _PARTIALS
        )
        self.html_part = cast(EmailMessage | None, message.get_body(("html",)))
        self.text_part = cast(EmailMessage | None, message.get_body(("plain",)))
        self.html = _split_html(self.html_part, _inlined(line_html, mail.theme))
        self.text = _text_of(self.text_part)
        self.text_line = "\n" + line_text.strip("\n") + "\n"

    def put(self, link: str) -> None:
        """Set the message's bodies to carry the line with one reader's link."""
        if self.text_part is not None:
            _set(self.text_part, self.text + self.text_line.replace(_PLACEHOLDER, link), "plain")
        if self.html_part is not None and self.html is not None:
            before, line, after = self.html
            shown = line.replace(_PLACEHOLDER, html.escape(link, quote=True))
            _set(self.html_part, before + shown + after, "html")


@dataclass(frozen=True)
class _Shown:
    """What the unsubscribe partials show: the list's name and the link to leave it."""

    name: str
    link: str


def _set(part: EmailMessage, text: str, subtype: str) -> None:
    """Set a body part's text; as MIMEPart does, so no part gains a MIME-Version of its own."""
    MIMEPart.set_content(part, text, subtype=subtype)


def _text_of(part: EmailMessage | None) -> str:
    """Return a text part's content, or nothing when there is none."""
    return "" if part is None else str(part.get_content())


def _split_html(part: EmailMessage | None, line: str) -> tuple[str, str, str] | None:
    """Return the HTML body before the marker, the line, and after; at </body> with no marker."""
    if part is None:
        return None
    body = str(part.get_content())
    before, found, after = body.rpartition(MARKER)
    if not found:  # a workspace's own body.html without the partial: the line still shows
        before, found, after = body.rpartition("</body>")
        after = found + after
    return before, line, after


def _inlined(line: str, theme: Theme) -> str:
    """Move the mail stylesheet into the line's style attributes, as the body's are."""
    import css_inline

    from briefkit.delivery.mail.body import STYLESHEET

    css = theme.style(STYLESHEET).read_text(encoding="utf-8")
    return str(css_inline.inline_fragment(line, css, load_remote_stylesheets=False))
