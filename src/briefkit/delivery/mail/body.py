"""A brief's two message bodies, HTML and plain text, from the view every output renders.

The HTML is made for mail clients: one column about 600 px wide, its CSS inlined into
``style`` attributes (Gmail and Outlook ignore or strip ``<style>``), no scripts and nothing
fetched from elsewhere; images travel with the message as related parts addressed by
``cid:``. The plain text renders the same section tokens, so both bodies say the same.
Names stay on one line and addresses break in their paths only (``wrapping.py``).
"""

from __future__ import annotations

import io
import mimetypes
import re
from dataclasses import dataclass, replace
from email.utils import make_msgid
from pathlib import Path

from markdown_it.token import Token
from PIL import Image

from briefkit.delivery.mail.text import TextContext, TextNote, section_text
from briefkit.delivery.mail.wrapping import break_addresses, name_kind, whole_name
from briefkit.model.brief import Brief
from briefkit.model.choices import EmailBody
from briefkit.model.edition import Edition
from briefkit.rendering.fetcher import Fetcher, media_type
from briefkit.rendering.fragments import source_names
from briefkit.rendering.markup.mail import MAIL_IMAGE_WIDTH, MailRenderer
from briefkit.rendering.theme import Theme
from briefkit.rendering.view import BriefView, Imprint, SectionView, build_view
from briefkit.version import __version__

STYLESHEET = "email.css"


@dataclass(frozen=True)
class InlineImage:
    """An image the HTML body shows, carried as a related part of the message."""

    cid: str
    data: bytes
    media_type: str
    filename: str


@dataclass(frozen=True)
class Elsewhere:
    """Where a reader finds the brief besides the message: its published copies, or the sender.

    links are the copies a body links to (``email --link``), each its format's name and
    address; published is where the PDF is published, if ``[publish] base_url`` is set.
    """

    links: tuple[tuple[str, str], ...] = ()
    published: str | None = None
    sender: str = ""


@dataclass
class MailSection:
    """A section in both bodies: the view's labelled HTML, and its plain text and notes."""

    view: SectionView
    text: str
    notes: list[TextNote]


@dataclass
class Bodies:
    """A message's HTML and plain-text bodies, the images the HTML addresses, and the view."""

    html: str
    text: str
    images: list[InlineImage]
    view: BriefView


class CidImages:
    """Address each image the HTML shows as a related part, read through the one fetcher."""

    def __init__(self, fetcher: Fetcher, domain: str) -> None:
        self.fetcher = fetcher
        self.domain = domain
        self.found: dict[Path, str] = {}

    def __call__(self, path: Path) -> str:
        """Return the cid: address of an image, the same one each time it is shown."""
        if path not in self.found:
            self.found[path] = make_msgid("image", self.domain)[1:-1]
        return f"cid:{self.found[path]}"

    def parts(self) -> list[InlineImage]:
        """Return the images addressed so far, each read (and checked) by the fetcher.

        Each part is named figure-1.png, figure-2.jpg...: a name of briefkit's making, as the
        name stands in a header and the file's own name is the source's text.
        """
        return [
            InlineImage(cid, self.fetcher.read(path), media_type(path), _part_name(number, path))
            for number, (path, cid) in enumerate(self.found.items(), start=1)
        ]


def _part_name(number: int, path: Path) -> str:
    """Return the file name of an image's part: figure-N and its type's usual extension."""
    extension = mimetypes.guess_extension(media_type(path)) or ""
    return f"figure-{number}{extension}"


def render_bodies(
    brief: Brief,
    theme: Theme,
    imprint: Imprint,
    edition: Edition,
    fetcher: Fetcher,
    *,
    body: EmailBody,
    attachments: list[str],
    domain: str,
    correction: bool = False,
    elsewhere: Elsewhere | None = None,
) -> Bodies:
    """Return the HTML and plain-text bodies of a brief's message.

    With correction, both start with the brief's latest correction, for readers who had the
    earlier version. elsewhere says where the full brief is: linked to, or for a summary.
    """
    shown = first_paragraphs(brief) if body is EmailBody.SUMMARY else brief
    images = CidImages(fetcher, domain)
    view = build_view(shown, MailRenderer, imprint, edition, fetcher, image_src=images)
    sections = _mail_sections(shown, view)
    summary_only = body is EmailBody.SUMMARY
    html, text = (
        theme.render(
            name,
            view.language,
            view=view,
            sections=sections,
            attachments=attachments,
            summary_only=summary_only,
            correction=correction,
            elsewhere=elsewhere or Elsewhere(),
            whole_name=whole_name,
            name_kind=name_kind,
            version=__version__,
        )
        for name in ("email/body.html", "email/body.txt")
    )
    html = inline_css(break_addresses(html), theme)
    parts = images.parts()
    return Bodies(_sized(html, parts), text, parts, view)


def inline_css(html: str, theme: Theme) -> str:
    """Move the theme's mail stylesheet into style attributes; nothing is fetched."""
    import css_inline

    css = theme.style(STYLESHEET).read_text(encoding="utf-8")
    inliner = css_inline.CSSInliner(
        inline_style_tags=True,
        keep_style_tags=False,
        keep_link_tags=False,
        load_remote_stylesheets=False,
        extra_css=css,
    )
    return inliner.inline(html)


def first_paragraphs(brief: Brief) -> Brief:
    """Return the brief with each section cut to its first paragraph (or first block)."""
    sections = [replace(s, tokens=first_block(s.tokens)) for s in brief.sections]
    return replace(brief, sections=sections)


def first_block(tokens: list[Token]) -> list[Token]:
    """Return the first top-level paragraph of a section, or its first block if it has none."""
    blocks: list[list[Token]] = []
    start = 0
    depth = 0
    for index, token in enumerate(tokens):
        depth += token.nesting
        if depth == 0:
            blocks.append(tokens[start : index + 1])
            start = index + 1
    paragraphs = [b for b in blocks if b[0].type == "paragraph_open"]
    return (paragraphs or blocks or [[]])[0]


def _mail_sections(brief: Brief, view: BriefView) -> list[MailSection]:
    """Give each section of the view its plain text, numbered as the HTML numbers them."""
    numbers = {source.key: source.number for source in view.sources}
    names = source_names(brief.meta.sources, view.language)
    context = TextContext(numbers, brief.footnotes, names)
    return [
        MailSection(shown, *section_text(shown.section.tokens, context)) for shown in view.sections
    ]


def _sized(html: str, images: list[InlineImage]) -> str:
    """Give each image the body has not sized (the logo) a width no wider than the column.

    Outlook for Windows ignores CSS sizes on images and goes by this attribute alone; the
    brief's own images have theirs from the body's renderer.
    """
    for image in images:
        with Image.open(io.BytesIO(image.data)) as picture:
            width = min(picture.width, MAIL_IMAGE_WIDTH)
        # The cid is ours and unique, so this names exactly the img elements of this image.
        unsized = re.compile(f'src="cid:{re.escape(image.cid)}"(?! width=)')
        html = unsized.sub(f'src="cid:{image.cid}" width="{width}"', html)
    return html
