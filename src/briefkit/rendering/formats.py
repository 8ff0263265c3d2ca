"""The output formats, as a registry: each is one object with a name, a suffix and a renderer.

A format says what it is called (``--format NAME``), the suffix and media type of its files,
whether a message may carry it as an attachment, which fields of a variant (paper, marks, PDF
standard) and which settings of briefkit.toml shape it, and how to render one edition of a
brief to bytes. Nothing else in briefkit names a format's suffix or branches on its name.

briefkit's own formats are listed here; others come from installed packages through the
``briefkit.formats`` entry point group, as MkDocs and Sphinx take plugins. A format from an
entry point is code its user installed, run like briefkit's own; it cannot replace a built-in
one, and what it renders goes through the same plan, cache and atomic writes.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import TYPE_CHECKING

from briefkit.errors import BriefkitError, Finding, UsageError
from briefkit.model.brief import Brief
from briefkit.model.choices import Variant
from briefkit.model.edition import Edition
from briefkit.rendering.view import BriefView, Imprint, build_view

if TYPE_CHECKING:
    from briefkit.rendering.fetcher import Fetcher
    from briefkit.rendering.fragments import FragmentRenderer
    from briefkit.rendering.theme import Theme

ENTRY_POINTS = "briefkit.formats"
# The settings of briefkit.toml that shape every format's content: who publishes, the labels'
# words, the sources' defaults, the contents' threshold, and where "Cite this brief" points.
SHARED_SETTINGS = (
    "organisation",
    "defaults",
    "labels",
    "build.toc_min_sections",
    "publish.base_url",
)
_BUILTIN = {
    "pdf": "briefkit.rendering.pdf.format:PDF",
    "epub": "briefkit.rendering.epub.format:EPUB",
    "html": "briefkit.rendering.html.format:HTML",
    "docx": "briefkit.rendering.docx.format:DOCX",
}


@dataclass(frozen=True)
class RenderRequest:
    """One edition of one brief to render in one variant, with what every format shares."""

    brief: Brief
    edition: Edition
    variant: Variant
    imprint: Imprint
    theme: Theme
    fetcher: Fetcher
    # The build's time limit in seconds (0: none), for a format that runs a program of its own.
    time_limit: float = 0

    def view(
        self,
        renderer: type[FragmentRenderer],
        image_src: Callable[[Path], str],
        source_href: Callable[[str], str] | None = None,
    ) -> BriefView:
        """Return the view of this edition that a format's templates render, by its renderer."""
        return build_view(
            self.brief,
            renderer,
            self.imprint,
            self.edition,
            self.fetcher,
            image_src=image_src,
            source_href=source_href,
        )


@dataclass
class Rendered:
    """The bytes of one format of a brief, and what the renderer warned about."""

    data: bytes
    warnings: list[str] = field(default_factory=list)
    # What rendering found in the source: characters the PDF could not draw.
    findings: list[Finding] = field(default_factory=list)


class OutputFormat(ABC):
    """A kind of output file: what it is called, what shapes it, and how to render it."""

    name: str
    suffix: str
    media_type: str
    # Whether a message may carry it as an attachment.
    attachable: bool = False
    # The fields of a Variant that shape this format; they name its files and key its cache.
    variant_fields: frozenset[str] = frozenset()
    # The settings of briefkit.toml that shape it, as dotted paths: only these key its cache.
    settings: tuple[str, ...] = SHARED_SETTINGS

    @abstractmethod
    def render(self, request: RenderRequest) -> Rendered:
        """Render one edition of a brief; nothing is written here."""

    def warm(self) -> None:
        """Load what the first render would (an engine): a worker does, before its first job."""
        return  # most formats have nothing to load

    def release(self) -> None:
        """Drop what this process keeps warm between renders, before it ends."""
        return  # most formats keep nothing


@cache
def registry() -> Mapping[str, OutputFormat]:
    """Return every format by name: briefkit's own, then those installed packages add."""
    formats = {name: _load(target, name) for name, target in _BUILTIN.items()}
    for point in entry_points(group=ENTRY_POINTS):
        if point.name in formats:
            continue  # a built-in format is never replaced
        formats[point.name] = _checked(_loaded(point), point.name, point.value)
    return formats


def get_format(name: str) -> OutputFormat:
    """Return the format of this name, or refuse it and name the formats there are."""
    formats = registry()
    if name not in formats:
        raise UsageError(f"unknown format {name!r}: choose one of {', '.join(formats)}")
    return formats[name]


def format_names() -> tuple[str, ...]:
    """Return the names of every format, briefkit's own first."""
    return tuple(registry())


def _load(target: str, name: str) -> OutputFormat:
    """Import a built-in format object from its module:attribute name."""
    module, _, attribute = target.partition(":")
    return _checked(getattr(importlib.import_module(module), attribute), name, target)


def _loaded(point: EntryPoint) -> object:
    """Return what an installed package's entry point names, or say that it cannot be loaded."""
    try:
        return point.load()
    except Exception as exc:  # the package's own code: any failure is reported the same way
        raise BriefkitError(
            f"the {ENTRY_POINTS} entry point {point.name!r} ({point.value}) could not be loaded: "
            f"{exc}"
        ) from None


def _checked(found: object, name: str, target: str) -> OutputFormat:
    """Return what an entry point named if it is a format of that name; refuse it otherwise."""
    if isinstance(found, type) and issubclass(found, OutputFormat):
        found = found()
    where = f"the {ENTRY_POINTS} entry point {name!r} ({target})"
    if not isinstance(found, OutputFormat):
        raise BriefkitError(
            f"{where} is a {type(found).__name__}, not an OutputFormat: point it at a subclass "
            "of briefkit.rendering.formats.OutputFormat or an instance of one"
        )
    if found.name != name:
        raise BriefkitError(
            f"{where} is the format {found.name!r}: an entry point bears its format's name"
        )
    return found
