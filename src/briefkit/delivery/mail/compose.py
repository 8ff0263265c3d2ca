"""Compose a brief's message from the pipeline every output uses: view, theme, renderer, fetcher."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path, PurePosixPath

from briefkit.config import Workspace
from briefkit.delivery.mail.body import CidImages, render_bodies
from briefkit.delivery.mail.message import (
    Attached,
    Headers,
    brief_message,
    check_size,
    kindle_message,
    plain_filename,
)
from briefkit.delivery.mail.send_log import Correcting, correction_key
from briefkit.errors import BriefkitError
from briefkit.model.address import safe_header
from briefkit.model.brief import Brief, Correction
from briefkit.model.choices import Attachment, EmailBody, Format
from briefkit.model.edition import Edition
from briefkit.rendering.citing import published_address
from briefkit.rendering.fetcher import Fetcher
from briefkit.rendering.fragments import Flavour
from briefkit.rendering.render import (
    Renderer,
    RenderOptions,
    imprint_for,
    render_limited,
    renderer_for,
)
from briefkit.rendering.theme import Theme
from briefkit.rendering.view import BriefView, Imprint, build_view
from briefkit.sources.discover import find_sources
from briefkit.system.clock import build_time

FACTS_ONLY_SUFFIX = "-facts-only"
EML_SUFFIX = ".eml"
MEDIA_TYPES = {Attachment.PDF: "application/pdf", Attachment.EPUB: "application/epub+zip"}
_log = logging.getLogger("briefkit")


@dataclass(frozen=True)
class MailOptions:
    """What a message holds besides the brief: its people, attachments and body."""

    sender: Address
    to: tuple[Address, ...]
    cc: tuple[Address, ...] = ()
    attach: tuple[Attachment, ...] = ()
    body: EmailBody = EmailBody.FULL
    render: RenderOptions = field(default_factory=RenderOptions)
    # A correction: "Correction: " before the subject, the latest correction atop each body.
    correction: bool = False


class _Composer:
    """One brief's message in one workspace: its theme, renderer, edition and fetcher."""

    def __init__(self, brief: Brief, space: Workspace, render: RenderOptions) -> None:
        self.brief = brief
        self.space = space
        self.render = render
        self.theme = Theme.for_workspace(space)
        self.renderer: Renderer = renderer_for(self.theme)
        logo = space.logo()
        published = published_address(
            space.config.publish.base_url, output_stem(space, brief.path, render.facts_only, ".pdf")
        )
        self.edition: Imprint = imprint_for(space.config, build_time(), logo, published)
        self.fetcher: Fetcher = self.renderer.fetcher(brief, self.edition)
        self.shown = Edition(render.facts_only)

    def attachment(self, kind: Attachment) -> Attached:
        """Render one attachment as ``briefkit build`` renders it, within the time limit."""
        limit = self.space.config.build.time_limit
        fmt = Format(kind.value)
        rendered = render_limited(self.theme, self.brief, fmt, self.edition, self.render, limit)
        for warning in rendered.warnings:
            _log.warning("%s: %s", self.brief.path, warning)
        suffix = FACTS_ONLY_SUFFIX if self.render.facts_only else ""
        name = plain_filename(f"{self.brief.path.stem}{suffix}", kind.value)
        return Attached(name, rendered.data, MEDIA_TYPES[kind])

    def headers(
        self,
        view: BriefView,
        sender: Address,
        to: tuple[Address, ...],
        cc: tuple[Address, ...] = (),
        correction: bool = False,
    ) -> Headers:
        """Return the headers of the brief's message; text unfit for a header is refused."""
        subject = self.subject(view)
        if correction:
            subject = view.language.gettext("Correction: {subject}").format(subject=subject)
        return Headers(subject, sender, to, cc, view.meta.language)

    def subject(self, view: BriefView) -> str:
        """Return the subject the brief goes out under; text unfit for a header is refused."""
        meta = view.meta
        for what, value in (
            ("title", meta.title),
            ("series", meta.series),
            ("number", meta.number),
        ):
            safe_header(value or "", f"the brief's {what}")
        return self.theme.render("email/subject.txt", view.language, view=view).strip()

    def text_view(self, domain: str) -> BriefView:
        """Return the view of the brief that a text-only message's templates need."""
        images = CidImages(self.fetcher, domain)
        return build_view(
            self.brief, Flavour.EMAIL, self.edition, self.shown, self.fetcher, image_src=images
        )


def compose(brief: Brief, space: Workspace, options: MailOptions) -> EmailMessage:
    """Return the message of a brief: both bodies, then the attachments asked for."""
    if options.correction:
        latest_correction(brief)  # refused before anything is rendered
    composer = _Composer(brief, space, options.render)
    attachments = [composer.attachment(kind) for kind in options.attach]
    check_size(attachments, space.config.email.max_attachments_mb)
    bodies = render_bodies(
        brief,
        composer.theme,
        composer.edition,
        composer.shown,
        composer.fetcher,
        body=options.body,
        attachments=[a.filename for a in attachments],
        domain=options.sender.domain,
        correction=options.correction,
    )
    headers = composer.headers(
        bodies.view, options.sender, options.to, options.cc, options.correction
    )
    return brief_message(headers, bodies, attachments)


def correcting(brief: Brief, space: Workspace, facts_only: bool) -> Correcting:
    """Return what a correction's send log needs: the earlier version's subject, which one."""
    latest = latest_correction(brief)
    composer = _Composer(brief, space, RenderOptions(facts_only=facts_only))
    subject = composer.subject(composer.text_view("localhost"))
    return Correcting(subject, correction_key(latest.date, latest.text))


def latest_correction(brief: Brief) -> Correction:
    """Return the brief's latest correction, or refuse a correction of a brief that has none."""
    latest = brief.meta.latest_correction
    if latest is None:
        raise BriefkitError(
            f"{brief.path}: the brief has no corrections to send: list one under "
            "'corrections:' in its front matter (its date and text); nothing was sent"
        )
    return latest


def compose_kindle(
    brief: Brief, space: Workspace, sender: Address, to: Address, render: RenderOptions
) -> EmailMessage:
    """Return a Send-to-Kindle message: the EPUB under a plain name and a short body."""
    composer = _Composer(brief, space, render)
    epub = composer.attachment(Attachment.EPUB)
    check_size([epub], space.config.email.max_attachments_mb)
    view = composer.text_view(sender.domain)
    text = composer.theme.render("email/kindle.txt", view.language, view=view)
    return kindle_message(composer.headers(view, sender, (to,)), text, epub)


def eml_path(space: Workspace, source: Path, facts_only: bool) -> Path:
    """Return where a brief's message is written: in the output folder, as build places files."""
    out = space.root / space.config.build.out
    return out / output_stem(space, source, facts_only, EML_SUFFIX)


def output_stem(space: Workspace, source: Path, facts_only: bool, suffix: str) -> PurePosixPath:
    """Return a brief's file of a kind inside the output folder, as build names its outputs."""
    (found,) = find_sources([source], space.briefings)
    stem = PurePosixPath(found.relative.with_suffix("").as_posix())
    edition = FACTS_ONLY_SUFFIX if facts_only else ""
    return stem.parent / f"{stem.name}{edition}{suffix}"
