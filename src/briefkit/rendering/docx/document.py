"""The Word edition's content as pandoc's AST: title block, labelled sections, sources.

It follows the templates' order (``templates/partials/``): masthead, series, title, subtitle,
date and authors, corrections, the facts-only note, summary, key points, the legend, then each
section under its label in words, then the numbered Sources. The house restyles every part
through the named styles of its reference document.
"""

from __future__ import annotations

from typing import Any

from briefkit.rendering.docx import nodes
from briefkit.rendering.docx.blocks import Walker
from briefkit.rendering.docx.nodes import Node
from briefkit.rendering.view import BriefView, SectionView, SourceView

# The styles of the reference document (templates/docx/reference.docx) that briefkit names.
LABEL_STYLES = {"fact": "Fact label", "commentary": "Commentary label"}
COMMENTARY_STYLE = "Commentary"


def document(view: BriefView, walker: Walker) -> dict[str, Any]:
    """Return the whole brief as a pandoc document."""
    blocks = [*title_block(view)]
    for section in view.sections:
        blocks += section_blocks(section, walker)
    blocks += sources_blocks(view)
    return nodes.document(metadata(view), blocks)


def metadata(view: BriefView) -> dict[str, Node]:
    """Return the document's language and direction; the properties are written afterwards."""
    meta = {"lang": nodes.node("MetaString", view.meta.language)}
    if view.language.direction == "rtl":
        meta["dir"] = nodes.node("MetaString", "rtl")
    return meta


def title_block(view: BriefView) -> list[Node]:
    """Return the title block: who, what, when, and how to read the brief."""
    _ = view.language.gettext
    masthead = [view.meta.organisation or "", view.meta.classification or ""]
    blocks = [
        line("Masthead", " · ".join(part for part in masthead if part)),
        line("Series", view.series_line),
        line("Title", view.edition_title),
        line("Subtitle", view.meta.subtitle or ""),
        line("Date", view.date_text),
        *(line("Author", byline) for byline in _bylines(view)),
    ]
    blocks += corrections(view)
    if view.facts_only:
        blocks.append(edition_note(view))
    if view.summary:
        blocks += [heading(_("Summary")), nodes.para(nodes.text(view.summary))]
    if view.meta.key_points:
        points = [[nodes.plain(nodes.text(point))] for point in view.meta.key_points]
        blocks += [heading(_("Key points")), nodes.bullets(points)]
    blocks.append(legend(view))
    return [block for block in blocks if block]


def line(style: str, words: str) -> Node:
    """Return one paragraph of words in a named style, or nothing when there are no words."""
    return nodes.styled(style, [nodes.para(nodes.text(words))]) if words else {}


def heading(words: str, ident: str = "") -> Node:
    """Return a heading of the title block or the back matter, level with the sections'."""
    return nodes.header(2, nodes.text(words), ident)


def _bylines(view: BriefView) -> list[str]:
    """Return each author as the byline names them: name, role, affiliation."""
    return [
        ", ".join(part for part in (a.name, a.role, a.affiliation) if part)
        for a in view.meta.authors
    ]


def corrections(view: BriefView) -> list[Node]:
    """Return the brief's corrections, newest first, each dated."""
    if not view.corrections:
        return []
    _ = view.language.gettext
    title = view.language.ngettext("Correction", "Corrections", len(view.corrections))
    items = [
        [
            nodes.plain(
                [
                    nodes.strong(nodes.text(_("Corrected {date}:").format(date=item.date_text))),
                    nodes.node("Space"),
                    *nodes.text(item.text),
                ]
            )
        ]
        for item in view.corrections
    ]
    return [heading(title), nodes.bullets(items)]


def edition_note(view: BriefView) -> Node:
    """Return the note that says the facts-only edition leaves commentary out."""
    _ = view.language.gettext
    left_out = view.language.ngettext(
        "One section of commentary in the full brief is left out; every section below is "
        "reported fact.",
        "{count} sections of commentary in the full brief are left out; every section below "
        "is reported fact.",
        view.omitted,
    ).format(count=view.number(view.omitted))
    words = [nodes.strong(nodes.text(_("Facts-only edition."))), nodes.node("Space")]
    return nodes.styled("Edition note", [nodes.para([*words, *nodes.text(left_out)])])


def legend(view: BriefView) -> Node:
    """Return how to read the labels: each label's word and what it marks."""
    _ = view.language.gettext
    rows = [(view.labels.fact, view.labels.fact_legend)]
    if not view.facts_only:
        rows.append((view.labels.commentary, view.labels.commentary_legend))
    paragraphs = [nodes.para([nodes.strong(nodes.text(_("How to read this brief")))])]
    for label, meaning in rows:
        words = [nodes.strong(nodes.text(label)), *nodes.text(f" {meaning}")]
        paragraphs.append(nodes.para(words))
    return nodes.styled("Legend", paragraphs)


def section_blocks(section: SectionView, walker: Walker) -> list[Node]:
    """Return a section: its label in words, its title as Heading 2, then its body."""
    label = section.label
    if section.attribution:
        label += f" · {section.attribution}"
    title = walker.inlines(section.section.heading.children or [])
    body = walker.blocks(section.section.tokens)
    if section.kind == "commentary":
        body = [nodes.styled(COMMENTARY_STYLE, body)]
    return [line(LABEL_STYLES[section.kind], label), nodes.header(2, title, section.anchor), *body]


def sources_blocks(view: BriefView) -> list[Node]:
    """Return the numbered Sources, each entry a bookmark the citations link to."""
    if not view.sources:
        return []
    _ = view.language.gettext
    items = [[nodes.plain(source_entry(source, _))] for source in view.sources]
    return [heading(_("Sources"), "_sources"), nodes.numbered(items, view.sources[0].number)]


def source_entry(source: SourceView, _: Any) -> list[Node]:
    """Return one entry of Sources: title, publisher, date, address, when it was read."""
    words = [nodes.span([], source.anchor), nodes.node("Emph", nodes.text(source.title))]
    if source.publisher:
        words += nodes.text(f". {source.publisher}")
    if source.date:
        words += nodes.text(f", {source.date}")
    words += nodes.text(".")
    if source.url:
        words += [nodes.node("Space"), nodes.link(nodes.text(source.url), source.url)]
    if source.accessed:
        words += [
            nodes.node("Space"),
            *nodes.text(_("(accessed {date})").format(date=source.accessed)),
        ]
    return words
