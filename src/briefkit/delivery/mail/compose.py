"""Compose a brief's message from the pipeline every output uses: view, theme, renderer, fetcher."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path

from briefkit.building.jobs import rendering_apart
from briefkit.building.plan import Plan, PlannedOutput, Request, editions, plan_brief
from briefkit.config import CONFIG_NAME, Workspace
from briefkit.delivery.mail.body import CidImages, Elsewhere, render_bodies
from briefkit.delivery.mail.lists.log import Correcting, correction_key
from briefkit.delivery.mail.message import (
    Attached,
    Headers,
    brief_message,
    check_size,
    kindle_message,
    plain_filename,
)
from briefkit.errors import BriefkitError, ParameterError
from briefkit.model.address import AddressError, parse_address, safe_header
from briefkit.model.brief import Brief, Correction
from briefkit.model.choices import EmailBody
from briefkit.paths import shown
from briefkit.rendering.fetcher import Fetcher
from briefkit.rendering.formats import Rendered, get_format, registry
from briefkit.rendering.markup.mail import MailRenderer
from briefkit.rendering.render import Renderer
from briefkit.rendering.view import BriefView, Imprint, build_view

EML_SUFFIX = ".eml"
# The format Send to Kindle takes.
KINDLE_FORMAT = "epub"
# The copies a body links to, in this order, of those briefkit publish serves.
LINKED_FORMATS = ("html", "pdf", "epub")
_log = logging.getLogger("briefkit")


@dataclass(frozen=True)
class MailOptions:
    """What a message holds besides the brief and its attachments: its people and body."""

    sender: Address
    to: tuple[Address, ...]
    cc: tuple[Address, ...] = ()
    body: EmailBody = EmailBody.FULL
    # A correction: "Correction: " before the subject, the latest correction atop each body.
    correction: bool = False
    # Link to the published copies ([publish] base_url) instead of attaching files.
    link: bool = False


def mail_plan(
    space: Workspace, brief: Brief, attach: Iterable[str], facts_only: bool = False
) -> Plan:
    """Return the plan of a brief's message: its edition and attachments, as build names them.

    Only formats a message may carry are attached: any attachable one in the registry.
    """
    names = tuple(dict.fromkeys(str(name) for name in attach))
    allowed = [name for name, fmt in registry().items() if fmt.attachable]
    for name in names:
        if not get_format(name).attachable:
            raise ParameterError(
                "attach",
                f"{{name}} {name!r}: a message cannot carry this format; "
                f"choose one of {', '.join(allowed)}",
            )
    return plan_brief(space, brief.path, Request(formats=names, editions=editions(facts_only)))


class _Composer:
    """One brief's message in one plan: its theme, imprint, edition and fetcher."""

    def __init__(self, brief: Brief, plan: Plan) -> None:
        self.brief = brief
        self.plan = plan
        self.theme = plan.theme
        (source,) = plan.sources
        (self.shown,) = plan.editions
        self.edition: Imprint = replace(plan.imprint, published=plan.address(source, self.shown))
        self.fetcher: Fetcher = Renderer(self.theme).fetcher(brief, self.edition)

    @contextmanager
    def attachments(self) -> Iterator[Callable[[], list[Attached]]]:
        """Start rendering each attachment in a worker of its own; the block gets their waiter.

        They render as ``briefkit build`` renders them, within the time limit, while the
        caller makes the bodies.
        """
        with ExitStack() as stack:
            pending = [
                (output, stack.enter_context(rendering_apart(self.plan, self.brief, output)))
                for output in self.plan.outputs
            ]
            yield lambda: [self._attached(output, rendered()) for output, rendered in pending]

    def filename(self, output: PlannedOutput) -> str:
        """Return the name an attachment goes by."""
        stem = f"{self.brief.path.stem}{self.shown.file_suffix}"
        return plain_filename(stem, output.output_format.suffix.lstrip("."))

    def _attached(self, output: PlannedOutput, rendered: Rendered) -> Attached:
        """Return a rendered attachment, its warnings logged."""
        for warning in rendered.warnings:
            _log.warning("%s: %s", self.brief.path, warning)
        return Attached(self.filename(output), rendered.data, output.output_format.media_type)

    def elsewhere(self, link: bool, sender: Address) -> Elsewhere:
        """Return where the reader finds the brief besides the message: linked, or the sender."""
        links = self.published_copies() if link else ()
        return Elsewhere(links, self.edition.published, sender.addr_spec)

    def published_copies(self) -> tuple[tuple[str, str], ...]:
        """Return each format briefkit publish serves and its address, as publish lays it out."""
        from briefkit.delivery.catalogue.publish import CATALOGUE_FORMATS

        (source,) = self.plan.sources
        served = [name for name in LINKED_FORMATS if name in CATALOGUE_FORMATS]
        found = ((name, self.plan.address(source, self.shown, name)) for name in served)
        return tuple((name, address) for name, address in found if address)

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
            self.brief, MailRenderer, self.edition, self.shown, self.fetcher, image_src=images
        )


def compose(brief: Brief, plan: Plan, options: MailOptions) -> EmailMessage:
    """Return the message of a brief: both bodies, then the attachments its plan names."""
    if options.correction:
        latest_correction(brief)  # refused before anything is rendered
    if options.link:
        check_linkable(plan)
    composer = _Composer(brief, plan)
    with composer.attachments() as rendered:
        bodies = render_bodies(
            brief,
            composer.theme,
            composer.edition,
            composer.shown,
            composer.fetcher,
            body=options.body,
            attachments=[composer.filename(output) for output in plan.outputs],
            domain=options.sender.domain,
            correction=options.correction,
            elsewhere=composer.elsewhere(options.link, options.sender),
        )
        attachments = rendered()
    check_size(attachments, plan.config.email.max_attachments_mb)
    headers = composer.headers(
        bodies.view, options.sender, options.to, options.cc, options.correction
    )
    return brief_message(headers, bodies, attachments)


def check_linkable(plan: Plan) -> None:
    """Refuse to link a message to a published copy that has no address, or is not published.

    Attachments are refused too: a message that links to the brief carries none.
    """
    if plan.outputs:
        raise ParameterError(
            "link",
            "{name} and attach= do not go together: {name} links to the published brief "
            "instead of attaching it",
        )
    space = plan.workspace
    settings = shown(space.config_path or space.root / CONFIG_NAME)
    if not plan.config.publish.base_url:
        raise BriefkitError(
            f"{settings}: a message that links to the published brief needs its address: set "
            "base_url in the [publish] table to the address briefkit publish serves it from"
        )
    if any(e.facts_only for e in plan.editions) and not plan.config.publish.facts_only:
        raise BriefkitError(
            f"{settings}: briefkit publish does not publish the facts-only edition, so a "
            "message cannot link to it: set facts_only = true in the [publish] table"
        )


def correcting(brief: Brief, space: Workspace, facts_only: bool) -> Correcting:
    """Return what a correction's send log needs: the earlier version's subject, which one."""
    latest = latest_correction(brief)
    composer = _Composer(brief, mail_plan(space, brief, (), facts_only))
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


def compose_kindle(brief: Brief, plan: Plan, sender: Address, to: Address) -> EmailMessage:
    """Return a Send-to-Kindle message: the EPUB its plan names under a plain name, a short body."""
    composer = _Composer(brief, plan)
    with composer.attachments() as rendered:
        view = composer.text_view(sender.domain)
        text = composer.theme.render("email/kindle.txt", view.language, view=view)
        (epub,) = rendered()
    check_size([epub], plan.config.email.max_attachments_mb)
    return kindle_message(composer.headers(view, sender, (to,)), text, epub)


def eml_path(space: Workspace, source: Path, facts_only: bool) -> Path:
    """Return where a brief's message is written: in the output folder, named as build names."""
    plan = plan_brief(space, source, Request(formats=(), editions=editions(facts_only)))
    (placed,) = plan.sources
    (edition,) = plan.editions
    return plan.file_path(placed, edition, EML_SUFFIX)


def sender_for(space: Workspace, sender: str | None) -> Address:
    """Return the sender given, or the workspace's; say how to give one when neither is."""
    value = sender or space.config.email.sender
    if not value:
        raise ParameterError(
            "sender", "no sender: give one ({name}), or set from in [email] of briefkit.toml"
        )
    return parse_address(value, "the sender")


def addresses(values: Iterable[str], parameter: str) -> tuple[Address, ...]:
    """Return the addresses given for one parameter, each checked."""
    try:
        return tuple(parse_address(value, "the {name} address") for value in values)
    except AddressError as exc:
        raise ParameterError(parameter, str(exc)) from None
