"""Where the HTML body's lines may break: names kept whole, addresses split in their paths only.

A browser, and so a mail client, breaks a Japanese or Chinese name between any two of its
characters, and an address at a hyphen of its host name. Names go in spans that the mail
stylesheet keeps on one line; an address shown as a link's text gets break opportunities
(``<wbr>``) after the characters that end its path's parts, and its host a span that never
breaks. The link's ``href`` is left as it was.
"""

from __future__ import annotations

import html
import re

from markupsafe import Markup

# The longest name kept whole: 20 CJK characters are 260 px in the byline's 13 px type, which
# fits a phone's line; a longer name breaks only where it must (styles/email.css).
WHOLE_NAME = 20
# The longest host name kept whole: 32 characters fit a phone's line in the body's 16 px type.
# A longer one could not, so it may break where the browser would rather than widen the page.
WHOLE_HOST = 32
# A link whose text is nothing but text (an address, or words), as the renderers write it.
_LINK = re.compile(r"(<a\b[^>]*>)([^<]+)(</a>)")
_ADDRESS = re.compile(r"(https?://)([^/?#\s]+)([/?#]\S*)?", re.IGNORECASE)
# After these an address's path may break: the ends of its parts, and what joins a query.
_BREAK_AFTER = re.compile(r"(?<=[/.\-_?&=#~+,;:])")
_WBR = Markup("<wbr>")
_SPAN = Markup('<span class="{}">{}</span>')


def whole_name(name: str) -> Markup:
    """Return a name, escaped, in a span the stylesheet keeps on one line if it is short."""
    return _SPAN.format(name_kind(name), name)


def name_kind(name: str) -> str:
    """Return the class that keeps a name whole: on one line if short, else where it can."""
    return "name" if len(name) <= WHOLE_NAME else "name-long"


def break_addresses(page: str) -> str:
    """Let each address shown as a link's text break in its path, never in its host."""
    return _LINK.sub(_broken_link, page)


def _broken_link(found: re.Match[str]) -> str:
    """Return a link with its address text split where lines may break, or as it was."""
    address = _ADDRESS.fullmatch(html.unescape(found[2]))
    if address is None:
        return found[0]
    scheme, host, path = address.groups()
    return f"{found[1]}{shown_address(scheme, host, path or '')}{found[3]}"


def shown_address(scheme: str, host: str, path: str) -> Markup:
    """Return an address as text that breaks after its scheme and in its path, not its host."""
    kind = "url-host" if len(host) <= WHOLE_HOST else "url-host-long"
    pieces = [piece for piece in _BREAK_AFTER.split(path) if piece]
    tail = _WBR.join(Markup.escape(piece) for piece in pieces)
    shown = Markup("{}{}{}{}").format(scheme, _WBR, _SPAN.format(kind, host), tail)
    return _SPAN.format("url", shown)
