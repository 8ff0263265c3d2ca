"""Each section's kind as data machines read: schema.org, IPTC genres, one map for every format.

The map is made here, and only here, from the view every format renders:

- the HTML page and every EPUB content document carry it as schema.org JSON-LD, the mail's
  HTML as microdata of the same terms (``templates/partials/linked_data*.html``);
- the EPUB package names the genres the edition holds as ``dc:type``, the PDF's XMP lists
  the sections (``rendering/pdf_xmp.py``), and each OPDS entry names the genres as subjects.

A brief is a schema.org ``Report``: a think tank's or a ministry's report, numbered in a
series (``reportNumber``), which is what a policy brief is; a ``NewsArticle`` would tell
aggregators it is news. Its sections are its parts (``hasPart``), each with its title,
attribution, position and genre: a fact section is a ``ReportageNewsArticle`` ("based on
factual information either observed or verified by the author, or reported and verified from
knowledgeable sources"), a commentary section an ``OpinionNewsArticle``. Commentary is the
named author's or publisher's view, all the label promises; ``AnalysisNewsArticle`` would
claim in-depth research that nothing in a brief states or briefkit can check.

The genres are IPTC's Genre NewsCodes: ``Opinion`` ("an editorial comment that reflects the
views of the author") for commentary, and ``Current`` ("Current Events": content about events
taking place at the time of the report) for reported fact. IPTC has no "Fact" genre, and
``Actuality`` is the recording of an event (audio or video), not a report of it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from markupsafe import Markup

from briefkit.rendering.citing import doi_address

if TYPE_CHECKING:
    from briefkit.model.brief import Author
    from briefkit.rendering.view import BriefView, SectionView

SCHEMA_ORG = "https://schema.org"
IPTC_GENRES = "http://cv.iptc.org/newscodes/genre/"
# What JSON leaves as it is but would end a <script> element or start markup inside it
# (</script>, <!--) or an entity in XHTML: written as JSON escapes, which mean the same.
_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


@dataclass(frozen=True)
class Genre:
    """What a kind of section is in schema.org's and IPTC's terms."""

    kind: str
    article: str
    code: str
    name: str

    @property
    def uri(self) -> str:
        """Return the IPTC genre's address, its identifier."""
        return IPTC_GENRES + self.code


GENRES = {
    "fact": Genre("fact", "ReportageNewsArticle", "Current", "Current Events"),
    "commentary": Genre("commentary", "OpinionNewsArticle", "Opinion", "Opinion"),
}


def genres(kinds: Iterable[str]) -> list[Genre]:
    """Return the genres of these kinds of section, each once, fact before commentary."""
    present = set(kinds)
    return [genre for kind, genre in GENRES.items() if kind in present]


@dataclass(frozen=True)
class SectionPart:
    """A section as the PDF's metadata lists it: kind, genre, title and attribution."""

    kind: str
    genre: Genre
    title: str
    by: str | None


def section_parts(view: BriefView) -> tuple[SectionPart, ...]:
    """Return the edition's sections in reading order, as metadata lists them."""
    return tuple(SectionPart(s.kind, GENRES[s.kind], s.title, s.attribution) for s in view.sections)


class Located(Protocol):
    """A document of the output that may hold a section (an EPUB content document)."""

    @property
    def file_name(self) -> str: ...

    @property
    def section(self) -> SectionView | None: ...


@dataclass(frozen=True)
class LinkedData:
    """A brief described in schema.org terms, ready for a template to write."""

    data: dict[str, Any]

    @property
    def json(self) -> Markup:
        """Return the description as JSON-LD that is safe inside a <script> element."""
        return json_ld(self.data)


def linked_data(
    view: BriefView, pages: Iterable[Located] | None = None, section: SectionView | None = None
) -> LinkedData:
    """Return the description a template writes; pages place the sections in an EPUB.

    A section's own EPUB document describes that section, part of the brief, rather than
    the whole brief again: a book of many sections would otherwise repeat every section's
    description in every section's document.
    """
    addresses = section_addresses(view, pages)
    if section is None:
        return LinkedData(describe(view, addresses))
    return LinkedData(describe_section(view, section, addresses))


def section_addresses(view: BriefView, pages: Iterable[Located] | None) -> dict[str, str]:
    """Return each section's address by its anchor, where the output has addresses.

    An EPUB section is its document and anchor; on the HTML page it is the anchor; a mail
    message has none.
    """
    if pages is not None:
        return {
            page.section.anchor: f"{page.file_name}#{page.section.anchor}"
            for page in pages
            if page.section is not None
        }
    found = {
        section.anchor: view.renderer.section_address(section.anchor) for section in view.sections
    }
    return {anchor: address for anchor, address in found.items() if address is not None}


def describe(view: BriefView, addresses: dict[str, str] | None = None) -> dict[str, Any]:
    """Return the brief as a schema.org Report whose parts are its sections, in order."""
    where = addresses or {}
    report = _report(view)
    report["hasPart"] = [
        _part(position, section, view, where.get(section.anchor))
        for position, section in enumerate(view.sections, start=1)
    ]
    return {"@context": SCHEMA_ORG, **_present(report)}


def describe_section(
    view: BriefView, section: SectionView, addresses: dict[str, str] | None = None
) -> dict[str, Any]:
    """Return one section as a news article of its genre, part of the brief."""
    position = next(n for n, shown in enumerate(view.sections, start=1) if shown is section)
    part = _part(position, section, view, (addresses or {}).get(section.anchor))
    return {"@context": SCHEMA_ORG, **part, "isPartOf": _present(_report(view))}


def _report(view: BriefView) -> dict[str, Any]:
    """Return what describes the brief as a whole: titles, dates, people, corrections."""
    meta = view.meta
    corrected = meta.corrected
    return {
        "@type": "Report",
        "name": view.edition_title,
        "headline": meta.title,
        "alternativeHeadline": meta.subtitle,
        "description": view.summary,
        "datePublished": meta.date.isoformat(),
        "dateModified": corrected.isoformat() if corrected else None,
        "inLanguage": meta.language,
        "author": _authors(view),
        "publisher": _publisher(view),
        "isPartOf": {"@type": "CreativeWorkSeries", "name": meta.series} if meta.series else None,
        "reportNumber": meta.number,
        "keywords": list(meta.keywords),
        **_doi(meta.doi),
        "correction": [
            {"@type": "CorrectionComment", "datePublished": c.date.isoformat(), "text": c.text}
            for c in meta.corrections
        ],
    }


def _part(
    position: int, section: SectionView, view: BriefView, address: str | None
) -> dict[str, Any]:
    """Return a section as a news article of its genre, with its title and attribution."""
    genre = GENRES[section.kind]
    by = [_attributed(section.attribution, view)] if section.attribution else _authors(view)
    part = {
        "@type": genre.article,
        "position": position,
        "headline": section.title,
        "name": section.title,
        "genre": genre.uri,
        "author": by,
        "url": address,
    }
    return _present(part)


def _authors(view: BriefView) -> list[dict[str, Any]]:
    """Return the brief's authors, or its organisation when it names none."""
    people = [_person(author) for author in view.meta.authors]
    publisher = _publisher(view)
    return people or ([publisher] if publisher else [])


def _attributed(name: str, view: BriefView) -> dict[str, Any]:
    """Return who a commentary is by: an author, the organisation, or a name alone.

    ``by="..."`` is a name and says no more: an editorial board and an analyst are written
    alike, so a name that is neither an author of the brief nor its organisation is given
    without a type rather than with a guessed one.
    """
    for author in view.meta.authors:
        if author.name == name:
            return _person(author)
    if name == view.meta.organisation:
        return {"@type": "Organization", "name": name}
    return {"name": name}


def _person(author: Author) -> dict[str, Any]:
    """Return an author of the brief as a Person (without the mail address, kept off the web)."""
    affiliation = {"@type": "Organization", "name": author.affiliation}
    return _present(
        {
            "@type": "Person",
            "name": author.name,
            "jobTitle": author.role,
            "affiliation": affiliation if author.affiliation else None,
        }
    )


def _publisher(view: BriefView) -> dict[str, Any] | None:
    """Return the publishing organisation, with its address and corrections policy if known."""
    organisation = {
        "@type": "Organization",
        "name": view.meta.organisation,
        "url": view.organisation_url,
        "correctionsPolicy": view.corrections_policy,
    }
    return _present(organisation) if len(_present(organisation)) > 1 else None


def _doi(doi: str | None) -> dict[str, Any]:
    """Return a DOI as the brief's identifier, and its doi.org address as the same work."""
    if not doi:
        return {}
    identifier = {"@type": "PropertyValue", "propertyID": "DOI", "value": doi}
    return {"identifier": identifier, "sameAs": doi_address(doi)}


def _present(node: dict[str, Any]) -> dict[str, Any]:
    """Return a node without the properties that have no value."""
    return {name: value for name, value in node.items() if value not in (None, "", [], {})}


def json_ld(data: dict[str, Any]) -> Markup:
    r"""Return data as JSON for a <script type="application/ld+json"> element.

    Source text is data: it is serialised, never pasted, and <, > and & are written as
    \u003c, \u003e and \u0026, so no title can close the element (</script>), open a
    comment (<!--) or start an entity, in HTML or in an EPUB's XHTML.
    """
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False)
    return Markup(text.translate(_SCRIPT_ESCAPES))
