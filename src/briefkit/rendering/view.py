"""The view of a brief that templates render: labelled sections, notes, sources, title block."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from markupsafe import Markup

from briefkit.config import Labels
from briefkit.model.brief import Brief, CheckedImage, FrontMatter, Section
from briefkit.model.edition import Edition, called_notes
from briefkit.rendering.citing import (
    Citation,
    CorrectionView,
    Social,
    citation_of,
    corrections_of,
    social_of,
)
from briefkit.rendering.fetcher import Fetcher
from briefkit.rendering.fragments import (
    FragmentContext,
    FragmentRenderer,
    Note,
    join_lines,
    source_names,
)
from briefkit.rendering.markup.references import CitationPlace
from briefkit.sources.markup.markdown import typographic
from briefkit.sources.markup.tokens import citation_order
from briefkit.text.languages import Language, language_for
from briefkit.text.running_title import running_title


@dataclass(frozen=True)
class Words:
    """The words on every label and in the legend, in the brief's language or as configured."""

    fact: str
    commentary: str
    fact_legend: str
    commentary_legend: str


def words_for(labels: Labels, language: Language) -> Words:
    """Return the workspace's label words, the brief's language filling in those not set."""
    _ = language.gettext
    return Words(
        fact=labels.fact or _("Fact"),
        commentary=labels.commentary or _("Commentary"),
        fact_legend=labels.fact_legend
        or _("reported events, figures and statements, with their sources."),
        commentary_legend=labels.commentary_legend
        or _("the view of the named author or publisher: analysis and opinion, not reported fact."),
    )


@dataclass
class SectionView:
    """A section as shown: its label in words, heading and body, and the section it shows.

    notes are those it calls first; calls are the ids of every note it calls, those its notes
    call included, so an output that keeps notes with their section knows which it needs.
    """

    section: Section
    calls: tuple[int, ...]
    kind: str
    label: str
    attribution: str | None
    title: str
    title_html: Markup
    anchor: str
    body_html: Markup
    notes: list[Note] = field(default_factory=list)
    bookmark: str = ""
    continued: str = ""
    # The citations in its text and its notes that the Sources list links back to.
    citations: list[CitationPlace] = field(default_factory=list)


@dataclass(frozen=True)
class Citing:
    """A place that cites a source: the citation's id and the section it stands in."""

    id: str
    section: SectionView


@dataclass
class SourceView:
    """An entry of the Sources list."""

    number: int
    key: str
    anchor: str
    title: str
    publisher: str | None
    date: str | None
    url: str | None
    accessed: str | None
    # The citations of it, in reading order, where the output links back to them.
    cited_at: list[Citing] = field(default_factory=list)


@dataclass
class BriefView:
    """Everything a template needs to present one brief."""

    meta: FrontMatter
    renderer: type[FragmentRenderer]
    language: Language
    labels: Words
    sections: list[SectionView]
    sources: list[SourceView]
    notes: list[Note]
    edition: Edition
    omitted: int
    show_toc: bool
    organisation_url: str | None = None
    corrections_policy: str | None = None
    logo: str | None = None
    published: str | None = None
    page: str | None = None
    thumbnail: str | None = None

    @property
    def output(self) -> str:
        """Return the output kind the view is rendered for: print, web, epub or email."""
        return self.renderer.name

    @property
    def paged(self) -> bool:
        """Tell whether the output is laid out in pages, its notes at the foot of each."""
        return self.renderer.paged

    @property
    def facts_only(self) -> bool:
        """Tell whether this is the facts-only edition."""
        return self.edition.facts_only

    @property
    def date_text(self) -> str:
        """Return the brief's date as its language writes it: '24 November 2025'."""
        return self.language.long_date(self.meta.date)

    @property
    def series_line(self) -> str:
        """Return 'Series · No. 12', or whichever part exists."""
        number = self.meta.number
        parts = [
            self.meta.series or "",
            self.language.gettext("No. {number}").format(number=number) if number else "",
        ]
        return " · ".join(p for p in parts if p)

    @property
    def edition_title(self) -> str:
        """Return the title that names this edition: the facts-only one says so."""
        return self.edition.title(self.meta.title, self.language.gettext)

    @property
    def short_title(self) -> str:
        """Return the title for running headers, naming the facts-only edition."""
        short = self.meta.short_title or running_title(self.meta.title)
        return self.edition.title(short, self.language.gettext)

    @property
    def summary(self) -> str | None:
        """Return the summary, its folded lines joined as its script needs."""
        return join_lines(self.meta.summary) if self.meta.summary else None

    @property
    def corrections(self) -> list[CorrectionView]:
        """Return the brief's corrections, dated in its language, newest first."""
        return corrections_of(self.meta, self.language)

    @property
    def citation(self) -> Citation:
        """Return how to cite this edition: creators, year, title, series, publisher, link."""
        return citation_of(
            self.meta, self.language, self.edition_title, self.series_line, self.published
        )

    @property
    def social(self) -> Social:
        """Return what a pasted link to this edition previews: title, summary, page, cover."""
        return social_of(
            self.meta, self.language, self.edition_title, self.summary, self.page, self.thumbnail
        )

    @property
    def author_names(self) -> list[str]:
        """Return the authors' names."""
        return [a.name for a in self.meta.authors]

    def number(self, value: int) -> str:
        """Write a number in the brief's language."""
        return self.language.number(value)

    @property
    def page_numbers_css(self) -> Markup:
        """Return the CSS content of the page-number box: 'Page X of Y' in the brief's language."""
        pattern = self.language.gettext("Page {page} of {pages}")
        style = self.language.counter_style
        parts = []
        for piece in re.split(r"(\{page\}|\{pages\})", pattern):
            if piece == "{page}":
                parts.append(f"counter(page, {style})")
            elif piece == "{pages}":
                parts.append(f"counter(pages, {style})")
            elif piece:
                parts.append(css_string(piece))
        return Markup(" ".join(parts) or "none")


def css_string(text: str) -> str:
    """Return text as a CSS string that cannot end its string or its style element."""
    escaped = "".join(c if c.isalnum() or c in " .,:;·/-()" else f"\\{ord(c):x} " for c in text)
    return f'"{escaped}"'


@dataclass(frozen=True)
class Imprint:
    """What the house and the build give every format of a brief: labels, logo, date, address."""

    labels: Labels
    modified: dt.datetime
    toc_min_sections: int = 5
    organisation_url: str | None = None
    corrections_policy: str | None = None
    logo: CheckedImage | None = None
    certified_by: str | None = None
    # Where the brief's PDF is served once published ([publish] base_url), if that is known.
    published: str | None = None
    # Where its HTML page and its cover thumbnail are served once published, for link previews.
    page: str | None = None
    thumbnail: str | None = None

    def of_brief(self, brief: Brief) -> Imprint:
        """Return the edition as one brief has it: modified on its latest correction, if any.

        A correction's date is the source's own, so it takes precedence over the build's
        time (SOURCE_DATE_EPOCH or the clock): the file says when its content last changed,
        and stays the same from build to build.
        """
        corrected = brief.meta.corrected
        if corrected is None:
            return self
        return replace(self, modified=dt.datetime.combine(corrected, dt.time(), dt.UTC))


def source_anchor(number: int) -> str:
    """Return the id of a Sources list entry."""
    return f"_src{number}"


def build_view(
    brief: Brief,
    renderer: type[FragmentRenderer],
    imprint: Imprint,
    edition: Edition,
    fetcher: Fetcher,
    *,
    image_src: Callable[[Path], str],
    source_href: Callable[[str], str] | None = None,
) -> BriefView:
    """Render every section an edition shows into a view for templates, with one renderer.

    renderer is the output kind's renderer class (``rendering/markup/``); image_src turns one
    of the brief's checked image files into the address the output uses; source_href turns a
    Sources entry's id into the link a citation uses (default "#id").
    """
    link = source_href or (lambda anchor: f"#{anchor}")
    language = language_for(brief.meta.language)
    labels = words_for(imprint.labels, language)
    meta = _typographic_meta(brief.meta, language)
    included = edition.sections(brief)
    order = citation_order(included, brief.footnotes)
    numbers = {key: index for index, key in enumerate(_source_keys(brief, order), start=1)}
    context = FragmentContext(
        citation_numbers=numbers,
        source_href=lambda key: link(source_anchor(numbers.get(key, 0))),
        source_names=source_names(brief.meta.sources, language),
        image_src=image_src,
        folder=brief.folder,
        images={image.path: image for image in brief.images},
        footnotes=brief.footnotes,
        language=language,
    )
    markup = renderer(context)
    sections = [_section_view(section, brief, labels, markup) for section in included]
    sources = _sources(brief, numbers, language)
    _place_citations(sources, sections)
    return BriefView(
        meta=meta,
        renderer=renderer,
        language=language,
        labels=labels,
        sections=sections,
        sources=sources,
        notes=list(context.notes),
        edition=edition,
        omitted=edition.omitted(brief),
        show_toc=len(sections) >= imprint.toc_min_sections,
        organisation_url=imprint.organisation_url,
        corrections_policy=imprint.corrections_policy,
        logo=renderer.logo_src(imprint.logo.path, fetcher, image_src) if imprint.logo else None,
        published=imprint.published,
        page=imprint.page,
        thumbnail=imprint.thumbnail,
    )


def _typographic_meta(meta: FrontMatter, language: Language) -> FrontMatter:
    """Return the front matter with the body's typography: quotes, apostrophes, dashes."""
    quotes, french = tuple(language.quotes), language.french_spacing

    def smart(text: str | None) -> str | None:
        return typographic(text, quotes, french) if text else text

    return meta.model_copy(
        update={
            "title": smart(meta.title),
            "subtitle": smart(meta.subtitle),
            "short_title": smart(meta.short_title),
            "summary": smart(meta.summary),
            "key_points": [typographic(point, quotes, french) for point in meta.key_points],
            "corrections": [
                item.model_copy(update={"text": typographic(item.text, quotes, french)})
                for item in meta.corrections
            ],
        }
    )


def _source_keys(brief: Brief, cited: list[str]) -> list[str]:
    """Return source keys numbered: cited ones in citation order, then the rest as listed."""
    return cited + [key for key in brief.meta.sources if key not in cited]


def _section_view(
    section: Section, brief: Brief, labels: Words, markup: FragmentRenderer
) -> SectionView:
    """Render one section, collecting the notes it calls first."""
    context = markup.context
    before, cited = len(context.notes), len(context.citations.places)
    body = markup.render_tokens(section.tokens)
    title_html = markup.render_heading(section.heading)
    attribution = None
    if section.kind == "commentary":
        attribution = section.by or brief.meta.organisation
    label = labels.fact if section.kind == "fact" else labels.commentary
    _ = context.language.gettext
    return SectionView(
        section=section,
        calls=tuple(called_notes([*section.tokens, section.heading], brief.footnotes)),
        kind=section.kind,
        label=label,
        attribution=attribution,
        title=section.title,
        title_html=title_html,
        anchor=section.anchor,
        body_html=body,
        notes=context.notes[before:],
        bookmark=_("{label}: {title}").format(label=label, title=section.title),
        continued=_("{label} (continued)").format(label=label),
        citations=context.citations.places[cited:],
    )


def _place_citations(sources: list[SourceView], sections: list[SectionView]) -> None:
    """Give each source the citations of it, in reading order, with the section of each."""
    by_key = {source.key: source for source in sources}
    for section in sections:
        for place in section.citations:
            for key in place.keys:
                by_key[key].cited_at.append(Citing(place.id, section))


def _sources(brief: Brief, numbers: dict[str, int], language: Language) -> list[SourceView]:
    """Return the Sources list in number order, its dates in the brief's language."""
    views = [
        SourceView(
            number=numbers[key],
            key=key,
            anchor=source_anchor(numbers[key]),
            title=entry.title,
            publisher=entry.publisher,
            date=language.partial_date(entry.date) if entry.date else None,
            url=entry.url,
            accessed=language.long_date(entry.accessed) if entry.accessed else None,
        )
        for key, entry in brief.meta.sources.items()
    ]
    return sorted(views, key=lambda v: v.number)
